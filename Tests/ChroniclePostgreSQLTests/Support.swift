import Chronicle
import ChroniclePostgreSQL
import Foundation
import PostgreSQL
import Testing

/// The server these tests run against; without one they are skipped.
let postgresURL: String? = ProcessInfo.processInfo.environment["CHRONICLE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

extension Trait where Self == ConditionTrait {
    /// Skips a test, saying how to run it, when no PostgreSQL server is given.
    static var needsPostgres: Self {
        .enabled(if: postgresURL != nil, """
            no PostgreSQL server given. Run tools/postgres-test.sh (it starts a throwaway \
            PostgreSQL 15 and runs these tests against it), or set \
            CHRONICLE_TEST_POSTGRES_URL=postgres://user@host:port/database (a user allowed to \
            create databases: each test gets one of its own)
            """)
    }
}

/// The repo's own PostgreSQL migrations folder, found from this file's path.
let migrationsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("migrations/postgresql")

/// A database of its own on the test server, so that tests run in parallel see only their own
/// records; dropped (with any connection still open to it) when the test is done with it.
final class TestDatabase: Sendable {
    let name: String
    let url: String

    init() throws {
        name = "chronicle_test_\(UInt64.random(in: 0...UInt64.max))"
        let admin = try Connection(url: postgresURL!)
        // The name is ours (letters, digits, _), not a user's: an identifier cannot be a parameter.
        try admin.execute("CREATE DATABASE \(name)")
        url = TestDatabase.url(postgresURL!, database: name)
    }

    /// A fresh store on this database, migrated.
    func store(poolSize: Int = 4) throws -> PostgresStore {
        try PostgresStore(url: url, migrations: PostgresMigrator(directory: migrationsDirectory), poolSize: poolSize)
    }

    deinit {
        if let admin = try? Connection(url: postgresURL!) {
            _ = try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
    }

    /// `url` naming `database` instead: a `postgres://` URL's path replaced, or a `dbname=` added
    /// to a `key=value` string (the last keyword wins).
    static func url(_ url: String, database: String) -> String {
        guard let scheme = url.range(of: "://") else { return url + " dbname=\(database)" }
        let afterScheme = url[scheme.upperBound...]
        let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? url.endIndex
        let query = url[authorityEnd...].firstIndex(of: "?").map { String(url[$0...]) } ?? ""
        return String(url[..<authorityEnd]) + "/" + database + query
    }
}

/// A value shared between threads under a lock.
final class Locked<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()

    init(_ value: Value) { stored = value }

    var value: Value { lock.withLock { stored } }

    func update<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        try lock.withLock { try body(&stored) }
    }
}
