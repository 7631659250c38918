import Chronicle
import Foundation
import Testing

extension RepositoryConformance {
    /// What records show of others (names, titles, an event's quotes) changes without new
    /// versions of the records that show it; the log of embedded changes says which to drop.
    /// Reads given one snapshot agree whatever commits meanwhile.
    static let embedding: [ConformanceCheck] = [
        ConformanceCheck("embedded changes: renames, retitles, quotes and deletes are logged, other edits not") { db in
            let actor = try db.person("Alexander Lukashenko")
            let source = try db.source("Article", url: "https://example.org/a")
            let event = try db.event("Talks", "2022", participants: [Participant(actorID: actor.id, role: .host)], citations: [Citation(sourceID: source.id)])
            let other = try db.event("Other talks", "2022")
            func changed(_ body: () throws -> Void) throws -> Set<String> {
                let before = try db.embeddedChanges.position(in: nil)
                try body()
                let after = try db.embeddedChanges.position(in: nil)
                #expect(after >= before)
                return Set(try #require(try db.embeddedChanges.changed(after: before, through: after, in: nil)))
            }
            var draft = actor.draft
            draft.description = "president"
            #expect(try changed { _ = try db.actors.update(actor.id, expectedVersion: 1, with: draft) }.isEmpty)
            draft.name = "A. Lukashenko"
            #expect(try changed { _ = try db.actors.update(actor.id, expectedVersion: 2, with: draft) } == [actor.id])
            #expect(try db.events.find(event.id).version == 1 && db.events.find(event.id).participants.first?.actorName == "A. Lukashenko")
            var sourceDraft = source.draft
            sourceDraft.publisher = "Desk"
            #expect(try changed { _ = try db.sources.update(source.id, expectedVersion: 1, with: sourceDraft) }.isEmpty)
            sourceDraft.url = "https://example.org/b"
            #expect(try changed { _ = try db.sources.update(source.id, expectedVersion: 2, with: sourceDraft) } == [source.id])
            var quote = try db.quote("q", speaker: actor.id, event: event.id)
            #expect(try changed { quote = try db.quote("second", event: event.id) } == [event.id])
            var quoteDraft = quote.draft
            quoteDraft.eventID = other.id
            #expect(try changed { quote = try db.quotes.update(quote.id, expectedVersion: 1, with: quoteDraft) } == [event.id, other.id])
            #expect(try changed { try db.quotes.delete(quote.id, cascade: false) } == [other.id])
            #expect(try changed { _ = try db.event("Unrelated", "2021") }.isEmpty)
            // The stamp and the position, read together.
            let (stamp, position) = try db.embeddedChanges.current(.event, event.id)
            let found = try db.events.find(event.id), now = try db.embeddedChanges.position(in: nil)
            #expect(stamp == found.stamp && position == now)
            #expect(throws: ChronicleError.notFound(.event, "evt_never")) { try db.embeddedChanges.current(.event, "evt_never") }
            #expect(try changed { try db.actors.delete(actor.id, cascade: true) }.contains(actor.id))
            #expect(try changed { try db.sources.delete(source.id, cascade: true) }.contains(source.id))
            #expect(try db.embeddedChanges.changed(after: 0, through: db.embeddedChanges.position(in: nil), in: nil)?.isEmpty == false)
        },
        ConformanceCheck("snapshots: reads given one snapshot agree whatever commits meanwhile") { db in
            let event = try db.event("Invasion", "2022-02-24")
            _ = try db.quote("first", event: event.id)
            let (seen, embedded, listed) = try db.snapshots.snapshot { snapshot in
                let seen = try db.events.find(event.id, in: snapshot)
                // Committed on another thread while the snapshot is open.
                let added = DispatchSemaphore(value: 0)
                let failure = Collected()
                Thread {
                    do { _ = try db.quote("second", event: event.id) } catch { failure.add("\(error)") }
                    added.signal()
                }.start()
                added.wait()
                #expect(failure.all.isEmpty)
                return (seen, try db.quotes.quotes(ofEvent: event.id, limit: 10, in: snapshot),
                        try db.quotes.list(QuoteFilter(), sort: [], page: PageRequest(includeTotal: true), in: snapshot))
            }
            #expect(embedded.map(\.text) == ["first"])
            #expect(listed.items.map(\.text) == ["first"] && listed.total == 1)
            #expect(try db.events.find(event.id).version == seen.version)
            #expect(try db.quotes.quotes(ofEvent: event.id, limit: 10).count == 2)

            // A held snapshot stays where it began until released.
            let held = try db.snapshots.heldSnapshot()
            _ = try db.event("Later", "2023")
            _ = try db.quote("third", event: event.id)
            #expect(try db.events.list(EventFilter(), sort: [], page: PageRequest(includeTotal: true), in: held).total == 1)
            #expect(try db.quotes.quotes(ofEvent: event.id, limit: 10, in: held).count == 2)
            #expect(try db.events.events([event.id], in: held).map(\.id) == [event.id])
            #expect(try db.events.list(EventFilter(), sort: [], page: PageRequest(includeTotal: true)).total == 2)
            let heldPosition = try db.embeddedChanges.position(in: held), latest = try db.embeddedChanges.position(in: nil)
            #expect(heldPosition < latest)
        },
    ]
}
