import Chronicle
import FoundationEssentials

/// The article in `shared/source-article.txt`, encoded as sources, actors, events and quotes
/// (see `tools/dataset.py`). Records refer to each other by slug and key, resolved to ids on load.
public struct BuiltinDataset: Decodable, Sendable {
    public struct SourceEntry: Decodable, Sendable {
        public var key: String
        public var url: String?
        public var title: String
        public var publisher: String?
        public var author: String?
        public var published: PartialDate?
        public var accessed: PartialDate?
    }

    public struct Reference: Decodable, Sendable {
        public var source: String
        public var excerpt: String?
    }

    public struct ActorEntry: Decodable, Sendable {
        public var slug: String
        public var kind: ActorKind
        public var name: String
        public var description: String?
        public var country: String?
        public var aliases: [Alias]
    }

    public struct ParticipantEntry: Decodable, Sendable {
        public var actor: String
        public var role: ParticipantRole
    }

    public struct EventEntry: Decodable, Sendable {
        public var key: String
        public var title: String
        public var summary: String?
        public var start: PartialDate
        public var end: PartialDate?
        public var locationName: String?
        public var locationCountry: String?
        public var category: EventCategory
        public var participants: [ParticipantEntry]
        public var citations: [Reference]
    }

    public struct QuoteEntry: Decodable, Sendable {
        public var text: String
        public var language: String
        public var speaker: String?
        public var said: PartialDate?
        public var event: String?
        public var context: String?
        public var verification: VerificationStatus
        public var citations: [Reference]
    }

    public var sources: [SourceEntry]
    public var actors: [ActorEntry]
    public var events: [EventEntry]
    public var quotes: [QuoteEntry]

    /// The dataset compiled into the binary (Resources/builtin-dataset.json, embedded by
    /// tools/dataset.py), so that no file has to travel with the executable.
    public static func bundled() throws -> BuiltinDataset {
        try JSONDecoder().decode(BuiltinDataset.self, from: Data(BuiltinDataset.json.utf8))
    }

    /// What a load wrote, for the CLI to report.
    public struct Summary: Sendable, Equatable {
        public var sources = 0, actors = 0, events = 0, quotes = 0
    }

    /// Loads every record through the repositories, unless the article's source is already there.
    /// Returns nil when it was already loaded.
    @discardableResult
    public func load(into database: SQLiteStore) throws -> Summary? {
        try load(sources: database.sources, actors: database.actors, events: database.events, quotes: database.quotes)
    }

    /// The same through any store's repositories (PostgreSQL's too).
    @discardableResult
    public func load(sources sourceRepository: any SourceRepository, actors actorRepository: any ActorRepository,
                     events eventRepository: any EventRepository, quotes quoteRepository: any QuoteRepository) throws -> Summary? {
        guard let article = sources.first else { return Summary() }
        let existing = try sourceRepository.list(SourceFilter(), sort: [], page: PageRequest(limit: PageRequest.maximumLimit))
        if existing.items.contains(where: { $0.title == article.title }) { return nil }

        var summary = Summary()
        var sourceIDs: [String: String] = [:]
        for entry in sources {
            let draft = SourceDraft(url: entry.url, title: entry.title, publisher: entry.publisher, author: entry.author,
                                    published: entry.published, accessed: entry.accessed)
            sourceIDs[entry.key] = try sourceRepository.create(draft, by: .builtinDataset).id
            summary.sources += 1
        }
        func citations(_ references: [Reference]) throws -> [Citation] {
            try references.map { reference in
                guard let id = sourceIDs[reference.source] else { throw MigrationError("dataset cites unknown source '\(reference.source)'") }
                return Citation(sourceID: id, excerpt: reference.excerpt)
            }
        }
        var actorIDs: [String: String] = [:]
        for entry in actors {
            let draft = ActorDraft(slug: entry.slug, kind: entry.kind, name: entry.name, aliases: entry.aliases,
                                   description: entry.description, country: entry.country)
            actorIDs[entry.slug] = try actorRepository.create(draft, by: .builtinDataset).id
            summary.actors += 1
        }
        func actorID(_ slug: String) throws -> String {
            guard let id = actorIDs[slug] else { throw MigrationError("dataset names unknown actor '\(slug)'") }
            return id
        }
        var eventIDs: [String: String] = [:]
        for entry in events {
            let draft = EventDraft(title: entry.title, summary: entry.summary, start: entry.start, end: entry.end,
                                   locationName: entry.locationName, locationCountry: entry.locationCountry, category: entry.category,
                                   participants: try entry.participants.map { Participant(actorID: try actorID($0.actor), role: $0.role) },
                                   citations: try citations(entry.citations))
            eventIDs[entry.key] = try eventRepository.create(draft, by: .builtinDataset).id
            summary.events += 1
        }
        for entry in quotes {
            let draft = QuoteDraft(text: entry.text, language: entry.language, speakerID: try entry.speaker.map(actorID), said: entry.said,
                                   eventID: entry.event.map { eventIDs[$0] ?? $0 }, context: entry.context,
                                   verification: entry.verification, citations: try citations(entry.citations))
            _ = try quoteRepository.create(draft, by: .builtinDataset)
            summary.quotes += 1
        }
        return summary
    }
}
