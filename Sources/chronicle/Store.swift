import ArgumentParser
import Chronicle
import FoundationEssentials
import ChronicleAPI
import ChroniclePostgreSQL
import ChronicleSQLite

/// The store a command opens: the SQLite file by default, PostgreSQL when a database URL is
/// given. Everything above the repositories (the API, import, export, tokens) sees only
/// `repositories`, the same protocols on either engine.
struct OpenedStore {
    let repositories: Repositories
    /// Where the data is, for messages: the file, or the URL without its password.
    let location: String
    /// The SQLite store, for what only it has (its search caches, optimize, backup).
    let sqlite: SQLiteStore?
    let isEmpty: () throws -> Bool
    /// The store's lines for `/metrics` (where reads went, with a standby).
    var metrics: @Sendable () -> String = { "" }
    /// Registers a call for each change another process commits; nil where no other process
    /// writes (SQLite's one server).
    var onChanges: ((@escaping @Sendable () -> Void) -> Void)?

    /// Loads the built-in dataset through the repositories; nil when it was already loaded.
    func loadBuiltinDataset() throws -> BuiltinDataset.Summary? {
        try BuiltinDataset.bundled().load(sources: repositories.sources, actors: repositories.actors, events: repositories.events,
                                          quotes: repositories.quotes)
    }
}

/// Opens (and migrates) the store `options` name. `readTimeLimit`: seconds one read may run
/// before it is stopped (nil: no limit). `readURL`: a PostgreSQL hot standby for reads, skipped
/// while down or more than `maxReadLag` seconds behind (PostgreSQL only). `poolSize`: the
/// PostgreSQL connections kept.
func openStore(_ options: DatabaseOptions, poolSize: Int = 10, readTimeLimit: Double? = nil, readURL: String? = nil, maxReadLag: Double = 5) throws -> OpenedStore {
    if let url = options.url {
        let migrator = try PostgresMigrator(directory: ResourceLocator.migrationsDirectory(engine: "postgresql", override: options.migrationsOverride))
        let db = try PostgresStore(url: url, migrations: migrator, poolSize: poolSize, readTimeLimit: readTimeLimit, readURL: readURL, maxStandbyLag: maxReadLag)
        var repositories = Repositories(actors: db.actors, events: db.events, quotes: db.quotes, sources: db.sources, search: db.search,
                                        tokens: db.tokens, snapshots: db, embeddedChanges: db.embeddedChanges, revisions: db.revisions,
                                        webhooks: db.webhooks, exporter: db, importer: db, checkReady: { try db.ping() })
        // Read-your-writes only where reads may lag writes.
        if readURL != nil { repositories.positions = db }
        var location = withoutPassword(url)
        if let readURL { location += " (reads from \(withoutPassword(readURL)) when it keeps up)" }
        var opened = OpenedStore(repositories: repositories, location: location, sqlite: nil, isEmpty: db.isEmpty)
        opened.metrics = { db.standbyMetrics }
        opened.onChanges = { db.onChanges($0) }
        return opened
    }
    guard readURL == nil else { throw ValidationError("--read-database-url needs --database-url (a PostgreSQL primary); SQLite has no standby") }
    let db = try openDatabase(options, readTimeLimit: readTimeLimit)
    let repositories = Repositories(actors: db.actors, events: db.events, quotes: db.quotes, sources: db.sources, search: db.search,
                                    tokens: db.tokens, snapshots: db, embeddedChanges: db.embeddedChanges, revisions: db.revisions,
                                    webhooks: db.webhooks, exporter: db, importer: db, checkReady: { try db.ping() })
    return OpenedStore(repositories: repositories, location: options.path, sqlite: db, isEmpty: db.isEmpty)
}

/// The SQLite store, for the commands only it supports.
func openSQLiteOnly(_ options: DatabaseOptions, command: String) throws -> SQLiteStore {
    guard options.url == nil else {
        throw ValidationError("`chronicle \(command)` works on a SQLite file; on PostgreSQL use the server's own tools (VACUUM ANALYZE, pg_basebackup, pg_dump)")
    }
    return try openDatabase(options)
}

/// `postgres://user:secret@host/db` as `postgres://user:***@host/db`, for logs and messages.
func withoutPassword(_ url: String) -> String {
    let parts = url.components(separatedBy: "://")
    guard parts.count >= 2, let schemeEnd = url.index(url.startIndex, offsetBy: parts[0].count + 3, limitedBy: url.endIndex),
          let at = url[schemeEnd...].firstIndex(of: "@") else { return url }
    let userInfo = url[schemeEnd..<at]
    guard let colon = userInfo.firstIndex(of: ":") else { return url }
    return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
}
