import Chronicle
import SQLite

/// A filtered, sorted, keyset-paginated `SELECT id FROM ...`.
///
/// Rows are ordered by the chosen sort expressions and then by id, so that the order is total;
/// the cursor holds the last row's values for each, and the next page starts strictly after
/// them. Inserting rows never shifts a page the way OFFSET would.
struct ListQuery {
    /// `events e`, plus any joins.
    var from: String
    var conditions: [String] = []
    var values: [SQLiteValue] = []
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

    mutating func filter(_ condition: String, _ bound: SQLiteValue...) {
        conditions.append(condition)
        values.append(contentsOf: bound)
    }

    /// Keeps rows that match an FTS5 query for one record kind.
    mutating func matching(_ text: String?, kind: RecordKind) {
        guard let text else { return }
        filter("\(idColumn) IN (SELECT record_id FROM search_index WHERE search_index MATCH ? AND kind = ?)", .text(text), .text(kind.rawValue))
    }

    /// Runs the page query; returns the ids of the page, the next cursor and the total if asked.
    /// The page with `columns` selected after the sort keys, each row made by `decode` (given
    /// the index of the first of `columns`), the cursor to the next page and, when asked, the
    /// total. Lists read their records in the query that pages them instead of looking each
    /// up again by id.
    func run<Item>(_ db: Connection, page: PageRequest, searchText: String?, columns: String,
                   decode: (Statement, Int) -> Item) throws -> (items: [Item], next: String?, total: Int?) {
        let keys = order + [(idColumn, order.last?.descending ?? false)]
        var where_ = conditions
        var bound = values
        if let token = page.cursor {
            let cursor = try Cursor(decoding: token, expectedSort: sortSignature, valueCount: keys.count)
            var alternatives: [String] = []
            for index in keys.indices {
                var parts: [String] = []
                for previous in 0..<index {
                    parts.append("\(keys[previous].expression) = ?")
                    bound.append(.text(cursor.values[previous]))
                }
                parts.append("\(keys[index].expression) \(keys[index].descending ? "<" : ">") ?")
                bound.append(.text(cursor.values[index]))
                alternatives.append("(" + parts.joined(separator: " AND ") + ")")
            }
            where_.append("(" + alternatives.joined(separator: " OR ") + ")")
            // Implied by the alternatives, but a range SQLite can start an index scan at: without
            // it a page deep in a list walks the index from the top to the cursor.
            where_.append("\(keys[0].expression) \(keys[0].descending ? "<=" : ">=") ?")
            bound.append(.text(cursor.values[0]))
        }
        let whereClause = where_.isEmpty ? "" : " WHERE " + where_.joined(separator: " AND ")
        let orderClause = keys.map { "\($0.expression)\($0.descending ? " DESC" : "")" }.joined(separator: ", ")
        let selected = keys.map(\.expression).joined(separator: ", ") + ", " + columns
        let sql = "SELECT \(selected) FROM \(from)\(whereClause) ORDER BY \(orderClause) LIMIT ?"
        bound.append(.integer(Int64(page.limit + 1)))

        return try translatingSearchErrors(searchText) {
            var items: [Item] = []
            var lastKeys: [String] = []
            var more = false
            try db.query(sql, bound) { row in
                guard items.count < page.limit else { more = true; return }
                items.append(decode(row, keys.count))
                // Only the last row of a full page makes the cursor.
                if items.count == page.limit { lastKeys = (0..<keys.count).map { row.string($0) } }
            }
            let next = more ? Cursor(sort: sortSignature, values: lastKeys).encoded : nil
            var total: Int?
            if page.includeTotal {
                let countWhere = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
                total = try db.first("SELECT count(*) FROM \(from)\(countWhere)", values) { $0.int(0) }
            }
            return (items, next, total)
        }
    }
}

/// `id, title` as `e.id, e.title`: a record's columns named for a list query's table alias.
func qualified(_ columns: String, _ alias: String) -> String {
    columns.split { $0 == "," || $0 == " " || $0 == "\n" }.map { "\(alias).\($0)" }.joined(separator: ", ")
}

func signature<Field>(_ keys: [SortKey<Field>]) -> String where Field: RawRepresentable, Field.RawValue == String {
    keys.map { ($0.descending ? "-" : "") + $0.field.rawValue }.joined(separator: ",")
}

/// Runs `body`; an SQLite error while a user's full-text query is part of it means the
/// query's syntax was bad, and becomes a validation error that says so.
func translatingSearchErrors<T>(_ searchText: String?, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as SQLiteError where searchText != nil && error.primaryCode == 1 {
        let detail = error.message.hasPrefix("fts5: ") ? String(error.message.dropFirst(6)) : error.message
        throw ChronicleError.validation([FieldError("q", "'\(searchText!)' is not a valid search (\(detail)); use words, \"exact phrases\", OR, NOT, and prefix*")])
    }
}

func validatePage(_ page: PageRequest) throws {
    guard (1...PageRequest.maximumLimit).contains(page.limit) else {
        throw ChronicleError.validation([FieldError("limit", "must be between 1 and \(PageRequest.maximumLimit), got \(page.limit)")])
    }
}
