import Chronicle
import HTTP

/// A record's history: its revisions, one with what changed, 410 for a deleted record, and
/// restoring an earlier state as a new revision.
extension ChronicleAPI {
    /// The header a writer explains a change in; kept with the revision.
    static let noteHeader = "Chronicle-Note"

    /// Who is writing (the token's name) and the note they sent, for the revision.
    func attribution(_ request: Request) throws -> Attribution {
        let note = request.headers[Self.noteHeader]?.trimmingWhitespace
        if let note, note.count > Attribution.maxNoteLength {
            throw ChronicleError.validation([FieldError(Self.noteHeader, "is \(note.count) characters; at most \(Attribution.maxNoteLength) are kept")])
        }
        return Attribution(author: request.user ?? "anonymous", note: note?.isEmpty == false ? note : nil, tokenID: request.credential)
    }

    /// `find`, except that a record that was deleted answers 410 Gone with who deleted it and
    /// when, instead of 404.
    func findLive<Record>(_ kind: RecordEndpoints<Record>, _ id: String) throws -> Record {
        do {
            return try kind.repository.find(id)
        } catch ChronicleError.notFound(let recordKind, let key) {
            if let tombstone = try tombstone(recordKind, key) { throw gone(tombstone) }
            throw ChronicleError.notFound(recordKind, key)
        }
    }

    /// The deletion that explains why `key` finds no record: the record's own, or for an
    /// actor's slug, that of the actor known by it when it was deleted (a deleted actor keeps no
    /// slug). The slug's search answers nothing rather than fail the request it explains.
    func tombstone(_ kind: RecordKind, _ key: String) throws -> Revision? {
        if let latest = try repositories.revisions.latest(of: kind, id: key), latest.operation == .delete { return latest }
        guard kind == .actor, !key.hasPrefix(Identifier.prefix(.actor)), key.utf8.count <= 100,
              key.utf8.allSatisfy({ (97...122).contains($0) || (48...57).contains($0) || $0 == 45 }),
              let id = (try? repositories.revisions.deletedActor(lastKnownAs: key)) ?? nil,
              let latest = try repositories.revisions.latest(of: .actor, id: id), latest.operation == .delete else { return nil }
        return latest
    }

    func gone(_ tombstone: Revision) -> APIError {
        APIError(status: 410, detail: "\(tombstone.kind.rawValue) \(tombstone.id) was deleted by \(tombstone.attribution.author) at \(tombstone.at); "
                 + "its history is at \(Self.collection(tombstone.kind))/\(tombstone.id)/revisions, and restoring one of its revisions brings it back",
                 extra: [("deletedBy", .string(tombstone.attribution.author)), ("deletedAt", .string(tombstone.at)),
                         ("note", .optional(tombstone.attribution.note)), ("revision", .int(tombstone.number))])
    }

    static func collection(_ kind: RecordKind) -> String { "/v1/\(kind.rawValue)s" }

    /// `GET /v1/{kind}s/:id/revisions`: newest first, paged by `cursor`.
    func revisionsHandler(_ kind: RecordKind) -> Handler {
        handling { request in
            var query = QueryParameters(request, allowed: ["limit", "cursor"])
            let pageRequest = query.page()
            try query.finish()
            let limit = pageRequest.limit
            let before = try pageRequest.cursor.map { try Cursor(decoding: $0, expectedSort: "revisions", valueCount: 1) }.flatMap { Int($0.values[0]) }
            let id = try recordID(kind, request.parameters["id"] ?? "")
            let revisions = try repositories.revisions.revisions(of: kind, id: id, before: before, limit: limit + 1)
            guard !revisions.isEmpty || before != nil else { throw ChronicleError.notFound(kind, id) }
            let page = Array(revisions.prefix(limit))
            let next = revisions.count > limit ? Cursor(sort: "revisions", values: [String(page.last!.number)]).encoded : nil
            return jsonListResponse(request, Page(items: page, nextCursor: next, total: nil), fields: nil) { Representation.revision($0) }
        }
    }

    /// `GET /v1/{kind}s/:id/revisions/:n`: one revision, with `changes`, the JSON Merge Patch
    /// (RFC 7396) that turns the revision before it into this one.
    func revisionHandler(_ kind: RecordKind) -> Handler {
        handling { request in
            try QueryParameters(request, allowed: []).finish()
            let (id, revision) = try requestedRevision(kind, request)
            let previous = revision.number > 1 ? try repositories.revisions.revisions(of: kind, id: id, before: revision.number, limit: 1).first : nil
            let changes = mergePatch(from: previous?.state.map(Representation.state), to: revision.state.map(Representation.state))
            var json = Representation.revision(revision)
            if case .object(var fields) = json {
                fields.append(("previous", previous.map { .int($0.number) } ?? .null))
                fields.append(("changes", changes))
                json = .object(fields)
            }
            return Reply.json(request, json)
        }
    }

    /// `POST /v1/{kind}s/:id/revisions/:n/restore`: revision n's state made current as a new
    /// revision (`If-Match` guards a live record), or a deleted record brought back.
    func restoreHandler<Record>(_ kind: RecordEndpoints<Record>) -> Handler {
        handling { request in
            try QueryParameters(request, allowed: []).finish()
            let (id, revision) = try requestedRevision(Record.kind, request)
            guard let state = revision.state, let old = state.record(as: Record.self) else {
                throw APIError(status: 422, detail: "revision \(revision.number) of \(id) is its deletion; restore a revision before it")
            }
            var current: Record?
            do { current = try kind.repository.find(id) } catch ChronicleError.notFound { current = nil }
            var expected: Int?
            if let current {
                expected = try expectedVersion(request, id: id, current: current.version)
            } else if request.headers["If-Match"] != nil {
                throw APIError(status: 412, detail: "\(id) is deleted, so no If-Match can name its current version; restore without If-Match")
            }
            var attribution = try attribution(request)
            if attribution.note == nil { attribution.note = "restored revision \(revision.number)" }
            let restored: Record
            do {
                restored = try kind.repository.restore(id, to: old.draft, createdAt: old.createdAt, expectedVersion: expected, by: attribution)
            } catch ChronicleError.validation(let errors) {
                throw APIError(status: 409, detail: "revision \(revision.number) of \(id) cannot be restored: it refers to what no longer exists ("
                               + errors.map(\.description).joined(separator: "; ") + "); restore or recreate those first",
                               extra: [("missing", .array(errors.map { .object([("field", .string($0.field)), ("message", .string($0.message))]) }))])
            }
            wroteChanges()
            return recordResponse(request, try kind.represent(restored, nil).json, id: restored.id, version: restored.version,
                                  status: current == nil ? 201 : 200, location: "\(Self.collection(Record.kind))/\(restored.id)")
        }
    }

    /// The record's id (an actor's slug resolved when the actor exists) and the revision asked for.
    private func requestedRevision(_ kind: RecordKind, _ request: Request) throws -> (String, Revision) {
        let id = try recordID(kind, request.parameters["id"] ?? "")
        let text = request.parameters["n"] ?? ""
        guard let number = Int(text), number > 0 else {
            throw ChronicleError.validation([FieldError("n", "'\(text)' is not a revision number; revisions count from 1")])
        }
        guard let revision = try repositories.revisions.revision(of: kind, id: id, number: number) else {
            if try repositories.revisions.latest(of: kind, id: id) == nil { throw ChronicleError.notFound(kind, id) }
            throw APIError(status: 404, detail: "\(kind.rawValue) \(id) has no revision \(number); list them at \(Self.collection(kind))/\(id)/revisions")
        }
        return (id, revision)
    }

    /// Ids as given; an actor's slug stands for its id while the actor exists.
    private func recordID(_ kind: RecordKind, _ given: String) throws -> String {
        guard kind == .actor, (try? repositories.revisions.latest(of: .actor, id: given)) == nil else { return given }
        return (try? repositories.actors.find(given).id) ?? (try? tombstone(.actor, given))?.id ?? given
    }
}

/// The JSON Merge Patch (RFC 7396) that turns `old` into `new`: changed members with their new
/// values, removed ones as null. From nothing it is the whole document; to nothing, null.
func mergePatch(from old: JSON?, to new: JSON?) -> JSON {
    guard let new else { return .null }
    guard let old, case .object(let before) = old, case .object(let after) = new else { return new }
    var patch: [(String, JSON)] = []
    for (key, value) in after {
        guard let previous = before.first(where: { $0.0 == key })?.1 else {
            patch.append((key, value))
            continue
        }
        if previous == value { continue }
        if case .object = previous, case .object = value {
            patch.append((key, mergePatch(from: previous, to: value)))
        } else {
            patch.append((key, value))
        }
    }
    for (key, _) in before where !after.contains(where: { $0.0 == key }) { patch.append((key, .null)) }
    return .object(patch)
}

extension RecordState {
    /// The state as this kind of record, when it is one.
    func record<Record: VersionedRecord>(as type: Record.Type) -> Record? {
        switch self {
        case .actor(let actor): actor as? Record
        case .event(let event): event as? Record
        case .quote(let quote): quote as? Record
        case .source(let source): source as? Record
        }
    }
}

extension Representation {
    /// A record's own state as a revision kept it: its fields, with the names it showed then
    /// (an event's quotes are theirs, not its own).
    static func state(_ state: RecordState) -> JSON {
        switch state {
        case .actor(let record): Representation.actor(record)
        case .event(let record): Representation.event(record)
        case .quote(let record): Representation.quote(record)
        case .source(let record): Representation.source(record)
        }
    }

    static func revision(_ revision: Revision) -> JSON {
        .object([
            ("kind", .string(revision.kind.rawValue)),
            ("id", .string(revision.id)),
            ("revision", .int(revision.number)),
            ("operation", .string(revision.operation.rawValue)),
            ("at", .string(revision.at)),
            ("author", .string(revision.attribution.author)),
            ("note", .optional(revision.attribution.note)),
            ("state", revision.state.map(state) ?? .null),
        ])
    }
}
