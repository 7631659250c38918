import CSystem
import Glibc

/// A plain mutex. (NSLock lives in Foundation, which this module avoids to keep the
/// server's memory small: FoundationEssentials has no ICU data to map.)
final class Lock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// Starts a detached thread running `body`, named `name` (at most 15 bytes) so that `top -H`,
/// `perf` and `/proc/PID/task/*/comm` tell the event loops from the readers. False when no
/// thread could be made (the system's limit reached): `body` will not run.
@discardableResult
public func startThread(named name: String, _ body: @escaping () -> Void) -> Bool {
    final class Box {
        let name: String, body: () -> Void
        init(_ name: String, _ body: @escaping () -> Void) { (self.name, self.body) = (name, body) }
    }
    let box = Unmanaged.passRetained(Box(name, body)).toOpaque()
    var thread = pthread_t()
    guard pthread_create(&thread, nil, { argument in
        let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
        csystem_name_thread(box.name)
        box.body()
        return nil
    }, box) == 0 else {
        Unmanaged<Box>.fromOpaque(box).release()
        return false
    }
    pthread_detach(thread)
    return true
}
