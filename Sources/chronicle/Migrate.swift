import ArgumentParser
import ChronicleSQLite
import FoundationEssentials
import SQLite
import ChroniclePostgreSQL
import PostgreSQL

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending migrations, or show which are applied.")

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "List every migration and whether it is applied; change nothing.")
    var status = false

    func run() throws {
        if let url = database.url { return try runOnPostgreSQL(url) }
        let migrator = try Migrator(directory: ResourceLocator.migrationsDirectory(override: database.migrationsOverride))
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: database.path).deletingLastPathComponent(), withIntermediateDirectories: true)
        let connection = try SQLite.Connection(path: database.path)
        if status {
            for entry in try migrator.status(connection) {
                let state = entry.appliedAt.map { "applied \($0)" } ?? "pending"
                print("\(padded(entry.migration.name, 40)) \(state)")
            }
            return
        }
        let applied = try migrator.migrate(connection)
        if applied.isEmpty {
            print("\(database.path): up to date (\(migrator.migrations.count) migrations applied)")
        } else {
            for name in applied { print("applied \(name)") }
        }
    }

    /// The same on PostgreSQL, with its own migrations (migrations/postgresql).
    private func runOnPostgreSQL(_ url: String) throws {
        let migrator = try PostgresMigrator(directory: ResourceLocator.migrationsDirectory(engine: "postgresql", override: database.migrationsOverride))
        let connection = try PostgreSQL.Connection(url: url)
        if status {
            for entry in try migrator.status(connection) {
                let state = entry.appliedAt.map { "applied \($0)" } ?? "pending"
                print("\(padded(entry.migration.name, 40)) \(state)")
            }
            return
        }
        let applied = try migrator.migrate(connection)
        if applied.isEmpty {
            print("\(withoutPassword(url)): up to date (\(migrator.migrations.count) migrations applied)")
        } else {
            for name in applied { print("applied \(name)") }
        }
    }
}
