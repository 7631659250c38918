import Chronicle
@testable import ChronicleSQLite
import Foundation
import Testing

@Suite struct PaginationTests {
    @Test func pagesWithEqualSortKeysNeitherRepeatNorSkip() throws {
        let db = try makeDatabase()
        var expected: Set<String> = []
        for i in 0..<11 { expected.insert(try db.event("same day \(i % 2)", "2022-02-24").id) }
        for sort in [[SortKey(EventSortField.start)], [SortKey(.start, descending: true), SortKey(.title)], [SortKey(.title, descending: true)]] {
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try db.events.list(EventFilter(), sort: sort, page: PageRequest(limit: 3, cursor: cursor))
                seen += page.items.map(\.id)
                cursor = page.nextCursor
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 4)
            #expect(seen.count == 11 && Set(seen) == expected)
        }
    }

    /// A source cited by thousands is found by walking the list's order, one cited by a few
    /// through its index (`CitationTable.citing`): both give every citing record once, in order,
    /// page after page, and nothing else.
    @Test func recordsCitingASourceComeInOrderWhetherItIsCitedByFewOrMany() throws {
        let db = try makeDatabase()
        let everywhere = try db.sources.create(SourceDraft(url: nil, title: "Cited by every record"))
        let rarely = try db.sources.create(SourceDraft(url: nil, title: "Cited by every seventh"))
        let count = CitationTable.manyCiting + 100
        var lines: [ImportLine] = []
        for i in 0..<count {
            var citations = [Citation(sourceID: everywhere.id)]
            if i % 7 == 0 { citations.append(Citation(sourceID: rarely.id)) }
            // Dates out of insertion order, some missing, so that order is the list's, not the rows'.
            let day = date(String(format: "20%02d-%02d", (i * 37) % 24, 1 + i % 12))
            lines.append(ImportLine(line: 2 * i + 1, kind: .quote, id: nil,
                                    content: .success(.quote(QuoteDraft(text: "quote \(i)", language: "en", said: i % 5 == 0 ? nil : day, citations: citations)))))
            lines.append(ImportLine(line: 2 * i + 2, kind: .event, id: nil,
                                    content: .success(.event(EventDraft(title: "event \(i)", start: day, citations: citations)))))
        }
        var next = lines.makeIterator()
        let report = try db.importLines({ next.next() }, mode: .bestEffort, dryRun: false, by: Attribution(author: "test"))
        #expect(report.created == 2 * count && report.failed == 0)

        func walk<Item>(_ list: (String?) throws -> Page<Item>) throws -> [Item] {
            var items: [Item] = [], cursor: String?
            repeat {
                let page = try list(cursor)
                items += page.items
                cursor = page.nextCursor
            } while cursor != nil && items.count <= 2 * count
            return items
        }
        // Which records cite the rare source, from the data itself: every seventh by its number.
        let citesRarely = { (text: String) in Int(text.split(separator: " ").last ?? "").map { $0 % 7 == 0 } ?? false }
        for sort in [[SortKey(QuoteSortField.said)], [SortKey(QuoteSortField.said, descending: true)]] {
            let everyQuote = try walk { try db.quotes.list(QuoteFilter(), sort: sort, page: PageRequest(limit: 500, cursor: $0)) }
            let all = everyQuote.map(\.id)
            let cited = Set(everyQuote.filter { citesRarely($0.text) }.map(\.id))
            #expect(all.count == count && cited.count == (count + 6) / 7)
            #expect(try walk { try db.quotes.list(QuoteFilter(sourceID: everywhere.id), sort: sort, page: PageRequest(limit: 50, cursor: $0)) }.map(\.id) == all)
            #expect(try walk { try db.quotes.list(QuoteFilter(sourceID: rarely.id), sort: sort, page: PageRequest(limit: 50, cursor: $0)) }.map(\.id)
                == all.filter(cited.contains))
        }
        let everyEvent = try walk { try db.events.list(EventFilter(), sort: [], page: PageRequest(limit: 500, cursor: $0)) }
        let events = everyEvent.map(\.id)
        #expect(try walk { try db.events.list(EventFilter(sourceID: everywhere.id), sort: [], page: PageRequest(limit: 50, cursor: $0)) }.map(\.id) == events)
        #expect(try walk { try db.events.list(EventFilter(sourceID: rarely.id), sort: [], page: PageRequest(limit: 50, cursor: $0)) }.map(\.id)
            == everyEvent.filter { citesRarely($0.title) }.map(\.id))
        #expect(try db.quotes.list(QuoteFilter(sourceID: "src_nothing"), sort: [], page: PageRequest(limit: 50)).items.isEmpty)
    }

    @Test func aCursorStaysValidWhileRowsAreInserted() throws {
        let db = try makeDatabase()
        for year in 2001...2006 { _ = try db.event("year \(year)", "\(year)") }
        let first = try db.events.list(EventFilter(), sort: [], page: PageRequest(limit: 3))
        #expect(first.items.map(\.title) == ["year 2001", "year 2002", "year 2003"])
        _ = try db.event("year 2000", "2000")
        _ = try db.event("year 2004 again", "2004")
        let second = try db.events.list(EventFilter(), sort: [], page: PageRequest(limit: 10, cursor: first.nextCursor))
        #expect(second.items.map(\.title).sorted() == ["year 2004", "year 2004 again", "year 2005", "year 2006"])
        #expect(second.nextCursor == nil)
    }

    @Test func limitsAndForeignCursorsAreValidationErrors() throws {
        let db = try makeDatabase()
        #expect(validationFields { _ = try db.events.list(EventFilter(), sort: [], page: PageRequest(limit: 0)) } == ["limit"])
        #expect(validationFields { _ = try db.events.list(EventFilter(), sort: [], page: PageRequest(limit: 501)) } == ["limit"])
        #expect(validationFields { _ = try db.events.list(EventFilter(), sort: [], page: PageRequest(cursor: "garbage")) } == ["cursor"])
        let cursor = Cursor(sort: "title", values: ["a", "b"]).encoded
        #expect(validationFields { _ = try db.events.list(EventFilter(), sort: [], page: PageRequest(cursor: cursor)) } == ["cursor"])
    }
}

@Suite struct SearchTests {
    @Test func titleMatchesRankAboveBodyMatches() throws {
        let db = try makeDatabase()
        let body = try db.event("Talks in Minsk", "2022-03-03", summary: "Mediation about the invasion")
        let title = try db.event("Russia invades Ukraine", "2022-02-24", summary: "The war begins")
        let hits = try db.search.search("invades OR invasion", kinds: [.event], limit: 10)
        #expect(hits.map(\.id) == [title.id, body.id])
        #expect(hits[0].rank < hits[1].rank)
        #expect(hits[0].snippet.contains("[invades]"))
    }

    /// What the ranking function must keep from bm25: rarer words weigh more, more of the
    /// query's words beat fewer, repeated words count for less each time.
    @Test func rankingWeighsRareWordsAndMoreOfTheQuery() throws {
        let db = try makeDatabase()
        // "talks" is in every title below, "ceasefire" in one: a ceasefire match outranks a talks match.
        let common = try (0..<6).map { try db.event("Talks round \($0)", "2022-03-0\($0 + 1)") }
        let rare = try db.event("Ceasefire agreed", "2022-03-09")
        let both = try db.event("Ceasefire talks", "2022-03-10")
        let hits = try db.search.search("ceasefire OR talks", kinds: [.event], limit: 20)
        #expect(hits.first?.id == both.id, "both words beat either one")
        #expect(hits.dropFirst().first?.id == rare.id, "the rare word beats the common one")
        #expect(hits.dropFirst(2).map(\.id) == common.reversed().map(\.id), "equal scores: the newest first")
        #expect(hits.map(\.rank) == hits.map(\.rank).sorted())
        // Saying a word twice in the body does not outweigh saying it once in the title.
        let body = try db.event("Meeting", "2022-04-01", summary: "armistice armistice armistice")
        let title = try db.event("Armistice", "2022-04-02")
        #expect(try db.search.search("armistice", kinds: [.event], limit: 5).map(\.id) == [title.id, body.id])
        // More phrases than the ranking function weighs one by one (64) still rank and return.
        let many = (0..<66).map { "w\($0)" }.joined(separator: " OR ") + " OR armistice"
        #expect(try db.search.search(many, kinds: [.event], limit: 5).map(\.id).sorted() == [title.id, body.id].sorted())
    }

    /// The ranking function drops rows that the best `limit` so far beat; what is left must be
    /// exactly the first hits of ranking everything, kinds filtered before any row is dropped.
    @Test func aSmallLimitGivesTheFirstHitsOfALargeOne() throws {
        let db = try makeDatabase()
        for index in 0..<60 {  // the word in the title or not, once to three times in the body: many ties
            let body = String(repeating: "grain ", count: index % 4)
            _ = try db.event(index % 3 == 0 ? "Grain deal \(index)" : "Talks \(index)", "2022-03-01", summary: body + "harvest")
        }
        for index in 0..<8 { _ = try db.person("Grain Grain Board \(index)") }  // the word twice in the title: first
        for index in 0..<150 { _ = try db.event("Filler \(index)", "2022-04-01", summary: "harvest") }  // keeps "grain" rare
        let all = try db.search.search("grain OR harvest", kinds: [], limit: 500)
        #expect(all.count == 218)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.rank <= $1.rank })
        for limit in [1, 5, 7, 20, 67, 217] {
            #expect(try db.search.search("grain OR harvest", kinds: [], limit: limit).map(\.id) == all.prefix(limit).map(\.id), "limit \(limit)")
        }
        let events = all.filter { $0.kind == .event }
        #expect(Array(events.prefix(8)).count == 8 && all.prefix(8).allSatisfy { $0.kind == .actor })
        #expect(try db.search.search("grain OR harvest", kinds: [.event], limit: 6).map(\.id) == events.prefix(6).map(\.id))
    }

    /// A one-phrase or `a OR b` query is answered by one walk of each phrase's matches
    /// (chronicle_top); it must find exactly what visiting every matching row through SQL finds:
    /// the same hits, ranks, order and snippets, for every kind filter and limit.
    @Test func oneWalkPerPhraseFindsWhatEveryRowFinds() throws {
        let db = try makeDatabase()
        let words = ["grain", "deal", "ceasefire", "talks", "Київ", "Odesa", "port", "ship", "war", "signed", "harvest"]
        var seed: UInt64 = 0xfeed
        func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        func text(_ count: Int) -> String { (0..<count).map { _ in words[next(words.count)] }.joined(separator: " ") }
        var people: [Actor] = []
        for index in 0..<40 { people.append(try db.person("\(text(1 + next(3))) \(index)", description: next(2) == 0 ? nil : text(next(20)))) }
        for _ in 0..<120 {
            let event = try db.event(text(1 + next(5)), "2022-03-01", summary: next(4) == 0 ? nil : text(next(60)))
            if next(2) == 0 {
                _ = try db.quotes.create(QuoteDraft(text: text(3 + next(30)), language: "en", speakerID: people[next(people.count)].id,
                                                    said: date("2022-03-02"), eventID: event.id))
            }
        }
        let queries = ["grain", "ship", "київ", "\"grain deal\"", "grain OR harvest", "war OR ship OR port", "talks OR talks",
                       "\"ceasefire talks\" OR odesa", "signed OR nothingmatches", "nothingmatches"]
        let filters: [Set<RecordKind>] = [[], [.event], [.actor, .quote], [.quote]]
        var compared = 0
        for query in queries {
            for kinds in filters {
                for limit in [1, 3, 20, 500] {
                    let walked = try db.search.search(query, kinds: kinds, limit: limit, strategy: .oneWalkPerPhrase)
                    let everyRow = try db.search.search(query, kinds: kinds, limit: limit, strategy: .everyRowThroughSQL)
                    #expect(walked != nil, "\(query) was not answered by one walk per phrase")
                    #expect(walked == everyRow, "\(query) \(kinds) limit \(limit)")
                    // Phrase by phrase: walked the first time, from the cache after that.
                    let kept = try db.search.search(query, kinds: kinds, limit: limit, strategy: .keptPhrases)
                    #expect(kept != nil, "\(query) was not answered phrase by phrase")
                    #expect(kept == everyRow, "\(query) \(kinds) limit \(limit), kept phrases")
                    compared += everyRow?.count ?? 0
                }
            }
        }
        #expect(compared > 1_000)
        // More matches than a walk may hold: left to every row, with the same answer.
        var small = db.search
        small.matchesHeld = 10
        #expect(try small.search("war OR ship OR port", kinds: [], limit: 20, strategy: .oneWalkPerPhrase) == nil)
        #expect(try small.search("war OR ship OR port", kinds: [], limit: 20)
                == db.search.search("war OR ship OR port", kinds: [], limit: 20, strategy: .everyRowThroughSQL))
        #expect(try small.search("nothingmatches OR x", kinds: [], limit: 5) == [])
        // Not disjunctions, or not for one walk: left to every row, and still answered.
        for query in ["grain deal", "grain NOT deal", "gra*", "title: grain", "(grain OR deal)", "NEAR(grain deal)",
                      "\"!!!\" OR grain", (0..<65).map { "w\($0)" }.joined(separator: " OR ") + " OR grain"] {
            #expect(try db.search.search(query, kinds: [], limit: 20, strategy: .oneWalkPerPhrase) == nil, "\(query)")
            #expect(try db.search.search(query, kinds: [], limit: 20) == db.search.search(query, kinds: [], limit: 20, strategy: .everyRowThroughSQL))
        }
    }

    @Test(arguments: [("grain", ["grain"]), ("grain OR deal", ["grain", "deal"]), ("  grain  OR\t\"a b\"  ", ["grain", "\"a b\""]),
                      ("\"say \"\"no\"\"\" OR x", ["\"say \"\"no\"\"\"", "x"]), ("Київ OR war", ["Київ", "war"]),
                      ("grain or deal", nil), ("grain deal", nil), ("grain OR", nil), ("OR grain", nil),
                      ("grain OR OR deal", nil), ("grain*", nil), ("title:grain", nil), ("(grain)", nil), ("grain AND deal", nil),
                      ("NOT grain", nil), ("NEAR(a b)", nil), ("\"open", nil), ("\"a\"b", nil), ("a-b", nil), ("^grain", nil),
                      ("grain +deal", nil), ("", nil)] as [(String, [String]?)])
    func disjunctionsAreSplitIntoTheirPhrases(_ query: String, _ expected: [String]?) {
        #expect(SearchSyntax.phrases(of: query)?.map(String.init) == expected, "\(query)")
    }

    /// Random titles and bodies (repeated words, punctuation, Cyrillic, long and empty bodies):
    /// every snippet has balanced brackets around query words only, and stays short.
    @Test func snippetsOfRandomTextsAreWellFormed() throws {
        let db = try makeDatabase()
        let words = ["grain", "deal", "ceasefire", "talks", "Київ", "Odesa", "port", "ship", "war", "signed"]
        var seed: UInt64 = 0x5eed
        func next(_ bound: Int) -> Int {  // a fixed sequence, so a failure can be replayed
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        func text(_ count: Int) -> String {
            (0..<count).map { _ in words[next(words.count)] + [" ", ", ", ". ", " — "][next(4)] }.joined()
        }
        for _ in 0..<150 {
            let title = text(1 + next(6)).trimmingCharacters(in: .whitespaces)
            _ = try db.event(title.isEmpty ? "untitled" : title, "2022-03-01", summary: next(5) == 0 ? nil : text(next(300)))
        }
        let queries = ["grain", "grain OR talks", "\"grain deal\"", "gra*", "talks NOT war", "київ", "ship OR port OR war", "Odesa signed"]
        for query in queries {
            let terms = query.lowercased().split(separator: " ").filter { !["or", "not"].contains($0) }
                .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"*")) }
            let hits = try db.search.search(query, kinds: [.event], limit: 100)
            #expect(hits.count > 3, "\(query)")
            for hit in hits {
                var marked: [Substring] = []
                var open: String.Index?
                for index in hit.snippet.indices {
                    switch hit.snippet[index] {
                    case "[": #expect(open == nil, "nested in \(hit.snippet)"); open = hit.snippet.index(after: index)
                    case "]": if let start = open { marked.append(hit.snippet[start..<index]) } else { Issue.record("unopened in \(hit.snippet)") }; open = nil
                    default: break
                    }
                }
                #expect(open == nil && !marked.isEmpty, "\(query): \(hit.snippet)")
                for piece in marked {
                    let first = piece.lowercased().split(whereSeparator: { !$0.isLetter }).first.map(String.init) ?? ""
                    #expect(terms.contains { first.hasPrefix($0) }, "\(query): [\(piece)] in \(hit.snippet)")
                }
                #expect(hit.snippet.split(separator: " ").count <= 40, "\(hit.snippet)")
            }
        }
    }

    /// Snippets of ASCII text find token boundaries without the tokenizer; they must mark exactly
    /// the tokens FTS5's own highlight() marks with the tokenizer. Titles of under 16 tokens are
    /// shown whole, so the two strings must be equal: random letters, digits, underscores,
    /// apostrophes and punctuation, in both cases; and titles that mix in non-ASCII letters.
    @Test func asciiSnippetsMarkWhatTheTokenizerMarks() throws {
        let db = try makeDatabase()
        let pieces = ["grain", "Grain", "GRAIN", "grain2", "2grain", "grain_deal", "o'grain", "grain-deal", "grain.", "(grain)",
                      "deal", "x", "42", "a1b2", "étage", "grainé", "Київ", "—", "...", "\"grain\"", "grain's", "#grain", "grain\tdeal"]
        var seed: UInt64 = 0xa5c11
        func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        for _ in 0..<200 {
            let words = (0..<(1 + next(7))).map { _ in pieces[next(pieces.count)] }
            _ = try db.event(words.joined(separator: [" ", "  ", ", ", " - "][next(4)]) + " grain", "2022-03-01")
        }
        for query in ["grain", "deal", "grain OR deal", "x OR 42"] {
            let expected = try db.pool.read { connection in
                try connection.all("SELECT record_id, highlight(search_index, 2, '[', ']') FROM search_index WHERE search_index MATCH ?",
                                   [.text(query)]) { ($0.string(0), $0.string(1)) }
            }
            let highlighted = Dictionary(expected, uniquingKeysWith: { first, _ in first })
            let hits = try db.search.search(query, kinds: [.event], limit: 500)
            #expect(hits.count == highlighted.count && hits.count > 20, "\(query)")
            for hit in hits where hit.title.count <= 120 {
                #expect(hit.snippet == highlighted[hit.id], "\(query): \(hit.title)")
            }
        }
    }

    @Test func longTitlesAreShortenedByCharactersNotBytes() throws {
        let db = try makeDatabase()
        let long = try db.event("Ceasefire " + String(repeating: "a", count: 190), "2022-03-01")
        let cyrillic = try db.event("Перемирие " + String(repeating: "ж", count: 100), "2022-03-02")  // 110 characters, 220 bytes
        let hits = try db.search.search("ceasefire OR перемирие", kinds: [.event], limit: 5)
        let titles = Dictionary(uniqueKeysWithValues: hits.map { ($0.id, $0.title) })
        #expect(titles[long.id] == "Ceasefire " + String(repeating: "a", count: 109) + "…" && titles[long.id]?.count == 120)
        #expect(titles[cyrillic.id] == cyrillic.title)
        // ASCII is cut on its bytes; "\r\n" is one character, so such a title is counted.
        let ascii120 = String(repeating: "b", count: 120)
        #expect(SQLiteSearchRepository.shortened(ascii120) == ascii120)
        #expect(SQLiteSearchRepository.shortened(ascii120 + "c") == String(repeating: "b", count: 119) + "…")
        let crlf = String(repeating: "x\r\n", count: 40) + "y"  // 121 bytes, 81 characters
        #expect(SQLiteSearchRepository.shortened(crlf) == crlf)
        let mixed = "é" + String(repeating: "z", count: 125)  // 127 bytes, 126 characters
        #expect(SQLiteSearchRepository.shortened(mixed) == "é" + String(repeating: "z", count: 118) + "…")
    }

    /// Snippets come from the ranked query's own match positions (chronicle_snippet), not a second MATCH.
    @Test func snippetsShowEachMatchInContext() throws {
        let db = try makeDatabase()
        // About 16 tokens centred on the match; cut ends are marked.
        var words = (1...40).map { "word\($0)" }
        words[20] = "ceasefire"
        _ = try db.event("Talks in Minsk", "2022-03-03", summary: words.joined(separator: " "))
        let centred = "…" + (13...28).map { $0 == 20 ? "[ceasefire]" : "word\($0 + 1)" }.joined(separator: " ") + "…"
        #expect(try db.search.search("ceasefire", kinds: [.event], limit: 1).first?.snippet == centred)
        // A phrase is marked whole, each match apart; words of the phrase alone are not matches.
        _ = try db.event("Minsk", "2022-03-04", summary: "The Russian military base and a base for the Russian military.")
        #expect(try db.search.search("\"military base\" OR russian", kinds: [.event], limit: 1).first?.snippet
                == "The [Russian] [military base] and a base for the [Russian] military.")
        // The body on a tie with the title (a hit shows its title anyway); the title when only it matches.
        _ = try db.event("Armistice", "2022-03-05", summary: "An armistice is signed")
        #expect(try db.search.search("armistice", kinds: [.event], limit: 1).first?.snippet == "An [armistice] is signed")
        _ = try db.event("Grain corridor opens", "2022-03-06", summary: "Ships leave Odesa")
        #expect(try db.search.search("grain", kinds: [.event], limit: 1).first?.snippet == "[Grain] corridor opens")
        // Prefix queries mark the whole word; text in other scripts keeps its bytes.
        _ = try db.person("Alexander Lukashenko", aliases: [Alias(name: "Лукашенко", language: "ru")])
        #expect(try db.search.search("Лукаш*", kinds: [.actor], limit: 1).first?.snippet.contains("[Лукашенко]") == true)
    }

    @Test func optimizingKeepsEveryHitAndLaterWritesAreStillFound() throws {
        let db = try makeDatabase()
        for index in 0..<40 { _ = try db.event("Border talks \(index)", "2022-03-01", summary: "round \(index) of talks") }
        let before = try db.search.search("talks", kinds: [], limit: 100)
        try db.optimize()
        #expect(try db.search.search("talks", kinds: [], limit: 100).map(\.id) == before.map(\.id))
        let later = try db.event("Talks resume", "2022-04-01")
        #expect(try db.search.search("resume", kinds: [], limit: 5).map(\.id) == [later.id])
    }

    @Test func aliasesInAnyScriptFindTheSamePerson() throws {
        let db = try makeDatabase()
        let actor = try db.person("Alexander Lukashenko", aliases: [Alias(name: "Лукашенко", language: "ru"), Alias(name: "Lukashenka", language: "en")])
        _ = try db.person("Vladimir Putin")
        for query in ["Лукашенко", "Lukashenka", "lukashenko", "Lukash*"] {
            #expect(try db.search.search(query, kinds: [], limit: 10).map(\.id) == [actor.id], "query \(query)")
        }
        #expect(try db.actors.list(ActorFilter(text: "Лукашенко"), sort: [], page: PageRequest()).items.map(\.id) == [actor.id])
    }

    @Test func searchSpansKindsAndFollowsUpdatesAndDeletes() throws {
        let db = try makeDatabase()
        let actor = try db.person("Anatoli Liabedzka", description: "opposition")
        let quote = try db.quotes.create(QuoteDraft(text: "legal foundation for a Russian military base", language: "en", speakerID: actor.id))
        let event = try db.event("Referendum on a new constitution", "2022-02-27", summary: "Russian military base allowed")
        #expect(Set(try db.search.search("military base", kinds: [], limit: 10).map(\.kind)) == [.quote, .event])
        #expect(try db.search.search("military base", kinds: [.quote], limit: 10).map(\.id) == [quote.id])
        var draft = event.draft
        draft.summary = "nothing here"
        _ = try db.events.update(event.id, expectedVersion: 1, with: draft)
        #expect(try db.search.search("military", kinds: [], limit: 10).map(\.id) == [quote.id])
        try db.quotes.delete(quote.id)
        #expect(try db.search.search("military", kinds: [], limit: 10).isEmpty)
    }

    @Test(arguments: ["\"unbalanced", "AND", "foo:bar", "(a OR", "NEAR(", "*"])
    func badSearchSyntaxIsAValidationError(_ query: String) throws {
        let db = try makeDatabase()
        _ = try db.event("anything", "2022")
        #expect(validationFields { _ = try db.search.search(query, kinds: [], limit: 10) } == ["q"])
        #expect(validationFields { _ = try db.events.list(EventFilter(text: query), sort: [], page: PageRequest()) } == ["q"])
    }
}

@Suite struct ConcurrencyTests {
    @Test func concurrentWritersAndReadersLoseNothing() throws {
        let db = try makeDatabase()
        let actor = try db.person("Shared")
        let writers = 6, perWriter = 25
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: writers * 2) { worker in
            do {
                if worker < writers {
                    for i in 0..<perWriter {
                        _ = try db.quotes.create(QuoteDraft(text: "quote \(worker)-\(i)", language: "en", speakerID: actor.id))
                    }
                } else {
                    // Readers page through while writers commit; every page must be consistent.
                    for _ in 0..<20 {
                        let page = try db.quotes.list(QuoteFilter(speakerID: actor.id), sort: [SortKey(.created)], page: PageRequest(limit: 500, includeTotal: true))
                        if page.items.count != page.total { failures.add("page of \(page.items.count) but total \(page.total ?? -1)") }
                    }
                }
            } catch {
                failures.add("\(error)")
            }
        }
        #expect(failures.all.isEmpty)
        let all = try db.quotes.list(QuoteFilter(speakerID: actor.id), sort: [], page: PageRequest(limit: 500))
        #expect(Set(all.items.map(\.text)).count == writers * perWriter)
    }

    @Test func concurrentUpdatesWithTheSameVersionLetExactlyOneWin() throws {
        let db = try makeDatabase()
        let actor = try db.person("Contested")
        let failures = Failures()
        let wins = Failures()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            var draft = actor.draft
            draft.description = "writer \(worker)"
            do {
                _ = try db.actors.update(actor.id, expectedVersion: 1, with: draft)
                wins.add("\(worker)")
            } catch ChronicleError.versionConflict {
            } catch {
                failures.add("\(error)")
            }
        }
        #expect(failures.all.isEmpty && wins.all.count == 1)
        #expect(try db.actors.find(actor.id).description == "writer \(wins.all[0])")
    }
}

final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ item: String) { lock.lock(); items.append(item); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}

@Suite struct BuiltinDatasetTests {
    @Test func itLoadsOnceAndEveryRecordCitesTheArticle() throws {
        let db = try makeDatabase()
        let dataset = try BuiltinDataset.bundled()
        let summary = try #require(try dataset.load(into: db))
        #expect(summary.actors == dataset.actors.count && summary.events == dataset.events.count && summary.quotes == dataset.quotes.count)
        #expect(try dataset.load(into: db) == nil)

        let article = try #require(try db.sources.list(SourceFilter(), sort: [], page: PageRequest()).items.first { $0.title.contains("uncomfortable bedfellow") })
        let events = try db.events.list(EventFilter(), sort: [], page: PageRequest(limit: 500)).items
        let quotes = try db.quotes.list(QuoteFilter(), sort: [], page: PageRequest(limit: 500)).items
        #expect(events.count == dataset.events.count && quotes.count == dataset.quotes.count)
        #expect(events.allSatisfy { $0.citations.contains { $0.sourceID == article.id && $0.excerpt != nil } })
        #expect(quotes.allSatisfy { $0.citations.contains { $0.sourceID == article.id } })
    }

    @Test func itAnswersTheNewsroomsQuestions() throws {
        let db = try makeDatabase()
        try BuiltinDataset.bundled().load(into: db)
        let lukashenko = try db.actors.find("alexander-lukashenko")
        #expect(try db.search.search("Лукашенко", kinds: [.actor], limit: 5).first?.id == lukashenko.id)

        let in2022 = try db.events.list(EventFilter(actorID: lukashenko.id, from: date("2022"), to: date("2022")), sort: [], page: PageRequest())
        #expect(in2022.items.contains { $0.start == date("2022-03-05") && $0.roles(of: lukashenko.id) == [.participant] })
        #expect(in2022.items.contains { $0.start == date("2022-02-28") && $0.roles(of: lukashenko.id) == [.host] })

        let february = try db.events.list(EventFilter(from: date("2022-02"), to: date("2022-02")), sort: [], page: PageRequest()).items
        #expect(february.contains { $0.title == "Russia invades Ukraine" && $0.start == date("2022-02-24") })
        #expect(february.map(\.start.earliest) == february.map(\.start.earliest).sorted())

        let saidByHim = try db.actors.quotes(of: "alexander-lukashenko", in: db.quotes).items
        #expect(saidByHim.map(\.text) == ["will be there if needed"])
        #expect(saidByHim.first?.said == date("2022-02-24"))
        let poll = try #require(february.first { $0.title.contains("Chatham House") })
        #expect(poll.start == date("2022-01-20") && poll.end == date("2022-02-09"))
    }
}

@Suite struct BuiltinDatasetSourceTests {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The article the built-in dataset encodes. It is not part of the repository: it lies beside
    /// the checkout (`../shared/source-article.txt`) on the project's own machines and in CI, and
    /// `CHRONICLE_SOURCE_ARTICLE` may point at a copy elsewhere.
    static let article: URL = {
        if let path = ProcessInfo.processInfo.environment["CHRONICLE_SOURCE_ARTICLE"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/source-article.txt")
    }()
    static let articleIsHere = FileManager.default.fileExists(atPath: article.path)

    @Test func theEmbeddedJSONIsTheResourceFile() throws {
        let file = try String(contentsOf: root.appendingPathComponent("Sources/ChronicleSQLite/Resources/builtin-dataset.json"), encoding: .utf8)
        #expect(BuiltinDataset.json == file, "run python3 tools/dataset.py after editing the dataset")
    }

    @Test(.enabled(if: articleIsHere, """
        skipped: the source article is not at ../shared/source-article.txt beside this checkout (it is not part of the \
        repository); set CHRONICLE_SOURCE_ARTICLE=PATH to check the built-in dataset against a copy
        """))
    func everyExcerptIsVerbatimInTheArticle() throws {
        let article = try String(contentsOf: Self.article, encoding: .utf8)
        let dataset = try BuiltinDataset.bundled()
        let excerpts = (dataset.events.flatMap(\.citations) + dataset.quotes.flatMap(\.citations)).filter { $0.source == "article" }.compactMap(\.excerpt)
        #expect(excerpts.count == dataset.events.count + dataset.quotes.count)
        for excerpt in excerpts { #expect(article.contains(excerpt), "not in the article: \(excerpt)") }
        for quote in dataset.quotes { #expect(article.contains(quote.text), "quote not in the article: \(quote.text)") }
    }
}

@Suite struct BoundIDListTests {
    @Test func jsonEachReadsBackEveryStringAsWritten() throws {
        let db = try makeDatabase()
        let strings = ["evt_plain", "quote\"inside", "back\\slash", "tab\tand\nnewline\u{1}", "Лукашенко", "emoji 🇺🇦", ""]
        let read = try db.pool.read { connection in
            try connection.all("SELECT value FROM json_each(?) ORDER BY key", [jsonArray(strings)]) { $0.string(0) }
        }
        #expect(read == strings)
        #expect(oneOf("c.id", ["a"]) == "c.id = ?" && oneOf("c.id", ["a", "b"]).contains("json_each"))
    }
}
