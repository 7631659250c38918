import ArgumentParser
import ChronicleSQLite

struct Seed: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Load the built-in dataset (the source article) into the database.")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let store = try openStore(database)
        if let summary = try store.loadBuiltinDataset() {
            print("loaded \(summary.sources) sources, \(summary.actors) actors, \(summary.events) events, \(summary.quotes) quotes into \(store.location)")
        } else {
            print("\(store.location) already holds the built-in dataset; nothing loaded")
        }
    }
}

/// `readTimeLimit`: seconds one read may run before it is stopped (nil: no limit).
func openDatabase(_ options: DatabaseOptions, readTimeLimit: Double? = nil) throws -> SQLiteStore {
    let migrator = try Migrator(directory: ResourceLocator.migrationsDirectory(override: options.migrationsOverride))
    return try SQLiteStore(path: options.path, migrations: migrator, readTimeLimit: readTimeLimit)
}
