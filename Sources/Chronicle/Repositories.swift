/// One consistent view of a store: every read given the same snapshot sees the same committed
/// state (a record and what it embeds, a long export). Opaque here; each store hands out its own
/// and its repositories read in it.
public protocol ReadSnapshot {}

/// Opens snapshots; `body` gets one, and what it reads there agrees.
public protocol ReadSnapshots: Sendable {
    func snapshot<T>(_ body: (any ReadSnapshot) throws -> T) throws -> T
    /// A snapshot for a long read (an export, a whole list as NDJSON or CSV), open until the
    /// value is released: on a connection of its own, so it neither holds a slot that short
    /// reads queue for nor meets the time limit meant for them.
    func heldSnapshot() throws -> any ReadSnapshot
}

/// What every record kind's store does: create, read, update under an expected version,
/// delete. Implementations are safe to call from any thread and may block (they do I/O).
public protocol RecordRepository<Record>: Sendable {
    associatedtype Record: VersionedRecord
    /// Every write keeps a revision of what it changed, attributed to `by` (see `Revision`).
    func create(_ draft: Record.Draft, by: Attribution) throws -> Record
    /// Inside `snapshot` when given, else in a snapshot of its own.
    func find(_ id: String, in snapshot: (any ReadSnapshot)?) throws -> Record
    /// Refused with `versionConflict` unless the record is at `expectedVersion`.
    func update(_ id: String, expectedVersion: Int, with draft: Record.Draft, by: Attribution) throws -> Record
    /// Refused with `stillReferenced` while other records refer to it, unless `cascade` (where
    /// `deleteCascades`).
    func delete(_ id: String, cascade: Bool, by: Attribution) throws
    /// Makes `draft` (an earlier revision's state) current again as a new revision: an update
    /// of a live record, refused unless it is at `expectedVersion`; or, when `expectedVersion`
    /// is nil, the same id brought back after a delete (refused if it is live again by then),
    /// keeping its first `createdAt`. Refused with a validation error naming what it refers to
    /// that no longer exists.
    func restore(_ id: String, to draft: Record.Draft, createdAt: String, expectedVersion: Int?, by: Attribution) throws -> Record
    /// Whether `delete(_:cascade: true)` means anything for this kind.
    var deleteCascades: Bool { get }
}

extension RecordRepository {
    public func find(_ id: String) throws -> Record { try find(id, in: nil) }
    /// Writes attributed to the command line (and to tests, which write as it would).
    public func create(_ draft: Record.Draft) throws -> Record { try create(draft, by: .cli) }
    public func update(_ id: String, expectedVersion: Int, with draft: Record.Draft) throws -> Record {
        try update(id, expectedVersion: expectedVersion, with: draft, by: .cli)
    }
    public func delete(_ id: String, cascade: Bool = false) throws { try delete(id, cascade: cascade, by: .cli) }
}

/// Actors, found by id or, failing that, by slug. Deleting one is refused while events or
/// quotes refer to it, unless `cascade`.
public protocol ActorRepository: RecordRepository where Record == Actor {
    /// One page in list order; inside `snapshot` when given (a long export reads every page in one).
    func list(_ filter: ActorFilter, sort: [SortKey<ActorSortField>], page: PageRequest, in snapshot: (any ReadSnapshot)?) throws -> Page<Actor>
}

/// Events. Deleting one is refused while quotes refer to it, unless `cascade` (which deletes
/// those quotes).
public protocol EventRepository: RecordRepository where Record == Event {
    /// One page in list order; inside `snapshot` when given (a long export reads every page in one).
    func list(_ filter: EventFilter, sort: [SortKey<EventSortField>], page: PageRequest, in snapshot: (any ReadSnapshot)?) throws -> Page<Event>
    /// The same page as `list`, each event only by its stamp: what tells a kept rendering of it
    /// from a stale one, read without the rest of the row.
    func listStamps(_ filter: EventFilter, sort: [SortKey<EventSortField>], page: PageRequest, in snapshot: (any ReadSnapshot)?) throws -> Page<RecordStamp>
    /// The events with these ids that exist, in the order given.
    func events(_ ids: [String], in snapshot: (any ReadSnapshot)?) throws -> [Event]
}

public protocol QuoteRepository: RecordRepository where Record == Quote {
    /// One page in list order; inside `snapshot` when given (a long export reads every page in one).
    func list(_ filter: QuoteFilter, sort: [SortKey<QuoteSortField>], page: PageRequest, in snapshot: (any ReadSnapshot)?) throws -> Page<Quote>
    /// What an event's own response embeds: its first `limit` quotes in the order of the default
    /// list sort (said, then id). The same rows as a first list page, without cursor machinery,
    /// since every read of an event asks for them. Inside `snapshot` when given.
    func quotes(ofEvent eventID: String, limit: Int, in snapshot: (any ReadSnapshot)?) throws -> [Quote]
}

extension QuoteRepository {
    public func list(_ filter: QuoteFilter, sort: [SortKey<QuoteSortField>], page: PageRequest) throws -> Page<Quote> {
        try list(filter, sort: sort, page: page, in: nil)
    }

    public func quotes(ofEvent eventID: String, limit: Int) throws -> [Quote] { try quotes(ofEvent: eventID, limit: limit, in: nil) }
}

/// Sources. Deleting one is refused while events or quotes cite it, unless `cascade` (which
/// removes the citations).
public protocol SourceRepository: RecordRepository where Record == Source {
    /// One page in list order; inside `snapshot` when given (a long export reads every page in one).
    func list(_ filter: SourceFilter, sort: [SortKey<SourceSortField>], page: PageRequest, in snapshot: (any ReadSnapshot)?) throws -> Page<Source>
}

/// Changes to what records show of other records that many may embed (an actor's name, a
/// source's title), in commit order. Such a change gives the records that show it no new
/// version (that would make a rename cost as much as everything citing the renamed record), so
/// whoever keeps rendered bodies learns from this log which to drop.
public protocol EmbeddedChanges: Sendable {
    /// A record's stamp and the log's position, read in one snapshot.
    func current(_ kind: RecordKind, _ id: String) throws -> (stamp: RecordStamp, position: Int64)
    /// The log's position in the snapshot (its own when nil).
    func position(in snapshot: (any ReadSnapshot)?) throws -> Int64
    /// The ids of the records changed after `position` up to `end`; nil when the log no longer
    /// reaches back to `position` (then anything kept may embed a change). Inside `snapshot`
    /// when given.
    func changed(after position: Int64, through end: Int64, in snapshot: (any ReadSnapshot)?) throws -> [String]?
}

public protocol SearchRepository: Sendable {
    /// One list across record kinds, best first. Bad query syntax is a validation error.
    func search(_ query: String, kinds: Set<RecordKind>, limit: Int) throws -> [SearchHit]
}

extension ActorRepository {
    public func list(_ filter: ActorFilter, sort: [SortKey<ActorSortField>], page: PageRequest) throws -> Page<Actor> {
        try list(filter, sort: sort, page: page, in: nil)
    }

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

extension EmbeddedChanges {
    public func changed(after position: Int64, through end: Int64) throws -> [String]? { try changed(after: position, through: end, in: nil) }
}

extension EventRepository {
    public func list(_ filter: EventFilter, sort: [SortKey<EventSortField>], page: PageRequest) throws -> Page<Event> {
        try list(filter, sort: sort, page: page, in: nil)
    }

    /// The quotes said at or about an event.
    public func quotes(of id: String, in quotes: any QuoteRepository,
                       sort: [SortKey<QuoteSortField>] = [], page: PageRequest = PageRequest()) throws -> Page<Quote> {
        let event = try find(id)
        return try quotes.list(QuoteFilter(eventID: event.id), sort: sort, page: page)
    }
}

extension SourceRepository {
    public func list(_ filter: SourceFilter, sort: [SortKey<SourceSortField>], page: PageRequest) throws -> Page<Source> {
        try list(filter, sort: sort, page: page, in: nil)
    }
}
