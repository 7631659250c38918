import Chronicle
@testable import ChronicleSQLite
import Testing

/// The best rows' hits kept between searches must show exactly what a search without them
/// shows: the row's current title and the snippet of this search's matches.
@Suite struct SearchHitCacheTests {
    /// Matches as the search functions write them: phrase, column, start, size (Int32 each).
    private func matches(_ values: [(phrase: Int32, column: Int32, start: Int32, size: Int32)]) -> [UInt8] {
        values.flatMap { [$0.phrase, $0.column, $0.start, $0.size] }.withUnsafeBytes { Array($0) }
    }

    private func key(_ rowid: Int64, _ values: [(phrase: Int32, column: Int32, start: Int32, size: Int32)]) -> SearchHitCache.Key {
        let bytes = matches(values)
        return SearchHitCache.Key(rowid: rowid, positions: bytes.withUnsafeBytes { SearchFunctions.positionsRenumbered($0) })
    }

    private func hit(_ title: String) -> SearchHitCache.Hit { SearchHitCache.Hit(id: "id", title: title, snippet: "[\(title)]") }

    @Test func aRowKeysTheSameHitWhateverPlaceItsPhraseHasInTheQuery() {
        // "b" alone, and "a OR b" where the row holds only "b" (phrase 1): one key.
        #expect(key(7, [(0, 3, 4, 1), (0, 3, 9, 1)]) == key(7, [(1, 3, 4, 1), (1, 3, 9, 1)]))
        #expect(key(7, [(1, 3, 4, 1), (0, 3, 9, 1)]) == key(7, [(0, 3, 4, 1), (1, 3, 9, 1)]))
        // Other positions, another row, or two phrases where there was one: other keys.
        #expect(key(7, [(0, 3, 4, 1)]) != key(7, [(0, 3, 5, 1)]))
        #expect(key(7, [(0, 3, 4, 1)]) != key(8, [(0, 3, 4, 1)]))
        #expect(key(7, [(0, 3, 4, 1), (0, 3, 9, 1)]) != key(7, [(0, 3, 4, 1), (1, 3, 9, 1)]))
    }

    @Test func aHitServesOtherGenerationsWhileItsRowIsUnchangedAndStaysWithinTheCapacity() {
        let cache = SearchHitCache(capacity: 64_000)
        let changes = SearchIndexChanges()
        changes.record([], through: 4)  // known from generation 4 on
        changes.record([(5, 9, [])], through: 5)  // generation 5 changed row 9
        cache.keep([(key(1, [(0, 2, 0, 1)]), hit("grain"))], generation: 5)
        #expect(cache.hits(for: [key(1, [(0, 2, 0, 1)])], generation: 5, changes: changes).map { $0?.title } == ["grain"])
        // Generation 6 changes row 2, not row 1: row 1's hit serves generation 6 too.
        changes.record([(6, 2, [])], through: 6)
        #expect(cache.hits(for: [key(1, [(0, 2, 0, 1)])], generation: 6, changes: changes).map { $0?.title } == ["grain"])
        // Generation 7 changes row 1: its hit no longer serves, and is dropped.
        changes.record([(7, 1, [])], through: 7)
        #expect(cache.hits(for: [key(1, [(0, 2, 0, 1)])], generation: 7, changes: changes).map { $0?.title } == [nil])
        #expect(cache.usage.hits == 0)
        // A hit of row 9 made before its change at 5 never serves a later search.
        cache.keep([(key(9, [(0, 2, 0, 1)]), hit("old"))], generation: 4)
        #expect(cache.hits(for: [key(9, [(0, 2, 0, 1)])], generation: 7, changes: changes).map { $0?.title } == [nil])
        cache.keep([(key(2, [(0, 2, 0, 1)]), hit("deal"))], generation: 7)
        // Two readers keeping the same hit: one entry, counted once.
        let once = cache.usage.bytes
        cache.keep([(key(2, [(0, 2, 0, 1)]), hit("deal"))], generation: 7)
        #expect(cache.usage.hits == 1 && cache.usage.bytes == once)
        #expect(cache.hits(for: [key(1, [(0, 2, 0, 1)]), key(2, [(0, 2, 0, 1)])], generation: 7, changes: changes).map { $0?.title } == [nil, "deal"])
        // Changes not all held (a tracker that knows nothing): nothing serves.
        #expect(cache.hits(for: [key(2, [(0, 2, 0, 1)])], generation: 7, changes: SearchIndexChanges()).map { $0?.title } == [nil])
        // Many more than fit: the bytes stay within the capacity, and the row looked up all
        // along is never the one dropped.
        var dropped = 0
        for row in Int64(3)..<2_000 {
            cache.keep([(key(row, [(0, 3, Int32(row), 1)]), hit("word \(row)"))], generation: 7)
            if cache.hits(for: [key(2, [(0, 2, 0, 1)])], generation: 7, changes: changes).first??.title != "deal" { dropped += 1 }
            if cache.usage.bytes > 64_000 { dropped += 1 }
        }
        #expect(dropped == 0)
        #expect((100..<1_000).contains(cache.usage.hits))
        #expect(cache.lookups.hits >= 1_997)
        // The same row with other match positions is another hit.
        #expect(cache.hits(for: [key(2, [(0, 2, 1, 1)])], generation: 7, changes: changes).map { $0?.title } == [nil])
        cache.capacity = 0
        cache.keep([(key(1, [(0, 2, 0, 1)]), hit("grain"))], generation: 7)
        #expect(cache.usage == (0, 0))
    }

    @Test func aChangedRecordShowsItsNewTitleAndSnippet() throws {
        let db = try makeDatabase()
        let event = try db.event("Grain corridor opens", "2022-07-22", summary: "ships leave Odesa")
        _ = try db.event("Corridor talks", "2022-07-01")
        let first = try db.search.search("corridor", kinds: [], limit: 20)
        #expect(first.map(\.title).contains("Grain corridor opens"))
        #expect(try db.search.search("corridor", kinds: [], limit: 20) == first)
        #expect(db.search.hitCache.lookups.hits == 2)
        var draft = event.draft
        draft.title = "Grain corridor reopens"
        _ = try db.events.update(event.id, expectedVersion: event.version, with: draft)
        let after = try db.search.search("corridor", kinds: [], limit: 20)
        #expect(after.map(\.title).contains("Grain corridor reopens") && !after.map(\.title).contains("Grain corridor opens"))
        #expect(after.first { $0.id == event.id }?.snippet == "Grain [corridor] reopens")
        #expect(try after == db.search.search("corridor", kinds: [], limit: 20, strategy: .everyRowThroughSQL))
        // Without the cache, the same answers.
        db.search.hitCache.capacity = 0
        #expect(try db.search.search("corridor OR odesa", kinds: [], limit: 20)
                == db.search.search("corridor OR odesa", kinds: [], limit: 20, strategy: .everyRowThroughSQL))
        #expect(db.search.hitCache.usage == (0, 0))
    }
}
