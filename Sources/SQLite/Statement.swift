import CSQLite

/// One prepared statement, owned by one connection. Reset and cleared after each use
/// so that a cached statement never carries a previous caller's bindings.
public final class Statement {
    let handle: OpaquePointer
    public let sql: String
    unowned let connection: Connection

    init(connection: Connection, sql: String) throws {
        var handle: OpaquePointer?
        let code = sqlite3_prepare_v3(connection.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard code == SQLITE_OK, let handle else {
            throw SQLiteError.from(connection.handle, code: code, sql: sql)
        }
        self.handle = handle
        self.sql = sql
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds values to positional parameters `?1`, `?2`, ...
    public func bind(_ values: [SQLiteValue]) throws { try bind(values, followedBy: 0) }

    /// Binds `values` to the first parameters, leaving the last `later` for the caller.
    func bind(_ values: [SQLiteValue], followedBy later: Int) throws {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard expected == values.count + later else {
            throw SQLiteError(code: SQLITE_RANGE, message: "expected \(expected) parameters, got \(values.count + later)", sql: sql)
        }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(handle, index)
            case .integer(let v): code = sqlite3_bind_int64(handle, index, v)
            case .real(let v): code = sqlite3_bind_double(handle, index, v)
            case .text(let v):
                // With its byte count: a length of -1 would make SQLite stop at the first NUL and
                // silently store a shorter text. (A C string keeps "" from binding as NULL.)
                code = v.withCString { sqlite3_bind_text(handle, index, $0, Int32(v.utf8.count), SQLITE_TRANSIENT) }
            case .blob(let v) where v.isEmpty:
                code = sqlite3_bind_zeroblob(handle, index, 0)  // a nil pointer would bind NULL
            case .blob(let v):
                code = v.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), SQLITE_TRANSIENT) }
            }
            try check(code, connection.handle, sql: sql)
        }
    }

    /// Binds `blobs` from parameter `index` on where SQLite reads them in place, without the
    /// copy SQLITE_TRANSIENT makes, and runs `body` while they are bound; the bindings are
    /// cleared before it returns, so SQLite never holds a pointer past the arrays' borrow.
    func withBorrowed<T>(_ blobs: ArraySlice<[UInt8]>, from index: Int32, _ body: () throws -> T) throws -> T {
        guard let blob = blobs.first else {
            defer { reset() }
            return try body()
        }
        return try blob.withUnsafeBytes { raw in
            let code = raw.isEmpty ? sqlite3_bind_zeroblob(handle, index, 0)  // a nil pointer would bind NULL
                : sqlite3_bind_blob(handle, index, raw.baseAddress, Int32(raw.count), nil)  // SQLITE_STATIC
            if code != SQLITE_OK {
                reset()
                try check(code, connection.handle, sql: sql)
            }
            return try withBorrowed(blobs.dropFirst(), from: index + 1, body)
        }
    }

    /// Advances one row; `true` while a row is available.
    public func step() throws -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = SQLiteError.from(connection.handle, code: code, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Ends this use of the statement so that its read transaction and locks are released.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    public func columnName(_ index: Int) -> String { String(cString: sqlite3_column_name(handle, Int32(index))) }

    public func isNull(_ index: Int) -> Bool { sqlite3_column_type(handle, Int32(index)) == SQLITE_NULL }

    public func int(_ index: Int) -> Int { Int(sqlite3_column_int64(handle, Int32(index))) }

    public func int64(_ index: Int) -> Int64 { sqlite3_column_int64(handle, Int32(index)) }

    public func double(_ index: Int) -> Double { sqlite3_column_double(handle, Int32(index)) }

    public func string(_ index: Int) -> String {
        // Text first, then its length (SQLite's documented order); the length spares a strlen
        // and keeps text after an embedded NUL, which String(cString:) would cut off.
        guard let text = sqlite3_column_text(handle, Int32(index)) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, Int32(index)))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// The column's text as UTF-8 bytes, valid only inside `body`: for callers that make
    /// something other than the whole String of it.
    public func withText<T>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        guard let text = sqlite3_column_text(handle, Int32(index)) else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, Int32(index)))))
    }

    public func optionalString(_ index: Int) -> String? { isNull(index) ? nil : string(index) }

    public func optionalInt(_ index: Int) -> Int? { isNull(index) ? nil : int(index) }

    public func blob(_ index: Int) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, Int32(index)))
        guard count > 0, let bytes = sqlite3_column_blob(handle, Int32(index)) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    public func value(_ index: Int) -> SQLiteValue {
        switch sqlite3_column_type(handle, Int32(index)) {
        case SQLITE_INTEGER: return .integer(int64(index))
        case SQLITE_FLOAT: return .real(double(index))
        case SQLITE_TEXT: return .text(string(index))
        case SQLITE_BLOB: return .blob(blob(index))
        default: return .null
        }
    }
}

let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
