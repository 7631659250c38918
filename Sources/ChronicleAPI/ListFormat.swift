import Chronicle
import HTTP

/// How a list is answered: a page of JSON, or every matching record (in the list's order, with
/// its filters) as NDJSON or CSV, streamed from one snapshot.
enum ListFormat: String, CaseIterable, Sendable {
    case json
    case ndjson
    case csv

    var contentType: String {
        switch self {
        case .json: return "application/json"
        case .ndjson: return "application/x-ndjson"
        case .csv: return "text/csv; charset=utf-8; header=present"
        }
    }
}

extension QueryParameters {
    /// `format=` when given, else the first media type of `Accept` that names a format.
    mutating func listFormat(_ request: Request) -> ListFormat {
        if let text = string("format") {
            guard let format = ListFormat(rawValue: text) else {
                fail("format", "'\(text)' is not one of: \(ListFormat.allCases.map(\.rawValue).joined(separator: ", "))")
                return .json
            }
            return format
        }
        guard let accept = request.headers["Accept"] else { return .json }
        for range in accept.split(separator: ",") {
            let type = range.split(separator: ";").first.map { String($0).trimmingWhitespace.lowercased() } ?? ""
            switch type {
            case "application/x-ndjson", "application/ndjson": return .ndjson
            case "text/csv": return .csv
            case "application/json": return .json
            default: continue
            }
        }
        return .json
    }
}

/// Every page of a list, read from one held snapshot a page at a time as the client takes the
/// chunks, each record written as a line.
final class ListStream<Item: Sendable>: @unchecked Sendable {  // the server pulls one chunk at a time
    typealias Fetch = @Sendable (PageRequest, any ReadSnapshot) throws -> Page<Item>
    private let snapshot: any ReadSnapshot
    private let fetch: Fetch
    private let line: (Item, inout [UInt8]) -> Void
    private var cursor: String?
    private var finished = false
    private var pending: [UInt8]

    init(snapshot: any ReadSnapshot, from cursor: String?, header: [UInt8], fetch: @escaping Fetch, line: @escaping (Item, inout [UInt8]) -> Void) {
        self.snapshot = snapshot
        self.cursor = cursor
        self.fetch = fetch
        self.line = line
        pending = header
    }

    func nextChunk() throws -> [UInt8]? {
        var chunk = pending
        pending = []
        while chunk.count < ExportCursor.chunkBytes, !finished {
            let page = try fetch(PageRequest(limit: PageRequest.maximumLimit, cursor: cursor), snapshot)
            for item in page.items { line(item, &chunk) }
            cursor = page.nextCursor
            finished = cursor == nil
        }
        return chunk.isEmpty ? nil : chunk
    }
}

/// A chunk read before the response began, handed out once.
final class FirstChunk: @unchecked Sendable {  // the server pulls one chunk at a time
    private var chunk: [UInt8]?
    private var taken = false
    init(_ chunk: [UInt8]?) { self.chunk = chunk }

    /// The chunk the first time (nil from then on, and nil meaning the end when it was empty).
    func take() -> [UInt8]?? {
        guard !taken else { return nil }
        taken = true
        return .some(chunk)
    }
}

extension ChronicleAPI {
    /// A list in the asked format: one page of JSON (`{"data": [...], "next": ...}`), or every
    /// matching record streamed as NDJSON or CSV (`columns` are the CSV's header, the
    /// record's fields less those `fields=` leaves out). `fetch` reads a page in a snapshot
    /// (nil: one of its own).
    func listResponse<T: Sendable>(_ request: Request, format: ListFormat, page: PageRequest, fields: Set<String>?, columns: [String],
                                   fetch: @escaping @Sendable (PageRequest, (any ReadSnapshot)?) throws -> Page<T>,
                                   encode: @escaping @Sendable (T) -> JSON) throws -> Response {
        guard format != .json else { return listResponse(request, try fetch(page, nil), fields: fields, encode: encode) }
        let columns = fields.map { chosen in columns.filter(chosen.contains) } ?? columns
        var header: [UInt8] = []
        if format == .csv { CSV.appendRow(columns, to: &header) }
        let stream = ListStream<T>(snapshot: try repositories.snapshots.heldSnapshot(), from: page.cursor, header: header, fetch: fetch) { item, out in
            let json = Representation.select(encode(item), fields: fields)
            if format == .csv {
                CSV.appendRow(RecordCSV.cells(json, columns: columns), to: &out)
            } else {
                out += json.serialized(pretty: false)
                out.append(10)
            }
        }
        // The first chunk is read now, so that a bad cursor or search is a 4xx, not a cut stream.
        let first = FirstChunk(try stream.nextChunk())
        return Response(status: 200, headers: ["Content-Type": format.contentType, "Cache-Control": "no-store"],
                        stream: BodyStream { if let chunk = first.take() { return chunk }; return try stream.nextChunk() })
    }
}
