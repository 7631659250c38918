import Chronicle
import HTTP

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

    /// Reads the first chunk now, before the response begins, so that a bad cursor or search
    /// is a 4xx rather than a cut stream; `nextChunk` hands it out first.
    func readAhead() throws {
        pending = try nextChunk() ?? []
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

extension ChronicleAPI {
    /// A list in the asked format: one page of JSON (`{"data": [...], "next": ...}`) or of
    /// JSON-LD, or every matching record streamed as NDJSON or CSV (`columns` are the CSV's
    /// header, the record's fields less those `fields=` leaves out). `fetch` reads a page in a
    /// snapshot (nil: one of its own). Every answer says that it depends on `Accept`.
    func listResponse<T: Sendable & LinkedDataRepresentable>(_ request: Request, format: ResponseFormat, page: PageRequest, fields: Set<String>?,
                                                             columns: [String], fetch: @escaping @Sendable (PageRequest, (any ReadSnapshot)?) throws -> Page<T>,
                                                             encode: @escaping @Sendable (T) -> JSON,
                                                             write: @escaping @Sendable (T, inout [UInt8]) -> Void) throws -> Response {
        var response = try formattedList(request, format: format, page: page, fields: fields, columns: columns, fetch: fetch, encode: encode, write: write)
        response.headers.addVary("Accept")
        return response
    }

    private func formattedList<T: Sendable & LinkedDataRepresentable>(_ request: Request, format: ResponseFormat, page: PageRequest, fields: Set<String>?,
                                                                      columns: [String], fetch: @escaping @Sendable (PageRequest, (any ReadSnapshot)?) throws -> Page<T>,
                                                                      encode: @escaping @Sendable (T) -> JSON,
                                                                      write: @escaping @Sendable (T, inout [UInt8]) -> Void) throws -> Response {
        switch format {
        case .json:
            let records = try fetch(page, nil)
            // The page written straight to bytes when it is the whole compact body.
            guard fields == nil, !Reply.wantsPretty(request) else { return jsonListResponse(request, records, fields: fields, encode: encode) }
            return compactListResponse(request, records, write: write)
        case .jsonld:
            try refuseFieldsInLinkedData(fields)
            return linkedDataList(request, try fetch(page, nil))
        case .ndjson, .csv: break
        }
        let columns = fields.map { chosen in columns.filter(chosen.contains) } ?? columns
        var header: [UInt8] = []
        if format == .csv { CSV.appendRow(columns, to: &header) }
        let slot = try snapshotStreams.take()
        let stream = ListStream<T>(snapshot: try repositories.snapshots.heldSnapshot(), from: page.cursor, header: header, fetch: fetch) { item, out in
            if format == .csv {
                CSV.appendRow(RecordCSV.cells(Representation.select(encode(item), fields: fields), columns: columns), to: &out)
            } else if fields == nil {
                write(item, &out)
                out.append(10)
            } else {
                out += Representation.select(encode(item), fields: fields).serialized(pretty: false)
                out.append(10)
            }
        }
        try stream.readAhead()
        return Response(status: 200, headers: ["Content-Type": format.contentType, "Cache-Control": "no-store"], stream: BodyStream { try slot.chunk(stream.nextChunk) })
    }
}
