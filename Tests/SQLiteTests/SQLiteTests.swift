import Foundation
import Testing
@testable import SQLite

func temporaryDatabasePath() -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sqlite-tests-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.appendingPathComponent("test.sqlite").path
}

@Suite struct SQLiteTests {
    @Test func boundValuesRoundTripWithTheirTypes() throws {
        let db = try Connection(path: temporaryDatabasePath())
        try db.execute("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)")
        try db.run("INSERT INTO t VALUES (?, ?, ?, ?, ?)", [.integer(42), .real(2.5), .text("Лукашенко'; DROP TABLE t; --"), .blob([0, 1, 255]), .null])
        let row = try db.first("SELECT i, r, s, b, n FROM t") { ($0.int(0), $0.double(1), $0.string(2), $0.blob(3), $0.optionalString(4)) }
        #expect(row?.0 == 42 && row?.1 == 2.5 && row?.2 == "Лукашенко'; DROP TABLE t; --" && row?.3 == [0, 1, 255] && row?.4 == nil)
    }

    @Test func textWithAnEmbeddedNULRoundTripsWhole() throws {
        let db = try Connection(path: temporaryDatabasePath())
        try db.execute("CREATE TABLE t (s TEXT)")
        try db.run("INSERT INTO t VALUES (?)", [.text("before\u{0}after Лукашенко")])
        #expect(try db.first("SELECT s FROM t") { $0.string(0) } == "before\u{0}after Лукашенко")
        #expect(try db.first("SELECT length(CAST(s AS BLOB)) FROM t") { $0.int(0) } == "before\u{0}after Лукашенко".utf8.count)
    }

    @Test func emptyTextAndBlobStayEmptyNotNull() throws {
        let db = try Connection(path: temporaryDatabasePath())
        try db.execute("CREATE TABLE t (s TEXT, b BLOB)")
        try db.run("INSERT INTO t VALUES (?, ?)", [.text(""), .blob([])])
        #expect(try db.first("SELECT s IS NULL, b IS NULL, length(s), length(b) FROM t") { [$0.int(0), $0.int(1), $0.int(2), $0.int(3)] } == [0, 0, 0, 0])
    }

    @Test func errorsCarryCodeMessageAndSQL() throws {
        let db = try Connection(path: temporaryDatabasePath())
        try db.execute("CREATE TABLE t (id TEXT PRIMARY KEY)")
        try db.run("INSERT INTO t VALUES (?)", [.text("a")])
        do {
            try db.run("INSERT INTO t VALUES (?)", [.text("a")])
            Issue.record("duplicate accepted")
        } catch let error as SQLiteError {
            #expect(error.isUniqueViolation)
            #expect(error.message.contains("UNIQUE"))
            #expect(error.sql == "INSERT INTO t VALUES (?)")
        }
        #expect(throws: SQLiteError.self) { try db.run("SELECT * FROM missing") }
        #expect(throws: SQLiteError.self) { try db.run("SELECT ?", []) }
    }

    /// A read past the pool's time limit is stopped where it is, and the connection it ran on
    /// serves the next read in full; without a limit the same kind of query runs to its end.
    @Test func aReadPastItsTimeLimitIsStoppedAndTheConnectionServesAgain() throws {
        var configuration = Configuration()
        configuration.readTimeLimit = 0.05
        configuration.readerCount = 1
        let path = temporaryDatabasePath()
        try Connection(path: path, configuration: configuration).execute("CREATE TABLE t (x)")
        let pool = try DatabasePool(path: path, configuration: configuration)
        let endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
        let started = Connection.now()
        do {
            _ = try pool.read { db in try db.first(endless) { $0.int(0) } }
            Issue.record("an endless query returned")
        } catch let error as SQLiteError {
            #expect(error.isInterrupted, "\(error)")
        }
        let took = Connection.now() - started
        #expect(took >= 0.05 && took < 5, "stopped after \(took) s")
        // The same (only) connection: its deadline was cleared, its transaction ended.
        let counted = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) SELECT count(*) FROM n"
        #expect(try pool.read { db in try db.first(counted) { $0.int(0) } } == 20_000)
        // Writes have no such limit.
        try pool.write { db in try db.run("INSERT INTO t SELECT value FROM json_each(?)", [.text("[1,2,3]")]) }
        #expect(try pool.read { db in try db.first("SELECT count(*) FROM t") { $0.int(0) } } == 3)
    }

    /// Blobs bound in place read as bound, an empty one as an empty blob (not NULL), and the
    /// statement keeps none of them once the call returns.
    @Test func borrowedBlobsReadAsBoundAndAreNotKept() throws {
        let db = try Connection(path: temporaryDatabasePath())
        let large = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let sql = "SELECT ?1, length(?2), hex(substr(?2, 99999, 2)), typeof(?3), length(?3), quote(?4)"
        let row = try db.first(sql, [.integer(7)], borrowing: [large, [], [0xAB]]) {
            ($0.int(0), $0.int(1), $0.string(2), $0.string(3), $0.int(4), $0.string(5))
        }
        #expect(row?.0 == 7 && row?.1 == 100_000 && row?.2 == "5259" && row?.3 == "blob" && row?.4 == 0 && row?.5 == "X'AB'")
        // The cached statement again, with plain values: nothing of the borrowed blobs is left.
        #expect(try db.first(sql, [.integer(1), .null, .null, .null]) { $0.string(3) } == "null")
        #expect(throws: SQLiteError.self) { try db.first(sql, [.integer(1)], borrowing: [[1]]) { $0.int(0) } }
    }

    @Test func aThrowingTransactionRollsBack() throws {
        let db = try Connection(path: temporaryDatabasePath())
        try db.execute("CREATE TABLE t (x INTEGER)")
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try db.transaction {
                try db.run("INSERT INTO t VALUES (1)")
                throw Boom()
            }
        }
        #expect(try db.first("SELECT count(*) FROM t") { $0.int(0) } == 0)
        #expect(!db.isInTransaction)
    }

    @Test func statementsAreCachedAndResetBetweenUses() throws {
        let db = try Connection(path: temporaryDatabasePath())
        let first = try db.cached("SELECT ?")
        let second = try db.cached("SELECT ?")
        #expect(first === second)
        #expect(try db.first("SELECT ?", [.integer(1)]) { $0.int(0) } == 1)
        #expect(try db.first("SELECT ?", [.integer(2)]) { $0.int(0) } == 2)
    }

    @Test func theConnectionUsesWALAndForeignKeys() throws {
        let db = try Connection(path: temporaryDatabasePath())
        #expect(try db.first("PRAGMA journal_mode") { $0.string(0) } == "wal")
        #expect(try db.first("PRAGMA foreign_keys") { $0.int(0) } == 1)
        #expect(try db.first("PRAGMA synchronous") { $0.int(0) } == 2)
    }

    @Test func theWALShrinksBackAfterALargeTransaction() throws {
        var configuration = Configuration()
        configuration.walSizeLimit = 128 * 1024
        let path = temporaryDatabasePath()
        let db = try Connection(path: path, configuration: configuration)
        try db.execute("CREATE TABLE t (s TEXT)")
        try db.transaction {
            for _ in 0..<2_000 { try db.run("INSERT INTO t VALUES (?)", [.text(String(repeating: "x", count: 1_000))]) }
        }
        func walSize() throws -> Int { (try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? -1 }
        #expect(try walSize() > 1_000_000)
        // A checkpoint empties the WAL; the next write starts it over and cuts the file to the limit.
        try db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        try db.run("INSERT INTO t VALUES ('after')")
        #expect(try walSize() <= 128 * 1024)
        #expect(try db.first("SELECT count(*) FROM t") { $0.int(0) } == 2_001)
    }

    @Test func readersSeeCommittedWritesAndNeverPartialOnes() throws {
        let path = temporaryDatabasePath()
        try Connection(path: path).execute("CREATE TABLE t (x INTEGER)")
        let pool = try DatabasePool(path: path)
        _ = try pool.writeTransaction { db in try db.run("INSERT INTO t VALUES (1)") }
        #expect(try pool.read { try $0.first("SELECT count(*) FROM t") { $0.int(0) } } == 1)
        #expect(throws: SQLiteError.self) { try pool.read { try $0.run("INSERT INTO t VALUES (2)") } }
    }

    @Test func concurrentWritersThroughThePoolLoseNothing() throws {
        let path = temporaryDatabasePath()
        try Connection(path: path).execute("CREATE TABLE t (x INTEGER)")
        var configuration = Configuration()
        configuration.synchronous = .normal
        let pool = try DatabasePool(path: path, configuration: configuration)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for i in 0..<50 { _ = try! pool.writeTransaction { try $0.run("INSERT INTO t VALUES (?)", [.integer(Int64(worker * 100 + i))]) } }
        }
        #expect(try pool.read { try $0.first("SELECT count(DISTINCT x) FROM t") { $0.int(0) } } == 400)
    }

    /// Reads that share a read's connection share its snapshot: a write committed between them
    /// is not half-visible.
    @Test func readsOnOneReadsConnectionSeeOneSnapshot() throws {
        let path = temporaryDatabasePath()
        try Connection(path: path).execute("CREATE TABLE t (x INTEGER)")
        let pool = try DatabasePool(path: path)
        _ = try pool.writeTransaction { try $0.run("INSERT INTO t VALUES (1)") }
        let counts = try pool.read { outer -> (Int, Int) in
            let before = try outer.first("SELECT count(*) FROM t") { $0.int(0) } ?? -1
            _ = try pool.writeTransaction { try $0.run("INSERT INTO t VALUES (2)") }
            return (before, try outer.first("SELECT count(*) FROM t") { $0.int(0) } ?? -1)
        }
        #expect(counts.0 == 1 && counts.1 == 1)
        #expect(try pool.read { try $0.first("SELECT count(*) FROM t") { $0.int(0) } } == 2)
    }

    @Test func aFailingWriteInAGroupRollsBackOnlyItself() throws {
        let path = temporaryDatabasePath()
        try Connection(path: path).execute("CREATE TABLE t (x INTEGER UNIQUE)")
        let pool = try DatabasePool(path: path)
        struct Refused: Error {}
        let outcomes = Outcomes()
        DispatchQueue.concurrentPerform(iterations: 60) { i in
            do {
                let value: Int = try pool.writeTransaction { db in
                    try db.run("INSERT INTO t VALUES (?)", [.integer(Int64(i))])
                    if i % 3 == 0 { throw Refused() }          // after writing: must be rolled back
                    if i % 5 == 1 { try db.run("INSERT INTO t VALUES (?)", [.integer(Int64(i))]) }  // a constraint error
                    return i
                }
                outcomes.record(i, committed: value == i)
            } catch {
                outcomes.record(i, committed: false)
            }
        }
        let stored = Set(try pool.read { try $0.all("SELECT x FROM t") { $0.int(0) } })
        let expected = Set((0..<60).filter { $0 % 3 != 0 && $0 % 5 != 1 })
        #expect(stored == expected)
        #expect(outcomes.committed == expected)
    }

    /// The write that leads a group returns once its own group has committed: it hands the
    /// lead to a write that arrived meanwhile instead of committing every group that follows
    /// (its caller waited for as long as writes kept coming).
    @Test func aLeaderReturnsOnceItsOwnGroupHasCommitted() throws {
        let path = temporaryDatabasePath()
        try Connection(path: path).execute("CREATE TABLE t (x INTEGER)")
        let pool = try DatabasePool(path: path)
        let inFirst = DispatchSemaphore(value: 0), releaseFirst = DispatchSemaphore(value: 0)
        let releaseNext = DispatchSemaphore(value: 0), firstDone = DispatchSemaphore(value: 0), allDone = DispatchGroup()
        Thread {
            _ = try? pool.writeTransaction { db in
                inFirst.signal()
                releaseFirst.wait()
                try db.run("INSERT INTO t VALUES (0)")
            }
            firstDone.signal()
        }.start()
        inFirst.wait()  // the first write leads, inside its own group
        for i in 1...4 {
            allDone.enter()
            Thread {
                _ = try? pool.writeTransaction { db in
                    if i == 1 { releaseNext.wait() }  // the next group, held until the first write has returned
                    try db.run("INSERT INTO t VALUES (?)", [.integer(Int64(i))])
                }
                allDone.leave()
            }.start()
        }
        Thread.sleep(forTimeInterval: 0.2)  // the four queued behind it
        releaseFirst.signal()
        // Not a time limit on the write: a leader that led on would wait here until released below.
        #expect(firstDone.wait(timeout: .now() + 30) == .success, "the first write returned while the next group was still held")
        releaseNext.signal()
        allDone.wait()
        #expect(try pool.read { try $0.first("SELECT count(*) FROM t") { $0.int(0) } } == 5)
    }
}

final class Outcomes: @unchecked Sendable {
    private let lock = DispatchSemaphore(value: 1)
    private var values = Set<Int>()
    func record(_ value: Int, committed: Bool) {
        lock.wait()
        if committed { values.insert(value) }
        lock.signal()
    }
    var committed: Set<Int> { lock.wait(); defer { lock.signal() }; return values }
}
