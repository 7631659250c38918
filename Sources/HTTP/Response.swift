/// What a handler returns: a status, headers and a body given whole or streamed.
public struct Response: Sendable {
    public var status: Int
    public var headers: Headers
    public var body: Body

    public enum Body: Sendable {
        case bytes([UInt8])
        /// Pulled chunk by chunk on a worker thread, each only after the previous one was written,
        /// so a slow client slows the producer instead of filling memory. Sent chunked.
        case stream(BodyStream)
        /// Written later, from any thread, through a `PushSink` (see there); sent chunked.
        case push(PushStream)
    }

    public init(status: Int = 200, headers: Headers = Headers(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = .bytes(body)
    }

    public init(status: Int = 200, headers: Headers = Headers(), stream: BodyStream) {
        self.status = status
        self.headers = headers
        body = .stream(stream)
    }

    public init(status: Int = 200, headers: Headers = Headers(), push: PushStream) {
        self.status = status
        self.headers = headers
        body = .push(push)
    }

    /// A plain-text or JSON response from a string.
    public init(status: Int = 200, contentType: String, text: String) {
        self.init(status: status, headers: ["Content-Type": contentType], body: Array(text.utf8))
    }

    /// An RFC 9457 problem document, the shape every error from this server takes.
    public static func problem(_ status: Int, detail: String, extra: [String: String] = [:]) -> Response {
        var json = "{\"type\":\"about:blank\",\"title\":\(jsonString(Status.reason(status))),\"status\":\(status),\"detail\":\(jsonString(detail))"
        for (key, value) in extra.sorted(by: { $0.key < $1.key }) { json += ",\(jsonString(key)):\(jsonString(value))" }
        json += "}\n"
        return Response(status: status, contentType: "application/problem+json", text: json)
    }
}

/// A pull-based producer of body chunks; `next` returns nil at the end.
public struct BodyStream: Sendable {
    public let next: @Sendable () throws -> [UInt8]?
    public init(next: @escaping @Sendable () throws -> [UInt8]?) { self.next = next }
}

/// A JSON string literal with the escapes RFC 8259 requires.
public func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
