import Chronicle
import SQLite
import Synchronization

/// What the search index's recent generations changed, read from `search_index_changes` in the
/// searches' own snapshots, so that the search caches keep what a write did not touch, whichever
/// process wrote. For each change it holds the row and the distinct tokens of the row's text
/// after it (hashed, as `chronicle_token_hashes` makes them): a kept phrase is stale when a
/// changed row held it before (it is among the phrase's matches) or may hold it now (every
/// token of the phrase is among the row's). The latest `capacity` to twice `capacity` changes
/// are held; what was kept before them is treated as stale.
public final class SearchIndexChanges: Sendable {
    struct Change {
        let generation: Int64
        let row: Int64
        /// The row's token hashes after this change, sorted; nil when unknown (the row changed
        /// again in the same read, so the text read is a later one's).
        let tokens: [UInt64]?
    }

    private struct State {
        /// Every change after `floor` up to `known` is in `log`, oldest first.
        var floor: Int64 = .max
        var known: Int64 = .min
        var log: [Change] = []
        /// The latest generation that changed each row in `log`.
        var lastChange: [Int64: Int64] = [:]
    }

    private let state = Mutex(State())
    /// `known`, read by every search without the lock.
    private let known = Atomic<Int64>(.min)
    /// The log's length, read by `/metrics` without the lock.
    private let logCount = Atomic<Int>(0)
    /// The most rows `rowsChanged` lists; beyond them it answers nil.
    static let mostRowsChanged = 256
    /// The most changes held.
    let capacity: Int

    init(capacity: Int = 8192) { self.capacity = capacity }

    private static let loadSQL = """
        SELECT c.generation, c.row, chronicle_token_hashes(s.\(SearchIndex.Stored.title), s.\(SearchIndex.Stored.body))
        FROM search_index_changes c LEFT JOIN \(SearchIndex.Stored.table) s ON s.id = c.row
        WHERE c.generation > ?1 AND c.generation <= ?2 ORDER BY c.generation
        """

    /// Reads the changes up to `generation`, the index's generation in `db`'s snapshot. The
    /// query runs without the lock, so that a long one holds up no other search (nor
    /// `/metrics`, which runs on an event loop); what it read is then taken in under the lock.
    func advance(_ db: Connection, to generation: Int64) throws {
        let from = known.load(ordering: .acquiring)
        guard generation > from else { return }
        var loaded: [(generation: Int64, row: Int64, tokens: [UInt64])] = []
        if from != .min, generation - from <= Int64(capacity) {
            try db.query(Self.loadSQL, [.integer(from), .integer(generation)]) { row in
                loaded.append((row.int64(0), row.int64(1), row.isNull(2) ? [] : Self.hashes(row.blob(2))))
            }
        }
        state.withLock { state in
            guard generation > state.known else { return }  // another search took these in meanwhile
            // Another search may have taken in some of them: keep the rest.
            apply(&state, state.known == from ? loaded : loaded.filter { $0.generation > state.known }, through: generation)
        }
    }

    /// Takes in the changes after the last generation known up to `generation`, as `advance`
    /// reads them (tests hand them in directly).
    func record(_ loaded: [(generation: Int64, row: Int64, tokens: [UInt64])], through generation: Int64) {
        state.withLock { state in
            guard generation > state.known else { return }
            apply(&state, loaded, through: generation)
        }
    }

    private func apply(_ state: inout State, _ loaded: [(generation: Int64, row: Int64, tokens: [UInt64])], through generation: Int64) {
        defer {
            known.store(state.known, ordering: .releasing)
            logCount.store(state.log.count, ordering: .relaxed)
        }
        guard state.known != .min, loaded.count == Int(generation - state.known) else {
            // The first search, too far behind to read every change, or a generation without its
            // change (the log was pruned past this reader): start afresh from here.
            state = State(floor: generation, known: generation)
            return
        }
        var latest: [Int64: Int64] = [:]
        for change in loaded { latest[change.row] = change.generation }
        for change in loaded {
            // The text was read once, after the row's last change here.
            let current = latest[change.row] == change.generation
            state.log.append(Change(generation: change.generation, row: change.row, tokens: current ? change.tokens : nil))
            state.lastChange[change.row] = change.generation
        }
        state.known = generation
        if state.log.count > 2 * capacity {
            let cut = state.log.count - capacity
            state.floor = state.log[cut - 1].generation
            for change in state.log[..<cut] where state.lastChange[change.row] == change.generation { state.lastChange[change.row] = nil }
            state.log.removeFirst(cut)
        }
    }

    static func hashes(_ blob: [UInt8]) -> [UInt64] {
        blob.withUnsafeBytes { raw in (0..<(raw.count / 8)).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self) } }
    }

    /// Each row changed after `from` up to `to`, once, with its tokens after its last change in
    /// that range (nil: unknown); nil when the changes are not all held, or more than
    /// `mostRowsChanged` rows changed.
    func rowsChanged(after from: Int64, through to: Int64) -> [(row: Int64, tokens: [UInt64]?)]? {
        state.withLock { state in
            guard from >= state.floor, to <= state.known else { return nil }
            var rows: [(row: Int64, tokens: [UInt64]?)] = []
            // Newest first: a row's first change met is its last in the range. A search sees a
            // few changes since a phrase was kept, so a scan beats a table.
            var index = state.log.count - 1
            while index >= 0, state.log[index].generation > from {
                let change = state.log[index]
                if change.generation <= to, !rows.contains(where: { $0.row == change.row }) {
                    rows.append((change.row, change.tokens))
                    if rows.count > Self.mostRowsChanged { return nil }  // as good as walking the phrase again
                }
                index -= 1
            }
            return rows
        }
    }

    /// The latest change held of each row (nil: none since `floor`), and `floor`: a row's text
    /// is the same in generations `a` and `b` (both at least `floor`, at most the generation
    /// advanced to) when its latest change is no later than the lesser of them. One lock for a
    /// search's rows.
    func lastChanges(of rows: [Int64]) -> (floor: Int64, last: [Int64?]) {
        state.withLock { state in (state.floor, rows.map { state.lastChange[$0] }) }
    }

    /// Changes held now, for `/metrics`.
    var held: Int { logCount.load(ordering: .relaxed) }
}
