import CPostgreSQL
#if canImport(Glibc)
import Glibc
#endif

/// A message from `NOTIFY` (or `pg_notify`) on a channel this connection listens to.
public struct PostgresNotification: Sendable, Hashable {
    public let channel: String
    public let payload: String
    /// The server process of the session that sent it.
    public let processID: Int32

    public init(channel: String, payload: String, processID: Int32) {
        self.channel = channel
        self.payload = payload
        self.processID = processID
    }
}

/// LISTEN/NOTIFY, for telling other sessions (other instances of an application) that something
/// changed. A notification is delivered when the sending transaction commits, and only to
/// sessions listening at that moment: a connection that was reset must listen again, and what
/// was sent while it was away is lost.
extension Connection {
    /// Starts listening on `channel`. The name is quoted, so it is matched exactly as written,
    /// as `notify` and `pg_notify` match it (unquoted, `LISTEN Changes` would listen to `changes`).
    public func listen(_ channel: String) throws {
        try execute("LISTEN \(try quotedIdentifier(channel))")
    }

    public func unlisten(_ channel: String) throws {
        try execute("UNLISTEN \(try quotedIdentifier(channel))")
    }

    /// Sends `payload` (under 8000 bytes) to the sessions listening on `channel`, when the
    /// current transaction commits (at once outside one).
    public func notify(_ channel: String, payload: String = "") throws {
        try execute("SELECT pg_notify($1, $2)", [.text(channel), .text(payload)])
    }

    /// The next notification, waiting up to `timeout` seconds for one to arrive; nil when none
    /// did. Throws when the connection is lost while waiting. Call it between statements, not
    /// inside a transaction (notifications are held back until it ends).
    public func waitForNotification(timeout: Double) throws -> PostgresNotification? {
        let deadline = monotonicSeconds() + max(0, timeout)
        while true {
            // Notifications read along with earlier results (or the last pass) wait in libpq.
            if let notification = PQnotifies(handle) {
                defer { PQfreemem(notification) }
                return PostgresNotification(channel: String(cString: notification.pointee.relname),
                                    payload: String(cString: notification.pointee.extra),
                                    processID: notification.pointee.be_pid)
            }
            let remaining = deadline - monotonicSeconds()
            if remaining <= 0 { return nil }
            guard PQsocket(handle) >= 0 else { throw PostgresError(connection: handle) }
            let milliseconds = Int32(min((remaining * 1000).rounded(.up), Double(Int32.max)))
            if socketIsReadable(timeoutMilliseconds: milliseconds) && PQconsumeInput(handle) == 0 {
                throw PostgresError(connection: handle)
            }
        }
    }

    /// `identifier` quoted for SQL by libpq, for the places a parameter cannot go (LISTEN).
    func quotedIdentifier(_ identifier: String) throws -> String {
        guard let quoted = PQescapeIdentifier(handle, identifier, identifier.utf8.count) else {
            throw PostgresError(connection: handle)
        }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }
}

/// Seconds on the monotonic clock, which deadlines are measured against.
func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}
