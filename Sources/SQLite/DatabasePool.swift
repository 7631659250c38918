import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// One writer and several read-only connections on one WAL database.
///
/// WAL lets readers see a consistent snapshot while the writer commits, so reads never wait for
/// writes; SQLite allows only one writer at a time, so writes are serialised here rather than
/// left to fail with `SQLITE_BUSY`. Concurrent write transactions are committed in groups: one
/// sync of the WAL acknowledges every write that was waiting (see `writeTransaction`).
public final class DatabasePool: @unchecked Sendable {
    public let path: String
    public let configuration: Configuration
    private let writer: Connection
    private let writerLock = DispatchSemaphore(value: 1)
    private var readers: [Connection]
    private let readersLock = DispatchSemaphore(value: 1)
    private let readersAvailable: DispatchSemaphore
    /// Set while this thread is inside `read`: a read inside a read is a bug (see `read`).
    private var readerKey = pthread_key_t()
    private let queueLock = DispatchSemaphore(value: 1)
    private var pending: [PendingWrite] = []
    private var leaderActive = false
    private let waitingLock = DispatchSemaphore(value: 1)
    private var waiting = 0

    public init(path: String, configuration: Configuration = Configuration()) throws {
        self.path = path
        self.configuration = configuration
        writer = try Connection(path: path, configuration: configuration)
        var readers: [Connection] = []
        for _ in 0..<max(1, configuration.readerCount) {
            readers.append(try Connection(path: path, readOnly: true, configuration: configuration))
        }
        self.readers = readers
        readersAvailable = DispatchSemaphore(value: readers.count)
        pthread_key_create(&readerKey, nil)
    }

    deinit { pthread_key_delete(readerKey) }

    /// Runs `body` with exclusive use of the writer connection.
    public func write<T>(_ body: (Connection) throws -> T) throws -> T {
        takeWriter()
        defer { writerLock.signal() }
        return try body(writer)
    }

    /// `write` for a writer that gives way to others (an import): while it waits for the writer
    /// it is not counted in `writerIsAwaited`, so that two such writers do not keep giving way
    /// to each other.
    public func writeGivingWay<T>(_ body: (Connection) throws -> T) throws -> T {
        writerLock.wait()
        defer { writerLock.signal() }
        return try body(writer)
    }

    /// Whether a write waits for the writer connection while the caller holds it: a long
    /// writer (an import's batch) ends its transaction early then, so that the write waits for
    /// part of the batch instead of all of it.
    public var writerIsAwaited: Bool {
        waitingLock.wait()
        defer { waitingLock.signal() }
        return waiting > 0
    }

    /// Waits, without the writer, until the writes that wait for it have taken it (or `timeout`
    /// seconds have passed): a long writer that gave way calls this before it takes the writer
    /// again, which it would otherwise win back before a waiting thread is even awake.
    public func letAwaitingWritersIn(timeout: Double = 0.05) {
        let deadline = DispatchTime.now() + timeout
        while writerIsAwaited && DispatchTime.now() < deadline { usleep(100) }
    }

    private func takeWriter() {
        waitingLock.wait()
        waiting += 1
        waitingLock.signal()
        writerLock.wait()
        waitingLock.wait()
        waiting -= 1
        waitingLock.signal()
    }

    /// Runs `body` in a write transaction and returns once it is durably committed.
    ///
    /// Writes that arrive while another group is committing wait together; one of them
    /// commits the whole group in one transaction, each body inside its own savepoint, so a body
    /// that throws rolls back only its own changes. A failed commit fails every body of the group.
    /// With `synchronous = FULL` a group costs one WAL sync instead of one per write.
    public func writeTransaction<T>(_ body: (Connection) throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { body in
            var result: Result<T, any Error>?
            let item = PendingWrite { db in
                do {
                    try db.run("SAVEPOINT pending_write")
                    do {
                        result = .success(try body(db))
                        try db.run("RELEASE pending_write")
                    } catch {
                        result = .failure(error)
                        try? db.run("ROLLBACK TO pending_write")
                        try? db.run("RELEASE pending_write")
                    }
                } catch {
                    result = .failure(error)
                }
            }
            enqueue(item)
            if let failure = item.commitFailure { throw failure }
            return try result!.get()
        }
    }

    /// Queues a write and returns once its group has committed. The caller that finds no group
    /// committing commits the waiting writes as a group (its own among them), then hands the
    /// lead to the first write that arrived meanwhile: a leader that led until none waited kept
    /// its own caller waiting for as long as writes kept coming (p99 of 280–440 ms from 16
    /// writing clients).
    private func enqueue(_ item: PendingWrite) {
        queueLock.wait()
        pending.append(item)
        let leads = !leaderActive
        leaderActive = true
        queueLock.signal()
        if !leads {
            item.done.wait()
            // Woken because its group ended, or to lead the next one.
            queueLock.wait()
            let promoted = item.promoted
            queueLock.signal()
            guard promoted else { return }
        }
        queueLock.wait()
        let group = pending
        pending.removeAll(keepingCapacity: true)
        queueLock.signal()
        commit(group)  // one leader at a time: its own write is in this group
        queueLock.wait()
        if let next = pending.first {
            next.promoted = true
            queueLock.signal()
            next.done.signal()
        } else {
            leaderActive = false
            queueLock.signal()
        }
    }

    private func commit(_ group: [PendingWrite]) {
        takeWriter()
        var failure: (any Error)?
        do {
            try writer.run("BEGIN IMMEDIATE")
            for item in group { item.run?(writer) }
            try writer.run("COMMIT")
        } catch {
            failure = error
            if writer.isInTransaction { try? writer.run("ROLLBACK") }
        }
        writerLock.signal()
        for item in group {
            item.commitFailure = failure
            item.run = nil  // the body must not outlive its caller's withoutActuallyEscaping
            item.done.signal()  // the leader's own too: a signal nobody waits for
        }
    }

    /// Runs `body` on a read-only connection inside one read transaction (one consistent snapshot),
    /// within `configuration.readTimeLimit` if one is set.
    ///
    /// Reads that must agree are given `body`'s connection, never a `read` of their own: a
    /// `read` inside another on the same thread would see another snapshot and, once every
    /// reader is held by a thread waiting for a second one, wait forever. It stops the process.
    public func read<T>(_ body: (Connection) throws -> T) throws -> T {
        precondition(pthread_getspecific(readerKey) == nil, "a read inside a read: pass the outer read's connection instead")
        readersAvailable.wait()
        readersLock.wait()
        let connection = readers.removeLast()
        readersLock.signal()
        pthread_setspecific(readerKey, Unmanaged.passUnretained(connection).toOpaque())
        if let limit = configuration.readTimeLimit { connection.deadline = Connection.now() + limit }
        defer {
            connection.deadline = .infinity
            pthread_setspecific(readerKey, nil)
            readersLock.wait()
            readers.append(connection)
            readersLock.signal()
            readersAvailable.signal()
        }
        return try connection.transaction(.deferred) { try body(connection) }
    }
}

/// One write waiting for its group's commit. Its fields are handed between the waiting caller
/// and the committing thread through `done`.
private final class PendingWrite: @unchecked Sendable {
    var run: ((Connection) -> Void)?
    var commitFailure: (any Error)?
    /// Handed the lead while it waited (read and written under the queue's lock).
    var promoted = false
    let done = DispatchSemaphore(value: 0)

    init(_ run: @escaping (Connection) -> Void) { self.run = run }
}
