import Chronicle

/// Reads fields out of a JSON request body, collecting every type error with its field path,
/// refusing unknown and read-only fields, and telling absent apart from null (for PATCH).
struct BodyFields {
    private(set) var errors: [FieldError] = []
    private let fields: [(String, JSON)]
    private let path: String

    static let readOnly: Set<String> = ["id", "createdAt", "updatedAt", "version", "startPrecision", "endPrecision", "speaker", "quotes", "roles"]

    init(_ json: JSON, allowed: [String], path: String = "") {
        self.path = path
        guard case .object(let fields) = json else {
            self.fields = []
            errors.append(FieldError(path.isEmpty ? "body" : path, "must be a JSON object, not \(json.typeName)"))
            return
        }
        self.fields = fields
        for (key, _) in fields where !allowed.contains(key) {
            if path.isEmpty && BodyFields.readOnly.contains(key) {
                errors.append(FieldError(key, "is read-only; leave it out"))
            } else {
                errors.append(FieldError(name(key), "is not a field here; allowed: \(allowed.joined(separator: ", "))"))
            }
        }
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func has(_ key: String) -> Bool { fields.contains { $0.0 == key } }

    private func raw(_ key: String) -> JSON? { fields.first { $0.0 == key }?.1 }

    mutating func fail(_ key: String, _ message: String) { errors.append(FieldError(name(key), message)) }

    mutating func require(_ keys: String...) {
        for key in keys where !has(key) { fail(key, "is required") }
    }

    /// A non-null string, or nil when absent (a type error is recorded).
    mutating func string(_ key: String) -> String? {
        guard let value = raw(key) else { return nil }
        guard case .string(let text) = value else {
            fail(key, "must be a string, not \(value.typeName)")
            return nil
        }
        return text
    }

    /// `.some(nil)` for an explicit null, nil when absent.
    mutating func nullableString(_ key: String) -> String?? {
        guard let value = raw(key) else { return nil }
        if case .null = value { return .some(nil) }
        guard case .string(let text) = value else {
            fail(key, "must be a string or null, not \(value.typeName)")
            return nil
        }
        return .some(text)
    }

    mutating func enumeration<E: RawRepresentable & CaseIterable>(_ key: String, as type: E.Type) -> E? where E.RawValue == String {
        guard let text = string(key) else { return nil }
        guard let value = E(rawValue: text) else {
            fail(key, "'\(text)' is not one of: \(E.allowedValues)")
            return nil
        }
        return value
    }

    /// A partial date (`2022`, `2022-02`, `2022-02-24`), explicit null, or absent.
    mutating func date(_ key: String) -> PartialDate?? {
        guard let text = nullableString(key) else { return nil }
        guard let text else { return .some(nil) }
        do {
            return .some(try PartialDate(parsing: text))
        } catch {
            fail(key, error.message)
            return nil
        }
    }

    mutating func array(_ key: String) -> [JSON]? {
        guard let value = raw(key) else { return nil }
        guard case .array(let items) = value else {
            fail(key, "must be an array, not \(value.typeName)")
            return nil
        }
        return items
    }

    /// Decodes each element of an array of objects with `decode`, collecting nested errors.
    mutating func objects<T>(_ key: String, max: Int, _ decode: (inout BodyFields) -> T?) -> [T]? {
        guard let items = array(key) else { return nil }
        if items.count > max {
            fail(key, "has \(items.count) entries; the limit is \(max)")
            return nil
        }
        var result: [T] = []
        for (index, item) in items.enumerated() {
            var nested = BodyFields(item, allowed: BodyFields.nestedFields[key] ?? [], path: "\(name(key))[\(index)]")
            if let value = decode(&nested) { result.append(value) }
            errors += nested.errors
        }
        return result
    }

    static let nestedFields = ["aliases": ["name", "language"], "participants": ["actorId", "role"], "citations": ["sourceId", "excerpt"]]

    func finish() throws {
        if !errors.isEmpty { throw ChronicleError.validation(errors) }
    }
}

/// Applies a JSON body to a draft: every field for POST (`creating`), any subset for PATCH.
enum DraftDecoder {
    /// The fields a body may set on a record of `kind`.
    static func writable(_ kind: RecordKind) -> [String] {
        switch kind {
        case .actor: return ["slug", "kind", "name", "aliases", "description", "country", "wikidataId"]
        case .event: return ["title", "summary", "start", "end", "locationName", "locationCountry", "category", "participants", "citations"]
        case .quote: return ["text", "language", "speakerId", "said", "eventId", "context", "verification", "citations"]
        case .source: return ["url", "title", "publisher", "author", "published", "accessed"]
        }
    }

    /// A body as a new record of `kind` (`onto` nil: its required fields checked), or laid over
    /// `base`.
    static func draft(_ kind: RecordKind, _ json: JSON, onto base: AnyDraft?) throws -> AnyDraft {
        switch (kind, base) {
        case (.actor, .actor(let base)?): return .actor(try actor(json, onto: base))
        case (.event, .event(let base)?): return .event(try event(json, onto: base))
        case (.quote, .quote(let base)?): return .quote(try quote(json, onto: base))
        case (.source, .source(let base)?): return .source(try source(json, onto: base))
        case (.actor, _): return .actor(try actor(json, onto: nil))
        case (.event, _): return .event(try event(json, onto: nil))
        case (.quote, _): return .quote(try quote(json, onto: nil))
        case (.source, _): return .source(try source(json, onto: nil))
        }
    }

    /// What a record of `kind` is before a body sets anything: a body laid over it has its own
    /// fields checked, and none required.
    static func blank(_ kind: RecordKind) -> AnyDraft {
        switch kind {
        case .actor: return .actor(ActorDraft(kind: .person, name: ""))
        case .event: return .event(EventDraft(title: "", start: try! PartialDate(year: 1)))
        case .quote: return .quote(QuoteDraft(text: "", language: "en"))
        case .source: return .source(SourceDraft(url: nil, title: ""))
        }
    }

    /// The body laid over a stored record of `kind`, for an import line that leaves fields out.
    static func overlay(_ kind: RecordKind, _ json: JSON) -> DraftOverlay {
        switch kind {
        case .actor: return .actor { try actor(json, onto: $0) }
        case .event: return .event { try event(json, onto: $0) }
        case .quote: return .quote { try quote(json, onto: $0) }
        case .source: return .source { try source(json, onto: $0) }
        }
    }

    static func actor(_ json: JSON, onto base: ActorDraft?) throws -> ActorDraft {
        var body = BodyFields(json, allowed: writable(.actor))
        if base == nil { body.require("kind", "name") }
        var draft = base ?? ActorDraft(kind: .person, name: "")
        if let slug = body.nullableString("slug") { draft.slug = slug }
        if let kind = body.enumeration("kind", as: ActorKind.self) { draft.kind = kind }
        if let name = body.string("name") { draft.name = name }
        if let aliases = body.objects("aliases", max: Limits.aliases, { item -> Alias? in
            item.require("name")
            guard let name = item.string("name") else { return nil }
            return Alias(name: name, language: item.nullableString("language") ?? nil)
        }) { draft.aliases = aliases }
        if let description = body.nullableString("description") { draft.description = description }
        if let country = body.nullableString("country") { draft.country = country }
        if let wikidata = body.nullableString("wikidataId") { draft.wikidataID = wikidata }
        try body.finish()
        return draft
    }

    static func event(_ json: JSON, onto base: EventDraft?) throws -> EventDraft {
        var body = BodyFields(json, allowed: writable(.event))
        if base == nil { body.require("title", "start") }
        var draft = base ?? EventDraft(title: "", start: try! PartialDate(year: 1))
        if let title = body.string("title") { draft.title = title }
        if let summary = body.nullableString("summary") { draft.summary = summary }
        if let start = body.date("start") {
            if let start { draft.start = start } else { body.fail("start", "is required and cannot be null") }
        }
        if let end = body.date("end") { draft.end = end }
        if let name = body.nullableString("locationName") { draft.locationName = name }
        if let country = body.nullableString("locationCountry") { draft.locationCountry = country }
        if let category = body.enumeration("category", as: EventCategory.self) { draft.category = category }
        if let participants = body.objects("participants", max: Limits.participants, { item -> Participant? in
            item.require("actorId", "role")
            let actor = item.string("actorId"), role = item.enumeration("role", as: ParticipantRole.self)
            guard let actor, let role else { return nil }
            return Participant(actorID: actor, role: role)
        }) { draft.participants = participants }
        if let citations = citations(&body) { draft.citations = citations }
        try body.finish()
        return draft
    }

    static func quote(_ json: JSON, onto base: QuoteDraft?) throws -> QuoteDraft {
        var body = BodyFields(json, allowed: writable(.quote))
        if base == nil { body.require("text", "language") }
        var draft = base ?? QuoteDraft(text: "", language: "en")
        if let text = body.string("text") { draft.text = text }
        if let language = body.string("language") { draft.language = language }
        if let speaker = body.nullableString("speakerId") { draft.speakerID = speaker }
        if let said = body.date("said") { draft.said = said }
        if let event = body.nullableString("eventId") { draft.eventID = event }
        if let context = body.nullableString("context") { draft.context = context }
        if let verification = body.enumeration("verification", as: VerificationStatus.self) { draft.verification = verification }
        if let citations = citations(&body) { draft.citations = citations }
        try body.finish()
        return draft
    }

    static func source(_ json: JSON, onto base: SourceDraft?) throws -> SourceDraft {
        var body = BodyFields(json, allowed: writable(.source))
        if base == nil { body.require("title") }
        var draft = base ?? SourceDraft(url: nil, title: "")
        if let url = body.nullableString("url") { draft.url = url }
        if let title = body.string("title") { draft.title = title }
        if let publisher = body.nullableString("publisher") { draft.publisher = publisher }
        if let author = body.nullableString("author") { draft.author = author }
        if let published = body.date("published") { draft.published = published }
        if let accessed = body.date("accessed") { draft.accessed = accessed }
        try body.finish()
        return draft
    }

    private static func citations(_ body: inout BodyFields) -> [Citation]? {
        body.objects("citations", max: Limits.citations) { item -> Citation? in
            item.require("sourceId")
            guard let source = item.string("sourceId") else { return nil }
            return Citation(sourceID: source, excerpt: item.nullableString("excerpt") ?? nil)
        }
    }
}
