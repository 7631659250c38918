/// The article or document behind a fact.
public struct Source: Sendable, Equatable, Identifiable, Codable {
    public let id: String
    public var url: String?
    public var title: String
    public var publisher: String?
    public var author: String?
    public var published: PartialDate?
    public var accessed: PartialDate?
    public let createdAt: String
    public var updatedAt: String
    public var version: Int

    public init(id: String, draft: SourceDraft, createdAt: String, updatedAt: String, version: Int) {
        self.id = id
        url = draft.url
        title = draft.title
        publisher = draft.publisher
        author = draft.author
        published = draft.published
        accessed = draft.accessed
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }

    public var draft: SourceDraft {
        SourceDraft(url: url, title: title, publisher: publisher, author: author, published: published, accessed: accessed)
    }
}

public struct SourceDraft: Sendable, Equatable, Codable {
    public var url: String?
    public var title: String
    public var publisher: String?
    public var author: String?
    public var published: PartialDate?
    public var accessed: PartialDate?

    public init(url: String?, title: String, publisher: String? = nil, author: String? = nil, published: PartialDate? = nil, accessed: PartialDate? = nil) {
        self.url = url
        self.title = title
        self.publisher = publisher
        self.author = author
        self.published = published
        self.accessed = accessed
    }
}
