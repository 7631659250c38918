import CSearch
import Synchronization

/// Each searched phrase's matches as chronicle_phrase_matches walked them, and its matching
/// rows' scores, kept between searches. Walking a phrase's matches inside FTS5 is most of a
/// search's cost, and reporters search the same names and places again and again; a search
/// whose phrases are all kept is ranked without reading the index, mostly from the rows' scores
/// made when it was kept.
///
/// A kept phrase belongs to the index generation it was walked (or last made current) in. A
/// search of a later generation uses it as it is when no row changed since can have moved it
/// (`SearchIndexChanges`): none of them matched it then, and none holds all its tokens now; the
/// rows that may have are matched again and patched in (`lookup` answers `.stale` with them).
/// Its rows' scores depend on the index's row count too, which a write elsewhere may change:
/// they are then made again from the kept matches, as a new walk would make them. So a write
/// touches just the phrases it can affect. Bounded in bytes; the least recently used phrases go first.
public final class PhraseMatchCache: Sendable {
    private struct Entry {
        var matches: [UInt8]
        /// The phrase's token hashes (`chronicle_token_hashes`), sorted.
        var tokens: [UInt64]
        var generation: Int64
        var lastUse: UInt64
    }

    private struct State {
        var capacity: Int
        var entries: [String: Entry] = [:]
        var bytes = 0
        var clock: UInt64 = 0
        var hits = 0, misses = 0, dropped = 0, patches = 0
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

    /// Kept phrases dropped because a write could have changed their matches and they could not
    /// be patched.
    public var dropped: Int { state.withLock { $0.dropped } }

    /// Kept phrases made current by matching again only the rows a write changed.
    public var patches: Int { state.withLock { $0.patches } }

    /// What the cache has for a phrase in a search's snapshot.
    enum Lookup {
        /// The phrase's matches as a walk in this snapshot would answer them.
        case kept([UInt8])
        /// Kept from an earlier generation, but these changed rows (sorted) may have moved its
        /// matches: they are to be matched again and patched in (`patched`).
        case stale([UInt8], rows: [Int64], generation: Int64)
        case missing
    }

    /// The kept matches of `phrase`, as a walk in `generation` would answer them, or the rows to
    /// match again first. A write that added or removed rows elsewhere leaves a run as it is:
    /// its row shares do not depend on the index's row count, which ranking takes as it is then.
    func lookup(_ phrase: String, generation: Int64, changes: SearchIndexChanges) -> Lookup {
        let found: Entry? = state.withLock { state in
            guard var entry = state.entries[phrase], entry.generation <= generation else {
                state.misses += 1
                return nil
            }
            if entry.generation == generation {
                state.hits += 1
                state.clock += 1
                entry.lastUse = state.clock
                state.entries[phrase] = entry
            }
            return entry
        }
        guard let entry = found else { return .missing }
        if entry.generation == generation { return .kept(entry.matches) }
        // Of an earlier generation: still the phrase's matches unless a changed row may move them.
        guard let affected = PhraseMatchCache.affected(entry, after: entry.generation, through: generation, changes: changes) else {
            drop(phrase, generation: entry.generation)
            return .missing
        }
        guard affected.isEmpty else { return .stale(entry.matches, rows: affected, generation: entry.generation) }
        patched(entry.matches, of: phrase, generation: generation, rows: false)
        return .kept(entry.matches)
    }

    /// Puts a run made current for `generation` in place of the kept one (keeping its tokens):
    /// the same run carried forward (`rows` false) or with changed rows matched again.
    func patched(_ run: [UInt8], of phrase: String, generation: Int64, rows: Bool = true) {
        state.withLock { state in
            state.hits += 1
            if rows { state.patches += 1 }
            state.clock += 1
            guard var kept = state.entries[phrase], kept.generation < generation else { return }
            state.bytes -= PhraseMatchCache.size(of: phrase, kept.matches)
            guard PhraseMatchCache.size(of: phrase, run) <= state.capacity / 4 else {  // grown past what one phrase may take
                state.entries[phrase] = nil
                return
            }
            kept.matches = run
            kept.generation = generation
            kept.lastUse = state.clock
            state.entries[phrase] = kept
            state.bytes += PhraseMatchCache.size(of: phrase, run)
            PhraseMatchCache.trim(&state)
        }
    }

    /// Drops a phrase kept from `generation` that cannot be carried forward.
    func drop(_ phrase: String, generation: Int64) {
        state.withLock { state in
            state.misses += 1
            if state.entries[phrase]?.generation == generation, let gone = state.entries.removeValue(forKey: phrase) {
                state.bytes -= PhraseMatchCache.size(of: phrase, gone.matches)
                state.dropped += 1
            }
        }
    }

    /// The rows changed after `from` up to `to` that may have moved the phrase's matches (sorted):
    /// those it matched then, and those that may match it now (all its tokens, or unknown);
    /// nil when the changes are not all known.
    private static func affected(_ entry: Entry, after from: Int64, through to: Int64, changes: SearchIndexChanges) -> [Int64]? {
        guard let rows = changes.rowsChanged(after: from, through: to) else { return nil }
        var affected: [Int64] = []
        for (row, tokens) in rows {
            let mayHoldIt = tokens.map { tokens in entry.tokens.allSatisfy { binarySearch(tokens, $0) } } ?? true
            if mayHoldIt || matched(row, in: entry.matches) { affected.append(row) }
        }
        return affected.sorted()
    }

    private static func binarySearch(_ sorted: [UInt64], _ value: UInt64) -> Bool {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count && sorted[low] == value
    }

    /// Whether a run's matches (by rowid, ascending) include the row.
    private static func matched(_ row: Int64, in run: [UInt8]) -> Bool {
        run.withUnsafeBytes { raw in
            guard raw.count >= MemoryLayout<chronicle_run_header>.size else { return true }
            let header = raw.loadUnaligned(as: chronicle_run_header.self)
            let size = MemoryLayout<chronicle_match>.stride, start = MemoryLayout<chronicle_run_header>.size
            guard header.matches >= 0, Int(header.matches) <= (raw.count - start) / size else { return true }  // not a run: treat as held
            var low = 0, high = Int(header.matches)
            while low < high {
                let middle = (low + high) / 2
                if raw.loadUnaligned(fromByteOffset: start + middle * size, as: Int64.self) < row { low = middle + 1 } else { high = middle }
            }
            return low < Int(header.matches) && raw.loadUnaligned(fromByteOffset: start + low * size, as: Int64.self) == row
        }
    }

    /// Keeps `matches` of `phrase` (whose tokens are `tokens`), walked in `generation`.
    func keep(_ matches: [UInt8], of phrase: String, tokens: [UInt64], generation: Int64) {
        state.withLock { state in
            let size = PhraseMatchCache.size(of: phrase, matches)
            guard size <= state.capacity / 4 else { return }  // one phrase never crowds out the rest
            if let old = state.entries[phrase] {
                guard old.generation <= generation else { return }  // walked in an older snapshot
                state.bytes -= PhraseMatchCache.size(of: phrase, old.matches)
            }
            state.clock += 1
            state.entries[phrase] = Entry(matches: matches, tokens: tokens, generation: generation, lastUse: state.clock)
            state.bytes += size
            PhraseMatchCache.trim(&state)
        }
    }

    /// The bytes an entry holds: its matches, its key and the table's own share (an estimate).
    private static func size(of phrase: String, _ matches: [UInt8]) -> Int { matches.count + phrase.utf8.count + 96 }

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
