import Chronicle
import PostgreSQL
import Synchronization

/// One Chronicle database on a PostgreSQL server: its pool, its migrations and the
/// repositories over it. What it keeps in memory between requests (the records' stamps known
/// current: `CurrentStamps`) is checked against the database at every read, so any number of
/// instances may serve one database. With a hot standby (`readURL`), reads go there when it
/// has what they must see (see `Standby`, and `ReadPositions` for read-your-writes).
public final class PostgresStore: ReadSnapshots, ReadPositions, @unchecked Sendable {  // immutable after init
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
    private let listeners = Mutex<[ChangeNotifications]>([])

    /// Connects to the database `url` names (a `postgres://` URL or libpq's `key=value` form)
    /// and applies pending migrations.
    /// `readTimeLimit`: seconds one read may run before the server stops it (nil: no limit),
    /// as SQLite's store stops a read.
    /// `readURL`: a hot standby of that database (streaming replication) for reads, skipped
    /// while it is down or more than `maxStandbyLag` seconds behind; it need not be up at start.
    public init(url: String, migrations: PostgresMigrator, poolSize: Int = 10, readTimeLimit: Double? = nil,
                readURL: String? = nil, maxStandbyLag: Double = 5) throws {
        self.url = url
        try migrations.migrate(Connection(url: url))
        pool = try ConnectionPool(url: url, maxSize: poolSize, options: Self.sessionOptions)
        let standby = readURL.map { Standby(url: $0, primaryURL: url, maxLag: maxStandbyLag, poolSize: poolSize) }
        database = PostgresDatabase(pool, readTimeLimit: readTimeLimit, standby: standby)
        standby?.start()
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

    deinit {
        database.standby?.stop()
        listeners.withLock { $0.forEach { $0.stop() } }
    }

    /// The pools' sessions plan prepared statements (`executeCached`'s: records by id, their
    /// dependents, inserts) once, for any values: with PostgreSQL's default the planner ran
    /// again for most executions, 40% of the server's CPU under single-record reads. Statements
    /// run unprepared (list pages, searches) are still planned for their values.
    static let sessionOptions = "-c plan_cache_mode=force_generic_plan"

    /// One repeatable-read, read-only transaction on one connection, handed to `body` as the
    /// snapshot that the repositories' reads take, so that what they read agrees.
    public func snapshot<T>(_ body: (any ReadSnapshot) throws -> T) throws -> T {
        try database.withinLimit {
            try database.readingConnection { db in
                // BEGIN, READ ONLY and the time limit in one round trip.
                try db.transaction(.repeatableRead, readOnly: true, setup: database.limitSetting) {
                    try body(PostgresSnapshot(connection: db, holder: nil))
                }
            }
        }
    }

    /// A snapshot on a connection of its own, outside the pool, open until released.
    public func heldSnapshot() throws -> any ReadSnapshot {
        let held = try heldTransaction()
        return PostgresSnapshot(connection: held.connection, holder: held)
    }

    /// A long read's transaction on a connection of its own: on the standby when a read may go
    /// there now (it stays there to the end), else, or when the standby cannot be reached, on
    /// the primary.
    func heldTransaction() throws -> HeldTransaction {
        if let standby = database.standby, let read = ReadContext.standbyRead, standby.pool(for: read.atLeast) != nil,
           let held = try? HeldTransaction(url: standby.url) {
            return held
        }
        return try HeldTransaction(url: url)
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

    // MARK: Read-your-writes (ReadPositions)

    /// Reads in `body` see at least `position` (a WAL position from `currentPosition`): on the
    /// standby when it has replayed that far, else on the primary.
    public func reading<T>(atLeast position: String?, _ body: () throws -> T) throws -> T {
        guard database.standby != nil else { return try body() }
        return try ReadContext.$route.withValue(.standby(atLeast: position.flatMap(Standby.lsn)), operation: body)
    }

    /// Everything `body` reads comes from the primary, where it writes.
    public func writing<T>(_ body: () throws -> T) throws -> T {
        guard database.standby != nil else { return try body() }
        return try ReadContext.$route.withValue(.primary, operation: body)
    }

    /// The primary's WAL position now; nil without a standby (reads never lag then).
    public func currentPosition() throws -> String? {
        guard database.standby != nil else { return nil }
        return try pool.withConnection { db in try db.execute("SELECT pg_current_wal_lsn()::text")[0].string(0) }
    }

    /// Where reads went, for `/metrics`; empty without a standby.
    public var standbyMetrics: String { database.standby?.metricsText ?? "" }

    /// Calls `changed` whenever any instance on the database (this one too) commits a change,
    /// from a thread of its own, until the store is released.
    public func onChanges(_ changed: @escaping @Sendable () -> Void) {
        let listener = ChangeNotifications(url: url, changed: changed)
        listener.start()
        listeners.withLock { $0.append(listener) }
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
    /// Where reads may go instead of `connections`; nil: none.
    let standby: Standby?
    /// Tokens writes may be let through on without asking (shared by the store's repositories).
    let rememberedTokens = RememberedTokens()
    /// Writes committed together (shared by the store's repositories).
    let writeGroups = WriteGroups()

    init(_ connections: ConnectionPool, readTimeLimit: Double? = nil, standby: Standby? = nil) {
        self.connections = connections
        self.readTimeLimit = readTimeLimit
        self.standby = standby
    }

    /// `body` on a connection for reading: the standby's when the read may go there (the
    /// request's `ReadContext` and the standby's state decide), else the primary's; run again on
    /// the primary when it fails on the standby for the standby's reasons (its connection lost,
    /// a conflict with recovery). Reads are safe to run twice.
    func readingConnection<T>(_ body: (Connection) throws -> T) throws -> T {
        guard let standby, let read = ReadContext.standbyRead else { return try connections.withConnection(body) }
        guard let (replica, confirmed) = standby.candidate(for: read.atLeast) else {
            standby.counted(toStandby: false)
            return try connections.withConnection(body)
        }
        do {
            return try replica.withConnection { db in
                if !confirmed, let required = read.atLeast {
                    // Behind the client's position at the monitor's last look; it may have
                    // replayed it since (a write a millisecond ago): one question tells.
                    let replayed = Standby.lsn(try db.execute("SELECT pg_last_wal_replay_lsn()::text")[0].optionalString(0))
                    guard let replayed, replayed >= required else { throw NotReplayedYet() }
                    standby.saw(replayed: replayed)
                }
                standby.counted(toStandby: true)
                return try body(db)
            }
        } catch is NotReplayedYet {
            standby.counted(toStandby: false)
            return try connections.withConnection(body)
        } catch let error as PostgresError where Standby.isStandbys(error) {
            standby.failed(error)
            return try connections.withConnection(body)
        }
    }

    /// The standby has not yet replayed what a read must see.
    private struct NotReplayedYet: Error {}

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
        return try withinLimit { try readingConnection { db in try db.transaction(.repeatableRead, setup: limitSetting) { try body(db) } } }
    }

    /// The statement that sets the read time limit for the rest of a transaction (sent with its
    /// BEGIN, in the same round trip); nil without a limit.
    var limitSetting: String? {
        guard let readTimeLimit, readTimeLimit > 0 else { return nil }
        // A number, made here: SET takes no parameters. LOCAL keeps it to this transaction.
        return "SET LOCAL statement_timeout = \(max(1, Int((readTimeLimit * 1000).rounded())))"
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

/// Where the reads of the request running on this thread may go, set around each request by
/// `PostgresStore.reading` and `.writing` (a task-local value: on a thread outside any task it is
/// the thread's own). Reads outside any request (the change streams, webhook delivery) may
/// go to the standby; a request that writes reads from the primary.
enum ReadContext {
    enum Route: Sendable {
        case primary
        /// The standby when it is up, not lagging, and has replayed `atLeast` (nil: anything).
        case standby(atLeast: UInt64?)
    }

    @TaskLocal static var route: Route?

    /// A read that may go to the standby, and what it must see there.
    struct StandbyRead {
        let atLeast: UInt64?
    }

    /// What the current read requires of the standby; nil when it must go to the primary.
    static var standbyRead: StandbyRead? {
        switch route {
        case .primary?: return nil
        case .standby(let position)?: return StandbyRead(atLeast: position)
        case nil: return StandbyRead(atLeast: nil)
        }
    }
}
