import Chronicle

/// Records as schema.org JSON-LD, for a CMS that embeds structured data and for tools that read
/// linked data. Pure functions of the records: which properties each kind maps to is documented
/// in openapi.yaml and the README, and every node's `@id` is this server's URL for the record, so
/// that a reader can follow it.
///
/// Absent values are left out rather than written as null: in JSON-LD a null means "ignore",
/// and a CMS copying the markup is better served by fewer keys.
enum LinkedData {
    static let context = JSON.string("https://schema.org")

    /// One record's document: the context, then the node's own properties.
    static func document(_ node: JSON) -> JSON {
        guard case .object(let properties) = node else { return node }
        return .object([("@context", context)] + properties)
    }

    /// A list page's document: its records as one graph.
    static func graph(_ nodes: [JSON]) -> JSON {
        .object([("@context", context), ("@graph", .array(nodes))])
    }

    static func event(_ event: Event, _ ids: LinkedDataIDs) -> JSON {
        var node = Node(type: "Event", id: ids.event(event.id), identifier: event.id)
        node["name"] = .string(event.title)
        node["description"] = event.summary.map(JSON.string)
        // Partial dates are valid ISO 8601 at their own precision: "2014" says no more than is known.
        node["startDate"] = .string(event.start.description)
        node["endDate"] = event.end.map { .string($0.description) }
        node["location"] = place(name: event.locationName, country: event.locationCountry)
        node["keywords"] = .string(event.category.rawValue)
        for property in EventRoleProperty.allCases {
            let actors = event.participants.filter { EventRoleProperty($0.role) == property }
            var seen = Set<String>()
            let references = actors.filter { seen.insert($0.actorID).inserted }.map { reference(ids.actor($0.actorID), name: $0.actorName) }
            if !references.isEmpty { node[property.rawValue] = .array(references) }
        }
        // A source reports the event: it is a work about it, which schema.org calls `subjectOf`
        // (its `citation` belongs to creative works, not events).
        if !event.citations.isEmpty { node["subjectOf"] = .array(event.citations.map { cited($0, ids) }) }
        return node.json
    }

    static func actor(_ actor: Actor, _ ids: LinkedDataIDs) -> JSON {
        var node = Node(type: ActorType(actor.kind).rawValue, id: ids.actor(actor.id), identifier: actor.id)
        node["name"] = .string(actor.name)
        if !actor.aliases.isEmpty {
            // A language-tagged value where the alias's language is known: Лукашенко is Belarusian.
            node["alternateName"] = .array(actor.aliases.map { alias in
                alias.language.map { .object([("@value", .string(alias.name)), ("@language", .string($0))]) } ?? .string(alias.name)
            })
        }
        node["description"] = actor.description.map(JSON.string)
        node["sameAs"] = actor.wikidataID.map { .string("https://www.wikidata.org/wiki/\($0)") }
        if let country = actor.country {
            let address = JSON.object([("@type", .string("PostalAddress")), ("addressCountry", .string(country))])
            if actor.kind == .person {
                node["nationality"] = .object([("@type", .string("Country")), ("address", address)])
            } else {
                node["address"] = address
            }
        }
        return node.json
    }

    static func quote(_ quote: Quote, _ ids: LinkedDataIDs) -> JSON {
        var node = Node(type: "Quotation", id: ids.quote(quote.id), identifier: quote.id)
        node["text"] = .string(quote.text)
        node["inLanguage"] = .string(quote.language)
        node["spokenByCharacter"] = quote.speakerID.map { reference(ids.actor($0), name: quote.speakerName) }
        node["dateCreated"] = quote.said.map { .string($0.description) }
        node["description"] = quote.context.map(JSON.string)
        node["about"] = quote.eventID.map { .object([("@type", .string("Event")), ("@id", .string(ids.event($0)))]) }
        if !quote.citations.isEmpty { node["isBasedOn"] = .array(quote.citations.map { cited($0, ids) }) }
        return node.json
    }

    static func source(_ source: Source, _ ids: LinkedDataIDs) -> JSON {
        var node = Node(type: "CreativeWork", id: ids.source(source.id), identifier: source.id)
        node["name"] = .string(source.title)
        node["url"] = source.url.map(JSON.string)
        node["publisher"] = source.publisher.map { .object([("@type", .string("Organization")), ("name", .string($0))]) }
        // Named only: the store does not say whether an author is a person or an organisation.
        node["author"] = source.author.map { .object([("name", .string($0))]) }
        node["datePublished"] = source.published.map { .string($0.description) }
        return node.json
    }

    /// Another record by its `@id`, with its name where the record in hand shows it.
    private static func reference(_ id: String, name: String?) -> JSON {
        .object([("@id", .string(id))] + (name.map { [("name", JSON.string($0))] } ?? []))
    }

    /// A cited source, as much of it as a citation shows.
    private static func cited(_ citation: Citation, _ ids: LinkedDataIDs) -> JSON {
        var node = Node(type: "CreativeWork", id: ids.source(citation.sourceID))
        node["name"] = citation.sourceTitle.map(JSON.string)
        node["url"] = citation.sourceURL.map(JSON.string)
        return node.json
    }

    private static func place(name: String?, country: String?) -> JSON? {
        guard name != nil || country != nil else { return nil }
        var node = Node(type: "Place")
        node["name"] = name.map(JSON.string)
        node["address"] = country.map { .object([("@type", .string("PostalAddress")), ("addressCountry", .string($0))]) }
        return node.json
    }
}

/// The schema.org property an event participant is listed under, by role. Several roles share a
/// property where schema.org draws no finer line; the JSON representation keeps the exact role.
enum EventRoleProperty: String, CaseIterable {
    case performer, organizer, contributor, attendee, about

    init(_ role: ParticipantRole) {
        switch role {
        case .initiator: self = .performer  // who carried the event out
        case .organizer, .host: self = .organizer
        case .mediator: self = .contributor
        case .participant, .observer: self = .attendee
        case .target, .victim: self = .about  // what the event was done to
        }
    }
}

/// The schema.org type of an actor, by kind. A group (a movement, a crowd, a faction) is an
/// `Organization`: schema.org has no looser collective type.
enum ActorType: String {
    case person = "Person", organization = "Organization", country = "Country"

    init(_ kind: ActorKind) {
        switch kind {
        case .person: self = .person
        case .organization, .group: self = .organization
        case .country: self = .country
        }
    }
}

/// A JSON-LD node being built: `@type`, `@id` and `identifier` first, then properties in the
/// order they are set; setting nil leaves a property out.
private struct Node {
    private var properties: [(String, JSON)] = []

    init(type: String, id: String? = nil, identifier: String? = nil) {
        properties.append(("@type", .string(type)))
        if let id { properties.append(("@id", .string(id))) }
        if let identifier { properties.append(("identifier", .string(identifier))) }
    }

    subscript(key: String) -> JSON? {
        get { properties.first { $0.0 == key }?.1 }
        set {
            properties.removeAll { $0.0 == key }
            if let newValue { properties.append((key, newValue)) }
        }
    }

    var json: JSON { .object(properties) }
}
