import Chronicle
import Testing

extension RepositoryConformance {
    /// Create, find, update and delete, for each record kind.
    static let records: [ConformanceCheck] = [
        ConformanceCheck("actors: create, find by id and slug, update, delete") { db in
            let created = try db.person("Alexander Lukashenko", aliases: [Alias(name: "Лукашенко", language: "ru"), Alias(name: "Lukashenka")],
                                        description: "President of Belarus")
            #expect(created.slug == "alexander-lukashenko" && created.version == 1 && created.kind == .person)
            #expect(created.id.hasPrefix("act_") && created.createdAt == created.updatedAt)
            #expect(try db.actors.find(created.id) == created)
            #expect(try db.actors.find("alexander-lukashenko") == created)
            #expect(created.aliases == [Alias(name: "Лукашенко", language: "ru"), Alias(name: "Lukashenka")])

            var draft = created.draft
            draft.description = "President of Belarus since 1994"
            draft.aliases = [Alias(name: "Lukashenka", language: "en")]
            draft.country = "BY"
            draft.wikidataID = "Q14148"
            let updated = try db.actors.update(created.id, expectedVersion: 1, with: draft)
            #expect(updated.version == 2 && updated.description == "President of Belarus since 1994" && updated.createdAt == created.createdAt)
            #expect(try db.actors.find(created.id) == updated)
            #expect(updated.aliases == [Alias(name: "Lukashenka", language: "en")] && updated.country == "BY" && updated.wikidataID == "Q14148")

            try db.actors.delete(created.id, cascade: false)
            #expect(throws: ChronicleError.notFound(.actor, created.id)) { try db.actors.find(created.id) }
            #expect(throws: ChronicleError.notFound(.actor, "alexander-lukashenko")) { try db.actors.find("alexander-lukashenko") }
            #expect(throws: ChronicleError.notFound(.actor, created.id)) { try db.actors.delete(created.id, cascade: false) }
            #expect(throws: ChronicleError.notFound(.actor, created.id)) { try db.actors.update(created.id, expectedVersion: 1, with: draft) }
        },
        ConformanceCheck("actors: slugs and Wikidata ids are unique") { db in
            _ = try db.actors.create(ActorDraft(kind: .person, name: "Anna", wikidataID: "Q1"))
            let twin = try db.actors.create(ActorDraft(kind: .person, name: "Anna"))
            #expect(twin.slug == "anna-2")
            #expect(try db.actors.create(ActorDraft(kind: .person, name: "Ánna")).slug == "anna-3")
            #expect(throws: ChronicleError.duplicate(.actor, field: "slug", value: "anna")) {
                try db.actors.create(ActorDraft(slug: "anna", kind: .person, name: "Other"))
            }
            #expect(throws: ChronicleError.duplicate(.actor, field: "wikidataId", value: "Q1")) {
                try db.actors.create(ActorDraft(kind: .person, name: "Other", wikidataID: "Q1"))
            }
            var draft = twin.draft
            draft.slug = "anna"
            #expect(throws: ChronicleError.duplicate(.actor, field: "slug", value: "anna")) {
                try db.actors.update(twin.id, expectedVersion: 1, with: draft)
            }
            // A refused write changed nothing.
            #expect(try db.actors.find(twin.id) == twin)
            #expect(try db.actors.list(ActorFilter(), sort: [], page: PageRequest(includeTotal: true)).total == 3)
        },
        ConformanceCheck("actors: list filters by kind, country and Wikidata id") { db in
            _ = try db.actors.create(ActorDraft(kind: .person, name: "A", country: "BY", wikidataID: "Q10"))
            _ = try db.actors.create(ActorDraft(kind: .country, name: "Belarus", country: "BY"))
            _ = try db.actors.create(ActorDraft(kind: .person, name: "B", country: "RU"))
            #expect(try db.actors.list(ActorFilter(kind: .person), sort: [], page: PageRequest()).items.map(\.name) == ["A", "B"])
            #expect(try db.actors.list(ActorFilter(country: "BY"), sort: [SortKey(.name, descending: true)], page: PageRequest()).items.map(\.name)
                == ["Belarus", "A"])
            #expect(try db.actors.list(ActorFilter(wikidataID: "Q10"), sort: [], page: PageRequest()).items.map(\.name) == ["A"])
            #expect(try db.actors.list(ActorFilter(kind: .group), sort: [], page: PageRequest(includeTotal: true)).total == 0)
            let all = try db.actors.list(ActorFilter(), sort: [], page: PageRequest(includeTotal: true))
            #expect(all.total == 3 && all.nextCursor == nil)
            #expect(try db.actors.list(ActorFilter(), sort: [], page: PageRequest()).total == nil)
        },
        ConformanceCheck("events: participants and citations stored in order, with names") { db in
            let host = try db.person("Alexander Lukashenko")
            let guest = try db.person("Vladimir Putin")
            let source = try db.source("Article", url: "https://example.org/a")
            let other = try db.source("Untitled print edition")
            let event = try db.events.create(EventDraft(
                title: "Meeting in Minsk", summary: "They met.", start: date("2014-08-26"), end: date("2014-08-27"), locationName: "Minsk",
                locationCountry: "BY", category: .diplomacy,
                participants: [Participant(actorID: guest.id, role: .participant), Participant(actorID: host.id, role: .host),
                               Participant(actorID: guest.id, role: .mediator)],
                citations: [Citation(sourceID: source.id, excerpt: "as they meet"), Citation(sourceID: other.id)]))
            #expect(event.id.hasPrefix("evt_") && event.version == 1)
            let found = try db.events.find(event.id)
            #expect(found == event)
            #expect(found.participants.map(\.actorName) == ["Vladimir Putin", "Alexander Lukashenko", "Vladimir Putin"])
            #expect(found.participants.map(\.actorSlug) == ["vladimir-putin", "alexander-lukashenko", "vladimir-putin"])
            #expect(found.participants.map(\.role) == [.participant, .host, .mediator])
            #expect(found.citations == [Citation(sourceID: source.id, excerpt: "as they meet", sourceTitle: "Article", sourceURL: "https://example.org/a"),
                                        Citation(sourceID: other.id, excerpt: nil, sourceTitle: "Untitled print edition", sourceURL: nil)])
            #expect(found.start == date("2014-08-26") && found.start.precision == .day && found.end == date("2014-08-27"))
            #expect(found.locationName == "Minsk" && found.locationCountry == "BY" && found.category == .diplomacy && found.summary == "They met.")
            // A rename shows wherever the actor is shown, without a new version of the event.
            var renamed = host.draft
            renamed.name = "A. Lukashenko"
            _ = try db.actors.update(host.id, expectedVersion: 1, with: renamed)
            let after = try db.events.find(event.id)
            #expect(after.participants.map(\.actorName) == ["Vladimir Putin", "A. Lukashenko", "Vladimir Putin"] && after.version == 1)
        },
        ConformanceCheck("events: unknown references are field errors, in order") { db in
            let fields = validationFields {
                _ = try db.events.create(EventDraft(title: "x", start: date("2022"), participants: [Participant(actorID: "act_missing", role: .host)],
                                                    citations: [Citation(sourceID: "src_missing")]))
            }
            #expect(fields == ["participants[0].actorId", "citations[0].sourceId"])
            let stored = try db.events.list(EventFilter(), sort: [], page: PageRequest(includeTotal: true))
            #expect(stored.total == 0 && stored.items.isEmpty)
            #expect(validationFields { _ = try db.event(" ", "2022", end: "2021") } == ["title", "end"])
        },
        ConformanceCheck("events: update replaces participants and checks the version") { db in
            let a = try db.person("A"), b = try db.person("B")
            let event = try db.event("E", "2022", participants: [Participant(actorID: a.id, role: .initiator)])
            var draft = event.draft
            draft.participants = [Participant(actorID: b.id, role: .target)]
            draft.start = date("2022-02")
            draft.end = nil
            let updated = try db.events.update(event.id, expectedVersion: 1, with: draft)
            #expect(updated.participants.map(\.actorID) == [b.id] && updated.version == 2 && updated.start == date("2022-02"))
            #expect(try db.events.find(event.id) == updated)
            #expect(try db.events.list(EventFilter(actorID: a.id), sort: [], page: PageRequest()).items.isEmpty)
            #expect(try db.events.list(EventFilter(actorID: b.id), sort: [], page: PageRequest()).items.map(\.id) == [event.id])
            #expect(throws: ChronicleError.versionConflict(.event, id: event.id, expected: 1, current: 2)) {
                try db.events.update(event.id, expectedVersion: 1, with: draft)
            }
            #expect(throws: ChronicleError.notFound(.event, "evt_nope")) { try db.events.update("evt_nope", expectedVersion: 1, with: draft) }
            #expect(throws: ChronicleError.notFound(.event, "evt_nope")) { try db.events.find("evt_nope") }
        },
        ConformanceCheck("events: filters by actor, role, category, country and source") { db in
            let a = try db.person("A")
            let source = try db.source("Report")
            _ = try db.events.create(EventDraft(title: "hosted", start: date("2022"), locationCountry: "BY", category: .diplomacy,
                                                participants: [Participant(actorID: a.id, role: .host)], citations: [Citation(sourceID: source.id)]))
            _ = try db.events.create(EventDraft(title: "started", start: date("2021"), locationCountry: "UA", category: .military,
                                                participants: [Participant(actorID: a.id, role: .initiator)]))
            _ = try db.event("other", "2020")
            #expect(try db.events.list(EventFilter(actorID: a.id), sort: [], page: PageRequest()).items.map(\.title) == ["started", "hosted"])
            #expect(try db.events.list(EventFilter(actorID: a.id, role: .host), sort: [], page: PageRequest()).items.map(\.title) == ["hosted"])
            #expect(try db.events.list(EventFilter(role: .initiator), sort: [], page: PageRequest()).items.map(\.title) == ["started"])
            #expect(try db.events.list(EventFilter(category: .military), sort: [], page: PageRequest()).items.map(\.title) == ["started"])
            #expect(try db.events.list(EventFilter(country: "BY"), sort: [], page: PageRequest()).items.map(\.title) == ["hosted"])
            #expect(try db.events.list(EventFilter(sourceID: source.id), sort: [], page: PageRequest()).items.map(\.title) == ["hosted"])
            #expect(try db.events.list(EventFilter(sourceID: "src_nothing"), sort: [], page: PageRequest()).items.isEmpty)
            let viaActor = try db.actors.events(of: "a", in: db.events)
            #expect(viaActor.items.map { $0.roles(of: a.id) } == [[.initiator], [.host]])
        },
        ConformanceCheck("events: by ids in the order given, stamps as the list's") { db in
            let first = try db.event("first", "2001"), second = try db.event("second", "2002"), third = try db.event("third", "2003")
            #expect(try db.events.events([third.id, "evt_missing", first.id], in: nil).map(\.title) == ["third", "first"])
            #expect(try db.events.events([], in: nil).isEmpty)
            for sort in [[SortKey(EventSortField.start)], [SortKey(.title, descending: true)]] {
                let list = try db.events.list(EventFilter(), sort: sort, page: PageRequest(limit: 2))
                let stamps = try db.events.listStamps(EventFilter(), sort: sort, page: PageRequest(limit: 2), in: nil)
                #expect(stamps.items == list.items.map(\.stamp) && stamps.nextCursor == list.nextCursor)
            }
            #expect(try db.events.find(second.id).stamp == RecordStamp(id: second.id, version: 1, createdAt: second.createdAt))
        },
        ConformanceCheck("quotes: speaker's name, filters, update, delete") { db in
            let speaker = try db.person("Alexander Lukashenko")
            let event = try db.event("Invasion", "2022-02-24")
            let q1 = try db.quotes.create(QuoteDraft(text: "will be there if needed", language: "en", speakerID: speaker.id, said: date("2022-02-24"),
                                                     eventID: event.id, context: "at a briefing"))
            _ = try db.quotes.create(QuoteDraft(text: "Europe’s last dictator", language: "en", verification: .disputed))
            _ = try db.quotes.create(QuoteDraft(text: "слова", language: "ru", speakerID: speaker.id, said: date("2021")))
            #expect(q1.id.hasPrefix("quo_") && q1.version == 1 && q1.speakerName == "Alexander Lukashenko")
            #expect(try db.quotes.find(q1.id) == q1)
            #expect(try db.actors.quotes(of: speaker.id, in: db.quotes).items.count == 2)
            #expect(try db.quotes.list(QuoteFilter(speakerID: speaker.id, from: date("2022-02"), to: date("2022-03")), sort: [], page: PageRequest())
                .items.map(\.id) == [q1.id])
            #expect(try db.quotes.list(QuoteFilter(eventID: event.id), sort: [], page: PageRequest()).items.map(\.id) == [q1.id])
            #expect(try db.quotes.list(QuoteFilter(language: "ru"), sort: [], page: PageRequest()).items.map(\.text) == ["слова"])
            #expect(try db.quotes.list(QuoteFilter(verification: .disputed), sort: [], page: PageRequest()).items.map(\.speakerID) == [nil])
            var draft = q1.draft
            draft.verification = .verified
            draft.speakerID = nil
            let updated = try db.quotes.update(q1.id, expectedVersion: 1, with: draft)
            #expect(updated.verification == .verified && updated.version == 2 && updated.speakerID == nil && updated.speakerName == nil)
            #expect(try db.quotes.find(q1.id) == updated)
            #expect(db.quotes.deleteCascades == false)
            try db.quotes.delete(q1.id, cascade: false)
            #expect(throws: ChronicleError.notFound(.quote, q1.id)) { try db.quotes.find(q1.id) }
            #expect(throws: ChronicleError.notFound(.quote, q1.id)) { try db.quotes.delete(q1.id, cascade: false) }
            #expect(validationFields { _ = try db.quotes.create(QuoteDraft(text: "x", language: "en", speakerID: "act_x", eventID: "evt_x",
                                                                           citations: [Citation(sourceID: "src_x")])) }
                == ["speakerId", "eventId", "citations[0].sourceId"])
        },
        ConformanceCheck("quotes: an event's embedded quotes are its first list page") { db in
            let speaker = try db.person("Alexander Lukashenko")
            let source = try db.source("Article")
            let event = try db.event("Invasion", "2022-02-24")
            let other = try db.event("Talks", "2022-03")
            for (index, said) in ["2022-03", nil, "2022-02-24", "2022", "2022-02-24"].enumerated() {
                let citations = index % 2 == 0 ? [Citation(sourceID: source.id, excerpt: "excerpt \(index)")] : []
                _ = try db.quotes.create(QuoteDraft(text: "quote \(index)", language: "en", speakerID: speaker.id, said: said.map(date),
                                                    eventID: event.id, citations: citations))
            }
            _ = try db.quote("elsewhere", event: other.id)
            let listed = try db.quotes.list(QuoteFilter(eventID: event.id), sort: [], page: PageRequest(limit: 500)).items
            #expect(listed.map(\.text) == ["quote 1", "quote 3", "quote 2", "quote 4", "quote 0"].sortedTies(listed))
            let embedded = try db.quotes.quotes(ofEvent: event.id, limit: 500)
            #expect(embedded == listed && embedded.count == 5)
            #expect(embedded.map(\.speakerName) == Array(repeating: "Alexander Lukashenko", count: 5))
            #expect(embedded.filter { !$0.citations.isEmpty }.map { $0.citations[0].sourceTitle } == ["Article", "Article", "Article"])
            #expect(try db.quotes.quotes(ofEvent: event.id, limit: 2) == Array(listed.prefix(2)))
            #expect(try db.quotes.quotes(ofEvent: "evt_unknown", limit: 500).isEmpty)
        },
        ConformanceCheck("sources: create, find, update, delete") { db in
            let source = try db.sources.create(SourceDraft(url: "https://example.org/a", title: "Article", publisher: "Desk", author: "Ann",
                                                           published: date("2022-03"), accessed: date("2022-03-05")))
            #expect(source.id.hasPrefix("src_") && source.version == 1)
            #expect(try db.sources.find(source.id) == source)
            var draft = source.draft
            draft.url = nil
            draft.published = date("2022")
            draft.author = nil
            let updated = try db.sources.update(source.id, expectedVersion: 1, with: draft)
            #expect(updated.version == 2 && updated.url == nil && updated.published == date("2022") && updated.accessed == date("2022-03-05"))
            #expect(try db.sources.find(source.id) == updated)
            #expect(try db.sources.list(SourceFilter(publisher: "Desk"), sort: [], page: PageRequest()).items == [updated])
            #expect(try db.sources.list(SourceFilter(publisher: "Other"), sort: [], page: PageRequest()).items.isEmpty)
            #expect(db.sources.deleteCascades)
            try db.sources.delete(source.id, cascade: false)
            #expect(throws: ChronicleError.notFound(.source, source.id)) { try db.sources.find(source.id) }
            #expect(validationFields { _ = try db.sources.create(SourceDraft(url: "ftp://x", title: "")) } == ["url", "title"])
        },
        ConformanceCheck("text round-trips: unicode, quotes, backslashes, long text") { db in
            let tricky = "O'Brien \"quoted\" \\ back; DROP TABLE actors; -- ünïcödé 🇧🇾 Лукашэнка 中文 \t tab"
            let actor = try db.actors.create(ActorDraft(kind: .group, name: tricky, aliases: [Alias(name: tricky, language: "be")], description: tricky))
            #expect(try db.actors.find(actor.id).name == tricky && actor.aliases.first?.name == tricky && actor.description == tricky)
            let long = String(repeating: "ж", count: Limits.longText)
            let quote = try db.quotes.create(QuoteDraft(text: long, language: "ru", context: tricky))
            #expect(try db.quotes.find(quote.id).text == long && quote.context == tricky)
            #expect(try db.actors.list(ActorFilter(), sort: [], page: PageRequest()).items.map(\.name) == [tricky])
        },
    ]
}

extension Array where Element == String {
    /// This order, for the quotes whose `said` ties (the two of 2022-02-24: by id, which follows
    /// creation): the expected texts with tied ones in the order their ids give.
    fileprivate func sortedTies(_ listed: [Quote]) -> [String] {
        let ids = Dictionary(uniqueKeysWithValues: listed.map { ($0.text, $0.id) })
        var result = self
        if let i = result.firstIndex(of: "quote 2"), let j = result.firstIndex(of: "quote 4"), let a = ids["quote 2"], let b = ids["quote 4"], a > b {
            result.swapAt(i, j)
        }
        return result
    }
}
