import Chronicle
import Testing

extension RepositoryConformance {
    /// Bulk import: created or updated by id or natural key, references by any key, unchanged
    /// records left alone, every bad line reported; atomic and dry runs write nothing on failure.
    static let imports: [ConformanceCheck] = [
        ConformanceCheck("import: by natural keys, references by any key, reported line by line") { db in
            let eventID = Identifier.make(.event), quoteID = Identifier.make(.quote)
            func lines() -> [ImportLine] {
                [
                    ImportLine(line: 1, kind: .source, id: nil, content: .success(.source(SourceDraft(url: "https://example.org/a", title: "Article")))),
                    ImportLine(line: 2, kind: .actor, id: nil, content: .success(.actor(ActorDraft(slug: "alexander-lukashenko", kind: .person,
                                                                                                  name: "Alexander Lukashenko", wikidataID: "Q14148")))),
                    ImportLine(line: 3, kind: .event, id: eventID, content: .success(.event(EventDraft(
                        title: "Talks", start: date("2022-02"), participants: [Participant(actorID: "alexander-lukashenko", role: .host)],
                        citations: [Citation(sourceID: "https://example.org/a", excerpt: "x")])))),
                    ImportLine(line: 4, kind: .quote, id: quoteID, content: .success(.quote(QuoteDraft(
                        text: "words", language: "en", speakerID: "Q14148", eventID: eventID)))),
                    ImportLine(line: 5, kind: .quote, id: nil, content: .success(.quote(QuoteDraft(text: "orphan", language: "en", speakerID: "nobody")))),
                    ImportLine(line: 6, kind: nil, id: nil, content: .failure(.validation([FieldError("kind", "missing")]))),
                    ImportLine(line: 7, kind: .actor, id: "evt_wrongkind", content: .success(.actor(ActorDraft(kind: .person, name: "X")))),
                ]
            }
            var iterator = lines().makeIterator()
            let report = try db.importer.importLines({ iterator.next() }, mode: .bestEffort, dryRun: false, by: Attribution(author: "importer"))
            #expect(report.written && report.created == 4 && report.updated == 0 && report.unchanged == 0 && report.failed == 3)
            #expect(report.failures.map(\.line) == [5, 6, 7] && report.failures.map(\.field) == ["speakerId", "kind", "id"])
            let event = try db.events.find(eventID)
            let actor = try db.actors.find("alexander-lukashenko")
            #expect(event.participants.map(\.actorID) == [actor.id] && event.citations.map(\.sourceTitle) == ["Article"])
            #expect(try db.quotes.find(quoteID).speakerName == "Alexander Lukashenko" && db.quotes.find(quoteID).eventID == eventID)
            #expect(try db.revisions.latest(of: .event, id: eventID)?.attribution.author == "importer")

            // The same file again: nothing changes.
            iterator = lines().makeIterator()
            let again = try db.importer.importLines({ iterator.next() }, mode: .bestEffort, dryRun: false, by: .cli)
            #expect(again.created == 0 && again.updated == 0 && again.unchanged == 4 && again.failed == 3)
            #expect(try db.events.find(eventID).version == 1 && db.actors.find(actor.id).version == 1)

            // An update by natural key.
            let updated = [ImportLine(line: 1, kind: .actor, id: nil, content: .success(.actor(ActorDraft(kind: .person, name: "Alexander Lukashenko",
                                                                                                          description: "president", wikidataID: "Q14148"))))]
            var next = updated.makeIterator()
            let third = try db.importer.importLines({ next.next() }, mode: .bestEffort, dryRun: false, by: .cli)
            let after = try db.actors.find(actor.id)
            #expect(third.updated == 1 && after.description == "president" && after.slug == actor.slug)
        },
        ConformanceCheck("import: a line that leaves fields out changes only the fields it gives") { db in
            let source = try db.source("Kept title", url: "https://example.org/kept")
            let quote = try db.quote("Kept words", said: "2022-02-24", citations: [Citation(sourceID: source.id, excerpt: "kept")])
            // What ImportReader gives for `{"id": …, "publisher": "Desk"}` and `{"id": …, "context": "Added"}`.
            let publisher = DraftOverlay.source { stored in
                guard var draft = stored else { throw ChronicleError.validation([FieldError("title", "is required")]) }
                draft.publisher = "Desk"
                return draft
            }
            let context = DraftOverlay.quote { stored in
                guard var draft = stored else { throw ChronicleError.validation([FieldError("text", "is required")]) }
                draft.context = "Added"
                return draft
            }
            func lines() -> [ImportLine] {
                [ImportLine(line: 1, kind: .source, id: source.id, content: .success(.source(SourceDraft(url: nil, title: ""))), overlay: publisher),
                 ImportLine(line: 2, kind: .quote, id: quote.id, content: .success(.quote(QuoteDraft(text: "", language: "en"))), overlay: context)]
            }
            var next = lines().makeIterator()
            let report = try db.importer.importLines({ next.next() }, mode: .atomic, dryRun: false, by: .cli)
            #expect(report.written && report.updated == 2 && report.failed == 0, "\(report)")
            let kept = try db.sources.find(source.id), words = try db.quotes.find(quote.id)
            #expect(kept.title == "Kept title" && kept.url == "https://example.org/kept" && kept.publisher == "Desk")
            #expect(words.text == "Kept words" && words.said == quote.said && words.context == "Added" && words.citations.map(\.excerpt) == ["kept"])
            // The same lines again say nothing new.
            next = lines().makeIterator()
            let again = try db.importer.importLines({ next.next() }, mode: .atomic, dryRun: false, by: .cli)
            #expect(try again.unchanged == 2 && again.updated == 0 && db.sources.find(source.id).version == 2)
            // A line naming no stored record is a new one: the overlay alone, its required fields asked for.
            next = [ImportLine(line: 1, kind: .source, id: Identifier.make(.source), content: .success(.source(SourceDraft(url: nil, title: ""))),
                               overlay: publisher)].makeIterator()
            let new = try db.importer.importLines({ next.next() }, mode: .bestEffort, dryRun: false, by: .cli)
            #expect(new.failed == 1 && new.failures.map(\.field) == ["title"])
        },
        ConformanceCheck("import: atomic and dry runs write nothing unless every line succeeds") { db in
            let good = ImportLine(line: 1, kind: .source, id: nil, content: .success(.source(SourceDraft(url: nil, title: "Kept?"))))
            let bad = ImportLine(line: 2, kind: .event, id: nil, content: .success(.event(EventDraft(title: "E", start: date("2022"),
                                                                                                      citations: [Citation(sourceID: "src_nothing")]))))
            var lines = [good, bad].makeIterator()
            let atomic = try db.importer.importLines({ lines.next() }, mode: .atomic, dryRun: false, by: .cli)
            #expect(!atomic.written && atomic.created == 1 && atomic.failed == 1 && atomic.failures.map(\.field) == ["citations[0].sourceId"])
            #expect(try db.sources.list(SourceFilter(), sort: [], page: PageRequest(includeTotal: true)).total == 0)
            #expect(try db.revisions.head() == 0)
            lines = [good].makeIterator()
            let dry = try db.importer.importLines({ lines.next() }, mode: .atomic, dryRun: true, by: .cli)
            #expect(!dry.written && dry.created == 1 && dry.failed == 0)
            #expect(try db.sources.list(SourceFilter(), sort: [], page: PageRequest(includeTotal: true)).total == 0)
            lines = [good, good].makeIterator()
            let written = try db.importer.importLines({ lines.next() }, mode: .atomic, dryRun: false, by: .cli)
            #expect(written.written && written.created == 2)
            #expect(try db.sources.list(SourceFilter(), sort: [], page: PageRequest(includeTotal: true)).total == 2)
            // A deleted id imported again comes back numbered on from its deletion.
            let source = try db.source("Gone")
            try db.sources.delete(source.id, cascade: false)
            lines = [ImportLine(line: 1, kind: .source, id: source.id, content: .success(.source(SourceDraft(url: nil, title: "Back"))))].makeIterator()
            #expect(try db.importer.importLines({ lines.next() }, mode: .bestEffort, dryRun: false, by: .cli).created == 1)
            #expect(try db.sources.find(source.id).version == 3 && db.revisions.latest(of: .source, id: source.id)?.number == 3)
        },
    ]
}
