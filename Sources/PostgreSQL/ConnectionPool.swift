import Dispatch

/// At most `maxSize` connections to one server, shared by threads: a caller borrows one for the
/// length of a closure, waiting up to `checkoutTimeout` seconds when all are in use.
///
/// A connection found broken as it is handed out (its backend terminated, the server
/// restarted) is reconnected first, so the pool outlives a restart of the server. A statement
/// cut off by a break fails with `PostgresError.isConnectionFailure` and is not run again here,
/// since whether it ran is unknown; the caller knows whether it is safe to repeat.
public final class ConnectionPool: @unchecked Sendable {
    public let maxSize: Int
    public let checkoutTimeout: Double
    /// The server's address, as given (it may hold a password).
    public let url: String
    /// The `options` each connection opens with (see `Connection.init`).
    private let options: String?
    /// One permit per connection, opened or not yet.
    private let permits: DispatchSemaphore
    private let lock = DispatchSemaphore(value: 1)
    private var idle: [Connection] = []

    /// Opens one connection at once, so that a wrong URL or an unreachable server fails here
    /// rather than at the first request; the others open as they are first needed.
    public init(url: String, maxSize: Int = 10, checkoutTimeout: Double = 5, options: String? = nil) throws {
        precondition(maxSize > 0, "a pool of no connections")
        self.url = url
        self.options = options
        self.maxSize = maxSize
        self.checkoutTimeout = checkoutTimeout
        permits = DispatchSemaphore(value: maxSize)
        idle = [try Connection(url: url, options: options)]
    }

    /// Runs `body` with a connection of its own, returned to the pool when it ends. Throws
    /// `isCheckoutTimeout` when none came free in time, or the connection error when a new or
    /// broken connection could not be opened.
    @discardableResult
    public func withConnection<T>(_ body: (Connection) throws -> T) throws -> T {
        let connection = try checkOut()
        defer { checkIn(connection) }
        return try body(connection)
    }

    /// Runs `body` in a transaction on a connection of its own (see `Connection.transaction`).
    @discardableResult
    public func transaction<T>(_ isolation: IsolationLevel? = nil, _ body: (Connection) throws -> T) throws -> T {
        try withConnection { connection in try connection.transaction(isolation) { try body(connection) } }
    }

    /// Connections open and idle now, for metrics and tests.
    public var idleCount: Int {
        lock.wait()
        defer { lock.signal() }
        return idle.count
    }

    private func checkOut() throws -> Connection {
        let deadline: DispatchTime = checkoutTimeout.isFinite
            ? .now() + .nanoseconds(Int(max(0, checkoutTimeout) * 1e9)) : .distantFuture
        guard permits.wait(timeout: deadline) == .success else {
            throw PostgresError(kind: .checkoutTimeout, message: "no connection came free within \(checkoutTimeout) s (all \(maxSize) in use)")
        }
        lock.wait()
        let reused = idle.popLast()
        lock.signal()
        // Connecting happens outside the lock: a slow server holds up only its own caller.
        guard let connection = reused else {
            do {
                return try Connection(url: url, options: options)
            } catch {
                permits.signal()
                throw error
            }
        }
        if connection.isBroken {
            do {
                try connection.reset()
            } catch {
                checkIn(connection)  // still broken; the next checkout tries again
                throw error
            }
        }
        return connection
    }

    private func checkIn(_ connection: Connection) {
        // A transaction left open (a caller's own BEGIN, a failure mid-way) must not reach the
        // next caller, who would see its uncommitted writes or its aborted state.
        if connection.isInTransaction { _ = try? connection.execute("ROLLBACK") }
        lock.wait()
        idle.append(connection)
        lock.signal()
        permits.signal()
    }
}
