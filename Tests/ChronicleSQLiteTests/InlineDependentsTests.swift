import Chronicle
@testable import ChronicleSQLite
import Foundation
import SQLite
import Testing

/// The participants and citations event and quote rows carry for lists, and the names lists
/// show beside them, against what the tables and the actors and sources say.
@Suite struct InlineDependentsTests {
    /// What the tables say, the way reads said it before rows carried their own copies.
    func fromTables(_ db: SQLiteStore, event id: String) throws -> (participants: [String], citations: [String]) {
        try db.pool.read { connection in
            let participants = try connection.all("SELECT actor_id || ':' || role FROM event_participants WHERE event_id = ? ORDER BY position", [.text(id)]) { $0.string(0) }
            let citations = try connection.all("SELECT source_id || ':' || coalesce(excerpt, '-') FROM event_citations WHERE event_id = ? ORDER BY position", [.text(id)]) { $0.string(0) }
            return (participants, citations)
        }
    }

    func shown(_ event: Event) -> (participants: [String], citations: [String]) {
        (event.participants.map { "\($0.actorID):\($0.role.rawValue)" }, event.citations.map { "\($0.sourceID):\($0.excerpt ?? "-")" })
    }

    @Test func rowsKeepTheTablesThroughWritesAndCascades() throws {
        let db = try makeDatabase()
        let a = try db.person("Ann Alpha"), b = try db.person("Ben Beta")
        let source = try db.sources.create(SourceDraft(url: "https://example.org/s", title: "A source"))
        let other = try db.sources.create(SourceDraft(url: nil, title: "Another"))
        var event = try db.events.create(EventDraft(title: "Meeting", start: date("2022-03"), participants: [
            Participant(actorID: b.id, role: .host), Participant(actorID: a.id, role: .participant),
        ], citations: [Citation(sourceID: source.id, excerpt: "quote \"this\" \\ and\nthat ünïcode 🎉"), Citation(sourceID: other.id)]))
        #expect(shown(event) == (try fromTables(db, event: event.id)))
        #expect(event.participants.map(\.actorName) == ["Ben Beta", "Ann Alpha"] && event.citations.map(\.sourceTitle) == ["A source", "Another"])
        #expect(event.citations[0].excerpt == "quote \"this\" \\ and\nthat ünïcode 🎉")

        var draft = event.draft
        draft.participants.reverse()
        draft.citations.removeFirst()
        event = try db.events.update(event.id, expectedVersion: event.version, with: draft)
        #expect(shown(event) == (try fromTables(db, event: event.id)) && shown(event).participants.first == "\(a.id):participant")

        // Cascades that remove rows from the tables rewrite the copies too.
        try db.actors.delete(a.id, cascade: true)
        try db.sources.delete(other.id, cascade: true)
        let after = try db.events.find(event.id)
        #expect(shown(after) == (try fromTables(db, event: event.id)) && after.participants.count == 1 && after.citations.isEmpty)
        let listed = try db.events.list(EventFilter(), sort: [], page: PageRequest()).items.first { $0.id == event.id }
        #expect(listed == after)

        let quote = try db.quotes.create(QuoteDraft(text: "Said", language: "en", speakerID: b.id, citations: [Citation(sourceID: source.id, excerpt: "x")]))
        #expect(quote.citations.map(\.sourceTitle) == ["A source"] && quote.speakerName == "Ben Beta")
        try db.sources.delete(source.id, cascade: true)
        #expect(try db.quotes.find(quote.id).citations.isEmpty)
    }

    /// Names kept for lists follow renames, whichever store on the file made them, and an
    /// older snapshot still sees its own names.
    @Test func listedNamesFollowRenamesByAnyWriter() throws {
        let directory = temporaryDirectory().appendingPathComponent("shared.sqlite").path
        let reader = try SQLiteStore(path: directory, migrations: Migrator(directory: migrationsDirectory))
        let writer = try SQLiteStore(path: directory, migrations: Migrator(directory: migrationsDirectory))
        let actor = try writer.person("Old Name")
        let source = try writer.sources.create(SourceDraft(url: nil, title: "Old Title"))
        let event = try writer.events.create(EventDraft(title: "E", start: date("2020"), participants: [Participant(actorID: actor.id, role: .host)],
                                                        citations: [Citation(sourceID: source.id)]))
        _ = try writer.quotes.create(QuoteDraft(text: "Q", language: "en", speakerID: actor.id, eventID: event.id))
        func listed() throws -> (String?, String?, String?) {
            let events = try reader.events.list(EventFilter(), sort: [], page: PageRequest(), in: nil)
            let quotes = try reader.quotes.list(QuoteFilter(), sort: [], page: PageRequest(), in: nil)
            let event = events.items[0], quote = quotes.items[0]
            return (event.participants[0].actorName, event.citations[0].sourceTitle, quote.speakerName)
        }
        #expect(try listed() == ("Old Name", "Old Title", "Old Name"))
        let snapshot = try reader.heldSnapshot()
        var renamed = actor.draft
        renamed.name = "New Name"
        _ = try writer.actors.update(actor.id, expectedVersion: actor.version, with: renamed)
        _ = try writer.sources.update(source.id, expectedVersion: source.version, with: SourceDraft(url: nil, title: "New Title"))
        #expect(try listed() == ("New Name", "New Title", "New Name"))
        let old = try reader.events.list(EventFilter(), sort: [], page: PageRequest(), in: snapshot).items[0]
        #expect(old.participants[0].actorName == "Old Name" && old.citations[0].sourceTitle == "Old Title")
        #expect(try listed() == ("New Name", "New Title", "New Name"))
    }
}
