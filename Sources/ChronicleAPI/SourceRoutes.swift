import Chronicle
import HTTP

extension ChronicleAPI {
    static let sourceFields = ["id", "url", "title", "publisher", "author", "published", "accessed", "createdAt", "updatedAt", "version"]

    func listSources(_ request: Request) throws -> Response {
        var query = QueryParameters(request, allowed: QueryParameters.paging + ["publisher"])
        let filter = SourceFilter(publisher: query.text("publisher", max: 300), text: query.text("q"))
        let sort = query.sort(as: SourceSortField.self)
        let page = query.page()
        let fields = query.fields(of: Self.sourceFields)
        try query.finish()
        return listResponse(request, try repositories.sources.list(filter, sort: sort, page: page), fields: fields, encode: Representation.source)
    }

    func createSource(_ request: Request) throws -> Response {
        let source = try repositories.sources.create(try DraftDecoder.source(try jsonBody(request), onto: nil))
        return recordResponse(request, Representation.source(source), id: source.id, version: source.version, status: 201)
    }

    func getSource(_ request: Request) throws -> Response {
        var query = QueryParameters(request, allowed: [])
        let fields = query.fields(of: Self.sourceFields)
        try query.finish()
        let source = try repositories.sources.find(request.parameters["id"] ?? "")
        return recordResponse(request, Representation.source(source), id: source.id, version: source.version, fields: fields)
    }

    func updateSource(_ request: Request) throws -> Response {
        try QueryParameters(request, allowed: []).finish()
        let body = try jsonBody(request)
        let current = try repositories.sources.find(request.parameters["id"] ?? "")
        let draft = try DraftDecoder.source(body, onto: current.draft)
        let version = try expectedVersion(request, id: current.id, current: current.version)
        let source = try repositories.sources.update(current.id, expectedVersion: version, with: draft)
        return recordResponse(request, Representation.source(source), id: source.id, version: source.version)
    }

    func deleteSource(_ request: Request) throws -> Response {
        let cascade = try cascadeFlag(request)
        let current = try repositories.sources.find(request.parameters["id"] ?? "")
        _ = try expectedVersion(request, id: current.id, current: current.version)
        try repositories.sources.delete(current.id, cascade: cascade)
        return Response(status: 204)
    }

    func search(_ request: Request) throws -> Response {
        var query = QueryParameters(request, allowed: ["q", "type", "limit"])
        let text = query.text("q")
        if text == nil && !query.errors.contains(where: { $0.field == "q" }) { query.fail("q", "is required, e.g. q=Lukashenko") }
        var kinds = Set<RecordKind>()
        if let types = query.string("type") {
            for name in types.split(separator: ",", omittingEmptySubsequences: false) {
                if let kind = RecordKind(rawValue: String(name)) { kinds.insert(kind) } else {
                    query.fail("type", "'\(name)' is not one of: \(RecordKind.allowedValues)")
                }
            }
        }
        let limit = query.page().limit
        try query.finish()
        let hits = try repositories.search.search(text ?? "", kinds: kinds, limit: limit)
        return Reply.json(request, .object([("data", .array(hits.map(Representation.hit)))]))
    }
}
