import Chronicle
import SQLite

/// Ranked full-text search across every record kind, with highlighted snippets.
public struct SQLiteSearchRepository: SearchRepository {
    let pool: DatabasePool

    public init(pool: DatabasePool) { self.pool = pool }

    /// At most 120 characters. Counting characters walks grapheme clusters (2.5% of a search);
    /// a title of at most 120 UTF-8 bytes cannot be longer, so most titles skip the count.
    static func shortened(_ title: String) -> String {
        guard title.utf8.count > 120, title.count > 120 else { return title }
        return String(title.prefix(119)) + "…"
    }

    public func search(_ query: String, kinds: Set<RecordKind>, limit: Int) throws -> [SearchHit] {
        guard !query.allSatisfy(\.isWhitespace) else { throw ChronicleError.validation([FieldError("q", "must not be empty")]) }
        guard query.count <= 500 else { throw ChronicleError.validation([FieldError("q", "is longer than 500 characters")]) }
        guard (1...PageRequest.maximumLimit).contains(limit) else {
            throw ChronicleError.validation([FieldError("limit", "must be between 1 and \(PageRequest.maximumLimit)")])
        }
        let wanted = kinds.isEmpty ? Set(RecordKind.allCases) : kinds
        let ordered = RecordKind.allCases.filter(wanted.contains)
        // Rows are visited newest first, and the ranking function answers NULL for a row that the
        // `limit` best so far beat, so only those few reach the sort. Equal ranks (common without
        // length normalisation) go newest first: rowids grow with each record added. `LIMIT -1`
        // keeps SQLite from merging the inner query into the outer one or pushing `IS NOT NULL`
        // into it, either of which would call the ranking function twice for a row.
        // The kind is the low two bits of the rowid, so filtering by it reads no stored text.
        // A kept row's hit also holds its match positions: the best rows' stored text is then
        // read by rowid (no second MATCH) and their snippets made from those positions.
        let kindFilter = ordered.count == RecordKind.allCases.count
            ? "" : " AND (rowid & 3) IN (\(ordered.indices.map { "?\($0 + 3)" }.joined(separator: ", ")))"
        let sql = """
            SELECT s.kind, s.record_id, s.title, \(SearchFunctions.snippet(of: "best.hit", title: "s.title", body: "s.body")), best.rank
            FROM (SELECT id, hit, \(SearchFunctions.rank(of: "hit")) AS rank
                  FROM (SELECT rowid AS id, \(SearchFunctions.hit(limit: "?2")) AS hit
                        FROM search_index WHERE search_index MATCH ?1\(kindFilter) ORDER BY rowid DESC LIMIT -1)
                  WHERE hit IS NOT NULL ORDER BY rank, id DESC LIMIT ?2) AS best
            JOIN search_index AS s ON s.rowid = best.id
            ORDER BY best.rank, best.id DESC
            """
        var values: [SQLiteValue] = [.text(query), .integer(Int64(limit))]
        if !kindFilter.isEmpty { values += ordered.map { .integer(SearchIndex.tag($0)) } }
        return try pool.read { db in
            try translatingSearchErrors(query) {
                try db.all(sql, values) { row in
                    let title = row.string(2)
                    return SearchHit(kind: RecordKind(rawValue: row.string(0)) ?? .event, id: row.string(1),
                                     title: SQLiteSearchRepository.shortened(title),
                                     snippet: row.string(3), rank: row.double(4))
                }
            }
        }
    }
}
