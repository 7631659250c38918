import Chronicle
import Foundation
import Testing

extension RepositoryConformance {
    /// Revisions and the change feed: every write keeps the record's state, attributed; the feed
    /// gives every change once, in commit order.
    static let history: [ConformanceCheck] = [
        ConformanceCheck("revisions: a record's history, attributed, newest first") { db in
            let writer = Attribution(author: "writer", note: "from the wire story")
            let editor = Attribution(author: "desk-editor")
            let created = try db.actors.create(ActorDraft(kind: .person, name: "Maria Kalesnikava"), by: writer)
            var draft = created.draft
            draft.description = "musician"
            let second = try db.actors.update(created.id, expectedVersion: 1, with: draft, by: editor)
            draft.name = "Maryia Kalesnikava"
            let third = try db.actors.update(created.id, expectedVersion: 2, with: draft, by: Attribution(author: "writer", note: "spelling"))
            try db.actors.delete(created.id, cascade: false, by: Attribution(author: "desk-editor", note: "duplicate"))

            let all = try db.revisions.revisions(of: .actor, id: created.id, before: nil, limit: 10)
            #expect(all.map(\.number) == [4, 3, 2, 1])
            #expect(all.map(\.operation) == [.delete, .update, .update, .create])
            #expect(all.map(\.attribution.author) == ["desk-editor", "writer", "desk-editor", "writer"])
            #expect(all.map(\.attribution.note) == ["duplicate", "spelling", nil, "from the wire story"])
            #expect(all.map(\.state) == [nil, .actor(third), .actor(second), .actor(created)])
            #expect(all.allSatisfy { $0.kind == .actor && $0.id == created.id && !$0.at.isEmpty })
            #expect(all.map(\.position) == all.map(\.position).sorted(by: >) && Set(all.map(\.position)).count == 4)
            #expect(try db.revisions.revisions(of: .actor, id: created.id, before: 3, limit: 1).map(\.number) == [2])
            #expect(try db.revisions.revision(of: .actor, id: created.id, number: 2) == all[2])
            #expect(try db.revisions.revision(of: .actor, id: created.id, number: 5) == nil)
            // Numbers past any a store holds (PostgreSQL's are 32-bit) are simply not there.
            #expect(try db.revisions.revision(of: .actor, id: created.id, number: 18_014_398_509_481_985) == nil)
            #expect(try db.revisions.revision(of: .actor, id: created.id, number: -3_000_000_000) == nil)
            #expect(try db.revisions.revisions(of: .actor, id: created.id, before: 9_000_000_000, limit: 10).count == 4)
            #expect(try db.revisions.latest(of: .actor, id: created.id) == all[0])
            #expect(try db.revisions.latest(of: .actor, id: "act_never") == nil)
            // What a record embeds is kept as it showed then.
            let source = try db.source("Article")
            let event = try db.event("E", "2022", citations: [Citation(sourceID: source.id)])
            #expect(try db.revisions.latest(of: .event, id: event.id)?.state == .event(event))
        },
        ConformanceCheck("revisions: a cascade keeps a revision of everything it changed") { db in
            let actor = try db.person("Speaker")
            let event = try db.event("E", "2022", participants: [Participant(actorID: actor.id, role: .host)])
            let quote = try db.quote("q", speaker: actor.id)
            let before = try db.revisions.head()
            try db.actors.delete(actor.id, cascade: true, by: Attribution(author: "editor"))
            let changes = try db.revisions.changes(after: before, filter: ChangeFilter(), limit: 100)
            let head = try db.revisions.head()
            #expect(changes.reached == head)
            let seen = changes.changes.map { "\($0.operation.rawValue) \($0.kind.rawValue) \($0.number)" }
            #expect(Set(seen) == ["update event 2", "delete quote 2", "delete actor 2"] && seen.count == 3)
            // The quote goes before the actor it referred to, for a mirror applying the feed in order.
            #expect(seen.firstIndex(of: "delete quote 2")! < seen.firstIndex(of: "delete actor 2")!)
            #expect(changes.changes.allSatisfy { $0.attribution.author == "editor" })
            let touched = try db.events.find(event.id)
            #expect(changes.changes.first { $0.kind == .event }?.state == .event(touched))
            #expect(changes.changes.contains { $0.id == quote.id && $0.state == nil })
        },
        ConformanceCheck("revisions: the feed in order, filtered by kind, paged by position") { db in
            #expect(try db.revisions.head() == 0)
            #expect(try db.revisions.changes(after: 0, filter: ChangeFilter(), limit: 10).changes.isEmpty)
            let actor = try db.person("A")
            let event = try db.event("E", "2022")
            let quote = try db.quote("q")
            var draft = actor.draft
            draft.description = "changed"
            _ = try db.actors.update(actor.id, expectedVersion: 1, with: draft)
            let all = try db.revisions.changes(after: 0, filter: ChangeFilter(), limit: 100)
            #expect(all.changes.map(\.id) == [actor.id, event.id, quote.id, actor.id])
            #expect(all.changes.map(\.position) == all.changes.map(\.position).sorted() && Set(all.changes.map(\.position)).count == 4)
            let head = try db.revisions.head()
            #expect(all.reached == all.changes.last?.position && head == all.reached)
            let actors = try db.revisions.changes(after: 0, filter: ChangeFilter(kinds: [.actor]), limit: 100)
            #expect(actors.changes.map(\.number) == [1, 2] && actors.reached == all.reached)
            let firstTwo = try db.revisions.changes(after: 0, filter: ChangeFilter(), limit: 2)
            #expect(firstTwo.changes.map(\.id) == [actor.id, event.id] && firstTwo.reached == firstTwo.changes[1].position)
            let rest = try db.revisions.changes(after: firstTwo.reached, filter: ChangeFilter(), limit: 100)
            #expect(rest.changes.map(\.id) == [quote.id, actor.id])
            #expect(try db.revisions.changes(after: all.reached, filter: ChangeFilter(), limit: 10).changes.isEmpty)
            // Tokens are not records: no revision.
            _ = try db.tokens.create(name: "t", scope: .read)
            #expect(try db.revisions.head() == all.reached)
        },
        ConformanceCheck("revisions: restore brings a deleted record back under its id, numbered on") { db in
            let source = try db.source("Article", published: "2022")
            var draft = source.draft
            draft.title = "Article, corrected"
            _ = try db.sources.update(source.id, expectedVersion: 1, with: draft)
            try db.sources.delete(source.id, cascade: false)
            let restored = try db.sources.restore(source.id, to: source.draft, createdAt: source.createdAt, expectedVersion: nil,
                                                  by: Attribution(author: "editor", note: "restored"))
            #expect(restored.id == source.id && restored.version == 4 && restored.createdAt == source.createdAt && restored.title == "Article")
            #expect(try db.sources.find(source.id) == restored)
            let latest = try db.revisions.latest(of: .source, id: source.id)
            #expect(latest?.number == 4 && latest?.operation == .create && latest?.state == .source(restored) && latest?.attribution.note == "restored")
            // Live again: a second restore expecting it deleted is a conflict, one at its version an update.
            #expect(throws: ChronicleError.versionConflict(.source, id: source.id, expected: 0, current: 4)) {
                try db.sources.restore(source.id, to: draft, createdAt: source.createdAt, expectedVersion: nil, by: .cli)
            }
            let updated = try db.sources.restore(source.id, to: draft, createdAt: source.createdAt, expectedVersion: 4, by: .cli)
            #expect(updated.version == 5 && updated.title == "Article, corrected")
            // Restoring what it already says is no change: no version, no revision.
            let head = try db.revisions.head()
            #expect(try db.sources.restore(source.id, to: draft, createdAt: source.createdAt, expectedVersion: 5, by: .cli) == updated)
            #expect(try db.revisions.head() == head)
            #expect(throws: ChronicleError.notFound(.source, "src_never")) {
                try db.sources.restore("src_never", to: draft, createdAt: source.createdAt, expectedVersion: nil, by: .cli)
            }
            // Found by search again.
            #expect(try db.search.search("corrected", kinds: [.source], limit: 5).map(\.id) == [source.id])
        },
        ConformanceCheck("revisions: of concurrent restores of a deleted record exactly one wins") { db in
            let source = try db.source("Contested")
            try db.sources.delete(source.id, cascade: false)
            let failures = Collected(), wins = Collected()
            onThreads(4) { worker in
                do {
                    _ = try db.sources.restore(source.id, to: SourceDraft(url: nil, title: "restored by \(worker)"), createdAt: source.createdAt,
                                               expectedVersion: nil, by: .cli)
                    wins.add("\(worker)")
                } catch ChronicleError.versionConflict(.source, source.id, expected: 0, current: 3) {
                } catch {
                    failures.add("\(error)")
                }
            }
            #expect(failures.all.isEmpty, "\(failures.all)")
            #expect(wins.all.count == 1)
            let restored = try db.sources.find(source.id)
            #expect(restored.version == 3 && restored.title == wins.all.first.map { "restored by \($0)" })
            #expect(try db.revisions.revisions(of: .source, id: source.id, before: nil, limit: 10).map(\.number) == [3, 2, 1])
        },
        ConformanceCheck("revisions: concurrent writers leave a gap-free feed that a reader follows exactly once") { db in
            let writers = 6, perWriter = 15
            let failures = Collected(), seen = Collected()
            let done = Collected()
            onThreads(writers + 1) { worker in
                do {
                    if worker < writers {
                        for i in 0..<perWriter { _ = try db.quote("quote \(worker)-\(i)") }
                        done.add("\(worker)")
                    } else {
                        // Follows the feed while the writers commit, as a change stream does.
                        var position: Int64 = 0
                        let deadline = Date().addingTimeInterval(120)
                        while true {
                            // Read after the writers are known to be done, so the last poll sees everything.
                            let finished = done.all.count == writers
                            let batch = try db.revisions.changes(after: position, filter: ChangeFilter(), limit: 7)
                            for change in batch.changes { seen.add("\(change.position) \(change.id)") }
                            if let first = batch.changes.first, first.position <= position { failures.add("went backwards") }
                            position = batch.reached
                            if finished && batch.changes.isEmpty { break }
                            if Date() > deadline {
                                failures.add("the writers had not finished after 120 s")
                                break
                            }
                        }
                    }
                } catch {
                    failures.add("\(error)")
                }
            }
            #expect(failures.all.isEmpty)
            let all = try db.revisions.changes(after: 0, filter: ChangeFilter(), limit: 500).changes
            #expect(all.count == writers * perWriter && Set(all.map(\.id)).count == writers * perWriter)
            #expect(all.map(\.position) == all.map(\.position).sorted())
            // The follower saw every change exactly once, at the position the log has it. (A feed whose
            // positions come from a sequence, taken in start order and committed in any order, fails
            // here: the follower moves past a position committed later.)
            let logged = all.map { "\($0.position) \($0.id)" }
            #expect(seen.all.count == logged.count, "the follower saw \(seen.all.count) changes of \(logged.count)")
            #expect(Set(logged).subtracting(seen.all).isEmpty, "the follower missed \(Set(logged).subtracting(seen.all).sorted())")
        },
    ]
}
