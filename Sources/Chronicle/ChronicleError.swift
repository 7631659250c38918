/// One problem with one field of a request, e.g. `start: day 30 does not exist in 2022-02`.
public struct FieldError: Sendable, Equatable, Codable, CustomStringConvertible {
    public let field: String
    public let message: String
    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { "\(field): \(message)" }
}

/// Everything the store refuses, said so that a caller can tell the user what to fix.
public enum ChronicleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No record of this kind has this id (or slug).
    case notFound(RecordKind, String)
    /// The record changed since the caller read it: its version is now `current`.
    case versionConflict(RecordKind, id: String, expected: Int, current: Int)
    /// Input broke one or more rules.
    case validation([FieldError])
    /// A unique value (slug, Wikidata id) is already taken by another record.
    case duplicate(RecordKind, field: String, value: String)
    /// The record is still referred to; delete with cascade or remove the references first.
    case stillReferenced(RecordKind, id: String, references: [String])
    /// Answering took longer than the store allows one request's reads, and was stopped.
    case timeLimit(seconds: Double)
    /// The token a write was let through on from memory was found revoked in the write's own
    /// transaction; nothing of the write was kept.
    case tokenRevoked

    public var description: String {
        switch self {
        case .notFound(let kind, let id): return "no \(kind.rawValue) with id or slug '\(id)'"
        case .versionConflict(let kind, let id, let expected, let current):
            return "\(kind.rawValue) \(id) is at version \(current), not \(expected): it was changed since you read it; fetch it again and re-apply your change"
        case .validation(let errors): return errors.map(\.description).joined(separator: "; ")
        case .duplicate(let kind, let field, let value): return "another \(kind.rawValue) already has \(field) '\(value)'"
        case .stillReferenced(let kind, let id, let references):
            return "\(kind.rawValue) \(id) is still referred to by \(references.joined(separator: ", ")); remove those first or delete with cascade"
        case .timeLimit(let seconds):
            let limit = seconds < 0.001 ? "\(Int((seconds * 1e6).rounded())) µs"
                : seconds < 1 ? "\(Int((seconds * 1000).rounded())) ms" : "\(seconds.formatted(fractionDigits: 1)) s"
            return "answering took longer than the \(limit) this server allows one request and was stopped; narrow the request (more words in q, a type, a date range, a smaller limit, no count=true) and try again"
        case .tokenRevoked:
            return "the token is unknown or revoked; nothing was written"
        }
    }
}

extension Double {
    /// `2.0` as "2", `1.5` as "1.5": no trailing zeros after the point.
    fileprivate func formatted(fractionDigits: Int) -> String {
        var scale = 1.0
        for _ in 0..<fractionDigits { scale *= 10 }
        let rounded = (self * scale).rounded() / scale
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
