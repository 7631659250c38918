import Testing
import PostgreSQL

private struct Abandon: Error {}

@Suite(.needsPostgres) struct TransactionTests {
    @Test func aCommittedTransactionKeepsItsWritesAndReturnsTheBodysValue() throws {
        let db = try connect()
        try db.execute("CREATE TEMP TABLE t (i int)")
        let inserted = try db.transaction {
            try db.execute("INSERT INTO t VALUES (1), (2)").affectedRows
        }
        #expect(inserted == 2 && db.transactionStatus == .idle)
        #expect(try db.execute("SELECT count(*) FROM t")[0].int(0) == 2)
    }

    @Test func aTransactionWhoseBodyThrowsIsRolledBackAndLeavesNothing() throws {
        let db = try connect()
        try db.execute("CREATE TEMP TABLE t (i int)")
        #expect(throws: Abandon.self) {
            try db.transaction {
                try db.execute("INSERT INTO t VALUES (1)")
                #expect(db.transactionStatus == .inTransaction)
                throw Abandon()
            }
        }
        #expect(db.transactionStatus == .idle)
        #expect(try db.execute("SELECT count(*) FROM t")[0].int(0) == 0)
    }

    /// COMMIT of a transaction the server has aborted answers with a quiet ROLLBACK; the
    /// transaction must say it was not committed.
    @Test func aTransactionWhoseStatementFailedIsNotReportedAsCommitted() throws {
        let db = try connect()
        try db.execute("CREATE TEMP TABLE t (i int PRIMARY KEY)")
        #expect { try db.transaction {
            try db.execute("INSERT INTO t VALUES (1)")
            _ = try? db.execute("INSERT INTO t VALUES (1)")  // fails, error swallowed
        } } throws: { ($0 as? PostgresError)?.message.contains("rolled back") == true }
        #expect(db.transactionStatus == .idle)
        #expect(try db.execute("SELECT count(*) FROM t")[0].int(0) == 0)
    }

    /// The last statement and COMMIT go in one round trip: the statement's rows come back,
    /// the transaction is over (the wrapper sends no COMMIT of its own), and the writes stand.
    @Test func aStatementSentWithItsCommitReturnsItsRowsAndCommits() throws {
        let db = try connect()
        let table = uniqueName("piped")
        try db.execute("CREATE TABLE \(table) (i int PRIMARY KEY)")
        defer { _ = try? db.execute("DROP TABLE \(table)") }
        let returned = try db.transaction {
            try db.execute("INSERT INTO \(table) VALUES (1)")
            let rows = try db.executeThenCommit("INSERT INTO \(table) VALUES ($1), ($2) RETURNING i", [.integer(2), .integer(3)])
            #expect(db.transactionStatus == .idle)
            return try rows.map { try $0.int(0) }
        }
        #expect(returned == [2, 3])
        // Seen from another session: committed.
        #expect(try connect().execute("SELECT count(*) FROM \(table)")[0].int(0) == 3)
        // The same statement again runs prepared, and the connection is out of pipeline mode.
        try db.transaction { try db.executeThenCommit("INSERT INTO \(table) VALUES ($1), ($2) RETURNING i", [.integer(4), .integer(5)]) }
        #expect(try db.execute("SELECT count(*) FROM \(table)")[0].int(0) == 5)
    }

    /// A failing last statement skips the COMMIT sent with it: its error is thrown, nothing of
    /// the transaction stays, and the connection serves the next statement.
    @Test func aFailingStatementSentWithItsCommitCommitsNothing() throws {
        let db = try connect()
        let table = uniqueName("piped")
        try db.execute("CREATE TABLE \(table) (i int PRIMARY KEY)")
        defer { _ = try? db.execute("DROP TABLE \(table)") }
        #expect { try db.transaction {
            try db.execute("INSERT INTO \(table) VALUES (1)")
            try db.executeThenCommit("INSERT INTO \(table) VALUES ($1)", [.integer(1)])  // a duplicate key
        } } throws: { ($0 as? PostgresError)?.sqlState == "23505" }
        #expect(db.transactionStatus == .idle)
        #expect(try connect().execute("SELECT count(*) FROM \(table)")[0].int(0) == 0)
        #expect(try db.execute("SELECT 41 + 1")[0].int(0) == 42)
        // A parameter refused before anything is sent leaves the transaction to roll back, too.
        #expect(throws: PostgresError.self) {
            try db.transaction { try db.executeThenCommit("INSERT INTO \(table) VALUES ($1::int)", [.text("4\u{0}2")]) }
        }
        #expect(db.transactionStatus == .idle)
        #expect(try db.execute("SELECT count(*) FROM \(table)")[0].int(0) == 0)
        // Outside a transaction it is refused: there would be nothing to commit.
        #expect(throws: PostgresError.self) { try db.executeThenCommit("SELECT 1") }
    }

    /// BEGIN and its setup travel with the body's first statement: they still hold for it
    /// (read-only, the time limit), and a body that sends nothing leaves nothing open.
    @Test func beginAndItsSetupGoWithTheFirstStatement() throws {
        let db = try connect()
        let table = uniqueName("lazy")
        try db.execute("CREATE TABLE \(table) (i int)")
        defer { _ = try? db.execute("DROP TABLE \(table)") }
        let limit = try db.transaction(.repeatableRead, readOnly: true, setup: "SET LOCAL statement_timeout = 1234") {
            #expect(db.isInTransaction)
            let limit = try db.execute("SHOW statement_timeout")[0].string(0)
            #expect(try db.execute("SHOW transaction_isolation")[0].string(0) == "repeatable read")
            return limit
        } as String
        #expect(limit == "1234ms")
        #expect { try db.transaction(readOnly: true) { try db.execute("INSERT INTO \(table) VALUES (1)") } } throws: {
            ($0 as? PostgresError)?.sqlState == "25006"
        }
        #expect(db.transactionStatus == .idle && !db.isInTransaction)
        try db.transaction {}
        #expect(db.transactionStatus == .idle && !db.isInTransaction)
        #expect(try db.execute("SHOW statement_timeout")[0].string(0) == "0")
    }

    /// A deferred statement goes with the next one: its writes are there for that statement
    /// to read, its error is that statement's, and a COMMIT sends what is left.
    @Test func deferredStatementsGoWithTheNextAndTheirErrorsAreItsErrors() throws {
        let db = try connect()
        let table = uniqueName("deferred")
        try db.execute("CREATE TABLE \(table) (i int PRIMARY KEY)")
        defer { _ = try? db.execute("DROP TABLE \(table)") }
        let seen = try db.transaction {
            try db.executeDeferred("INSERT INTO \(table) VALUES ($1)", [.integer(1)])
            try db.executeDeferred("INSERT INTO \(table) VALUES ($1)", [.integer(2)])
            let count = try db.execute("SELECT count(*) FROM \(table)")[0].int(0)
            try db.executeDeferred("INSERT INTO \(table) VALUES ($1)", [.integer(3)])  // sent with the COMMIT
            return count
        }
        #expect(seen == 2)
        #expect(try db.execute("SELECT count(*) FROM \(table)")[0].int(0) == 3)
        // A duplicate key in a deferred insert fails the next statement, and nothing stays.
        #expect { try db.transaction {
            try db.executeDeferred("INSERT INTO \(table) VALUES ($1)", [.integer(4)])
            try db.executeDeferred("INSERT INTO \(table) VALUES ($1)", [.integer(1)])
            _ = try db.execute("SELECT 1")
        } } throws: { ($0 as? PostgresError)?.sqlState == "23505" }
        #expect(db.transactionStatus == .idle)
        #expect(try db.execute("SELECT count(*) FROM \(table)")[0].int(0) == 3)
        // flush() sends what is deferred and throws its error where the caller can tell it
        // apart; discardDeferred() drops what is not sent yet (a savepoint's undone work).
        try db.transaction {
            try db.executeDeferred("INSERT INTO \(table) VALUES ($1)", [.integer(1)])
            #expect { try db.flush() } throws: { ($0 as? PostgresError)?.sqlState == "23505" }
            try db.execute("ROLLBACK")
        }
        try db.transaction {
            try db.executeDeferred("INSERT INTO \(table) VALUES ($1)", [.integer(9)])
            db.discardDeferred()
        }
        #expect(try db.execute("SELECT count(*) FROM \(table)")[0].int(0) == 3 && db.transactionStatus == .idle)
        // And one that fails only at the COMMIT that carries it.
        #expect { try db.transaction { try db.executeDeferred("INSERT INTO \(table) VALUES ($1)", [.integer(2)]) } } throws: {
            ($0 as? PostgresError)?.sqlState == "23505"
        }
        #expect(db.transactionStatus == .idle && !db.isInTransaction)
    }

    /// A read queued ahead goes after the writes deferred before it and before the next
    /// statement, and its rows wait for `takeAhead`, within its transaction only.
    @Test func aReadQueuedAheadSeesTheWritesBeforeItAndWaitsToBeTaken() throws {
        let db = try connect()
        let table = uniqueName("ahead")
        try db.execute("CREATE TABLE \(table) (i int)")
        defer { _ = try? db.execute("DROP TABLE \(table)") }
        try db.transaction {
            try db.executeDeferred("INSERT INTO \(table) VALUES (1), (2)")
            try db.executeAhead("DELETE FROM \(table) RETURNING i")
            #expect(db.takeAhead() == nil)  // not sent yet
            #expect(try db.execute("SELECT count(*) FROM \(table)")[0].int(0) == 0)
            #expect(try db.takeAhead()?.map { try $0.int(0) }.sorted() == [1, 2])
            #expect(db.takeAhead() == nil)
            try db.executeAhead("SELECT 7")
        }
        // Sent with the COMMIT, never taken: gone with its transaction.
        try db.transaction { #expect(db.takeAhead() == nil) }
        #expect(throws: PostgresError.self) { try db.executeAhead("SELECT 1") }  // outside a transaction
    }

    /// Reads that do not depend on one another, in one round trip, each with its own rows.
    @Test func aBatchAnswersEachStatementWithItsOwnRows() throws {
        let db = try connect()
        let answers = try db.executeCachedBatch([
            ("SELECT generate_series(1, $1::int)", [.integer(3)]),
            ("SELECT $1::text || 'b'", [.text("a")]),
            ("SELECT 1 WHERE false", []),
        ])
        #expect(answers.count == 3)
        #expect(try answers[0].map { try $0.int(0) } == [1, 2, 3])
        #expect(try answers[1][0].string(0) == "ab" && answers[2].count == 0)
        #expect { try db.executeCachedBatch([("SELECT 1", []), ("SELECT 1/0", []), ("SELECT 2", [])]) } throws: {
            ($0 as? PostgresError)?.sqlState == "22012"
        }
        #expect(try db.execute("SELECT 3")[0].int(0) == 3)  // out of pipeline mode, usable
    }

    @Test func aTransactionInsideATransactionIsRefused() throws {
        let db = try connect()
        try db.execute("CREATE TEMP TABLE t (i int)")
        #expect(throws: PostgresError.self) {
            try db.transaction {
                try db.execute("INSERT INTO t VALUES (1)")
                try db.transaction { try db.execute("INSERT INTO t VALUES (2)") }
            }
        }
        #expect(try db.execute("SELECT count(*) FROM t")[0].int(0) == 0)
    }

    /// Of two serializable transactions that each read what the other writes, one fails with
    /// 40001 and the other commits.
    @Test func aSerializationFailureIsRecognised() throws {
        let setup = try connect()
        let table = uniqueName("serial")
        try setup.execute("CREATE TABLE \(table) (k text, v int)")
        defer { _ = try? setup.execute("DROP TABLE \(table)") }
        try setup.execute("INSERT INTO \(table) VALUES ('a', 1), ('b', 1)")
        let (first, second) = (try connect(), try connect())
        try first.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
        try second.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
        try first.execute("SELECT sum(v) FROM \(table)")
        try second.execute("SELECT sum(v) FROM \(table)")
        try first.execute("UPDATE \(table) SET v = 2 WHERE k = 'a'")
        try second.execute("UPDATE \(table) SET v = 2 WHERE k = 'b'")
        try first.execute("COMMIT")
        #expect { try second.execute("COMMIT") } throws: { ($0 as? PostgresError)?.isSerializationFailure == true }
    }
}
