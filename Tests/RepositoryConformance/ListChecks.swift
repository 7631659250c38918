import Chronicle
import Foundation
import Testing

extension RepositoryConformance {
    /// Partial dates: a filter [from, to] keeps what may overlap it (a record's earliest day is at
    /// most `to`'s latest, its latest at least `from`'s earliest); lists sort by earliest day.
    static let dates: [ConformanceCheck] = [
        ConformanceCheck("dates: event overlap finds year, month and day precision") { db in
            for (title, start, end) in [("year", "2022", nil), ("month", "2022-02", nil), ("day", "2022-02-24", nil), ("march", "2022-03-04", nil),
                                        ("before", "2021", nil), ("poll", "2022-01-20", "2022-02-09"), ("decade", "2000", "2009")] as [(String, String, String?)] {
                _ = try db.event(title, start, end: end)
            }
            func titles(_ from: String?, _ to: String?, sort: [SortKey<EventSortField>] = []) throws -> [String] {
                try db.events.list(EventFilter(from: from.map(date), to: to.map(date)), sort: sort, page: PageRequest()).items.map(\.title)
            }
            #expect(try titles("2022-02", "2022-02") == ["year", "poll", "month", "day"])
            #expect(try titles("2022-03", nil) == ["year", "march"])
            #expect(try titles(nil, "2021-12-31") == ["decade", "before"])
            #expect(try titles("2005", "2005") == ["decade"])
            #expect(try titles("2009-12-31", "2010") == ["decade"])
            #expect(try titles("2010", "2020").isEmpty)
            #expect(try titles("2022-02-10", "2022-02-23") == ["year", "month"])
            #expect(try titles("2022-02-09", "2022-02-09") == ["year", "poll", "month"])
            // By end: the latest day of the span (the end's, else the start's).
            #expect(try titles("2022", nil, sort: [SortKey(.end)]) == ["poll", "day", "month", "march", "year"])
            #expect(try titles(nil, nil, sort: [SortKey(.end, descending: true)]).first == "year")
            // A long span far back is never hidden by the shorter ones around it.
            _ = try db.event("ancient", "0001", end: "0020")
            #expect(try titles("0010", "0010") == ["ancient"])
            #expect(try db.events.list(EventFilter(from: date("0001-01-01")), sort: [], page: PageRequest(limit: 500)).items.count == 8)
        },
        ConformanceCheck("dates: quote and source dates filter and sort") { db in
            for (text, said) in [("undated", nil), ("year", "2014"), ("month", "2014-08"), ("day", "2014-08-26"), ("later", "2015-01-02")] as [(String, String?)] {
                _ = try db.quote(text, said: said)
            }
            func texts(_ from: String?, _ to: String?, sort: [SortKey<QuoteSortField>] = []) throws -> [String] {
                try db.quotes.list(QuoteFilter(from: from.map(date), to: to.map(date)), sort: sort, page: PageRequest()).items.map(\.text)
            }
            #expect(try texts(nil, nil) == ["undated", "year", "month", "day", "later"])
            #expect(try texts(nil, nil, sort: [SortKey(.said, descending: true)]) == ["later", "day", "month", "year", "undated"])
            #expect(try texts("2014-08-26", "2014-08-26") == ["year", "month", "day"])
            #expect(try texts("2014-09", nil) == ["year", "later"])
            #expect(try texts(nil, "2014-07") == ["year"])
            #expect(try texts("2016", nil).isEmpty)
            for (title, published) in [("none", nil), ("old", "1999"), ("new", "2022-03-01"), ("mid", "2010-06")] as [(String, String?)] {
                _ = try db.source(title, published: published)
            }
            #expect(try db.sources.list(SourceFilter(), sort: [SortKey(.published)], page: PageRequest()).items.map(\.title) == ["none", "old", "mid", "new"])
            #expect(try db.sources.list(SourceFilter(), sort: [SortKey(.title)], page: PageRequest()).items.map(\.title) == ["mid", "new", "none", "old"])
        },
    ]

    /// Keyset pages: in the sort's order, ties by id, neither repeating nor skipping a row.
    static let paging: [ConformanceCheck] = [
        ConformanceCheck("cursors: pages with equal sort keys neither repeat nor skip") { db in
            var expected: Set<String> = []
            for i in 0..<11 { expected.insert(try db.event("same day \(i % 2)", "2022-02-24").id) }
            for sort in [[SortKey(EventSortField.start)], [SortKey(.start, descending: true), SortKey(.title)], [SortKey(.title, descending: true)],
                         [SortKey(.end), SortKey(.created, descending: true)], [SortKey(.updated)]] {
                let (items, pages) = try walk { try db.events.list(EventFilter(), sort: sort, page: PageRequest(limit: 3, cursor: $0)) }
                #expect(pages == 4, "sort \(sort)")
                #expect(items.count == 11 && Set(items.map(\.id)) == expected, "sort \(sort)")
                // The pages together are the one long page.
                #expect(items.map(\.id) == (try db.events.list(EventFilter(), sort: sort, page: PageRequest(limit: 500))).items.map(\.id), "sort \(sort)")
            }
            // Ties are broken by id, in the direction of the last key.
            #expect(try db.events.list(EventFilter(), sort: [SortKey(.start)], page: PageRequest(limit: 500)).items.map(\.id) == expected.sorted())
            #expect(try db.events.list(EventFilter(), sort: [SortKey(.start, descending: true)], page: PageRequest(limit: 500)).items.map(\.id)
                == expected.sorted().reversed())
            // A page exactly as long as what is left has no next page... or an empty one after it.
            let exact = try db.events.list(EventFilter(), sort: [], page: PageRequest(limit: 11))
            #expect(exact.items.count == 11 && exact.nextCursor == nil)
        },
        ConformanceCheck("cursors: every kind pages through ties in every sort") { db in
            let names = ["Zoe", "adam", "Émile", "Adam", "Zoe", "Ola", "adam"]
            for name in names { _ = try db.person(name) }
            for sort in ActorSortField.allCases.flatMap({ [[SortKey($0)], [SortKey($0, descending: true)]] }) {
                let whole = try db.actors.list(ActorFilter(), sort: sort, page: PageRequest(limit: 500)).items.map(\.id)
                let (items, pages) = try walk { try db.actors.list(ActorFilter(), sort: sort, page: PageRequest(limit: 2, cursor: $0)) }
                #expect(items.map(\.id) == whole && pages == 4 && Set(whole).count == names.count, "actors by \(sort)")
            }
            // Names sort by their bytes (code points), the same on every backend.
            #expect(try db.actors.list(ActorFilter(), sort: [SortKey(.name)], page: PageRequest()).items.map(\.name)
                == ["Adam", "Ola", "Zoe", "Zoe", "adam", "adam", "Émile"])
            for (index, said) in [nil, "2020", nil, "2020", "2019-05", nil, "2020"].enumerated() {
                _ = try db.quote("quote \(index)", said: said)
                _ = try db.source("source \(index % 3)", published: said)
            }
            for sort in QuoteSortField.allCases.flatMap({ [[SortKey($0)], [SortKey($0, descending: true)]] }) {
                let whole = try db.quotes.list(QuoteFilter(), sort: sort, page: PageRequest(limit: 500)).items.map(\.id)
                let (items, pages) = try walk { try db.quotes.list(QuoteFilter(), sort: sort, page: PageRequest(limit: 3, cursor: $0)) }
                #expect(items.map(\.id) == whole && pages == 3 && Set(whole).count == 7, "quotes by \(sort)")
            }
            for sort in SourceSortField.allCases.flatMap({ [[SortKey($0)], [SortKey($0, descending: true), SortKey(.title)]] }) {
                let whole = try db.sources.list(SourceFilter(), sort: sort, page: PageRequest(limit: 500)).items.map(\.id)
                let (items, pages) = try walk { try db.sources.list(SourceFilter(), sort: sort, page: PageRequest(limit: 1, cursor: $0)) }
                #expect(items.map(\.id) == whole && pages == 7 && Set(whole).count == 7, "sources by \(sort)")
            }
        },
        ConformanceCheck("cursors: a cursor stays valid while rows are inserted") { db in
            for year in 2001...2006 { _ = try db.event("year \(year)", "\(year)") }
            let first = try db.events.list(EventFilter(), sort: [], page: PageRequest(limit: 3))
            #expect(first.items.map(\.title) == ["year 2001", "year 2002", "year 2003"])
            _ = try db.event("year 2000", "2000")
            _ = try db.event("year 2004 again", "2004")
            let second = try db.events.list(EventFilter(), sort: [], page: PageRequest(limit: 10, cursor: first.nextCursor))
            #expect(second.items.map(\.title).sorted() == ["year 2004", "year 2004 again", "year 2005", "year 2006"])
            #expect(second.nextCursor == nil)
        },
        ConformanceCheck("cursors: filters hold on every page, totals count them all") { db in
            let a = try db.person("A")
            for i in 0..<9 {
                _ = try db.event("e\(i)", "20\(10 + i)", participants: i % 2 == 0 ? [Participant(actorID: a.id, role: .host)] : [])
            }
            let filter = EventFilter(actorID: a.id, from: date("2011"))
            let (items, _) = try walk { try db.events.list(filter, sort: [SortKey(.start, descending: true)], page: PageRequest(limit: 2, cursor: $0)) }
            #expect(items.map(\.title) == ["e8", "e6", "e4", "e2"])
            #expect(try db.events.list(filter, sort: [], page: PageRequest(limit: 1, includeTotal: true)).total == 4)
        },
        ConformanceCheck("cursors: bad limits and foreign cursors are validation errors") { db in
            _ = try db.event("anything", "2022")
            #expect(validationFields { _ = try db.events.list(EventFilter(), sort: [], page: PageRequest(limit: 0)) } == ["limit"])
            #expect(validationFields { _ = try db.events.list(EventFilter(), sort: [], page: PageRequest(limit: 501)) } == ["limit"])
            #expect(validationFields { _ = try db.actors.list(ActorFilter(), sort: [], page: PageRequest(limit: -1)) } == ["limit"])
            #expect(validationFields { _ = try db.events.list(EventFilter(), sort: [], page: PageRequest(cursor: "garbage")) } == ["cursor"])
            let cursor = Cursor(sort: "title", values: ["a", "b"]).encoded
            #expect(validationFields { _ = try db.events.list(EventFilter(), sort: [], page: PageRequest(cursor: cursor)) } == ["cursor"])
            #expect(validationFields { _ = try db.quotes.list(QuoteFilter(), sort: [], page: PageRequest(cursor: cursor)) } == ["cursor"])
            #expect(validationFields { _ = try db.sources.list(SourceFilter(), sort: [], page: PageRequest(cursor: cursor)) } == ["cursor"])
            // A cursor's values are data, never SQL.
            let hostile = Cursor(sort: "start", values: ["9999' OR '1'='1", "x"]).encoded
            #expect(try db.events.list(EventFilter(), sort: [], page: PageRequest(cursor: hostile)).items.isEmpty)
        },
    ]
}
