import Chronicle
import PostgreSQL

/// Changes to what records show of other records (an actor's name and slug, a source's title
/// and address, an event's quotes), queued by the writes that make them and logged, in commit
/// order, by `RevisionLog.drain` (see migrations/postgresql/0003).
enum EmbeddedVersions {
    /// Logs that what others embed of this record changed.
    static func log(_ db: Connection, id: String) throws {
        try db.executeDeferred("INSERT INTO embedded_change_queue (record_id) VALUES ($1)", [.text(id)])
    }

    /// The events that show these quotes, logged as changed for what they embed.
    static func logEventsEmbedding(_ db: Connection, quotes ids: [String]) throws {
        guard !ids.isEmpty else { return }
        try db.executeCached("""
            INSERT INTO embedded_change_queue (record_id)
            SELECT DISTINCT event_id FROM quotes WHERE event_id IS NOT NULL AND id = ANY($1::text[])
            """, [textArray(ids)])
    }

    /// Entries kept: an instance further behind than this drops every kept body.
    static let kept: Int64 = 100_000
}

/// The store's log of changes to what records embed of others, read by the API's kept bodies.
public struct PostgresEmbeddedChangeLog: EmbeddedChanges {
    let pool: PostgresDatabase
    /// Stamps known current, when reads go to the primary only (see `CurrentStamps`); a
    /// standby's reads are checked one by one there, as it may lag.
    let stamps: CurrentStamps?

    public init(pool: ConnectionPool) { self.init(pool: PostgresDatabase(pool)) }

    init(pool: PostgresDatabase) {
        self.pool = pool
        stamps = pool.standby == nil ? CurrentStamps(pool: pool.connections) : nil
    }

    public func current(_ kind: RecordKind, _ id: String) throws -> (stamp: RecordStamp, position: Int64) {
        if let stamps, let head = stamps.look() {
            if let stamp = stamps.stamp(kind, id) { return (stamp, head.embeddedPosition) }
            let (stamp, position, feedPosition) = try read(kind, id)
            stamps.keep(stamp, of: kind, readAt: feedPosition)
            return (stamp, position)
        }
        let (stamp, position, _) = try read(kind, id)
        return (stamp, position)
    }

    /// The record's stamp, the log's end and the feed's head, in one statement and snapshot.
    private func read(_ kind: RecordKind, _ id: String) throws -> (RecordStamp, Int64, Int64) {
        try pool.readingConnection { db in
            guard let row = try db.executeCached("""
                SELECT r.version, r.created_at, h.embedded_position, h.position FROM \(kind.rawValue)s r, feed_head h WHERE r.id = $1 AND h.id = 1
                """, [.text(id)]).first else { throw ChronicleError.notFound(kind, id) }
            return (RecordStamp(id: id, version: try row.int(0), createdAt: try row.string(1)), Int64(try row.int(2)), Int64(try row.int(3)))
        }
    }

    public func position(in snapshot: (any ReadSnapshot)?) throws -> Int64 {
        try pool.reading(in: snapshot) { db in try Self.position(db) }
    }

    static func position(_ db: Connection) throws -> Int64 {
        Int64(try db.executeCached("SELECT embedded_position FROM feed_head WHERE id = 1")[0].int(0))
    }

    public func changed(after position: Int64, through end: Int64, in snapshot: (any ReadSnapshot)?) throws -> [String]? {
        try pool.reading(in: snapshot) { db in
            let horizon = Int64(try db.executeCached("SELECT horizon FROM embedded_changes_horizon WHERE id = 1")[0].int(0))
            guard position >= horizon else { return nil }
            return try db.executeCached("SELECT record_id FROM embedded_changes WHERE seq > $1 AND seq <= $2 ORDER BY seq",
                                  [.integer(position), .integer(end)]).map { try $0.string(0) }
        }
    }
}
