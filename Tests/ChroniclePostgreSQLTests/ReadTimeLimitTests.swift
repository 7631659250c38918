import Chronicle
@testable import ChroniclePostgreSQL
import Testing

/// Reads stop at the store's time limit, said as `ChronicleError.timeLimit`, as on SQLite;
/// writes are not limited.
@Suite(.needsPostgres) struct PostgresReadTimeLimitTests {
    @Test func aReadPastTheLimitIsStoppedAndTheConnectionServesTheNext() throws {
        let database = try TestDatabase()
        let db = try PostgresStore(url: database.url, migrations: PostgresMigrator(directory: migrationsDirectory), poolSize: 1, readTimeLimit: 0.2)
        #expect(throws: ChronicleError.timeLimit(seconds: 0.2)) {
            try db.database.reading(in: nil) { try $0.execute("SELECT pg_sleep(2)") }
        }
        #expect(throws: ChronicleError.timeLimit(seconds: 0.2)) {
            try db.snapshot { snapshot in try (snapshot as! PostgresSnapshot).connection.execute("SELECT pg_sleep(2)") }
        }
        // The same (only) connection answers the next read, and a write is not limited.
        #expect(try db.isEmpty())
        _ = try db.database.transaction { try $0.execute("SELECT pg_sleep(0.4)") }
        let actor = try db.actors.create(ActorDraft(kind: .person, name: "After"))
        #expect(try db.actors.find(actor.id) == actor)
    }

    @Test func withoutALimitReadsRunToTheEnd() throws {
        let database = try TestDatabase()
        let db = try database.store()
        _ = try db.database.reading(in: nil) { try $0.execute("SELECT pg_sleep(0.3)") }
    }
}
