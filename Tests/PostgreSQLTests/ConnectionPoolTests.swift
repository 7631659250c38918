import Foundation
import Testing
import PostgreSQL

@Suite(.needsPostgres) struct ConnectionPoolTests {
    /// 8 threads × 200 statements through 4 connections: every answer is the one asked for (no
    /// two threads ever share a connection), and every committed write is there.
    @Test func thePoolServesManyThreadsAtOnce() throws {
        let pool = try ConnectionPool(url: postgresURL!, maxSize: 4, checkoutTimeout: 30)
        let table = uniqueName("pool_writes")
        try pool.withConnection { try $0.execute("CREATE TABLE \(table) (thread int, i int)") }
        defer { _ = try? pool.withConnection { try $0.execute("DROP TABLE \(table)") } }
        let backends = Locked<Set<Int32>>([])
        let errors = onThreads(8) { thread in
            for i in 0..<200 {
                try pool.withConnection { db in
                    let row = try db.execute("SELECT $1::int * 1000 + $2::int, pg_backend_pid()", [.integer(Int64(thread)), .integer(Int64(i))])[0]
                    #expect(try row.int(0) == thread * 1000 + i)
                    backends.update { _ = $0.insert(Int32(try! row.int(1))) }
                    if i % 10 == 0 {
                        try db.transaction { try db.execute("INSERT INTO \(table) VALUES ($1, $2)", [.integer(Int64(thread)), .integer(Int64(i))]) }
                    }
                }
            }
        }
        #expect(errors.isEmpty, "\(errors)")
        #expect(backends.value.count <= 4 && pool.idleCount == backends.value.count)
        #expect(try pool.withConnection { try $0.execute("SELECT count(*) FROM \(table)")[0].int(0) } == 8 * 20)
    }

    /// What a server restart does to every pooled connection: each is found broken as it is
    /// handed out, and reconnected.
    @Test func thePoolReconnectsConnectionsWhoseBackendsWereTerminated() throws {
        let pool = try ConnectionPool(url: postgresURL!, maxSize: 3, checkoutTimeout: 10)
        func backendsOfEveryConnection() throws -> [Int32] {
            try pool.withConnection { a in try pool.withConnection { b in try pool.withConnection { c in
                try [a, b, c].map { Int32(try $0.execute("SELECT pg_backend_pid()")[0].int(0)) }
            } } }
        }
        let before = try backendsOfEveryConnection()
        #expect(Set(before).count == 3)
        try terminateBackends(before)
        let after = try backendsOfEveryConnection()
        #expect(Set(after).count == 3 && Set(after).isDisjoint(with: before))
        for i in 0..<30 {
            #expect(try pool.withConnection { try $0.execute("SELECT $1::int", [.integer(Int64(i))])[0].int(0) } == i)
        }
    }

    @Test func aCheckoutWaitsForAConnectionAndTimesOutWhenNoneComesFree() throws {
        let pool = try ConnectionPool(url: postgresURL!, maxSize: 2, checkoutTimeout: 0.3)
        try pool.withConnection { _ in
            try pool.withConnection { _ in
                let waited = seconds {
                    #expect { try pool.withConnection { _ in } } throws: { ($0 as? PostgresError)?.isCheckoutTimeout == true }
                }
                #expect(waited >= 0.25 && waited < 5)
            }
        }
        // A caller waits for a connection in use, and has it once it is given back.
        let patient = try ConnectionPool(url: postgresURL!, maxSize: 1, checkoutTimeout: 10)
        let holding = DispatchSemaphore(value: 0)
        let finish = startThread {
            try patient.withConnection { _ in
                holding.signal()
                Thread.sleep(forTimeInterval: 0.3)
            }
        }
        holding.wait()
        let waited = try seconds { try patient.withConnection { _ = try $0.execute("SELECT 1") } }
        #expect(waited >= 0.2 && waited < 10)
        #expect(finish().isEmpty)
    }

    @Test func aConnectionGivenBackInsideATransactionIsRolledBack() throws {
        let pool = try ConnectionPool(url: postgresURL!, maxSize: 1)
        let table = uniqueName("pool_left_open")
        try pool.withConnection { try $0.execute("CREATE TABLE \(table) (i int)") }
        defer { _ = try? pool.withConnection { try $0.execute("DROP TABLE \(table)") } }
        try pool.withConnection { db in
            try db.execute("BEGIN")
            try db.execute("INSERT INTO \(table) VALUES (1)")
        }
        try pool.withConnection { db in
            let count = try db.execute("SELECT count(*) FROM \(table)")[0].int(0)
            #expect(db.transactionStatus == .idle && count == 0)
        }
    }

    @Test func aPoolThatCannotConnectSaysSoAtOnce() throws {
        #expect { try ConnectionPool(url: "postgres://postgres@127.0.0.1:1/postgres") } throws: {
            ($0 as? PostgresError)?.isConnectionFailure == true
        }
    }
}
