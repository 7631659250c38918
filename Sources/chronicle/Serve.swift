import ArgumentParser
import ChronicleStore
import Foundation

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the JSON API (migrating and seeding an empty database first).")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Address to listen on. [env: CHRONICLE_HOST]")
    var host: String = environment("CHRONICLE_HOST") ?? "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one. [env: CHRONICLE_PORT]")
    var port: Int = Int(environment("CHRONICLE_PORT") ?? "") ?? 8080

    @Flag(help: "Do not load the built-in dataset into an empty database. [env: CHRONICLE_NO_SEED=1]")
    var noSeed = environmentFlag("CHRONICLE_NO_SEED")

    func run() throws {
        let db = try openDatabase(database)
        if !noSeed, try db.isEmpty(), let summary = try BuiltinDataset.bundled().load(into: db) {
            warn("loaded the built-in dataset: \(summary.actors) actors, \(summary.events) events, \(summary.quotes) quotes")
        }
        warn("the HTTP server is not wired yet")
    }
}
