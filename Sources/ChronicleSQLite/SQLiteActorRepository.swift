import Chronicle
import SQLite

/// Actors in SQLite, with their aliases and search-index rows kept in the same transaction.
public struct SQLiteActorRepository: ActorRepository, SQLiteRecordRepository {
    let pool: DatabasePool

    public init(pool: DatabasePool) { self.pool = pool }

    static let table = RecordTable<Actor>(
        name: "actors", columns: "id, slug, kind, name, description, country, wikidata_id, created_at, updated_at, version"
    ) { row, first in
        let draft = ActorDraft(slug: row.string(first + 1), kind: ActorKind(rawValue: row.string(first + 2)) ?? .person, name: row.string(first + 3),
                               description: row.optionalString(first + 4), country: row.optionalString(first + 5),
                               wikidataID: row.optionalString(first + 6))
        return Actor(id: row.string(first), draft: draft, slug: row.string(first + 1), createdAt: row.string(first + 7),
                     updatedAt: row.string(first + 8), version: row.int(first + 9))
    }

    func write(_ db: Connection, id: String, _ draft: ActorDraft, current: Actor?, now: String) throws {
        let slug = try draft.slug ?? current?.slug ?? uniqueSlug(db, base: makeSlug(draft.name))
        let values: [SQLiteValue] = [.text(slug), .text(draft.kind.rawValue), .text(draft.name), draft.description.sqliteValue,
                                     draft.country.sqliteValue, draft.wikidataID.sqliteValue]
        try mappingUniqueViolations(draft, slug: slug) {
            if let current {
                try Self.table.update(db, id: id, expectedVersion: current.version,
                                      set: "slug = ?, kind = ?, name = ?, description = ?, country = ?, wikidata_id = ?", values, now: now)
            } else {
                try Self.table.insert(db, id: id, columns: "slug, kind, name, description, country, wikidata_id", values, now: now)
            }
        }
        try writeAliases(db, id: id, draft.aliases)
        try index(db, id: id, title: draft.name, body: (draft.aliases.map(\.name) + [draft.description ?? ""]).joined(separator: " · "))
        if let current, draft.name != current.name || slug != current.slug { try EmbeddedVersions.logEmbeddedChange(db, id: id) }
    }

    func detach(_ db: Connection, _ actor: Actor, cascade: Bool) throws {
        // Whoever keeps its name or title (see `NameDirectory`) drops it: an id may come back by a restore.
        try EmbeddedVersions.logEmbeddedChange(db, id: actor.id)
        let references = try referenceSummary(db, [
            ("SELECT count(DISTINCT event_id) FROM event_participants WHERE actor_id = ?", "event"),
            ("SELECT count(*) FROM quotes WHERE speaker_id = ?", "quote"),
        ], id: actor.id)
        guard !references.isEmpty else { return }
        guard cascade else { throw ChronicleError.stillReferenced(.actor, id: actor.id, references: references) }
        let events = try db.all("SELECT DISTINCT event_id FROM event_participants WHERE actor_id = ?", [.text(actor.id)]) { $0.string(0) }
        try db.run("DELETE FROM event_participants WHERE actor_id = ?", [.text(actor.id)])
        try EmbeddedVersions.touchEvents(db, events)
        let quotes = try db.all("SELECT id FROM quotes WHERE speaker_id = ?", [.text(actor.id)]) { $0.string(0) }
        for quote in quotes { try SQLiteQuoteRepository.deleteRow(db, id: quote) }
    }

    public func list(_ filter: ActorFilter, sort: [SortKey<ActorSortField>], page: PageRequest, in snapshot: (any ReadSnapshot)?) throws -> Page<Actor> {
        try validatePage(page)
        let keys = sort.isEmpty ? [SortKey(ActorSortField.name)] : sort
        var query = ListQuery(from: "actors a", idColumn: "a.id", sortSignature: signature(keys))
        query.order = keys.map { key in
            let expression: String
            switch key.field {
            case .name: expression = "a.name"
            case .slug: expression = "a.slug"
            case .created: expression = "a.created_at"
            case .updated: expression = "a.updated_at"
            }
            return (expression, key.descending)
        }
        if let kind = filter.kind { query.filter("a.kind = ?", .text(kind.rawValue)) }
        if let country = filter.country { query.filter("a.country = ?", .text(country)) }
        if let qid = filter.wikidataID { query.filter("a.wikidata_id = ?", .text(qid)) }
        query.matching(filter.text, kind: .actor)
        return try pool.reading(in: snapshot) { db in
            // The actors come with the page query; their aliases in one query for the page
            // (it was two queries per actor).
            let result = try query.run(db, page: page, searchText: filter.text, columns: qualified(Self.table.columns, "a"), decode: Self.table.decode)
            return Page(items: try withAliases(db, result.items), nextCursor: result.next, total: result.total)
        }
    }

    func load(_ db: Connection, _ idOrSlug: String) throws -> Actor? {
        // Ids and slugs cannot collide (a slug has no underscore), so one unique index answers.
        let column = idOrSlug.hasPrefix(Identifier.prefix(.actor)) ? "id" : "slug"
        guard let actor = try db.first("SELECT \(Self.table.columns) FROM actors WHERE \(column) = ?", [.text(idOrSlug)], map: { Self.table.decode($0, 0) }) else {
            return nil
        }
        return try withAliases(db, [actor]).first
    }

    /// The actors with their aliases, in one query for all of them.
    func withAliases(_ db: Connection, _ loaded: [Actor]) throws -> [Actor] {
        guard !loaded.isEmpty else { return [] }
        let ids = loaded.map(\.id)
        var aliases: [String: [Alias]] = [:]
        try db.query("SELECT actor_id, name, language FROM actor_aliases WHERE \(oneOf("actor_id", ids)) ORDER BY actor_id, position",
                     [boundIDs(ids)]) {
            aliases[$0.string(0), default: []].append(Alias(name: $0.string(1), language: $0.optionalString(2)))
        }
        return loaded.map { actor in
            var actor = actor
            actor.aliases = aliases[actor.id] ?? []
            return actor
        }
    }

    private func writeAliases(_ db: Connection, id: String, _ aliases: [Alias]) throws {
        try db.run("DELETE FROM actor_aliases WHERE actor_id = ?", [.text(id)])
        for (position, alias) in aliases.enumerated() {
            try db.run("INSERT INTO actor_aliases (actor_id, position, name, language) VALUES (?, ?, ?, ?)",
                       [.text(id), .integer(Int64(position)), .text(alias.name), alias.language.sqliteValue])
        }
    }

    private func uniqueSlug(_ db: Connection, base: String) throws -> String {
        var candidate = base
        var suffix = 2
        while try db.first("SELECT 1 FROM actors WHERE slug = ?", [.text(candidate)], map: { _ in true }) != nil {
            candidate = "\(base)-\(suffix)"
            suffix += 1
        }
        return candidate
    }

    private func mappingUniqueViolations(_ draft: ActorDraft, slug: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as SQLiteError where error.isUniqueViolation {
            if error.message.contains("wikidata_id") {
                throw ChronicleError.duplicate(.actor, field: "wikidataId", value: draft.wikidataID ?? "")
            }
            throw ChronicleError.duplicate(.actor, field: "slug", value: slug)
        }
    }
}
