import Glibc

/// A fixed number of threads taking work first come, first served, for work that keeps a CPU
/// busy (reads from SQLite). Dispatch's pool ran four or five such requests at once on two
/// cores, so the kernel time-sliced them: every request took as long as the slowest ones around
/// it, and a search's p99 was three to four times its median. With as many threads as cores, a
/// request waits its turn in order and then runs undisturbed.
final class WorkerPool: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let available = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Work not yet started, oldest at `head`.
    private var pending: [(@Sendable () -> Void)?] = []
    private var head = 0
    private var stopped = false

    init(threads: Int, name: String = "worker") {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(available, nil)
        for index in 0..<max(1, threads) { startThread(named: "\(name)-\(index)") { [self] in work() } }
    }

    deinit {
        pthread_cond_destroy(available)
        pthread_mutex_destroy(mutex)
        available.deallocate()
        mutex.deallocate()
    }

    func async(_ job: @escaping @Sendable () -> Void) {
        pthread_mutex_lock(mutex)
        pending.append(job)
        pthread_mutex_unlock(mutex)
        pthread_cond_signal(available)
    }

    /// Lets the threads finish what is queued, then end.
    func stop() {
        pthread_mutex_lock(mutex)
        stopped = true
        pthread_mutex_unlock(mutex)
        pthread_cond_broadcast(available)
    }

    private func work() {
        pthread_mutex_lock(mutex)
        while true {
            if head < pending.count {
                let job = pending[head].take()!
                head += 1
                if head == pending.count {
                    pending.removeAll(keepingCapacity: true)
                    head = 0
                } else if head >= 1024 && head * 2 >= pending.count {
                    pending.removeFirst(head)
                    head = 0
                }
                pthread_mutex_unlock(mutex)
                job()
                pthread_mutex_lock(mutex)
            } else if stopped {
                break
            } else {
                pthread_cond_wait(available, mutex)
            }
        }
        pthread_mutex_unlock(mutex)
    }
}
