import Chronicle
import SQLite

/// Sources in SQLite.
public struct SQLiteSourceRepository: SourceRepository, SQLiteRecordRepository {
    let pool: DatabasePool

    public init(pool: DatabasePool) { self.pool = pool }

    static let table = RecordTable<Source>(
        name: "sources", columns: "id, url, title, publisher, author, published, accessed, created_at, updated_at, version"
    ) { row, first in
        let draft = SourceDraft(url: row.optionalString(first + 1), title: row.string(first + 2), publisher: row.optionalString(first + 3),
                                author: row.optionalString(first + 4), published: row.optionalString(first + 5).map(PartialDate.init(stored:)),
                                accessed: row.optionalString(first + 6).map(PartialDate.init(stored:)))
        return Source(id: row.string(first), draft: draft, createdAt: row.string(first + 7), updatedAt: row.string(first + 8),
                      version: row.int(first + 9))
    }

    func load(_ db: Connection, _ id: String) throws -> Source? {
        try db.first("SELECT \(Self.table.columns) FROM sources WHERE id = ?", [.text(id)]) { Self.table.decode($0, 0) }
    }

    func write(_ db: Connection, id: String, _ draft: SourceDraft, current: Source?, now: String) throws {
        let values: [SQLiteValue] = [draft.url.sqliteValue, .text(draft.title), draft.publisher.sqliteValue, draft.author.sqliteValue,
                                     draft.published.storedText, draft.accessed.storedText]
        if let current {
            try Self.table.update(db, id: id, expectedVersion: current.version,
                                  set: "url = ?, title = ?, publisher = ?, author = ?, published = ?, accessed = ?", values, now: now)
            if draft.title != current.title || draft.url != current.url { try EmbeddedVersions.logEmbeddedChange(db, id: id) }
        } else {
            try Self.table.insert(db, id: id, columns: "url, title, publisher, author, published, accessed", values, now: now)
        }
        try index(db, id: id, title: draft.title, body: [draft.publisher, draft.author].compactMap { $0 }.joined(separator: " · "))
    }

    func detach(_ db: Connection, _ source: Source, cascade: Bool) throws {
        // Whoever keeps its name or title (see `NameDirectory`) drops it: an id may come back by a restore.
        try EmbeddedVersions.logEmbeddedChange(db, id: source.id)
        let id = source.id
        let references = try referenceSummary(db, [
            ("SELECT count(*) FROM event_citations WHERE source_id = ?", "event citation"),
            ("SELECT count(*) FROM quote_citations WHERE source_id = ?", "quote citation"),
        ], id: id)
        guard !references.isEmpty else { return }
        guard cascade else { throw ChronicleError.stillReferenced(.source, id: id, references: references) }
        let events = try db.all("SELECT DISTINCT event_id FROM event_citations WHERE source_id = ?", [.text(id)]) { $0.string(0) }
        let quotes = try db.all("SELECT DISTINCT quote_id FROM quote_citations WHERE source_id = ?", [.text(id)]) { $0.string(0) }
        try db.run("DELETE FROM event_citations WHERE source_id = ?", [.text(id)])
        try db.run("DELETE FROM quote_citations WHERE source_id = ?", [.text(id)])
        try EmbeddedVersions.touchEvents(db, events)
        try EmbeddedVersions.touchQuotes(db, quotes)
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
        if let publisher = filter.publisher { query.filter("s.publisher = ?", .text(publisher)) }
        query.matching(filter.text, kind: .source)
        return try pool.reading(in: snapshot) { db in
            // The sources come with the page query itself (it was one more query per source).
            let result = try query.run(db, page: page, searchText: filter.text, columns: qualified(Self.table.columns, "s"), decode: Self.table.decode)
            return Page(items: result.items, nextCursor: result.next, total: result.total)
        }
    }
}
