import Chronicle
import SQLite

/// Keeps the one FTS5 table in step with the records, inside the caller's write transaction.
/// Each record's index row has rowid `seq * 4 + tag`, so it is replaced and deleted by key.
/// Every change also moves `search_index_generation` on and logs which row that generation
/// changed (`search_index_changes`), so that kept searches can tell what a write touched:
/// anything that writes the index must go through here.
enum SearchIndex {
    /// Merges every segment of the index into one (FTS5's `optimize` command).
    static func optimize(_ db: Connection) throws {
        try db.execute("INSERT INTO search_index (search_index) VALUES ('optimize')")
    }

    /// Where FTS5 keeps the indexed rows' text: the `search_index_content` table, keyed by the
    /// index's rowid (`id`), one column per indexed column in order (`c0`…). Reading the best
    /// hits from it is a B-tree lookup per row; through the virtual table each row cost a cursor
    /// and a statement of FTS5's own, a fifth of a search. The search tests fail if it moves.
    enum Stored {
        static let table = "search_index_content"
        static let recordID = "c1", title = "c2", body = "c3"  // c0, the kind, is the rowid's tag too
    }

    static func tag(_ kind: RecordKind) -> Int64 {
        switch kind {
        case .actor: return 0
        case .event: return 1
        case .quote: return 2
        case .source: return 3
        }
    }

    /// The kind of the record an index row belongs to, from its rowid alone.
    static func kind(ofRow rowid: Int64) -> RecordKind {
        switch rowid & 3 {
        case 0: return .actor
        case 1: return .event
        case 2: return .quote
        default: return .source
        }
    }

    /// Where the index's content stands: equal in two read snapshots only when no row was
    /// added, changed or removed in between.
    static func generation(_ db: Connection) throws -> Int64 {
        try db.first("SELECT value FROM search_index_generation WHERE id = 1") { $0.int64(0) } ?? 0
    }

    /// Generations whose changed rows stay logged; a reader further behind forgets what it kept.
    static let changesLogged: Int64 = 100_000

    /// Moves the generation on and logs the row it changed.
    private static func changed(_ db: Connection, row: Int64) throws {
        try changed(db, rows: [row])
    }

    /// Moves the generation on once for each row, in order, and logs which row each changed.
    private static func changed(_ db: Connection, rows: [Int64]) throws {
        guard !rows.isEmpty else { return }
        // RETURNING gives the new value in the same statement (SQLite makes every change before
        // the first row comes back).
        let last = try db.first("UPDATE search_index_generation SET value = value + ? WHERE id = 1 RETURNING value",
                                [.integer(Int64(rows.count))]) { $0.int64(0) } ?? 0
        let first = last - Int64(rows.count) + 1
        for (offset, row) in rows.enumerated() {
            try db.run("INSERT INTO search_index_changes (generation, row) VALUES (?, ?)", [.integer(first + Int64(offset)), .integer(row)])
        }
        if last / 1024 != (first - 1) / 1024 {  // prune now and then, a range at the log's start
            try db.run("DELETE FROM search_index_changes WHERE generation <= ?", [.integer(last - changesLogged)])
        }
    }

    /// Index rows held back to go in together, after the other statements of an import's batch.
    /// Put one at a time, each between two quotes' inserts, whose trigger and constraints make
    /// SQLite open a statement savepoint, FTS5 wrote every row's terms out as a segment of its
    /// own at the next savepoint and merged them all again later: about 20 µs a quote.
    final class Held: @unchecked Sendable {  // used by the one thread writing its batch
        private var rows: [(kind: RecordKind, seq: Int64, id: String, title: String, body: String, replacing: Bool)] = []

        func hold(kind: RecordKind, seq: Int64, id: String, title: String, body: String, replacing: Bool) {
            rows.append((kind, seq, id, title, body, replacing))
        }

        /// Writes the rows held, in the order they were held (the generations each changed
        /// first, then the index's rows one after another).
        func put(_ db: Connection) throws {
            try SearchIndex.changed(db, rows: rows.map { $0.seq * 4 + SearchIndex.tag($0.kind) })
            for row in rows {
                try SearchIndex.write(db, kind: row.kind, seq: row.seq, id: row.id, title: row.title, body: row.body, replacing: row.replacing)
            }
            rows.removeAll(keepingCapacity: true)
        }

        /// Drops the rows held (their batch was rolled back).
        func discard() { rows.removeAll(keepingCapacity: true) }
    }

    /// The rows the index holds, as FTS5 counts them for its inverse document frequencies: the
    /// first varint of its averages record (rowid 1 of `search_index_data`, FTS5's format).
    /// Read in the caller's snapshot, without a query of the index.
    static func rowCount(_ db: Connection) throws -> Int64 {
        try db.first("SELECT block FROM search_index_data WHERE id = 1") { row in
            let block = row.blob(0)
            var value: UInt64 = 0
            for (index, byte) in block.prefix(9).enumerated() {
                if index == 8 { return Int64(bitPattern: (value << 8) | UInt64(byte)) }
                value = (value << 7) | UInt64(byte & 0x7F)
                if byte & 0x80 == 0 { break }
            }
            return Int64(bitPattern: value)
        } ?? 0
    }

    static func put(_ db: Connection, kind: RecordKind, seq: Int64, id: String, title: String, body: String, replacing: Bool = true) throws {
        try changed(db, row: seq * 4 + tag(kind))
        try write(db, kind: kind, seq: seq, id: id, title: title, body: body, replacing: replacing)
    }

    /// The index's row itself, without the generation (`put` moves it, `Held` for many at once).
    private static func write(_ db: Connection, kind: RecordKind, seq: Int64, id: String, title: String, body: String, replacing: Bool) throws {
        let rowid = seq * 4 + tag(kind)
        if replacing { try db.run("DELETE FROM search_index WHERE rowid = ?", [.integer(rowid)]) }
        try db.run("INSERT INTO search_index (rowid, kind, record_id, title, body) VALUES (?, ?, ?, ?, ?)",
                   [.integer(rowid), .text(kind.rawValue), .text(id), .text(title), .text(body)])
    }

    static func remove(_ db: Connection, kind: RecordKind, seq: Int64) throws {
        try changed(db, row: seq * 4 + tag(kind))
        try db.run("DELETE FROM search_index WHERE rowid = ?", [.integer(seq * 4 + tag(kind))])
    }
}
