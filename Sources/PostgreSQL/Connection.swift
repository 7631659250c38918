import CPostgreSQL
#if canImport(Glibc)
import Glibc
#endif

/// One connection to a PostgreSQL server (one libpq `PGconn`, closed when this is released).
/// Not thread-safe, as libpq's connection is not: a pool hands it to one caller at a time.
public final class Connection {
    let handle: OpaquePointer
    /// Statements prepared with `prepare`, by name, kept so that a reconnected session (which
    /// has none) prepares them again on first use.
    private var preparedStatements: [String: String] = [:]
    private var preparedOnServer: Set<String> = []
    /// The names `executeCached` prepared its statements under, by SQL.
    private var cachedStatementNames: [String: String] = [:]
    /// Set when a statement failed with a connection failure the status may not show (a
    /// server's 57P01 on a socket libpq has not yet seen close).
    var connectionFailed = false
    /// Statements queued to go with the next one sent: a transaction's BEGIN and setup, and
    /// deferred statements (`executeDeferred`).
    var pending: [PipelinedStatement] = []
    /// The answers of `executeAhead` statements, oldest first, until taken; emptied when a
    /// transaction starts and ends.
    var ahead: [Rows] = []
    /// How many times queued statements were taken to be sent (`sendsOfQueued`).
    var queuedSends = 0

    /// Connects to the server `url` names: a `postgres://user:password@host:port/database?...`
    /// URL or a `host=... dbname=...` string, as libpq reads them.
    ///
    /// Unless the URL says otherwise, connecting gives up after 10 seconds (libpq's default is
    /// to wait forever for a host that does not answer). The client encoding is always UTF-8,
    /// which every read and parameter assumes.
    ///
    /// `options`: server settings for the session, as libpq's `options` keyword takes them
    /// (`-c plan_cache_mode=force_generic_plan`); an `options` in the URL replaces them.
    public init(url: String, options: String? = nil) throws {
        // libpq reads these in order, the last value of a keyword winning: the defaults before
        // the URL (which may override them), the encoding after it (which it may not).
        var keywords = ["connect_timeout", "dbname", "client_encoding"]
        var values = ["10", url, "UTF8"]
        if let options {
            keywords.insert("options", at: 1)
            values.insert(options, at: 1)
        }
        let handle = withCStrings(keywords) { keywords in
            withCStrings(values) { values in PQconnectdbParams(keywords, values, 1) }
        }
        guard let handle else { throw PostgresError.client("libpq could not allocate a connection") }
        guard PQstatus(handle) == CONNECTION_OK else {
            let error = PostgresError(connection: handle)
            PQfinish(handle)
            throw error
        }
        // libpq prints notices (a `DROP ... IF EXISTS` that skipped, a `BEGIN` inside a
        // transaction) to stderr by default; a server's stderr is no place for them.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        self.handle = handle
    }

    deinit { PQfinish(handle) }

    /// The C handle, for libpq calls this wrapper does not make; valid while the connection lives.
    public var unsafeHandle: OpaquePointer { handle }

    /// The server process serving this connection (`pg_backend_pid()`).
    public var backendPID: Int32 { PQbackendPID(handle) }

    /// The server's version as a number: 150004 for 15.4.
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// Whether the connection is known to be lost: libpq has marked it bad, a statement failed
    /// with `isConnectionFailure`, or the server has closed it while it sat idle (a terminated
    /// backend, a restart), which reading what waits on its socket reveals without a round
    /// trip. A `false` promises nothing: the server may go away a moment later.
    public var isBroken: Bool {
        if connectionFailed || PQstatus(handle) == CONNECTION_BAD { return true }
        // An idle connection is sent nothing but notifications and, before the server closes
        // it, the error saying why; reading that far finds the end of the stream.
        var reads = 0
        while reads < 4 && socketIsReadable(timeoutMilliseconds: 0) && PQconsumeInput(handle) == 1 { reads += 1 }
        return PQstatus(handle) == CONNECTION_BAD
    }

    /// Reconnects with the same parameters, for a connection whose server went away. The new
    /// session has lost the old one's state: statements from `prepare` are prepared again on
    /// their next use; `listen` must be called again.
    public func reset() throws {
        PQreset(handle)
        preparedOnServer.removeAll()
        connectionFailed = false
        guard PQstatus(handle) == CONNECTION_OK else { throw PostgresError(connection: handle) }
    }

    /// Runs one statement with `values` bound to `$1`, `$2`, ...; returns its rows (none for a
    /// command) and, through them, how many rows it affected.
    @discardableResult
    public func execute(_ sql: String, _ values: [PostgresValue] = []) throws -> Rows {
        if !pending.isEmpty { return try runPipelined(PipelinedStatement(sql: sql, values: values), thenCommit: false) }
        return try withParameters(values, sql: sql) { count, parameters in
            try rows(PQexecParams(handle, sql, count, nil, parameters, nil, nil, 0), sql: sql)
        }
    }

    /// Runs several statements separated by semicolons, none with parameters (migrations, DDL);
    /// unless the script itself says BEGIN and COMMIT, they run as one transaction. Returns the
    /// last statement's rows.
    @discardableResult
    public func executeScript(_ sql: String) throws -> Rows {
        // Queued statements with values cannot go in a script: they go first, on their own.
        if pending.contains(where: { !$0.values.isEmpty || $0.prepared != nil }) {
            _ = try runPipelined([], thenCommit: false)
        }
        let script = (pending.map(\.sql) + [sql]).joined(separator: "; ")
        if !pending.isEmpty { queuedSends += 1 }
        pending = []
        return try rows(PQexec(handle, script), sql: script)
    }

    /// Prepares `sql` on the server under `name`, so that `executePrepared` runs it without
    /// parsing and planning it again. Preparing the same SQL under the same name again does
    /// nothing, so a caller may prepare before each use of a pooled connection; other SQL under
    /// a name in use fails (42P05).
    public func prepare(name: String, sql: String) throws {
        if preparedStatements[name] == sql && preparedOnServer.contains(name) { return }
        try rows(PQprepare(handle, name, sql, 0, nil), sql: sql)
        preparedStatements[name] = sql
        preparedOnServer.insert(name)
    }

    /// `execute`, with the statement prepared on this connection the first time its SQL is seen
    /// and run prepared from then on: the server parses it once, and plans it once when its
    /// plan does not depend on the values (PostgreSQL's plan cache decides). For the fixed
    /// statements a store runs over and over (a record by id, an insert); SQL built with
    /// values in its text would fill the cache, which past `cachedStatementLimit` statements
    /// runs them unprepared.
    @discardableResult
    public func executeCached(_ sql: String, _ values: [PostgresValue] = []) throws -> Rows {
        guard let name = try cachedName(sql) else { return try execute(sql, values) }
        return try executePrepared(name, values)
    }

    /// The name `sql` is prepared under on this connection, prepared now if it is new; nil
    /// when the cache is full (see `executeCached`).
    func cachedName(_ sql: String) throws -> String? {
        if let known = cachedStatementNames[sql] {
            if !preparedOnServer.contains(known) { try prepare(name: known, sql: sql) }
            return known
        }
        guard cachedStatementNames.count < Self.cachedStatementLimit else { return nil }
        let name = "cached_\(cachedStatementNames.count + 1)"
        try prepare(name: name, sql: sql)
        cachedStatementNames[sql] = name
        return name
    }

    /// The most statements `executeCached` prepares on one connection.
    public static let cachedStatementLimit = 500

    /// Runs the statement prepared under `name` with `values` bound to its parameters.
    @discardableResult
    public func executePrepared(_ name: String, _ values: [PostgresValue] = []) throws -> Rows {
        let sql = preparedStatements[name]
        if let sql, !preparedOnServer.contains(name) { try prepare(name: name, sql: sql) }
        let context = sql ?? "EXECUTE \(name)"
        if !pending.isEmpty { return try runPipelined(PipelinedStatement(sql: context, values: values, prepared: name), thenCommit: false) }
        return try withParameters(values, sql: context) { count, parameters in
            try rows(PQexecPrepared(handle, name, count, parameters, nil, nil, 0), sql: context)
        }
    }

    /// A result's rows, or the error it carries (consuming the result either way).
    @discardableResult
    func rows(_ result: OpaquePointer?, sql: String) throws -> Rows {
        guard let result else { throw failure(PostgresError(connection: handle, sql: sql)) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return Rows(result, sql: sql)
        case PGRES_COPY_IN, PGRES_COPY_OUT:
            let copyingIn = PQresultStatus(result) == PGRES_COPY_IN
            PQclear(result)
            abandonCopy(copyingIn: copyingIn)
            throw PostgresError.client("COPY to or from the client is not supported here", sql: sql)
        default:
            let error = PostgresError(result: result, connection: handle, sql: sql)
            PQclear(result)
            throw failure(error)
        }
    }

    /// `error`, noted if it means the connection is lost.
    func failure(_ error: PostgresError) -> PostgresError {
        if error.isConnectionFailure { connectionFailed = true }
        return error
    }

    /// Ends a COPY that `execute` started, which would otherwise leave the connection in COPY
    /// mode and useless to the next caller.
    private func abandonCopy(copyingIn: Bool) {
        if copyingIn {
            _ = PQputCopyEnd(handle, "COPY is not supported through this connection")
        } else {
            var buffer: UnsafeMutablePointer<CChar>?
            while PQgetCopyData(handle, &buffer, 0) > 0 { PQfreemem(buffer) }
        }
        while let result = PQgetResult(handle) { PQclear(result) }
    }

    /// Calls `body` with the parameters' texts as the C strings libpq reads (nil for NULL).
    func withParameters<T>(_ values: [PostgresValue], sql: String,
                                   _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?) throws -> T) throws -> T {
        try checkParameters(values, sql: sql)
        // One buffer of NUL-terminated texts, and the offset of each (nil for NULL).
        var buffer: [CChar] = []
        var offsets: [Int?] = []
        offsets.reserveCapacity(values.count)
        for value in values {
            guard let text = value.parameterText else {
                offsets.append(nil)
                continue
            }
            offsets.append(buffer.count)
            buffer.append(contentsOf: text.utf8.map { CChar(bitPattern: $0) })
            buffer.append(0)
        }
        return try buffer.withUnsafeBufferPointer { texts in
            let pointers = offsets.map { offset in offset.map { texts.baseAddress! + $0 } }
            return try pointers.withUnsafeBufferPointer { try body(Int32(values.count), $0.baseAddress) }
        }
    }

    /// Refuses what libpq would send wrongly or not at all, before anything is sent.
    func checkParameters(_ values: [PostgresValue], sql: String) throws {
        guard values.count <= Int(UInt16.max) else {
            throw PostgresError.client("\(values.count) parameters; PostgreSQL takes at most 65535", sql: sql)
        }
        for (index, value) in values.enumerated() {
            // libpq reads a text parameter up to its first NUL: it would silently send less.
            // (PostgreSQL's text cannot hold U+0000 anyway.)
            guard let text = value.parameterText, text.utf8.contains(0) else { continue }
            throw PostgresError.client("parameter $\(index + 1) contains a NUL character, which PostgreSQL text cannot hold", sql: sql)
        }
    }

    /// Whether the socket has something to read (or has closed) within the timeout. A signal
    /// may end the wait early, with `false`: callers that wait loop on their own deadline.
    func socketIsReadable(timeoutMilliseconds: Int32) -> Bool {
        let socket = PQsocket(handle)
        guard socket >= 0 else { return false }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, timeoutMilliseconds) > 0
    }
}

/// Calls `body` with `strings` as a NULL-terminated array of C strings.
private func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer($0) } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
