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
