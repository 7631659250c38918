@testable import ChroniclePostgreSQL
import Foundation
import Synchronization
import Testing

/// Callers share rounds, and none gets the result of a round that started before it called.
@Suite struct SharedRoundsTests {
    @Test func everyCallerGetsARoundThatStartedAfterItsCall() {
        let started = Atomic<Int>(0)
        let rounds = SharedRounds<Int> {
            let number = started.add(1, ordering: .sequentiallyConsistent).newValue
            usleep(2_000)  // long enough that others call meanwhile
            return number
        }
        let stale = Atomic<Int>(0), calls = Atomic<Int>(0)
        let finished = DispatchSemaphore(value: 0)
        for _ in 0..<8 {
            Thread {
                for _ in 0..<25 {
                    let before = started.load(ordering: .sequentiallyConsistent)
                    let round = (try? rounds.join().get()) ?? 0
                    calls.add(1, ordering: .relaxed)
                    if round <= before { stale.add(1, ordering: .relaxed) }
                }
                finished.signal()
            }.start()
        }
        for _ in 0..<8 { finished.wait() }
        #expect(stale.load(ordering: .relaxed) == 0)
        #expect(calls.load(ordering: .relaxed) == 200)
        #expect(started.load(ordering: .relaxed) < 200)  // shared: fewer rounds than calls
    }

    @Test func aFailedRoundFailsItsCallersAndTheNextRunsAgain() throws {
        let attempts = Atomic<Int>(0)
        struct Down: Error {}
        let rounds = SharedRounds<Int> {
            if attempts.add(1, ordering: .relaxed).newValue == 1 { throw Down() }
            return 7
        }
        #expect(throws: Down.self) { try rounds.join().get() }
        #expect(try rounds.join().get() == 7)
    }
}
