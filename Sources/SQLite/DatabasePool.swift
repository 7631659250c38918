import Dispatch

/// One writer and several read-only connections on one WAL database.
///
/// WAL lets readers see a consistent snapshot while the writer commits, so reads never wait for
/// writes; SQLite allows only one writer at a time, so writes are serialised here rather than
/// left to fail with `SQLITE_BUSY`.
public final class DatabasePool: @unchecked Sendable {
    public let path: String
    public let configuration: Configuration
    private let writer: Connection
    private let writerLock = DispatchSemaphore(value: 1)
    private var readers: [Connection]
    private let readersLock = DispatchSemaphore(value: 1)
    private let readersAvailable: DispatchSemaphore

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
    }

    /// Runs `body` with exclusive use of the writer connection.
    public func write<T>(_ body: (Connection) throws -> T) throws -> T {
        writerLock.wait()
        defer { writerLock.signal() }
        return try body(writer)
    }

    /// Runs `body` in an immediate transaction on the writer.
    public func writeTransaction<T>(_ body: (Connection) throws -> T) throws -> T {
        try write { db in try db.transaction(.immediate) { try body(db) } }
    }

    /// Runs `body` on a read-only connection inside one read transaction (one consistent snapshot).
    public func read<T>(_ body: (Connection) throws -> T) throws -> T {
        readersAvailable.wait()
        readersLock.wait()
        let connection = readers.removeLast()
        readersLock.signal()
        defer {
            readersLock.wait()
            readers.append(connection)
            readersLock.signal()
            readersAvailable.signal()
        }
        return try connection.transaction(.deferred) { try body(connection) }
    }
}
