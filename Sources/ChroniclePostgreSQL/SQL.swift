import Chronicle
import PostgreSQL

/// A statement's parameters as they are bound: `bind` appends a value and gives its
/// placeholder (`$3`), so SQL is built from placeholders only and every value stays data.
struct Parameters {
    private(set) var values: [PostgresValue] = []

    init(_ values: [PostgresValue] = []) { self.values = values }

    mutating func bind(_ value: PostgresValue) -> String {
        values.append(value)
        return "$\(values.count)"
    }

    mutating func bind(_ text: String) -> String { bind(.text(text)) }
}

extension Optional where Wrapped == String {
    var postgres: PostgresValue { self.map { .text($0) } ?? .null }
}

extension Optional where Wrapped == PartialDate {
    var storedText: PostgresValue { self.map { .text($0.description) } ?? .null }
}

extension PartialDate {
    init(stored text: String) {
        // Stored dates were validated on the way in.
        self = (try? PartialDate(parsing: text)) ?? (try! PartialDate(year: 1))
    }
}

/// A `text[]` parameter (`= ANY($1::text[])`): PostgreSQL's array literal, each element quoted
/// with its quotes and backslashes escaped.
func textArray(_ strings: [String]) -> PostgresValue { textArray(strings.map(Optional.some)) }

/// The same with NULL elements for nil.
func textArray(_ strings: [String?]) -> PostgresValue {
    var literal = "{"
    for (index, element) in strings.enumerated() {
        if index > 0 { literal += "," }
        guard let string = element else {
            literal += "NULL"
            continue
        }
        literal += "\""
        for character in string.unicodeScalars {
            if character == "\"" || character == "\\" { literal += "\\" }
            literal.unicodeScalars.append(character)
        }
        literal += "\""
    }
    return .text(literal + "}")
}

/// Field errors for references to records that do not exist, checked inside the write
/// transaction so that the answer is exact, not a bare foreign-key failure.
struct ReferenceCheck {
    var enabled = true
    var errors: [FieldError] = []

    mutating func require(_ db: Connection, _ id: String?, in table: String, kind: RecordKind, field: String) throws {
        guard enabled, let id else { return }
        // FOR KEY SHARE: the row cannot be deleted before this transaction commits.
        let exists = try db.executeCached("SELECT 1 FROM \(table) WHERE id = $1 FOR KEY SHARE", [.text(id)]).count > 0
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
        let count = try db.executeCached(check.sql, [.text(id)]).first.map { try $0.int(0) } ?? 0
        if count > 0 { phrases.append("\(count) \(check.noun)\(count == 1 ? "" : "s")") }
    }
    return phrases
}

func signature<Field>(_ keys: [SortKey<Field>]) -> String where Field: RawRepresentable, Field.RawValue == String {
    keys.map { ($0.descending ? "-" : "") + $0.field.rawValue }.joined(separator: ",")
}

func validatePage(_ page: PageRequest) throws {
    guard (1...PageRequest.maximumLimit).contains(page.limit) else {
        throw ChronicleError.validation([FieldError("limit", "must be between 1 and \(PageRequest.maximumLimit), got \(page.limit)")])
    }
}
