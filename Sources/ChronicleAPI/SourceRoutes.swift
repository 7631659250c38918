import Chronicle
import HTTP

extension ChronicleAPI {
    static let sourceFields = ["id", "url", "title", "publisher", "author", "published", "accessed", "createdAt", "updatedAt", "version"]

    func listSources(_ request: Request) throws -> Response {
        var query = QueryParameters(request, allowed: QueryParameters.paging + ["publisher"])
        let format = query.format(accept: request.headers["Accept"], among: ResponseFormat.allCases)
        let filter = SourceFilter(publisher: query.text("publisher", max: 300), text: query.search("q"))
        let sort = query.sort(as: SourceSortField.self)
        let page = query.page()
        let fields = query.fields(of: Self.sourceFields)
        try query.finish()
        let sources = repositories.sources
        return try listResponse(request, format: format, page: page, fields: fields, columns: Self.sourceFields,
                                fetch: { try sources.list(filter, sort: sort, page: $0, in: $1) }, encode: Representation.source, write: { CompactWriter.source($0, into: &$1) })
    }

    var sourceEndpoints: RecordEndpoints<Source> {
        return RecordEndpoints(repositories.sources, fields: Self.sourceFields, decode: { try DraftDecoder.source($0, onto: $1) },
                               represent: { source, _ in Rendered(json: Representation.source(source)) })
    }
}
