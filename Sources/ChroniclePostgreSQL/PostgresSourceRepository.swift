import Chronicle
import PostgreSQL

/// Sources in PostgreSQL.
public struct PostgresSourceRepository: SourceRepository, PostgresRecordRepository {
    let pool: PostgresDatabase

    public init(pool: ConnectionPool) { self.pool = PostgresDatabase(pool) }

    init(pool: PostgresDatabase) { self.pool = pool }

    static let table = RecordTable<Source>(
        name: "sources", columns: ["id", "url", "title", "publisher", "author", "published", "accessed", "created_at", "updated_at", "version"]
    ) { row, first in
        let draft = SourceDraft(url: try row.optionalString(first + 1), title: try row.string(first + 2), publisher: try row.optionalString(first + 3),
                                author: try row.optionalString(first + 4), published: try row.optionalString(first + 5).map(PartialDate.init(stored:)),
                                accessed: try row.optionalString(first + 6).map(PartialDate.init(stored:)))
        return Source(id: try row.string(first), draft: draft, createdAt: try row.string(first + 7), updatedAt: try row.string(first + 8),
                      version: try row.int(first + 9))
    }

    func load(_ db: Connection, _ id: String) throws -> Source? {
        try db.executeCached("SELECT \(Self.table.qualified("s")) FROM sources s WHERE s.id = $1", [.text(id)]).first.map { try Self.table.decode($0, 0) }
    }

    /// Sources by id (in no particular order).
    static func load(_ db: Connection, ids: [String]) throws -> [Source] {
        guard !ids.isEmpty else { return [] }
        return try db.executeCached("SELECT \(table.qualified("s")) FROM sources s WHERE s.id = ANY($1::text[])", [textArray(ids)]).map { try table.decode($0, 0) }
    }

    func write(_ db: Connection, id: String, _ draft: SourceDraft, current: Source?, now: String) throws {
        let columns = ["url", "title", "publisher", "author", "published", "accessed"]
        let values: [PostgresValue] = [draft.url.postgres, .text(draft.title), draft.publisher.postgres, draft.author.postgres,
                                       draft.published.storedText, draft.accessed.storedText]
        if let current {
            try Self.table.update(db, id: id, expectedVersion: current.version, columns: columns, values, now: now)
            if draft.title != current.title || draft.url != current.url { try EmbeddedVersions.log(db, id: id) }
        } else {
            try Self.table.insert(db, id: id, columns: columns, values, now: now)
        }
        try SearchDocuments.put(db, kind: .source, id: id, title: draft.title, body: [draft.publisher, draft.author].compactMap { $0 }.joined(separator: " · "))
    }

    func detach(_ db: Connection, _ source: Source, cascade: Bool, now: String) throws {
        // Whoever keeps its title drops it: an id may come back by a restore.
        try EmbeddedVersions.log(db, id: source.id)
        let id = source.id
        let references = try referenceSummary(db, [
            ("SELECT count(*) FROM event_citations WHERE source_id = $1", "event citation"),
            ("SELECT count(*) FROM quote_citations WHERE source_id = $1", "quote citation"),
        ], id: id)
        guard !references.isEmpty else { return }
        guard cascade else { throw ChronicleError.stillReferenced(.source, id: id, references: references) }
        let events = try db.executeCached("DELETE FROM event_citations WHERE source_id = $1 RETURNING event_id", [.text(id)]).map { try $0.string(0) }
        let quotes = try db.executeCached("DELETE FROM quote_citations WHERE source_id = $1 RETURNING quote_id", [.text(id)]).map { try $0.string(0) }
        // The citations left keep their order; positions need not be consecutive.
        try PostgresEventRepository.table.touch(db, Array(Set(events)), now: now)
        try EmbeddedVersions.logEventsEmbedding(db, quotes: Array(Set(quotes)))
        try PostgresQuoteRepository.table.touch(db, Array(Set(quotes)), now: now)
    }

    public func list(_ filter: SourceFilter, sort: [SortKey<SourceSortField>], page: PageRequest, in snapshot: (any ReadSnapshot)?) throws -> Page<Source> {
        try validatePage(page)
        let keys = sort.isEmpty ? [SortKey(SourceSortField.created)] : sort
        var query = ListQuery(from: "sources s", idColumn: "s.id", sortSignature: signature(keys))
        query.order = keys.map { key in
            let expression: String
            switch key.field {
            case .title: expression = "s.title"
            case .published: expression = "coalesce(s.published, '')"
            case .created: expression = "s.created_at"
            case .updated: expression = "s.updated_at"
            }
            return (expression, key.descending)
        }
        if let publisher = filter.publisher { query.filter { "s.publisher = \($0.bind(publisher))" } }
        try query.matching(filter.text, kind: .source)
        return try pool.reading(in: snapshot) { db in
            let result = try query.run(db, page: page, columns: Self.table.qualified("s"), decode: Self.table.decode)
            return Page(items: result.items, nextCursor: result.next, total: result.total)
        }
    }
}
