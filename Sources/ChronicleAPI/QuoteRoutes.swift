import Chronicle
import HTTP

extension ChronicleAPI {
    static let quoteFields = ["id", "text", "language", "speaker", "said", "eventId", "context", "verification", "citations", "createdAt", "updatedAt", "version"]

    func listQuotes(_ request: Request) throws -> Response {
        var query = QueryParameters(request, allowed: QueryParameters.paging + ["speaker", "event", "source", "from", "to", "language", "verification"])
        let format = query.format(accept: request.headers["Accept"], among: ResponseFormat.allCases)
        let dates = query.dateRange()
        var filter = QuoteFilter(from: dates.from, to: dates.to,
                                 language: query.formatted("language") { $0.language($1, $2) }, verification: query.enumeration("verification", as: VerificationStatus.self),
                                 text: query.search("q"))
        let event = query.text("event", max: 100)
        let speaker = query.text("speaker", max: 100)
        let source = query.text("source", max: 100)
        let sort = query.sort(as: QuoteSortField.self)
        let page = query.page()
        let fields = query.fields(of: Self.quoteFields)
        try query.finish()
        if let speaker { filter.speakerID = try existingActor(speaker, field: "speaker").id }
        if let source { filter.sourceID = try existingSource(source) }
        if let event { filter.eventID = try existingEvent(event) }
        let quotes = repositories.quotes, chosen = filter
        return try listResponse(request, format: format, page: page, fields: fields, columns: Self.quoteFields,
                                fetch: { try quotes.list(chosen, sort: sort, page: $0, in: $1) }, encode: Representation.quote, write: { CompactWriter.quote($0, into: &$1) })
    }

    var quoteEndpoints: RecordEndpoints<Quote> {
        let actors = repositories.actors
        return RecordEndpoints(repositories.quotes, fields: Self.quoteFields, decode: { json, base in
                                   var draft = try DraftDecoder.quote(json, onto: base)
                                   draft.speakerID = draft.speakerID.map { Self.actorID($0, in: actors) }
                                   return draft
                               },
                               represent: { quote, _ in Rendered(json: Representation.quote(quote)) })
    }
}
