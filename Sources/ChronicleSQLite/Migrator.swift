import Chronicle
import FoundationEssentials
import SQLite

/// One numbered SQL file from `migrations/`, e.g. `0001_initial_schema.sql`.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String
    public var checksum: String { SHA256.hex(sql) }

    /// Reads every `NNNN_name.sql` in `directory`, in version order.
    public static func load(from directory: URL) throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }.sorted()
        var migrations: [Migration] = []
        for file in files {
            guard let version = Int(file.prefix { $0.isNumber }), version > 0 else {
                throw MigrationError("\(file) in \(directory.path) does not start with a version number such as 0001_")
            }
            if migrations.contains(where: { $0.version == version }) {
                throw MigrationError("two migrations have version \(version); the second is \(file)")
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            migrations.append(Migration(version: version, name: file, sql: sql))
        }
        return migrations
    }
}

public struct MigrationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The state of one migration against one database, for `chronicle migrate --status`.
public struct MigrationStatus: Sendable, Equatable {
    public let migration: Migration
    public let appliedAt: String?
}

/// Applies migrations once each, in order, each in its own transaction, recording its checksum.
/// A migration that changed after it was applied stops everything: the schema would no longer
/// be what the files say.
public struct Migrator: Sendable {
    public let migrations: [Migration]

    public init(migrations: [Migration]) { self.migrations = migrations }

    public init(directory: URL) throws { try self.init(migrations: Migration.load(from: directory)) }

    private static let createTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)
        """

    /// Applies what is pending; returns the names of the migrations applied now.
    @discardableResult
    public func migrate(_ db: Connection) throws -> [String] {
        try db.execute(Migrator.createTable)
        let applied = try appliedChecksums(db)
        try verify(applied)
        var names: [String] = []
        for migration in migrations where applied[migration.version] == nil {
            try db.transaction(.immediate) {
                try db.execute(migration.sql)
                try db.run("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
                           [.integer(Int64(migration.version)), .text(migration.name), .text(migration.checksum), .text(Timestamp.now())])
            }
            names.append(migration.name)
        }
        return names
    }

    public func status(_ db: Connection) throws -> [MigrationStatus] {
        try db.execute(Migrator.createTable)
        let appliedAt = Dictionary(uniqueKeysWithValues: try db.all("SELECT version, applied_at FROM schema_migrations") { ($0.int(0), $0.string(1)) })
        try verify(try appliedChecksums(db))
        return migrations.map { MigrationStatus(migration: $0, appliedAt: appliedAt[$0.version]) }
    }

    private func appliedChecksums(_ db: Connection) throws -> [Int: (name: String, checksum: String)] {
        var result: [Int: (name: String, checksum: String)] = [:]
        try db.query("SELECT version, name, checksum FROM schema_migrations") { result[$0.int(0)] = ($0.string(1), $0.string(2)) }
        return result
    }

    private func verify(_ applied: [Int: (name: String, checksum: String)]) throws {
        for migration in migrations {
            if let record = applied[migration.version], record.checksum != migration.checksum {
                throw MigrationError("migration \(migration.name) was changed after it was applied to this database (checksum \(record.checksum.prefix(12))… on record, \(migration.checksum.prefix(12))… on disk); restore the file and add a new migration for the change")
            }
        }
        if let newest = applied.keys.max(), newest > (migrations.map(\.version).max() ?? 0) {
            throw MigrationError("the database has migration \(applied[newest]!.name) applied, which this build does not know; run a newer chronicle")
        }
    }
}
