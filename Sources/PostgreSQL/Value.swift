/// A value for a statement parameter (`$1`, `$2`, ...). Every value reaches SQL through a bound
/// parameter, never through the statement's text.
///
/// Values travel in PostgreSQL's text format with no declared type: the server gives each
/// parameter the type its place in the statement calls for, as it must for a statement prepared
/// before any value is known, so the same SQL behaves the same through `execute` and
/// `executePrepared`. Where the place does not say (`SELECT $1 + $2`, `$1 IS NULL`), cast it:
/// `$1::bigint`.
public enum PostgresValue: Sendable, Hashable {
    case null
    case text(String)
    case integer(Int64)
    case real(Double)
    case bool(Bool)
    /// For a `bytea` parameter; sent in bytea's hex text form.
    case bytes([UInt8])
}

/// Something that can be bound to a statement parameter.
public protocol PostgresBindable {
    var postgresValue: PostgresValue { get }
}

extension PostgresValue: PostgresBindable { public var postgresValue: PostgresValue { self } }
extension String: PostgresBindable { public var postgresValue: PostgresValue { .text(self) } }
extension Int: PostgresBindable { public var postgresValue: PostgresValue { .integer(Int64(self)) } }
extension Int64: PostgresBindable { public var postgresValue: PostgresValue { .integer(self) } }
extension Double: PostgresBindable { public var postgresValue: PostgresValue { .real(self) } }
extension Bool: PostgresBindable { public var postgresValue: PostgresValue { .bool(self) } }
extension Array: PostgresBindable where Element == UInt8 { public var postgresValue: PostgresValue { .bytes(self) } }

extension Optional: PostgresBindable where Wrapped: PostgresBindable {
    public var postgresValue: PostgresValue { self?.postgresValue ?? .null }
}

extension PostgresValue {
    /// The text the server parses the parameter from; nil for NULL.
    var parameterText: String? {
        switch self {
        case .null: return nil
        case .text(let text): return text
        case .integer(let value): return String(value)
        case .real(let value):
            // Swift writes "inf" and "nan"; PostgreSQL's spellings are the ones it documents.
            if value.isNaN { return "NaN" }
            if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
            return String(value)  // the shortest text that reads back as the same Double
        case .bool(let value): return value ? "true" : "false"
        case .bytes(let bytes):
            let digits = Array("0123456789abcdef".utf8)
            var text: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
            text.reserveCapacity(2 + 2 * bytes.count)
            for byte in bytes {
                text.append(digits[Int(byte >> 4)])
                text.append(digits[Int(byte & 0xF)])
            }
            return String(decoding: text, as: UTF8.self)
        }
    }
}
