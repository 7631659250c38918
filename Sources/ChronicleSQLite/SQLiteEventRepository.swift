import Chronicle
import SQLite

/// Events in SQLite, with participants, citations and search-index rows in one transaction.
public struct SQLiteEventRepository: EventRepository, SQLiteRecordRepository {
    let pool: DatabasePool
    /// Names of participants and titles of cited sources (see `NameDirectory`).
    let names: NameDirectory
    /// Whether a write checks that what it refers to exists; an import that resolved every
    /// reference in the same transaction does not ask twice.
    var checksReferences = true

    public init(pool: DatabasePool) { self.init(pool: pool, names: NameDirectory(capacity: 0)) }

    init(pool: DatabasePool, names: NameDirectory) {
        self.pool = pool
        self.names = names
    }

    /// The row with its participants and citations (without names: see `withDependents`).
    static let table = RecordTable<Event>(
        name: "events",
        columns: "id, title, summary, start_date, end_date, location_name, location_country, category, created_at, updated_at, version, participant_list, citation_list"
    ) { row, first in
        let draft = EventDraft(title: row.string(first + 1), summary: row.optionalString(first + 2), start: PartialDate(stored: row.string(first + 3)),
                               end: row.optionalString(first + 4).map(PartialDate.init(stored:)), locationName: row.optionalString(first + 5),
                               locationCountry: row.optionalString(first + 6), category: EventCategory(rawValue: row.string(first + 7)) ?? .other,
                               participants: row.withText(first + 11, InlineDependents.participants), citations: row.withText(first + 12, InlineDependents.citations))
        return Event(id: row.string(first), draft: draft, createdAt: row.string(first + 8), updatedAt: row.string(first + 9),
                     version: row.int(first + 10))
    }

    func write(_ db: Connection, id: String, _ draft: EventDraft, current: Event?, now: String) throws {
        var check = ReferenceCheck(enabled: checksReferences)
        for (index, participant) in draft.participants.enumerated() {
            try check.require(db, participant.actorID, in: "actors", kind: .actor, field: "participants[\(index)].actorId")
        }
        try check.citations(db, draft.citations)
        try check.finish()
        let values: [SQLiteValue] = [
            .text(draft.title), draft.summary.sqliteValue, .text(draft.start.description), .text(draft.start.precision.rawValue),
            .text(draft.start.earliest), draft.end.storedText, draft.end.map { .text($0.precision.rawValue) } ?? .null,
            .text(draft.end?.latest ?? draft.start.latest), draft.locationName.sqliteValue, draft.locationCountry.sqliteValue,
            .text(draft.category.rawValue), InlineDependents.text(draft.participants), InlineDependents.text(draft.citations),
        ]
        if let current {
            try Self.table.update(db, id: id, expectedVersion: current.version, set: """
                title = ?, summary = ?, start_date = ?, start_precision = ?, start_earliest = ?, end_date = ?, end_precision = ?,
                span_latest = ?, location_name = ?, location_country = ?, category = ?, participant_list = ?, citation_list = ?
                """, values, now: now)
        } else {
            try Self.table.insert(db, id: id, columns: """
                title, summary, start_date, start_precision, start_earliest, end_date, end_precision, span_latest, location_name,
                location_country, category, participant_list, citation_list
                """, values, now: now)
        }
        try db.run("""
            UPDATE event_span_bound SET max_span_days = max(max_span_days, CAST(julianday(?) - julianday(?) AS INTEGER)) WHERE id = 1
            """, [.text(draft.end?.latest ?? draft.start.latest), .text(draft.start.earliest)])
        if current != nil { try db.run("DELETE FROM event_participants WHERE event_id = ?", [.text(id)]) }
        for (position, participant) in draft.participants.enumerated() {
            try db.run("INSERT INTO event_participants (event_id, actor_id, role, position) VALUES (?, ?, ?, ?)",
                       [.text(id), .text(participant.actorID), .text(participant.role.rawValue), .integer(Int64(position))])
        }
        try CitationTable.events.replace(db, owner: id, with: draft.citations, replacing: current != nil)
        try index(db, id: id, title: draft.title, body: [draft.summary, draft.locationName].compactMap { $0 }.joined(separator: " · "), isNew: current == nil)
    }

    func detach(_ db: Connection, _ event: Event, cascade: Bool) throws {
        let references = try referenceSummary(db, [("SELECT count(*) FROM quotes WHERE event_id = ?", "quote")], id: event.id)
        guard !references.isEmpty else { return }
        guard cascade else { throw ChronicleError.stillReferenced(.event, id: event.id, references: references) }
        for quote in try db.all("SELECT id FROM quotes WHERE event_id = ?", [.text(event.id)], map: { $0.string(0) }) {
            try SQLiteQuoteRepository.deleteRow(db, id: quote)
        }
    }

    /// The page query of a list: its filters and its order.
    private func listQuery(_ filter: EventFilter, sort: [SortKey<EventSortField>], _ db: Connection) throws -> ListQuery {
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
        if let actor = filter.actorID {
            if let role = filter.role {
                query.filter("e.id IN (SELECT event_id FROM event_participants WHERE actor_id = ? AND role = ?)", .text(actor), .text(role.rawValue))
            } else {
                query.filter("e.id IN (SELECT event_id FROM event_participants WHERE actor_id = ?)", .text(actor))
            }
        } else if let role = filter.role {
            query.filter("e.id IN (SELECT event_id FROM event_participants WHERE role = ?)", .text(role.rawValue))
        }
        if let category = filter.category { query.filter("e.category = ?", .text(category.rawValue)) }
        if let country = filter.country { query.filter("e.location_country = ?", .text(country)) }
        if let from = filter.from {
            query.filter("e.span_latest >= ?", .text(from.earliest))
            // Redundant but index-friendly: no event spans longer than the recorded maximum.
            // (date() gives NULL before year 0, hence the floor.)
            query.filter("e.start_earliest >= coalesce(date(?, '-' || (SELECT max_span_days FROM event_span_bound) || ' days'), '0000-01-01')",
                         .text(from.earliest))
        }
        if let to = filter.to { query.filter("e.start_earliest <= ?", .text(to.latest)) }
        if let source = filter.sourceID { try CitationTable.events.citing(source, ownerID: "e.id", in: &query, db) }
        query.matching(filter.text, kind: .event)
        return query
    }

    public func list(_ filter: EventFilter, sort: [SortKey<EventSortField>], page: PageRequest, in snapshot: (any ReadSnapshot)?) throws -> Page<Event> {
        try validatePage(page)
        return try pool.reading(in: snapshot) { db in
            let query = try listQuery(filter, sort: sort, db)
            // The events come with the page query itself, participants and citations inline; only names are looked up.
            let result = try query.run(db, page: page, searchText: filter.text, columns: qualified(Self.table.columns, "e"), decode: Self.table.decode)
            return Page(items: try withDependents(db, result.items), nextCursor: result.next, total: result.total)
        }
    }

    public func listStamps(_ filter: EventFilter, sort: [SortKey<EventSortField>], page: PageRequest, in snapshot: (any ReadSnapshot)?) throws -> Page<RecordStamp> {
        try validatePage(page)
        return try pool.reading(in: snapshot) { db in
            let query = try listQuery(filter, sort: sort, db)
            let result = try query.run(db, page: page, searchText: filter.text, columns: "e.id, e.version, e.created_at") { row, first in
                RecordStamp(id: row.string(first), version: row.int(first + 1), createdAt: row.string(first + 2))
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

    /// Events with their participants and citations, in the order of `ids`.
    func load(_ db: Connection, ids: [String]) throws -> [Event] {
        guard !ids.isEmpty else { return [] }
        var byID: [String: Event] = [:]
        try db.query("SELECT \(Self.table.columns) FROM events WHERE \(oneOf("id", ids))", [boundIDs(ids)]) {
            let event = Self.table.decode($0, 0)
            byID[event.id] = event
        }
        return try withDependents(db, ids.compactMap { byID[$0] })
    }

    /// The events (read with their participants and citations inline) with the names and titles
    /// these show.
    func withDependents(_ db: Connection, _ loaded: [Event]) throws -> [Event] {
        var events = loaded
        try names.name(db, events: &events)
        return events
    }
}
