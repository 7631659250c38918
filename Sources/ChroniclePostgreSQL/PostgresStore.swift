import Chronicle
import PostgreSQL

/// One Chronicle database on a PostgreSQL server: its pool, its migrations and the
/// repositories over it. Nothing is kept in memory between requests, so any number of
/// instances may serve one database.
public final class PostgresStore: ReadSnapshots, @unchecked Sendable {  // immutable after init
    public let pool: ConnectionPool
    /// The pool with the read time limit, as the repositories use it.
    let database: PostgresDatabase
    public let actors: PostgresActorRepository
    public let events: PostgresEventRepository
    public let quotes: PostgresQuoteRepository
    public let sources: PostgresSourceRepository
    public let tokens: PostgresTokenRepository
    public let search: PostgresSearchRepository
    public let revisions: PostgresRevisionRepository
    public let embeddedChanges: PostgresEmbeddedChangeLog
    public let webhooks: PostgresWebhookRepository
    let url: String

    /// Connects to the database `url` names (a `postgres://` URL or libpq's `key=value` form)
    /// and applies pending migrations.
    /// `readTimeLimit`: seconds one read may run before the server stops it (nil: no limit),
    /// as SQLite's store stops a read.
    public init(url: String, migrations: PostgresMigrator, poolSize: Int = 10, readTimeLimit: Double? = nil) throws {
        self.url = url
        try migrations.migrate(Connection(url: url))
        pool = try ConnectionPool(url: url, maxSize: poolSize)
        database = PostgresDatabase(pool, readTimeLimit: readTimeLimit)
        actors = PostgresActorRepository(pool: database)
        events = PostgresEventRepository(pool: database)
        quotes = PostgresQuoteRepository(pool: database)
        sources = PostgresSourceRepository(pool: database)
        tokens = PostgresTokenRepository(pool: database)
        search = PostgresSearchRepository(pool: database)
        revisions = PostgresRevisionRepository(pool: database)
        embeddedChanges = PostgresEmbeddedChangeLog(pool: database)
        webhooks = PostgresWebhookRepository(pool: database)
    }

    /// One repeatable-read, read-only transaction on one connection, handed to `body` as the
    /// snapshot that the repositories' reads take, so that what they read agrees.
    public func snapshot<T>(_ body: (any ReadSnapshot) throws -> T) throws -> T {
        try database.withinLimit {
            try pool.withConnection { db in
                try db.transaction(.repeatableRead) {
                    try db.execute("SET TRANSACTION READ ONLY")
                    try database.limit(db)
                    return try body(PostgresSnapshot(connection: db, holder: nil))
                }
            }
        }
    }

    /// A snapshot on a connection of its own, outside the pool, open until released.
    public func heldSnapshot() throws -> any ReadSnapshot {
        let held = try HeldTransaction(url: url)
        return PostgresSnapshot(connection: held.connection, holder: held)
    }

    /// True when no actor, event, quote or source exists yet.
    public func isEmpty() throws -> Bool {
        try pool.withConnection { db in
            try db.execute("""
                SELECT NOT EXISTS (SELECT 1 FROM actors) AND NOT EXISTS (SELECT 1 FROM events)
                   AND NOT EXISTS (SELECT 1 FROM quotes) AND NOT EXISTS (SELECT 1 FROM sources)
                """)[0].bool(0)
        }
    }

    /// Answers when the database can be read, for readiness checks.
    public func ping() throws {
        try pool.withConnection { db in _ = try db.execute("SELECT 1") }
    }
}

/// A read in the caller's snapshot: the store's own, handed out by `PostgresStore.snapshot`.
struct PostgresSnapshot: ReadSnapshot {
    let connection: Connection
    /// What keeps a held snapshot's transaction open; nil for one lent for a `snapshot` call.
    var holder: HeldTransaction?
}

/// A repeatable-read transaction on a connection of its own, open until the last snapshot
/// holding it is released; used by one thread at a time.
final class HeldTransaction: @unchecked Sendable {
    let connection: Connection

    init(url: String) throws {
        connection = try Connection(url: url)
        try connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        // The snapshot starts with the first statement, here, not when the first page is asked for.
        _ = try connection.execute("SELECT 1")
    }

    deinit { _ = try? connection.execute("COMMIT") }
}

/// The pool as the repositories use it: writes in transactions of their own, reads in
/// repeatable-read transactions stopped after the store's read time limit.
struct PostgresDatabase: Sendable {
    let connections: ConnectionPool
    /// Seconds one read may run before the server stops it (statement_timeout); nil: no limit.
    let readTimeLimit: Double?

    init(_ connections: ConnectionPool, readTimeLimit: Double? = nil) {
        self.connections = connections
        self.readTimeLimit = readTimeLimit
    }

    func withConnection<T>(_ body: (Connection) throws -> T) throws -> T { try connections.withConnection(body) }

    /// A write transaction (READ COMMITTED), without a time limit.
    func transaction<T>(_ body: (Connection) throws -> T) throws -> T { try connections.transaction(nil, body) }

    /// `body` on the snapshot's connection when one is given, else in a repeatable-read
    /// transaction of its own (a page and its total, a record and what it embeds, agree), which
    /// the server stops after `readTimeLimit`, said as `ChronicleError.timeLimit`.
    func reading<T>(in snapshot: (any ReadSnapshot)?, _ body: (Connection) throws -> T) throws -> T {
        if let snapshot {
            guard let own = snapshot as? PostgresSnapshot else { preconditionFailure("a snapshot of another store was passed to the PostgreSQL store") }
            return try body(own.connection)
        }
        return try withinLimit { try withConnection { db in try db.transaction(.repeatableRead) { try limit(db); return try body(db) } } }
    }

    /// Sets the read time limit for the rest of the caller's transaction.
    func limit(_ db: Connection) throws {
        guard let readTimeLimit, readTimeLimit > 0 else { return }
        // SET takes no parameters; set_config does, and is_local keeps it to this transaction.
        try db.execute("SELECT set_config('statement_timeout', $1, true)", [.text("\(max(1, Int((readTimeLimit * 1000).rounded())))ms")])
    }

    /// `body`, with the server's cancellation at the time limit (57014) said in the domain's terms.
    func withinLimit<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError where error.sqlState == "57014" && readTimeLimit != nil {
            throw ChronicleError.timeLimit(seconds: readTimeLimit ?? 0)
        }
    }
}
