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
