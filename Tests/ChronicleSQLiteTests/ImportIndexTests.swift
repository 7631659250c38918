import Chronicle
@testable import ChronicleSQLite
import Foundation
import Testing

/// A best-effort import puts its quotes' search-index rows in at each batch's end
/// (`SearchIndex.Held`): every quote is found by the words of its text and its context, each
/// row moves the index's generation on once (so kept searches see it), and a batch written
/// again line by line after a failing line indexes what it wrote and nothing it undid.
@Suite struct ImportIndexTests {
    @Test func importedQuotesAreFoundAndEachMovesTheGenerationOnce() throws {
        let db = try makeDatabase()
        let before = try db.search.search("zephyrword", kinds: [.quote], limit: 10)  // kept, then stale
        #expect(before.isEmpty)
        let speaker = try db.actors.create(ActorDraft(kind: .person, name: "Anna Mediator"))
        let generation = try db.pool.read { try SearchIndex.generation($0) }
        let count = SQLiteImport.batchSize + 20
        var number = 0
        let report = try db.importLines({
            number += 1
            guard number <= count else { return nil }
            // A line of the second batch refers to nothing: that batch is written again a line at a time.
            let speakerID = number == SQLiteImport.batchSize + 7 ? "act_missing" : speaker.id
            let draft = QuoteDraft(text: "zephyrword quote \(number)", language: "en", speakerID: speakerID,
                                   context: "context quillword\(number)")
            return ImportLine(line: number, kind: .quote, id: nil, content: .success(.quote(draft)))
        }, mode: .bestEffort, dryRun: false, by: Attribution(author: "test"))
        #expect(report.created == count - 1 && report.failed == 1)
        let after = try db.pool.read { try SearchIndex.generation($0) }
        #expect(after - generation == Int64(count - 1), "one generation a row put in")
        #expect(try db.search.search("zephyrword", kinds: [.quote], limit: 500).count == 500, "the search kept before the import is not stale")
        #expect(try db.pool.read { try $0.first("SELECT count(*) FROM search_index WHERE search_index MATCH 'zephyrword'") { $0.int(0) } } == count - 1)
        for number in [1, 2, SQLiteImport.batchSize, SQLiteImport.batchSize + 1, SQLiteImport.batchSize + 8, count] {
            let hits = try db.search.search("quillword\(number)", kinds: [.quote], limit: 10)
            #expect(hits.count == 1, "line \(number)")
            #expect(try hits.first.map { try db.quotes.find($0.id).text } == "zephyrword quote \(number)")
        }
        #expect(try db.search.search("quillword\(SQLiteImport.batchSize + 7)", kinds: [.quote], limit: 10).isEmpty)
    }
}
