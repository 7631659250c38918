import Chronicle
import HTTP

extension ChronicleAPI {
    /// The JSON body of a write; refuses other media types (415) and malformed JSON (400).
    func jsonBody(_ request: Request) throws -> JSON {
        let type = (request.headers["Content-Type"] ?? "").split(separator: ";").first.map { String($0).trimmingWhitespace.lowercased() } ?? ""
        let accepted = request.method == "PATCH" ? ["application/json", "application/merge-patch+json"] : ["application/json"]
        guard accepted.contains(type) else {
            throw APIError(status: 415, detail: "send the body as \(accepted.joined(separator: " or ")), with a Content-Type header saying so")
        }
        try refuseEncodedBody(request)
        return try JSON.parse(request.body)
    }

    /// Bodies are read as sent, unless a route decodes a coding (`accepting`, the import's
    /// gzip): one compressed otherwise would be read as garbage, so it is refused with 415 and
    /// told how to send it (RFC 9110, 15.5.16).
    func refuseEncodedBody(_ request: Request, accepting accepted: String? = nil) throws {
        guard let coding = request.headers["Content-Encoding"]?.trimmingWhitespace.lowercased(), !coding.isEmpty, coding != "identity" else { return }
        let instead = accepted.map { "send it uncompressed or as \($0)" } ?? "send it uncompressed (leave out Content-Encoding)"
        throw APIError(status: 415, detail: "the body is sent with Content-Encoding: \(coding), which this route does not decode; \(instead)")
    }

    /// A list page in JSON: `{"data": [...], "next": cursor, "total": n}`, with a
    /// `Link: rel="next"`. Lists of records offer other formats too (`ListStream.swift`).
    func jsonListResponse<T>(_ request: Request, _ page: Page<T>, fields: Set<String>?, encode: (T) -> JSON) -> Response {
        var body: [(String, JSON)] = [("data", .array(page.items.map { Representation.select(encode($0), fields: fields) })), ("next", .optional(page.nextCursor))]
        if let total = page.total { body.append(("total", .int(total))) }
        var headers = Headers()
        if let next = page.nextCursor {
            headers["Link"] = "<\(linkTarget(request, cursor: next))>; rel=\"next\""
        }
        return Reply.json(request, .object(body), headers: headers)
    }

    /// The same page and headers as `jsonListResponse` gives without `fields` and compactly,
    /// each record written by `write` straight into the body.
    func compactListResponse<T>(_ request: Request, _ page: Page<T>, write: (T, inout [UInt8]) -> Void) -> Response {
        var body: [UInt8] = []
        body.reserveCapacity(64 + page.items.count * 1024)
        body += Array(#"{"data":["#.utf8)
        for (index, item) in page.items.enumerated() {
            if index > 0 { body.append(44) }
            write(item, &body)
        }
        body += Array(#"],"next":"#.utf8)
        if let next = page.nextCursor { JSON.writeString(next, into: &body) } else { body += Array("null".utf8) }
        if let total = page.total {
            body += Array(#","total":"#.utf8)
            JSON.writeNumber(Double(total), into: &body)
        }
        body.append(125)
        var headers = Headers()
        if let next = page.nextCursor {
            headers["Link"] = "<\(linkTarget(request, cursor: next))>; rel=\"next\""
        }
        return Reply.json(request, body: body, headers: headers)
    }

    /// The request's own path and query with `cursor` replaced, for the next page's link.
    func linkTarget(_ request: Request, cursor: String) -> String {
        let kept = request.query.filter { $0.name != "cursor" } + [(name: "cursor", value: cursor)]
        return pathForHeader(request.path) + "?" + kept.map { "\(percentEncode($0.name))=\(percentEncode($0.value))" }.joined(separator: "&")
    }

    /// A single record, with a strong ETag of its version and body.
    func recordResponse(_ request: Request, _ json: JSON, id: String, version: Int, status: Int = 200, fields: Set<String>? = nil,
                        location: String? = nil) -> Response {
        var headers = Headers()
        if status == 201 { headers["Location"] = location ?? pathForHeader(request.path) + "/" + id }
        let body = Representation.select(json, fields: fields).serialized(pretty: Reply.wantsPretty(request))
        return Reply.json(request, body: body, status: status, etag: Reply.recordTag(id, version, body: body), headers: headers)
    }

    /// The version a write may replace: the one `If-Match` names (412 when it is stale),
    /// or the current one when the client sent no precondition.
    func expectedVersion(_ request: Request, id: String, current: Int) throws -> Int {
        guard let header = request.headers["If-Match"] else { return current }
        if header.trimmingWhitespace == "*" { return current }
        // A malformed If-Match matches nothing (RFC 9110 §13.1.1), so it fails like a stale one.
        guard Reply.isEntityTagList(header), let version = Reply.version(fromIfMatch: header, id: id), version == current else {
            throw APIError(status: 412, detail: "If-Match \(header) does not name the current version \(current) of \(id); fetch the record again and re-apply your change")
        }
        return version
    }
}

/// The request's path as a link may give it: characters a URL's path may not hold as they are
/// (a client sent `[` or a space) percent-encoded, so that clients can parse the link.
func pathForHeader(_ path: String) -> String {
    var out = ""
    for byte in path.utf8 {
        switch byte {
        // Unreserved, sub-delimiters, ':', '@', '/' and '%' (already an escape): RFC 3986 §3.3.
        case 48...57, 65...90, 97...122, 45, 46, 95, 126, 33, 36, 38...44, 59, 61, 58, 64, 47, 37: out.unicodeScalars.append(UnicodeScalar(byte))
        default:
            let hex = Array("0123456789ABCDEF")
            out += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 15)])"
        }
    }
    return out
}

/// Percent-encodes everything but unreserved characters (RFC 3986 §2.3).
func percentEncode(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
        switch byte {
        case 48...57, 65...90, 97...122, 45, 46, 95, 126: out.unicodeScalars.append(UnicodeScalar(byte))
        default:
            let hex = Array("0123456789ABCDEF")
            out += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 15)])"
        }
    }
    return out
}
