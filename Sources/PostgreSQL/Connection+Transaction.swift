import CPostgreSQL

/// How much of other transactions' concurrent work a transaction may see.
public enum IsolationLevel: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    /// Fails one of two transactions that could not have run one after the other, with
    /// SQLSTATE 40001 (`PostgresError.isSerializationFailure`): the loser runs again.
    case serializable = "SERIALIZABLE"
}

/// Where the session stands, as libpq last heard from the server (no round trip).
public enum TransactionStatus: Sendable {
    case idle
    /// A statement is running (never seen between this wrapper's calls).
    case active
    case inTransaction
    /// In a transaction a failed statement has aborted: every statement fails until ROLLBACK.
    case failed
    /// The connection is bad.
    case unknown
}

extension Connection {
    public var transactionStatus: TransactionStatus {
        switch PQtransactionStatus(handle) {
        case PQTRANS_IDLE: return .idle
        case PQTRANS_ACTIVE: return .active
        case PQTRANS_INTRANS: return .inTransaction
        case PQTRANS_INERROR: return .failed
        default: return .unknown
        }
    }

    /// True inside `transaction`, from its start (its BEGIN may not be sent yet), and in a
    /// transaction the caller began itself.
    public var isInTransaction: Bool { !pending.isEmpty || transactionStatus == .inTransaction || transactionStatus == .failed }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    ///
    /// Two things PostgreSQL would let pass silently fail here instead: a transaction inside a
    /// transaction (`BEGIN` only warns, and the inner `COMMIT` would commit the outer), and a
    /// body that caught a statement's error and returned (the server has aborted the
    /// transaction, and `COMMIT` would answer with a quiet `ROLLBACK`).
    ///
    /// BEGIN is sent with the body's first statement, in one round trip. `readOnly` starts it
    /// READ ONLY; `setup` (one statement without parameters, such as
    /// `SET LOCAL statement_timeout = 2000`) runs right after BEGIN, sent with it.
    @discardableResult
    public func transaction<T>(_ isolation: IsolationLevel? = nil, readOnly: Bool = false, setup: String? = nil,
                               _ body: () throws -> T) throws -> T {
        guard !isInTransaction else {
            throw PostgresError.client("a transaction inside a transaction: use a SAVEPOINT, or run the body in the outer one")
        }
        var begin = isolation.map { "BEGIN ISOLATION LEVEL \($0.rawValue)" } ?? "BEGIN"
        if readOnly { begin += " READ ONLY" }
        let opening = [begin] + (setup.map { [$0] } ?? [])
        pending = opening.map { PipelinedStatement(sql: $0, opensTransaction: true) }
        ahead = []
        defer {
            pending = []
            ahead = []
        }
        let result: T
        do {
            result = try body()
        } catch {
            pending = []  // not sent: nothing of it to roll back
            if isInTransaction { _ = try? execute("ROLLBACK") }
            throw error
        }
        if pending.count == opening.count && transactionStatus == .idle {
            pending = []  // the body sent nothing: nothing was begun
            return result
        }
        if transactionStatus == .failed {
            pending = []  // what the body deferred after its caught error would fail, and skip the ROLLBACK
            _ = try? execute("ROLLBACK")
            throw PostgresError.client("a statement failed inside the transaction and its error was caught; the transaction was rolled back")
        }
        // Committed with its last statement (`executeThenCommit`), or not: then COMMIT, with
        // whatever the body deferred sent before it.
        if transactionStatus == .idle && pending.isEmpty { return result }
        do {
            try execute("COMMIT")  // a COMMIT that fails (a deferred constraint, 40001) has ended the transaction too,
        } catch {
            // but a deferred statement sent with it that failed has left it open and failed.
            if isInTransaction { _ = try? execute("ROLLBACK") }
            throw error
        }
        return result
    }

    /// Runs `sql` (prepared, as `executeCached` runs it) and then COMMIT, both sent in one round
    /// trip (libpq's pipeline mode), and returns the statement's rows. For the last statement
    /// of a transaction that takes a lock others queue for until it commits: they wait for one
    /// round trip and the commit's flush, not two round trips. When the statement fails,
    /// COMMIT is skipped and the transaction is left failed, for the caller to roll back.
    @discardableResult
    public func executeThenCommit(_ sql: String, _ values: [PostgresValue] = []) throws -> Rows {
        guard isInTransaction else { throw PostgresError.client("executeThenCommit outside a transaction", sql: sql) }
        return try runPipelined(PipelinedStatement(sql: sql, values: values, prepared: try cachedName(sql)), thenCommit: true)
    }
}
