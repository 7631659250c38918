import Foundation
import Synchronization
import Testing
@testable import HTTP

/// The pool that answers reads: first come, first served, never more at once than its threads.
@Suite struct WorkerPoolTests {
    @Test func oneThreadRunsJobsInTheOrderTheyCame() {
        let pool = WorkerPool(threads: 1)
        defer { pool.stop() }
        let order = Mutex<[Int]>([])
        let done = DispatchSemaphore(value: 0)
        for index in 0..<2_000 {
            pool.async {
                order.withLock { $0.append(index) }
                if index == 1_999 { done.signal() }
            }
        }
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(order.withLock { $0 } == Array(0..<2_000))
    }

    @Test func threadsAreNamedForTopAndPerf() throws {
        let pool = WorkerPool(threads: 2, name: "namecheck")
        defer { pool.stop() }
        let name = Mutex("")
        let done = DispatchSemaphore(value: 0)
        pool.async {
            name.withLock { $0 = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "" }
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(["namecheck-0\n", "namecheck-1\n"].contains(name.withLock { $0 }))
    }

    /// Jobs that block until released show what runs at once without timing anything: three
    /// threads must start exactly three of six blocked jobs (so they run side by side, and no
    /// fourth starts while they hold every thread), and all six run once released.
    @Test func noMoreJobsRunAtOnceThanThreadsAndAllOfThemRun() {
        let pool = WorkerPool(threads: 3)
        defer { pool.stop() }
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let state = Mutex((running: 0, most: 0, finished: 0))
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<6 {
            pool.async {
                state.withLock { $0.running += 1; $0.most = max($0.most, $0.running) }
                started.signal()
                release.wait()
                let finished = state.withLock { $0.running -= 1; $0.finished += 1; return $0.finished }
                if finished == 6 { done.signal() }
            }
        }
        // Three start and block: each signals once it runs. (A pool that ran jobs one at a time
        // would never start a second, and this would time out.)
        for index in 0..<3 { #expect(started.wait(timeout: .now() + 10) == .success, "job \(index + 1) of 3 did not start") }
        // A fourth cannot start while the three hold every thread.
        #expect(started.wait(timeout: .now() + 0.2) == .timedOut, "a fourth job ran beside three on three threads")
        #expect(state.withLock { $0.running } == 3)
        for _ in 0..<6 { release.signal() }
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(state.withLock { ($0.most, $0.finished) } == (3, 6))
    }

    @Test func stoppingLetsQueuedJobsFinish() {
        let pool = WorkerPool(threads: 1)
        let count = Mutex(0)
        let done = DispatchSemaphore(value: 0)
        for index in 0..<50 {
            pool.async {
                usleep(200)
                count.withLock { $0 += 1 }
                if index == 49 { done.signal() }
            }
        }
        pool.stop()
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(count.withLock { $0 } == 50)
    }
}
