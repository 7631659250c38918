import CSQLite

/// An error from SQLite, carrying its result code, message and the SQL that failed,
/// so that a log line says exactly which statement broke and why.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// The extended result code (`SQLITE_CONSTRAINT_UNIQUE`, `SQLITE_BUSY`, ...).
    public let code: Int32
    public let message: String
    public let sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// The primary result code (the low byte of the extended code).
    public var primaryCode: Int32 { code & 0xFF }

    public var isConstraintViolation: Bool { primaryCode == SQLITE_CONSTRAINT }
    // Extended codes are macros of expressions, which Swift does not import: SQLITE_CONSTRAINT | (n << 8).
    public var isUniqueViolation: Bool { code == SQLITE_CONSTRAINT | (8 << 8) || code == SQLITE_CONSTRAINT | (6 << 8) }
    public var isForeignKeyViolation: Bool { code == SQLITE_CONSTRAINT | (3 << 8) }
    public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }
    /// Stopped at the connection's deadline (or by sqlite3_interrupt).
    public var isInterrupted: Bool { primaryCode == SQLITE_INTERRUPT }

    public var description: String {
        var text = "SQLite error \(code): \(message)"
        if let sql { text += " (in: \(sql))" }
        return text
    }
}

@inline(__always)
func check(_ code: Int32, _ db: OpaquePointer?, sql: String? = nil) throws {
    guard code == SQLITE_OK else { throw SQLiteError.from(db, code: code, sql: sql) }
}

extension SQLiteError {
    static func from(_ db: OpaquePointer?, code: Int32, sql: String? = nil) -> SQLiteError {
        let message = db.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(code))
        let extended = db.map { sqlite3_extended_errcode($0) } ?? code
        return SQLiteError(code: extended, message: message, sql: sql)
    }
}
