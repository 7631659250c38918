import Chronicle
import SQLite

/// Rows one statement writes where many go in together (an import's batch): one statement's
/// set-up and statement journal for all of them. Each row's values are bound: 64 quotes are
/// 960, under the 999 that SQLite allowed before 3.32 (32,766 since).
let rowsPerStatement = 64

/// One record kind's table as its repository uses it: the columns a `SELECT` names, paired with
/// the decoder that reads them by position; its row's search-index number; its version guard.
struct RecordTable<Record: VersionedRecord>: Sendable {
    let name: String
    /// The columns `decode` reads, in order (qualified with the alias a query gives the table).
    let columns: String
    /// A record from `columns`, read from column `first` on.
    let decode: @Sendable (_ row: Statement, _ first: Int) -> Record

    /// The record's row number, which numbers its search-index row; nil when it does not exist.
    func seq(_ db: Connection, _ id: String) throws -> Int64? {
        try db.first("SELECT seq FROM \(name) WHERE id = ?", [.text(id)]) { $0.int64(0) }
    }

    func stamp(_ db: Connection, _ id: String) throws -> RecordStamp {
        guard let stamp = try db.first("SELECT version, created_at FROM \(name) WHERE id = ?", [.text(id)], map: {
            RecordStamp(id: id, version: $0.int(0), createdAt: $0.string(1))
        }) else { throw ChronicleError.notFound(Record.kind, id) }
        return stamp
    }

    /// Inserts a new record at version 1: `id`, the draft's `columns` with `values`, and the times.
    /// Returns the new row's `seq` (which numbers its search-index row), so nothing reads it back.
    @discardableResult
    func insert(_ db: Connection, id: String, columns: String, _ values: [SQLiteValue], now: String) throws -> Int64 {
        let placeholders = Array(repeating: "?", count: values.count + 3).joined(separator: ", ")
        try db.run("INSERT INTO \(name) (id, \(columns), created_at, updated_at, version) VALUES (\(placeholders), 1)",
                   [.text(id)] + values + [.text(now), .text(now)])
        // The row's own: SQLite restores the last rowid after its triggers' inserts.
        return db.lastInsertRowID
    }

    /// Inserts new records at version 1 in one statement, as `insert` does each, and returns
    /// their `seq`s in order: one statement for many rows costs SQLite one statement's set-up and
    /// one statement journal instead of one each. Each row's `values` match `columns`.
    func insert(_ db: Connection, rows: [(id: String, values: [SQLiteValue])], columns: String, now: String) throws -> [Int64] {
        guard let width = rows.first?.values.count else { return [] }
        // The numbers SQLite would give them one by one (one past the largest: `seq` is an
        // INTEGER PRIMARY KEY without AUTOINCREMENT), given here so that they are known without
        // a read-back; the caller holds the write lock, so nothing else inserts in between.
        let first = try db.first("SELECT coalesce(max(seq), 0) + 1 FROM \(name)") { $0.int64(0) } ?? 1
        let row = "(" + Array(repeating: "?", count: width + 4).joined(separator: ", ") + ", 1)"
        var values: [SQLiteValue] = []
        values.reserveCapacity((width + 4) * rows.count)
        for (offset, row) in rows.enumerated() {
            values.append(.integer(first + Int64(offset)))
            values.append(.text(row.id))
            values += row.values
            values.append(.text(now))
            values.append(.text(now))
        }
        try db.run("INSERT INTO \(name) (seq, id, \(columns), created_at, updated_at, version) VALUES "
                   + Array(repeating: row, count: rows.count).joined(separator: ", "), values)
        return (0..<Int64(rows.count)).map { first + $0 }
    }

    /// Sets the draft's columns (`assignments`, e.g. `title = ?, url = ?`) and moves the version
    /// on, only while the record is still at `expectedVersion`: the guard is in the statement
    /// itself, so no path can write over a version it did not read.
    func update(_ db: Connection, id: String, expectedVersion: Int, set assignments: String, _ values: [SQLiteValue], now: String) throws {
        let changed = try db.run("UPDATE \(name) SET \(assignments), updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
                                 values + [.text(now), .text(id), .integer(Int64(expectedVersion))])
        guard changed == 1 else {
            let current = try stamp(db, id).version
            throw ChronicleError.versionConflict(Record.kind, id: id, expected: expectedVersion, current: current)
        }
    }
}

/// A read in the caller's snapshot: the store's own, handed out by `SQLiteStore.snapshot`.
struct SQLiteSnapshot: ReadSnapshot {
    let connection: Connection
    /// What keeps a held snapshot's transaction open (see `HeldTransaction`); nil for one
    /// lent for the length of a `snapshot` call.
    var holder: HeldTransaction?
}

/// A read transaction on a connection of its own, open until the last snapshot holding it is
/// released. SQLite's read-only connections may be used from one thread after another, which
/// is how a streamed export is read: a chunk at a time, on whichever worker is free.
final class HeldTransaction: @unchecked Sendable {  // used by one thread at a time
    let connection: Connection

    init(_ pool: DatabasePool) throws {
        connection = try Connection(path: pool.path, readOnly: true, configuration: pool.configuration)
        try connection.execute("BEGIN")
        // The snapshot starts with the first read, here, not when the first page is asked for.
        _ = try connection.first("SELECT count(*) FROM sqlite_master") { $0.int(0) }
    }

    deinit { try? connection.execute("COMMIT") }
}

extension DatabasePool {
    /// `body` on the snapshot's connection when one is given, else in a read of its own.
    func reading<T>(in snapshot: (any ReadSnapshot)?, _ body: (Connection) throws -> T) throws -> T {
        guard let snapshot else { return try readWithinLimit(body) }
        guard let own = snapshot as? SQLiteSnapshot else { preconditionFailure("a snapshot of another store was passed to the SQLite store") }
        return try body(own.connection)
    }
}

/// The shape the four SQLite repositories share: create, find, update under a version and
/// delete are the same steps for every kind; a kind says only how its row and what hangs off it
/// are written (`write`), read (`load`) and unhooked before a delete (`detach`).
protocol SQLiteRecordRepository: RecordRepository {
    var pool: DatabasePool { get }
    static var table: RecordTable<Record> { get }
    /// The record with what it embeds, by id (or another key the kind accepts, like a slug).
    func load(_ db: Connection, _ id: String) throws -> Record?
    /// Writes the record's row (`current` is nil on create) and everything hanging off it:
    /// dependents, the search-index row, the versions of records that embed it.
    func write(_ db: Connection, id: String, _ draft: Record.Draft, current: Record?, now: String) throws
    /// Removes what refers to the record before it is deleted, or refuses while anything does
    /// (unless `cascade`).
    func detach(_ db: Connection, _ record: Record, cascade: Bool) throws
}

extension SQLiteRecordRepository {
    public var deleteCascades: Bool { true }

    public func create(_ draft: Record.Draft, by attribution: Attribution) throws -> Record {
        try draft.validate()
        return try recording(attribution) { db, now in
            let id = Identifier.make(Record.kind)
            try write(db, id: id, draft, current: nil, now: now)
            return try load(db, id)!
        }
    }

    public func find(_ id: String, in snapshot: (any ReadSnapshot)?) throws -> Record {
        try pool.reading(in: snapshot) { db in
            guard let record = try load(db, id) else { throw ChronicleError.notFound(Record.kind, id) }
            return record
        }
    }

    public func update(_ id: String, expectedVersion: Int, with draft: Record.Draft, by attribution: Attribution) throws -> Record {
        try draft.validate()
        return try recording(attribution) { db, now in
            guard let current = try load(db, id) else { throw ChronicleError.notFound(Record.kind, id) }
            guard current.version == expectedVersion else {
                throw ChronicleError.versionConflict(Record.kind, id: current.id, expected: expectedVersion, current: current.version)
            }
            if draft.saysTheSame(as: current.draft) { return current }
            try write(db, id: current.id, draft, current: current, now: now)
            return try load(db, current.id)!
        }
    }

    public func delete(_ id: String, cascade: Bool, by attribution: Attribution) throws {
        try recording(attribution) { db, _ in
            guard let record = try load(db, id), let seq = try Self.table.seq(db, record.id) else { throw ChronicleError.notFound(Record.kind, id) }
            try detach(db, record, cascade: cascade)
            try db.run("DELETE FROM \(Self.table.name) WHERE id = ?", [.text(record.id)])
            try SearchIndex.remove(db, kind: Record.kind, seq: seq)
        }
    }

    public func restore(_ id: String, to draft: Record.Draft, createdAt: String, expectedVersion: Int?, by attribution: Attribution) throws -> Record {
        try draft.validate()
        return try recording(attribution) { db, now in
            if let current = try load(db, id), current.id == id {
                // Live: only at the version the caller read; nil expected it deleted (another
                // restore won the race).
                guard let expectedVersion, current.version == expectedVersion else {
                    throw ChronicleError.versionConflict(Record.kind, id: id, expected: expectedVersion ?? 0, current: current.version)
                }
                // Restoring what the record already says changes nothing, as a PATCH would not.
                if draft.saysTheSame(as: current.draft) { return current }
                try write(db, id: id, draft, current: current, now: now)
                return try load(db, id)!
            }
            // Back under its own id, numbered on from its deletion, with its first creation time.
            let last = try db.first("SELECT max(number) FROM revisions WHERE kind = ? AND record_id = ?",
                                    [.text(Record.kind.rawValue), .text(id)]) { $0.optionalInt(0) } ?? nil
            guard let last else { throw ChronicleError.notFound(Record.kind, id) }
            try write(db, id: id, draft, current: nil, now: now)
            try db.run("UPDATE \(Self.table.name) SET version = ?, created_at = ? WHERE id = ?",
                       [.integer(Int64(last + 1)), .text(createdAt), .text(id)])
            return try load(db, id)!
        }
    }

    /// `body` in a write transaction, with the revisions of everything it changed written
    /// before it commits.
    func recording<T>(_ attribution: Attribution, _ body: (Connection, String) throws -> T) throws -> T {
        try pool.writeTransaction { db in
            let now = Timestamp.now()
            let result = try body(db, now)
            try RevisionLog.drain(db, attribution, now: now, pool: pool, known: (result as? Record).map(RecordState.init))
            return result
        }
    }

    /// The record's search-index row: `title` weighs five times `body`.
    /// `isNew` for a record just inserted, which has no index row to replace yet.
    func index(_ db: Connection, id: String, title: String, body: String, isNew: Bool = false) throws {
        guard let seq = try Self.table.seq(db, id) else { return }
        try SearchIndex.put(db, kind: Record.kind, seq: seq, id: id, title: title, body: body, replacing: !isNew)
    }
}
