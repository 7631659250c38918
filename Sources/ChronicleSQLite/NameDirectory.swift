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

    init(capacity: Int = 50_000) { self.capacity = capacity }

    /// Fills in the names of the events' participants and cited sources.
    func name(_ db: Connection, events: inout [Event]) throws {
        let actorIDs = events.flatMap { $0.participants.map(\.actorID) }, sourceIDs = events.flatMap { $0.citations.map(\.sourceID) }
        let (actors, sources) = try lookUp(db, actors: actorIDs, sources: sourceIDs)
        var actor = 0, source = 0
        for index in events.indices {
            for slot in events[index].participants.indices {
                events[index].participants[slot].actorName = actors[actor]?.name
                events[index].participants[slot].actorSlug = actors[actor]?.slug
                actor += 1
            }
            name(&events[index].citations, sources, from: &source)
        }
    }

    /// Fills in the quotes' speakers' names and cited sources' titles.
    func name(_ db: Connection, quotes: inout [Quote]) throws {
        let actorIDs = quotes.compactMap(\.speakerID), sourceIDs = quotes.flatMap { $0.citations.map(\.sourceID) }
        let (actors, sources) = try lookUp(db, actors: actorIDs, sources: sourceIDs)
        var actor = 0, source = 0
        for index in quotes.indices {
            if quotes[index].speakerID != nil {
                quotes[index].speakerName = actors[actor]?.name
                actor += 1
            }
            name(&quotes[index].citations, sources, from: &source)
        }
    }

    private func name(_ citations: inout [Citation], _ sources: [SourceTitle?], from next: inout Int) {
        for slot in citations.indices {
            citations[slot].sourceTitle = sources[next]?.title
            citations[slot].sourceURL = sources[next]?.url
            next += 1
        }
    }

    /// The names of these ids (repeats allowed), in their order, as `db`'s snapshot has them:
    /// kept ones when the snapshot has seen every change applied here, the rest read in one
    /// query per kind (and kept when allowed).
    func lookUp(_ db: Connection, actors actorIDs: [String], sources sourceIDs: [String]) throws -> (actors: [ActorName?], sources: [SourceTitle?]) {
        var actors = [ActorName?](repeating: nil, count: actorIDs.count), sources = [SourceTitle?](repeating: nil, count: sourceIDs.count)
        guard !actorIDs.isEmpty || !sourceIDs.isEmpty else { return (actors, sources) }
        var position: Int64 = -1
        var usable = false
        let actorKeys = actorIDs.map(Self.hash), sourceKeys = sourceIDs.map(Self.hash)
        if capacity > 0 {
            position = try EmbeddedChangeLog.position(db)
            try catchUp(db, to: position)
            state.withLock { state in
                usable = state.applied == position
                guard usable else { return }
                for index in actorIDs.indices { if let known = state.actors[actorKeys[index]], known.id == actorIDs[index] { actors[index] = known.value } }
                for index in sourceIDs.indices { if let known = state.sources[sourceKeys[index]], known.id == sourceIDs[index] { sources[index] = known.value } }
            }
        }
        var loadedActors: [String: ActorName] = [:], loadedSources: [String: SourceTitle] = [:]
        let missingActors = Array(Set(actorIDs.indices.filter { actors[$0] == nil }.map { actorIDs[$0] }))
        if !missingActors.isEmpty {
            try db.query("SELECT id, name, slug FROM actors WHERE \(oneOf("id", missingActors))", [boundIDs(missingActors)]) {
                loadedActors[$0.string(0)] = ActorName(name: $0.string(1), slug: $0.string(2))
            }
            for index in actorIDs.indices where actors[index] == nil { actors[index] = loadedActors[actorIDs[index]] }
        }
        let missingSources = Array(Set(sourceIDs.indices.filter { sources[$0] == nil }.map { sourceIDs[$0] }))
        if !missingSources.isEmpty {
            try db.query("SELECT id, title, url FROM sources WHERE \(oneOf("id", missingSources))", [boundIDs(missingSources)]) {
                loadedSources[$0.string(0)] = SourceTitle(title: $0.string(1), url: $0.optionalString(2))
            }
            for index in sourceIDs.indices where sources[index] == nil { sources[index] = loadedSources[sourceIDs[index]] }
        }
        if usable, !loadedActors.isEmpty || !loadedSources.isEmpty {
            let newActors = loadedActors.map { (Self.hash($0.key), (id: $0.key, value: $0.value)) }
            let newSources = loadedSources.map { (Self.hash($0.key), (id: $0.key, value: $0.value)) }
            state.withLock { state in
                // Kept only if no change was applied since this snapshot's position was read.
                guard state.applied == position else { return }
                if state.actors.count + newActors.count > capacity { state.actors.removeAll(keepingCapacity: true) }
                if state.sources.count + newSources.count > capacity { state.sources.removeAll(keepingCapacity: true) }
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
