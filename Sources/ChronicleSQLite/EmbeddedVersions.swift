import Chronicle
import SQLite

/// A record's version (and so its ETag's first part) changes with its own fields alone:
/// bounded work, and each version is a revision of the record (see `RevisionLog`). What records
/// embed of others does not move their versions, however many show it: an actor's name and
/// slug, a source's title and address, an event's quotes. Such a change is logged in
/// `embedded_changes` instead, so that kept bodies embedding it are dropped (see
/// `EmbeddedChangeLog`).
enum EmbeddedVersions {
    /// Events by id, whose own fields changed with another record (a participant or citation
    /// removed by a cascade); ids that no longer exist are skipped.
    static func touchEvents(_ db: Connection, _ ids: [String]) throws {
        guard !ids.isEmpty else { return }
        try InlineDependents.refreshEvents(db, ids)
        try touch(db, table: "events", where: oneOf("id", ids), boundIDs(ids))
    }

    /// Quotes by id whose own fields changed with another record (a citation removed).
    static func touchQuotes(_ db: Connection, _ ids: [String]) throws {
        guard !ids.isEmpty else { return }
        try logEventsEmbedding(db, quotes: ids)
        try InlineDependents.refreshQuotes(db, ids)
        try touch(db, table: "quotes", where: oneOf("id", ids), boundIDs(ids))
    }

    /// The events that show these quotes, logged as changed for what they embed.
    static func logEventsEmbedding(_ db: Connection, quotes ids: [String]) throws {
        guard !ids.isEmpty else { return }
        let events = try db.all("SELECT DISTINCT event_id FROM quotes WHERE event_id IS NOT NULL AND \(oneOf("id", ids))", [boundIDs(ids)]) { $0.string(0) }
        for event in events { try logEmbeddedChange(db, id: event) }
    }

    /// Logs that what others embed of this actor or source changed: one row, whatever cites it.
    static func logEmbeddedChange(_ db: Connection, id: String) throws {
        try db.run("INSERT INTO embedded_changes (record_id) VALUES (?)", [.text(id)])
        let position = db.lastInsertRowID
        guard position % 256 == 0 else { return }  // prune now and then, a range at the log's start
        let horizon = position - EmbeddedChangeLog.kept
        try db.run("DELETE FROM embedded_changes WHERE seq <= ?", [.integer(horizon)])
        try db.run("UPDATE embedded_changes_horizon SET horizon = max(horizon, ?) WHERE id = 1", [.integer(horizon)])
    }

    /// `condition` takes its value as ?2 (a bare ? is numbered 2 as well, after the time's ?1).
    private static func touch(_ db: Connection, table: String, where condition: String, _ value: SQLiteValue) throws {
        try db.run("UPDATE \(table) SET version = version + 1, updated_at = ?1 WHERE \(condition)", [.text(Timestamp.now()), value])
    }
}

/// The store's log of changes to what records embed of others, read by the API's kept bodies.
public struct EmbeddedChangeLog: EmbeddedChanges {
    let pool: DatabasePool
    /// Entries kept: a server further behind than this drops every kept body.
    static let kept: Int64 = 100_000

    public func current(_ kind: RecordKind, _ id: String) throws -> (stamp: RecordStamp, position: Int64) {
        try pool.readWithinLimit { db in
            // One statement, one snapshot: the record's version and the log's end agree.
            guard let found = try db.first("""
                SELECT version, created_at, (SELECT coalesce(max(seq), 0) FROM embedded_changes) FROM \(kind.rawValue)s WHERE id = ?
                """, [.text(id)], map: { (RecordStamp(id: id, version: $0.int(0), createdAt: $0.string(1)), $0.int64(2)) })
            else { throw ChronicleError.notFound(kind, id) }
            return found
        }
    }

    public func position(in snapshot: (any ReadSnapshot)?) throws -> Int64 {
        try pool.reading(in: snapshot) { db in try Self.position(db) }
    }

    static func position(_ db: Connection) throws -> Int64 {
        try db.first("SELECT coalesce(max(seq), 0) FROM embedded_changes") { $0.int64(0) } ?? 0
    }

    public func changed(after position: Int64, through end: Int64, in snapshot: (any ReadSnapshot)?) throws -> [String]? {
        try pool.reading(in: snapshot) { db in
            let horizon = try db.first("SELECT horizon FROM embedded_changes_horizon WHERE id = 1") { $0.int64(0) } ?? 0
            guard position >= horizon else { return nil }
            return try db.all("SELECT record_id FROM embedded_changes WHERE seq > ? AND seq <= ?", [.integer(position), .integer(end)]) { $0.string(0) }
        }
    }
}
