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

    @Test func noMoreJobsRunAtOnceThanThreadsAndAllOfThemRun() {
        let pool = WorkerPool(threads: 3)
        defer { pool.stop() }
        let state = Mutex((running: 0, most: 0, finished: 0))
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<60 {
            pool.async {
                state.withLock { $0.running += 1; $0.most = max($0.most, $0.running) }
                usleep(2_000)
                let finished = state.withLock { $0.running -= 1; $0.finished += 1; return $0.finished }
                if finished == 60 { done.signal() }
            }
        }
        #expect(done.wait(timeout: .now() + 10) == .success)
        let most = state.withLock { $0.most }
        // Three threads: at most three at once, and (60 jobs of 2 ms) more than one at some point.
        #expect(most <= 3 && most >= 2, "most at once: \(most)")
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
