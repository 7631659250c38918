/// Another name an actor is known by, with its language: Лукашенко (be), Lukashenka (en).
public struct Alias: Sendable, Hashable, Codable {
    public var name: String
    public var language: String?
    public init(name: String, language: String? = nil) {
        self.name = name
        self.language = language
    }
}

/// A person, organisation, country or group that acts in events and says things.
public struct Actor: Sendable, Equatable, Identifiable, Codable {
    public let id: String
    public var slug: String
    public var kind: ActorKind
    public var name: String
    public var aliases: [Alias]
    public var description: String?
    /// ISO 3166-1 alpha-2.
    public var country: String?
    public var wikidataID: String?
    public let createdAt: String
    public var updatedAt: String
    public var version: Int

    public init(id: String, draft: ActorDraft, slug: String, createdAt: String, updatedAt: String, version: Int) {
        self.id = id
        self.slug = slug
        kind = draft.kind
        name = draft.name
        aliases = draft.aliases
        description = draft.description
        country = draft.country
        wikidataID = draft.wikidataID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }

    /// The writable part of this actor, as a starting point for an update.
    public var draft: ActorDraft {
        ActorDraft(slug: slug, kind: kind, name: name, aliases: aliases, description: description, country: country, wikidataID: wikidataID)
    }
}

/// The fields a client writes; ids, timestamps and versions are the store's.
public struct ActorDraft: Sendable, Equatable, Codable {
    /// Derived from the name when absent.
    public var slug: String?
    public var kind: ActorKind
    public var name: String
    public var aliases: [Alias]
    public var description: String?
    public var country: String?
    public var wikidataID: String?

    public init(slug: String? = nil, kind: ActorKind, name: String, aliases: [Alias] = [], description: String? = nil, country: String? = nil, wikidataID: String? = nil) {
        self.slug = slug
        self.kind = kind
        self.name = name
        self.aliases = aliases
        self.description = description
        self.country = country
        self.wikidataID = wikidataID
    }
}
