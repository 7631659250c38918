import Chronicle
import HTTP

/// `GET /v1/export`: the whole store as NDJSON, one record a line with its `type`, in the order
/// an import can replay (sources, actors, events, quotes). Streamed: each chunk is read and
/// rendered only once the one before it was written, so a slow client slows the export instead
/// of filling memory.
extension ChronicleAPI {
    func export(_ request: Request) throws -> Response {
        var query = QueryParameters(request, allowed: ["type"])
        let kinds = query.kinds()
        try query.finish()
        let export = ExportCursor(try repositories.exporter.export(kinds: kinds))
        return Response(status: 200, headers: ["Content-Type": "application/x-ndjson", "Cache-Control": "no-store"],
                        stream: BodyStream { try export.nextChunk() })
    }
}

/// An export handed from one worker thread to the next, one chunk at a time.
final class ExportCursor: @unchecked Sendable {  // the server pulls one chunk at a time
    private let export: any RecordExport
    /// Bytes a chunk gathers before it is written.
    static let chunkBytes = 64 << 10

    init(_ export: any RecordExport) { self.export = export }

    func nextChunk() throws -> [UInt8]? {
        var chunk: [UInt8] = []
        while chunk.count < Self.chunkBytes, let record = try export.next() { chunk += NDJSONExport.line(record) }
        return chunk.isEmpty ? nil : chunk
    }
}

/// One record as a line of the export: its `type`, then its fields as the API shows them.
public enum NDJSONExport {
    public static func line(_ state: RecordState) -> [UInt8] {
        guard case .object(let fields) = Representation.state(state) else { return [] }
        return JSON.object([("type", .string(state.kind.rawValue))] + fields).serialized(pretty: false) + [10]
    }
}
