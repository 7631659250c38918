import CPostgreSQL

/// Statements sent together, answered together: libpq's pipeline mode. A transaction's BEGIN
/// travels with its first statement, its last statement with its COMMIT, statements whose
/// answers nobody reads with the next one that is read, and reads that do not depend on one
/// another together: a write of a few statements waits for the server a few round trips fewer.
extension Connection {
    /// One statement of a pipeline: prepared under `prepared` when given, else parsed from `sql`.
    struct PipelinedStatement {
        let sql: String
        var values: [PostgresValue] = []
        var prepared: String? = nil
        /// A transaction's BEGIN or setup, queued by `transaction`, not by `executeDeferred`.
        var opensTransaction = false
        /// Its rows are kept for `takeAhead` (queued by `executeAhead`).
        var keepsRows = false
    }

    /// Runs `statement` after what the transaction has queued (its BEGIN, deferred statements),
    /// and COMMIT after it when `thenCommit`, in one round trip; returns the statement's rows
    /// or throws the first error.
    func runPipelined(_ statement: PipelinedStatement, thenCommit: Bool) throws -> Rows {
        try runPipelined([statement], thenCommit: thenCommit)[0]
    }

    /// The same for several statements: their rows, in order. A statement after a failed one
    /// is skipped by the server, and a transaction whose statement failed is left failed, for
    /// its caller to roll back.
    func runPipelined(_ wanted: [PipelinedStatement], thenCommit: Bool) throws -> [Rows] {
        let queued = pending
        if !queued.isEmpty { queuedSends += 1 }
        pending = []
        let statements = queued + wanted + (thenCommit ? [PipelinedStatement(sql: "COMMIT")] : [])
        let results = try pipeline(statements)
        var rows: [Rows] = []
        var firstError: Error?
        for (index, result) in results.enumerated() {
            guard firstError == nil else {
                PQclear(result)
                continue
            }
            do {
                let answered = try self.rows(result, sql: statements[index].sql)
                if index >= queued.count && rows.count < wanted.count { rows.append(answered) }
                if index < queued.count && statements[index].keepsRows { ahead.append(answered) }
            } catch {
                firstError = error
            }
        }
        if let firstError { throw firstError }
        return rows
    }

    /// Queues `sql` (prepared, as `executeCached` runs it) to go with the next statement the
    /// transaction sends, in the same round trip: for statements whose answer nobody reads, such
    /// as an insert into a side table. Its error, if any, is thrown by that next statement (or by
    /// the COMMIT). Outside a transaction it runs at once.
    public func executeDeferred(_ sql: String, _ values: [PostgresValue] = []) throws {
        guard isInTransaction else {
            try executeCached(sql, values)
            return
        }
        try checkParameters(values, sql: sql)
        pending.append(PipelinedStatement(sql: sql, values: values, prepared: try cachedName(sql)))
    }

    /// Queues `sql` as `executeDeferred` does, but keeps its rows, for `takeAhead` once the
    /// next statement has been answered: a read the transaction will want after statements it
    /// is about to send anyway, in their round trip.
    public func executeAhead(_ sql: String, _ values: [PostgresValue] = []) throws {
        guard isInTransaction else { throw PostgresError.client("executeAhead outside a transaction", sql: sql) }
        try checkParameters(values, sql: sql)
        pending.append(PipelinedStatement(sql: sql, values: values, prepared: try cachedName(sql), keepsRows: true))
    }

    /// The rows of the oldest answered `executeAhead` statement not taken yet; nil when there is
    /// none (it was not sent, or the transaction ended).
    public func takeAhead() -> Rows? {
        ahead.isEmpty ? nil : ahead.removeFirst()
    }

    /// Sends what is queued now, and throws the first deferred statement's error: for a caller
    /// that tells its statements' errors apart (a key taken meanwhile) around the statements
    /// that deferred them.
    public func flush() throws {
        guard pending.contains(where: { !$0.opensTransaction }) else { return }
        _ = try runPipelined([], thenCommit: false)
    }

    /// Drops the deferred statements not yet sent (a savepoint's work being undone); a
    /// transaction's BEGIN not yet sent stays queued.
    public func discardDeferred() {
        pending.removeAll { !$0.opensTransaction }
    }

    /// How many statements are queued unsent: a mark to undo to with `discardDeferred(from:)`.
    public var queuedCount: Int { pending.count }

    /// How many times what was queued has been taken to be sent. What is queued goes all at
    /// once, so a statement queued when this read n is still unsent exactly while it reads n.
    public var sendsOfQueued: Int { queuedSends }

    /// Drops the statements queued since `mark` (a `queuedCount` read when nothing queued since
    /// has been sent).
    public func discardDeferred(from mark: Int) {
        if pending.count > mark { pending.removeSubrange(mark...) }
    }

    /// Drops the answered `executeAhead` reads nobody took (a savepoint's work being undone).
    public func discardAhead() {
        ahead.removeAll()
    }

    /// Runs `statements` (each prepared, as `executeCached` runs it) in one round trip, with
    /// anything queued before them, and returns the rows of each: for reads that do not depend
    /// on one another, such as a page of records and their dependents by the same ids.
    public func executeCachedBatch(_ statements: [(sql: String, values: [PostgresValue])]) throws -> [Rows] {
        guard statements.count > 1 || !pending.isEmpty else {
            return try statements.map { try executeCached($0.sql, $0.values) }
        }
        return try runPipelined(try statements.map { PipelinedStatement(sql: $0.sql, values: $0.values, prepared: try cachedName($0.sql)) },
                                thenCommit: false)
    }

    /// Sends `statements` and a sync, and returns one result for each, in order (each the
    /// caller's to clear). Throws, having sent nothing, when a parameter is refused, and
    /// as a connection failure when the server's answers do not all come.
    private func pipeline(_ statements: [PipelinedStatement]) throws -> [OpaquePointer] {
        for statement in statements { try checkParameters(statement.values, sql: statement.sql) }
        let context = statements.map(\.sql).joined(separator: "; ")
        guard PQenterPipelineMode(handle) == 1 else { throw failure(PostgresError(connection: handle, sql: context)) }
        var sent = true
        for statement in statements where sent {
            sent = try withParameters(statement.values, sql: statement.sql) { count, parameters in
                if let prepared = statement.prepared {
                    return PQsendQueryPrepared(handle, prepared, count, parameters, nil, nil, 0) == 1
                }
                return PQsendQueryParams(handle, statement.sql, count, nil, parameters, nil, nil, 0) == 1
            }
        }
        // libpq refuses these only when out of memory or when the connection is lost.
        guard sent, PQpipelineSync(handle) == 1 else {
            // Statements may be queued that will never be answered: the connection is not
            // usable as it is, whatever libpq says, so the pool resets it.
            connectionFailed = true
            let error = PostgresError(connection: handle, sql: context)
            PQexitPipelineMode(handle)
            throw error
        }
        // Each statement's result is followed by a null, and the sync's result ends the
        // pipeline. A lost connection answers nulls only.
        var results: [OpaquePointer] = []
        var nulls = 0
        while nulls <= 2 && PQstatus(handle) != CONNECTION_BAD {
            guard let result = PQgetResult(handle) else {
                nulls += 1
                continue
            }
            nulls = 0
            if PQresultStatus(result) == PGRES_PIPELINE_SYNC {
                PQclear(result)
                break
            }
            results.append(result)
        }
        PQexitPipelineMode(handle)
        guard results.count == statements.count else {
            results.forEach { PQclear($0) }
            let error = PostgresError(connection: handle, sql: context)
            throw failure(error.isConnectionFailure ? error : PostgresError(
                kind: .connection, message: "\(statements.count) statements sent together, \(results.count) answered", sql: context))
        }
        return results
    }
}
