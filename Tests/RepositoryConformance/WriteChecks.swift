import Chronicle
import Foundation
import Testing

extension RepositoryConformance {
    /// Optimistic concurrency: a write names the version it read; a stale one is refused.
    static let conflicts: [ConformanceCheck] = [
        ConformanceCheck("conflicts: a stale version is refused on every kind, and changes nothing") { db in
            let actor = try db.person("Vladimir Putin")
            var first = actor.draft
            first.description = "first"
            _ = try db.actors.update(actor.id, expectedVersion: 1, with: first)
            var second = actor.draft
            second.description = "second"
            #expect(throws: ChronicleError.versionConflict(.actor, id: actor.id, expected: 1, current: 2)) {
                try db.actors.update(actor.id, expectedVersion: 1, with: second)
            }
            #expect(throws: ChronicleError.versionConflict(.actor, id: actor.id, expected: 3, current: 2)) {
                try db.actors.update(actor.id, expectedVersion: 3, with: second)
            }
            #expect(try db.actors.find(actor.id).description == "first")

            let source = try db.source("Article")
            _ = try db.sources.update(source.id, expectedVersion: 1, with: SourceDraft(url: nil, title: "Article", publisher: "Desk"))
            #expect(throws: ChronicleError.versionConflict(.source, id: source.id, expected: 1, current: 2)) {
                try db.sources.update(source.id, expectedVersion: 1, with: SourceDraft(url: nil, title: "other"))
            }
            #expect(try db.sources.find(source.id).title == "Article")

            let event = try db.event("E", "2022")
            var summarised = event.draft
            summarised.summary = "once"
            _ = try db.events.update(event.id, expectedVersion: 1, with: summarised)
            summarised.summary = "twice"
            _ = try db.events.update(event.id, expectedVersion: 2, with: summarised)
            #expect(throws: ChronicleError.versionConflict(.event, id: event.id, expected: 2, current: 3)) {
                try db.events.update(event.id, expectedVersion: 2, with: event.draft)
            }

            let quote = try db.quote("q")
            _ = try db.quotes.update(quote.id, expectedVersion: 1, with: QuoteDraft(text: "q", language: "en", context: "said once"))
            #expect(throws: ChronicleError.versionConflict(.quote, id: quote.id, expected: 1, current: 2)) {
                try db.quotes.update(quote.id, expectedVersion: 1, with: QuoteDraft(text: "changed", language: "en"))
            }
            #expect(try db.quotes.find(quote.id).text == "q")
        },
        ConformanceCheck("updates: one that says what the record says is no change: no version, no revision") { db in
            let actor = try db.person("Vladimir Putin")
            let source = try db.source("Article")
            let event = try db.event("Talks", "2022-02", participants: [Participant(actorID: actor.id, role: .host)],
                                     citations: [Citation(sourceID: source.id, excerpt: "talks")])
            let quote = try db.quote("Words", speaker: actor.id, citations: [Citation(sourceID: source.id)])
            let head = try db.revisions.head()
            #expect(try db.actors.update(actor.id, expectedVersion: 1, with: actor.draft) == actor)
            #expect(try db.sources.update(source.id, expectedVersion: 1, with: source.draft) == source)
            // As a PATCH sends them: the stored draft, names and titles included, or its own fields alone.
            #expect(try db.events.update(event.id, expectedVersion: 1, with: event.draft).version == 1)
            #expect(try db.events.update(event.id, expectedVersion: 1, with: event.draft.ownFields).version == 1)
            #expect(try db.quotes.update(quote.id, expectedVersion: 1, with: quote.draft.ownFields).version == 1)
            #expect(try db.revisions.head() == head)
            // A stale version is still refused, and a real change still counts.
            #expect(throws: ChronicleError.versionConflict(.actor, id: actor.id, expected: 2, current: 1)) {
                try db.actors.update(actor.id, expectedVersion: 2, with: actor.draft)
            }
            var described = actor.draft
            described.description = "President of Russia"
            #expect(try db.actors.update(actor.id, expectedVersion: 1, with: described).version == 2)
            #expect(try db.revisions.head() > head)
            // Composing an accent is a change: the store keeps, sorts and finds text by its bytes.
            let decomposed = try db.person("Lukas\u{030C}enka")
            var composed = decomposed.draft
            composed.name = "Luka\u{0161}enka"
            #expect(composed.name == decomposed.name, "equal as Swift compares text")
            let corrected = try db.actors.update(decomposed.id, expectedVersion: 1, with: composed)
            #expect(corrected.version == 2 && Array(corrected.name.utf8) == Array("Luka\u{0161}enka".utf8))
        },
        ConformanceCheck("conflicts: of concurrent updates from the same version exactly one wins") { db in
            let actor = try db.person("Contested")
            let event = try db.event("Contested", "2022")
            let failures = Collected(), actorWins = Collected(), eventWins = Collected()
            onThreads(8) { worker in
                do {
                    var draft = actor.draft
                    draft.description = "writer \(worker)"
                    _ = try db.actors.update(actor.id, expectedVersion: 1, with: draft)
                    actorWins.add("\(worker)")
                } catch ChronicleError.versionConflict(.actor, _, expected: 1, current: 2) {
                } catch {
                    failures.add("\(error)")
                }
                do {
                    var draft = event.draft
                    draft.summary = "writer \(worker)"
                    _ = try db.events.update(event.id, expectedVersion: 1, with: draft)
                    eventWins.add("\(worker)")
                } catch ChronicleError.versionConflict(.event, _, expected: 1, current: 2) {
                } catch {
                    failures.add("\(error)")
                }
            }
            #expect(failures.all.isEmpty)
            #expect(actorWins.all.count == 1 && eventWins.all.count == 1)
            #expect(try db.actors.find(actor.id).description == actorWins.all.first.map { "writer \($0)" })
            #expect(try db.events.find(event.id).summary == eventWins.all.first.map { "writer \($0)" })
            #expect(try db.actors.find(actor.id).version == 2 && db.events.find(event.id).version == 2)
        },
        ConformanceCheck("conflicts: concurrent writers and readers lose nothing") { db in
            let actor = try db.person("Shared")
            let writers = 4, perWriter = 15
            let failures = Collected()
            onThreads(writers * 2) { worker in
                do {
                    if worker < writers {
                        for i in 0..<perWriter { _ = try db.quote("quote \(worker)-\(i)", speaker: actor.id) }
                    } else {
                        for _ in 0..<10 {
                            let page = try db.quotes.list(QuoteFilter(speakerID: actor.id), sort: [SortKey(.created)],
                                                          page: PageRequest(limit: 500, includeTotal: true))
                            // A page and its total read at different moments could disagree here;
                            // only a page that skips a committed row may not.
                            if page.items.count > (page.total ?? 0) { failures.add("page of \(page.items.count) but total \(page.total ?? -1)") }
                        }
                    }
                } catch {
                    failures.add("\(error)")
                }
            }
            #expect(failures.all.isEmpty)
            let all = try db.quotes.list(QuoteFilter(speakerID: actor.id), sort: [], page: PageRequest(limit: 500, includeTotal: true))
            #expect(Set(all.items.map(\.text)).count == writers * perWriter && all.total == writers * perWriter)
        },
    ]

    /// Writes that race a delete of what they refer to.
    static let races: [ConformanceCheck] = [
        ConformanceCheck("races: a cascade delete racing writes that refer to the record") { db in
            for round in 0..<3 {
                let actor = try db.person("Racing \(round)")
                let source = try db.source("Racing \(round)")
                let failures = Collected(), refused = Collected(), created = Collected()
                onThreads(4) { worker in
                    if worker == 0 {
                        usleep(UInt32(2_000 * round))
                        do { try db.actors.delete(actor.id, cascade: true) } catch { failures.add("actor delete: \(error)") }
                    } else if worker == 1 {
                        usleep(UInt32(3_000 * round))
                        do { try db.sources.delete(source.id, cascade: true) } catch { failures.add("source delete: \(error)") }
                    } else {
                        for i in 0..<15 {
                            do {
                                let draft = QuoteDraft(text: "q \(worker)-\(i)", language: "en", speakerID: actor.id, citations: [Citation(sourceID: source.id)])
                                let quote = try db.quotes.create(draft)
                                created.add(quote.id)
                            } catch ChronicleError.validation(let errors) where errors.allSatisfy({ $0.message.hasPrefix("no ") }) {
                                refused.add("\(i)")
                            } catch {
                                failures.add("create: \(error)")
                            }
                        }
                    }
                }
                #expect(failures.all.isEmpty, "round \(round)")
                // Every quote that was created went with the actor's cascade; nothing refers to a deleted record.
                #expect(throws: ChronicleError.notFound(.actor, actor.id)) { try db.actors.find(actor.id) }
                #expect(throws: ChronicleError.notFound(.source, source.id)) { try db.sources.find(source.id) }
                for id in created.all {
                    #expect(throws: ChronicleError.notFound(.quote, id)) { try db.quotes.find(id) }
                }
                #expect(created.all.count + refused.all.count == 30)
            }
        },
    ]

    /// Slugs derived from the same name by writers at once.
    static let slugRaces: [ConformanceCheck] = [
        ConformanceCheck("races: actors of one name created at once get distinct slugs") { db in
            let failures = Collected(), slugs = Collected()
            onThreads(6) { _ in
                do { slugs.add(try db.person("Anna Karenina").slug) } catch { failures.add("\(error)") }
            }
            #expect(failures.all.isEmpty)
            #expect(Set(slugs.all) == ["anna-karenina", "anna-karenina-2", "anna-karenina-3", "anna-karenina-4", "anna-karenina-5", "anna-karenina-6"])
        },
    ]

    /// What a delete does to what refers to the record: refused without cascade, and what a
    /// cascade removes.
    static let cascades: [ConformanceCheck] = [
        ConformanceCheck("cascades: an actor still referred to") { db in
            let actor = try db.person("Alexander Lukashenko")
            let other = try db.person("Other")
            let event = try db.event("Talks", "2022-02-28", participants: [Participant(actorID: actor.id, role: .host), Participant(actorID: actor.id, role: .mediator),
                                                                           Participant(actorID: other.id, role: .participant)])
            let second = try db.event("More talks", "2022-03-01", participants: [Participant(actorID: actor.id, role: .host)])
            let quote = try db.quote("will be there if needed", speaker: actor.id, event: event.id)
            let kept = try db.quote("someone else", speaker: other.id)
            #expect(db.actors.deleteCascades)
            #expect(throws: ChronicleError.stillReferenced(.actor, id: actor.id, references: ["2 events", "1 quote"])) {
                try db.actors.delete(actor.id, cascade: false)
            }
            #expect(try db.actors.find(actor.id) == actor && db.events.find(event.id) == event && db.quotes.find(quote.id) == quote)
            try db.actors.delete(actor.id, cascade: true)
            let after = try db.events.find(event.id)
            #expect(after.participants.map(\.actorID) == [other.id] && after.version == 2)
            #expect(try db.events.find(second.id).participants.isEmpty)
            #expect(throws: ChronicleError.notFound(.quote, quote.id)) { try db.quotes.find(quote.id) }
            #expect(try db.quotes.find(kept.id) == kept)
            #expect(throws: ChronicleError.notFound(.actor, actor.id)) { try db.actors.find(actor.id) }
            // Referred to by nothing, it goes without cascade.
            _ = try db.quotes.delete(kept.id, cascade: false)
            var draft = after.draft
            draft.participants = []
            _ = try db.events.update(event.id, expectedVersion: 2, with: draft)
            try db.actors.delete(other.id, cascade: false)
        },
        ConformanceCheck("cascades: an event still referred to by quotes") { db in
            let event = try db.event("E", "2022")
            let quote = try db.quote("q", event: event.id)
            let unrelated = try db.quote("unrelated")
            #expect(db.events.deleteCascades)
            #expect(throws: ChronicleError.stillReferenced(.event, id: event.id, references: ["1 quote"])) { try db.events.delete(event.id, cascade: false) }
            #expect(try db.events.quotes(of: event.id, in: db.quotes).items.map(\.id) == [quote.id])
            try db.events.delete(event.id, cascade: true)
            #expect(throws: ChronicleError.notFound(.quote, quote.id)) { try db.quotes.find(quote.id) }
            #expect(throws: ChronicleError.notFound(.event, event.id)) { try db.events.delete(event.id, cascade: false) }
            #expect(try db.quotes.find(unrelated.id) == unrelated)
        },
        ConformanceCheck("cascades: a source still cited") { db in
            let source = try db.source("Article", publisher: "Desk", published: "2022-03")
            let other = try db.source("Other")
            let event = try db.event("E", "2022", citations: [Citation(sourceID: source.id, excerpt: "x"), Citation(sourceID: other.id)])
            let quote = try db.quote("q", citations: [Citation(sourceID: source.id)])
            let second = try db.quote("q2", citations: [Citation(sourceID: source.id)])
            #expect(throws: ChronicleError.stillReferenced(.source, id: source.id, references: ["1 event citation", "2 quote citations"])) {
                try db.sources.delete(source.id, cascade: false)
            }
            var draft = source.draft
            draft.title = "Article, corrected"
            #expect(try db.sources.update(source.id, expectedVersion: 1, with: draft).version == 2)
            #expect(try db.events.find(event.id).citations.first?.sourceTitle == "Article, corrected")
            #expect(try db.quotes.find(quote.id).citations.first?.sourceTitle == "Article, corrected")
            try db.sources.delete(source.id, cascade: true)
            let after = try db.events.find(event.id)
            #expect(after.citations.map(\.sourceID) == [other.id] && after.version == 2)
            let quoteAfter = try db.quotes.find(quote.id)
            #expect(quoteAfter.citations.isEmpty && quoteAfter.version == 2)
            #expect(try db.quotes.find(second.id).citations.isEmpty)
            #expect(throws: ChronicleError.notFound(.source, source.id)) { try db.sources.find(source.id) }
            #expect(try db.events.list(EventFilter(sourceID: other.id), sort: [], page: PageRequest()).items.map(\.id) == [event.id])
        },
    ]

    /// API tokens: only a hash of the secret is kept; revoked tokens authenticate nothing.
    static let tokens: [ConformanceCheck] = [
        ConformanceCheck("tokens: create, authenticate by secret, list, revoke") { db in
            let (token, secret) = try db.tokens.create(name: "desk", scope: .write)
            #expect(token.id.hasPrefix("tok_") && token.name == "desk" && token.scope == .write && token.revokedAt == nil)
            #expect(secret.hasPrefix("chr_") && secret.count == 44)
            #expect(try db.tokens.authenticate(secret: secret) == token)
            #expect(try db.tokens.authenticate(secret: secret + "x") == nil)
            #expect(try db.tokens.authenticate(secret: "chr_" + String(repeating: "a", count: 40)) == nil)
            #expect(try db.tokens.authenticate(secret: "not a secret") == nil)
            let (admin, adminSecret) = try db.tokens.create(name: "admin", scope: .admin)
            #expect(adminSecret != secret)
            #expect(try db.tokens.list() == [token, admin] || db.tokens.list() == [admin, token])
            #expect(validationFields { _ = try db.tokens.create(name: "desk", scope: .read) } == ["name"])
            #expect(validationFields { _ = try db.tokens.create(name: " ", scope: .read) } == ["name"])

            let revoked = try db.tokens.revoke("desk")
            #expect(revoked.id == token.id && revoked.revokedAt != nil)
            #expect(try db.tokens.authenticate(secret: secret) == nil)
            #expect(try db.tokens.authenticate(secret: adminSecret) == admin)
            // Revoking again keeps the first time; by id works as well as by name.
            #expect(try db.tokens.revoke(token.id) == revoked)
            #expect(try db.tokens.list().first { $0.id == token.id } == revoked)
            #expect(validationFields { _ = try db.tokens.revoke("nobody") } == ["token"])
            #expect(try db.tokens.revoke(admin.id).revokedAt != nil)
            #expect(try db.tokens.authenticate(secret: adminSecret) == nil)
        },
    ]
}
