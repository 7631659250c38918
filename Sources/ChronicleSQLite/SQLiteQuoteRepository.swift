import Chronicle
import SQLite

/// Quotes in SQLite, with citations and search-index rows in one transaction.
public struct SQLiteQuoteRepository: QuoteRepository, SQLiteRecordRepository {
    let pool: DatabasePool
    /// Names of speakers and titles of cited sources (see `NameDirectory`).
    let names: NameDirectory
    /// Whether a write checks that what it refers to exists; an import that resolved every
    /// reference in the same transaction does not ask twice.
    var checksReferences = true
    /// Where a write leaves its search-index row to go in with its batch's (an import's), instead
    /// of writing it at once; nil: at once.
    var heldIndexRows: SearchIndex.Held?

    public init(pool: DatabasePool) { self.init(pool: pool, names: NameDirectory(capacity: 0)) }

    init(pool: DatabasePool, names: NameDirectory) {
        self.pool = pool
        self.names = names
    }

    /// A quote's columns with its citations inline (without the speaker's name or the sources'
    /// titles: see `withCitations`), on `quotes q` alone, so that the list query can select them.
    static let table = RecordTable<Quote>(name: "quotes", columns: """
        q.id, q.text, q.language, q.speaker_id, q.citation_list, q.said_date, q.event_id, q.context,
        q.verification, q.created_at, q.updated_at, q.version
        """) { row, first in
        let draft = QuoteDraft(text: row.string(first + 1), language: row.string(first + 2), speakerID: row.optionalString(first + 3),
                               said: row.optionalString(first + 5).map(PartialDate.init(stored:)), eventID: row.optionalString(first + 6),
                               context: row.optionalString(first + 7),
                               verification: VerificationStatus(rawValue: row.string(first + 8)) ?? .unverified,
                               citations: row.withText(first + 4, InlineDependents.citations))
        return Quote(id: row.string(first), draft: draft, speakerName: nil, createdAt: row.string(first + 9),
                     updatedAt: row.string(first + 10), version: row.int(first + 11))
    }

    /// A quote is deleted on its own; nothing is deleted with it.
    public var deleteCascades: Bool { false }

    func write(_ db: Connection, id: String, _ draft: QuoteDraft, current: Quote?, now: String) throws {
        var check = ReferenceCheck(enabled: checksReferences)
        try check.require(db, draft.speakerID, in: "actors", kind: .actor, field: "speakerId")
        try check.require(db, draft.eventID, in: "events", kind: .event, field: "eventId")
        try check.citations(db, draft.citations)
        try check.finish()
        let values = Self.values(draft)
        var inserted: Int64?
        if let current {
            try Self.table.update(db, id: id, expectedVersion: current.version, set: """
                text = ?, language = ?, speaker_id = ?, said_date = ?, said_precision = ?, said_earliest = ?, said_latest = ?,
                event_id = ?, context = ?, verification = ?, citation_list = ?
                """, values, now: now)
        } else {
            inserted = try Self.table.insert(db, id: id, columns: Self.columns, values, now: now)
        }
        try CitationTable.quotes.replace(db, owner: id, with: draft.citations, replacing: current != nil)
        if let heldIndexRows, let seq = try inserted ?? Self.table.seq(db, id) {
            heldIndexRows.hold(kind: .quote, seq: seq, id: id, title: draft.text, body: draft.context ?? "", replacing: current != nil)
        } else {
            try index(db, id: id, title: draft.text, body: draft.context ?? "", isNew: current == nil)
        }
        // The event it left and the event it joined both show their quotes.
        for event in Set([current?.eventID, draft.eventID].compactMap({ $0 })) { try EmbeddedVersions.logEmbeddedChange(db, id: event) }
    }

    /// The columns a draft sets, in the order of `values`.
    static let columns = "text, language, speaker_id, said_date, said_precision, said_earliest, said_latest, event_id, context, verification, citation_list"

    static func values(_ draft: QuoteDraft) -> [SQLiteValue] {
        [.text(draft.text), .text(draft.language), draft.speakerID.sqliteValue, draft.said.storedText,
         draft.said.map { .text($0.precision.rawValue) } ?? .null, draft.said.map { .text($0.earliest) } ?? .null,
         draft.said.map { .text($0.latest) } ?? .null, draft.eventID.sqliteValue, draft.context.sqliteValue, .text(draft.verification.rawValue),
         InlineDependents.text(draft.citations)]
    }

    /// New quotes, validated and with references checked by the caller, written as `write`
    /// writes each but in statements of many rows (an import's batch): the rows, their
    /// citations, their index rows (held for the batch when `heldIndexRows` is set) and the
    /// events they joined.
    func insert(_ db: Connection, _ quotes: [(id: String, draft: QuoteDraft)], now: String) throws {
        precondition(!checksReferences, "insert(_:_:now:) is for writers that checked references themselves")
        guard !quotes.isEmpty else { return }
        let seqs = try Self.table.insert(db, rows: quotes.map { ($0.id, Self.values($0.draft)) }, columns: Self.columns, now: now)
        try CitationTable.quotes.insert(db, owners: quotes.map { ($0.id, $0.draft.citations) })
        for (quote, seq) in zip(quotes, seqs) {
            if let heldIndexRows {
                heldIndexRows.hold(kind: .quote, seq: seq, id: quote.id, title: quote.draft.text, body: quote.draft.context ?? "", replacing: false)
            } else {
                try SearchIndex.put(db, kind: .quote, seq: seq, id: quote.id, title: quote.draft.text, body: quote.draft.context ?? "", replacing: false)
            }
            if let event = quote.draft.eventID { try EmbeddedVersions.logEmbeddedChange(db, id: event) }
        }
    }

    func detach(_ db: Connection, _ quote: Quote, cascade: Bool) throws {
        try EmbeddedVersions.logEventsEmbedding(db, quotes: [quote.id])
    }

    /// Deletes one quote and its index row, for a delete that cascades to it; citations go with
    /// it (ON DELETE CASCADE).
    static func deleteRow(_ db: Connection, id: String) throws {
        guard let seq = try table.seq(db, id) else { return }
        try EmbeddedVersions.logEventsEmbedding(db, quotes: [id])
        try db.run("DELETE FROM quotes WHERE id = ?", [.text(id)])
        try SearchIndex.remove(db, kind: .quote, seq: seq)
    }

    public func list(_ filter: QuoteFilter, sort: [SortKey<QuoteSortField>], page: PageRequest, in snapshot: (any ReadSnapshot)?) throws -> Page<Quote> {
        try validatePage(page)
        let keys = sort.isEmpty ? [SortKey(QuoteSortField.said)] : sort
        var query = ListQuery(from: "quotes q", idColumn: "q.id", sortSignature: signature(keys))
        query.order = keys.map { key in
            let expression: String
            switch key.field {
            case .said: expression = "coalesce(q.said_earliest, '')"
            case .created: expression = "q.created_at"
            case .updated: expression = "q.updated_at"
            }
            return (expression, key.descending)
        }
        if let speaker = filter.speakerID { query.filter("q.speaker_id = ?", .text(speaker)) }
        if let event = filter.eventID { query.filter("q.event_id = ?", .text(event)) }
        if let from = filter.from { query.filter("q.said_latest >= ?", .text(from.earliest)) }
        // The same as said_earliest <= ?, said so that quotes_said_order serves it (migration 0012).
        if let to = filter.to { query.filter("coalesce(q.said_earliest, '') > '' AND coalesce(q.said_earliest, '') <= ?", .text(to.latest)) }
        if let language = filter.language { query.filter("q.language = ?", .text(language)) }
        if let verification = filter.verification { query.filter("q.verification = ?", .text(verification.rawValue)) }
        query.matching(filter.text, kind: .quote)
        let unsourced = query
        return try pool.reading(in: snapshot) { db in
            var query = unsourced
            if let source = filter.sourceID { try CitationTable.quotes.citing(source, ownerID: "q.id", in: &query, db) }
            // The quotes come with the page query itself, citations inline; only names are looked up.
            let result = try query.run(db, page: page, searchText: filter.text, columns: Self.table.columns, decode: Self.table.decode) 
            return Page(items: try withCitations(db, result.items), nextCursor: result.next, total: result.total)
        }
    }

    public func quotes(ofEvent eventID: String, limit: Int, in snapshot: (any ReadSnapshot)?) throws -> [Quote] {
        try pool.reading(in: snapshot) { db in
            var quotes: [Quote] = []
            // The list's default order, coalesce(said_earliest, ''), id: the same rows in the same
            // order, since NULL sorts first as '' would (no stored date is empty); written plainly
            // so that the index quotes_event_said serves it without a sort.
            try db.query("""
                SELECT \(Self.table.columns) FROM quotes q
                WHERE q.event_id = ? ORDER BY q.said_earliest, q.id LIMIT ?
                """, [.text(eventID), .integer(Int64(limit))]) { quotes.append(Self.table.decode($0, 0)) }
            return try withCitations(db, quotes)
        }
    }

    func load(_ db: Connection, _ id: String) throws -> Quote? {
        try load(db, ids: [id]).first
    }

    /// Quotes with their speakers' names and citations, in the order of `ids`.
    func load(_ db: Connection, ids: [String]) throws -> [Quote] {
        guard !ids.isEmpty else { return [] }
        var quotes: [String: Quote] = [:]
        try db.query("SELECT \(Self.table.columns) FROM quotes q WHERE \(oneOf("q.id", ids))",
                     [boundIDs(ids)]) {
            let quote = Self.table.decode($0, 0)
            quotes[quote.id] = quote
        }
        return try withCitations(db, ids.compactMap { quotes[$0] })
    }

    /// The quotes (read with their citations inline) with their speakers' names and the
    /// titles of the sources they cite.
    func withCitations(_ db: Connection, _ loaded: [Quote]) throws -> [Quote] {
        var quotes = loaded
        try names.name(db, quotes: &quotes)
        return quotes
    }
}
