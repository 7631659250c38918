import CPostgreSQL

/// An error from PostgreSQL or libpq, carrying the server's SQLSTATE, message, detail and hint
/// and the SQL that failed, so that a log line says which statement broke and why, and code can
/// tell a conflict (retry or report) from an outage (reconnect).
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Hashable {
        /// The server refused the statement; `sqlState` says why, and the connection is usable.
        case server
        /// No connection could be made, or it was lost (libpq's status is `CONNECTION_BAD`).
        case connection
        /// Refused on this side before or instead of the server: a parameter PostgreSQL cannot
        /// hold, a column read as a type it does not hold, a transaction inside a transaction.
        case client
        /// A pool had no connection free within its checkout timeout.
        case checkoutTimeout
    }

    public let kind: Kind
    /// The five-character SQLSTATE (`23505`, `40001`, ...); nil when the server did not send one.
    public let sqlState: String?
    /// `ERROR`, `FATAL` or `PANIC`, in English whatever the server's language.
    public let severity: String?
    /// The primary message, one line.
    public let message: String
    public let detail: String?
    public let hint: String?
    /// The constraint a violation names (`23xxx`), for telling one unique key from another.
    public let constraint: String?
    /// Where in `sql` the server found the problem: a 1-based character index.
    public let position: Int?
    public let sql: String?

    public init(kind: Kind, message: String, sqlState: String? = nil, severity: String? = nil, detail: String? = nil,
                hint: String? = nil, constraint: String? = nil, position: Int? = nil, sql: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.severity = severity
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.position = position
        self.sql = sql
    }

    public var isUniqueViolation: Bool { sqlState == "23505" }
    public var isForeignKeyViolation: Bool { sqlState == "23503" }
    /// A serializable (or repeatable read) transaction lost to a concurrent one: run it again.
    public var isSerializationFailure: Bool { sqlState == "40001" }
    public var isDeadlock: Bool { sqlState == "40P01" }
    public var isCheckoutTimeout: Bool { kind == .checkoutTimeout }

    /// The connection is gone or the server would not serve it: libpq found it broken, SQLSTATE
    /// class 08, or the server shutting down (57P01 `admin_shutdown`, as `pg_terminate_backend`
    /// and a restart send; 57P02; 57P03 `cannot_connect_now`, while it starts). Whether the
    /// statement ran is unknown; a pool reconnects. 08P01 `protocol_violation` is left out: the
    /// server also sends it for a wrong number of parameters, and the connection stays usable.
    public var isConnectionFailure: Bool {
        if kind == .connection { return true }
        guard let sqlState else { return false }
        return (sqlState.hasPrefix("08") && sqlState != "08P01") || ["57P01", "57P02", "57P03"].contains(sqlState)
    }

    public var description: String {
        var text: String
        switch kind {
        case .server: text = "PostgreSQL error"
        case .connection: text = "PostgreSQL connection failure"
        case .client: text = "PostgreSQL client error"
        case .checkoutTimeout: text = "PostgreSQL pool"
        }
        if let sqlState { text += " \(sqlState)" }
        text += ": \(message)"
        if let position { text += " (at character \(position))" }
        if let detail { text += ". Detail: \(detail)" }
        if let hint { text += ". Hint: \(hint)" }
        if let sql { text += " (in: \(sql))" }
        return text
    }
}

extension PostgresError {
    /// The error a failed result reports, or the connection's last error when libpq returned no
    /// result at all (it could not send the statement, or ran out of memory).
    init(result: OpaquePointer?, connection: OpaquePointer, sql: String?) {
        func field(_ code: Int32) -> String? {
            guard let result, let value = PQresultErrorField(result, code) else { return nil }
            return String(cString: value)
        }
        let sqlState = field(CPQ_DIAG_SQLSTATE)
        let kind: Kind = PQstatus(connection) == CONNECTION_BAD ? .connection : sqlState != nil ? .server : .client
        // Errors libpq makes itself (a lost connection) have no fields, only a message.
        let message = field(CPQ_DIAG_MESSAGE_PRIMARY)
            ?? result.flatMap { oneLine(PQresultErrorMessage($0)) }
            ?? oneLine(PQerrorMessage(connection))
            ?? "unknown error"
        self.init(kind: kind, message: message, sqlState: sqlState, severity: field(CPQ_DIAG_SEVERITY),
                  detail: field(CPQ_DIAG_MESSAGE_DETAIL), hint: field(CPQ_DIAG_MESSAGE_HINT),
                  constraint: field(CPQ_DIAG_CONSTRAINT_NAME),
                  position: field(CPQ_DIAG_STATEMENT_POSITION).flatMap { Int($0) }, sql: sql)
    }

    /// The connection's last error, for a failure that produced no result (connecting, resetting).
    init(connection: OpaquePointer, sql: String? = nil) {
        self.init(result: nil, connection: connection, sql: sql)
    }

    static func client(_ message: String, sql: String? = nil) -> PostgresError {
        PostgresError(kind: .client, message: message, sql: sql)
    }
}

/// libpq's multi-line text on one line, for log lines and descriptions; nil when empty. Its
/// lines are sentences without full stops ("server closed the connection unexpectedly\n\tThis
/// probably means ..."), so one that starts with a capital letter gets one before it.
private func oneLine(_ text: UnsafePointer<CChar>?) -> String? {
    guard let text else { return nil }
    var result = ""
    for line in String(cString: text).split(separator: "\n") {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        guard let first = words.first else { continue }
        if !result.isEmpty {
            result += first.isUppercase && !".:;?!".contains(result.last!) ? ". " : " "
        }
        result += words
    }
    return result.isEmpty ? nil : result
}
