import Chronicle
import PostgreSQL

/// Events in PostgreSQL, with participants, citations and search documents in one transaction.
public struct PostgresEventRepository: EventRepository, PostgresRecordRepository {
    let pool: PostgresDatabase
    /// Whether a write checks that what it refers to exists; an import that resolved every
    /// reference in the same transaction does not ask twice (the foreign keys still hold).
    var checksReferences = true

    public init(pool: ConnectionPool) { self.pool = PostgresDatabase(pool) }

    init(pool: PostgresDatabase) { self.pool = pool }

    /// The row alone; participants and citations come from their tables (`withDependents`).
    static let table = RecordTable<Event>(
        name: "events",
        columns: ["id", "title", "summary", "start_date", "end_date", "location_name", "location_country", "category", "created_at", "updated_at", "version"]
    ) { row, first in
        let draft = EventDraft(title: try row.string(first + 1), summary: try row.optionalString(first + 2), start: PartialDate(stored: try row.string(first + 3)),
                               end: try row.optionalString(first + 4).map(PartialDate.init(stored:)), locationName: try row.optionalString(first + 5),
                               locationCountry: try row.optionalString(first + 6), category: EventCategory(rawValue: try row.string(first + 7)) ?? .other)
        return Event(id: try row.string(first), draft: draft, createdAt: try row.string(first + 8), updatedAt: try row.string(first + 9),
                     version: try row.int(first + 10))
    }

    func write(_ db: Connection, id: String, _ draft: EventDraft, current: Event?, now: String) throws {
        var check = ReferenceCheck(enabled: checksReferences)
        for (index, participant) in draft.participants.enumerated() {
            try check.require(db, participant.actorID, in: "actors", kind: .actor, field: "participants[\(index)].actorId")
        }
        try check.citations(db, draft.citations)
        try check.finish()
        let columns = ["title", "summary", "start_date", "start_precision", "start_earliest", "end_date", "end_precision", "span_latest",
                       "location_name", "location_country", "category"]
        let values: [PostgresValue] = [
            .text(draft.title), draft.summary.postgres, .text(draft.start.description), .text(draft.start.precision.rawValue),
            .text(draft.start.earliest), draft.end.storedText, draft.end.map { .text($0.precision.rawValue) } ?? .null,
            .text(draft.end?.latest ?? draft.start.latest), draft.locationName.postgres, draft.locationCountry.postgres, .text(draft.category.rawValue),
        ]
        if let current {
            try Self.table.update(db, id: id, expectedVersion: current.version, columns: columns, values, now: now)
            try db.executeDeferred("DELETE FROM event_participants WHERE event_id = $1", [.text(id)])
        } else {
            try Self.table.insert(db, id: id, columns: columns, values, now: now, deferred: true)
        }
        try EventSpanBound.cover(db, from: draft.start.earliest, to: draft.end?.latest ?? draft.start.latest)
        for (position, participant) in draft.participants.enumerated() {
            try db.executeDeferred("INSERT INTO event_participants (event_id, actor_id, role, position) VALUES ($1, $2, $3, $4)",
                           [.text(id), .text(participant.actorID), .text(participant.role.rawValue), .integer(Int64(position))])
        }
        try CitationTable.events.replace(db, owner: id, with: draft.citations, replacing: current != nil)
        try SearchDocuments.put(db, kind: .event, id: id, title: draft.title, body: [draft.summary, draft.locationName].compactMap { $0 }.joined(separator: " · "))
    }

    func detach(_ db: Connection, _ event: Event, cascade: Bool, now: String) throws {
        let references = try referenceSummary(db, [("SELECT count(*) FROM quotes WHERE event_id = $1", "quote")], id: event.id)
        guard !references.isEmpty else { return }
        guard cascade else { throw ChronicleError.stillReferenced(.event, id: event.id, references: references) }
        try PostgresQuoteRepository.deleteRows(db, where: "event_id = $1", [.text(event.id)])
    }

    /// The page query of a list: its filters and its order.
    private func listQuery(_ filter: EventFilter, sort: [SortKey<EventSortField>]) throws -> ListQuery {
        let keys = sort.isEmpty ? [SortKey(EventSortField.start)] : sort
        var query = ListQuery(from: "events e", idColumn: "e.id", sortSignature: signature(keys))
        query.order = keys.map { key in
            let expression: String
            switch key.field {
            case .start: expression = "e.start_earliest"
            case .end: expression = "e.span_latest"
            case .title: expression = "e.title"
            case .created: expression = "e.created_at"
            case .updated: expression = "e.updated_at"
            }
            return (expression, key.descending)
        }
        switch (filter.actorID, filter.role) {
        case let (actor?, role?):
            query.filter { "e.id IN (SELECT event_id FROM event_participants WHERE actor_id = \($0.bind(actor)) AND role = \($0.bind(role.rawValue)))" }
        case let (actor?, nil):
            query.filter { "e.id IN (SELECT event_id FROM event_participants WHERE actor_id = \($0.bind(actor)))" }
        case let (nil, role?):
            query.filter { "e.id IN (SELECT event_id FROM event_participants WHERE role = \($0.bind(role.rawValue)))" }
        case (nil, nil): break
        }
        if let category = filter.category { query.filter { "e.category = \($0.bind(category.rawValue))" } }
        if let country = filter.country { query.filter { "e.location_country = \($0.bind(country))" } }
        // May overlap [from, to]: ends on or after from's first day, starts on or before to's last.
        if let from = filter.from {
            query.filter { "e.span_latest >= \($0.bind(from.earliest))" }
            query.filter { EventSpanBound.lowerBound(placeholder: $0.bind(from.earliest)) }
        }
        if let to = filter.to { query.filter { "e.start_earliest <= \($0.bind(to.latest))" } }
        if let source = filter.sourceID { query.filter { "e.id IN (SELECT event_id FROM event_citations WHERE source_id = \($0.bind(source)))" } }
        try query.matching(filter.text, kind: .event)
        return query
    }

    public func list(_ filter: EventFilter, sort: [SortKey<EventSortField>], page: PageRequest, in snapshot: (any ReadSnapshot)?) throws -> Page<Event> {
        try validatePage(page)
        let query = try listQuery(filter, sort: sort)
        return try pool.reading(in: snapshot) { db in
            let result = try query.run(db, page: page, columns: Self.table.qualified("e"), decode: Self.table.decode)
            return Page(items: try withDependents(db, result.items), nextCursor: result.next, total: result.total)
        }
    }

    public func listStamps(_ filter: EventFilter, sort: [SortKey<EventSortField>], page: PageRequest, in snapshot: (any ReadSnapshot)?) throws -> Page<RecordStamp> {
        try validatePage(page)
        let query = try listQuery(filter, sort: sort)
        return try pool.reading(in: snapshot) { db in
            let result = try query.run(db, page: page, columns: "e.id, e.version, e.created_at") { row, first in
                RecordStamp(id: try row.string(first), version: try row.int(first + 1), createdAt: try row.string(first + 2))
            }
            return Page(items: result.items, nextCursor: result.next, total: result.total)
        }
    }

    public func events(_ ids: [String], in snapshot: (any ReadSnapshot)?) throws -> [Event] {
        try pool.reading(in: snapshot) { db in try load(db, ids: ids) }
    }

    func load(_ db: Connection, _ id: String) throws -> Event? {
        try load(db, ids: [id]).first
    }

    /// Events with their participants and citations, in the order of `ids`: the rows and what
    /// hangs off them by the same ids, in one round trip.
    func load(_ db: Connection, ids: [String]) throws -> [Event] {
        guard !ids.isEmpty else { return [] }
        let owners = textArray(ids)
        let answers = try db.executeCachedBatch([
            ("SELECT \(Self.table.qualified("e")) FROM events e WHERE e.id = ANY($1::text[])", [owners]),
            (Self.participantsSQL, [owners]), (CitationTable.events.loadSQL, [owners]),
        ])
        var byID: [String: Event] = [:]
        for row in answers[0] {
            let event = try Self.table.decode(row, 0)
            byID[event.id] = event
        }
        return try Self.attach(ids.compactMap { byID[$0] }, participants: answers[1], citations: answers[2])
    }

    /// The events with their participants (with the actors' names and slugs) and citations
    /// (with the sources' titles and addresses), both read in one round trip for all of them.
    func withDependents(_ db: Connection, _ loaded: [Event]) throws -> [Event] {
        guard !loaded.isEmpty else { return [] }
        let ids = textArray(loaded.map(\.id))
        let answers = try db.executeCachedBatch([(Self.participantsSQL, [ids]), (CitationTable.events.loadSQL, [ids])])
        return try Self.attach(loaded, participants: answers[0], citations: answers[1])
    }

    /// The participants of the events in `$1`, in order, with their actors' names and slugs.
    static let participantsSQL = """
        SELECT p.event_id, p.actor_id, p.role, a.name, a.slug FROM event_participants p JOIN actors a ON a.id = p.actor_id
        WHERE p.event_id = ANY($1::text[]) ORDER BY p.event_id, p.position
        """

    /// `loaded` with the participants (`participantsSQL`'s rows) and citations (`CitationTable.loadSQL`'s).
    static func attach(_ loaded: [Event], participants participantRows: Rows, citations citationRows: Rows) throws -> [Event] {
        var participants: [String: [Participant]] = [:]
        for row in participantRows {
            participants[try row.string(0), default: []].append(Participant(
                actorID: try row.string(1), role: ParticipantRole(rawValue: try row.string(2)) ?? .participant,
                actorName: try row.string(3), actorSlug: try row.string(4)))
        }
        let citations = try CitationTable.events.grouped(citationRows)
        return loaded.map { event in
            var event = event
            event.participants = participants[event.id] ?? []
            event.citations = citations[event.id] ?? []
            return event
        }
    }
}

/// Reads and writes the citations of events and quotes, which share one shape.
struct CitationTable {
    let table: String
    let ownerColumn: String

    static let events = CitationTable(table: "event_citations", ownerColumn: "event_id")
    static let quotes = CitationTable(table: "quote_citations", ownerColumn: "quote_id")

    /// The citations of the owners in `owners` (a `textArray`), grouped by owner, in order.
    func load(_ db: Connection, owners: PostgresValue) throws -> [String: [Citation]] {
        try grouped(db.executeCached(loadSQL, [owners]))
    }

    /// The query `load` runs, for a batch that sends it with others (`$1`: the owners).
    var loadSQL: String {
        """
        SELECT c.\(ownerColumn), c.source_id, c.excerpt, s.title, s.url FROM \(table) c JOIN sources s ON s.id = c.source_id
        WHERE c.\(ownerColumn) = ANY($1::text[]) ORDER BY c.\(ownerColumn), c.position
        """
    }

    /// `loadSQL`'s rows, grouped by owner.
    func grouped(_ rows: Rows) throws -> [String: [Citation]] {
        var grouped: [String: [Citation]] = [:]
        for row in rows {
            grouped[try row.string(0), default: []].append(Citation(sourceID: try row.string(1), excerpt: try row.optionalString(2),
                                                                    sourceTitle: try row.string(3), sourceURL: try row.optionalString(4)))
        }
        return grouped
    }

    /// The owner's citations; `replacing` false for a new owner, which has none to delete.
    /// Sent with the transaction's next statement (nothing here is read back).
    func replace(_ db: Connection, owner: String, with citations: [Citation], replacing: Bool) throws {
        if replacing { try db.executeDeferred("DELETE FROM \(table) WHERE \(ownerColumn) = $1", [.text(owner)]) }
        for (position, citation) in citations.enumerated() {
            try db.executeDeferred("INSERT INTO \(table) (\(ownerColumn), position, source_id, excerpt) VALUES ($1, $2, $3, $4)",
                                   [.text(owner), .integer(Int64(position)), .text(citation.sourceID), citation.excerpt.postgres])
        }
    }
}
