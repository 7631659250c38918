/// Words someone said, verbatim, with who, when, in what context and according to whom.
public struct Quote: Sendable, Equatable, Identifiable, Codable {
    public let id: String
    public var text: String
    /// BCP 47 language tag of `text`, e.g. `en`, `ru`.
    public var language: String
    /// nil when the source names no speaker.
    public var speakerID: String?
    /// Filled in on read.
    public var speakerName: String?
    public var said: PartialDate?
    public var eventID: String?
    public var context: String?
    public var verification: VerificationStatus
    public var citations: [Citation]
    public let createdAt: String
    public var updatedAt: String
    public var version: Int

    public init(id: String, draft: QuoteDraft, speakerName: String?, createdAt: String, updatedAt: String, version: Int) {
        self.id = id
        text = draft.text
        language = draft.language
        speakerID = draft.speakerID
        self.speakerName = speakerName
        said = draft.said
        eventID = draft.eventID
        context = draft.context
        verification = draft.verification
        citations = draft.citations
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }

    public var draft: QuoteDraft {
        QuoteDraft(text: text, language: language, speakerID: speakerID, said: said, eventID: eventID,
                   context: context, verification: verification, citations: citations)
    }
}

public struct QuoteDraft: Sendable, Equatable, Codable {
    public var text: String
    public var language: String
    public var speakerID: String?
    public var said: PartialDate?
    public var eventID: String?
    public var context: String?
    public var verification: VerificationStatus
    public var citations: [Citation]

    public init(text: String, language: String, speakerID: String? = nil, said: PartialDate? = nil, eventID: String? = nil,
                context: String? = nil, verification: VerificationStatus = .unverified, citations: [Citation] = []) {
        self.text = text
        self.language = language
        self.speakerID = speakerID
        self.said = said
        self.eventID = eventID
        self.context = context
        self.verification = verification
        self.citations = citations
    }
}
