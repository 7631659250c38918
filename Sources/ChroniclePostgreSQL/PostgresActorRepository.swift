import Chronicle
import PostgreSQL

/// Actors in PostgreSQL, with their aliases and search documents kept in the same transaction.
public struct PostgresActorRepository: ActorRepository, PostgresRecordRepository {
    let pool: PostgresDatabase

    public init(pool: ConnectionPool) { self.pool = PostgresDatabase(pool) }

    init(pool: PostgresDatabase) { self.pool = pool }

    static let table = RecordTable<Actor>(
        name: "actors", columns: ["id", "slug", "kind", "name", "description", "country", "wikidata_id", "created_at", "updated_at", "version"]
    ) { row, first in
        let slug = try row.string(first + 1)
        let draft = ActorDraft(slug: slug, kind: ActorKind(rawValue: try row.string(first + 2)) ?? .person, name: try row.string(first + 3),
                               description: try row.optionalString(first + 4), country: try row.optionalString(first + 5),
                               wikidataID: try row.optionalString(first + 6))
        return Actor(id: try row.string(first), draft: draft, slug: slug, createdAt: try row.string(first + 7),
                     updatedAt: try row.string(first + 8), version: try row.int(first + 9))
    }

    func write(_ db: Connection, id: String, _ draft: ActorDraft, current: Actor?, now: String) throws {
        let derived = draft.slug == nil && current == nil
        var slug = try draft.slug ?? current?.slug ?? uniqueSlug(db, base: makeSlug(draft.name))
        let columns = ["slug", "kind", "name", "description", "country", "wikidata_id"]
        func values() -> [PostgresValue] {
            [.text(slug), .text(draft.kind.rawValue), .text(draft.name), draft.description.postgres, draft.country.postgres, draft.wikidataID.postgres]
        }
        do {
            if let current {
                try Self.table.update(db, id: id, expectedVersion: current.version, columns: columns, values(), now: now)
            } else if derived {
                // Another writer may take the same derived slug between the look-up and the
                // insert: then take the next free one (in a savepoint, so the failed insert
                // leaves the transaction usable), as SQLite's single writer never needs to.
                var attempts = 0
                while true {
                    try db.executeCached("SAVEPOINT actor_slug")
                    do {
                        try Self.table.insert(db, id: id, columns: columns, values(), now: now)
                        try db.executeCached("RELEASE actor_slug")
                        break
                    } catch let error as PostgresError where error.isUniqueViolation && error.constraint == "actors_slug_key" && attempts < 100 {
                        try db.executeCached("ROLLBACK TO actor_slug")
                        try db.executeCached("RELEASE actor_slug")
                        attempts += 1
                        slug = try uniqueSlug(db, base: makeSlug(draft.name))
                    }
                }
            } else {
                try Self.table.insert(db, id: id, columns: columns, values(), now: now)
            }
        } catch let error as PostgresError where error.isUniqueViolation {
            if error.constraint == "actors_wikidata_id_key" {
                throw ChronicleError.duplicate(.actor, field: "wikidataId", value: draft.wikidataID ?? "")
            }
            throw ChronicleError.duplicate(.actor, field: "slug", value: slug)
        }
        try db.executeCached("DELETE FROM actor_aliases WHERE actor_id = $1", [.text(id)])
        for (position, alias) in draft.aliases.enumerated() {
            try db.executeCached("INSERT INTO actor_aliases (actor_id, position, name, language) VALUES ($1, $2, $3, $4)",
                           [.text(id), .integer(Int64(position)), .text(alias.name), alias.language.postgres])
        }
        try SearchDocuments.put(db, kind: .actor, id: id, title: draft.name,
                                body: (draft.aliases.map(\.name) + [draft.description ?? ""]).joined(separator: " · "))
        if let current, draft.name != current.name || slug != current.slug { try EmbeddedVersions.log(db, id: id) }
    }

    func detach(_ db: Connection, _ actor: Actor, cascade: Bool, now: String) throws {
        // Whoever keeps its name drops it: an id may come back by a restore.
        try EmbeddedVersions.log(db, id: actor.id)
        let references = try referenceSummary(db, [
            ("SELECT count(DISTINCT event_id) FROM event_participants WHERE actor_id = $1", "event"),
            ("SELECT count(*) FROM quotes WHERE speaker_id = $1", "quote"),
        ], id: actor.id)
        guard !references.isEmpty else { return }
        guard cascade else { throw ChronicleError.stillReferenced(.actor, id: actor.id, references: references) }
        let events = try db.executeCached("DELETE FROM event_participants WHERE actor_id = $1 RETURNING event_id", [.text(actor.id)]).map { try $0.string(0) }
        try PostgresEventRepository.table.touch(db, Array(Set(events)), now: now)
        try PostgresQuoteRepository.deleteRows(db, where: "speaker_id = $1", [.text(actor.id)])
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
        if let kind = filter.kind { query.filter { "a.kind = \($0.bind(kind.rawValue))" } }
        if let country = filter.country { query.filter { "a.country = \($0.bind(country))" } }
        if let qid = filter.wikidataID { query.filter { "a.wikidata_id = \($0.bind(qid))" } }
        try query.matching(filter.text, kind: .actor)
        return try pool.reading(in: snapshot) { db in
            let result = try query.run(db, page: page, columns: Self.table.qualified("a"), decode: Self.table.decode)
            return Page(items: try withAliases(db, result.items), nextCursor: result.next, total: result.total)
        }
    }

    func load(_ db: Connection, _ idOrSlug: String) throws -> Actor? {
        // Ids and slugs cannot collide (a slug has no underscore).
        let column = idOrSlug.hasPrefix(Identifier.prefix(.actor)) ? "id" : "slug"
        guard let actor = try db.executeCached("SELECT \(Self.table.qualified("a")) FROM actors a WHERE a.\(column) = $1", [.text(idOrSlug)])
            .first.map({ try Self.table.decode($0, 0) }) else { return nil }
        return try withAliases(db, [actor]).first
    }

    /// Actors by id, with their aliases (in no particular order).
    func load(_ db: Connection, ids: [String]) throws -> [Actor] {
        guard !ids.isEmpty else { return [] }
        return try withAliases(db, try db.executeCached("SELECT \(Self.table.qualified("a")) FROM actors a WHERE a.id = ANY($1::text[])", [textArray(ids)])
            .map { try Self.table.decode($0, 0) })
    }

    /// The actors with their aliases, in one query for all of them.
    func withAliases(_ db: Connection, _ loaded: [Actor]) throws -> [Actor] {
        guard !loaded.isEmpty else { return [] }
        var aliases: [String: [Alias]] = [:]
        for row in try db.executeCached("SELECT actor_id, name, language FROM actor_aliases WHERE actor_id = ANY($1::text[]) ORDER BY actor_id, position",
                                  [textArray(loaded.map(\.id))]) {
            aliases[try row.string(0), default: []].append(Alias(name: try row.string(1), language: try row.optionalString(2)))
        }
        return loaded.map { actor in
            var actor = actor
            actor.aliases = aliases[actor.id] ?? []
            return actor
        }
    }

    private func uniqueSlug(_ db: Connection, base: String) throws -> String {
        var candidate = base
        var suffix = 2
        while try db.executeCached("SELECT 1 FROM actors WHERE slug = $1", [.text(candidate)]).count > 0 {
            candidate = "\(base)-\(suffix)"
            suffix += 1
        }
        return candidate
    }
}
