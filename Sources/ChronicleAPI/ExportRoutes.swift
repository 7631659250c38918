import Chronicle
import HTTP

/// `GET /v1/export`: the whole store as NDJSON, one record a line with its `type`, in the order
/// an import can replay (sources, actors, events, quotes). Streamed: each chunk is read and
/// rendered only once the one before it was written, so a slow client slows the export instead
/// of filling memory.
extension ChronicleAPI {
    func export(_ request: Request) throws -> Response {
        var query = QueryParameters(request, allowed: ["type", "format"])
        let kinds = query.kinds()
        let format = query.enumeration("format", as: ImportFormat.self) ?? .ndjson
        try query.finish()
        let encoder = try ExportEncoder(format: format, kinds: kinds)
        let slot = try snapshotStreams.take()
        let export = ExportCursor(try repositories.exporter.export(kinds: kinds), encoder: encoder)
        let type = format == .csv ? ResponseFormat.csv.contentType : ResponseFormat.ndjson.contentType
        return Response(status: 200, headers: ["Content-Type": type, "Cache-Control": "no-store"], stream: BodyStream { try slot.chunk(export.nextChunk) })
    }
}

/// Writes exported records as NDJSON lines (each with its `type`), or as CSV rows of one kind
/// in its list's columns, header first.
public struct ExportEncoder: Sendable {
    let format: ImportFormat
    let columns: [String]

    /// Refuses CSV of more or less than one kind: a CSV file has one header.
    public init(format: ImportFormat, kinds: [RecordKind]) throws {
        self.format = format
        if format == .csv {
            guard kinds.count == 1 else {
                throw ChronicleError.validation([FieldError("type", "CSV holds one kind of record; name one with type= (actor, event, quote or source)")])
            }
            var columns = ImportReader.columns(kinds[0])
            columns.removeAll { $0 == "roles" }
            self.columns = columns
        } else {
            columns = []
        }
    }

    /// What comes before the first record: the CSV header row.
    public func header() -> [UInt8] {
        var out: [UInt8] = []
        if format == .csv { CSV.appendRow(columns, to: &out) }
        return out
    }

    public func append(_ state: RecordState, to out: inout [UInt8]) {
        switch format {
        case .ndjson: NDJSONExport.append(state, to: &out)
        case .csv: CSV.appendRow(RecordCSV.cells(Representation.state(state), columns: columns), to: &out)
        }
    }
}

/// An export handed from one worker thread to the next, one chunk at a time.
final class ExportCursor: @unchecked Sendable {  // the server pulls one chunk at a time
    private let export: any RecordExport
    private let encoder: ExportEncoder
    private var started = false
    /// Bytes a chunk gathers before it is written.
    static let chunkBytes = 128 << 10

    init(_ export: any RecordExport, encoder: ExportEncoder) {
        self.export = export
        self.encoder = encoder
    }

    func nextChunk() throws -> [UInt8]? {
        var chunk: [UInt8] = started ? [] : encoder.header()
        chunk.reserveCapacity(Self.chunkBytes + 8192)
        started = true
        while chunk.count < Self.chunkBytes, let record = try export.next() { encoder.append(record, to: &chunk) }
        return chunk.isEmpty ? nil : chunk
    }
}

/// One record as a line of the export: its `type`, then its fields as the API shows them.
public enum NDJSONExport {
    public static func line(_ state: RecordState) -> [UInt8] {
        var out: [UInt8] = []
        append(state, to: &out)
        return out
    }

    static func append(_ state: RecordState, to out: inout [UInt8]) {
        switch state {
        case .actor(let actor): CompactWriter.actor(actor, typed: true, into: &out)
        case .event(let event): CompactWriter.event(event, typed: true, into: &out)
        case .quote(let quote): CompactWriter.quote(quote, typed: true, into: &out)
        case .source(let source): CompactWriter.source(source, typed: true, into: &out)
        }
        out.append(10)
    }
}
