import Glibc

/// How a request's body is delimited (RFC 9112 §6).
public enum BodyFraming: Sendable, Equatable {
    case none
    case length(Int)
    case chunked
}

/// A validated request head.
public struct RequestHead: Sendable {
    public var method: String
    public var target: String
    public var minorVersion: Int
    public var headers: Headers
    public var framing: BodyFraming
    public var keepAlive: Bool
    public var expectsContinue: Bool
}

/// Why a request was refused: the status to answer with and a sentence for the client.
/// After a parse error the framing cannot be trusted, so the connection is closed.
public struct ParseError: Error, Sendable, Equatable {
    public let status: Int
    public let message: String
    public init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }
}

public enum HeadParseResult: Sendable {
    case incomplete
    case complete(RequestHead, consumed: Int)
    case failure(ParseError)
}

/// A strict HTTP/1.1 request-head parser (RFC 9112). It accepts only CRLF line endings and
/// refuses everything that lets two parsers disagree about where a request ends.
public enum RequestParser {
    /// The methods of RFC 9110 (and QUERY, the safe method with a body); a route that lacks one answers 405. Any other method is a 501.
    static let knownMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "QUERY"]

    /// The method's shared string when the bytes name a known method; compared as bytes, so the
    /// common case neither hashes nor allocates.
    static func knownMethod(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard let start = bytes.baseAddress else { return nil }
        for (index, method) in knownMethodBytes.enumerated() where method.count == bytes.count {
            if method.withUnsafeBufferPointer({ memcmp($0.baseAddress!, start, bytes.count) }) == 0 { return knownMethods[index] }
        }
        return nil
    }
    private static let knownMethodBytes = knownMethods.map { Array($0.utf8) }
    static let http2Preface: [UInt8] = Array("PRI * HTTP/2.0\r\n".utf8)

    public static func parseHead(_ buffer: UnsafeBufferPointer<UInt8>, limits: ServerLimits) -> HeadParseResult {
        let count = buffer.count
        var start = 0
        // RFC 9112 §2.2: ignore empty lines before the request line.
        while start + 1 < count, buffer[start] == 13, buffer[start + 1] == 10 { start += 2 }
        if start >= count { return start > limits.maxRequestLineBytes ? .failure(ParseError(400, "too many empty lines before the request")) : .incomplete }

        // The request line.
        let lineEnd: Int
        switch findLineEnd(buffer, from: start, limit: limits.maxRequestLineBytes) {
        case .found(let end): lineEnd = end
        case .incomplete: return .incomplete
        case .tooLong: return .failure(ParseError(414, "the request line is longer than \(limits.maxRequestLineBytes) bytes"))
        case .invalid(let why): return prefaceOr(buffer, start: start, ParseError(400, "request line: \(why)"))
        }
        var method = "", target = "", minor = 1
        switch parseRequestLine(buffer, from: start, to: lineEnd) {
        case .success(let parsed): (method, target, minor) = parsed
        case .failure(let error): return prefaceOr(buffer, start: start, error)
        }

        // Header fields.
        var headers = Headers()
        var shaping = ShapingFields()
        let headerStart = lineEnd + 2
        var position = headerStart
        while true {
            if position + 1 >= count {
                return count - headerStart > limits.maxHeaderBytes ? .failure(ParseError(431, "the header block is larger than \(limits.maxHeaderBytes) bytes")) : .incomplete
            }
            if buffer[position] == 13 {
                guard buffer[position + 1] == 10 else { return .failure(ParseError(400, "bare CR in the header block")) }
                position += 2
                break
            }
            if buffer[position] == 32 || buffer[position] == 9 {
                return .failure(ParseError(400, "obsolete line folding (a header line starting with whitespace) is not accepted"))
            }
            let remainingBudget = limits.maxHeaderBytes - (position - headerStart)
            let end: Int
            switch findLineEnd(buffer, from: position, limit: remainingBudget) {
            case .found(let e): end = e
            case .incomplete: return .incomplete
            case .tooLong: return .failure(ParseError(431, "the header block is larger than \(limits.maxHeaderBytes) bytes"))
            case .invalid(let why): return .failure(ParseError(400, "header line: \(why)"))
            }
            if headers.count >= limits.maxHeaderCount {
                return .failure(ParseError(431, "more than \(limits.maxHeaderCount) header fields"))
            }
            switch parseField(buffer, from: position, to: end) {
            case .success(let field):
                let value = String(decoding: UnsafeBufferPointer(rebasing: buffer[field.valueStart..<field.valueEnd]), as: UTF8.self)
                let name = UnsafeBufferPointer(rebasing: buffer[position..<field.colon])
                headers.add(shaping.note(name: name, value: value) ?? String(decoding: name, as: UTF8.self), value)
            case .failure(let error): return .failure(error)
            }
            position = end + 2
        }
        if position - headerStart > limits.maxHeaderBytes {
            return .failure(ParseError(431, "the header block is larger than \(limits.maxHeaderBytes) bytes"))
        }
        switch interpret(method: method, target: target, minor: minor, headers: headers, shaping: shaping) {
        case .success(let head): return .complete(head, consumed: position)
        case .failure(let error): return .failure(error)
        }
    }

    private static func prefaceOr(_ buffer: UnsafeBufferPointer<UInt8>, start: Int, _ error: ParseError) -> HeadParseResult {
        if buffer.count - start >= http2Preface.count, Array(buffer[start..<start + http2Preface.count]) == http2Preface {
            return .failure(ParseError(505, "HTTP/2 is not supported; use HTTP/1.1"))
        }
        return .failure(error)
    }

    enum LineEnd { case found(Int), incomplete, tooLong, invalid(String) }

    /// Finds the CR of the CRLF that ends a line; refuses bare CR, bare LF and NUL.
    static func findLineEnd(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int, limit: Int) -> LineEnd {
        let count = buffer.count
        // Past `stop` the line is too long whatever follows.
        let stop = min(count, start + limit + 1)
        var index = start
        // Eight bytes at a time while none of them is below 14 (CR, LF and NUL all are): a byte
        // b < 14 is the only kind for which (b - 14) borrows into its top bit while b's is clear.
        if let base = buffer.baseAddress {
            while index + 8 <= stop {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
                if (word &- 0x0E0E_0E0E_0E0E_0E0E) & ~word & 0x8080_8080_8080_8080 != 0 { break }
                index += 8
            }
        }
        while index < stop {
            let byte = buffer[index]
            // CR, LF and NUL are all below 14: one comparison for the common byte.
            if byte < 14 {
                if byte == 13 {
                    if index + 1 >= count { return .incomplete }
                    guard buffer[index + 1] == 10 else { return .invalid("bare CR") }
                    return .found(index)
                }
                if byte == 10 { return .invalid("bare LF; lines must end with CRLF") }
                if byte == 0 { return .invalid("NUL byte") }
            }
            index += 1
        }
        return index - start > limit ? .tooLong : .incomplete
    }

    static func parseRequestLine(_ b: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Result<(String, String, Int), ParseError> {
        // Exactly two spaces: one pass over the line.
        var firstSpace = -1, secondSpace = -1, index = start
        while index < end {
            if b[index] == 32 {
                if firstSpace < 0 { firstSpace = index } else if secondSpace < 0 { secondSpace = index } else { secondSpace = -1; break }
            }
            index += 1
        }
        guard firstSpace >= 0, secondSpace >= 0 else {
            return .failure(ParseError(400, "a request line is METHOD SP TARGET SP HTTP/1.1"))
        }
        guard firstSpace > start, (start..<firstSpace).allSatisfy({ isTokenByte(b[$0]) }) else {
            return .failure(ParseError(400, "the method is not a token"))
        }
        // Raw UTF-8 (bytes above 0x7F) is accepted in the target, since curl sends a typed
        // `?q=Лукашенко` as is; it must be valid UTF-8.
        let targetBytes = UnsafeBufferPointer(rebasing: b[firstSpace + 1..<secondSpace])
        var targetIsASCII = true
        for byte in targetBytes {
            if byte <= 32 || byte == 127 { return .failure(ParseError(400, "the request target is empty, or has spaces, control characters or invalid UTF-8")) }
            if byte >= 128 { targetIsASCII = false }
        }
        guard !targetBytes.isEmpty, targetIsASCII || String(validating: targetBytes, as: UTF8.self) != nil else {
            return .failure(ParseError(400, "the request target is empty, or has spaces, control characters or invalid UTF-8"))
        }
        let version = UnsafeBufferPointer(rebasing: b[secondSpace + 1..<end])
        guard version.count == 8, version[0] == 72, version[1] == 84, version[2] == 84, version[3] == 80, version[4] == 47,  // "HTTP/"
              isDigit(version[5]), version[6] == 46, isDigit(version[7]) else {
            return .failure(ParseError(400, "'\(String(decoding: version, as: UTF8.self))' is not an HTTP version"))
        }
        guard version[5] == 49, version[7] == 48 || version[7] == 49 else {
            return .failure(ParseError(505, "HTTP/\(Character(UnicodeScalar(version[5]))).\(Character(UnicodeScalar(version[7]))) is not supported; use HTTP/1.1"))
        }
        let methodBytes = UnsafeBufferPointer(rebasing: b[start..<firstSpace])
        guard let method = knownMethod(methodBytes) else {
            return .failure(ParseError(501, "method \(String(decoding: methodBytes, as: UTF8.self)) is not implemented"))
        }
        var target = String(decoding: targetBytes, as: UTF8.self)
        if targetBytes[0] == 47 {
            // origin form, the common case: nothing more to check
        } else if target.hasPrefix("http://") || target.hasPrefix("https://") {
            // Absolute form (RFC 9112 §3.2.2): keep the path and query.
            let afterScheme = target.drop { $0 != "/" }.dropFirst(2)
            target = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }).map { String(afterScheme[$0...]) } ?? "/"
            if target.hasPrefix("?") { target = "/" + target }
        } else if target == "*" {
            guard method == "OPTIONS" else { return .failure(ParseError(400, "the target * is only for OPTIONS")) }
        } else if !target.hasPrefix("/") {
            return .failure(ParseError(400, "the request target must start with /"))
        }
        return .success((method, target, version[7] == 49 ? 1 : 0))
    }

    /// Where a valid field line's colon and (trimmed) value are.
    struct FieldBounds { var colon: Int, valueStart: Int, valueEnd: Int }

    static func parseField(_ b: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Result<FieldBounds, ParseError> {
        guard let colon = (start..<end).first(where: { b[$0] == 58 }) else {
            return .failure(ParseError(400, "a header line has no colon"))
        }
        guard colon > start, (start..<colon).allSatisfy({ isTokenByte(b[$0]) }) else {
            return .failure(ParseError(400, "a header name is empty, has whitespace before the colon, or has characters a token may not"))
        }
        var valueStart = colon + 1, valueEnd = end
        while valueStart < valueEnd, b[valueStart] == 32 || b[valueStart] == 9 { valueStart += 1 }
        while valueEnd > valueStart, b[valueEnd - 1] == 32 || b[valueEnd - 1] == 9 { valueEnd -= 1 }
        for index in valueStart..<valueEnd {
            let byte = b[index]
            if byte < 32 && byte != 9 || byte == 127 { return .failure(ParseError(400, "a header value has a control character")) }
        }
        return .success(FieldBounds(colon: colon, valueStart: valueStart, valueEnd: valueEnd))
    }

    /// The few fields that shape the exchange, noted as each field is parsed: a second pass
    /// over the headers compared every name as a String again.
    struct ShapingFields {
        var hostCount = 0
        var lengths: [String] = [], codings: [String] = [], connection: [String] = []
        var expect: String?

        /// Notes the field if it shapes the exchange; returns the name as a shared string when
        /// it is one of these, spelled as usual, so that the common case makes no string.
        mutating func note(name: UnsafeBufferPointer<UInt8>, value: String) -> String? {
            switch name.count {
            case 4 where name.equalsLowercase("host"):
                hostCount += 1
                return name.spells("Host") ? "Host" : nil
            case 6 where name.equalsLowercase("expect"): expect = expect ?? value
            case 10 where name.equalsLowercase("connection"):
                connection.append(value)
                return name.spells("Connection") ? "Connection" : nil
            case 14 where name.equalsLowercase("content-length"):
                lengths.append(value)
                return name.spells("Content-Length") ? "Content-Length" : nil
            case 17 where name.equalsLowercase("transfer-encoding"): codings.append(value)
            default: break
            }
            return nil
        }
    }

    /// Applies the rules that span fields: Host, framing, Expect, Connection.
    static func interpret(method: String, target: String, minor: Int, headers: Headers, shaping: ShapingFields) -> Result<RequestHead, ParseError> {
        let hostCount = shaping.hostCount, lengths = shaping.lengths, codings = shaping.codings
        let connection = shaping.connection, expect = shaping.expect
        if hostCount > 1 { return .failure(ParseError(400, "more than one Host header")) }
        if minor == 1 && hostCount == 0 { return .failure(ParseError(400, "HTTP/1.1 requires a Host header")) }

        var framing = BodyFraming.none
        if !codings.isEmpty {
            if !lengths.isEmpty { return .failure(ParseError(400, "both Content-Length and Transfer-Encoding; send one")) }
            if minor == 0 { return .failure(ParseError(400, "Transfer-Encoding in an HTTP/1.0 request")) }
            let list = codings.flatMap { $0.split(separator: ",") }.map { $0.trimmingWhitespace.lowercased() }
            guard list.last == "chunked" else {
                return .failure(ParseError(400, "chunked must be the final transfer coding of a request"))
            }
            if let unknown = list.first(where: { $0 != "chunked" }) {
                return .failure(ParseError(501, "transfer coding '\(unknown)' is not implemented; use chunked alone"))
            }
            guard list.count == 1 else { return .failure(ParseError(400, "chunked may be applied only once")) }
            framing = .chunked
        } else if !lengths.isEmpty {
            let values = lengths.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.map(\.trimmingWhitespace)
            guard let first = values.first, values.allSatisfy({ $0 == first }) else {
                return .failure(ParseError(400, "differing Content-Length values"))
            }
            guard !first.isEmpty, first.count <= 15, first.utf8.allSatisfy(isDigit), let length = Int(first) else {
                return .failure(ParseError(400, "Content-Length '\(first)' is not a non-negative decimal number"))
            }
            framing = length > 0 ? .length(length) : .none
        }

        var expectsContinue = false
        if let expect {
            guard expect.trimmingWhitespace.equalsIgnoringASCIICase("100-continue") else {
                return .failure(ParseError(417, "Expect '\(expect)' is not supported; only 100-continue is"))
            }
            expectsContinue = minor == 1
        }

        let tokens = connection.isEmpty ? [] : connection.flatMap { $0.split(separator: ",") }.map { $0.trimmingWhitespace.lowercased() }
        let keepAlive = minor == 1 ? !tokens.contains("close") : tokens.contains("keep-alive")
        return .success(RequestHead(method: method, target: target, minorVersion: minor, headers: headers, framing: framing,
                                    keepAlive: keepAlive, expectsContinue: expectsContinue))
    }

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    /// tchar (RFC 9110 §5.6.2).
    @inline(__always) static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 48...57, 65...90, 97...122: return true
        case 33, 35, 36, 37, 38, 39, 42, 43, 45, 46, 94, 95, 96, 124, 126: return true
        default: return false
        }
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (optional whitespace, RFC 9110 §5.6.3).
    public var trimmingWhitespace: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (optional whitespace, RFC 9110 §5.6.3).
    public var trimmingWhitespace: String { self[...].trimmingWhitespace }
}

extension UnsafeBufferPointer<UInt8> {
    /// Whether these bytes spell `lowercase` in any ASCII case (a token: letters, digits, `-`).
    @inline(__always)
    func equalsLowercase(_ lowercase: StaticString) -> Bool {
        guard count == lowercase.utf8CodeUnitCount else { return false }
        let expected = lowercase.utf8Start
        for index in 0..<count where self[index] | 0x20 != expected[index] { return false }
        return true
    }

    /// Whether these bytes are exactly `text`.
    @inline(__always)
    func spells(_ text: StaticString) -> Bool {
        count == text.utf8CodeUnitCount && memcmp(baseAddress!, text.utf8Start, count) == 0
    }
}
