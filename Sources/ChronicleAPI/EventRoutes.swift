import Chronicle
import HTTP

extension ChronicleAPI {
    static let eventFields = ["id", "title", "summary", "start", "end", "startPrecision", "endPrecision", "locationName", "locationCountry",
                              "category", "participants", "citations", "createdAt", "updatedAt", "version"]

    func listEvents(_ request: Request) throws -> Response {
        var query = QueryParameters(request, allowed: QueryParameters.paging + ["actor", "role", "category", "country", "source", "from", "to"])
        let format = query.format(accept: request.headers["Accept"], among: ResponseFormat.allCases)
        let dates = query.dateRange()
        var filter = EventFilter(role: query.enumeration("role", as: ParticipantRole.self), category: query.enumeration("category", as: EventCategory.self),
                                 country: query.formatted("country") { $0.country($1, $2) }, from: dates.from, to: dates.to, text: query.search("q"))
        let actor = query.text("actor", max: 100)
        let source = query.text("source", max: 100)
        let sort = query.sort(as: EventSortField.self)
        let page = query.page()
        let fields = query.fields(of: Self.eventFields)
        try query.finish()
        if let actor { filter.actorID = try existingActor(actor, field: "actor").id }
        if let source { filter.sourceID = try existingSource(source) }
        let events = repositories.events, chosen = filter
        if format == .json, fields == nil, renderedRows.capacity > 0, !Reply.wantsPretty(request) {
            var response = try keptRowsPage(request, filter: chosen, sort: sort, page: page)
            response.headers.addVary("Accept")
            return response
        }
        return try listResponse(request, format: format, page: page, fields: fields, columns: Self.eventFields,
                                fetch: { try events.list(chosen, sort: sort, page: $0, in: $1) }, encode: { Representation.event($0) }, write: { CompactWriter.event($0, into: &$1) })
    }

    var eventEndpoints: RecordEndpoints<Event> {
        let quotes = repositories.quotes
        let actors = repositories.actors
        return RecordEndpoints(repositories.events, fields: Self.eventFields + ["quotes"], decode: { json, base in
                                   var draft = try DraftDecoder.event(json, onto: base)
                                   draft.participants = draft.participants.map { Participant(actorID: Self.actorID($0.actorID, in: actors), role: $0.role) }
                                   return draft
                               },
                               represent: { event, snapshot in
                                   let embedded = try quotes.quotes(ofEvent: event.id, limit: PageRequest.maximumLimit, in: snapshot)
                                   // Shown by name or title: participants, speakers, cited sources; and
                                   // the event itself, whose quotes change without a new version of it.
                                   let embeds = [event.id] + event.participants.map(\.actorID) + event.citations.map(\.sourceID)
                                       + embedded.compactMap(\.speakerID) + embedded.flatMap { $0.citations.map(\.sourceID) }
                                   return Rendered(json: Representation.event(event, quotes: embedded), embeds: Array(Set(embeds)))
                               },
                               keepsRenderedBodies: true)
    }

    func quotesOfEvent(_ request: Request) throws -> Response {
        var query = QueryParameters(request, allowed: ["limit", "cursor", "sort", "count", "fields", "format"])
        let format = query.format(accept: request.headers["Accept"], among: ResponseFormat.allCases)
        let sort = query.sort(as: QuoteSortField.self)
        let page = query.page()
        let fields = query.fields(of: Self.quoteFields)
        try query.finish()
        let event = try repositories.events.find(request.parameters["id"] ?? "")
        let quotes = repositories.quotes, filter = QuoteFilter(eventID: event.id)
        return try listResponse(request, format: format, page: page, fields: fields, columns: Self.quoteFields,
                                fetch: { try quotes.list(filter, sort: sort, page: $0, in: $1) }, encode: Representation.quote, write: { CompactWriter.quote($0, into: &$1) })
    }
}
