import Chronicle
import SQLite

/// Keeps the one FTS5 table in step with the records, inside the caller's write transaction.
/// Each record's index row has rowid `seq * 4 + tag`, so it is replaced and deleted by key.
/// Every change also moves `search_index_generation` on (see `generation`): anything that
/// writes the index must go through here.
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

    private static func changed(_ db: Connection) throws {
        try db.run("UPDATE search_index_generation SET value = value + 1 WHERE id = 1")
    }

    static func put(_ db: Connection, kind: RecordKind, seq: Int64, id: String, title: String, body: String) throws {
        try changed(db)
        let rowid = seq * 4 + tag(kind)
        try db.run("DELETE FROM search_index WHERE rowid = ?", [.integer(rowid)])
        try db.run("INSERT INTO search_index (rowid, kind, record_id, title, body) VALUES (?, ?, ?, ?, ?)",
                   [.integer(rowid), .text(kind.rawValue), .text(id), .text(title), .text(body)])
    }

    static func remove(_ db: Connection, kind: RecordKind, seq: Int64) throws {
        try changed(db)
        try db.run("DELETE FROM search_index WHERE rowid = ?", [.integer(seq * 4 + tag(kind))])
    }
}
