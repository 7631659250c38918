import Chronicle
import PostgreSQL

/// A filtered, sorted, keyset-paginated `SELECT` (the PostgreSQL twin of SQLite's `ListQuery`).
///
/// Rows are ordered by the chosen sort expressions and then by id, so that the order is total;
/// the cursor holds the last row's values for each, and the next page starts strictly after
/// them. The expressions are text compared under `COLLATE "C"` (see `EngineDifferences`), so a
/// cursor means the same rows on either engine and on any instance.
struct ListQuery {
    /// `events e`, plus any joins.
    var from: String
    var conditions: [String] = []
    var parameters = Parameters()
    /// (SQL expression that is never NULL, descending) per sort key; id is added last.
    var order: [(expression: String, descending: Bool)] = []
    var idColumn: String
    /// Text that names the sort, stored in the cursor.
    var sortSignature: String

    init(from: String, idColumn: String, sortSignature: String) {
        self.from = from
        self.idColumn = idColumn
        self.sortSignature = sortSignature
    }

    /// Adds a condition; `make` binds its values and gives the SQL naming their placeholders.
    mutating func filter(_ make: (inout Parameters) throws -> String) rethrows {
        conditions.append(try make(&parameters))
    }

    /// Keeps rows whose search document matches a full-text query (bad syntax: a validation error).
    mutating func matching(_ text: String?, kind: RecordKind) throws {
        guard let text else { return }
        let parsed = try SearchQuery(parsing: text)
        let id = idColumn
        filter { p in
            "\(id) IN (SELECT record_id FROM search_documents WHERE kind = \(p.bind(kind.rawValue)) AND document @@ \(parsed.tsquery(&p)))"
        }
    }

    /// The page with `columns` selected after the sort keys, each row made by `decode` (given
    /// the index of the first of `columns`), the cursor to the next page and, when asked, the
    /// total. Run it in one snapshot (`PostgresStore.reading`) so that page and total agree.
    func run<Item>(_ db: Connection, page: PageRequest, columns: String,
                   decode: (Row, Int) throws -> Item) throws -> (items: [Item], next: String?, total: Int?) {
        let keys = order + [(idColumn, order.last?.descending ?? false)]
        var where_ = conditions
        var p = parameters
        if let token = page.cursor {
            let cursor = try Cursor(decoding: token, expectedSort: sortSignature, valueCount: keys.count)
            var alternatives: [String] = []
            for index in keys.indices {
                var parts: [String] = []
                for previous in 0..<index {
                    parts.append("\(keys[previous].expression) = \(p.bind(cursor.values[previous]))")
                }
                parts.append("\(keys[index].expression) \(keys[index].descending ? "<" : ">") \(p.bind(cursor.values[index]))")
                alternatives.append("(" + parts.joined(separator: " AND ") + ")")
            }
            where_.append("(" + alternatives.joined(separator: " OR ") + ")")
        }
        let whereClause = where_.isEmpty ? "" : " WHERE " + where_.joined(separator: " AND ")
        let orderClause = keys.map { "\($0.expression)\($0.descending ? " DESC" : "")" }.joined(separator: ", ")
        let selected = keys.map(\.expression).joined(separator: ", ") + ", " + columns
        let limit = p.bind(.integer(Int64(page.limit + 1)))
        let rows = try db.execute("SELECT \(selected) FROM \(from)\(whereClause) ORDER BY \(orderClause) LIMIT \(limit)", p.values)

        var items: [Item] = []
        var next: String?
        for row in rows {
            guard items.count < page.limit else { break }
            items.append(try decode(row, keys.count))
            // Only the last row of a full page, with a row after it, makes the cursor.
            if items.count == page.limit && rows.count > page.limit {
                next = Cursor(sort: sortSignature, values: try (0..<keys.count).map { try row.string($0) }).encoded
            }
        }
        var total: Int?
        if page.includeTotal {
            let countWhere = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
            total = try db.execute("SELECT count(*) FROM \(from)\(countWhere)", parameters.values).first.map { try $0.int(0) }
        }
        return (items, next, total)
    }
}
