import Chronicle
import FoundationEssentials
import PostgreSQL

/// One numbered SQL file from `migrations/postgresql/`, e.g. `0001_initial_schema.sql`.
public struct PostgresMigration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String
    public var checksum: String { SHA256.hex(sql) }

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Reads every `NNNN_name.sql` in `directory`, in version order.
    public static func load(from directory: URL) throws -> [PostgresMigration] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }.sorted()
        var migrations: [PostgresMigration] = []
        for file in files {
            guard let version = Int(file.prefix { $0.isNumber }), version > 0 else {
                throw PostgresMigrationError("\(file) in \(directory.path) does not start with a version number such as 0001_")
            }
            if migrations.contains(where: { $0.version == version }) {
                throw PostgresMigrationError("two migrations have version \(version); the second is \(file)")
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            migrations.append(PostgresMigration(version: version, name: file, sql: sql))
        }
        return migrations
    }
}

public struct PostgresMigrationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Applies migrations once each, in order, each in its own transaction, recording its checksum
/// in `schema_migrations`, as SQLite's `Migrator` does. A migration that changed after it was
/// applied, or one applied that this build does not know, stops everything.
///
/// Several instances may start against one database at once: each migrates under one
/// transaction-level advisory lock, so the second waits, then finds nothing pending.
public struct PostgresMigrator: Sendable {
    public let migrations: [PostgresMigration]

    public init(migrations: [PostgresMigration]) { self.migrations = migrations }

    public init(directory: URL) throws { try self.init(migrations: PostgresMigration.load(from: directory)) }

    /// The advisory lock's key: "chronicle migrate" in a 64-bit number, the same in every instance.
    static let lockKey: Int64 = 0x6368_726f_6e6d_6967

    private static let createTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at text NOT NULL)
        """

    /// Applies what is pending; returns the names of the migrations applied now.
    @discardableResult
    public func migrate(_ db: Connection) throws -> [String] {
        try db.transaction {
            try db.execute("SELECT pg_advisory_xact_lock($1::bigint)", [.integer(Self.lockKey)])
            try db.execute(Self.createTable)
        }
        var names: [String] = []
        for migration in migrations {
            let applied: Bool = try db.transaction {
                // Every migration waits for the lock and checks again: another instance may have
                // applied it meanwhile.
                try db.execute("SELECT pg_advisory_xact_lock($1::bigint)", [.integer(Self.lockKey)])
                let applied = try appliedChecksums(db)
                try verify(applied)
                guard applied[migration.version] == nil else { return false }
                try db.executeScript(migration.sql)
                try db.execute("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
                               [.integer(Int64(migration.version)), .text(migration.name), .text(migration.checksum), .text(Timestamp.now())])
                return true
            }
            if applied { names.append(migration.name) }
        }
        if migrations.isEmpty { try verify(try appliedChecksums(db)) }
        return names
    }

    /// Each migration and when it was applied (nil: pending), after checking the checksums.
    public func status(_ db: Connection) throws -> [(migration: PostgresMigration, appliedAt: String?)] {
        try db.execute(Self.createTable)
        try verify(try appliedChecksums(db))
        var appliedAt: [Int: String] = [:]
        for row in try db.execute("SELECT version, applied_at FROM schema_migrations") { appliedAt[try row.int(0)] = try row.string(1) }
        return migrations.map { ($0, appliedAt[$0.version]) }
    }

    private func appliedChecksums(_ db: Connection) throws -> [Int: (name: String, checksum: String)] {
        var result: [Int: (name: String, checksum: String)] = [:]
        for row in try db.execute("SELECT version, name, checksum FROM schema_migrations") {
            result[try row.int(0)] = (try row.string(1), try row.string(2))
        }
        return result
    }

    private func verify(_ applied: [Int: (name: String, checksum: String)]) throws {
        for migration in migrations {
            if let record = applied[migration.version], record.checksum != migration.checksum {
                throw PostgresMigrationError("migration \(migration.name) was changed after it was applied to this database (checksum \(record.checksum.prefix(12))… on record, \(migration.checksum.prefix(12))… on disk); restore the file and add a new migration for the change")
            }
        }
        if let newest = applied.keys.max(), newest > (migrations.map(\.version).max() ?? 0) {
            throw PostgresMigrationError("the database has migration \(applied[newest]!.name) applied, which this build does not know; run a newer chronicle")
        }
    }
}
