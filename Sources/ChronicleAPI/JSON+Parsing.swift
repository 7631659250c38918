/// Why a body is not JSON, with the byte offset where parsing stopped.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let offset: Int
    public let reason: String
    public var description: String { "\(reason) at byte \(offset)" }
}

extension JSON {
    /// Parses strict RFC 8259 JSON (no comments, no trailing commas), at most `maxDepth` deep.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 32) throws(JSONSyntaxError) -> JSON {
        var parser = Parser(bytes: bytes, maxDepth: maxDepth)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.error("unexpected data after the JSON value") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        let maxDepth: Int
        var index = 0

        func error(_ reason: String) -> JSONSyntaxError { JSONSyntaxError(offset: index, reason: reason) }

        mutating func skipWhitespace() {
            while index < bytes.count, [32, 9, 10, 13].contains(bytes[index]) { index += 1 }
        }

        mutating func value(depth: Int) throws(JSONSyntaxError) -> JSON {
            guard depth <= maxDepth else { throw error("nested deeper than \(maxDepth) levels") }
            guard index < bytes.count else { throw error("unexpected end of input") }
            switch bytes[index] {
            case 123: return try object(depth: depth)
            case 91: return try array(depth: depth)
            case 34: return .string(try string())
            case 116: try literal("true"); return .bool(true)
            case 102: try literal("false"); return .bool(false)
            case 110: try literal("null"); return .null
            case 45, 48...57: return try number()
            default: throw error("unexpected character '\(Character(UnicodeScalar(bytes[index])))'")
            }
        }

        mutating func literal(_ word: String) throws(JSONSyntaxError) {
            let expected = Array(word.utf8)
            guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected else {
                throw error("invalid literal; expected \(word)")
            }
            index += expected.count
        }

        mutating func object(depth: Int) throws(JSONSyntaxError) -> JSON {
            index += 1
            var fields: [(String, JSON)] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == 125 { index += 1; return .object(fields) }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == 34 else { throw error("expected a string key") }
                let key = try string()
                if fields.contains(where: { $0.0 == key }) { throw error("duplicate key '\(key)'") }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == 58 else { throw error("expected ':' after a key") }
                index += 1
                skipWhitespace()
                fields.append((key, try value(depth: depth + 1)))
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of input in an object") }
                if bytes[index] == 44 { index += 1; continue }
                if bytes[index] == 125 { index += 1; return .object(fields) }
                throw error("expected ',' or '}' in an object")
            }
        }

        mutating func array(depth: Int) throws(JSONSyntaxError) -> JSON {
            index += 1
            var items: [JSON] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == 93 { index += 1; return .array(items) }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth + 1))
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of input in an array") }
                if bytes[index] == 44 { index += 1; continue }
                if bytes[index] == 93 { index += 1; return .array(items) }
                throw error("expected ',' or ']' in an array")
            }
        }

        mutating func string() throws(JSONSyntaxError) -> String {
            index += 1
            var out: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 34 {
                    index += 1
                    guard let text = String(validating: out, as: UTF8.self) else { throw error("a string is not valid UTF-8") }
                    return text
                }
                if byte < 32 { throw error("unescaped control character in a string") }
                if byte == 92 {
                    index += 1
                    guard index < bytes.count else { break }
                    switch bytes[index] {
                    case 34: out.append(34)
                    case 92: out.append(92)
                    case 47: out.append(47)
                    case 98: out.append(8)
                    case 102: out.append(12)
                    case 110: out.append(10)
                    case 114: out.append(13)
                    case 116: out.append(9)
                    case 117:
                        var scalar = try hex4()
                        if (0xD800...0xDBFF).contains(scalar) {
                            guard index + 2 < bytes.count, bytes[index + 1] == 92, bytes[index + 2] == 117 else { throw error("unpaired surrogate") }
                            index += 2
                            let low = try hex4()
                            guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid surrogate pair") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00...0xDFFF).contains(scalar) {
                            throw error("unpaired surrogate")
                        }
                        guard let unicode = UnicodeScalar(scalar) else { throw error("invalid \\u escape") }
                        out.append(contentsOf: Array(String(Character(unicode)).utf8))
                    default: throw error("invalid escape")
                    }
                    index += 1
                    continue
                }
                out.append(byte)
                index += 1
            }
            throw error("unterminated string")
        }

        mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
            guard index + 4 < bytes.count else { throw error("short \\u escape") }
            var value: UInt32 = 0
            for offset in 1...4 {
                let byte = bytes[index + offset]
                let digit: UInt32
                switch byte {
                case 48...57: digit = UInt32(byte - 48)
                case 65...70: digit = UInt32(byte - 55)
                case 97...102: digit = UInt32(byte - 87)
                default: throw error("invalid \\u escape")
                }
                value = value << 4 | digit
            }
            index += 4
            return value
        }

        mutating func number() throws(JSONSyntaxError) -> JSON {
            let start = index
            if bytes[index] == 45 { index += 1 }
            guard index < bytes.count, (48...57).contains(bytes[index]) else { throw error("invalid number") }
            if bytes[index] == 48 {
                index += 1
            } else {
                while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == 46 {
                index += 1
                guard index < bytes.count, (48...57).contains(bytes[index]) else { throw error("invalid number") }
                while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == 101 || bytes[index] == 69 {
                index += 1
                if index < bytes.count, bytes[index] == 43 || bytes[index] == 45 { index += 1 }
                guard index < bytes.count, (48...57).contains(bytes[index]) else { throw error("invalid number") }
                while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
            }
            guard let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)) else { throw error("invalid number") }
            return .number(value)
        }
    }
}
