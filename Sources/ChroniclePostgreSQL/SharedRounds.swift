import Glibc

/// Work that any number of callers share: a caller returns once a round that started after it
/// called has finished, and has that round's result. One round runs at a time; callers that
/// come while it runs wait for the next, which one of them runs for all. So a thousand callers
/// at once cost two rounds, and none gets an answer older than its call.
final class SharedRounds<Value: Sendable>: @unchecked Sendable {  // its state is guarded by `mutex`
    private let round: () throws -> Value
    private var mutex = pthread_mutex_t()
    private var roundDone = pthread_cond_t()
    /// Rounds started and finished, numbered from 1; `running` while one runs.
    private var started = 0, finished = 0
    private var running = false
    private var last: Result<Value, any Error>?

    init(_ round: @escaping () throws -> Value) {
        self.round = round
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&roundDone, nil)
    }

    deinit {
        pthread_cond_destroy(&roundDone)
        pthread_mutex_destroy(&mutex)
    }

    /// The result of a round that started after this call: run here, or by another caller.
    func join() -> Result<Value, any Error> {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        let needed = started + 1
        while finished < needed {
            if running {
                pthread_cond_wait(&roundDone, &mutex)
                continue
            }
            running = true
            started += 1
            let mine = started
            pthread_mutex_unlock(&mutex)
            let result = Result { try round() }
            pthread_mutex_lock(&mutex)
            running = false
            finished = mine
            last = result
            pthread_cond_broadcast(&roundDone)
        }
        return last!
    }
}
