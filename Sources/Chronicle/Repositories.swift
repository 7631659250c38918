/// Actors: create, read by id or slug, update with an expected version, delete, list.
/// Implementations are safe to call from any thread and may block (they do I/O).
public protocol ActorRepository: Sendable {
    func create(_ draft: ActorDraft) throws -> Actor
    /// By id or, failing that, by slug.
    func find(_ idOrSlug: String) throws -> Actor
    func update(_ id: String, expectedVersion: Int, with draft: ActorDraft) throws -> Actor
    /// Refused with `stillReferenced` while events or quotes refer to the actor, unless `cascade`.
    func delete(_ id: String, cascade: Bool) throws
    func list(_ filter: ActorFilter, sort: [SortKey<ActorSortField>], page: PageRequest) throws -> Page<Actor>
}

public protocol EventRepository: Sendable {
    func create(_ draft: EventDraft) throws -> Event
    func find(_ id: String) throws -> Event
    func update(_ id: String, expectedVersion: Int, with draft: EventDraft) throws -> Event
    /// Refused while quotes refer to the event, unless `cascade` (which deletes those quotes).
    func delete(_ id: String, cascade: Bool) throws
    func list(_ filter: EventFilter, sort: [SortKey<EventSortField>], page: PageRequest) throws -> Page<Event>
    /// Which version of the event is current, without loading what it embeds: enough to answer
    /// from a copy rendered earlier.
    func stamp(_ id: String) throws -> RecordStamp
}

public protocol QuoteRepository: Sendable {
    func create(_ draft: QuoteDraft) throws -> Quote
    func find(_ id: String) throws -> Quote
    func update(_ id: String, expectedVersion: Int, with draft: QuoteDraft) throws -> Quote
    func delete(_ id: String) throws
    func list(_ filter: QuoteFilter, sort: [SortKey<QuoteSortField>], page: PageRequest) throws -> Page<Quote>
    /// What an event's own response embeds: its first `limit` quotes in the order of the default
    /// list sort (said, then id). The same rows as a first list page, without cursor machinery,
    /// since every read of an event asks for them.
    func quotes(ofEvent eventID: String, limit: Int) throws -> [Quote]
}

public protocol SourceRepository: Sendable {
    func create(_ draft: SourceDraft) throws -> Source
    func find(_ id: String) throws -> Source
    func update(_ id: String, expectedVersion: Int, with draft: SourceDraft) throws -> Source
    /// Refused while events or quotes cite the source, unless `cascade` (which removes the citations).
    func delete(_ id: String, cascade: Bool) throws
    func list(_ filter: SourceFilter, sort: [SortKey<SourceSortField>], page: PageRequest) throws -> Page<Source>
}

public protocol SearchRepository: Sendable {
    /// One list across record kinds, best first. Bad query syntax is a validation error.
    func search(_ query: String, kinds: Set<RecordKind>, limit: Int) throws -> [SearchHit]
}

extension ActorRepository {
    /// The events an actor took part in; each event's participants carry the actor's role.
    public func events(of idOrSlug: String, role: ParticipantRole? = nil, in events: any EventRepository,
                       sort: [SortKey<EventSortField>] = [], page: PageRequest = PageRequest()) throws -> Page<Event> {
        let actor = try find(idOrSlug)
        return try events.list(EventFilter(actorID: actor.id, role: role), sort: sort, page: page)
    }

    /// The quotes an actor said.
    public func quotes(of idOrSlug: String, in quotes: any QuoteRepository,
                       sort: [SortKey<QuoteSortField>] = [], page: PageRequest = PageRequest()) throws -> Page<Quote> {
        let actor = try find(idOrSlug)
        return try quotes.list(QuoteFilter(speakerID: actor.id), sort: sort, page: page)
    }
}

extension EventRepository {
    /// The quotes said at or about an event.
    public func quotes(of id: String, in quotes: any QuoteRepository,
                       sort: [SortKey<QuoteSortField>] = [], page: PageRequest = PageRequest()) throws -> Page<Quote> {
        let event = try find(id)
        return try quotes.list(QuoteFilter(eventID: event.id), sort: sort, page: page)
    }
}

/// Several reads that must agree with each other (a record and what it embeds) run inside one
/// snapshot: no write committed meanwhile is half-visible to them.
public protocol ReadSnapshots: Sendable {
    func snapshot<T>(_ body: () throws -> T) throws -> T
}
