import FoundationEssentials

/// A keyset cursor: the sort values of the last row of a page, plus the sort it belongs to.
/// Opaque to clients (base64url); a cursor used with another sort is refused, not misread.
public struct Cursor: Sendable, Equatable {
    public var sort: String
    public var values: [String]

    public init(sort: String, values: [String]) {
        self.sort = sort
        self.values = values
    }

    public var encoded: String {
        let json = (try? JSONEncoder().encode([sort] + values)) ?? Data()
        return String(json.base64EncodedString().compactMap { character -> Character? in
            switch character {
            case "+": return "-"
            case "/": return "_"
            case "=": return nil
            default: return character
            }
        })
    }

    public init(decoding text: String, expectedSort: String, valueCount: Int) throws(ChronicleError) {
        var base64 = String(text.map { $0 == "-" ? "+" : ($0 == "_" ? "/" : $0) })
        while base64.count % 4 != 0 { base64 += "=" }
        guard text.count <= 4096, let data = Data(base64Encoded: base64),
              let parts = try? JSONDecoder().decode([String].self, from: data), parts.count == valueCount + 1 else {
            throw .validation([FieldError("cursor", "is not a cursor this server issued; take it from a response's 'next'")])
        }
        guard parts[0] == expectedSort else {
            throw .validation([FieldError("cursor", "was issued for sort '\(parts[0])', not '\(expectedSort)'; keep the same sort while paging")])
        }
        sort = parts[0]
        values = Array(parts.dropFirst())
    }
}
