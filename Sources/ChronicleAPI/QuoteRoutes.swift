import Chronicle
import HTTP

extension ChronicleAPI {
    static let quoteFields = ["id", "text", "language", "speaker", "said", "eventId", "context", "verification", "citations", "createdAt", "updatedAt", "version"]

    func listQuotes(_ request: Request) throws -> Response {
        var query = QueryParameters(request, allowed: QueryParameters.paging + ["speaker", "event", "from", "to", "language", "verification"])
        var filter = QuoteFilter(eventID: query.text("event", max: 100), from: query.date("from"), to: query.date("to"),
                                 language: query.formatted("language") { $0.language($1, $2) }, verification: query.enumeration("verification", as: VerificationStatus.self),
                                 text: query.text("q"))
        let speaker = query.text("speaker", max: 100)
        let sort = query.sort(as: QuoteSortField.self)
        let page = query.page()
        let fields = query.fields(of: Self.quoteFields)
        try query.finish()
        if let speaker {
            do { filter.speakerID = try repositories.actors.find(speaker).id } catch ChronicleError.notFound {
                throw ChronicleError.validation([FieldError("speaker", "no actor has id or slug '\(speaker)'")])
            }
        }
        return listResponse(request, try repositories.quotes.list(filter, sort: sort, page: page), fields: fields, encode: Representation.quote)
    }

    func createQuote(_ request: Request) throws -> Response {
        let quote = try repositories.quotes.create(try DraftDecoder.quote(try jsonBody(request), onto: nil))
        return recordResponse(request, Representation.quote(quote), id: quote.id, version: quote.version, status: 201)
    }

    func getQuote(_ request: Request) throws -> Response {
        var query = QueryParameters(request, allowed: [])
        let fields = query.fields(of: Self.quoteFields)
        try query.finish()
        let quote = try repositories.quotes.find(request.parameters["id"] ?? "")
        return recordResponse(request, Representation.quote(quote), id: quote.id, version: quote.version, fields: fields)
    }

    func updateQuote(_ request: Request) throws -> Response {
        try QueryParameters(request, allowed: []).finish()
        let body = try jsonBody(request)
        let current = try repositories.quotes.find(request.parameters["id"] ?? "")
        let draft = try DraftDecoder.quote(body, onto: current.draft)
        let version = try expectedVersion(request, id: current.id, current: current.version)
        let quote = try repositories.quotes.update(current.id, expectedVersion: version, with: draft)
        return recordResponse(request, Representation.quote(quote), id: quote.id, version: quote.version)
    }

    func deleteQuote(_ request: Request) throws -> Response {
        try QueryParameters(request, allowed: []).finish()
        let current = try repositories.quotes.find(request.parameters["id"] ?? "")
        _ = try expectedVersion(request, id: current.id, current: current.version)
        try repositories.quotes.delete(current.id)
        return Response(status: 204)
    }
}
