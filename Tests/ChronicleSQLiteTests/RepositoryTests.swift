import Chronicle
import ChronicleSQLite
import Foundation
import Testing

/// `serve` loads the built-in dataset only into an empty database: a record of any kind makes
/// it not empty.
@Suite struct EmptyDatabaseTests {
    @Test func anyRecordOfAnyKindMakesTheDatabaseNotEmpty() throws {
        let empty = try makeDatabase()
        #expect(try empty.isEmpty())
        let withSource = try makeDatabase()
        _ = try withSource.sources.create(SourceDraft(url: nil, title: "Article"))
        #expect(try !withSource.isEmpty())
        let withEvent = try makeDatabase()
        _ = try withEvent.event("Talks", "2022-03")
        #expect(try !withEvent.isEmpty())
        let withActor = try makeDatabase()
        let speaker = try withActor.person("Speaker")
        #expect(try !withActor.isEmpty())
        try withActor.actors.delete(speaker.id, cascade: false)
        #expect(try withActor.isEmpty())
    }
}

@Suite struct ActorRepositoryTests {
    @Test func createFindUpdateAndDelete() throws {
        let db = try makeDatabase()
        let created = try db.person("Alexander Lukashenko", aliases: [Alias(name: "Лукашенко", language: "ru")], description: "President of Belarus")
        #expect(created.slug == "alexander-lukashenko" && created.version == 1)
        #expect(try db.actors.find(created.id) == created)
        #expect(try db.actors.find("alexander-lukashenko").id == created.id)

        var draft = created.draft
        draft.description = "President of Belarus since 1994"
        let updated = try db.actors.update(created.id, expectedVersion: 1, with: draft)
        #expect(updated.version == 2 && updated.description == "President of Belarus since 1994")
        #expect(try db.actors.find(created.id).aliases == [Alias(name: "Лукашенко", language: "ru")])

        try db.actors.delete(created.id, cascade: false)
        #expect(throws: ChronicleError.notFound(.actor, created.id)) { try db.actors.find(created.id) }
    }

    @Test func aStaleVersionIsAConflictNotAnOverwrite() throws {
        let db = try makeDatabase()
        let actor = try db.person("Vladimir Putin")
        var first = actor.draft
        first.description = "first"
        _ = try db.actors.update(actor.id, expectedVersion: 1, with: first)
        var second = actor.draft
        second.description = "second"
        #expect(throws: ChronicleError.versionConflict(.actor, id: actor.id, expected: 1, current: 2)) {
            try db.actors.update(actor.id, expectedVersion: 1, with: second)
        }
        #expect(try db.actors.find(actor.id).description == "first")
    }

    @Test func slugsAndWikidataIdsAreUnique() throws {
        let db = try makeDatabase()
        _ = try db.actors.create(ActorDraft(kind: .person, name: "Anna", wikidataID: "Q1"))
        let twin = try db.actors.create(ActorDraft(kind: .person, name: "Anna"))
        #expect(twin.slug == "anna-2")
        #expect(throws: ChronicleError.duplicate(.actor, field: "slug", value: "anna")) {
            try db.actors.create(ActorDraft(slug: "anna", kind: .person, name: "Other"))
        }
        #expect(throws: ChronicleError.duplicate(.actor, field: "wikidataId", value: "Q1")) {
            try db.actors.create(ActorDraft(kind: .person, name: "Other", wikidataID: "Q1"))
        }
    }

    @Test func deleteIsRefusedWhileReferencedUnlessCascade() throws {
        let db = try makeDatabase()
        let actor = try db.person("Alexander Lukashenko")
        let event = try db.event("Talks", "2022-02-28", participants: [Participant(actorID: actor.id, role: .host)])
        let quote = try db.quotes.create(QuoteDraft(text: "will be there if needed", language: "en", speakerID: actor.id))
        #expect(throws: ChronicleError.stillReferenced(.actor, id: actor.id, references: ["1 event", "1 quote"])) {
            try db.actors.delete(actor.id, cascade: false)
        }
        try db.actors.delete(actor.id, cascade: true)
        let after = try db.events.find(event.id)
        #expect(after.participants.isEmpty && after.version == 2)
        #expect(throws: ChronicleError.notFound(.quote, quote.id)) { try db.quotes.find(quote.id) }
    }

    @Test func listFiltersByKindCountryAndWikidata() throws {
        let db = try makeDatabase()
        _ = try db.actors.create(ActorDraft(kind: .person, name: "A", country: "BY", wikidataID: "Q10"))
        _ = try db.actors.create(ActorDraft(kind: .country, name: "Belarus", country: "BY"))
        _ = try db.actors.create(ActorDraft(kind: .person, name: "B", country: "RU"))
        #expect(try db.actors.list(ActorFilter(kind: .person), sort: [], page: PageRequest()).items.map(\.name) == ["A", "B"])
        #expect(try db.actors.list(ActorFilter(country: "BY"), sort: [SortKey(.name, descending: true)], page: PageRequest()).items.map(\.name) == ["Belarus", "A"])
        #expect(try db.actors.list(ActorFilter(wikidataID: "Q10"), sort: [], page: PageRequest()).items.map(\.name) == ["A"])
        #expect(try db.actors.list(ActorFilter(), sort: [], page: PageRequest(includeTotal: true)).total == 3)
    }
}

@Suite struct EventRepositoryTests {
    @Test func participantsAndCitationsAreStoredInOrderWithNames() throws {
        let db = try makeDatabase()
        let host = try db.person("Alexander Lukashenko")
        let guest = try db.person("Vladimir Putin")
        let source = try db.sources.create(SourceDraft(url: "https://example.org/a", title: "Article"))
        let event = try db.events.create(EventDraft(
            title: "Meeting in Minsk", start: date("2014-08-26"), locationName: "Minsk", locationCountry: "BY", category: .diplomacy,
            participants: [Participant(actorID: host.id, role: .host), Participant(actorID: guest.id, role: .participant)],
            citations: [Citation(sourceID: source.id, excerpt: "as they meet")]))
        let found = try db.events.find(event.id)
        #expect(found.participants.map(\.actorName) == ["Alexander Lukashenko", "Vladimir Putin"])
        #expect(found.participants.map(\.role) == [.host, .participant])
        #expect(found.citations == [Citation(sourceID: source.id, excerpt: "as they meet", sourceTitle: "Article", sourceURL: "https://example.org/a")])
        #expect(found.start.precision == .day)
    }

    @Test func unknownReferencesAreFieldErrors() throws {
        let db = try makeDatabase()
        let fields = validationFields {
            _ = try db.events.create(EventDraft(title: "x", start: date("2022"), participants: [Participant(actorID: "act_missing", role: .host)],
                                                citations: [Citation(sourceID: "src_missing")]))
        }
        #expect(fields == ["participants[0].actorId", "citations[0].sourceId"])
    }

    @Test func updateReplacesParticipantsAndChecksTheVersion() throws {
        let db = try makeDatabase()
        let a = try db.person("A"), b = try db.person("B")
        let event = try db.event("E", "2022", participants: [Participant(actorID: a.id, role: .initiator)])
        var draft = event.draft
        draft.participants = [Participant(actorID: b.id, role: .target)]
        draft.start = date("2022-02")
        let updated = try db.events.update(event.id, expectedVersion: 1, with: draft)
        #expect(updated.participants.map(\.actorID) == [b.id] && updated.version == 2 && updated.start == date("2022-02"))
        #expect(throws: ChronicleError.versionConflict(.event, id: event.id, expected: 1, current: 2)) {
            try db.events.update(event.id, expectedVersion: 1, with: draft)
        }
        #expect(throws: ChronicleError.notFound(.event, "evt_nope")) { try db.events.update("evt_nope", expectedVersion: 1, with: draft) }
    }

    @Test func dateOverlapFindsYearMonthAndDayPrecision() throws {
        let db = try makeDatabase()
        for (title, start, end) in [("year", "2022", nil), ("month", "2022-02", nil), ("day", "2022-02-24", nil), ("march", "2022-03-04", nil),
                                    ("before", "2021", nil), ("poll", "2022-01-20", "2022-02-09"), ("decade", "2000", "2009")] as [(String, String, String?)] {
            _ = try db.event(title, start, end: end)
        }
        let february = try db.events.list(EventFilter(from: date("2022-02"), to: date("2022-02")), sort: [], page: PageRequest())
        #expect(february.items.map(\.title) == ["year", "poll", "month", "day"])
        let fromMarch = try db.events.list(EventFilter(from: date("2022-03")), sort: [], page: PageRequest())
        #expect(fromMarch.items.map(\.title) == ["year", "march"])
        let mid2000s = try db.events.list(EventFilter(from: date("2005"), to: date("2005")), sort: [], page: PageRequest())
        #expect(mid2000s.items.map(\.title) == ["decade"])
        // The longest span bounds the index scan; it must never hide an event.
        _ = try db.event("ancient", "0001", end: "0020")
        #expect(try db.events.list(EventFilter(from: date("0010"), to: date("0010")), sort: [], page: PageRequest()).items.map(\.title) == ["ancient"])
        #expect(try db.events.list(EventFilter(from: date("0001-01-01")), sort: [], page: PageRequest(limit: 500)).items.count == 8)
    }

    @Test func filtersByActorRoleCategoryAndCountry() throws {
        let db = try makeDatabase()
        let a = try db.person("A")
        _ = try db.events.create(EventDraft(title: "hosted", start: date("2022"), locationCountry: "BY", category: .diplomacy,
                                            participants: [Participant(actorID: a.id, role: .host)]))
        _ = try db.events.create(EventDraft(title: "started", start: date("2021"), locationCountry: "UA", category: .military,
                                            participants: [Participant(actorID: a.id, role: .initiator)]))
        _ = try db.event("other", "2020")
        #expect(try db.events.list(EventFilter(actorID: a.id), sort: [], page: PageRequest()).items.map(\.title) == ["started", "hosted"])
        #expect(try db.events.list(EventFilter(actorID: a.id, role: .host), sort: [], page: PageRequest()).items.map(\.title) == ["hosted"])
        #expect(try db.events.list(EventFilter(category: .military), sort: [], page: PageRequest()).items.map(\.title) == ["started"])
        #expect(try db.events.list(EventFilter(country: "BY"), sort: [], page: PageRequest()).items.map(\.title) == ["hosted"])
        let viaActor = try db.actors.events(of: "a", in: db.events)
        #expect(viaActor.items.map { $0.roles(of: a.id) } == [[.initiator], [.host]])
    }

    @Test func deleteIsRefusedWhileQuotesReferToTheEvent() throws {
        let db = try makeDatabase()
        let event = try db.event("E", "2022")
        let quote = try db.quotes.create(QuoteDraft(text: "q", language: "en", eventID: event.id))
        #expect(throws: ChronicleError.stillReferenced(.event, id: event.id, references: ["1 quote"])) { try db.events.delete(event.id, cascade: false) }
        #expect(try db.events.quotes(of: event.id, in: db.quotes).items.map(\.id) == [quote.id])
        try db.events.delete(event.id, cascade: true)
        #expect(throws: ChronicleError.notFound(.quote, quote.id)) { try db.quotes.find(quote.id) }
        #expect(throws: ChronicleError.notFound(.event, event.id)) { try db.events.delete(event.id, cascade: false) }
    }
}

@Suite struct QuoteAndSourceRepositoryTests {
    @Test func quotesCarryTheirSpeakerAndFilter() throws {
        let db = try makeDatabase()
        let speaker = try db.person("Alexander Lukashenko")
        let q1 = try db.quotes.create(QuoteDraft(text: "will be there if needed", language: "en", speakerID: speaker.id, said: date("2022-02-24")))
        _ = try db.quotes.create(QuoteDraft(text: "Europe’s last dictator", language: "en", verification: .disputed))
        _ = try db.quotes.create(QuoteDraft(text: "слова", language: "ru", speakerID: speaker.id, said: date("2021")))
        #expect(try db.quotes.find(q1.id).speakerName == "Alexander Lukashenko")
        #expect(try db.actors.quotes(of: speaker.id, in: db.quotes).items.count == 2)
        #expect(try db.quotes.list(QuoteFilter(speakerID: speaker.id, from: date("2022-02"), to: date("2022-03")), sort: [], page: PageRequest()).items.map(\.id) == [q1.id])
        #expect(try db.quotes.list(QuoteFilter(language: "ru"), sort: [], page: PageRequest()).items.map(\.text) == ["слова"])
        #expect(try db.quotes.list(QuoteFilter(verification: .disputed), sort: [], page: PageRequest()).items.map(\.speakerID) == [nil])
        var draft = q1.draft
        draft.verification = .verified
        #expect(try db.quotes.update(q1.id, expectedVersion: 1, with: draft).verification == .verified)
        try db.quotes.delete(q1.id)
        #expect(throws: ChronicleError.notFound(.quote, q1.id)) { try db.quotes.delete(q1.id) }
        #expect(validationFields { _ = try db.quotes.create(QuoteDraft(text: "x", language: "en", speakerID: "act_x", eventID: "evt_x")) } == ["speakerId", "eventId"])
    }

    @Test func anEventsEmbeddedQuotesAreItsFirstListPage() throws {
        let db = try makeDatabase()
        let speaker = try db.person("Alexander Lukashenko")
        let source = try db.sources.create(SourceDraft(url: nil, title: "Article"))
        let event = try db.event("Invasion", "2022-02-24")
        let other = try db.event("Talks", "2022-03")
        for (index, said) in ["2022-03", nil, "2022-02-24", "2022", "2022-02-24"].enumerated() {
            let citations = index % 2 == 0 ? [Citation(sourceID: source.id, excerpt: "excerpt \(index)")] : []
            _ = try db.quotes.create(QuoteDraft(text: "quote \(index)", language: "en", speakerID: speaker.id, said: said.map(date),
                                                eventID: event.id, citations: citations))
        }
        _ = try db.quotes.create(QuoteDraft(text: "elsewhere", language: "en", eventID: other.id))
        let listed = try db.quotes.list(QuoteFilter(eventID: event.id), sort: [], page: PageRequest(limit: 500)).items
        let embedded = try db.quotes.quotes(ofEvent: event.id, limit: 500)
        #expect(embedded.map(\.id) == listed.map(\.id) && embedded.count == 5)
        #expect(embedded.map(\.citations) == listed.map(\.citations))
        #expect(embedded.map(\.speakerName) == Array(repeating: "Alexander Lukashenko", count: 5))
        #expect(embedded.filter { !$0.citations.isEmpty }.count == 3)
        let firstTwo = try db.quotes.quotes(ofEvent: event.id, limit: 2)
        #expect(firstTwo.map(\.id) == Array(listed.prefix(2).map(\.id)) && firstTwo.map(\.citations) == Array(listed.prefix(2).map(\.citations)))
        #expect(try db.quotes.quotes(ofEvent: "evt_unknown", limit: 500).isEmpty)
    }

    /// A record and what it embeds, read in one snapshot, agree even when a write commits
    /// between the two reads; each read outside it sees the write.
    @Test func readsGivenOneSnapshotAgreeWhateverCommitsMeanwhile() throws {
        let db = try makeDatabase()
        let event = try db.event("Invasion", "2022-02-24")
        _ = try db.quotes.create(QuoteDraft(text: "first", language: "en", eventID: event.id))
        let (seen, embedded) = try db.snapshot { snapshot in
            let seen = try db.events.find(event.id, in: snapshot)
            // Committed on another thread while the snapshot is open.
            let added = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                _ = try? db.quotes.create(QuoteDraft(text: "second", language: "en", eventID: event.id))
                added.signal()
            }
            added.wait()
            return (seen, try db.quotes.quotes(ofEvent: event.id, limit: 10, in: snapshot))
        }
        #expect(embedded.map(\.text) == ["first"])
        // A quote is its own record: the event's version stays, and the log of what records
        // embed says the event's quotes changed.
        #expect(try db.events.find(event.id).version == seen.version)
        #expect(try db.embeddedChanges.changed(after: 0, through: db.embeddedChanges.position(in: nil))?.contains(event.id) == true)
        #expect(try db.quotes.quotes(ofEvent: event.id, limit: 10).count == 2)
    }

    @Test func sourcesCannotBeDeletedWhileCitedUnlessCascade() throws {
        let db = try makeDatabase()
        let source = try db.sources.create(SourceDraft(url: nil, title: "Article", publisher: "Desk", published: date("2022-03")))
        let event = try db.events.create(EventDraft(title: "E", start: date("2022"), citations: [Citation(sourceID: source.id)]))
        #expect(throws: ChronicleError.stillReferenced(.source, id: source.id, references: ["1 event citation"])) {
            try db.sources.delete(source.id, cascade: false)
        }
        var draft = source.draft
        draft.title = "Article, corrected"
        #expect(try db.sources.update(source.id, expectedVersion: 1, with: draft).version == 2)
        #expect(try db.events.find(event.id).citations.first?.sourceTitle == "Article, corrected")
        try db.sources.delete(source.id, cascade: true)
        #expect(try db.events.find(event.id).citations.isEmpty)
        #expect(validationFields { _ = try db.sources.create(SourceDraft(url: "ftp://x", title: "")) } == ["url", "title"])
    }
}
