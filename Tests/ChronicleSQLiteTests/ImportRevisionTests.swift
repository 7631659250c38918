import Chronicle
@testable import ChronicleSQLite
import Testing

/// A best-effort batch keeps the quotes it creates as it wrote them and makes their revisions
/// from that, without reading them back (`RevisionLog.drain`'s `newQuotes`): each revision must
/// still hold the quote as it reads when its batch commits, with the speaker's name and the
/// sources' titles as they are then, in a clean batch and in one written again line by line.
@Suite struct ImportRevisionTests {
    func lines(failing: Bool) -> [ImportLine] {
        var drafts: [AnyDraft] = [
            .actor(ActorDraft(slug: "anna-speaker", kind: .person, name: "Anna Speaker")),
            .source(SourceDraft(url: "https://example.org/a", title: "First title")),
        ]
        for number in 1...4 {
            drafts.append(.quote(QuoteDraft(text: "Quote \(number) \"with\" \\ and\nlines", language: "en", speakerID: "anna-speaker",
                                            said: try? PartialDate(parsing: "2022-0\(number)"), context: number == 2 ? nil : "context \(number)",
                                            verification: .verified,
                                            citations: [Citation(sourceID: "https://example.org/a", excerpt: number == 3 ? nil : "excerpt \(number)")])))
        }
        if failing { drafts.append(.quote(QuoteDraft(text: "refers to nothing", language: "en", speakerID: "act_missing"))) }
        // Later in the same batch: the speaker renamed and the source retitled.
        drafts.append(.actor(ActorDraft(slug: "anna-speaker", kind: .person, name: "Anna Renamed")))
        drafts.append(.source(SourceDraft(url: "https://example.org/a", title: "Second title")))
        return drafts.enumerated().map { ImportLine(line: $0.offset + 1, kind: nil, id: nil, content: .success($0.element)) }
    }

    @Test(arguments: [false, true])
    func newQuotesRevisionsHoldThemAsTheyReadAtCommit(failing: Bool) throws {
        let db = try makeDatabase()
        var pending = lines(failing: failing)[...]
        let report = try db.importLines({ pending.popFirst() }, mode: .bestEffort, dryRun: false, by: Attribution(author: "importer", note: "bulk"))
        #expect(report.created == 6 && report.updated == 2 && report.failed == (failing ? 1 : 0))
        let quotes = try db.quotes.list(QuoteFilter(), sort: [], page: PageRequest(limit: 50), in: nil).items
        #expect(quotes.count == 4)
        for quote in quotes {
            #expect(quote.speakerName == "Anna Renamed" && quote.citations.first?.sourceTitle == "Second title")
            let revision = try #require(try db.revisions.latest(of: .quote, id: quote.id))
            #expect(revision.number == 1 && revision.operation == .create)
            #expect(revision.attribution == Attribution(author: "importer", note: "bulk"))
            #expect(revision.state == .quote(quote))
        }
    }
}

/// A batch's new quotes go in `rowsPerStatement` to a statement: a statement that fails sends
/// the batch to be written again line by line, where only the line at fault fails; the quotes
/// before a line of another sort are written before it, so the feed keeps the file's order.
@Suite struct ImportRowsAtOnceTests {
    @Test func aFailingStatementOfManyRowsFailsOnlyItsLine() throws {
        let db = try makeDatabase()
        try db.pool.write { try $0.execute("CREATE TRIGGER refuse_boom BEFORE INSERT ON quotes WHEN NEW.text = 'boom' BEGIN SELECT RAISE(ABORT, 'boom refused'); END") }
        let speaker = try db.actors.create(ActorDraft(kind: .person, name: "Anna Speaker"))
        let count = rowsPerStatement * 2 + 5, failing = rowsPerStatement + 6
        var number = 0
        let report = try db.importLines({
            number += 1
            guard number <= count else { return nil }
            let draft = QuoteDraft(text: number == failing ? "boom" : "quote \(number)", language: "en", speakerID: speaker.id, context: "ctxword\(number)")
            return ImportLine(line: number, kind: .quote, id: nil, content: .success(.quote(draft)))
        }, mode: .bestEffort, dryRun: false, by: Attribution(author: "importer"))
        #expect(report.created == count - 1 && report.failed == 1)
        #expect(report.failures.first?.line == failing && report.failures.first?.message.contains("boom refused") == true)
        let quotes = try db.quotes.list(QuoteFilter(), sort: [], page: PageRequest(limit: 500), in: nil).items
        #expect(Set(quotes.map(\.text)) == Set((1...count).filter { $0 != failing }.map { "quote \($0)" }))
        for quote in quotes {
            #expect(try db.revisions.latest(of: .quote, id: quote.id)?.state == .quote(quote))
            let number = quote.text.dropFirst("quote ".count)
            #expect(try db.search.search("ctxword\(number)", kinds: [.quote], limit: 5).map(\.id) == [quote.id])
        }
    }

    @Test func quotesBeforeALineOfAnotherSortComeFirstInTheFeed() throws {
        let db = try makeDatabase()
        let start = try db.revisions.head()
        let lines: [AnyDraft] = [
            .actor(ActorDraft(slug: "anna-speaker", kind: .person, name: "Anna Speaker")),
            .quote(QuoteDraft(text: "first", language: "en", speakerID: "anna-speaker")),
            .quote(QuoteDraft(text: "second", language: "en", speakerID: "anna-speaker")),
            .source(SourceDraft(url: "https://example.org/s", title: "A source")),
            .quote(QuoteDraft(text: "third", language: "en", speakerID: "anna-speaker", citations: [Citation(sourceID: "https://example.org/s")])),
        ]
        var pending = lines.enumerated().map { ImportLine(line: $0.offset + 1, kind: nil, id: nil, content: .success($0.element)) }[...]
        let report = try db.importLines({ pending.popFirst() }, mode: .bestEffort, dryRun: false, by: Attribution(author: "importer"))
        #expect(report.created == 5)
        let feed = try db.revisions.changes(after: start, filter: ChangeFilter(), limit: 10).changes
        let said: [String] = feed.map { revision in
            switch revision.state {
            case .actor?: return "actor"
            case .source?: return "source"
            case .quote(let quote)?: return quote.text
            default: return "?"
            }
        }
        #expect(said == ["actor", "first", "second", "source", "third"])
    }
}
