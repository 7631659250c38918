import Chronicle
@testable import ChronicleSQLite
import Foundation
import Synchronization
import Testing

/// Phrases' matches kept between searches must never show a search anything but what the index
/// holds in that search's snapshot, whoever wrote to it.
@Suite struct PhraseCacheTests {
    /// The same search answered without any cache: every matching row through SQL.
    private func fresh(_ db: SQLiteStore, _ query: String, limit: Int = 20) throws -> [SearchHit]? {
        try db.search.search(query, kinds: [], limit: limit, strategy: .everyRowThroughSQL)
    }

    @Test func keptPhrasesFollowEveryWrite() throws {
        let db = try makeDatabase()
        let actor = try db.person("Ales Bialiatski", description: "harvest of grain")
        _ = try db.event("Grain corridor opens", "2022-07-22", summary: "ships carry the harvest")
        #expect(try db.search.search("harvest OR corridor", kinds: [], limit: 20).count == 2)
        #expect(db.search.phraseCache.usage.phrases == 2)

        // Added: found at once, though "harvest" was kept before.
        let added = try db.event("Harvest festival", "2022-09-01")
        #expect(try db.search.search("harvest", kinds: [], limit: 20).contains { $0.id == added.id })
        #expect(try db.search.search("harvest OR corridor", kinds: [], limit: 20) == fresh(db, "harvest OR corridor"))
        // Changed: the old words no longer find it, the new ones do.
        var draft = added.draft
        draft.title = "Autumn festival"
        _ = try db.events.update(added.id, expectedVersion: added.version, with: draft)
        #expect(try !db.search.search("harvest", kinds: [], limit: 20).contains { $0.id == added.id })
        #expect(try db.search.search("autumn", kinds: [], limit: 20).map(\.id) == [added.id])
        // Removed: gone from every kept phrase.
        try db.events.delete(added.id, cascade: false)
        #expect(try db.search.search("autumn", kinds: [], limit: 20).isEmpty)
        // An actor's change reaches its index row too.
        var actorDraft = try db.actors.find(actor.id).draft
        actorDraft.description = "human rights"
        _ = try db.actors.update(actor.id, expectedVersion: 1, with: actorDraft)
        #expect(try db.search.search("harvest", kinds: [.actor], limit: 20).isEmpty)
        #expect(try db.search.search("harvest OR rights", kinds: [], limit: 20) == fresh(db, "harvest OR rights"))
    }

    /// Another process (here another pool on the same file) writes: the generation it moves on
    /// is in the file, so the first process's kept phrases are dropped, not served.
    @Test func writesFromAnotherConnectionAreSeen() throws {
        let path = temporaryDirectory().appendingPathComponent("chronicle.sqlite").path
        let reader = try SQLiteStore(path: path, migrations: Migrator(directory: migrationsDirectory))
        let writer = try SQLiteStore(path: path, migrations: Migrator(directory: migrationsDirectory))
        _ = try writer.event("Talks in Istanbul", "2022-03-29")
        #expect(try reader.search.search("talks", kinds: [], limit: 20).count == 1)
        let second = try writer.event("Talks resume", "2022-04-01")
        #expect(try reader.search.search("talks", kinds: [], limit: 20).map(\.id).first == second.id)
        #expect(try reader.search.search("talks", kinds: [], limit: 20).count == 2)
    }

    /// Searches running while a writer adds matching records never see fewer than had been
    /// committed when they began: a kept phrase from an older generation is never served.
    @Test func searchesDuringWritesSeeEveryCommittedRecord() throws {
        let db = try makeDatabase()
        _ = try db.event("Zebra crossing", "2022-01-01")
        let committed = Atomic(1), searches = Atomic(0), searchers = Atomic(0), writing = Atomic(true)
        let failures = Mutex<[String]>([])
        let writes = 60
        /// Waits (up to 10 s) until `condition` holds, so that writes and searches interleave
        /// however the threads are scheduled.
        @Sendable func wait(until condition: () -> Bool) {
            let deadline = Date().addingTimeInterval(10)
            while !condition() && Date() < deadline { usleep(100) }
        }
        // Threads of their own: concurrentPerform runs only as many at once as there are cores.
        let finished = DispatchGroup()
        for worker in 0..<4 {
            finished.enter()
            Thread {
                defer { finished.leave() }
                do {
                    if worker == 0 {
                        defer { writing.store(false, ordering: .sequentiallyConsistent) }
                        wait { searchers.load(ordering: .sequentiallyConsistent) == 3 }
                        for index in 0..<writes {
                            _ = try db.event("Zebra \(index)", "2022-01-02", summary: "stripes")
                            committed.add(1, ordering: .sequentiallyConsistent)
                            let seen = searches.load(ordering: .sequentiallyConsistent)
                            wait { searches.load(ordering: .sequentiallyConsistent) >= seen + 2 }
                        }
                    } else {
                        searchers.add(1, ordering: .sequentiallyConsistent)
                        while writing.load(ordering: .sequentiallyConsistent) {
                            let before = committed.load(ordering: .sequentiallyConsistent)
                            let query = worker == 1 ? "zebra" : "zebra OR stripes"
                            let found = try db.search.search(query, kinds: [.event], limit: 500).count
                            searches.add(1, ordering: .sequentiallyConsistent)
                            if found < before { failures.withLock { $0.append("\(query): \(found) hits after \(before) commits") } }
                        }
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }.start()
        }
        #expect(finished.wait(timeout: .now() + 60) == .success)
        let failed = failures.withLock { $0 }
        #expect(failed.count == 0, "\(failed.prefix(5))")
        #expect(searches.load(ordering: .relaxed) >= 2 * writes, "only \(searches.load(ordering: .relaxed)) searches ran beside the writes")
        #expect(try db.search.search("zebra", kinds: [], limit: 500).count == writes + 1)
    }

    @Test func theCacheStaysWithinItsCapacityAndZeroKeepsNothing() throws {
        let db = try makeDatabase()
        // Each word's matches and row score take ~600 bytes, "shared"'s ~2,200: not all 61 fit in 12,000.
        for index in 0..<60 {
            _ = try db.event("shared \(index)", "2022-01-01", summary: Array(repeating: "word\(index)", count: 20).joined(separator: " "))
        }
        db.search.phraseCache.capacity = 12_000
        for index in 0..<60 {
            #expect(try db.search.search("word\(index) OR shared", kinds: [], limit: 5) == fresh(db, "word\(index) OR shared", limit: 5))
            #expect(db.search.phraseCache.usage.bytes <= 12_000)
        }
        #expect((10..<60).contains(db.search.phraseCache.usage.phrases))
        // The phrase searched in every query is the most recently used: never the one dropped.
        let generation = try db.pool.read { try SearchIndex.generation($0) }
        #expect(db.search.phraseCache.matches(of: "shared", generation: generation, changes: db.search.changes) != nil)
        db.search.phraseCache.capacity = 0
        #expect(db.search.phraseCache.usage == (0, 0))
        #expect(try db.search.search("word3 OR shared", kinds: [], limit: 5) == fresh(db, "word3 OR shared", limit: 5))
        #expect(db.search.phraseCache.usage == (0, 0))
    }

    @Test func matchesFromAnOlderSnapshotAreNotKeptOverNewerOnes() {
        let cache = PhraseMatchCache(capacity: 1 << 20)
        let changes = SearchIndexChanges()  // knows no change: nothing kept can be carried forward
        cache.keep([1, 2, 3], of: "grain", tokens: [], generation: 5)
        cache.keep([9], of: "grain", tokens: [], generation: 4)  // a search that began before the last write
        #expect(cache.matches(of: "grain", generation: 5, changes: changes) == [1, 2, 3])
        #expect(cache.matches(of: "grain", generation: 4, changes: changes) == nil)
        cache.keep([7], of: "deal", tokens: [], generation: 6)  // another phrase's walk leaves "grain" alone
        #expect(cache.usage.phrases == 2)
        // A later generation whose changes are unknown: dropped, never served.
        #expect(cache.matches(of: "grain", generation: 6, changes: changes) == nil)
        #expect(cache.usage.phrases == 1 && cache.dropped == 1)
    }

    /// Kept runs carry row scores made under the weights of the search that walked them:
    /// ranking under other weights must count matches instead, and a run cut short must be
    /// refused, never read past its end.
    @Test func rankingChecksTheRunsItIsHanded() throws {
        let db = try makeDatabase()
        for index in 0..<6 {
            // Half find "grain" in the title only, half in the body only: the weights decide the order.
            _ = try index % 2 == 0 ? db.event("Grain \(index)", "2022-01-01") : db.event("Harvest \(index)", "2022-01-01", summary: "grain grain")
        }
        try db.pool.read { connection in
            let walk = "SELECT \(SearchFunctions.phraseMatches(matches: "1000")) FROM search_index WHERE search_index MATCH 'grain' LIMIT 1"
            let run = try #require(try connection.first(walk) { $0.blob(0) })
            let total = try SearchIndex.rowCount(connection)
            for weights in ["0.0, 0.0, 5.0, 1.0", "0.0, 0.0, 1.0, 5.0"] {
                let ranked = try connection.first("SELECT chronicle_rank_phrases(4, 15, 4, \(total), \(weights), ?)", [.blob(run)]) { $0.blob(0) }
                let walked = try connection.first("SELECT chronicle_top(search_index, 4, 15, 1000, \(weights)) FROM search_index WHERE search_index MATCH 'grain' LIMIT 1") { $0.blob(0) }
                #expect(ranked != nil && ranked == walked, "weights \(weights)")
            }
            #expect(throws: (any Error).self) {
                try connection.first("SELECT chronicle_rank_phrases(4, 15, 4, \(total), 0.0, 0.0, 5.0, 1.0, ?)", [.blob(Array(run.dropLast(8)))]) { $0.blob(0) }
            }
        }
    }

    @Test func tooManyMatchesForThePhrasesLeaveTheQueryToEveryRow() throws {
        let db = try makeDatabase()
        for index in 0..<8 { _ = try db.event("war \(index)", "2022-01-01", summary: "ship port war") }
        var small = db.search
        small.matchesHeld = 10
        #expect(try small.search("war OR ship", kinds: [], limit: 20, strategy: .keptPhrases) == nil)
        #expect(try small.search("war OR ship", kinds: [], limit: 20) == fresh(db, "war OR ship"))
        #expect(try db.search.search("war OR ship", kinds: [], limit: 20, strategy: .keptPhrases) == fresh(db, "war OR ship"))
    }
}

extension PhraseMatchCache {
    /// The kept run when it serves this snapshot as it is (no row to match again).
    func matches(of phrase: String, generation: Int64, changes: SearchIndexChanges) -> [UInt8]? {
        if case .kept(let run) = lookup(phrase, generation: generation, changes: changes) { return run }
        return nil
    }
}
