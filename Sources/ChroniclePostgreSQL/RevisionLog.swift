import Chronicle
import FoundationEssentials
import PostgreSQL

/// Writes the revisions of what a write transaction changed. The tables' triggers queue every
/// record created, changed (its version moved) or deleted, whatever path wrote; `drain` turns
/// the queue into revisions (the record as it reads now, or a tombstone) just before the
/// transaction commits, so a write and its revisions commit together or not at all. The same
/// rules as SQLite's RevisionLog: one revision per record and transaction, in the order of each
/// record's last change, nothing for a record created and deleted in one transaction.
enum RevisionLog {
    /// One revision waiting for its feed position: made by `collect` inside a write, written by
    /// `publish` when the write's transaction (or its group's) commits.
    struct PendingRevision {
        let kind: RecordKind
        let id: String
        let number: Int
        let operation: ChangeOperation
        let state: String?
        let at: String
        let attribution: Attribution
    }

    /// `collect` and `publish` for a transaction of one write (an import's batch).
    static func drain(_ db: Connection, _ attribution: Attribution, now: String, pool: PostgresDatabase, known: RecordState? = nil) throws {
        let rows = try collect(db, attribution, now: now, pool: pool, known: known)
        if !rows.isEmpty { try publish(db, rows, pool: pool) }
    }

    /// Empties the queue of what the write changed into the revisions it makes. `known` is a
    /// record the write already read back after it, so it is not read again.
    static func collect(_ db: Connection, _ attribution: Attribution, now: String, pool: PostgresDatabase, known: RecordState? = nil) throws -> [PendingRevision] {
        // Read with the write's read-back when it was queued there (`readQueueAhead`).
        let queue = try db.takeAhead() ?? db.executeCached(queueSQL)
        let queued = try queue.map {
            (seq: try $0.int(0), kind: try $0.string(1), id: try $0.string(2), operation: try $0.string(3), version: try $0.int(4))
        }.sorted { $0.seq < $1.seq }
        guard !queued.isEmpty else { return [] }
        var last: [String: Int] = [:]
        var created = Set<String>()
        for (index, entry) in queued.enumerated() {
            let key = entry.kind + "/" + entry.id
            last[key] = index
            if entry.operation == "create" { created.insert(key) }
        }
        // The states of the records that live on, read a kind at a time (an import's batch of
        // 5,000 quotes is a few queries, not 15,000).
        var live: [RecordKind: [String]] = [:]
        var states: [String: RecordState] = [:]
        for (index, entry) in queued.enumerated() where last[entry.kind + "/" + entry.id] == index && entry.operation != "delete" {
            guard let kind = RecordKind(rawValue: entry.kind) else { continue }
            if let known, known.kind == kind, known.id == entry.id {
                states[entry.kind + "/" + entry.id] = known
            } else {
                live[kind, default: []].append(entry.id)
            }
        }
        for (kind, ids) in live {
            for state in try load(db, kind, ids, pool: pool) { states[kind.rawValue + "/" + state.id] = state }
        }
        var rows: [PendingRevision] = []
        for (index, entry) in queued.enumerated() {
            let key = entry.kind + "/" + entry.id
            guard last[key] == index, let kind = RecordKind(rawValue: entry.kind) else { continue }
            if entry.operation == "delete" {
                if created.contains(key) { continue }
                rows.append(PendingRevision(kind: kind, id: entry.id, number: entry.version + 1, operation: .delete, state: nil, at: now, attribution: attribution))
                continue
            }
            guard let state = states[key] else { continue }
            rows.append(PendingRevision(kind: kind, id: entry.id, number: state.version, operation: created.contains(key) ? .create : .update,
                            state: try state.storedJSON(), at: now, attribution: attribution))
        }
        return rows
    }

    /// Writes `rows` (in order, each write's together) at the next feed positions and commits.
    static func publish(_ db: Connection, _ rows: [PendingRevision], pool: PostgresDatabase) throws {
        // Last, and with the COMMIT in the same round trip: feed_head's row lock hands out the
        // positions of both logs and is held to the commit (see migrations/postgresql/0002,
        // 0003), so every other writer waits for this statement, the commit and its flush. The
        // queue of changes to what others embed is emptied into its log here too, and every
        // instance is told (`ChangeNotifications`) when it commits.
        let ends = try db.executeThenCommit("""
            WITH queued AS (
                DELETE FROM embedded_change_queue RETURNING seq, record_id
            ), embedded AS (
                SELECT record_id, row_number() OVER (ORDER BY seq) AS n, count(*) OVER () AS total FROM queued
            ), head AS (
                UPDATE feed_head SET position = position + $1, embedded_position = embedded_position + (SELECT count(*) FROM queued) WHERE id = 1
                RETURNING position, embedded_position
            ), logged AS (
                INSERT INTO revisions (position, kind, record_id, number, operation, at, author, note, state)
                SELECT head.position - $1 + t.ordinality, t.kind, t.record_id, t.number, t.operation, t.at, t.author, t.note, t.state
                FROM head, unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
                     WITH ORDINALITY AS t (kind, record_id, number, at, author, note, operation, state, ordinality)
            ), kept AS (
                INSERT INTO embedded_changes (seq, record_id)
                SELECT head.embedded_position - e.total + e.n, e.record_id FROM head, embedded e
            )
            SELECT embedded_position, (SELECT count(*) FROM queued), pg_notify('\(ChangeNotifications.channel)', '') FROM head
            """, [.integer(Int64(rows.count)), textArray(rows.map(\.kind.rawValue)), textArray(rows.map(\.id)),
                  textArray(rows.map { String($0.number) }), textArray(rows.map(\.at)), textArray(rows.map(\.attribution.author)),
                  textArray(rows.map(\.attribution.note)), textArray(rows.map(\.operation.rawValue)), textArray(rows.map(\.state))])[0]
        let embeddedEnd = Int64(try ends.int(0)), embeddedCount = Int64(try ends.int(1)), first = embeddedEnd - embeddedCount + 1
        // Pruned now and then (when the log crosses a multiple of 256), a range at its start,
        // after the commit: the write stands whether or not this succeeds, and the next
        // crossing prunes what this one missed.
        if embeddedCount > 0, embeddedEnd / 256 != (first - 1) / 256 {
            let horizon = embeddedEnd - EmbeddedVersions.kept
            if horizon > 0 {
                // One statement: no reader sees the rows gone and the horizon not yet moved.
                _ = try? db.executeCached("""
                    WITH raised AS (UPDATE embedded_changes_horizon SET horizon = greatest(horizon, $1) WHERE id = 1)
                    DELETE FROM embedded_changes WHERE seq <= $1
                    """, [.integer(horizon)])
            }
        }
    }

    /// Empties the queue of revisions to write, returning what was in it.
    static let queueSQL = "DELETE FROM revision_queue RETURNING seq, kind, record_id, operation, version"

    /// Queues the queue's read to go with the write's next statement (its read-back), for
    /// `drain`, which must follow with no write between.
    static func readQueueAhead(_ db: Connection) throws {
        try db.executeAhead(queueSQL)
    }

    /// The records of one kind as their repository reads them, with the names and titles they show.
    static func load(_ db: Connection, _ kind: RecordKind, _ ids: [String], pool: PostgresDatabase) throws -> [RecordState] {
        switch kind {
        case .actor: return try PostgresActorRepository(pool: pool).load(db, ids: ids).map { .actor($0) }
        case .event: return try PostgresEventRepository(pool: pool).load(db, ids: ids).map { .event($0) }
        case .quote: return try PostgresQuoteRepository(pool: pool).load(db, ids: ids).map { .quote($0) }
        case .source: return try PostgresSourceRepository.load(db, ids: ids).map { .source($0) }
        }
    }

    /// The state as JSON, encoded as SQLite's store encodes it.
    /// Revision rows as `Revision`s: the columns every query below selects, in this order.
    static let columns = "position, kind, record_id, number, operation, at, author, note, state"

    static func revision(_ row: Row) throws -> Revision {
        let kind = RecordKind(rawValue: try row.string(1)) ?? .event
        return Revision(kind: kind, id: try row.string(2), number: try row.int(3), operation: ChangeOperation(rawValue: try row.string(4)) ?? .update,
                        at: try row.string(5), attribution: Attribution(author: try row.string(6), note: try row.optionalString(7)),
                        state: try row.optionalString(8).map { try RecordState(storedJSON: $0, kind: kind) }, position: Int64(try row.int(0)))
    }
}

/// Revisions and the change feed in PostgreSQL.
public struct PostgresRevisionRepository: RevisionRepository {
    let pool: PostgresDatabase

    public init(pool: ConnectionPool) { self.pool = PostgresDatabase(pool) }

    init(pool: PostgresDatabase) { self.pool = pool }

    public func revisions(of kind: RecordKind, id: String, before: Int?, limit: Int) throws -> [Revision] {
        try pool.withConnection { db in
            try db.executeCached("""
                SELECT \(RevisionLog.columns) FROM revisions WHERE kind = $1 AND record_id = $2 AND number < $3 ORDER BY number DESC LIMIT $4
                """, [.text(kind.rawValue), .text(id), .integer(Int64(Swift.max(Int(Int32.min), min(before ?? Int(Int32.max), Int(Int32.max))))), .integer(Int64(limit))]).map(RevisionLog.revision)
        }
    }

    public func revision(of kind: RecordKind, id: String, number: Int) throws -> Revision? {
        // Numbers are PostgreSQL integers (SQLite's are 64-bit): none is past these.
        guard let number = Int32(exactly: number) else { return nil }
        return try pool.withConnection { db in
            try db.executeCached("SELECT \(RevisionLog.columns) FROM revisions WHERE kind = $1 AND record_id = $2 AND number = $3",
                           [.text(kind.rawValue), .text(id), .integer(Int64(number))]).first.map(RevisionLog.revision)
        }
    }

    public func latest(of kind: RecordKind, id: String) throws -> Revision? {
        try revisions(of: kind, id: id, before: nil, limit: 1).first
    }

    public func deletedActor(lastKnownAs slug: String) throws -> String? {
        try pool.withConnection { db in
            try db.execute("""
                SELECT d.record_id FROM revisions d
                WHERE d.kind = 'actor' AND d.operation = 'delete'
                  AND d.number = (SELECT max(m.number) FROM revisions m WHERE m.kind = 'actor' AND m.record_id = d.record_id)
                  AND (SELECT p.state FROM revisions p WHERE p.kind = 'actor' AND p.record_id = d.record_id AND p.number < d.number
                       ORDER BY p.number DESC LIMIT 1)::jsonb ->> 'slug' = $1
                ORDER BY d.position DESC LIMIT 1
                """, [.text(slug)]).first.map { try $0.string(0) }
        }
    }

    public func changes(after position: Int64, filter: ChangeFilter, limit: Int) throws -> (changes: [Revision], reached: Int64) {
        try pool.reading(in: nil) { db in
            // Read a bounded stretch of the log: a filter that matches little still answers soon,
            // with the position it got to (as SQLite's feed does).
            let head = try Self.head(db)
            let stretchEnd = filter.kinds.isEmpty ? head : min(head, position + Int64(max(limit, 1)) * 50)
            var p = Parameters()
            var sql = "SELECT \(RevisionLog.columns) FROM revisions WHERE position > \(p.bind(.integer(position))) AND position <= \(p.bind(.integer(stretchEnd)))"
            if !filter.kinds.isEmpty {
                sql += " AND kind = ANY(\(p.bind(textArray(filter.kinds.map(\.rawValue).sorted())))::text[])"
            }
            sql += " ORDER BY position LIMIT \(p.bind(.integer(Int64(limit))))"
            let changes = try db.executeCached(sql, p.values).map(RevisionLog.revision)
            let reached = changes.count == limit ? changes.last!.position : stretchEnd
            return (changes, max(reached, position))
        }
    }

    public func head() throws -> Int64 {
        try pool.withConnection { db in try Self.head(db) }
    }

    /// The last position handed out and committed (feed_head moves only with its revisions).
    static func head(_ db: Connection) throws -> Int64 {
        Int64(try db.executeCached("SELECT position FROM feed_head WHERE id = 1")[0].int(0))
    }
}
