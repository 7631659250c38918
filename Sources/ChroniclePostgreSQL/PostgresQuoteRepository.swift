import Chronicle
import PostgreSQL

/// Quotes in PostgreSQL, with citations and search documents in one transaction.
public struct PostgresQuoteRepository: QuoteRepository, PostgresRecordRepository {
    let pool: PostgresDatabase
    /// Whether a write checks that what it refers to exists; an import that resolved every
    /// reference in the same transaction does not ask twice (the foreign keys still hold).
    var checksReferences = true

    public init(pool: ConnectionPool) { self.pool = PostgresDatabase(pool) }

    init(pool: PostgresDatabase) { self.pool = pool }

    /// The row alone; the speaker's name and the citations come with `withNames`.
    static let table = RecordTable<Quote>(name: "quotes", columns: [
        "id", "text", "language", "speaker_id", "said_date", "event_id", "context", "verification", "created_at", "updated_at", "version",
    ]) { row, first in
        let draft = QuoteDraft(text: try row.string(first + 1), language: try row.string(first + 2), speakerID: try row.optionalString(first + 3),
                               said: try row.optionalString(first + 4).map(PartialDate.init(stored:)), eventID: try row.optionalString(first + 5),
                               context: try row.optionalString(first + 6),
                               verification: VerificationStatus(rawValue: try row.string(first + 7)) ?? .unverified)
        return Quote(id: try row.string(first), draft: draft, speakerName: nil, createdAt: try row.string(first + 8),
                     updatedAt: try row.string(first + 9), version: try row.int(first + 10))
    }

    /// A quote is deleted on its own; nothing is deleted with it.
    public var deleteCascades: Bool { false }

    func write(_ db: Connection, id: String, _ draft: QuoteDraft, current: Quote?, now: String) throws {
        var check = ReferenceCheck(enabled: checksReferences)
        try check.require(db, draft.speakerID, in: "actors", kind: .actor, field: "speakerId")
        try check.require(db, draft.eventID, in: "events", kind: .event, field: "eventId")
        try check.citations(db, draft.citations)
        try check.finish()
        let columns = ["text", "language", "speaker_id", "said_date", "said_precision", "said_earliest", "said_latest", "event_id", "context", "verification"]
        let values: [PostgresValue] = [
            .text(draft.text), .text(draft.language), draft.speakerID.postgres, draft.said.storedText,
            draft.said.map { .text($0.precision.rawValue) } ?? .null, draft.said.map { .text($0.earliest) } ?? .null,
            draft.said.map { .text($0.latest) } ?? .null, draft.eventID.postgres, draft.context.postgres, .text(draft.verification.rawValue),
        ]
        if let current {
            try Self.table.update(db, id: id, expectedVersion: current.version, columns: columns, values, now: now)
        } else {
            try Self.table.insert(db, id: id, columns: columns, values, now: now, deferred: true)
        }
        try CitationTable.quotes.replace(db, owner: id, with: draft.citations, replacing: current != nil)
        try SearchDocuments.put(db, kind: .quote, id: id, title: draft.text, body: draft.context ?? "")
        // The event it left and the event it joined both show their quotes.
        for event in Set([current?.eventID, draft.eventID].compactMap({ $0 })) { try EmbeddedVersions.log(db, id: event) }
    }

    func detach(_ db: Connection, _ quote: Quote, cascade: Bool, now: String) throws {
        if let event = quote.eventID { try EmbeddedVersions.log(db, id: event) }
    }

    /// Deletes the quotes a condition on `quotes` selects (`$1`... bound to `values`), and their
    /// search documents, for a delete that cascades to them; citations go with them (ON DELETE CASCADE).
    static func deleteRows(_ db: Connection, where condition: String, _ values: [PostgresValue]) throws {
        let deleted = try db.executeCached("DELETE FROM quotes WHERE \(condition) RETURNING id, event_id", values).map { (try $0.string(0), try $0.optionalString(1)) }
        let ids = deleted.map(\.0)
        for event in Set(deleted.compactMap(\.1)) { try EmbeddedVersions.log(db, id: event) }
        try SearchDocuments.remove(db, ids: ids)
    }

    public func list(_ filter: QuoteFilter, sort: [SortKey<QuoteSortField>], page: PageRequest, in snapshot: (any ReadSnapshot)?) throws -> Page<Quote> {
        try validatePage(page)
        let keys = sort.isEmpty ? [SortKey(QuoteSortField.said)] : sort
        var query = ListQuery(from: "quotes q", idColumn: "q.id", sortSignature: signature(keys))
        query.order = keys.map { key in
            let expression: String
            switch key.field {
            // NULL (undated) first, as the empty text it stands for (no stored date is empty).
            case .said: expression = "coalesce(q.said_earliest, '')"
            case .created: expression = "q.created_at"
            case .updated: expression = "q.updated_at"
            }
            return (expression, key.descending)
        }
        if let speaker = filter.speakerID { query.filter { "q.speaker_id = \($0.bind(speaker))" } }
        if let event = filter.eventID { query.filter { "q.event_id = \($0.bind(event))" } }
        if let from = filter.from { query.filter { "q.said_latest >= \($0.bind(from.earliest))" } }
        if let to = filter.to { query.filter { "q.said_earliest <= \($0.bind(to.latest))" } }
        if let language = filter.language { query.filter { "q.language = \($0.bind(language))" } }
        if let verification = filter.verification { query.filter { "q.verification = \($0.bind(verification.rawValue))" } }
        if let source = filter.sourceID { query.filter { "q.id IN (SELECT quote_id FROM quote_citations WHERE source_id = \($0.bind(source)))" } }
        try query.matching(filter.text, kind: .quote)
        return try pool.reading(in: snapshot) { db in
            let result = try query.run(db, page: page, columns: Self.table.qualified("q"), decode: Self.table.decode)
            return Page(items: try withNames(db, result.items), nextCursor: result.next, total: result.total)
        }
    }

    public func quotes(ofEvent eventID: String, limit: Int, in snapshot: (any ReadSnapshot)?) throws -> [Quote] {
        try pool.reading(in: snapshot) { db in
            // The list's default order: coalesce(said_earliest, ''), id.
            let rows = try db.executeCached("""
                SELECT \(Self.table.qualified("q")) FROM quotes q WHERE q.event_id = $1
                ORDER BY coalesce(q.said_earliest, ''), q.id LIMIT $2
                """, [.text(eventID), .integer(Int64(limit))])
            return try withNames(db, rows.map { try Self.table.decode($0, 0) })
        }
    }

    func load(_ db: Connection, _ id: String) throws -> Quote? {
        // `=`, not `= ANY`: a plan made while the table was nearly empty (an import's first
        // lines, in one transaction) reads a key by its index however large the table grows.
        try load(db, Self.byID, [.text(id)], owners: textArray([id])).first
    }

    /// Quotes by id, with names and citations (in no particular order).
    func load(_ db: Connection, ids: [String]) throws -> [Quote] {
        guard !ids.isEmpty else { return [] }
        return try load(db, Self.byIDs, [textArray(ids)], owners: textArray(ids))
    }

    /// The rows (with their speakers' names) that `sql` selects, and the citations of `owners`,
    /// in one round trip.
    private func load(_ db: Connection, _ sql: String, _ values: [PostgresValue], owners: PostgresValue) throws -> [Quote] {
        let answers = try db.executeCachedBatch([(sql, values), (CitationTable.quotes.loadSQL, [owners])])
        let citations = try CitationTable.quotes.grouped(answers[1])
        return try answers[0].map { row in
            var quote = try Self.table.decode(row, 0)
            quote.speakerName = try row.optionalString(Self.table.columns.count)
            quote.citations = citations[quote.id] ?? []
            return quote
        }
    }

    /// A quote's row and its speaker's name (a subquery, not a join, for the same reason as `=`).
    private static let byID = "SELECT \(table.qualified("q")), (SELECT a.name FROM actors a WHERE a.id = q.speaker_id) FROM quotes q WHERE q.id = $1"
    private static let byIDs = "SELECT \(table.qualified("q")), (SELECT a.name FROM actors a WHERE a.id = q.speaker_id) FROM quotes q WHERE q.id = ANY($1::text[])"

    /// The quotes with their speakers' names and their citations (with the sources' titles).
    func withNames(_ db: Connection, _ loaded: [Quote]) throws -> [Quote] {
        guard !loaded.isEmpty else { return [] }
        var names: [String: String] = [:]
        let speakers = Array(Set(loaded.compactMap(\.speakerID)))
        if !speakers.isEmpty {
            for row in try db.executeCached("SELECT id, name FROM actors WHERE id = ANY($1::text[])", [textArray(speakers)]) {
                names[try row.string(0)] = try row.string(1)
            }
        }
        let citations = try CitationTable.quotes.load(db, owners: textArray(loaded.map(\.id)))
        return loaded.map { quote in
            var quote = quote
            quote.speakerName = quote.speakerID.flatMap { names[$0] }
            quote.citations = citations[quote.id] ?? []
            return quote
        }
    }
}
