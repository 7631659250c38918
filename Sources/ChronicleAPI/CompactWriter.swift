import Chronicle

/// Records written as compact JSON straight into bytes (`typed`: with a first member `type`
/// naming the kind, as exports write them): the very bytes `Representation`'s
/// trees give when serialized compactly (a test compares them record by record), without
/// building the tree. A page of 50 events built as trees spent most of its time allocating and
/// freeing their nodes; lists, exports and NDJSON streams are written this way.
enum CompactWriter {
    static func event(_ event: Event, roleOf actorID: String? = nil, typed: Bool = false, into out: inout [UInt8]) {
        var object = ObjectWriter(&out)
        if typed { object.string("type", "event", into: &out) }
        object.string("id", event.id, into: &out)
        if let actorID {
            object.key("roles", into: &out)
            out.append(91)
            var first = true
            for participant in event.participants where participant.actorID == actorID {
                if !first { out.append(44) }
                first = false
                JSON.writeString(participant.role.rawValue, into: &out)
            }
            out.append(93)
        }
        object.string("title", event.title, into: &out)
        object.string("summary", event.summary, into: &out)
        object.string("start", event.start.description, into: &out)
        object.string("end", event.end?.description, into: &out)
        object.string("startPrecision", event.start.precision.rawValue, into: &out)
        object.string("endPrecision", event.end?.precision.rawValue, into: &out)
        object.string("locationName", event.locationName, into: &out)
        object.string("locationCountry", event.locationCountry, into: &out)
        object.string("category", event.category.rawValue, into: &out)
        object.key("participants", into: &out)
        out.append(91)
        for (index, participant) in event.participants.enumerated() {
            if index > 0 { out.append(44) }
            var item = ObjectWriter(&out)
            item.string("actorId", participant.actorID, into: &out)
            item.string("name", participant.actorName, into: &out)
            item.string("slug", participant.actorSlug, into: &out)
            item.string("role", participant.role.rawValue, into: &out)
            item.end(&out)
        }
        out.append(93)
        citations(event.citations, &object, into: &out)
        stamps(event.createdAt, event.updatedAt, event.version, &object, into: &out)
        object.end(&out)
    }

    static func quote(_ quote: Quote, typed: Bool = false, into out: inout [UInt8]) {
        var object = ObjectWriter(&out)
        if typed { object.string("type", "quote", into: &out) }
        object.string("id", quote.id, into: &out)
        object.string("text", quote.text, into: &out)
        object.string("language", quote.language, into: &out)
        object.key("speaker", into: &out)
        if let speaker = quote.speakerID {
            var item = ObjectWriter(&out)
            item.string("id", speaker, into: &out)
            item.string("name", quote.speakerName, into: &out)
            item.end(&out)
        } else {
            append("null", to: &out)
        }
        object.string("said", quote.said?.description, into: &out)
        object.string("eventId", quote.eventID, into: &out)
        object.string("context", quote.context, into: &out)
        object.string("verification", quote.verification.rawValue, into: &out)
        citations(quote.citations, &object, into: &out)
        stamps(quote.createdAt, quote.updatedAt, quote.version, &object, into: &out)
        object.end(&out)
    }

    static func actor(_ actor: Actor, typed: Bool = false, into out: inout [UInt8]) {
        var object = ObjectWriter(&out)
        if typed { object.string("type", "actor", into: &out) }
        object.string("id", actor.id, into: &out)
        object.string("slug", actor.slug, into: &out)
        object.string("kind", actor.kind.rawValue, into: &out)
        object.string("name", actor.name, into: &out)
        object.key("aliases", into: &out)
        out.append(91)
        for (index, alias) in actor.aliases.enumerated() {
            if index > 0 { out.append(44) }
            var item = ObjectWriter(&out)
            item.string("name", alias.name, into: &out)
            item.string("language", alias.language, into: &out)
            item.end(&out)
        }
        out.append(93)
        object.string("description", actor.description, into: &out)
        object.string("country", actor.country, into: &out)
        object.string("wikidataId", actor.wikidataID, into: &out)
        stamps(actor.createdAt, actor.updatedAt, actor.version, &object, into: &out)
        object.end(&out)
    }

    static func source(_ source: Source, typed: Bool = false, into out: inout [UInt8]) {
        var object = ObjectWriter(&out)
        if typed { object.string("type", "source", into: &out) }
        object.string("id", source.id, into: &out)
        object.string("url", source.url, into: &out)
        object.string("title", source.title, into: &out)
        object.string("publisher", source.publisher, into: &out)
        object.string("author", source.author, into: &out)
        object.string("published", source.published?.description, into: &out)
        object.string("accessed", source.accessed?.description, into: &out)
        stamps(source.createdAt, source.updatedAt, source.version, &object, into: &out)
        object.end(&out)
    }

    private static func citations(_ citations: [Citation], _ object: inout ObjectWriter, into out: inout [UInt8]) {
        object.key("citations", into: &out)
        out.append(91)
        for (index, citation) in citations.enumerated() {
            if index > 0 { out.append(44) }
            var item = ObjectWriter(&out)
            item.string("sourceId", citation.sourceID, into: &out)
            item.string("title", citation.sourceTitle, into: &out)
            item.string("url", citation.sourceURL, into: &out)
            item.string("excerpt", citation.excerpt, into: &out)
            item.end(&out)
        }
        out.append(93)
    }

    private static func stamps(_ createdAt: String, _ updatedAt: String, _ version: Int, _ object: inout ObjectWriter, into out: inout [UInt8]) {
        object.string("createdAt", createdAt, into: &out)
        object.string("updatedAt", updatedAt, into: &out)
        object.key("version", into: &out)
        JSON.writeNumber(Double(version), into: &out)
    }

    fileprivate static func append(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}

/// The members of one JSON object as they are written: `{`, then `"key":value` pairs with commas.
private struct ObjectWriter {
    private var first = true

    init(_ out: inout [UInt8]) { out.append(123) }

    mutating func key(_ key: StaticString, into out: inout [UInt8]) {
        if !first { out.append(44) }
        first = false
        out.append(34)
        CompactWriter.append(key, to: &out)
        out.append(34)
        out.append(58)
    }

    /// A string member, or null.
    mutating func string(_ key: StaticString, _ value: String?, into out: inout [UInt8]) {
        self.key(key, into: &out)
        if let value { JSON.writeString(value, into: &out) } else { CompactWriter.append("null", to: &out) }
    }

    func end(_ out: inout [UInt8]) { out.append(125) }
}
