import Testing
@testable import Chronicle

@Suite struct ValidationTests {
    @Test func everyBadFieldIsReportedAtOnce() {
        let draft = ActorDraft(slug: "Bad Slug", kind: .person, name: " ", aliases: [Alias(name: "x", language: "english!")],
                               country: "by", wikidataID: "7747")
        do {
            try draft.validate()
            Issue.record("accepted an invalid actor")
        } catch {
            guard case .validation(let errors) = error else { Issue.record("wrong error \(error)"); return }
            #expect(Set(errors.map(\.field)) == ["slug", "name", "aliases[0].language", "country", "wikidataId"])
        }
    }

    /// References with a NUL or past any id's length are refused by field, before a store is
    /// asked (PostgreSQL cannot even look a NUL up).
    @Test func referencesWithANulAreRefusedByField() throws {
        let quote = QuoteDraft(text: "Said", language: "en", speakerID: "act_\u{0}x", eventID: String(repeating: "e", count: 3_000),
                               citations: [Citation(sourceID: "src\u{0}")])
        #expect(throws: ChronicleError.validation([
            FieldError("speakerId", "must not contain NUL characters"),
            FieldError("eventId", "is 3000 bytes long; no record has an id or key that long"),
            FieldError("citations[0].sourceId", "must not contain NUL characters"),
        ])) { try quote.validate() }
        let event = EventDraft(title: "Talks", start: try PartialDate(parsing: "2022"), participants: [Participant(actorID: "a\u{0}", role: .host)])
        #expect(throws: ChronicleError.validation([FieldError("participants[0].actorId", "must not contain NUL characters")])) { try event.validate() }
    }

    /// Square brackets only around an IPv6 address, as RFC 3986 has it.
    @Test func urlsWithBracketsOutsideAnIPv6AddressAreRefused() throws {
        for bad in ["http://[", "http://a[b", "http://[x]/", "http://[::1]x/", "https://user@[host]/"] {
            #expect(throws: ChronicleError.self, "\(bad)") { try SourceDraft(url: bad, title: "T").validate() }
        }
        for good in ["https://[::1]:8080/x", "http://[2001:db8::7]/", "https://example.org/a[1]?q=[x]", "https://u@example.org/"] {
            try SourceDraft(url: good, title: "T").validate()
        }
    }

    @Test func aValidActorPasses() throws {
        try ActorDraft(slug: "alexander-lukashenko", kind: .person, name: "Alexander Lukashenko",
                       aliases: [Alias(name: "Лукашенко", language: "ru")], country: "BY", wikidataID: "Q42804").validate()
    }

    @Test func anEventCannotEndBeforeItStarts() throws {
        let draft = EventDraft(title: "Poll", start: try PartialDate(parsing: "2022-02-09"), end: try PartialDate(parsing: "2022-01-20"))
        #expect(throws: ChronicleError.self) { try draft.validate() }
        let sameMonth = EventDraft(title: "Poll", start: try PartialDate(parsing: "2022-02-09"), end: try PartialDate(parsing: "2022-02"))
        try sameMonth.validate()
    }

    @Test func oversizedTextIsRefusedWithTheLimit() {
        let draft = QuoteDraft(text: String(repeating: "a", count: Limits.longText + 1), language: "en")
        #expect(throws: ChronicleError.validation([FieldError("text", "is \(Limits.longText + 1) characters long; the limit is \(Limits.longText)")])) {
            try draft.validate()
        }
    }

    @Test func slugsComeFromNames() {
        #expect(makeSlug("Alexander Lukashenko") == "alexander-lukashenko")
        #expect(makeSlug("Kassym-Jomart Tokayev") == "kassym-jomart-tokayev")
        #expect(makeSlug("Lech Wałęsa") == "lech-walesa")
        #expect(makeSlug("Лукашенко") == "actor")
    }

    @Test func sortParsingNamesAllowedFields() throws {
        let keys = try parseSort("-start,title", as: EventSortField.self)
        #expect(keys == [SortKey(.start, descending: true), SortKey(.title)])
        #expect(throws: ChronicleError.self) { try parseSort("colour", as: EventSortField.self) }
    }

    @Test func cursorsRoundTripAndRefuseAnotherSort() throws {
        let cursor = Cursor(sort: "-start", values: ["2022-02-24", "evt_1"])
        #expect(try Cursor(decoding: cursor.encoded, expectedSort: "-start", valueCount: 2) == cursor)
        #expect(throws: ChronicleError.self) { try Cursor(decoding: cursor.encoded, expectedSort: "title", valueCount: 2) }
        #expect(throws: ChronicleError.self) { try Cursor(decoding: "not a cursor", expectedSort: "-start", valueCount: 2) }
    }

    @Test func sha256MatchesTheStandardVectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(String(repeating: "a", count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test func identifiersArePrefixedAndUnique() {
        let ids = (0..<1000).map { _ in Identifier.make(.event) }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { $0.hasPrefix("evt_") && $0.count == 30 })
    }
}

@Suite struct TimeLimitMessageTests {
    /// The 503's detail names the limit as an operator set it and says what to change.
    @Test(arguments: [(2.0, "the 2 s this server"), (1.5, "the 1.5 s this server"), (0.25, "the 250 ms this server"), (0.000_001, "the 1 µs this server")])
    func theLimitIsSaidInItsOwnUnit(_ seconds: Double, _ expected: String) {
        let text = ChronicleError.timeLimit(seconds: seconds).description
        #expect(text.contains(expected), "\(text)")
        #expect(text.contains("narrow the request"))
    }
}
