import Chronicle
import HTTP

extension ChronicleAPI {
    static let actorFields = ["id", "slug", "kind", "name", "aliases", "description", "country", "wikidataId", "createdAt", "updatedAt", "version"]

    func listActors(_ request: Request) throws -> Response {
        var query = QueryParameters(request, allowed: QueryParameters.paging + ["kind", "country", "wikidataId"])
        let format = query.format(accept: request.headers["Accept"], among: ResponseFormat.allCases)
        let filter = ActorFilter(kind: query.enumeration("kind", as: ActorKind.self), country: query.formatted("country") { $0.country($1, $2) },
                                 wikidataID: query.formatted("wikidataId") { $0.wikidata($1, $2) }, text: query.search("q"))
        let sort = query.sort(as: ActorSortField.self)
        let page = query.page()
        let fields = query.fields(of: Self.actorFields)
        try query.finish()
        let actors = repositories.actors
        return try listResponse(request, format: format, page: page, fields: fields, columns: Self.actorFields,
                                fetch: { try actors.list(filter, sort: sort, page: $0, in: $1) }, encode: Representation.actor, write: { CompactWriter.actor($0, into: &$1) })
    }

    var actorEndpoints: RecordEndpoints<Actor> {
        return RecordEndpoints(repositories.actors, fields: Self.actorFields, decode: { try DraftDecoder.actor($0, onto: $1) },
                               represent: { actor, _ in Rendered(json: Representation.actor(actor)) })
    }

    func eventsOfActor(_ request: Request) throws -> Response {
        var query = QueryParameters(request, allowed: ["limit", "cursor", "sort", "count", "role", "from", "to", "category", "fields", "format"])
        let format = query.format(accept: request.headers["Accept"], among: ResponseFormat.allCases)
        let role = query.enumeration("role", as: ParticipantRole.self)
        let (from, to) = query.dateRange()
        let category = query.enumeration("category", as: EventCategory.self)
        let sort = query.sort(as: EventSortField.self)
        let page = query.page()
        let fields = query.fields(of: Self.eventFields + ["roles"])
        try query.finish()
        let actor = try repositories.actors.find(request.parameters["id"] ?? "")
        let events = repositories.events, filter = EventFilter(actorID: actor.id, role: role, category: category, from: from, to: to)
        var columns = Self.eventFields
        columns.insert("roles", at: 1)
        return try listResponse(request, format: format, page: page, fields: fields, columns: columns,
                                fetch: { try events.list(filter, sort: sort, page: $0, in: $1) }, encode: { Representation.event($0, roleOf: actor.id) },
                                write: { CompactWriter.event($0, roleOf: actor.id, into: &$1) })
    }

    func quotesOfActor(_ request: Request) throws -> Response {
        var query = QueryParameters(request, allowed: ["limit", "cursor", "sort", "count", "from", "to", "language", "verification", "fields", "format"])
        let format = query.format(accept: request.headers["Accept"], among: ResponseFormat.allCases)
        let (from, to) = query.dateRange()
        let language = query.formatted("language") { $0.language($1, $2) }
        let verification = query.enumeration("verification", as: VerificationStatus.self)
        let sort = query.sort(as: QuoteSortField.self)
        let page = query.page()
        let fields = query.fields(of: Self.quoteFields)
        try query.finish()
        let actor = try repositories.actors.find(request.parameters["id"] ?? "")
        let quotes = repositories.quotes
        let filter = QuoteFilter(speakerID: actor.id, from: from, to: to, language: language, verification: verification)
        return try listResponse(request, format: format, page: page, fields: fields, columns: Self.quoteFields,
                                fetch: { try quotes.list(filter, sort: sort, page: $0, in: $1) }, encode: Representation.quote, write: { CompactWriter.quote($0, into: &$1) })
    }
}
