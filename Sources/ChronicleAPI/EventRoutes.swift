import Chronicle
import HTTP

extension ChronicleAPI {
    static let eventFields = ["id", "title", "summary", "start", "end", "startPrecision", "endPrecision", "locationName", "locationCountry",
                              "category", "participants", "citations", "createdAt", "updatedAt", "version"]

    func listEvents(_ request: Request) throws -> Response {
        var query = QueryParameters(request, allowed: QueryParameters.paging + ["actor", "role", "category", "country", "from", "to"])
        var filter = EventFilter(role: query.enumeration("role", as: ParticipantRole.self), category: query.enumeration("category", as: EventCategory.self),
                                 country: query.formatted("country") { $0.country($1, $2) }, from: query.date("from"), to: query.date("to"), text: query.text("q"))
        let actor = query.text("actor", max: 100)
        let sort = query.sort(as: EventSortField.self)
        let page = query.page()
        let fields = query.fields(of: Self.eventFields)
        try query.finish()
        if let actor {
            // An actor filter takes an id or a slug; an unknown one is a field error, not an empty list.
            do { filter.actorID = try repositories.actors.find(actor).id } catch ChronicleError.notFound {
                throw ChronicleError.validation([FieldError("actor", "no actor has id or slug '\(actor)'")])
            }
        }
        return listResponse(request, try repositories.events.list(filter, sort: sort, page: page), fields: fields) { Representation.event($0) }
    }

    func createEvent(_ request: Request) throws -> Response {
        let draft = try DraftDecoder.event(try jsonBody(request), onto: nil)
        let event = try repositories.events.create(draft)
        return recordResponse(request, Representation.event(event, quotes: []), id: event.id, version: event.version, status: 201)
    }

    func getEvent(_ request: Request) throws -> Response {
        var query = QueryParameters(request, allowed: [])
        let fields = query.fields(of: Self.eventFields + ["quotes"])
        try query.finish()
        let event = try repositories.events.find(request.parameters["id"] ?? "")
        let quotes = try repositories.quotes.list(QuoteFilter(eventID: event.id), sort: [], page: PageRequest(limit: PageRequest.maximumLimit)).items
        return recordResponse(request, Representation.event(event, quotes: quotes), id: event.id, version: event.version, fields: fields)
    }

    func updateEvent(_ request: Request) throws -> Response {
        try QueryParameters(request, allowed: []).finish()
        let body = try jsonBody(request)
        let current = try repositories.events.find(request.parameters["id"] ?? "")
        let draft = try DraftDecoder.event(body, onto: current.draft)
        let version = try expectedVersion(request, id: current.id, current: current.version)
        let event = try repositories.events.update(current.id, expectedVersion: version, with: draft)
        let quotes = try repositories.quotes.list(QuoteFilter(eventID: event.id), sort: [], page: PageRequest(limit: PageRequest.maximumLimit)).items
        return recordResponse(request, Representation.event(event, quotes: quotes), id: event.id, version: event.version)
    }

    func deleteEvent(_ request: Request) throws -> Response {
        let cascade = try cascadeFlag(request)
        let current = try repositories.events.find(request.parameters["id"] ?? "")
        _ = try expectedVersion(request, id: current.id, current: current.version)
        try repositories.events.delete(current.id, cascade: cascade)
        return Response(status: 204)
    }

    func quotesOfEvent(_ request: Request) throws -> Response {
        var query = QueryParameters(request, allowed: ["limit", "cursor", "sort", "count"])
        let sort = query.sort(as: QuoteSortField.self)
        let page = query.page()
        let fields = query.fields(of: Self.quoteFields)
        try query.finish()
        let event = try repositories.events.find(request.parameters["id"] ?? "")
        return listResponse(request, try repositories.quotes.list(QuoteFilter(eventID: event.id), sort: sort, page: page), fields: fields, encode: Representation.quote)
    }
}
