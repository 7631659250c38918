import Chronicle
import SQLite

/// Ranked full-text search across every record kind, with bm25 and highlighted snippets.
public struct SQLiteSearchRepository: SearchRepository {
    let pool: DatabasePool

    public init(pool: DatabasePool) { self.pool = pool }

    /// Title matches count five times as much as body matches.
    static let rank = "bm25(search_index, 0.0, 0.0, 5.0, 1.0)"

    public func search(_ query: String, kinds: Set<RecordKind>, limit: Int) throws -> [SearchHit] {
        guard !query.allSatisfy(\.isWhitespace) else { throw ChronicleError.validation([FieldError("q", "must not be empty")]) }
        guard query.count <= 500 else { throw ChronicleError.validation([FieldError("q", "is longer than 500 characters")]) }
        guard (1...PageRequest.maximumLimit).contains(limit) else {
            throw ChronicleError.validation([FieldError("limit", "must be between 1 and \(PageRequest.maximumLimit)")])
        }
        let wanted = kinds.isEmpty ? Set(RecordKind.allCases) : kinds
        let ordered = RecordKind.allCases.filter(wanted.contains)
        let placeholders = Array(repeating: "?", count: ordered.count).joined(separator: ", ")
        let sql = """
            SELECT kind, record_id, title, snippet(search_index, -1, '[', ']', '…', 16), \(Self.rank) AS score
            FROM search_index WHERE search_index MATCH ? AND kind IN (\(placeholders)) ORDER BY score LIMIT ?
            """
        let values: [SQLiteValue] = [.text(query)] + ordered.map { .text($0.rawValue) } + [.integer(Int64(limit))]
        return try pool.read { db in
            try translatingSearchErrors(query) {
                try db.all(sql, values) { row in
                    let title = row.string(2)
                    return SearchHit(kind: RecordKind(rawValue: row.string(0)) ?? .event, id: row.string(1),
                                     title: title.count > 120 ? String(title.prefix(119)) + "…" : title,
                                     snippet: row.string(3), rank: row.double(4))
                }
            }
        }
    }
}
