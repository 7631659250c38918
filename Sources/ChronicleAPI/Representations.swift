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
        let wanted = hitFields.map { fields?.contains($0) ?? true }
        var out: [UInt8] = []
        out.reserveCapacity(128 + hits.count * 320)
        append(#"{"data":["#, to: &out)
        for (index, hit) in hits.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            var first = true
            for field in wanted.indices where wanted[field] {
                append(hitKey(field), to: &out, droppingComma: first)
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

    /// A hit's fields, in the order they are written.
    private static let hitFields = ["type", "id", "title", "snippet", "rank"]

    /// Each field's key as written after the first (`,"id":`). Static text, not arrays: both
    /// reader threads appending the same arrays for every hit wrote their reference counts,
    /// one line of memory each, from two cores about a hundred times per search.
    private static func hitKey(_ field: Int) -> StaticString {
        switch field {
        case 0: return #","type":"#
        case 1: return #","id":"#
        case 2: return #","title":"#
        case 3: return #","snippet":"#
        default: return #","rank":"#
        }
    }

    private static func append(_ text: StaticString, to out: inout [UInt8], droppingComma: Bool = false) {
        let skip = droppingComma ? 1 : 0
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start + skip, count: text.utf8CodeUnitCount - skip))
    }

    /// Keeps only the named top-level fields (`fields=id,title`), in the record's own order.
    static func select(_ json: JSON, fields: Set<String>?) -> JSON {
        guard let fields, case .object(let all) = json else { return json }
        return .object(all.filter { fields.contains($0.0) })
    }
}
