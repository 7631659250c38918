import ArgumentParser
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

@main
struct ChronicleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chronicle",
        abstract: "A newsroom's store of events, actors and quotes, served as a JSON API.",
        discussion: """
            Every option can also be set through the environment variable named in its help. \
            On an empty database, `chronicle serve` applies the migrations and loads the built-in \
            dataset (the article in shared/source-article.txt) before it starts serving.
            """,
        subcommands: [Serve.self, Migrate.self, Seed.self, Token.self, Optimize.self, Backup.self, Export.self, Import.self],
        defaultSubcommand: Serve.self
    )
}

/// Options every subcommand that opens the database shares.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: "Path of the SQLite database file; serve, migrate, seed, import and token create create it if missing, the other commands refuse a missing one. [env: CHRONICLE_DB]")
    var path: String = environment("CHRONICLE_DB") ?? "chronicle.sqlite"

    @Option(help: "Folder of numbered .sql migrations; found next to the binary when not given. [env: CHRONICLE_MIGRATIONS]")
    var migrations: String = environment("CHRONICLE_MIGRATIONS") ?? ""

    @Option(name: .customLong("database-url"), help: "A PostgreSQL database to use instead of the SQLite file: postgres://user@host:port/database (libpq's URL or key=value form). [env: CHRONICLE_DATABASE_URL]")
    var databaseURL: String = environment("CHRONICLE_DATABASE_URL") ?? ""

    /// The explicit migrations folder, if one was given.
    var migrationsOverride: String? { migrations.isEmpty ? nil : migrations }

    /// The PostgreSQL database, when one was given.
    var url: String? { databaseURL.isEmpty ? nil : databaseURL }

    /// Refuses a SQLite file that is not there. Opening one creates it, as `serve`, `migrate`,
    /// `seed` and `import` want; a command that reads or keeps up an existing store would
    /// otherwise succeed at a mistyped path, on the empty store it had just made (a cron backup
    /// reporting success forever).
    func requireExistingDatabase() throws {
        guard url == nil, !FileManager.default.fileExists(atPath: path) else { return }
        throw ValidationError("no database at \(path); check --db (or CHRONICLE_DB), or create one with `chronicle migrate --db \(path)`")
    }
}

func environment(_ name: String) -> String? {
    guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
    return value
}

/// Pads text on the right to a column width, for aligned listings.
func padded(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

func environmentFlag(_ name: String) -> Bool {
    guard let value = environment(name)?.lowercased() else { return false }
    return ["1", "true", "yes", "on"].contains(value)
}

/// Prints to standard error, for messages that are not the command's output.
func warn(_ message: String) {
    let line = Array((message + "\n").utf8)
    _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}
