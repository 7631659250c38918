import Chronicle
import HTTP

/// What the four record handlers (create, get, update, delete) need to know about one record
/// kind. Every kind is served the same way: drafts decoded from JSON, versions as ETags,
/// `If-Match` checked before a change, 201 with `Location`, 204 on delete.
struct RecordEndpoints<Record: Sendable, Draft: Sendable>: Sendable {
    /// The top-level fields a `fields=` may name on a single record.
    let fields: [String]
    let find: @Sendable (String) throws -> Record
    let identity: @Sendable (Record) -> (id: String, version: Int)
    let draft: @Sendable (Record) -> Draft
    /// Applies a JSON body to a draft: the whole record for POST (nil), some fields for PATCH.
    let decode: @Sendable (JSON, Draft?) throws -> Draft
    let create: @Sendable (Draft) throws -> Record
    let update: @Sendable (_ id: String, _ expectedVersion: Int, Draft) throws -> Record
    let delete: @Sendable (_ id: String, _ cascade: Bool) throws -> Void
    /// The record as JSON; may look related records up (an event embeds its quotes).
    let represent: @Sendable (Record) throws -> JSON
    /// Whether `DELETE ...?cascade=true` means anything for this kind.
    let cascades: Bool
    /// Set for kinds whose bodies are costly enough to keep (see `RenderedRecords`).
    var rendering: Rendering<Record>? = nil
}

/// How to tell whether a kept body is current: the record's stamp read on its own, and the
/// stamp of a record just loaded.
struct Rendering<Record>: Sendable {
    let current: @Sendable (String) throws -> RecordStamp
    let stamp: @Sendable (Record) -> RecordStamp
}

extension ChronicleAPI {
    func createHandler<Record, Draft>(_ kind: RecordEndpoints<Record, Draft>) -> Handler {
        handling { request in
            try QueryParameters(request, allowed: []).finish()
            let record = try kind.create(try kind.decode(try jsonBody(request), nil))
            let (id, version) = kind.identity(record)
            return recordResponse(request, try kind.represent(record), id: id, version: version, status: 201)
        }
    }

    func getHandler<Record, Draft>(_ kind: RecordEndpoints<Record, Draft>) -> Handler {
        handling { request in
            var query = QueryParameters(request, allowed: [])
            let fields = query.fields(of: kind.fields)
            try query.finish()
            let requested = request.parameters["id"] ?? ""
            // Only the whole compact body is kept: what tools and the web front end ask for.
            let rendering = kind.rendering.flatMap { fields == nil && renderedRecords.capacity > 0 && !Reply.wantsPretty(request) ? $0 : nil }
            if let rendering {
                let current = try rendering.current(requested)
                if let body = renderedRecords.body(for: current) {
                    return Reply.json(request, body: body, etag: Reply.recordTag(current.id, current.version))
                }
            }
            // The record and what it embeds (an event's quotes) come from one snapshot.
            let (record, json) = try repositories.snapshots.snapshot {
                let record = try kind.find(requested)
                return (record, try kind.represent(record))
            }
            let (id, version) = kind.identity(record)
            if let rendering {
                let body = json.serialized(pretty: false)
                renderedRecords.store(body, for: rendering.stamp(record))
                return Reply.json(request, body: body, etag: Reply.recordTag(id, version))
            }
            return recordResponse(request, json, id: id, version: version, fields: fields)
        }
    }

    func updateHandler<Record, Draft>(_ kind: RecordEndpoints<Record, Draft>) -> Handler {
        handling { request in
            try QueryParameters(request, allowed: []).finish()
            let body = try jsonBody(request)
            let current = try kind.find(request.parameters["id"] ?? "")
            let (id, currentVersion) = kind.identity(current)
            // The body is checked before the precondition, so a bad body is a 4xx about the body.
            let draft = try kind.decode(body, kind.draft(current))
            let version = try expectedVersion(request, id: id, current: currentVersion)
            let record = try kind.update(id, version, draft)
            let (_, newVersion) = kind.identity(record)
            return recordResponse(request, try kind.represent(record), id: id, version: newVersion)
        }
    }

    func deleteHandler<Record, Draft>(_ kind: RecordEndpoints<Record, Draft>) -> Handler {
        handling { request in
            var query = QueryParameters(request, allowed: kind.cascades ? ["cascade"] : [])
            let cascade = query.bool("cascade")
            try query.finish()
            let current = try kind.find(request.parameters["id"] ?? "")
            let (id, version) = kind.identity(current)
            _ = try expectedVersion(request, id: id, current: version)
            try kind.delete(id, cascade)
            return Response(status: 204)
        }
    }
}
