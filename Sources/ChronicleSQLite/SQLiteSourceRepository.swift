import Chronicle
import SQLite

/// Sources in SQLite.
public struct SQLiteSourceRepository: SourceRepository {
    let pool: DatabasePool

    public init(pool: DatabasePool) { self.pool = pool }

    static let columns = "id, url, title, publisher, author, published, accessed, created_at, updated_at, version"

    public func create(_ draft: SourceDraft) throws -> Source {
        try draft.validate()
        return try pool.writeTransaction { db in
            let id = Identifier.make(.source)
            let now = Timestamp.now()
            try db.run("""
                INSERT INTO sources (id, url, title, publisher, author, published, accessed, created_at, updated_at, version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
                """, [.text(id)] + fieldValues(draft) + [.text(now), .text(now)])
            try index(db, id: id, draft)
            return Source(id: id, draft: draft, createdAt: now, updatedAt: now, version: 1)
        }
    }

    public func find(_ id: String) throws -> Source {
        try pool.readWithinLimit { db in
            guard let source = try load(db, id) else { throw ChronicleError.notFound(.source, id) }
            return source
        }
    }

    public func update(_ id: String, expectedVersion: Int, with draft: SourceDraft) throws -> Source {
        try draft.validate()
        return try pool.writeTransaction { db in
            guard let current = try load(db, id) else { throw ChronicleError.notFound(.source, id) }
            guard current.version == expectedVersion else {
                throw ChronicleError.versionConflict(.source, id: id, expected: expectedVersion, current: current.version)
            }
            let now = Timestamp.now()
            try db.run("""
                UPDATE sources SET url = ?, title = ?, publisher = ?, author = ?, published = ?, accessed = ?, updated_at = ?,
                version = version + 1 WHERE id = ?
                """, fieldValues(draft) + [.text(now), .text(id)])
            try index(db, id: id, draft)
            if draft.title != current.title || draft.url != current.url { try EmbeddedVersions.touchEmbedders(ofSource: id, db) }
            return Source(id: id, draft: draft, createdAt: current.createdAt, updatedAt: now, version: expectedVersion + 1)
        }
    }

    public func delete(_ id: String, cascade: Bool) throws {
        try pool.writeTransaction { db in
            guard let seq = try SearchIndex.seq(db, table: "sources", id: id) else { throw ChronicleError.notFound(.source, id) }
            let references = try referenceSummary(db, [
                ("SELECT count(*) FROM event_citations WHERE source_id = ?", "event citation"),
                ("SELECT count(*) FROM quote_citations WHERE source_id = ?", "quote citation"),
            ], id: id)
            if !references.isEmpty {
                guard cascade else { throw ChronicleError.stillReferenced(.source, id: id, references: references) }
                let events = try db.all("SELECT DISTINCT event_id FROM event_citations WHERE source_id = ?", [.text(id)]) { $0.string(0) }
                let quotes = try db.all("SELECT DISTINCT quote_id FROM quote_citations WHERE source_id = ?", [.text(id)]) { $0.string(0) }
                try db.run("DELETE FROM event_citations WHERE source_id = ?", [.text(id)])
                try db.run("DELETE FROM quote_citations WHERE source_id = ?", [.text(id)])
                try EmbeddedVersions.touchEvents(db, events)
                try EmbeddedVersions.touchQuotes(db, quotes)
            }
            try db.run("DELETE FROM sources WHERE id = ?", [.text(id)])
            try SearchIndex.remove(db, kind: .source, seq: seq)
        }
    }

    public func list(_ filter: SourceFilter, sort: [SortKey<SourceSortField>], page: PageRequest) throws -> Page<Source> {
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
        return try pool.readWithinLimit { db in
            // The sources come with the page query itself (it was one more query per source).
            let result = try query.run(db, page: page, searchText: filter.text, columns: qualified(Self.columns, "s")) { Self.decode($0, from: $1) }
            return Page(items: result.items, nextCursor: result.next, total: result.total)
        }
    }

    func load(_ db: Connection, _ id: String) throws -> Source? {
        try db.first("SELECT \(Self.columns) FROM sources WHERE id = ?", [.text(id)]) { Self.decode($0) }
    }

    /// A source from `columns`, read from column `first` on.
    static func decode(_ row: Statement, from first: Int = 0) -> Source {
        let draft = SourceDraft(url: row.optionalString(first + 1), title: row.string(first + 2), publisher: row.optionalString(first + 3),
                                author: row.optionalString(first + 4), published: row.optionalString(first + 5).map(PartialDate.init(stored:)),
                                accessed: row.optionalString(first + 6).map(PartialDate.init(stored:)))
        return Source(id: row.string(first), draft: draft, createdAt: row.string(first + 7), updatedAt: row.string(first + 8),
                      version: row.int(first + 9))
    }

    private func fieldValues(_ draft: SourceDraft) -> [SQLiteValue] {
        [draft.url.sqliteValue, .text(draft.title), draft.publisher.sqliteValue, draft.author.sqliteValue, draft.published.storedText, draft.accessed.storedText]
    }

    private func index(_ db: Connection, id: String, _ draft: SourceDraft) throws {
        guard let seq = try SearchIndex.seq(db, table: "sources", id: id) else { return }
        let body = [draft.publisher, draft.author].compactMap { $0 }.joined(separator: " · ")
        try SearchIndex.put(db, kind: .source, seq: seq, id: id, title: draft.title, body: body)
    }
}
