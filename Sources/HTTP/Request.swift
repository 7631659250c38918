import Glibc

/// A parsed request: what a handler sees.
public struct Request: Sendable {
    public var method: String
    /// The request target as sent, e.g. `/v1/events?from=2022-02`.
    public var target: String
    /// The decoded path, e.g. `/v1/events`.
    public var path: String
    /// Decoded query parameters in order; a name may repeat.
    public var query: [(name: String, value: String)]
    public var headers: Headers
    public var body: [UInt8]
    /// The body, when the route spools bodies to a file (`body` is then empty).
    public var spooledBody: SpooledBody?
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    /// Values of `:name` segments of the matched route.
    public var parameters: [String: String] = [:]
    /// The request id the server assigned (or accepted from `X-Request-Id`), for logs and errors.
    public var id: String {
        get { requestID.description }
        set { requestID = RequestID(newValue) }
    }
    /// The same id, as the server keeps it: text only when asked for.
    public var requestID = RequestID("")
    /// The route pattern that matched, e.g. `/v1/events/:id`, for metrics; set by the router.
    public var route: String?
    /// The matched route's access (nil when no route matched); set by the router.
    public var routeAccess: RouteAccess?
    /// Who the request acts for, as authentication middleware established it (a token's
    /// name), so that handlers can attribute what they do; nil when nobody authenticated.
    public var user: String?
    /// The id of what established `user` (a token's), for handlers that hand it on to be
    /// checked again where the work commits.
    public var credential: String?
    /// What `Responder.prepare` noted for this request, if anything.
    public var preparedTag: Int?
    /// When the server had the whole request, on the monotonic clock; with `secondsSinceReceived`
    /// a middleware times a request (queueing for a worker included) without a clock of its own.
    public var receivedAt: Double = 0

    public var secondsSinceReceived: Double { max(0, Socket.now() - receivedAt) }

    public init(method: String, target: String, headers: Headers = Headers(), body: [UInt8] = [], minorVersion: Int = 1) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.minorVersion = minorVersion
        let (path, query) = Request.split(target)
        self.path = path
        self.query = query
    }

    /// The first value of a query parameter.
    public func query(_ name: String) -> String? { query.first { $0.name == name }?.value }

    /// True when the parameter is present, with or without a value (`?pretty`).
    public func hasQuery(_ name: String) -> Bool { query.contains { $0.name == name } }

    static func split(_ target: String) -> (String, [(name: String, value: String)]) {
        guard let mark = target.firstIndex(ofByte: 63) else {
            // Most paths have no escapes: then the target is the path, with no copy.
            guard target.firstIndex(ofByte: 37) != nil else { return (target, []) }
            return (percentDecode(target[...], plusAsSpace: false) ?? target, [])
        }
        let rawPath = target[..<mark]
        let path = percentDecode(rawPath, plusAsSpace: false) ?? String(rawPath)
        // `&` and `=` found in the bytes: splitting the Substring by Character walked grapheme
        // clusters and cost more than the rest of a request (23,000 instructions for `?q=…&limit=20`).
        let query = target.utf8[target.utf8.index(after: mark)...]
        var items: [(name: String, value: String)] = []
        var pairStart = query.startIndex
        var equals: String.UTF8View.Index?
        func addPair(upTo end: String.UTF8View.Index) {
            guard pairStart < end else { return }  // empty pairs (`a&&b`) are skipped
            let nameEnd = equals ?? end
            let name = Substring(query[pairStart..<nameEnd])
            let value = equals.map { Substring(query[query.index(after: $0)..<end]) } ?? ""
            items.append((percentDecode(name, plusAsSpace: true) ?? String(name),
                          percentDecode(value, plusAsSpace: true) ?? String(value)))
        }
        var index = query.startIndex
        while index < query.endIndex {
            switch query[index] {
            case 38:  // &
                addPair(upTo: index)
                pairStart = query.index(after: index)
                equals = nil
            case 61 where equals == nil:  // the first = of a pair
                equals = index
            default:
                break
            }
            index = query.index(after: index)
        }
        addPair(upTo: query.endIndex)
        return (path, items)
    }
}

/// Decodes `%XX` escapes (and `+` in queries); nil when an escape is broken, not UTF-8, or
/// `%00`: a NUL is never part of a name, and some stores cannot even look one up.
public func percentDecode(_ text: Substring, plusAsSpace: Bool) -> String? {
    // A scan of the contiguous bytes: the generic view walk cost more than the rest of this.
    let plus: UInt8 = plusAsSpace ? 43 : 37
    let escaped = text.utf8.withContiguousStorageIfAvailable { bytes in
        for byte in bytes where byte == 37 || byte == plus { return true }
        return false
    } ?? text.utf8.contains { $0 == 37 || $0 == plus }
    guard escaped else { return String(text) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count)
    var iterator = text.utf8.makeIterator()
    while let byte = iterator.next() {
        if byte == 37 {
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue), high | low != 0 else { return nil }
            bytes.append(high << 4 | low)
        } else if byte == 43 && plusAsSpace {
            bytes.append(32)
        } else {
            bytes.append(byte)
        }
    }
    return String(validating: bytes, as: UTF8.self)
}

func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case 48...57: return byte - 48
    case 65...70: return byte - 55
    case 97...102: return byte - 87
    default: return nil
    }
}

extension String {
    /// The index of the first `byte` of the UTF-8 form: a scan over the contiguous bytes, where
    /// `utf8.firstIndex(of:)` steps through the view's generic indices (ten times the work).
    func firstIndex(ofByte byte: UInt8) -> Index? {
        let offset = utf8.withContiguousStorageIfAvailable { bytes -> Int? in
            guard let base = bytes.baseAddress, let found = memchr(base, Int32(byte), bytes.count) else { return nil }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        } ?? utf8.firstIndex(of: byte).map { utf8.distance(from: utf8.startIndex, to: $0) }
        return offset.map { utf8.index(utf8.startIndex, offsetBy: $0) }
    }

}
