import Chronicle
import ChronicleSQLite
import Foundation
import SQLite
import Testing

@Suite struct MigrationTests {
    @Test func aFreshDatabaseGetsEveryMigrationOnce() throws {
        let path = temporaryDirectory().appendingPathComponent("m.sqlite").path
        let migrator = try Migrator(directory: migrationsDirectory)
        let db = try Connection(path: path)
        let applied = try migrator.migrate(db)
        #expect(applied.first == "0001_initial_schema.sql")
        #expect(applied.count == migrator.migrations.count)
        #expect(try migrator.migrate(db).isEmpty)
        #expect(try db.first("SELECT count(*) FROM schema_migrations") { $0.int(0) } == migrator.migrations.count)
        #expect(try migrator.status(db).allSatisfy { $0.appliedAt != nil })
    }

    @Test func aChangedMigrationStopsStartUpNamingTheFile() throws {
        let folder = temporaryDirectory()
        let original = try String(contentsOf: migrationsDirectory.appendingPathComponent("0001_initial_schema.sql"), encoding: .utf8)
        try original.write(to: folder.appendingPathComponent("0001_initial_schema.sql"), atomically: true, encoding: .utf8)
        let db = try Connection(path: folder.appendingPathComponent("m.sqlite").path)
        try Migrator(directory: folder).migrate(db)
        try (original + "\n-- edited\n").write(to: folder.appendingPathComponent("0001_initial_schema.sql"), atomically: true, encoding: .utf8)
        do {
            try Migrator(directory: folder).migrate(db)
            Issue.record("an edited migration was accepted")
        } catch let error as MigrationError {
            #expect(error.description.contains("0001_initial_schema.sql"))
            #expect(error.description.contains("changed after it was applied"))
        }
    }

    @Test func aFailingMigrationLeavesNoTrace() throws {
        let folder = temporaryDirectory()
        try "CREATE TABLE a (x INTEGER);".write(to: folder.appendingPathComponent("0001_a.sql"), atomically: true, encoding: .utf8)
        try "CREATE TABLE b (x INTEGER); SELECT * FROM nowhere;".write(to: folder.appendingPathComponent("0002_b.sql"), atomically: true, encoding: .utf8)
        let db = try Connection(path: folder.appendingPathComponent("m.sqlite").path)
        #expect(throws: SQLiteError.self) { try Migrator(directory: folder).migrate(db) }
        #expect(try db.first("SELECT count(*) FROM schema_migrations") { $0.int(0) } == 1)
        #expect(try db.first("SELECT count(*) FROM sqlite_master WHERE name = 'b'") { $0.int(0) } == 0)
    }

    @Test func theLocatorFindsTheRepoMigrationsFromAnotherDirectory() throws {
        let found = try ResourceLocator.migrationsDirectory()
        #expect(FileManager.default.fileExists(atPath: found.appendingPathComponent("0001_initial_schema.sql").path))
        #expect(found.lastPathComponent == "sqlite" && found.deletingLastPathComponent().lastPathComponent == "migrations")
        #expect(throws: MigrationError.self) { try ResourceLocator.migrationsDirectory(override: "/nonexistent/migrations") }
        // An override may name the migrations folder (the engine's folder inside is used) or the engine's folder.
        let top = found.deletingLastPathComponent().path
        #expect(try ResourceLocator.migrationsDirectory(override: top).standardizedFileURL == found.standardizedFileURL)
        #expect(try ResourceLocator.migrationsDirectory(override: found.path).standardizedFileURL == found.standardizedFileURL)
        // Another engine's folder is found by its name alone, whatever its files are called.
        let root = temporaryDirectory()
        try FileManager.default.createDirectory(at: root.appendingPathComponent("migrations/otherdb"), withIntermediateDirectories: true)
        try "SELECT 1;".write(to: root.appendingPathComponent("migrations/otherdb/0001_start.sql"), atomically: true, encoding: .utf8)
        #expect(try ResourceLocator.migrationsDirectory(engine: "otherdb", override: root.appendingPathComponent("migrations").path).lastPathComponent == "otherdb")
    }
}
