import CZlib

/// Whether responses are gzip-encoded for clients that accept it (`Accept-Encoding`), and how:
/// one value for the server (`ServerConfiguration.compression`), and the one place that decides
/// for each response (`encode`).
public struct ResponseCompression: Sendable {
    /// Off: no response is encoded, and none says `Vary: Accept-Encoding`.
    public var isEnabled = true
    /// Whole bodies smaller than this are sent plain: gzip would save a few hundred bytes at most
    /// (less than a packet) for a zlib state set up and torn down. Streamed bodies, whose size
    /// is not known when their head is written, are always encoded.
    public var minimumBytes = 1024
    /// zlib's level, 1 (fastest) to 9 (smallest; others are taken as the nearest). 1 by default: this server's scarce resource is
    /// CPU, not bandwidth. On a page of 50 events (35,740 bytes) level 1 gives 7,004 bytes in
    /// 137 µs, level 6 (zlib's default) 5,885 bytes in 335 µs: 16% fewer bytes for 2.4 times the
    /// time, which would make gzip, not the store, the limit of a streamed export.
    public var level: Int32 = 1

    public init() {}
}

extension ResponseCompression {
    /// Encodes `response` with gzip when the request accepts it and the body is worth it, and
    /// says `Vary: Accept-Encoding` on every response whose body could have been encoded, so that
    /// a cache keeps the two apart. Called where the handler ran; a large body answered on an
    /// event loop is handed to a reader first (`wouldCompress`), as compression is CPU work.
    ///
    /// - Only bodies of a compressible type (`isCompressible`), without a `Content-Encoding` of
    ///   their own, of a status that has a body.
    /// - Whole bodies from `minimumBytes`, sent plain when gzip would not make them smaller;
    ///   `Content-Length` is the encoded size (HEAD included: its head is GET's).
    /// - Streamed bodies chunk by chunk (`BodyStream.gzipped`).
    /// - Pushed bodies (server-sent events, long polls) never: each part must reach the client
    ///   the moment it is sent, so each would need a flush, which costs more bytes than events of
    ///   a few hundred bytes save; and a zlib state per follower (about 256 KiB) would make a
    ///   thousand idle followers cost 256 MB instead of about one.
    /// - A strong `ETag` gets its `-gzip` mark (`EntityTag`): the encoded body is another
    ///   representation.
    public func encode(_ response: inout Response, requestHeaders: Headers) {
        guard isEnabled else { return }
        if case .push = response.body { return }
        if response.status == 304 { return encodeNotModified(&response, requestHeaders: requestHeaders) }
        guard response.status >= 200, response.status != 204 else { return }
        var contentType: String?
        for field in response.headers.fields {
            switch field.name.utf8.count {
            case 12 where field.name.equalsIgnoringASCIICase("Content-Type"): contentType = field.value
            case 16 where field.name.equalsIgnoringASCIICase("Content-Encoding"): return
            default: break
            }
        }
        guard let contentType, ResponseCompression.isCompressible(contentType) else { return }
        response.headers.addVary("Accept-Encoding")
        guard let accepted = requestHeaders["Accept-Encoding"], AcceptEncoding.prefersGzip(accepted) else { return }
        // Checked here: a stream's encoder is made after its head is sent, too late to refuse.
        let level = min(max(level, 1), 9)
        switch response.body {
        case .bytes(let bytes):
            guard bytes.count >= minimumBytes, let encoded = try? GzipEncoder.compress(bytes, level: level),
                  encoded.count < bytes.count else { return }
            response.body = .bytes(encoded)
        case .stream(let stream):
            response.body = .stream(stream.gzipped(level: level))
        case .push:
            return
        }
        response.headers["Content-Encoding"] = "gzip"
        if let tag = response.headers["ETag"] { response.headers["ETag"] = EntityTag.addingEncodingSuffix(tag) }
    }

    /// True when `encode` would gzip a response to this request whose body is large: the cheap
    /// test a route answered on the event loop uses to hand the work to a worker instead.
    func wouldCompress(_ response: Response, requestHeaders: Headers) -> Bool {
        guard isEnabled, case .bytes(let bytes) = response.body, bytes.count >= minimumBytes else { return false }
        return requestHeaders["Accept-Encoding"] != nil
    }

    /// A 304 has no body, but carries the fields a 200 would (RFC 9110 §15.4.5): `Vary`, and the
    /// tag of the representation the client holds, which is the gzip one when that is the tag it
    /// sent back (the application compared it without its mark).
    private func encodeNotModified(_ response: inout Response, requestHeaders: Headers) {
        guard !response.headers.contains("Content-Encoding") else { return }
        // A 304 usually has no Content-Type: it could stand for an encoded body.
        if let contentType = response.headers["Content-Type"], !ResponseCompression.isCompressible(contentType) { return }
        response.headers.addVary("Accept-Encoding")
        guard let tag = response.headers["ETag"], let accepted = requestHeaders["Accept-Encoding"], AcceptEncoding.prefersGzip(accepted),
              let sent = requestHeaders["If-None-Match"] else { return }
        let marked = EntityTag.addingEncodingSuffix(tag)
        let opaque = { (tag: Substring) in tag.hasPrefix("W/") ? tag.dropFirst(2) : tag }
        if sent.split(separator: ",").contains(where: { opaque($0.trimmingWhitespace[...]) == opaque(marked[...]) }) {
            response.headers["ETag"] = marked
        }
    }

    /// Types whose bodies are text, and so shrink: JSON and its kinds (`+json`, NDJSON), text,
    /// YAML, XML, JavaScript, SVG. Not `text/event-stream`, which is pushed and must not wait.
    static func isCompressible(_ contentType: String) -> Bool {
        if contentType == "application/json" { return true }  // most responses, without taking the type apart
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingWhitespace.lowercased() } ?? ""
        if mediaType.hasPrefix("text/") { return mediaType != "text/event-stream" }
        switch mediaType {
        case "application/json", "application/x-ndjson", "application/ndjson", "application/yaml", "application/x-yaml",
             "application/javascript", "application/xml", "image/svg+xml":
            return true
        default:
            return mediaType.hasSuffix("+json") || mediaType.hasSuffix("+xml") || mediaType.hasSuffix("+yaml")
        }
    }
}

extension Headers {
    /// Adds `name` to `Vary`, keeping what is there (a response may depend on several request
    /// headers: its representation on `Accept`, its CORS headers on `Origin`), once.
    public mutating func addVary(_ name: String) {
        // Most responses have no Vary: one scan, no array of values made.
        guard contains("Vary") else { return add("Vary", name) }
        let present = values("Vary")
        let listed = present.flatMap { $0.split(separator: ",").map(\.trimmingWhitespace) }
        if listed.contains(where: { $0 == "*" || $0.equalsIgnoringASCIICase(name) }) { return }
        self["Vary"] = (present + [name]).joined(separator: ", ")
    }
}
