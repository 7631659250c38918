import ArgumentParser
import ChronicleSQLite

struct Seed: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Load the built-in dataset (the source article) into the database.")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let db = try openDatabase(database)
        if let summary = try BuiltinDataset.bundled().load(into: db) {
            print("loaded \(summary.sources) sources, \(summary.actors) actors, \(summary.events) events, \(summary.quotes) quotes into \(database.path)")
        } else {
            print("\(database.path) already holds the built-in dataset; nothing loaded")
        }
    }
}

/// `readTimeLimit`: seconds one read may run before it is stopped (nil: no limit).
func openDatabase(_ options: DatabaseOptions, readTimeLimit: Double? = nil) throws -> SQLiteStore {
    let migrator = try Migrator(directory: ResourceLocator.migrationsDirectory(override: options.migrationsOverride))
    return try SQLiteStore(path: options.path, migrations: migrator, readTimeLimit: readTimeLimit)
}
