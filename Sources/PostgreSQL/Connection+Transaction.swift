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

    public var isInTransaction: Bool { transactionStatus == .inTransaction || transactionStatus == .failed }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    ///
    /// Two things PostgreSQL would let pass silently fail here instead: a transaction inside a
    /// transaction (`BEGIN` only warns, and the inner `COMMIT` would commit the outer), and a
    /// body that caught a statement's error and returned (the server has aborted the
    /// transaction, and `COMMIT` would answer with a quiet `ROLLBACK`).
    ///
    /// `readOnly` starts it READ ONLY; `setup` (statements without parameters, such as
    /// `SET LOCAL statement_timeout = 2000`) runs right after BEGIN, sent with it in one round trip.
    @discardableResult
    public func transaction<T>(_ isolation: IsolationLevel? = nil, readOnly: Bool = false, setup: String? = nil,
                               _ body: () throws -> T) throws -> T {
        guard !isInTransaction else {
            throw PostgresError.client("a transaction inside a transaction: use a SAVEPOINT, or run the body in the outer one")
        }
        var begin = isolation.map { "BEGIN ISOLATION LEVEL \($0.rawValue)" } ?? "BEGIN"
        if readOnly { begin += " READ ONLY" }
        if let setup {
            do {
                try executeScript(begin + "; " + setup)
            } catch {
                if isInTransaction { _ = try? execute("ROLLBACK") }
                throw error
            }
        } else {
            try execute(begin)
        }
        let result: T
        do {
            result = try body()
        } catch {
            if isInTransaction { _ = try? execute("ROLLBACK") }
            throw error
        }
        if transactionStatus == .failed {
            _ = try? execute("ROLLBACK")
            throw PostgresError.client("a statement failed inside the transaction and its error was caught; the transaction was rolled back")
        }
        try execute("COMMIT")  // a COMMIT that fails (a deferred constraint, 40001) has ended the transaction too
        return result
    }
}
