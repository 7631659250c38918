import Chronicle
import Dispatch
import Foundation
@testable import ChronicleSQLite
import Testing

/// A best-effort import gives way to other writes: a write that waits for the writer while a
/// batch is written gets it once the batch has written `linesBeforeYielding` lines, not when
/// the whole batch is done, and the import then goes on with the rest of its batch.
@Suite struct ImportYieldTests {
    @Test func writesWaitingDuringABatchGetInBeforeItEnds() throws {
        let db = try makeDatabase()
        let speaker = try db.actors.create(ActorDraft(kind: .person, name: "Anna Speaker"))
        let start = try db.revisions.head()
        // One batch, five times as long as a part.
        let count = SQLiteImport.linesBeforeYielding * 5
        #expect(count < SQLiteImport.batchSize)
        var number = 0
        // Writes every few milliseconds, for as long as the import runs.
        let stop = DispatchSemaphore(value: 0), stopped = DispatchSemaphore(value: 0)
        let written = Written()
        Thread.detachNewThread {
            var n = 0
            while stop.wait(timeout: .now() + .milliseconds(3)) == .timedOut {
                if let source = try? db.sources.create(SourceDraft(url: nil, title: "Written beside the import \(n)")) { written.add(source.id) }
                n += 1
            }
            stopped.signal()
        }
        let report = try db.importLines({
            number += 1
            guard number <= count else { return nil }
            let draft = QuoteDraft(text: "quote \(number)", language: "en", speakerID: speaker.id)
            return ImportLine(line: number, kind: .quote, id: nil, content: .success(.quote(draft)))
        }, mode: .bestEffort, dryRun: false, by: Attribution(author: "importer"))
        stop.signal()
        stopped.wait()
        #expect(report.created == count && report.failed == 0)

        // The feed: the import's quotes in the file's order, and some of the other writes
        // between its first quote and its last.
        let feed = try db.revisions.changes(after: start, filter: ChangeFilter(), limit: count + written.ids.count + 10).changes
        let quotes = feed.compactMap { revision -> (Int64, Int)? in
            guard case .quote(let quote)? = revision.state else { return nil }
            return (revision.position, Int(quote.text.dropFirst("quote ".count))!)
        }
        #expect(quotes.map(\.1) == Array(1...count))
        let others = feed.filter { written.ids.contains($0.id) }.map(\.position)
        #expect(others.count == written.ids.count)
        let (first, last) = (quotes.first?.0 ?? 0, quotes.last?.0 ?? 0)
        let between = others.filter { $0 > first && $0 < last }
        #expect(!between.isEmpty, "no write got in while the import was written: \(others.count) writes at \(others.sorted()), the import from \(first) to \(last)")
        // Each part is at least linesBeforeYielding quotes: the import does not give way line by line.
        var runs: [Int] = [], run = 0
        for revision in feed where revision.position >= first && revision.position <= last {
            if case .quote? = revision.state { run += 1 } else if run > 0 { runs.append(run); run = 0 }
        }
        if run > 0 { runs.append(run) }
        #expect(runs.dropLast().allSatisfy { $0 >= SQLiteImport.linesBeforeYielding }, "\(runs)")
    }
}

/// Ids written by another thread.
private final class Written: @unchecked Sendable {
    private let lock = NSLock()
    private var items: Set<String> = []
    func add(_ id: String) { lock.lock(); items.insert(id); lock.unlock() }
    var ids: Set<String> { lock.lock(); defer { lock.unlock() }; return items }
}
