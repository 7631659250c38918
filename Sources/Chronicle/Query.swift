/// One key of a `sort=` list: a field and a direction.
public struct SortKey<Field: Sendable & Hashable>: Sendable, Hashable {
    public var field: Field
    public var descending: Bool
    public init(_ field: Field, descending: Bool = false) {
        self.field = field
        self.descending = descending
    }
}

/// Parses `-start,title` into sort keys, naming the allowed fields when one is unknown.
public func parseSort<Field: RawRepresentable & CaseIterable & Sendable & Hashable>(_ text: String, as: Field.Type) throws(ChronicleError) -> [SortKey<Field>]
    where Field.RawValue == String {
    var keys: [SortKey<Field>] = []
    for part in text.split(separator: ",", omittingEmptySubsequences: true) {
        let descending = part.hasPrefix("-")
        let name = String(descending ? part.dropFirst() : part)
        guard let field = Field(rawValue: name) else {
            throw .validation([FieldError("sort", "cannot sort by '\(name)'; use one or more of \(Field.allowedValues), with - for descending")])
        }
        if keys.contains(where: { $0.field == field }) {
            throw .validation([FieldError("sort", "'\(name)' appears twice")])
        }
        keys.append(SortKey(field, descending: descending))
    }
    if keys.count > 4 { throw .validation([FieldError("sort", "at most 4 sort fields")]) }
    return keys
}

/// Which page of a list: at most `limit` rows after the position `cursor` points at.
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 50
    public static let maximumLimit = 500
    public var limit: Int
    public var cursor: String?
    /// Also count every row that matches the filters (costs a second query).
    public var includeTotal: Bool

    public init(limit: Int = PageRequest.defaultLimit, cursor: String? = nil, includeTotal: Bool = false) {
        self.limit = limit
        self.cursor = cursor
        self.includeTotal = includeTotal
    }
}

/// One page of a list, with the cursor for the next page when there is one.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: String?
    public var total: Int?
    public init(items: [Item], nextCursor: String?, total: Int?) {
        self.items = items
        self.nextCursor = nextCursor
        self.total = total
    }
}

public enum ActorSortField: String, Sendable, Hashable, CaseIterable { case name, slug, created, updated }
public enum EventSortField: String, Sendable, Hashable, CaseIterable { case start, end, title, created, updated }
public enum QuoteSortField: String, Sendable, Hashable, CaseIterable { case said, created, updated }
public enum SourceSortField: String, Sendable, Hashable, CaseIterable { case title, published, created, updated }

public struct ActorFilter: Sendable, Equatable {
    public var kind: ActorKind?
    public var country: String?
    public var wikidataID: String?
    /// Full-text query over names, aliases and description.
    public var text: String?
    public init(kind: ActorKind? = nil, country: String? = nil, wikidataID: String? = nil, text: String? = nil) {
        self.kind = kind
        self.country = country
        self.wikidataID = wikidataID
        self.text = text
    }
}

public struct EventFilter: Sendable, Equatable {
    /// Events this actor took part in (as `role`, when given).
    public var actorID: String?
    public var role: ParticipantRole?
    public var category: EventCategory?
    public var country: String?
    /// Events citing this source.
    public var sourceID: String?
    /// Events whose span may overlap [from, to].
    public var from: PartialDate?
    public var to: PartialDate?
    public var text: String?
    public init(actorID: String? = nil, role: ParticipantRole? = nil, category: EventCategory? = nil, country: String? = nil,
                sourceID: String? = nil, from: PartialDate? = nil, to: PartialDate? = nil, text: String? = nil) {
        self.actorID = actorID
        self.sourceID = sourceID
        self.role = role
        self.category = category
        self.country = country
        self.from = from
        self.to = to
        self.text = text
    }
}

public struct QuoteFilter: Sendable, Equatable {
    public var speakerID: String?
    public var eventID: String?
    /// Quotes citing this source.
    public var sourceID: String?
    public var from: PartialDate?
    public var to: PartialDate?
    public var language: String?
    public var verification: VerificationStatus?
    public var text: String?
    public init(speakerID: String? = nil, eventID: String? = nil, sourceID: String? = nil, from: PartialDate? = nil, to: PartialDate? = nil,
                language: String? = nil, verification: VerificationStatus? = nil, text: String? = nil) {
        self.speakerID = speakerID
        self.eventID = eventID
        self.sourceID = sourceID
        self.from = from
        self.to = to
        self.language = language
        self.verification = verification
        self.text = text
    }
}

public struct SourceFilter: Sendable, Equatable {
    public var publisher: String?
    public var text: String?
    public init(publisher: String? = nil, text: String? = nil) {
        self.publisher = publisher
        self.text = text
    }
}

/// One full-text hit across record types, ranked by bm25 (lower rank is better).
public struct SearchHit: Sendable, Equatable {
    public var kind: RecordKind
    public var id: String
    public var title: String
    /// Matched text with the hits marked `[like this]`.
    public var snippet: String
    public var rank: Double
    public init(kind: RecordKind, id: String, title: String, snippet: String, rank: Double) {
        self.kind = kind
        self.id = id
        self.title = title
        self.snippet = snippet
        self.rank = rank
    }
}
