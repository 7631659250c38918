import Chronicle

/// How records look on the wire. One function per record kind, so the JSON shape is in one place
/// (and in openapi.yaml, which tests compare against).
enum Representation {
    static func actor(_ actor: Actor) -> JSON {
        .object([
            ("id", .string(actor.id)),
            ("slug", .string(actor.slug)),
            ("kind", .string(actor.kind.rawValue)),
            ("name", .string(actor.name)),
            ("aliases", .array(actor.aliases.map { .object([("name", .string($0.name)), ("language", .optional($0.language))]) })),
            ("description", .optional(actor.description)),
            ("country", .optional(actor.country)),
            ("wikidataId", .optional(actor.wikidataID)),
            ("createdAt", .string(actor.createdAt)),
            ("updatedAt", .string(actor.updatedAt)),
            ("version", .int(actor.version)),
        ])
    }

    static func event(_ event: Event, quotes: [Quote]? = nil, roleOf actorID: String? = nil) -> JSON {
        var fields: [(String, JSON)] = [
            ("id", .string(event.id)),
            ("title", .string(event.title)),
            ("summary", .optional(event.summary)),
            ("start", .string(event.start.description)),
            ("end", .optional(event.end?.description)),
            ("startPrecision", .string(event.start.precision.rawValue)),
            ("endPrecision", .optional(event.end?.precision.rawValue)),
            ("locationName", .optional(event.locationName)),
            ("locationCountry", .optional(event.locationCountry)),
            ("category", .string(event.category.rawValue)),
            ("participants", .array(event.participants.map(participant))),
            ("citations", .array(event.citations.map(citation))),
            ("createdAt", .string(event.createdAt)),
            ("updatedAt", .string(event.updatedAt)),
            ("version", .int(event.version)),
        ]
        if let actorID {
            fields.insert(("roles", .array(event.roles(of: actorID).map { .string($0.rawValue) })), at: 1)
        }
        if let quotes { fields.append(("quotes", .array(quotes.map { quote($0) }))) }
        return .object(fields)
    }

    static func participant(_ participant: Participant) -> JSON {
        .object([
            ("actorId", .string(participant.actorID)),
            ("name", .optional(participant.actorName)),
            ("slug", .optional(participant.actorSlug)),
            ("role", .string(participant.role.rawValue)),
        ])
    }

    static func citation(_ citation: Citation) -> JSON {
        .object([
            ("sourceId", .string(citation.sourceID)),
            ("title", .optional(citation.sourceTitle)),
            ("url", .optional(citation.sourceURL)),
            ("excerpt", .optional(citation.excerpt)),
        ])
    }

    static func quote(_ quote: Quote) -> JSON {
        .object([
            ("id", .string(quote.id)),
            ("text", .string(quote.text)),
            ("language", .string(quote.language)),
            ("speaker", quote.speakerID.map { .object([("id", .string($0)), ("name", .optional(quote.speakerName))]) } ?? .null),
            ("said", .optional(quote.said?.description)),
            ("eventId", .optional(quote.eventID)),
            ("context", .optional(quote.context)),
            ("verification", .string(quote.verification.rawValue)),
            ("citations", .array(quote.citations.map(citation))),
            ("createdAt", .string(quote.createdAt)),
            ("updatedAt", .string(quote.updatedAt)),
            ("version", .int(quote.version)),
        ])
    }

    static func source(_ source: Source) -> JSON {
        .object([
            ("id", .string(source.id)),
            ("url", .optional(source.url)),
            ("title", .string(source.title)),
            ("publisher", .optional(source.publisher)),
            ("author", .optional(source.author)),
            ("published", .optional(source.published?.description)),
            ("accessed", .optional(source.accessed?.description)),
            ("createdAt", .string(source.createdAt)),
            ("updatedAt", .string(source.updatedAt)),
            ("version", .int(source.version)),
        ])
    }

    static func hit(_ hit: SearchHit) -> JSON {
        .object([
            ("type", .string(hit.kind.rawValue)),
            ("id", .string(hit.id)),
            ("title", .string(hit.title)),
            ("snippet", .string(hit.snippet)),
            ("rank", .number(hitRank(hit))),
        ])
    }

    private static func hitRank(_ hit: SearchHit) -> Double { (hit.rank * 1000).rounded() / 1000 }

    /// `{"data":[hit...]}` written compactly, the very bytes `hit` and `serialized()` give
    /// (a test compares them), without building the tree first: for a page of search hits
    /// the tree cost as much as writing it.
    static func compactHits(_ hits: [SearchHit], fields: Set<String>?) -> [UInt8] {
        // Which fields, and each one's key as written after the first (`,"id":`).
        let wanted = hitKeys.map { fields?.contains($0.name) ?? true }
        var out: [UInt8] = []
        out.reserveCapacity(128 + hits.count * 320)
        out.append(contentsOf: hitsOpening)
        for (index, hit) in hits.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            var first = true
            for field in hitKeys.indices where wanted[field] {
                out.append(contentsOf: first ? hitKeys[field].first : hitKeys[field].later)
                first = false
                switch field {
                case 0: JSON.writeString(hit.kind.rawValue, into: &out)
                case 1: JSON.writeString(hit.id, into: &out)
                case 2: JSON.writeString(hit.title, into: &out)
                case 3: JSON.writeString(hit.snippet, into: &out)
                default: JSON.writeNumber(hitRank(hit), into: &out)
                }
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        out.append(UInt8(ascii: "}"))
        return out
    }

    private static let hitsOpening = Array(#"{"data":["#.utf8)
    /// A hit's fields in order, each key as bytes ready to append: `"type":` and `,"type":`.
    private static let hitKeys: [(name: String, first: [UInt8], later: [UInt8])] = ["type", "id", "title", "snippet", "rank"].map {
        ($0, Array("\"\($0)\":".utf8), Array(",\"\($0)\":".utf8))
    }

    /// Keeps only the named top-level fields (`fields=id,title`), in the record's own order.
    static func select(_ json: JSON, fields: Set<String>?) -> JSON {
        guard let fields, case .object(let all) = json else { return json }
        return .object(all.filter { fields.contains($0.0) })
    }
}
