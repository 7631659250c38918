import Chronicle
import HTTP

/// How one record kind is served: create, get, update and delete are the same for every kind
/// (drafts decoded from JSON, versions as ETags, `If-Match` checked before a change, 201 with
/// `Location`, 204 on delete); a kind adds only its JSON.
struct RecordEndpoints<Record: VersionedRecord>: Sendable {
    let repository: any RecordRepository<Record>
    /// The top-level fields a `fields=` may name on a single record.
    let fields: [String]
    /// Applies a JSON body to a draft: the whole record for POST (nil), some fields for PATCH.
    let decode: @Sendable (JSON, Record.Draft?) throws -> Record.Draft
    /// The record as JSON; may read related records in the snapshot (an event embeds its quotes).
    let represent: @Sendable (Record, (any ReadSnapshot)?) throws -> Rendered
    /// Whether whole compact bodies are kept for repeated reads (see `RenderedRecords`): for
    /// kinds whose bodies are costly to build.
    var keepsRenderedBodies = false

    init<Repository: RecordRepository>(_ repository: Repository, fields: [String], decode: @escaping @Sendable (JSON, Record.Draft?) throws -> Record.Draft,
                                       represent: @escaping @Sendable (Record, (any ReadSnapshot)?) throws -> Rendered, keepsRenderedBodies: Bool = false)
    where Repository.Record == Record {
        self.repository = repository
        self.fields = fields
        self.decode = decode
        self.represent = represent
        self.keepsRenderedBodies = keepsRenderedBodies
    }
}

/// A record's JSON and the ids of the other records it shows (by name, title or address), so
/// that a kept body is dropped when one of them changes.
struct Rendered {
    let json: JSON
    var embeds: [String] = []
}

extension ChronicleAPI {
    func createHandler<Record>(_ kind: RecordEndpoints<Record>) -> Handler {
        handling { request in
            try QueryParameters(request, allowed: []).finish()
            let record = try kind.repository.create(try kind.decode(try jsonBody(request), nil), by: try attribution(request))
            wroteChanges()
            return recordResponse(request, try kind.represent(record, nil).json, id: record.id, version: record.version, status: 201)
        }
    }

    /// A record as JSON, or as JSON-LD when `format=jsonld` or `Accept` asks for it; either way
    /// the answer says that it depends on `Accept`.
    func getHandler<Record: LinkedDataRepresentable>(_ kind: RecordEndpoints<Record>) -> Handler {
        handling { request in
            var query = QueryParameters(request, allowed: ["fields", "format"])
            let fields = query.fields(of: kind.fields)
            let format = query.format(accept: request.headers["Accept"], among: ResponseFormat.recordFormats)
            if format == .jsonld && fields != nil { query.fail("fields", Self.fieldsInLinkedData.message) }
            try query.finish()
            let requested = request.parameters["id"] ?? ""
            // Only the whole compact JSON body is kept: what tools and the web front end ask for.
            let keeps = format == .json && kind.keepsRenderedBodies && fields == nil && renderedRecords.capacity > 0 && !Reply.wantsPretty(request)
            do {
                var response = format == .jsonld ? linkedDataRecord(request, try kind.repository.find(requested))
                    : try getRecord(kind, request, requested: requested, keeps: keeps, fields: fields)
                response.headers.addVary("Accept")
                return response
            } catch ChronicleError.notFound(let recordKind, let key) {
                if let tombstone = try tombstone(recordKind, key) { throw gone(tombstone) }
                throw ChronicleError.notFound(recordKind, key)
            }
        }
    }

    /// A record, from the kept bodies when current.
    private func getRecord<Record>(_ kind: RecordEndpoints<Record>, _ request: Request, requested: String, keeps: Bool, fields: Set<String>?) throws -> Response {
        let changes = repositories.embeddedChanges
        if keeps {
            let (current, position) = try changes.current(Record.kind, requested)
            try renderedRecords.apply(changesThrough: position) { try changes.changed(after: $0, through: $1) }
            if let kept = renderedRecords.body(for: current) { return Reply.json(request, body: kept.body, etag: kept.etag) }
        }
        // The record and what it embeds (an event's quotes) come from one snapshot.
        let (record, rendered, position) = try repositories.snapshots.snapshot { snapshot in
            let record = try kind.repository.find(requested, in: snapshot)
            return (record, try kind.represent(record, snapshot), keeps ? try changes.position(in: snapshot) : 0)
        }
        let json = rendered.json
        if keeps {
            let body = json.serialized(pretty: false)
            let etag = Reply.recordTag(record.id, record.version, body: body)
            renderedRecords.store(RenderedRecords.Kept(stamp: record.stamp, body: body, etag: etag, embeds: rendered.embeds), renderedAt: position)
            return Reply.json(request, body: body, etag: etag)
        }
        return recordResponse(request, json, id: record.id, version: record.version, fields: fields)
    }

    func updateHandler<Record>(_ kind: RecordEndpoints<Record>) -> Handler {
        handling { request in
            try QueryParameters(request, allowed: []).finish()
            let body = try jsonBody(request)
            let current = try findLive(kind, request.parameters["id"] ?? "")
            // The body is checked before the precondition, so a bad body is a 4xx about the body.
            let draft = try kind.decode(body, current.draft)
            let version = try expectedVersion(request, id: current.id, current: current.version)
            let record = try kind.repository.update(current.id, expectedVersion: version, with: draft, by: try attribution(request))
            wroteChanges()
            return recordResponse(request, try kind.represent(record, nil).json, id: record.id, version: record.version)
        }
    }

    func deleteHandler<Record>(_ kind: RecordEndpoints<Record>) -> Handler {
        handling { request in
            var query = QueryParameters(request, allowed: kind.repository.deleteCascades ? ["cascade"] : [])
            let cascade = query.bool("cascade")
            try query.finish()
            let current = try findLive(kind, request.parameters["id"] ?? "")
            _ = try expectedVersion(request, id: current.id, current: current.version)
            try kind.repository.delete(current.id, cascade: cascade, by: try attribution(request))
            wroteChanges()
            return Response(status: 204)
        }
    }
}
