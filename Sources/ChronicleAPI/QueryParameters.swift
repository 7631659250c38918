import Chronicle
import HTTP

/// Reads query parameters, collecting every problem: unknown names (a typo such as `form=` would
/// otherwise silently return the wrong data), bad numbers, dates and enum values.
struct QueryParameters {
    private let request: Request
    private(set) var errors: [FieldError] = []

    /// Accepted everywhere: indenting JSON (ignored by bodies that are not JSON).
    static let common = ["pretty"]
    /// Accepted on every list of records: paging, search, `fields` and `format` (the representation).
    static let paging = ["limit", "cursor", "sort", "count", "q", "fields", "format"]

    init(_ request: Request, allowed: [String]) {
        self.request = request
        // Most requests have no parameters at all; the check below is for those that do.
        guard !request.query.isEmpty else { return }
        var names = allowed
        for name in QueryParameters.common where !names.contains(name) { names.append(name) }
        let known = Set(names)
        var seen = Set<String>()
        for item in request.query {
            if !known.contains(item.name) {
                errors.append(FieldError(item.name, "is not a parameter here; use one of: \(names.joined(separator: ", "))"))
            } else if !seen.insert(item.name).inserted {
                errors.append(FieldError(item.name, "is given more than once"))
            }
        }
        _ = bool("pretty")
    }

    mutating func fail(_ name: String, _ message: String) { errors.append(FieldError(name, message)) }

    func string(_ name: String) -> String? {
        guard let value = request.query(name) else { return nil }
        return value
    }

    mutating func text(_ name: String, max: Int = 500) -> String? {
        guard let value = string(name) else { return nil }
        if value.isEmpty { fail(name, "must not be empty"); return nil }
        if value.count > max { fail(name, "is longer than \(max) characters"); return nil }
        return value
    }

    /// A full-text query, its punctuated words made phrases (see `SearchText`).
    mutating func search(_ name: String) -> String? {
        text(name).map(SearchText.normalized)
    }

    mutating func date(_ name: String) -> PartialDate? {
        guard let text = string(name) else { return nil }
        do { return try PartialDate(parsing: text) } catch {
            fail(name, error.message)
            return nil
        }
    }

    /// `from` and `to`. A range whose `from` begins after its `to` ends selects nothing (and a
    /// timeline would title itself "2022–2020"): a mistake to point out, not to answer with an
    /// empty list. Ends that may share a day, such as `from=2022-03&to=2022`, are a range.
    mutating func dateRange() -> (from: PartialDate?, to: PartialDate?) {
        let from = date("from"), to = date("to")
        if let from, let to, from.earliest > to.latest {
            fail("from", "from (\(from)) is after to (\(to)); swap them")
        }
        return (from, to)
    }

    mutating func enumeration<E: RawRepresentable & CaseIterable>(_ name: String, as type: E.Type) -> E? where E.RawValue == String {
        guard let text = string(name) else { return nil }
        guard let value = E(rawValue: text) else {
            fail(name, "'\(text)' is not one of: \(E.allowedValues)")
            return nil
        }
        return value
    }

    mutating func bool(_ name: String) -> Bool {
        guard let text = string(name) else { return false }
        switch text {
        case "", "true": return true
        case "false": return false
        default:
            fail(name, "must be true or false (or given without a value, meaning true)")
            return false
        }
    }

    mutating func page() -> PageRequest {
        var page = PageRequest()
        if let text = string("limit") {
            if let limit = Int(text), (1...PageRequest.maximumLimit).contains(limit) {
                page.limit = limit
            } else {
                fail("limit", "must be a whole number from 1 to \(PageRequest.maximumLimit), not '\(text)'")
            }
        }
        page.cursor = string("cursor")
        page.includeTotal = bool("count")
        return page
    }

    /// A value checked with the domain's validator for `rule` (country codes, language tags...).
    mutating func formatted(_ name: String, _ rule: (inout Validator, String, String) -> Void) -> String? {
        guard let value = string(name) else { return nil }
        var validator = Validator()
        rule(&validator, value, name)
        errors += validator.errors
        return validator.errors.isEmpty ? value : nil
    }

    mutating func sort<Field: RawRepresentable & CaseIterable & Sendable & Hashable>(as type: Field.Type) -> [SortKey<Field>] where Field.RawValue == String {
        guard let text = string("sort") else { return [] }
        if text.isEmpty || text.split(separator: ",", omittingEmptySubsequences: false).contains(where: { $0.isEmpty || $0 == "-" }) {
            fail("sort", "'\(text)' is not a list of fields such as -start,title")
            return []
        }
        do { return try parseSort(text, as: type) } catch {
            if case .validation(let list) = error { errors += list }
            return []
        }
    }

    /// `type=event,actor` (or `events,actors`): record kinds, each once, in the order given (none when absent).
    mutating func kinds(_ name: String = "type") -> [RecordKind] {
        guard let text = string(name) else { return [] }
        var kinds: [RecordKind] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let kind = RecordKind(named: part) else {
                fail(name, "'\(part)' is not one of: \(RecordKind.allowedValues)")
                return []
            }
            if !kinds.contains(kind) { kinds.append(kind) }
        }
        return kinds
    }

    /// `fields=id,title`: the top-level fields to keep, checked against the record's fields.
    mutating func fields(of available: [String]) -> Set<String>? {
        guard let text = string("fields") else { return nil }
        let names = text.split(separator: ",").map { String($0).trimmingWhitespace }
        let unknown = names.filter { !available.contains($0) }
        if names.isEmpty || !unknown.isEmpty {
            fail("fields", "unknown field\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")); choose from: \(available.joined(separator: ", "))")
            return nil
        }
        return Set(names)
    }

    func finish() throws {
        if !errors.isEmpty { throw ChronicleError.validation(errors) }
    }
}
