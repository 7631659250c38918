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

    var sourceEndpoints: RecordEndpoints<Source> {
        return RecordEndpoints(repositories.sources, fields: Self.sourceFields, decode: { try DraftDecoder.source($0, onto: $1) },
                               represent: { source, _ in Rendered(json: Representation.source(source)) })
    }
}
