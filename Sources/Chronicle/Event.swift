/// An actor's part in an event. `actorName` and `actorSlug` are filled in on read.
public struct Participant: Sendable, Equatable, Codable {
    public var actorID: String
    public var role: ParticipantRole
    public var actorName: String?
    public var actorSlug: String?
    public init(actorID: String, role: ParticipantRole, actorName: String? = nil, actorSlug: String? = nil) {
        self.actorID = actorID
        self.role = role
        self.actorName = actorName
        self.actorSlug = actorSlug
    }
}

/// A reference from an event or quote to the source that reports it, with an optional excerpt.
/// `sourceTitle` and `sourceURL` are filled in on read.
public struct Citation: Sendable, Equatable, Codable {
    public var sourceID: String
    public var excerpt: String?
    public var sourceTitle: String?
    public var sourceURL: String?
    public init(sourceID: String, excerpt: String? = nil, sourceTitle: String? = nil, sourceURL: String? = nil) {
        self.sourceID = sourceID
        self.excerpt = excerpt
        self.sourceTitle = sourceTitle
        self.sourceURL = sourceURL
    }
}

/// Something that happened: when (as precisely as known), where, who took part, who reports it.
public struct Event: Sendable, Equatable, Identifiable, Codable {
    public let id: String
    public var title: String
    public var summary: String?
    public var start: PartialDate
    public var end: PartialDate?
    public var locationName: String?
    public var locationCountry: String?
    public var category: EventCategory
    public var participants: [Participant]
    public var citations: [Citation]
    public let createdAt: String
    public var updatedAt: String
    public var version: Int

    public init(id: String, draft: EventDraft, createdAt: String, updatedAt: String, version: Int) {
        self.id = id
        title = draft.title
        summary = draft.summary
        start = draft.start
        end = draft.end
        locationName = draft.locationName
        locationCountry = draft.locationCountry
        category = draft.category
        participants = draft.participants
        citations = draft.citations
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }

    public var draft: EventDraft {
        EventDraft(title: title, summary: summary, start: start, end: end, locationName: locationName,
                   locationCountry: locationCountry, category: category, participants: participants, citations: citations)
    }

    /// The role the given actor had, if any.
    public func roles(of actorID: String) -> [ParticipantRole] {
        participants.filter { $0.actorID == actorID }.map(\.role)
    }
}

public struct EventDraft: Sendable, Equatable, Codable {
    public var title: String
    public var summary: String?
    public var start: PartialDate
    public var end: PartialDate?
    public var locationName: String?
    public var locationCountry: String?
    public var category: EventCategory
    public var participants: [Participant]
    public var citations: [Citation]

    public init(title: String, summary: String? = nil, start: PartialDate, end: PartialDate? = nil, locationName: String? = nil,
                locationCountry: String? = nil, category: EventCategory = .other, participants: [Participant] = [], citations: [Citation] = []) {
        self.title = title
        self.summary = summary
        self.start = start
        self.end = end
        self.locationName = locationName
        self.locationCountry = locationCountry
        self.category = category
        self.participants = participants
        self.citations = citations
    }
}
