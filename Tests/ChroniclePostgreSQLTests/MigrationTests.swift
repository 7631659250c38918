import Chronicle
import Foundation
import ChroniclePostgreSQL
import PostgreSQL
import Testing

@Suite(.needsPostgres) struct PostgresMigrationTests {
    @Test func migrationsApplyOnceAndAreRecordedWithTheirChecksums() throws {
        let database = try TestDatabase()
        let migrator = try PostgresMigrator(directory: migrationsDirectory)
        #expect(!migrator.migrations.isEmpty)
        let db = try Connection(url: database.url)
        #expect(try migrator.migrate(db) == migrator.migrations.map(\.name))
        #expect(try migrator.migrate(db).isEmpty)
        let recorded = try db.execute("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
            .map { (try $0.int(0), try $0.string(1), try $0.string(2)) }
        #expect(recorded.map(\.0) == migrator.migrations.map(\.version))
        #expect(recorded.map(\.2) == migrator.migrations.map(\.checksum))
        #expect(try migrator.status(db).allSatisfy { $0.appliedAt != nil })
        // A store opened on a migrated database applies nothing and works.
        let store = try database.store()
        #expect(try store.isEmpty())
    }

    @Test func aChangedOrUnknownMigrationStopsEverything() throws {
        let database = try TestDatabase()
        let original = try PostgresMigrator(directory: migrationsDirectory)
        let db = try Connection(url: database.url)
        try original.migrate(db)
        var changed = original.migrations
        changed[0] = PostgresMigration(version: changed[0].version, name: changed[0].name, sql: changed[0].sql + "\n-- edited")
        #expect(throws: PostgresMigrationError.self) { try PostgresMigrator(migrations: changed).migrate(db) }
        let older = PostgresMigrator(migrations: [])
        #expect(throws: PostgresMigrationError.self) { try older.migrate(db) }
        // A failing migration leaves nothing behind: its transaction rolls back.
        let broken = PostgresMigrator(migrations: original.migrations + [
            PostgresMigration(version: 9999, name: "9999_broken.sql", sql: "CREATE TABLE half_done (id int); SELECT no_such_column FROM half_done"),
        ])
        #expect(throws: PostgresError.self) { try broken.migrate(db) }
        #expect(try db.execute("SELECT to_regclass('half_done') IS NULL")[0].bool(0))
        #expect(try db.execute("SELECT count(*) FROM schema_migrations WHERE version = 9999")[0].int(0) == 0)
    }

    @Test func twoInstancesMigratingAtOnceApplyEachMigrationOnce() throws {
        let database = try TestDatabase()
        let migrator = try PostgresMigrator(directory: migrationsDirectory)
        let applied = Locked<[String]>([]), errors = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 3) { _ in
            do {
                let names = try migrator.migrate(Connection(url: database.url))
                applied.update { $0 += names }
            } catch {
                errors.update { $0.append("\(error)") }
            }
        }
        #expect(errors.value.isEmpty)
        #expect(applied.value.sorted() == migrator.migrations.map(\.name).sorted())
    }
}
