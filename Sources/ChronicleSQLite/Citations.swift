import Chronicle
import SQLite

/// Reads and writes the citations of events and quotes, which share one shape.
struct CitationTable {
    /// `event_citations` or `quote_citations`.
    let table: String
    /// `event_id` or `quote_id`.
    let ownerColumn: String

    static let events = CitationTable(table: "event_citations", ownerColumn: "event_id")
    static let quotes = CitationTable(table: "quote_citations", ownerColumn: "quote_id")

    /// Citing rows counted up to this many choose how a list finds what cites a source (see
    /// `citing`). Sorting this many rows' keys takes milliseconds; walking the list's order pays
    /// off when what cites the source is a large share of the table, so that the rows kept are
    /// close together wherever the page starts.
    static let manyCiting = 10_000

    /// Narrows a list to the owners citing `source` (`ownerID`: the list's id column). A source
    /// cited up to thousands of times is looked up in its index and those rows sorted; one cited
    /// by tens of thousands (an article behind every quote) would have all of them sorted for
    /// each page, so the list's own order is walked instead, keeping the owners that cite it.
    func citing(_ source: String, ownerID: String, in query: inout ListQuery, _ db: Connection) throws {
        let cited = try db.first("SELECT count(*) FROM (SELECT 1 FROM \(table) WHERE source_id = ? LIMIT \(Self.manyCiting))", [.text(source)]) { $0.int(0) } ?? 0
        if cited < Self.manyCiting {
            query.filter("\(ownerID) IN (SELECT \(ownerColumn) FROM \(table) WHERE source_id = ?)", .text(source))
        } else {
            query.filter("EXISTS (SELECT 1 FROM \(table) c WHERE c.\(ownerColumn) = \(ownerID) AND c.source_id = ?)", .text(source))
        }
    }

    /// The citations of many owners in one query, grouped by owner.
    func load(_ db: Connection, owners: [String]) throws -> [String: [Citation]] {
        try load(db, where: oneOf("c.\(ownerColumn)", owners), boundIDs(owners))
    }

    /// The citations of the owners a condition selects (on `c`, or on a table joined to it).
    func load(_ db: Connection, join: String = "", where condition: String, _ value: SQLiteValue) throws -> [String: [Citation]] {
        var grouped: [String: [Citation]] = [:]
        try db.query("""
            SELECT c.\(ownerColumn), c.source_id, c.excerpt, s.title, s.url FROM \(table) c \(join) JOIN sources s ON s.id = c.source_id
            WHERE \(condition) ORDER BY c.\(ownerColumn), c.position
            """, [value]) {
            grouped[$0.string(0), default: []].append(Citation(sourceID: $0.string(1), excerpt: $0.optionalString(2), sourceTitle: $0.string(3),
                                                               sourceURL: $0.optionalString(4)))
        }
        return grouped
    }

    /// The citations of new owners, in statements of many rows each (see `RecordTable.insert`).
    func insert(_ db: Connection, owners: [(id: String, citations: [Citation])]) throws {
        var rows: [SQLiteValue] = []
        var count = 0
        func flush() throws {
            guard count > 0 else { return }
            try db.run("INSERT INTO \(table) (\(ownerColumn), position, source_id, excerpt) VALUES "
                       + Array(repeating: "(?, ?, ?, ?)", count: count).joined(separator: ", "), rows)
            rows.removeAll(keepingCapacity: true)
            count = 0
        }
        for owner in owners {
            for (position, citation) in owner.citations.enumerated() {
                rows += [.text(owner.id), .integer(Int64(position)), .text(citation.sourceID), citation.excerpt.sqliteValue]
                count += 1
                if count == rowsPerStatement { try flush() }
            }
        }
        try flush()
    }

    /// The owner's citations; `replacing` false for a new owner, which has none to delete.
    func replace(_ db: Connection, owner: String, with citations: [Citation], replacing: Bool = true) throws {
        if replacing { try db.run("DELETE FROM \(table) WHERE \(ownerColumn) = ?", [.text(owner)]) }
        for (position, citation) in citations.enumerated() {
            try db.run("INSERT INTO \(table) (\(ownerColumn), position, source_id, excerpt) VALUES (?, ?, ?, ?)",
                       [.text(owner), .integer(Int64(position)), .text(citation.sourceID), citation.excerpt.sqliteValue])
        }
    }
}

/// Field errors for references to records that do not exist, checked inside the write
/// transaction so that the answer is exact, not a bare foreign-key failure.
struct ReferenceCheck {
    var enabled = true
    var errors: [FieldError] = []

    mutating func require(_ db: Connection, _ id: String?, in table: String, kind: RecordKind, field: String) throws {
        guard enabled, let id else { return }
        let exists = try db.first("SELECT 1 FROM \(table) WHERE id = ?", [.text(id)]) { _ in true } ?? false
        if !exists { errors.append(FieldError(field, "no \(kind.rawValue) has id '\(id)'")) }
    }

    mutating func citations(_ db: Connection, _ citations: [Citation]) throws {
        for (index, citation) in citations.enumerated() {
            try require(db, citation.sourceID, in: "sources", kind: .source, field: "citations[\(index)].sourceId")
        }
    }

    func finish() throws {
        if !errors.isEmpty { throw ChronicleError.validation(errors) }
    }
}

/// Counts rows that refer to a record, as phrases for a refusal: `2 events`, `1 quote`.
func referenceSummary(_ db: Connection, _ checks: [(sql: String, noun: String)], id: String) throws -> [String] {
    var phrases: [String] = []
    for check in checks {
        let count = try db.first(check.sql, [.text(id)]) { $0.int(0) } ?? 0
        if count > 0 { phrases.append("\(count) \(check.noun)\(count == 1 ? "" : "s")") }
    }
    return phrases
}

/// `column = ?` for one id (a plain index lookup, the common case of a single record), else
/// `column IN (SELECT value FROM json_each(?))`; bind `boundIDs(ids)` to it.
func oneOf(_ column: String, _ ids: [String]) -> String {
    ids.count == 1 ? "\(column) = ?" : "\(column) IN (SELECT value FROM json_each(?))"
}

/// The value for `oneOf`'s placeholder.
func boundIDs(_ ids: [String]) -> SQLiteValue {
    ids.count == 1 ? .text(ids[0]) : jsonArray(ids)
}

/// A JSON array of strings, bound as one parameter and read with json_each(?): one query for
/// a whole page of records instead of one per record.
func jsonArray(_ strings: [String]) -> SQLiteValue {
    var bytes: [UInt8] = [91]
    bytes.reserveCapacity(strings.reduce(2) { $0 + $1.utf8.count + 3 })
    for (index, string) in strings.enumerated() {
        if index > 0 { bytes.append(44) }
        appendJSONString(string, to: &bytes)
    }
    bytes.append(93)
    return .text(String(decoding: bytes, as: UTF8.self))
}

extension PartialDate {
    init(stored text: String) {
        // Stored dates were validated on the way in.
        self = (try? PartialDate(parsing: text)) ?? (try! PartialDate(year: 1))
    }
}

extension Optional where Wrapped == PartialDate {
    var storedText: SQLiteValue { self.map { .text($0.description) } ?? .null }
}
