import Chronicle
import SQLite

/// A record's version (and so its ETag) must change whenever its representation changes, or a
/// client revalidating with `If-None-Match` keeps a stale copy and one writing with `If-Match`
/// overwrites a change it never saw. Events embed their participants' names, their sources and
/// their quotes; quotes embed their speaker's name and their sources. These functions bump the
/// records that embed something a write changed, inside that write's transaction.
enum EmbeddedVersions {
    /// Events by id; ids that no longer exist are skipped.
    static func touchEvents(_ db: Connection, _ ids: [String]) throws {
        guard !ids.isEmpty else { return }
        try touch(db, table: "events", where: oneOf("id", ids), boundIDs(ids))
    }

    /// The events that embed these quotes (a quote about to be deleted, for one).
    static func touchEvents(_ db: Connection, embeddingQuotes ids: [String]) throws {
        guard !ids.isEmpty else { return }
        try touch(db, table: "events", where: "id IN (SELECT event_id FROM quotes WHERE \(oneOf("id", ids)))", boundIDs(ids))
    }

    /// Quotes by id, and the events that embed them.
    static func touchQuotes(_ db: Connection, _ ids: [String]) throws {
        guard !ids.isEmpty else { return }
        try touchEvents(db, embeddingQuotes: ids)
        try touch(db, table: "quotes", where: oneOf("id", ids), boundIDs(ids))
    }

    /// Everything that shows an actor's name or slug: events it takes part in, its quotes, and
    /// the events that embed those quotes.
    static func touchEmbedders(ofActor id: String, _ db: Connection) throws {
        try touch(db, table: "events", where: """
            id IN (SELECT event_id FROM event_participants WHERE actor_id = ?2 UNION SELECT event_id FROM quotes WHERE speaker_id = ?2)
            """, .text(id))
        try touch(db, table: "quotes", where: "speaker_id = ?2", .text(id))
    }

    /// Everything that shows a source's title or address: events and quotes citing it, and the
    /// events that embed those quotes.
    static func touchEmbedders(ofSource id: String, _ db: Connection) throws {
        try touch(db, table: "events", where: """
            id IN (SELECT event_id FROM event_citations WHERE source_id = ?2
                   UNION SELECT q.event_id FROM quote_citations c JOIN quotes q ON q.id = c.quote_id WHERE c.source_id = ?2)
            """, .text(id))
        try touch(db, table: "quotes", where: "id IN (SELECT quote_id FROM quote_citations WHERE source_id = ?2)", .text(id))
    }

    /// `condition` takes its value as ?2 (a bare ? is numbered 2 as well, after the time's ?1).
    private static func touch(_ db: Connection, table: String, where condition: String, _ value: SQLiteValue) throws {
        try db.run("UPDATE \(table) SET version = version + 1, updated_at = ?1 WHERE \(condition)", [.text(Timestamp.now()), value])
    }
}
