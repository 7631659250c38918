import Chronicle
import Synchronization

/// The best rows' hits (record id, shortened title, snippet) as a search made them, kept
/// between searches. Once a phrase's matches are kept, reading the best rows' text and making
/// their snippets is most of a search's cost; the same names are searched again and again, and
/// their best rows with them (a search for "a OR b" shows mostly the best rows of "a" and of
/// "b"). A hit is keyed by its row and the positions of its matches, which are all a snippet
/// depends on besides the row's text. A hit belongs to the index generation it was made in, and
/// serves a search of another generation only while its row did not change in between
/// (`SearchIndexChanges`): a write drops the hits of the rows it changed, no others.
///
/// Bounded in bytes, in shards of two halves each: new hits go into the newer half, and when it
/// is full the older half is dropped and the newer takes its place. A hit found in the older
/// half moves to the newer. Evicting this way costs nothing per search, where an exact LRU
/// order would sort.
public final class SearchHitCache: Sendable {
    /// A row and its matches' positions (`Instance` values of the search functions, phrases
    /// renumbered by first appearance so that "b" alone and "a OR b" key the same hit).
    struct Key: Equatable {
        let rowid: Int64
        let positions: [UInt8]
        /// FNV-1a of the positions, made once: the tables are keyed by rowid and digest, plain
        /// integers that hash and compare without touching the positions (hashing them byte by
        /// byte was a twentieth of a search); a found hit's positions are then compared.
        let digest: UInt64

        init(rowid: Int64, positions: [UInt8]) {
            self.rowid = rowid
            self.positions = positions
            digest = positions.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        }

        fileprivate var slot: Slot { Slot(rowid: rowid, digest: digest) }
    }

    fileprivate struct Slot: Hashable {
        var rowid: Int64
        var digest: UInt64
    }

    struct Hit {
        var id: String
        var title: String
        var snippet: String
    }

    private struct Entry {
        var hit: Hit
        var positions: [UInt8]
        var bytes: Int
        var generation: Int64
    }

    /// One shard's hits; rows are spread over the shards by rowid, so that two readers rarely
    /// wait for the same lock (one lock for all cost a context switch a search under load).
    private struct State {
        var capacity: Int
        var newer: [Slot: Entry] = [:]
        var older: [Slot: Entry] = [:]
        var newerBytes = 0, olderBytes = 0
        var hits = 0, misses = 0

        /// Into the newer half, replacing the slot's entry in either half (two readers may
        /// keep the same hit).
        mutating func insert(_ entry: Entry, at slot: Slot) {
            if let replaced = older.removeValue(forKey: slot) { olderBytes -= replaced.bytes }
            if let replaced = newer.removeValue(forKey: slot) { newerBytes -= replaced.bytes }
            if newerBytes + entry.bytes > capacity / 2 {
                older = newer
                olderBytes = newerBytes
                newer = [:]
                newerBytes = 0
                guard entry.bytes <= capacity / 2 else { return }
            }
            newer[slot] = entry
            newerBytes += entry.bytes
        }

        /// The kept hit and the generation it was made in.
        mutating func find(_ key: Key) -> (Hit, Int64)? {
            let slot = key.slot
            if let entry = newer[slot] { return entry.positions == key.positions ? (entry.hit, entry.generation) : nil }
            guard let entry = older.removeValue(forKey: slot) else { return nil }
            olderBytes -= entry.bytes
            insert(entry, at: slot)
            return entry.positions == key.positions ? (entry.hit, entry.generation) : nil
        }

        mutating func remove(_ key: Key) {
            if let gone = newer.removeValue(forKey: key.slot) { newerBytes -= gone.bytes }
            if let gone = older.removeValue(forKey: key.slot) { olderBytes -= gone.bytes }
        }
    }

    private final class Shard: Sendable {
        let state: Mutex<State>
        init(capacity: Int) { state = Mutex(State(capacity: capacity)) }
    }

    private static let shardCount = 16
    private let shards: [Shard]
    /// The shards' capacities added up, read by every search without taking sixteen locks.
    private let totalCapacity: Atomic<Int>

    /// `capacity` bytes at most; 0 keeps nothing.
    public init(capacity: Int) {
        let each = max(0, capacity) / SearchHitCache.shardCount
        shards = (0..<SearchHitCache.shardCount).map { _ in Shard(capacity: each) }
        totalCapacity = Atomic(each * SearchHitCache.shardCount)
    }

    private func shard(of rowid: Int64) -> Int { Int((rowid >> 2) & Int64(SearchHitCache.shardCount - 1)) }

    /// The most bytes kept; changing it drops everything kept.
    public var capacity: Int {
        get { totalCapacity.load(ordering: .relaxed) }
        set {
            let each = max(0, newValue) / SearchHitCache.shardCount
            for shard in shards { shard.state.withLock { $0 = State(capacity: each) } }
            totalCapacity.store(each * SearchHitCache.shardCount, ordering: .relaxed)
        }
    }

    /// Bytes kept now, and how many hits.
    public var usage: (bytes: Int, hits: Int) { sum { ($0.newerBytes + $0.olderBytes, $0.newer.count + $0.older.count) } }

    /// Rows looked for so far that were kept, and that were not.
    public var lookups: (hits: Int, misses: Int) { sum { ($0.hits, $0.misses) } }

    /// Two figures of each shard, added up over the shards.
    private func sum(_ figures: (borrowing State) -> (Int, Int)) -> (Int, Int) {
        shards.reduce((0, 0)) { total, shard in
            let (first, second) = shard.state.withLock { figures($0) }
            return (total.0 + first, total.1 + second)
        }
    }

    /// The kept hit for each key (nil where none) that serves a search of `generation`: made
    /// in a generation between which and this one its row did not change.
    func hits(for keys: [Key], generation: Int64, changes: SearchIndexChanges) -> [Hit?] {
        let (floor, lastChanges) = changes.lastChanges(of: keys.map(\.rowid))
        return zip(keys, lastChanges).map { key, lastChange in
            shards[shard(of: key.rowid)].state.withLock { state in
                guard let (hit, made) = state.find(key) else {
                    state.misses += 1
                    return nil
                }
                guard generation >= floor, made >= floor, (lastChange ?? .min) <= min(made, generation) else {
                    if made < generation { state.remove(key) }  // its row changed since: stale for good
                    state.misses += 1
                    return nil
                }
                state.hits += 1
                return hit
            }
        }
    }

    /// Keeps hits made in `generation`.
    func keep(_ hits: [(Key, Hit)], generation: Int64) {
        for (key, hit) in hits {
            shards[shard(of: key.rowid)].state.withLock { state in
                guard state.capacity > 0 else { return }
                let bytes = hit.id.utf8.count + hit.title.utf8.count + hit.snippet.utf8.count + key.positions.count + 168
                state.insert(Entry(hit: hit, positions: key.positions, bytes: bytes, generation: generation), at: key.slot)
            }
        }
    }
}
