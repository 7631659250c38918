import Chronicle
import SQLite
import Synchronization

/// The names and slugs of actors and the titles and addresses of sources, by id, as lists and
/// exports show them beside the records that refer to them.
///
/// A page of 50 events refers to a hundred or so actors and sources, and an export to every one
/// of them over and over; looking each up by its text id in a file of gigabytes cost more than
/// the rest of the page. What is kept is dropped as soon as the log of embedded changes (which
/// every rename, retitle and delete writes) says it changed, and it is used only by reads whose
/// snapshot has seen every change applied: a read on an older snapshot, or one made while a
/// change is being applied, asks the database, so what a read shows is always its snapshot's.
final class NameDirectory: Sendable {
    struct ActorName: Sendable, Equatable {
        let name: String
        let slug: String
    }

    struct SourceTitle: Sendable, Equatable {
        let title: String
        let url: String?
    }

    /// Entries kept, at most, of each kind; 0 keeps none (every read asks the database).
    let capacity: Int
    private let state = Mutex(State())

    /// Kept by a 64-bit hash of the id (FNV-1a), with the id to tell colliding ones apart: a
    /// lookup among a hundred thousand kept names then compares no strings but the one found.
    private struct State {
        var actors: [UInt64: (id: String, value: ActorName)] = [:]
        var sources: [UInt64: (id: String, value: SourceTitle)] = [:]
        /// How far the log of embedded changes has been applied.
        var applied: Int64 = -1
    }

    init(capacity: Int = 200_000) { self.capacity = capacity }

    /// Fills in the names of the events' participants and cited sources.
    func name(_ db: Connection, events: inout [Event]) throws {
        var actorIDs = UniqueIDs(), sourceIDs = UniqueIDs()
        for event in events {
            for participant in event.participants { actorIDs.insert(participant.actorID) }
            for citation in event.citations { sourceIDs.insert(citation.sourceID) }
        }
        let (actors, sources) = try lookUp(db, actors: actorIDs.set, sources: sourceIDs.set)
        var actor = Recent(actors), source = Recent(sources)
        for index in events.indices {
            for slot in events[index].participants.indices {
                let name = actor[events[index].participants[slot].actorID]
                events[index].participants[slot].actorName = name?.name
                events[index].participants[slot].actorSlug = name?.slug
            }
            name(&events[index].citations, &source)
        }
    }

    /// Fills in the quotes' speakers' names and cited sources' titles.
    func name(_ db: Connection, quotes: inout [Quote]) throws {
        var actorIDs = UniqueIDs(), sourceIDs = UniqueIDs()
        for quote in quotes {
            if let speaker = quote.speakerID { actorIDs.insert(speaker) }
            for citation in quote.citations { sourceIDs.insert(citation.sourceID) }
        }
        let (actors, sources) = try lookUp(db, actors: actorIDs.set, sources: sourceIDs.set)
        var actor = Recent(actors), source = Recent(sources)
        for index in quotes.indices {
            quotes[index].speakerName = quotes[index].speakerID.flatMap { actor[$0]?.name }
            name(&quotes[index].citations, &source)
        }
    }

    private func name(_ citations: inout [Citation], _ sources: inout Recent<SourceTitle>) {
        for slot in citations.indices {
            let title = sources[citations[slot].sourceID]
            citations[slot].sourceTitle = title?.title
            citations[slot].sourceURL = title?.url
        }
    }

    /// The names of these ids as `db`'s snapshot has them: kept ones when the snapshot has seen
    /// every change applied here, the rest read in one query per kind (and kept when allowed).
    func lookUp(_ db: Connection, actors actorIDs: Set<String>, sources sourceIDs: Set<String>) throws
        -> (actors: [String: ActorName], sources: [String: SourceTitle]) {
        guard !actorIDs.isEmpty || !sourceIDs.isEmpty else { return ([:], [:]) }
        var position: Int64 = -1
        var usable = false
        var actors: [String: ActorName] = [:], sources: [String: SourceTitle] = [:]
        if capacity > 0 {
            position = try EmbeddedChangeLog.position(db)
            try catchUp(db, to: position)
            let actorKeys = actorIDs.map { ($0, Self.hash($0)) }, sourceKeys = sourceIDs.map { ($0, Self.hash($0)) }
            state.withLock { state in
                usable = state.applied == position
                guard usable else { return }
                for (id, key) in actorKeys { if let known = state.actors[key], known.id == id { actors[id] = known.value } }
                for (id, key) in sourceKeys { if let known = state.sources[key], known.id == id { sources[id] = known.value } }
            }
        }
        let missingActors = actorIDs.filter { actors[$0] == nil }, missingSources = sourceIDs.filter { sources[$0] == nil }
        var loadedActors: [String: ActorName] = [:], loadedSources: [String: SourceTitle] = [:]
        if !missingActors.isEmpty {
            let ids = Array(missingActors)
            try db.query("SELECT id, name, slug FROM actors WHERE \(oneOf("id", ids))", [boundIDs(ids)]) {
                loadedActors[$0.string(0)] = ActorName(name: $0.string(1), slug: $0.string(2))
            }
        }
        if !missingSources.isEmpty {
            let ids = Array(missingSources)
            try db.query("SELECT id, title, url FROM sources WHERE \(oneOf("id", ids))", [boundIDs(ids)]) {
                loadedSources[$0.string(0)] = SourceTitle(title: $0.string(1), url: $0.optionalString(2))
            }
        }
        actors.merge(loadedActors) { kept, _ in kept }
        sources.merge(loadedSources) { kept, _ in kept }
        if usable, !loadedActors.isEmpty || !loadedSources.isEmpty {
            let newActors = loadedActors.map { (Self.hash($0.key), (id: $0.key, value: $0.value)) }
            let newSources = loadedSources.map { (Self.hash($0.key), (id: $0.key, value: $0.value)) }
            state.withLock { state in
                // Kept only if no change was applied since this snapshot's position was read.
                guard state.applied == position else { return }
                if state.actors.count + loadedActors.count > capacity { state.actors.removeAll(keepingCapacity: true) }
                if state.sources.count + loadedSources.count > capacity { state.sources.removeAll(keepingCapacity: true) }
                for (key, entry) in newActors { state.actors[key] = entry }
                for (key, entry) in newSources { state.sources[key] = entry }
            }
        }
        return (actors, sources)
    }

    static func hash(_ id: String) -> UInt64 { id.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 } }

    /// Drops what changed between the position applied and `position` (everything, when the
    /// log no longer reaches back that far).
    private func catchUp(_ db: Connection, to position: Int64) throws {
        let applied = state.withLock { $0.applied }
        guard position > applied else { return }
        let horizon = try db.first("SELECT horizon FROM embedded_changes_horizon WHERE id = 1") { $0.int64(0) } ?? 0
        let changed: [String]? = applied >= horizon
            ? try db.all("SELECT record_id FROM embedded_changes WHERE seq > ? AND seq <= ?", [.integer(applied), .integer(position)]) { $0.string(0) }
            : nil
        state.withLock { state in
            guard position > state.applied, state.applied == applied else { return }
            if let changed {
                for id in changed {
                    state.actors.removeValue(forKey: Self.hash(id))
                    state.sources.removeValue(forKey: Self.hash(id))
                }
            } else {
                state.actors.removeAll()
                state.sources.removeAll()
            }
            state.applied = position
        }
    }
}

/// Ids gathered for one lookup, each once. Records in a batch often name the same actor or
/// source one after another (the quotes of one speaker, the events of one report): a repeat
/// of the last id is skipped without hashing it.
private struct UniqueIDs {
    private(set) var set = Set<String>()
    private var last: String?

    mutating func insert(_ id: String) {
        if id == last { return }
        last = id
        set.insert(id)
    }
}

/// Names by id from one lookup, remembering the last id asked for (see `UniqueIDs`).
private struct Recent<Value> {
    let all: [String: Value]
    private var last: (id: String, value: Value?)?

    init(_ all: [String: Value]) { self.all = all }

    subscript(id: String) -> Value? {
        mutating get {
            if let last, last.id == id { return last.value }
            let value = all[id]
            last = (id, value)
            return value
        }
    }
}
