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

    var sourceEndpoints: RecordEndpoints<Source, SourceDraft> {
        let sources = repositories.sources
        return RecordEndpoints(
            fields: Self.sourceFields, find: sources.find, identity: { ($0.id, $0.version) }, draft: \.draft,
            decode: DraftDecoder.source, create: sources.create, update: { try sources.update($0, expectedVersion: $1, with: $2) },
            delete: { try sources.delete($0, cascade: $1) }, represent: Representation.source, cascades: true)
    }
}
