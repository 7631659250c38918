import Chronicle
import FoundationEssentials
import SQLite

/// One Chronicle database file: its pool, its migrations and the repositories over it.
public final class SQLiteStore: ReadSnapshots {
    public let pool: DatabasePool
    public let actors: SQLiteActorRepository
    public let events: SQLiteEventRepository
    public let quotes: SQLiteQuoteRepository
    public let sources: SQLiteSourceRepository
    public let search: SQLiteSearchRepository
    public let tokens: SQLiteTokenRepository
    public let embeddedChanges: EmbeddedChangeLog
    public let revisions: SQLiteRevisionRepository
    public let webhooks: SQLiteWebhookRepository
    /// Names and titles that lists and exports show beside records, shared by the repositories.
    let names: NameDirectory

    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    /// `readTimeLimit`, when given, replaces the configuration's (seconds a read may run).
    public init(path: String, migrations: Migrator, configuration: Configuration = Configuration(), readTimeLimit: Double? = nil) throws {
        var limited = configuration
        if let readTimeLimit { limited.readTimeLimit = readTimeLimit }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configuration = SearchFunctions.adding(to: limited)
        // Migrate before the read-only connections open, so that they see the schema.
        try migrations.migrate(Connection(path: path, configuration: configuration))
        pool = try DatabasePool(path: path, configuration: configuration)
        actors = SQLiteActorRepository(pool: pool)
        names = NameDirectory()
        events = SQLiteEventRepository(pool: pool, names: names)
        quotes = SQLiteQuoteRepository(pool: pool, names: names)
        sources = SQLiteSourceRepository(pool: pool)
        search = SQLiteSearchRepository(pool: pool)
        tokens = SQLiteTokenRepository(pool: pool)
        embeddedChanges = EmbeddedChangeLog(pool: pool)
        revisions = SQLiteRevisionRepository(pool: pool)
        webhooks = SQLiteWebhookRepository(pool: pool)
        try startHistory()
    }

    /// Records written before revisions were kept (the migration queued them) get their
    /// current state as their first revision, so every record has a history.
    private func startHistory() throws {
        let queued = try pool.readWithinLimit { db in try db.first("SELECT EXISTS (SELECT 1 FROM revision_queue)") { $0.int(0) == 1 } ?? false }
        guard queued else { return }
        let attribution = Attribution(author: "chronicle", note: "history starts here: the record existed before revisions were kept")
        try pool.writeTransaction { db in try RevisionLog.drain(db, attribution, now: Timestamp.now(), pool: pool) }
    }

    /// One read transaction on one connection, handed to `body` as the snapshot that the
    /// repositories' reads take (`find(_:in:)`), so that what they read agrees.
    public func snapshot<T>(_ body: (any ReadSnapshot) throws -> T) throws -> T {
        try pool.readWithinLimit { db in try body(SQLiteSnapshot(connection: db)) }
    }

    public func heldSnapshot() throws -> any ReadSnapshot {
        let held = try HeldTransaction(pool)
        return SQLiteSnapshot(connection: held.connection, holder: held)
    }

    /// True when no actor, event, quote or source exists yet. Asks for one row of each table,
    /// not their counts: counting 1.8 million quotes took a third of a second at every start,
    /// and would grow past the read time limit with the data.
    public func isEmpty() throws -> Bool {
        try pool.readWithinLimit { db in
            try db.first("""
                SELECT NOT EXISTS (SELECT 1 FROM actors) AND NOT EXISTS (SELECT 1 FROM events)
                   AND NOT EXISTS (SELECT 1 FROM quotes) AND NOT EXISTS (SELECT 1 FROM sources)
                """) { $0.int(0) == 1 } ?? true
        }
    }

    /// Compacts the search index into one segment, refreshes the query planner's statistics and
    /// empties the WAL. Every write adds a small index segment and a search visits each segment
    /// (once per query and once more per hit it highlights), so after a bulk import searches run
    /// about a quarter faster once this has run. Holds the writer for a few seconds per million
    /// records.
    public func optimize() throws {
        try pool.write { db in
            try SearchIndex.optimize(db)
            try db.execute("ANALYZE; PRAGMA optimize; PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    /// Writes a consistent copy of the database to `destination` (a new file) while others
    /// keep reading and writing: `VACUUM INTO` reads one snapshot on a connection of its own,
    /// so the copy holds every write committed before it began and none after, compacted. The
    /// copy is a database like any other: serve it, or put it in the original's place.
    public func backup(to destination: String) throws {
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw ChronicleError.validation([FieldError("destination", "\(destination) already exists; name a new file (a backup never overwrites)")])
        }
        let connection = try Connection(path: pool.path, readOnly: true, configuration: pool.configuration)
        _ = try connection.run("VACUUM INTO ?", [.text(destination)])
    }

    /// Answers when the database can be read, for readiness checks.
    public func ping() throws {
        _ = try pool.readWithinLimit { db in try db.first("SELECT 1") { $0.int(0) } }
    }
}

extension DatabasePool {
    /// `read`, with SQLite stopping a read at the configured time limit said in the domain's
    /// terms, so that callers can tell the user what happened.
    func readWithinLimit<T>(_ body: (Connection) throws -> T) throws -> T {
        do {
            return try read(body)
        } catch let error as SQLiteError where error.isInterrupted {
            throw ChronicleError.timeLimit(seconds: configuration.readTimeLimit ?? 0)
        }
    }
}
