import Chronicle
import Testing

extension RepositoryConformance {
    /// Full-text search: which records a query finds (hit sets), the same syntax on every
    /// backend. Scores differ between engines (bm25 against PostgreSQL's ts_rank), so only what
    /// both promise is checked of the order: lower rank first, a title match above a body match.
    static let search: [ConformanceCheck] = [
        ConformanceCheck("search: spans kinds and follows updates and deletes") { db in
            let actor = try db.person("Anatoli Liabedzka", description: "opposition")
            let quote = try db.quotes.create(QuoteDraft(text: "legal foundation for a Russian military base", language: "en", speakerID: actor.id))
            let event = try db.event("Referendum on a new constitution", "2022-02-27", summary: "Russian military base allowed")
            let source = try db.source("Military base report", publisher: "Desk")
            func ids(_ query: String, _ kinds: Set<RecordKind> = []) throws -> Set<String> {
                Set(try db.search.search(query, kinds: kinds, limit: 10).map(\.id))
            }
            #expect(Set(try db.search.search("military base", kinds: [], limit: 10).map(\.kind)) == [.quote, .event, .source])
            #expect(try ids("military base", [.quote]) == [quote.id])
            #expect(try ids("military base", [.quote, .source]) == [quote.id, source.id])
            #expect(try ids("opposition") == [actor.id])
            #expect(try ids("Desk") == [source.id])
            var draft = event.draft
            draft.summary = "nothing here"
            _ = try db.events.update(event.id, expectedVersion: 1, with: draft)
            #expect(try ids("military") == [quote.id, source.id])
            #expect(try ids("nothing") == [event.id])
            try db.quotes.delete(quote.id, cascade: false)
            try db.sources.delete(source.id, cascade: false)
            #expect(try ids("military").isEmpty)
            var renamed = actor.draft
            renamed.name = "Anatol Lyabedzka"
            _ = try db.actors.update(actor.id, expectedVersion: 1, with: renamed)
            #expect(try ids("Liabedzka").isEmpty && ids("Lyabedzka") == [actor.id])
        },
        ConformanceCheck("search: words, phrases, OR, NOT and prefixes") { db in
            let quote = try db.quote("legal foundation for a Russian military base")
            let event = try db.event("Referendum", "2022-02-27", summary: "Russian military base allowed")
            let grain = try db.event("Grain corridor opens", "2022-07-22")
            let harvest = try db.event("Harvest fails", "2022-09-01")
            func ids(_ query: String) throws -> Set<String> { Set(try db.search.search(query, kinds: [], limit: 10).map(\.id)) }
            #expect(try ids("military") == [quote.id, event.id])
            #expect(try ids("military allowed") == [event.id])
            #expect(try ids("\"military base\"") == [quote.id, event.id])
            #expect(try ids("\"base military\"").isEmpty)
            #expect(try ids("\"Russian military base allowed\"") == [event.id])
            #expect(try ids("grain OR harvest") == [grain.id, harvest.id])
            #expect(try ids("grain OR harvest OR legal") == [grain.id, harvest.id, quote.id])
            #expect(try ids("military NOT legal") == [event.id])
            #expect(try ids("milit*") == [quote.id, event.id])
            #expect(try ids("harv* OR corr*") == [grain.id, harvest.id])
            #expect(try ids("MILITARY") == [quote.id, event.id])
            #expect(try ids("nonexistentword").isEmpty)
            #expect(try db.search.search("military OR grain OR harvest", kinds: [], limit: 2).count == 2)
        },
        ConformanceCheck("search: FTS5's precedence: NOT over AND over OR, parentheses first") { db in
            let a = try db.source("alpha beta")
            let b = try db.source("gamma")
            let c = try db.source("alpha gamma")
            func ids(_ query: String) throws -> Set<String> { Set(try db.search.search(query, kinds: [], limit: 10).map(\.id)) }
            #expect(try ids("alpha beta OR gamma") == [a.id, b.id, c.id])
            #expect(try ids("alpha AND (beta OR gamma)") == [a.id, c.id])
            #expect(try ids("gamma NOT alpha") == [b.id])
            #expect(try ids("alpha NOT beta OR gamma") == [b.id, c.id])
            #expect(try ids("alpha NOT (beta OR gamma)").isEmpty)
        },
        ConformanceCheck("search: aliases in any script and folded accents find the same record") { db in
            let actor = try db.person("Alexander Lukashenko", aliases: [Alias(name: "Лукашенко", language: "ru"), Alias(name: "Lukashenka", language: "en")])
            let royal = try db.person("Ségolène Royal")
            _ = try db.person("Vladimir Putin")
            for query in ["Лукашенко", "лукашенко", "Lukashenka", "lukashenko", "Lukash*", "Лукаш*"] {
                #expect(try db.search.search(query, kinds: [], limit: 10).map(\.id) == [actor.id], "query \(query)")
            }
            for query in ["Ségolène", "segolene", "SEGOLENE", "Segolène"] {
                #expect(try db.search.search(query, kinds: [], limit: 10).map(\.id) == [royal.id], "query \(query)")
            }
            #expect(try db.actors.list(ActorFilter(text: "Лукашенко"), sort: [], page: PageRequest()).items.map(\.id) == [actor.id])
            #expect(try db.actors.list(ActorFilter(kind: .person, text: "segolene"), sort: [], page: PageRequest()).items.map(\.id) == [royal.id])
        },
        ConformanceCheck("search: lists filter by text on every kind") { db in
            let actor = try db.person("Grain trader")
            let event = try db.event("Grain corridor", "2022")
            _ = try db.event("Other", "2022")
            let quote = try db.quote("about grain")
            _ = try db.quote("about nothing")
            let source = try db.source("Grain report")
            #expect(try db.actors.list(ActorFilter(text: "grain"), sort: [], page: PageRequest()).items.map(\.id) == [actor.id])
            #expect(try db.events.list(EventFilter(text: "grain"), sort: [], page: PageRequest(includeTotal: true)).items.map(\.id) == [event.id])
            #expect(try db.events.list(EventFilter(text: "grain"), sort: [], page: PageRequest(includeTotal: true)).total == 1)
            #expect(try db.events.listStamps(EventFilter(text: "grain"), sort: [], page: PageRequest(), in: nil).items.map(\.id) == [event.id])
            #expect(try db.quotes.list(QuoteFilter(text: "grain"), sort: [], page: PageRequest()).items.map(\.id) == [quote.id])
            #expect(try db.sources.list(SourceFilter(text: "grain"), sort: [], page: PageRequest()).items.map(\.id) == [source.id])
            #expect(try db.sources.list(SourceFilter(text: "grain OR nothing"), sort: [], page: PageRequest()).items.map(\.id) == [source.id])
        },
        ConformanceCheck("search: a title match ranks above a body match, with the match marked") { db in
            let body = try db.event("Talks in Minsk", "2022-03-03", summary: "Mediation about the invasion")
            let title = try db.event("Russia invades Ukraine", "2022-02-24", summary: "The war begins")
            let hits = try db.search.search("invades OR invasion", kinds: [.event], limit: 10)
            #expect(hits.map(\.id) == [title.id, body.id])
            #expect(hits.count == 2 && hits[0].rank < hits[1].rank)
            #expect(hits.first?.snippet.contains("[invades]") == true)
            #expect(hits.first?.title == "Russia invades Ukraine" && hits.first?.kind == .event)
            let armistice = try db.event("Armistice", "2022-04-02")
            let repeated = try db.event("Meeting", "2022-04-01", summary: "armistice armistice armistice")
            #expect(try db.search.search("armistice", kinds: [.event], limit: 5).map(\.id) == [armistice.id, repeated.id])
        },
        ConformanceCheck("search: bad syntax and bad limits are validation errors") { db in
            _ = try db.event("anything", "2022")
            for query in ["\"unbalanced", "AND", "foo:bar", "(a OR", "NEAR(", "*", "a OR", "NOT"] {
                #expect(validationFields { _ = try db.search.search(query, kinds: [], limit: 10) } == ["q"], "query \(query)")
                #expect(validationFields { _ = try db.events.list(EventFilter(text: query), sort: [], page: PageRequest()) } == ["q"], "query \(query)")
            }
            #expect(validationFields { _ = try db.search.search("  ", kinds: [], limit: 10) } == ["q"])
            #expect(validationFields { _ = try db.search.search("anything", kinds: [], limit: 0) } == ["limit"])
            #expect(try db.search.search("anything", kinds: [], limit: 10).count == 1)
        },
    ]
}
