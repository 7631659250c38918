import Synchronization

/// Each searched phrase's matches as chronicle_phrase_matches walked them, and its matching
/// rows' scores, kept between searches. Walking a phrase's matches inside FTS5 is most of a search's cost, and reporters
/// search the same names and places again and again; a search whose phrases are all kept is
/// ranked without reading the index, and mostly from the rows' scores made when it was kept. Entries belong to one generation of the index (see
/// `SearchIndex.generation`): the first search that sees a newer one empties the cache.
/// Bounded in bytes; the least recently used phrases go first.
public final class PhraseMatchCache: Sendable {
    private struct Entry {
        var matches: [UInt8]
        var lastUse: UInt64
    }

    private struct State {
        var capacity: Int
        var generation: Int64 = .min
        var entries: [String: Entry] = [:]
        var bytes = 0
        var clock: UInt64 = 0
        var hits = 0, misses = 0
    }

    private let state: Mutex<State>

    /// `capacity` bytes at most; 0 keeps nothing.
    public init(capacity: Int) { state = Mutex(State(capacity: max(0, capacity))) }

    /// The most bytes kept; lowering it drops what no longer fits.
    public var capacity: Int {
        get { state.withLock { $0.capacity } }
        set { state.withLock { $0.capacity = max(0, newValue); PhraseMatchCache.trim(&$0) } }
    }

    /// Bytes kept now, and how many phrases.
    public var usage: (bytes: Int, phrases: Int) { state.withLock { ($0.bytes, $0.entries.count) } }

    /// Lookups so far that found a phrase's matches kept, and that did not.
    public var lookups: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }

    /// The kept matches of `phrase`, if they were walked in `generation`.
    func matches(of phrase: String, generation: Int64) -> [UInt8]? {
        state.withLock { state in
            guard state.generation == generation, var entry = state.entries[phrase] else {
                state.misses += 1
                return nil
            }
            state.hits += 1
            state.clock += 1
            entry.lastUse = state.clock
            state.entries[phrase] = entry
            return entry.matches
        }
    }

    /// Keeps `matches` of `phrase`, walked in `generation`; a newer generation forgets the older.
    func keep(_ matches: [UInt8], of phrase: String, generation: Int64) {
        state.withLock { state in
            if generation != state.generation {
                guard generation > state.generation else { return }  // walked in an older snapshot
                state.entries.removeAll()
                state.bytes = 0
                state.generation = generation
            }
            let size = PhraseMatchCache.size(of: phrase, matches)
            guard size <= state.capacity / 4 else { return }  // one phrase never crowds out the rest
            if let old = state.entries[phrase] { state.bytes -= PhraseMatchCache.size(of: phrase, old.matches) }
            state.clock += 1
            state.entries[phrase] = Entry(matches: matches, lastUse: state.clock)
            state.bytes += size
            PhraseMatchCache.trim(&state)
        }
    }

    /// The bytes an entry holds: its matches, its key and the table's own share (an estimate).
    private static func size(of phrase: String, _ matches: [UInt8]) -> Int { matches.count + phrase.utf8.count + 64 }

    /// Drops the least recently used entries until the rest fit: an eighth of the capacity at
    /// a time beyond it, so that a full cache is not scanned on every phrase it keeps.
    private static func trim(_ state: inout State) {
        guard state.bytes > state.capacity else { return }
        let target = state.capacity - state.capacity / 8
        let oldestFirst = state.entries.sorted { $0.value.lastUse < $1.value.lastUse }
        for (phrase, entry) in oldestFirst where state.bytes > target {
            state.entries[phrase] = nil
            state.bytes -= size(of: phrase, entry.matches)
        }
    }
}
