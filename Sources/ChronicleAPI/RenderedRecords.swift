import Chronicle
import Synchronization

/// Response bodies of single records, kept by the version they show and by what they embed.
///
/// An event's body takes five queries and a few kilobytes of JSON to build, and a newsroom
/// reads the same events far more often than it changes them. A kept body is served only while
/// its record's stamp is current (one indexed lookup, which also reads how far the store's log
/// of embedded changes has got) and while nothing it embeds (a participant's or speaker's name,
/// a cited source's title) has changed since it was rendered: the log says which actors and
/// sources changed, and each kept body holds the ids it embeds (as 64-bit hashes, a few bytes
/// each), so a rename drops the bodies that show it and no others. Whichever process wrote, the log is in the database, so
/// nothing stale is ever served. Memory is bounded; the oldest bodies go first.
final class RenderedRecords: Sendable {
    /// The most body bytes kept; 0 keeps none.
    let capacity: Int
    private let state: Mutex<State>

    /// A body with its ETag and the ids of the records it embeds (hashed: see `hash`).
    struct Kept {
        let stamp: RecordStamp
        let body: [UInt8]
        let etag: String
        let embeds: [UInt64]

        init(stamp: RecordStamp, body: [UInt8], etag: String, embeds: [String]) {
            self.stamp = stamp
            self.body = body
            self.etag = etag
            self.embeds = embeds.map(RenderedRecords.hash)
        }

        /// What keeping it costs: the body, and an estimate of the rest (its strings, its
        /// table entry, its entries in the index by what it embeds), so that the capacity
        /// bounds the memory, not just the bodies.
        var bytes: Int { body.count + etag.utf8.count + stamp.id.utf8.count + stamp.createdAt.utf8.count + 64 * embeds.count + 160 }
    }

    /// An id as 64 bits (FNV-1a). Two ids that collide make a change to one drop the bodies of
    /// the other too: harmless.
    static func hash(_ id: String) -> UInt64 { id.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 } }

    private struct State {
        /// By the hash of the id (see `hash`): a lookup hashes and compares no strings inside
        /// the lock; the stamp compared after it tells colliding ids apart.
        var bodies: [UInt64: Kept] = [:]
        /// The kept bodies that embed each id (by hash): a change drops them without a look at
        /// the others. A write that touches an event's quotes logs the event, so this is asked
        /// at every such write, not only at renames. Entries of bodies gone since are left in
        /// place (checked when read) until they are as many as the live ones, then the index is
        /// built again: arrays of shared strings cost a third of sets kept exact.
        var embedding: [UInt64: [UInt64]] = [:]
        var embeddingEntries = 0, liveEmbeds = 0
        /// Ids in the order they were first stored; `head` is the next to go.
        var order: [UInt64] = []
        var head = 0
        var bytes = 0
        var hits = 0, misses = 0, dropped = 0
        /// How far the log of embedded changes has been applied.
        var applied: Int64 = 0
        /// The changes applied lately, each with the log's position its batch was applied up
        /// to, so that a body rendered before some of them can be checked against them when it
        /// is stored: every change after `recentFloor` is here.
        var recent: [(position: Int64, id: UInt64)] = []
        var recentFloor: Int64 = 0

        mutating func remove(_ id: UInt64) {
            guard let gone = bodies.removeValue(forKey: id) else { return }
            bytes -= gone.bytes
            liveEmbeds -= gone.embeds.count
        }

        mutating func insert(_ kept: Kept) {
            let id = RenderedRecords.hash(kept.stamp.id)
            bodies[id] = kept
            bytes += kept.bytes
            liveEmbeds += kept.embeds.count
            for embed in kept.embeds { embedding[embed, default: []].append(id) }
            embeddingEntries += kept.embeds.count
            if embeddingEntries > 2 * liveEmbeds + 1024 { rebuildIndex() }
        }

        /// The ids of the kept bodies that embed `hash`, and the index's entry for it gone.
        mutating func takeEmbedding(_ hash: UInt64) -> [UInt64] {
            guard let ids = embedding.removeValue(forKey: hash) else { return [] }
            embeddingEntries -= ids.count
            return Array(Set(ids.filter { bodies[$0]?.embeds.contains(hash) == true }))
        }

        mutating func rebuildIndex() {
            embedding.removeAll(keepingCapacity: true)
            for (id, kept) in bodies { for embed in kept.embeds { embedding[embed, default: []].append(id) } }
            embeddingEntries = liveEmbeds
        }

        mutating func removeAll() {
            bodies.removeAll()
            embedding.removeAll()
            embeddingEntries = 0
            liveEmbeds = 0
            order.removeAll()
            head = 0
            bytes = 0
        }
    }

    /// Changes remembered for checking late stores; a body rendered further back is not kept.
    private static let recentChanges = 4096

    init(capacity: Int) {
        self.capacity = max(0, capacity)
        state = Mutex(State())
    }

    /// Drops the bodies that embed a record changed up to `position` (the log's end in the
    /// reader's snapshot). `changes(after, through)` reads the log; nil drops everything.
    func apply(changesThrough position: Int64, _ changes: (Int64, Int64) throws -> [String]?) rethrows {
        let applied = state.withLock { $0.applied }
        guard position > applied else { return }
        let ids = try changes(applied, position)
        state.withLock { state in
            guard position > state.applied else { return }
            guard let ids else {
                state.dropped += state.bodies.count
                state.removeAll()
                state.recent.removeAll()
                state.recentFloor = position
                state.applied = position
                return
            }
            // The bodies that embed what changed, from the index: no pass over the others.
            let changed = Set(ids.map(RenderedRecords.hash))
            for hash in changed {
                let stale = state.takeEmbedding(hash)
                for id in stale { state.remove(id) }
                state.dropped += stale.count
            }
            for id in changed { state.recent.append((position, id)) }
            if state.recent.count > 2 * Self.recentChanges {
                let cut = state.recent.count - Self.recentChanges
                state.recentFloor = state.recent[cut - 1].position
                state.recent.removeFirst(cut)
            }
            state.applied = position
        }
    }

    /// The kept body of exactly this version, if nothing it embeds has changed since.
    func body(for stamp: RecordStamp) -> Kept? {
        let key = RenderedRecords.hash(stamp.id)
        return state.withLock { state in
            if let entry = state.bodies[key], entry.stamp == stamp {
                state.hits += 1
                return entry
            }
            state.misses += 1
            return nil
        }
    }

    /// The kept bodies of these versions, each nil when not kept as it is now: one lock for a
    /// whole page of rows.
    func bodies(for stamps: [RecordStamp]) -> [Kept?] {
        let keys = stamps.map { RenderedRecords.hash($0.id) }
        return state.withLock { state in
            stamps.enumerated().map { index, stamp in
                if let entry = state.bodies[keys[index]], entry.stamp == stamp {
                    state.hits += 1
                    return entry
                }
                state.misses += 1
                return nil
            }
        }
    }

    /// Keeps a body rendered in a snapshot where the log stood at `position`; not kept when a
    /// change applied since (or too long ago to tell) touches what it embeds.
    func store(_ kept: Kept, renderedAt position: Int64) {
        guard kept.bytes <= capacity / 8 else { return }  // one record never pushes out most of the rest
        state.withLock { state in
            if position < state.applied {
                guard position >= state.recentFloor else { return }
                let embeds = Set(kept.embeds)
                if state.recent.contains(where: { $0.position > position && embeds.contains($0.id) }) { return }
            }
            let id = RenderedRecords.hash(kept.stamp.id)
            if state.bodies[id] != nil { state.remove(id) } else { state.order.append(id) }
            state.insert(kept)
            while state.bytes > capacity, state.head < state.order.count {
                let oldest = state.order[state.head]
                state.head += 1
                state.remove(oldest)
            }
            if state.head > 1024, state.head * 2 > state.order.count {
                state.order.removeFirst(state.head)
                state.head = 0
            }
        }
    }

    /// Bytes held, hits and misses so far, in Prometheus text, as `chronicle_<name>_…`; `what`
    /// says what is kept (for the HELP lines).
    func metricsText(name: String = "rendered_records", what: String = "rendered record bodies") -> String {
        let (bytes, count, hits, misses, dropped) = state.withLock { ($0.bytes, $0.bodies.count, $0.hits, $0.misses, $0.dropped) }
        let metric = "chronicle_" + name
        return """
            # HELP \(metric)_bytes Bytes of \(what) kept for repeated reads, with what keeping them costs.
            # TYPE \(metric)_bytes gauge
            \(metric)_bytes \(bytes)
            # HELP \(metric) \(what.prefix(1).uppercased() + what.dropFirst()) kept.
            # TYPE \(metric) gauge
            \(metric) \(count)
            # HELP \(metric)_lookups_total Reads that looked for a kept one, by whether it was current.
            # TYPE \(metric)_lookups_total counter
            \(metric)_lookups_total{result="hit"} \(hits)
            \(metric)_lookups_total{result="miss"} \(misses)
            # HELP \(metric)_dropped_total Kept ones dropped because something they embed changed.
            # TYPE \(metric)_dropped_total counter
            \(metric)_dropped_total \(dropped)

            """
    }
}
