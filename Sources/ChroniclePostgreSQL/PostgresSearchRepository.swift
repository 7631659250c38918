import Chronicle
import PostgreSQL

/// Keeps `search_documents` in step with the records, inside the caller's write transaction.
enum SearchDocuments {
    /// Sent with the transaction's next statement (nothing here is read back).
    static func put(_ db: Connection, kind: RecordKind, id: String, title: String, body: String) throws {
        try db.executeDeferred("""
            INSERT INTO search_documents (record_id, kind, title, body) VALUES ($1, $2, $3, $4)
            ON CONFLICT (record_id) DO UPDATE SET kind = EXCLUDED.kind, title = EXCLUDED.title, body = EXCLUDED.body
            """, [.text(id), .text(kind.rawValue), .text(title), .text(body)])
    }

    static func remove(_ db: Connection, id: String) throws {
        try db.executeCached("DELETE FROM search_documents WHERE record_id = $1", [.text(id)])
    }

    static func remove(_ db: Connection, ids: [String]) throws {
        guard !ids.isEmpty else { return }
        try db.executeCached("DELETE FROM search_documents WHERE record_id = ANY($1::text[])", [textArray(ids)])
    }
}

/// Ranked full-text search across every record kind, with highlighted snippets: a GIN-indexed
/// tsvector per record (title weight A, body B) under the `chronicle_search` configuration,
/// which folds case and accents. How its scores and snippets differ from SQLite's is said in
/// `EngineDifferences`.
public struct PostgresSearchRepository: SearchRepository {
    let pool: PostgresDatabase

    public init(pool: ConnectionPool) { self.pool = PostgresDatabase(pool) }

    init(pool: PostgresDatabase) { self.pool = pool }

    public func search(_ query: String, kinds: Set<RecordKind>, limit: Int) throws -> [SearchHit] {
        guard !query.allSatisfy(\.isWhitespace) else { throw ChronicleError.validation([FieldError("q", "must not be empty")]) }
        guard query.count <= 500 else { throw ChronicleError.validation([FieldError("q", "is longer than 500 characters")]) }
        guard (1...PageRequest.maximumLimit).contains(limit) else {
            throw ChronicleError.validation([FieldError("limit", "must be between 1 and \(PageRequest.maximumLimit)")])
        }
        let parsed = try SearchQuery(parsing: query)
        let wanted = kinds.isEmpty ? RecordKind.allCases : RecordKind.allCases.filter(kinds.contains)
        var p = Parameters()
        let tsquery = parsed.tsquery(&p)
        let configuration = "'\(EngineDifferences.searchConfiguration)'::regconfig"
        let options = p.bind(EngineDifferences.headlineOptions)
        let sql = """
            WITH q AS (SELECT \(tsquery) AS query)
            SELECT d.kind, d.record_id, d.title,
                   CASE WHEN to_tsvector(\(configuration), d.body) @@ q.query THEN ts_headline(\(configuration), d.body, q.query, \(options))
                        ELSE ts_headline(\(configuration), d.title, q.query, \(options)) END,
                   ts_rank(d.document, q.query) AS score
            FROM search_documents d, q
            WHERE d.document @@ q.query AND d.kind = ANY(\(p.bind(textArray(wanted.map(\.rawValue))))::text[])
            ORDER BY score DESC, d.record_id DESC
            LIMIT \(p.bind(.integer(Int64(limit))))
            """
        return try pool.reading(in: nil) { db in
            try db.execute(sql, p.values).map { row in
                SearchHit(kind: RecordKind(rawValue: try row.string(0)) ?? .event, id: try row.string(1), title: Self.shortened(try row.string(2)),
                          snippet: try row.string(3), rank: -(try row.double(4)))
            }
        }
    }

    /// At most 120 characters, as SQLite's hits show titles.
    static func shortened(_ title: String) -> String {
        title.count > 120 ? String(title.prefix(119)) + "…" : title
    }
}
