import CSQLite

/// One SQLite connection. Not thread-safe by design: a pool hands it to one caller at a time.
public final class Connection {
    let handle: OpaquePointer
    public let path: String
    public let isReadOnly: Bool
    private var cache: [String: Statement] = [:]
    private var cacheOrder: [String] = []
    private let cacheSize: Int
    /// When the statements now running must stop (see `deadline`), read by SQLite's progress
    /// handler from C.
    private let deadlineStorage = UnsafeMutablePointer<Double>.allocate(capacity: 1)

    public init(path: String, readOnly: Bool = false, configuration: Configuration = Configuration()) throws {
        _ = Connection.processSetup
        var handle: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
            | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let error = SQLiteError.from(handle, code: code)
            sqlite3_close_v2(handle)
            throw error
        }
        self.handle = handle
        self.path = path
        self.isReadOnly = readOnly
        self.cacheSize = configuration.statementCacheSize
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, configuration.busyTimeoutMilliseconds)
        if !readOnly {
            try execute("PRAGMA journal_mode = WAL")
            try execute("PRAGMA journal_size_limit = \(configuration.walSizeLimit)")
            try execute("PRAGMA wal_autocheckpoint = \(configuration.walAutocheckpointPages)")
        }
        try execute("PRAGMA synchronous = \(configuration.synchronous.rawValue)")
        try execute("PRAGMA foreign_keys = \(configuration.foreignKeys ? "ON" : "OFF")")
        try execute("PRAGMA mmap_size = \(configuration.mmapSize)")
        deadlineStorage.initialize(to: .infinity)
        csqlite_interrupt_after(handle, deadlineStorage)
        try configuration.prepareConnection?(self)
    }

    /// A moment on the monotonic clock (see `Connection.now`) past which any statement running
    /// on this connection stops with `SQLITE_INTERRUPT` (`SQLiteError.isInterrupted`); infinity
    /// for none. A pool sets it around a read that has a time limit.
    public var deadline: Double {
        get { deadlineStorage.pointee }
        set { deadlineStorage.pointee = newValue }
    }

    /// Seconds on the clock `deadline` is measured against.
    public static func now() -> Double { csqlite_monotonic_seconds() }

    /// The C handle, for registering functions written in C; valid while the connection lives.
    public var unsafeHandle: OpaquePointer { handle }

    /// Throws an error for a result code a C call on this connection returned, unless it is
    /// `SQLITE_OK`; `context` says what was being done.
    public func check(_ code: Int32, _ context: String) throws {
        guard code != SQLITE_OK else { return }
        throw SQLiteError(code: code, message: String(cString: sqlite3_errmsg(handle)), sql: context)
    }

    /// Process-wide settings, applied once before the first connection.
    private static let processSetup: Void = {
        _ = csqlite_disable_memory_statistics()
    }()

    deinit {
        cache.removeAll()
        sqlite3_close_v2(handle)
        deadlineStorage.deallocate()
    }

    /// Runs one or more statements that take no parameters (pragmas, DDL, migrations).
    public func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &error)
        if code != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(error)
            throw SQLiteError(code: sqlite3_extended_errcode(handle), message: message, sql: sql)
        }
    }

    /// A prepared statement from this connection's cache, prepared on first use.
    public func cached(_ sql: String) throws -> Statement {
        if let statement = cache[sql] { return statement }
        let statement = try Statement(connection: self, sql: sql)
        if cacheOrder.count >= cacheSize {
            let evicted = cacheOrder.removeFirst()
            cache[evicted] = nil
        }
        cache[sql] = statement
        cacheOrder.append(sql)
        return statement
    }

    /// Runs a statement with bound values, calling `row` for each result row.
    public func query(_ sql: String, _ values: [SQLiteValue] = [], row: (Statement) throws -> Void) throws {
        let statement = try cached(sql)
        try statement.bind(values)
        defer { statement.reset() }
        while try statement.step() { try row(statement) }
    }

    /// Runs a statement with bound values and maps each row.
    public func all<T>(_ sql: String, _ values: [SQLiteValue] = [], map: (Statement) throws -> T) throws -> [T] {
        var result: [T] = []
        try query(sql, values) { result.append(try map($0)) }
        return result
    }

    /// The first row's mapping, or nil when there is none.
    public func first<T>(_ sql: String, _ values: [SQLiteValue] = [], map: (Statement) throws -> T) throws -> T? {
        let statement = try cached(sql)
        try statement.bind(values)
        defer { statement.reset() }
        return try statement.step() ? try map(statement) : nil
    }

    /// `first`, with `blobs` bound after `values` (to the last parameters) where SQLite reads
    /// them in place: for large blobs passed to a function, whose copy would cost more than the
    /// call.
    public func first<T>(_ sql: String, _ values: [SQLiteValue], borrowing blobs: [[UInt8]], map: (Statement) throws -> T) throws -> T? {
        let statement = try cached(sql)
        try statement.bind(values, followedBy: blobs.count)
        return try statement.withBorrowed(blobs[...], from: Int32(values.count + 1)) {
            try statement.step() ? try map(statement) : nil
        }
    }

    /// Runs a statement for its effect; returns the number of rows changed.
    @discardableResult
    public func run(_ sql: String, _ values: [SQLiteValue] = []) throws -> Int {
        let statement = try cached(sql)
        try statement.bind(values)
        defer { statement.reset() }
        while try statement.step() {}
        return Int(sqlite3_changes(handle))
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    /// Writers use `.immediate` so that the write lock is taken up front, not on first write.
    public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        // Prepared once and cached: these run for every request.
        try run(kind == .immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")
        do {
            let result = try body()
            try run("COMMIT")
            return result
        } catch {
            if isInTransaction { try? run("ROLLBACK") }
            throw error
        }
    }

    public enum TransactionKind: String, Sendable { case deferred = "DEFERRED", immediate = "IMMEDIATE" }
}
