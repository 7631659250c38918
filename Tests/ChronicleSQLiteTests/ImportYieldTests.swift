import Chronicle
import Dispatch
import Foundation
@testable import ChronicleSQLite
import Testing

/// A best-effort import gives way to other writes: a write that waits for the writer while a
/// batch is written gets it once the transaction has taken `linesBeforeYielding` lines, not when
/// the whole batch is done, and the import then goes on with the rest of its batch.
@Suite struct ImportYieldTests {
    /// Writes (new sources) every few milliseconds on a thread of their own, from the first
    /// one's end until stopped.
    final class Writes: @unchecked Sendable {
        private let lock = NSLock()
        private var written: Set<String> = []
        private let stopping = DispatchSemaphore(value: 0), stopped = DispatchSemaphore(value: 0)

        init(_ db: SQLiteStore) {
            let started = DispatchSemaphore(value: 0)
            Thread.detachNewThread { [self] in
                var n = 0
                repeat {
                    if let source = try? db.sources.create(SourceDraft(url: nil, title: "Written beside the import \(n)")) { add(source.id) }
                    if n == 0 { started.signal() }
                    n += 1
                } while stopping.wait(timeout: .now() + .milliseconds(3)) == .timedOut
                stopped.signal()
            }
            started.wait()
        }

        private func add(_ id: String) { lock.lock(); written.insert(id); lock.unlock() }
        var ids: Set<String> { lock.lock(); defer { lock.unlock() }; return written }

        private var ended = false

        /// Stops the writes and waits for the last; once (a second call returns at once).
        func stop() {
            lock.lock()
            let first = !ended
            ended = true
            lock.unlock()
            guard first else { return }
            stopping.signal()
            stopped.wait()
        }
    }

    /// The quotes `quote 1` … `quote count` as lines, `speakerId` naming nobody on line `failing`.
    static func lines(_ count: Int, speaker: String, failing: Int? = nil) -> () -> ImportLine? {
        var number = 0
        return {
            number += 1
            guard number <= count else { return nil }
            let draft = QuoteDraft(text: "quote \(number)", language: "en", speakerID: number == failing ? "nobody-at-all" : speaker)
            return ImportLine(line: number, kind: .quote, id: nil, content: .success(.quote(draft)))
        }
    }

    /// The feed after `start`: the positions and numbers of the import's quotes, in order, and
    /// the positions of the other writes.
    static func feed(_ db: SQLiteStore, after start: Int64, others: Set<String>, limit: Int) throws -> (quotes: [(Int64, Int)], others: [Int64], runs: [Int]) {
        let feed = try db.revisions.changes(after: start, filter: ChangeFilter(), limit: limit).changes
        var quotes: [(Int64, Int)] = [], runs: [Int] = [], run = 0
        for revision in feed {
            if case .quote(let quote)? = revision.state {
                quotes.append((revision.position, Int(quote.text.dropFirst("quote ".count))!))
                run += 1
            } else if run > 0 {
                runs.append(run)
                run = 0
            }
        }
        if run > 0 { runs.append(run) }
        return (quotes, feed.filter { others.contains($0.id) }.map(\.position), runs)
    }

    @Test func writesWaitingDuringABatchGetInBeforeItEnds() throws {
        let db = try makeDatabase()
        let speaker = try db.actors.create(ActorDraft(kind: .person, name: "Anna Speaker"))
        let start = try db.revisions.head()
        // One batch, five times as long as a part.
        let count = SQLiteImport.linesBeforeYielding * 5
        #expect(count < SQLiteImport.batchSize)
        let writes = Writes(db)
        defer { writes.stop() }
        let report = try db.importLines(Self.lines(count, speaker: speaker.id), mode: .bestEffort, dryRun: false, by: Attribution(author: "importer"))
        writes.stop()
        #expect(report.created == count && report.failed == 0)

        // The import's quotes in the file's order, and some of the other writes between its
        // first quote and its last, in runs of at least a part's lines.
        let feed = try Self.feed(db, after: start, others: writes.ids, limit: count + writes.ids.count + 10)
        #expect(feed.quotes.map(\.1) == Array(1...count))
        #expect(feed.others.count == writes.ids.count)
        let (first, last) = (feed.quotes.first?.0 ?? 0, feed.quotes.last?.0 ?? 0)
        let between = feed.others.filter { $0 > first && $0 < last }
        #expect(!between.isEmpty, "no write got in while the import was written: \(feed.others.count) writes at \(feed.others.sorted()), the import from \(first) to \(last)")
        #expect(feed.runs.dropLast().allSatisfy { $0 >= SQLiteImport.linesBeforeYielding }, "\(feed.runs)")
    }

    /// A line that fails in a later part is the only one not written: the parts before it stay
    /// as they were written, the rest of the batch is written again one line at a time, and the
    /// import goes on giving way.
    @Test func aLineThatFailsInALaterPartFailsAlone() throws {
        let db = try makeDatabase()
        let speaker = try db.actors.create(ActorDraft(kind: .person, name: "Anna Speaker"))
        let start = try db.revisions.head()
        let count = SQLiteImport.linesBeforeYielding * 5, failing = SQLiteImport.linesBeforeYielding * 2 + 500
        let writes = Writes(db)
        defer { writes.stop() }
        let report = try db.importLines(Self.lines(count, speaker: speaker.id, failing: failing), mode: .bestEffort, dryRun: false, by: Attribution(author: "importer"))
        writes.stop()
        #expect(report.created == count - 1 && report.failed == 1 && report.failures.first?.line == failing)
        #expect(report.failures.first?.field == "speakerId")
        let feed = try Self.feed(db, after: start, others: writes.ids, limit: count + writes.ids.count + 10)
        // Every other quote once (none written twice), in the file's order.
        #expect(feed.quotes.map(\.1) == Array(1...count).filter { $0 != failing })
        let (first, last) = (feed.quotes.first?.0 ?? 0, feed.quotes.last?.0 ?? 0)
        #expect(feed.others.contains { $0 > first && $0 < last }, "no write got in while the import was written")
        // And it went on giving way after the failure.
        let after = feed.quotes.first { $0.1 == failing + 1 }?.0 ?? last
        #expect(feed.others.contains { $0 > after && $0 < last }, "no write got in after the failing line: \(feed.runs)")
        let stored = try db.quotes.list(QuoteFilter(), sort: [], page: PageRequest(limit: 1, includeTotal: true), in: nil).total
        #expect(stored == count - 1)
    }
}
