import Chronicle
import HTTP

/// Builds JSON responses with ETags, pretty printing and problem documents.
enum Reply {
    /// Pretty when asked (`?pretty`, `?pretty=true`) or when the client is a terminal tool
    /// (curl, HTTPie, Wget) and did not say `pretty=false`.
    static func wantsPretty(_ request: Request) -> Bool {
        if let value = request.query("pretty") { return value != "false" && value != "0" }
        guard let agent = request.headers["User-Agent"], !agent.isEmpty else { return false }
        return agent.hasPrefix("curl/") || agent.hasPrefix("HTTPie/") || agent.hasPrefix("Wget/")
    }

    /// A JSON response; answers 304 when the client's `If-None-Match` matches.
    static func json(_ request: Request, _ value: JSON, status: Int = 200, etag: String? = nil, headers: Headers = Headers()) -> Response {
        json(request, body: value.serialized(pretty: wantsPretty(request)), status: status, etag: etag, headers: headers)
    }

    /// A JSON body serialized already. Records and lists may be kept by caches but must be
    /// revalidated (`Cache-Control: no-cache`, unless the caller says otherwise): a fact
    /// corrected since must not be served from a proxy or a browser's cache.
    static func json(_ request: Request, body: [UInt8], status: Int = 200, etag: String? = nil, headers: Headers = Headers()) -> Response {
        var headers = headers
        if headers["Cache-Control"] == nil { headers["Cache-Control"] = "no-cache" }
        var response = Response(status: status, headers: headers, body: body)
        response.headers["Content-Type"] = "application/json"
        if status == 200 || status == 201 {
            let tag = etag ?? "\"\(contentHash(body))\""
            response.headers["ETag"] = tag
            if status == 200, let match = request.headers["If-None-Match"], etagMatches(match, tag, weak: true) {
                var notModified = Response(status: 304, headers: headers)
                notModified.headers["ETag"] = tag
                return notModified
            }
        }
        return response
    }

    /// The strong ETag of a record's body: `"evt_…-v3-<fingerprint of the body>"`. The version
    /// names the record's own fields, which `If-Match` guards; the 64-bit fingerprint tells apart
    /// bodies of one version that embed different names of other records (a participant renamed
    /// since), which give the record no new version. Two bodies of one record and version would
    /// share a tag only if their fingerprints collided.
    static func recordTag(_ id: String, _ version: Int, body: [UInt8]) -> String { "\"\(id)-v\(version)-\(contentHash(body))\"" }

    /// The version named by an `If-Match` for this record, or nil when the header names another.
    /// Only the version counts: an ETag from before a rename of something the record embeds
    /// still matches, since a write to the record cannot lose that rename.
    static func version(fromIfMatch header: String, id: String) -> Int? {
        for candidate in header.split(separator: ",").map({ $0.trimmingWhitespace }) {
            let tag = candidate.hasPrefix("W/") ? String(candidate.dropFirst(2)) : candidate
            let prefix = "\"\(id)-v"
            guard tag.hasPrefix(prefix), tag.hasSuffix("\"") else { continue }
            let rest = tag.dropFirst(prefix.count).dropLast()
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count == rest.count || rest[digits.endIndex] == "-", let version = Int(digits) else { continue }
            return version
        }
        return nil
    }

    /// `"tag"`, `W/"tag"`, comma-separated (RFC 9110 §8.8.3).
    static func isEntityTagList(_ header: String) -> Bool {
        let parts = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace }
        return !parts.isEmpty && parts.allSatisfy { part in
            let tag = part.hasPrefix("W/") ? part.dropFirst(2) : Substring(part)
            return tag.count >= 2 && tag.hasPrefix("\"") && tag.hasSuffix("\"") && !tag.dropFirst().dropLast().contains("\"")
                && tag.unicodeScalars.allSatisfy { $0.value >= 0x21 && $0.value != 0x7F }
        }
    }

    static func etagMatches(_ header: String, _ tag: String, weak: Bool) -> Bool {
        if header.trimmingWhitespace == "*" { return true }
        let bare = tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag
        return header.split(separator: ",").contains { part in
            let candidate = part.trimmingWhitespace
            let stripped = weak && candidate.hasPrefix("W/") ? String(candidate.dropFirst(2)) : candidate
            return EntityTag.removingEncodingSuffix(stripped) == bare  // the tag of our gzip body names this one too
        }
    }

    /// An RFC 9457 problem document.
    static func problem(_ status: Int, _ detail: String, type: String = "about:blank", errors: [FieldError] = [], request: Request? = nil,
                        headers: Headers = Headers(), extra: [(String, JSON)] = []) -> Response {
        var fields: [(String, JSON)] = [
            ("type", .string(type)),
            ("title", .string(Status.reason(status))),
            ("status", .int(status)),
            ("detail", .string(detail)),
        ]
        if !errors.isEmpty {
            fields.append(("errors", .array(errors.map { .object([("field", .string($0.field)), ("message", .string($0.message))]) })))
        }
        fields += extra
        if let request { fields.append(("requestId", .string(request.id))) }
        let pretty = request.map(wantsPretty) ?? false
        var response = Response(status: status, headers: headers, body: JSON.object(fields).serialized(pretty: pretty))
        response.headers["Content-Type"] = "application/problem+json"
        return response
    }

    /// Maps the domain's refusals to statuses; anything else is a 500 that says nothing internal.
    static func error(_ error: any Error, _ request: Request, ifMatchGiven: Bool = false) -> Response {
        switch error {
        case let error as ChronicleError:
            switch error {
            case .notFound:
                return problem(404, error.description, request: request)
            case .versionConflict:
                return problem(ifMatchGiven ? 412 : 409, error.description, request: request)
            case .validation(let errors):
                return problem(422, "the request has \(errors.count) invalid field\(errors.count == 1 ? "" : "s")", errors: errors, request: request)
            case .duplicate(_, let field, _):
                return problem(409, error.description, errors: [FieldError(field, error.description)], request: request)
            case .stillReferenced(let kind, let id, let references):
                // The domain's "delete with cascade" names no parameter; a client needs the one that does it.
                let detail = "\(kind.rawValue) \(id) is still referred to by \(references.joined(separator: ", ")); remove those first or delete with ?cascade=true"
                return problem(409, detail, request: request)
            case .timeLimit:
                return problem(503, error.description, request: request)
            case .tokenRevoked:
                return problem(401, error.description, request: request,
                               headers: ["WWW-Authenticate": "Bearer realm=\"chronicle\", error=\"invalid_token\""])
            }
        case let error as JSONSyntaxError:
            return problem(400, "the body is not valid JSON: \(error.description)", request: request)
        case let error as APIError:
            return problem(error.status, error.detail, request: request, headers: error.headers, extra: error.extra)
        default:
            return problem(500, "the server failed to answer; quote request id \(request.id) when reporting it", request: request)
        }
    }
}

/// A refusal that is about HTTP rather than the domain: 401, 403, 412, 415...
struct APIError: Error {
    let status: Int
    let detail: String
    var headers = Headers()
    /// Members the problem document carries besides the standard ones (who deleted a record).
    var extra: [(String, JSON)] = []
}

/// A 64-bit fingerprint of a response body for ETags (not for security), stable across
/// restarts. It reads eight bytes per step in four independent lanes: FNV-1a's one multiply
/// per byte cost 3% of a 50-record list page.
func contentHash(_ bytes: [UInt8]) -> String {
    let prime1: UInt64 = 0x9E37_79B1_85EB_CA87, prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    @inline(__always) func mix(_ lane: UInt64, _ word: UInt64) -> UInt64 {
        let sum = lane &+ word &* prime2
        return ((sum << 31) | (sum >> 33)) &* prime1
    }
    var lanes: (UInt64, UInt64, UInt64, UInt64) = (prime1 &+ prime2, prime2, 0, 0 &- prime1)
    var hash = UInt64(bytes.count) &* prime1
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset + 32 <= raw.count {
            lanes.0 = mix(lanes.0, raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            lanes.1 = mix(lanes.1, raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
            lanes.2 = mix(lanes.2, raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self))
            lanes.3 = mix(lanes.3, raw.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self))
            offset += 32
        }
        hash = mix(mix(mix(mix(hash, lanes.0), lanes.1), lanes.2), lanes.3)
        while offset < raw.count {
            hash = mix(hash, UInt64(raw[offset]) &+ UInt64(offset))
            offset += 1
        }
    }
    // Spread every input bit over the whole result.
    hash ^= hash >> 33
    hash = hash &* prime2
    hash ^= hash >> 29
    hash = hash &* prime1
    hash ^= hash >> 32
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}
