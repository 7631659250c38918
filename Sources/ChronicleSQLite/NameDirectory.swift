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

    private struct State {
        var actors: [String: ActorName] = [:]
        var sources: [String: SourceTitle] = [:]
        /// How far the log of embedded changes has been applied.
        var applied: Int64 = -1
    }

    init(capacity: Int = 200_000) { self.capacity = capacity }

    /// Fills in the names of the events' participants and cited sources.
    func name(_ db: Connection, events: inout [Event]) throws {
        let actorIDs = Set(events.lazy.flatMap { $0.participants.map(\.actorID) })
        let sourceIDs = Set(events.lazy.flatMap { $0.citations.map(\.sourceID) })
        let (actors, sources) = try lookUp(db, actors: actorIDs, sources: sourceIDs)
        for index in events.indices {
            for slot in events[index].participants.indices {
                let name = actors[events[index].participants[slot].actorID]
                events[index].participants[slot].actorName = name?.name
                events[index].participants[slot].actorSlug = name?.slug
            }
            name(&events[index].citations, sources)
        }
    }

    /// Fills in the quotes' speakers' names and cited sources' titles.
    func name(_ db: Connection, quotes: inout [Quote]) throws {
        let actorIDs = Set(quotes.lazy.compactMap(\.speakerID))
        let sourceIDs = Set(quotes.lazy.flatMap { $0.citations.map(\.sourceID) })
        let (actors, sources) = try lookUp(db, actors: actorIDs, sources: sourceIDs)
        for index in quotes.indices {
            quotes[index].speakerName = quotes[index].speakerID.flatMap { actors[$0]?.name }
            name(&quotes[index].citations, sources)
        }
    }

    private func name(_ citations: inout [Citation], _ sources: [String: SourceTitle]) {
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
            state.withLock { state in
                usable = state.applied == position
                guard usable else { return }
                for id in actorIDs { if let known = state.actors[id] { actors[id] = known } }
                for id in sourceIDs { if let known = state.sources[id] { sources[id] = known } }
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
            state.withLock { state in
                // Kept only if no change was applied since this snapshot's position was read.
                guard state.applied == position else { return }
                if state.actors.count + loadedActors.count > capacity { state.actors.removeAll(keepingCapacity: true) }
                if state.sources.count + loadedSources.count > capacity { state.sources.removeAll(keepingCapacity: true) }
                state.actors.merge(loadedActors) { kept, _ in kept }
                state.sources.merge(loadedSources) { kept, _ in kept }
            }
        }
        return (actors, sources)
    }

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
                    state.actors.removeValue(forKey: id)
                    state.sources.removeValue(forKey: id)
                }
            } else {
                state.actors.removeAll()
                state.sources.removeAll()
            }
            state.applied = position
        }
    }
}
