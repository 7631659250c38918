import Chronicle
@testable import ChronicleSQLite
import Foundation
import SQLite
import Testing

/// A write patches (or drops) the kept searches it can affect and keeps the rest, and a search answered from
/// kept data is exactly what the index answers, row for row and rank for rank.
@Suite struct SearchWriteTests {
    private func fresh(_ db: SQLiteStore, _ query: String, kinds: Set<RecordKind> = [], limit: Int = 20) throws -> [SearchHit] {
        try #require(try db.search.search(query, kinds: kinds, limit: limit, strategy: .everyRowThroughSQL))
    }

    @Test func aWriteTouchesOnlyTheKeptPhrasesItCanAffect() throws {
        let db = try makeDatabase()
        let alpha = try db.event("Alpha talks", "2022-01-01", summary: "harbour")
        let beta = try db.event("Beta talks", "2022-01-02", summary: "harbour")
        _ = try db.event("Gamma talks", "2022-01-03")
        for word in ["alpha", "beta", "gamma", "harbour", "delta"] { _ = try db.search.search(word, kinds: [], limit: 20) }
        #expect(db.search.phraseCache.usage.phrases == 5)
        // One write: beta's title changes to mention delta, its summary goes. It can affect
        // "beta" and "harbour" (the row held them) and "delta" (it holds it now), not "alpha"
        // or "gamma".
        var draft = beta.draft
        draft.title = "Delta talks"
        draft.summary = nil
        _ = try db.events.update(beta.id, expectedVersion: beta.version, with: draft)
        let (hitsBefore, _) = db.search.phraseCache.lookups
        for word in ["alpha", "gamma"] {
            #expect(try db.search.search(word, kinds: [], limit: 20) == fresh(db, word))
        }
        #expect(db.search.phraseCache.lookups.hits == hitsBefore + 2, "alpha and gamma were kept across the write")
        #expect(db.search.phraseCache.dropped == 0)
        for word in ["beta", "delta", "harbour"] {
            #expect(try db.search.search(word, kinds: [], limit: 20) == fresh(db, word), "\(word)")
        }
        // Beta and harbour are made current by matching the one changed row again, not the
        // index; delta, kept as matching nothing, is walked again.
        #expect(db.search.phraseCache.patches == 2 && db.search.phraseCache.dropped == 1, "beta, delta and harbour could have moved")
        #expect(try db.search.search("delta", kinds: [], limit: 20).map(\.id) == [beta.id])
        #expect(try db.search.search("harbour", kinds: [], limit: 20).map(\.id) == [alpha.id])
        // A created record drops the phrases it holds; the ranks of the kept ones are made
        // again for the new row count, equal to a fresh search's.
        _ = try db.quote("gamma again", speaker: nil)
        #expect(try db.search.search("gamma", kinds: [], limit: 20) == fresh(db, "gamma"))
        #expect(try db.search.search("alpha", kinds: [], limit: 20) == fresh(db, "alpha"))
        #expect(db.search.phraseCache.patches == 3 && db.search.phraseCache.dropped == 1)
    }

    /// The same when another writer (a store of its own on the file, as another process) writes.
    @Test func aWriteByAnotherWriterTouchesOnlyWhatItCanAffect() throws {
        let path = temporaryDirectory().appendingPathComponent("chronicle.sqlite").path
        let reader = try SQLiteStore(path: path, migrations: Migrator(directory: migrationsDirectory))
        let writer = try SQLiteStore(path: path, migrations: Migrator(directory: migrationsDirectory))
        _ = try writer.event("Talks in Istanbul", "2022-03-29")
        _ = try writer.event("Grain corridor", "2022-07-22")
        for word in ["talks", "grain"] { _ = try reader.search.search(word, kinds: [], limit: 20) }
        let second = try writer.event("Talks resume", "2022-04-01")
        #expect(try reader.search.search("talks", kinds: [], limit: 20).map(\.id).first == second.id)
        #expect(try reader.search.search("grain", kinds: [], limit: 20) == reader.search.search("grain", kinds: [], limit: 20, strategy: .everyRowThroughSQL))
        #expect(reader.search.phraseCache.patches == 1 && reader.search.phraseCache.usage.phrases == 2)
    }

    /// Random mixes of creates, edits, deletes (some by another writer on the same file) and
    /// searches: every search answered with the caches equals the same search without them.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func cachedAndUncachedSearchesAgreeAfterRandomWrites(seed: UInt64) throws {
        let path = temporaryDirectory().appendingPathComponent("chronicle.sqlite").path
        let db = try SQLiteStore(path: path, migrations: Migrator(directory: migrationsDirectory))
        let other = try SQLiteStore(path: path, migrations: Migrator(directory: migrationsDirectory))
        var random = SeededRandom(seed: seed)
        let words = ["grain", "port", "talks", "minsk", "kyiv", "border", "troops", "deal", "vote", "sanctions", "Лукашенко", "ségolène"]
        func text(_ count: Int) -> String { (0..<count).map { _ in words.randomElement(using: &random)! }.joined(separator: " ") }
        var events: [Event] = []
        var quotes: [Quote] = []
        for _ in 0..<30 { events.append(try db.event(text(3), "2022-01-01", summary: text(6))) }
        for _ in 0..<30 { quotes.append(try db.quote(text(8), speaker: nil)) }
        var compared = 0
        for step in 0..<400 {
            let writer = random.next() % 4 == 0 ? other : db
            switch random.next() % 10 {
            case 0:
                events.append(try writer.event(text(3), "2022-01-01", summary: text(6)))
            case 1:
                quotes.append(try writer.quote(text(8), speaker: nil))
            case 2 where !events.isEmpty:
                let index = Int(random.next() % UInt64(events.count))
                let current = try writer.events.find(events[index].id)
                var draft = current.draft
                draft.title = text(3)
                if random.next() % 2 == 0 { draft.summary = text(5) }
                events[index] = try writer.events.update(current.id, expectedVersion: current.version, with: draft)
            case 3 where !quotes.isEmpty:
                let index = Int(random.next() % UInt64(quotes.count))
                try writer.quotes.delete(quotes.remove(at: index).id)
            default:
                let query = (0..<Int(1 + random.next() % 3)).map { _ in
                    random.next() % 5 == 0 ? "\"\(text(2))\"" : words.randomElement(using: &random)!
                }.joined(separator: " OR ")
                let kinds: Set<RecordKind> = random.next() % 3 == 0 ? [.quote] : []
                let limit = Int(1 + random.next() % 15)
                let cached = try db.search.search(query, kinds: kinds, limit: limit)
                let uncached = try fresh(db, query, kinds: kinds, limit: limit)
                #expect(cached == uncached, "seed \(seed), step \(step): \(query)")
                #expect(cached.map(\.rank) == uncached.map(\.rank))
                compared += 1
            }
        }
        #expect(compared > 100)
        #expect(db.search.phraseCache.lookups.hits > 0, "the cache kept something across writes")
        #expect(db.search.phraseCache.patches > 0, "some kept phrases were patched with changed rows")
    }
}

/// A small deterministic generator (splitmix64), so that a failing case can be run again.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
