import Chronicle
import HTTP

/// `POST /v1/import`: NDJSON in the export's form, or CSV of one kind (`type=quote`), created
/// or updated record by record, answered with a report. The body is spooled to a file as it
/// arrives (its limit is `APIConfiguration.maxImportBytes`), so its size costs no memory.
extension ChronicleAPI {
    func importRecords(_ request: Request) throws -> Response {
        var query = QueryParameters(request, allowed: ["type", "mode", "dryRun"])
        let kinds = query.kinds()
        let mode = query.enumeration("mode", as: ImportMode.self) ?? .atomic
        let dryRun = query.bool("dryRun")
        if kinds.count > 1 { query.fail("type", "names one kind of record, not \(kinds.count)") }
        try query.finish()
        let format = try importFormat(request)
        let lines = try importLines(request)
        let report = try BulkImport.run(lines, format: format, kind: kinds.first, mode: mode, dryRun: dryRun, into: repositories.importer,
                                        by: try attribution(request))
        if report.written { wroteChanges() }
        guard !report.holdsNoRecords else { throw ChronicleError.validation([FieldError("body", BulkImport.holdsNoRecords)]) }
        let imported = report.created + report.updated + report.unchanged
        // Best effort answers 200 when it imported anything; when every line failed, as the others do.
        guard report.failed == 0 || (mode == .bestEffort && !dryRun && imported > 0) else {
            let detail = "\(report.failed) line\(report.failed == 1 ? "" : "s") could not be imported, so \(dryRun ? "this dry run would write nothing" : "nothing was written"); fix them (see failures) and send the file again"
                + (mode == .atomic && !dryRun ? ", or use mode=best-effort to write the good lines" : "")
            guard case .object(let members) = BulkImport.json(report) else { return Reply.problem(422, detail, request: request) }
            return Reply.problem(422, detail, request: request, extra: members)
        }
        return Reply.json(request, BulkImport.json(report), headers: ["Cache-Control": "no-store"])
    }

    /// The body's lines, inflated when it is sent gzipped (`Content-Encoding: gzip`, the file as
    /// `gzip` writes it), to no more than the import's size limit.
    private func importLines(_ request: Request) throws -> LineSource {
        let coding = request.headers["Content-Encoding"]?.trimmingWhitespace.lowercased() ?? ""
        guard coding == "gzip" || coding == "x-gzip" else {
            try refuseEncodedBody(request, accepting: "gzip")
            return LineSource(request)
        }
        return try LineSource(gunzipping: LineSource(request), limit: configuration.maxImportBytes)
    }

    /// NDJSON or CSV, by the body's Content-Type.
    private func importFormat(_ request: Request) throws -> ImportFormat {
        let type = (request.headers["Content-Type"] ?? "").split(separator: ";").first.map { String($0).trimmingWhitespace.lowercased() } ?? ""
        switch type {
        case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/json-lines": return .ndjson
        case "text/csv": return .csv
        default:
            throw APIError(status: 415, detail: "send the file as application/x-ndjson (one record a line, as /v1/export writes it) or text/csv (one kind, with type=), with a Content-Type header saying so")
        }
    }
}
