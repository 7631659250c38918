import Chronicle
import PostgreSQL

/// One Chronicle database on a PostgreSQL server: its pool, its migrations and the
/// repositories over it. Nothing is kept in memory between requests, so any number of
/// instances may serve one database.
public final class PostgresStore: ReadSnapshots, @unchecked Sendable {  // immutable after init
    public let pool: ConnectionPool
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
    public init(url: String, migrations: PostgresMigrator, poolSize: Int = 10) throws {
        self.url = url
        try migrations.migrate(Connection(url: url))
        pool = try ConnectionPool(url: url, maxSize: poolSize)
        actors = PostgresActorRepository(pool: pool)
        events = PostgresEventRepository(pool: pool)
        quotes = PostgresQuoteRepository(pool: pool)
        sources = PostgresSourceRepository(pool: pool)
        tokens = PostgresTokenRepository(pool: pool)
        search = PostgresSearchRepository(pool: pool)
        revisions = PostgresRevisionRepository(pool: pool)
        embeddedChanges = PostgresEmbeddedChangeLog(pool: pool)
        webhooks = PostgresWebhookRepository(pool: pool)
    }

    /// One repeatable-read, read-only transaction on one connection, handed to `body` as the
    /// snapshot that the repositories' reads take, so that what they read agrees.
    public func snapshot<T>(_ body: (any ReadSnapshot) throws -> T) throws -> T {
        try pool.withConnection { db in
            try db.transaction(.repeatableRead) {
                try db.execute("SET TRANSACTION READ ONLY")
                return try body(PostgresSnapshot(connection: db, holder: nil))
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

extension ConnectionPool {
    /// `body` on the snapshot's connection when one is given, else in a repeatable-read
    /// transaction of its own (a page and its total, a record and what it embeds, agree).
    func reading<T>(in snapshot: (any ReadSnapshot)?, _ body: (Connection) throws -> T) throws -> T {
        if let snapshot {
            guard let own = snapshot as? PostgresSnapshot else { preconditionFailure("a snapshot of another store was passed to the PostgreSQL store") }
            return try body(own.connection)
        }
        return try withConnection { db in try db.transaction(.repeatableRead) { try body(db) } }
    }
}
