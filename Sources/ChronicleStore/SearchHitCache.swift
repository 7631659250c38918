import Chronicle
import Synchronization

/// The best rows' hits (record id, shortened title, snippet) as a search made them, kept
/// between searches. Once a phrase's matches are kept, reading the best rows' text and making
/// their snippets is most of a search's cost; the same names are searched again and again, and
/// their best rows with them (a search for "a OR b" shows mostly the best rows of "a" and of
/// "b"). A hit is keyed by its row and the positions of its matches, which are all a snippet
/// depends on besides the row's text. Entries belong to one generation of the index, like
/// `PhraseMatchCache`'s.
///
/// Bounded in bytes, in two halves: new hits go into the newer half, and when it is full the
/// older half is dropped and the newer takes its place. A hit found in the older half moves to
/// the newer. Evicting this way costs nothing per search, where an exact LRU order would sort.
public final class SearchHitCache: Sendable {
    /// A row and its matches' positions (`Instance` values of the search functions, phrases
    /// renumbered by first appearance so that "b" alone and "a OR b" key the same hit).
    struct Key: Hashable {
        let rowid: Int64
        let positions: [UInt8]
        /// FNV-1a of the positions, made once: hashing them byte by byte through `Hasher` on
        /// every lookup was a twentieth of a search.
        private let digest: UInt64

        init(rowid: Int64, positions: [UInt8]) {
            self.rowid = rowid
            self.positions = positions
            digest = positions.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(rowid)
            hasher.combine(digest)
        }

        static func == (a: Key, b: Key) -> Bool { a.rowid == b.rowid && a.digest == b.digest && a.positions == b.positions }
    }

    struct Hit {
        var id: String
        var title: String
        var snippet: String
    }

    private struct State {
        var capacity: Int
        var generation: Int64 = .min
        var newer: [Key: Hit] = [:]
        var older: [Key: Hit] = [:]
        var newerBytes = 0, olderBytes = 0
        var hits = 0, misses = 0
    }

    private let state: Mutex<State>

    /// `capacity` bytes at most; 0 keeps nothing.
    public init(capacity: Int) { state = Mutex(State(capacity: max(0, capacity))) }

    /// The most bytes kept; changing it drops everything kept.
    public var capacity: Int {
        get { state.withLock { $0.capacity } }
        set { state.withLock { $0 = State(capacity: max(0, newValue)) } }
    }

    /// Bytes kept now, and how many hits.
    public var usage: (bytes: Int, hits: Int) { state.withLock { ($0.newerBytes + $0.olderBytes, $0.newer.count + $0.older.count) } }

    /// Rows looked for so far that were kept, and that were not.
    public var lookups: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }

    /// The kept hit for each key (nil where none), all under one lock.
    func hits(for keys: [Key], generation: Int64) -> [Hit?] {
        state.withLock { state in
            guard state.generation == generation else {
                state.misses += keys.count
                return Array(repeating: nil, count: keys.count)
            }
            return keys.map { key in
                if let hit = state.newer[key] {
                    state.hits += 1
                    return hit
                }
                guard let hit = state.older.removeValue(forKey: key) else {
                    state.misses += 1
                    return nil
                }
                state.hits += 1
                state.olderBytes -= SearchHitCache.size(of: key, hit)
                SearchHitCache.insert(hit, for: key, into: &state)
                return hit
            }
        }
    }

    /// Keeps hits made in `generation`; a newer generation forgets the older.
    func keep(_ hits: [(Key, Hit)], generation: Int64) {
        state.withLock { state in
            guard state.capacity > 0 else { return }
            if generation != state.generation {
                guard generation > state.generation else { return }  // made from an older snapshot
                state = State(capacity: state.capacity, generation: generation, hits: state.hits, misses: state.misses)
            }
            for (key, hit) in hits where state.newer[key] == nil { SearchHitCache.insert(hit, for: key, into: &state) }
        }
    }

    private static func insert(_ hit: Hit, for key: Key, into state: inout State) {
        let size = size(of: key, hit)
        if state.newerBytes + size > state.capacity / 2 {
            state.older = state.newer
            state.olderBytes = state.newerBytes
            state.newer = [:]
            state.newerBytes = 0
            guard size <= state.capacity / 2 else { return }
        }
        state.newer[key] = hit
        state.newerBytes += size
    }

    /// The bytes an entry holds: its strings, its key and the table's own share (an estimate).
    private static func size(of key: Key, _ hit: Hit) -> Int {
        hit.id.utf8.count + hit.title.utf8.count + hit.snippet.utf8.count + key.positions.count + 160
    }
}
