import Chronicle
import FoundationEssentials
import SQLite

/// Writes the revisions of what a write transaction changed. The tables' triggers queue every
/// record created, changed (its version moved) or deleted, whatever path wrote; `drain` turns
/// the queue into revisions (the record as it reads now, or a tombstone) before the write's
/// savepoint is released, so a write and its revisions commit together or not at all.
enum RevisionLog {
    /// Empties the queue into `revisions`, attributed to `attribution`, stamped `now`.
    /// `known` is a record the write already read back after it, so it is not read again;
    /// `newQuotes`, quotes the write created under new ids, as it wrote them (an import's batch):
    /// their speakers' names and sources' titles are read here, for all of them at once.
    static func drain(_ db: Connection, _ attribution: Attribution, now: String, pool: DatabasePool, known: RecordState? = nil,
                      newQuotes: [String: Quote] = [:]) throws {
        // One revision per record and transaction: its state when the transaction ends, in the
        // order of each record's last change (a cascade's quotes go before the actor they
        // referred to, so a mirror applying the feed in order never meets a dangling reference).
        // SQLite picks each record's last entry and whether it was created here, streaming them
        // in order: an atomic import queues an entry for every line, and holding them all here
        // (with a dictionary of every record) cost it hundreds of megabytes at a million lines.
        let named = try name(db, newQuotes)
        var rows = Rows(db)
        var queued = false
        try db.query(Self.lastChanges) { entry in
            queued = true
            let kindName = entry.string(0), id = entry.string(1), operation = entry.string(2), version = entry.int(3), created = entry.int(4) == 1
            guard let kind = RecordKind(rawValue: kindName) else { return }
            if operation == "delete" {
                // A record created and deleted in one transaction was never seen: nothing to keep.
                if created { return }
                try rows.append(kind: kind, id: id, number: version + 1, operation: .delete, at: now, attribution, state: nil)
                return
            }
            let loaded: (version: Int, state: RecordState)?
            if let known, known.kind == kind, known.id == id { loaded = (known.version, known) }
            // A new quote whose last change was its creation: still as written (anything after
            // would have queued an update, and is read back).
            else if kind == .quote, operation == "create", let quote = named[id], quote.version == version {
                loaded = (quote.version, .quote(quote))
            }
            else { loaded = try load(db, kind, id, pool: pool) }
            guard let state = loaded else { return }
            try rows.append(kind: kind, id: id, number: state.version, operation: created ? .create : .update,
                            at: now, attribution, state: state.state.storedJSON())
        }
        guard queued else { return }
        try rows.finish()
        try db.run("DELETE FROM revision_queue")
    }

    /// Each queued record's last entry, in the order of the queue, with whether the record was
    /// created in this transaction (1 or 0).
    static let lastChanges = """
        SELECT kind, record_id, operation, version, created FROM (
            SELECT rowid AS position, kind, record_id, operation, version,
                   max(operation = 'create') OVER queued AS created, rowid = max(rowid) OVER queued AS last
            FROM revision_queue WINDOW queued AS (PARTITION BY kind, record_id))
        WHERE last ORDER BY position
        """

    /// The quotes with the names and titles they show, by id: one lookup of each kind for all.
    private static func name(_ db: Connection, _ quotes: [String: Quote]) throws -> [String: Quote] {
        guard !quotes.isEmpty else { return [:] }
        var list = Array(quotes.values)
        try NameDirectory(capacity: 0).name(db, quotes: &list)
        return Dictionary(list.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The record as its repository reads it, with the names and titles it shows.
    static func load(_ db: Connection, _ kind: RecordKind, _ id: String, pool: DatabasePool) throws -> (version: Int, state: RecordState)? {
        switch kind {
        case .actor: return try SQLiteActorRepository(pool: pool).load(db, id).map { ($0.version, .actor($0)) }
        case .event: return try SQLiteEventRepository(pool: pool).load(db, id).map { ($0.version, .event($0)) }
        case .quote: return try SQLiteQuoteRepository(pool: pool).load(db, id).map { ($0.version, .quote($0)) }
        case .source: return try SQLiteSourceRepository(pool: pool).load(db, id).map { ($0.version, .source($0)) }
        }
    }

    /// Revision rows going in, in order, `rowsPerStatement` to a statement (an import's batch
    /// writes thousands), the rest one at a time: two statements in all, which the connection's
    /// statement cache keeps, where one for each count left over would crowd it.
    private struct Rows {
        static let one = "(?, ?, ?, ?, ?, ?, ?, ?)"
        static let many = Array(repeating: one, count: rowsPerStatement).joined(separator: ", ")
        let db: Connection
        var values: [SQLiteValue] = []

        init(_ db: Connection) { self.db = db }

        mutating func append(kind: RecordKind, id: String, number: Int, operation: ChangeOperation, at: String,
                             _ attribution: Attribution, state: String?) throws {
            values += [.text(kind.rawValue), .text(id), .integer(Int64(number)), .text(operation.rawValue), .text(at), .text(attribution.author),
                       attribution.note.sqliteValue, state.sqliteValue]
            if values.count == 8 * rowsPerStatement {
                try insert(Self.many, values)
                values.removeAll(keepingCapacity: true)
            }
        }

        mutating func finish() throws {
            for start in stride(from: 0, to: values.count, by: 8) { try insert(Self.one, Array(values[start..<start + 8])) }
            values.removeAll()
        }

        private func insert(_ rows: String, _ values: [SQLiteValue]) throws {
            try db.run("""
                INSERT INTO revisions (kind, record_id, number, operation, at, author, note, state) VALUES \(rows)
                ON CONFLICT (kind, record_id, number) DO NOTHING
                """, values)
        }
    }

    /// Revision rows as `Revision`s: the columns every query below selects, in this order.
    static let columns = "position, kind, record_id, number, operation, at, author, note, state"

    static func revision(_ row: Statement) throws -> Revision {
        let kind = RecordKind(rawValue: row.string(1)) ?? .event
        return Revision(kind: kind, id: row.string(2), number: row.int(3), operation: ChangeOperation(rawValue: row.string(4)) ?? .update,
                        at: row.string(5), attribution: Attribution(author: row.string(6), note: row.optionalString(7)),
                        state: try row.optionalString(8).map { try RecordState(storedJSON: $0, kind: kind) }, position: row.int64(0))
    }
}

/// Revisions and the change feed in SQLite.
public struct SQLiteRevisionRepository: RevisionRepository {
    let pool: DatabasePool

    public init(pool: DatabasePool) { self.pool = pool }

    public func revisions(of kind: RecordKind, id: String, before: Int?, limit: Int) throws -> [Revision] {
        try pool.readWithinLimit { db in
            try db.all("""
                SELECT \(RevisionLog.columns) FROM revisions WHERE kind = ? AND record_id = ? AND number < ? ORDER BY number DESC LIMIT ?
                """, [.text(kind.rawValue), .text(id), .integer(Int64(before ?? Int.max)), .integer(Int64(limit))], map: RevisionLog.revision)
        }
    }

    public func revision(of kind: RecordKind, id: String, number: Int) throws -> Revision? {
        try pool.readWithinLimit { db in
            try db.first("SELECT \(RevisionLog.columns) FROM revisions WHERE kind = ? AND record_id = ? AND number = ?",
                         [.text(kind.rawValue), .text(id), .integer(Int64(number))], map: RevisionLog.revision)
        }
    }

    public func latest(of kind: RecordKind, id: String) throws -> Revision? {
        try revisions(of: kind, id: id, before: nil, limit: 1).first
    }

    public func deletedActor(lastKnownAs slug: String) throws -> String? {
        try pool.readWithinLimit { db in
            try db.first("""
                SELECT d.record_id FROM revisions d
                WHERE d.kind = 'actor' AND d.operation = 'delete'
                  AND d.number = (SELECT max(m.number) FROM revisions m WHERE m.kind = 'actor' AND m.record_id = d.record_id)
                  AND json_extract((SELECT p.state FROM revisions p WHERE p.kind = 'actor' AND p.record_id = d.record_id AND p.number < d.number
                                    ORDER BY p.number DESC LIMIT 1), '$.slug') = ?
                ORDER BY d.position DESC LIMIT 1
                """, [.text(slug)]) { $0.string(0) }
        }
    }

    public func changes(after position: Int64, filter: ChangeFilter, limit: Int) throws -> (changes: [Revision], reached: Int64) {
        try pool.readWithinLimit { db in
            // Read a bounded stretch of the log: a filter that matches little still answers soon,
            // with the position it got to.
            let head = try Self.head(db)
            let stretchEnd = filter.kinds.isEmpty ? head : min(head, position + Int64(max(limit, 1)) * 50)
            var sql = "SELECT \(RevisionLog.columns) FROM revisions WHERE position > ? AND position <= ?"
            var values: [SQLiteValue] = [.integer(position), .integer(stretchEnd)]
            if !filter.kinds.isEmpty {
                sql += " AND kind IN (\(Array(repeating: "?", count: filter.kinds.count).joined(separator: ", ")))"
                values += filter.kinds.map(\.rawValue).sorted().map { .text($0) }
            }
            sql += " ORDER BY position LIMIT ?"
            values.append(.integer(Int64(limit)))
            let changes = try db.all(sql, values, map: RevisionLog.revision)
            let reached = changes.count == limit ? changes.last!.position : stretchEnd
            return (changes, max(reached, position))
        }
    }

    public func head() throws -> Int64 {
        try pool.readWithinLimit { db in try Self.head(db) }
    }

    static func head(_ db: Connection) throws -> Int64 {
        try db.first("SELECT coalesce(max(position), 0) FROM revisions") { $0.int64(0) } ?? 0
    }
}
