import Chronicle
import Foundation
import Testing

/// The repositories of one fresh, empty store, whatever the backend: what the conformance
/// checks run against. Each check gets a store of its own (a new SQLite file, a new PostgreSQL
/// database), so that checks run in parallel and see only their own records.
public struct ConformanceStore: Sendable {
    public var actors: any ActorRepository
    public var events: any EventRepository
    public var quotes: any QuoteRepository
    public var sources: any SourceRepository
    public var tokens: any TokenRepository
    public var search: any SearchRepository
    public var revisions: any RevisionRepository
    public var embeddedChanges: any EmbeddedChanges
    public var snapshots: any ReadSnapshots
    public var webhooks: any WebhookRepository
    public var exporter: any Exporting
    public var importer: any Importing

    public init(actors: any ActorRepository, events: any EventRepository, quotes: any QuoteRepository, sources: any SourceRepository,
                tokens: any TokenRepository, search: any SearchRepository, revisions: any RevisionRepository,
                embeddedChanges: any EmbeddedChanges, snapshots: any ReadSnapshots, webhooks: any WebhookRepository, exporter: any Exporting,
                importer: any Importing) {
        self.actors = actors
        self.events = events
        self.quotes = quotes
        self.sources = sources
        self.tokens = tokens
        self.search = search
        self.revisions = revisions
        self.embeddedChanges = embeddedChanges
        self.snapshots = snapshots
        self.webhooks = webhooks
        self.exporter = exporter
        self.importer = importer
    }
}

/// One named check of repository behaviour. A backend's test target runs every check in
/// `RepositoryConformance.checks` as the cases of one parameterised test:
///
///     @Test(arguments: RepositoryConformance.checks)
///     func conformance(_ check: ConformanceCheck) throws { try check.run(on: freshStore()) }
///
/// so a check added here runs on every backend, with the same assertions.
public struct ConformanceCheck: Sendable, CustomTestStringConvertible, CustomStringConvertible {
    public let name: String
    let body: @Sendable (ConformanceStore) throws -> Void

    init(_ name: String, _ body: @escaping @Sendable (ConformanceStore) throws -> Void) {
        self.name = name
        self.body = body
    }

    public var testDescription: String { name }
    public var description: String { name }

    public func run(on store: ConformanceStore) throws { try body(store) }
}

// MARK: - Helpers shared by the checks

func date(_ text: String) -> PartialDate { try! PartialDate(parsing: text) }

extension ConformanceStore {
    func person(_ name: String, aliases: [Alias] = [], description: String? = nil) throws -> Actor {
        try actors.create(ActorDraft(kind: .person, name: name, aliases: aliases, description: description))
    }

    func event(_ title: String, _ start: String, end: String? = nil, summary: String? = nil, participants: [Participant] = [],
               citations: [Citation] = []) throws -> Event {
        try events.create(EventDraft(title: title, summary: summary, start: date(start), end: end.map(date), category: .politics,
                                     participants: participants, citations: citations))
    }

    func quote(_ text: String, speaker: String? = nil, said: String? = nil, event: String? = nil, citations: [Citation] = []) throws -> Quote {
        try quotes.create(QuoteDraft(text: text, language: "en", speakerID: speaker, said: said.map(date), eventID: event, citations: citations))
    }

    func source(_ title: String, url: String? = nil, publisher: String? = nil, published: String? = nil) throws -> Source {
        try sources.create(SourceDraft(url: url, title: title, publisher: publisher, published: published.map(date)))
    }
}

/// The fields of the validation error `body` threw; `["unexpected: ..."]` for any other error,
/// `[]` when it threw nothing.
func validationFields(_ body: () throws -> Void) -> [String] {
    do {
        try body()
    } catch ChronicleError.validation(let errors) {
        return errors.map(\.field)
    } catch {
        return ["unexpected: \(error)"]
    }
    return []
}

/// Every item of a list, page after page from the first, following `nextCursor`; stops (and
/// gives what it has) after `maxPages`, so a cursor that loops fails the check instead of hanging.
func walk<Item>(maxPages: Int = 100, _ list: (String?) throws -> Page<Item>) throws -> (items: [Item], pages: Int) {
    var items: [Item] = [], cursor: String?, pages = 0
    repeat {
        let page = try list(cursor)
        items += page.items
        cursor = page.nextCursor
        pages += 1
    } while cursor != nil && pages < maxPages
    return (items, pages)
}

/// Runs `body` on `count` threads of their own, all at once, and waits for them all.
/// (DispatchQueue.concurrentPerform would run only as many at once as there are cores: two
/// here, too few for the races these checks are about.)
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let finished = DispatchSemaphore(value: 0)
    for index in 0..<count {
        Thread {
            body(index)
            finished.signal()
        }.start()
    }
    for _ in 0..<count { finished.wait() }
}

/// Strings collected from several threads.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ item: String) { lock.withLock { items.append(item) } }
    var all: [String] { lock.withLock { items } }
}
