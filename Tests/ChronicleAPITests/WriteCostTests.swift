import Chronicle
@testable import ChronicleAPI
import ChronicleSQLite
import Foundation
import SQLite
import Testing

/// A rename is one row's write: the records that show the name keep their versions, yet their
/// bodies and ETags change at once, and no kept body shows the old name, whoever wrote.
@Suite(.serialized) struct WriteCostTests {
    /// The event's first participant, its id and its current name.
    func participant(_ api: TestAPI, of eventID: String) throws -> (id: String, name: String) {
        let event = try api.get("/v1/events/\(eventID)").json
        let first = try #require(event["participants"]?.arrayValue.first)
        return (try #require(first["actorId"]?.stringValue), try #require(first["name"]?.stringValue))
    }

    func eventWithParticipants(_ api: TestAPI) throws -> String {
        let events = try api.get("/v1/events?limit=100&fields=id,participants").json.data
        return try #require(events.first { !($0["participants"]?.arrayValue.isEmpty ?? true) }?["id"]?.stringValue)
    }

    @Test func aRenameChangesTheBodyAndETagOfEveryEventThatShowsItButNotTheirVersions() throws {
        let api = try TestAPI()
        let eventID = try eventWithParticipants(api)
        let before = try api.get("/v1/events/\(eventID)")
        _ = try api.get("/v1/events/\(eventID)")  // now kept
        let (actorID, oldName) = try participant(api, of: eventID)
        let embedding = try api.database.events.list(EventFilter(actorID: actorID), sort: [], page: PageRequest(limit: 500)).items
        let renamed = try api.request("PATCH", "/v1/actors/\(actorID)", json: #"{"name":"Renamed Person"}"#, token: api.writeToken)
        #expect(renamed.status == 200)
        let after = try api.get("/v1/events/\(eventID)")
        #expect(after.headers["ETag"] != before.headers["ETag"])
        #expect(after.text.contains("Renamed Person") && !after.text.contains("\"\(oldName)\""))
        #expect(try api.get("/v1/events/\(eventID)", headers: ["If-None-Match": before.headers["ETag"] ?? ""]).status == 200)
        // No event that shows the actor got a new version (the rename wrote the actor alone), and
        // every one shows the new name.
        #expect(!embedding.isEmpty)
        for event in embedding {
            let now = try api.database.events.find(event.id)
            #expect(now.version == event.version && now.updatedAt == event.updatedAt, "\(event.id) was rewritten")
            let body = try api.get("/v1/events/\(event.id)").text
            #expect(body.contains("Renamed Person") && !body.contains("\"\(oldName)\""), "\(event.id) shows the old name")
        }
        // A second read is the kept body of the new name, with the same tag.
        let again = try api.get("/v1/events/\(eventID)")
        #expect(again.body == after.body && again.headers["ETag"] == after.headers["ETag"])
    }

    /// An ETag names the record's version and fingerprints its body. `If-Match` guards the
    /// record's own fields, so an ETag read before a participant was renamed still matches: the
    /// write cannot lose the rename, which is not the event's to change. A stale version fails.
    @Test func ifMatchWithAnETagFromBeforeARenameOfAParticipantStillGuardsTheEventsOwnFields() throws {
        let api = try TestAPI()
        let eventID = try eventWithParticipants(api)
        let tag = try #require(try api.get("/v1/events/\(eventID)").headers["ETag"])
        let (actorID, _) = try participant(api, of: eventID)
        #expect(try api.request("PATCH", "/v1/actors/\(actorID)", json: #"{"name":"Renamed Person"}"#, token: api.writeToken).status == 200)
        let edited = try api.request("PATCH", "/v1/events/\(eventID)", json: #"{"summary":"Edited after the rename"}"#,
                                     token: api.writeToken, headers: ["If-Match": tag])
        #expect(edited.status == 200, "\(edited.text)")
        #expect(edited.text.contains("Renamed Person"))
        // The same tag is now stale: the event's own fields changed.
        let stale = try api.request("PATCH", "/v1/events/\(eventID)", json: #"{"summary":"Lost update"}"#, token: api.writeToken, headers: ["If-Match": tag])
        #expect(stale.status == 412)
        #expect(try api.get("/v1/events/\(eventID)").json["summary"]?.stringValue == "Edited after the rename")
    }

    /// An event shows its quotes, which are records of their own: adding, editing or moving a
    /// quote changes the event's body and ETag at once (kept body or not), not its version.
    @Test func aQuoteChangeRefreshesItsEventsBodyButNotItsVersion() throws {
        let api = try TestAPI()
        let eventID = try eventWithParticipants(api)
        let before = try api.get("/v1/events/\(eventID)")
        _ = try api.get("/v1/events/\(eventID)")  // now kept
        let created = try api.request("POST", "/v1/quotes", json: #"{"text":"A brand new remark.","language":"en","eventId":"\#(eventID)"}"#, token: api.writeToken)
        let quoteID = try #require(created.json["id"]?.stringValue)
        let added = try api.get("/v1/events/\(eventID)")
        #expect(added.text.contains("A brand new remark.") && added.headers["ETag"] != before.headers["ETag"])
        #expect(added.json["version"] == before.json["version"])
        #expect(try api.get("/v1/events/\(eventID)", headers: ["If-None-Match": before.headers["ETag"] ?? ""]).status == 200)
        _ = try api.request("PATCH", "/v1/quotes/\(quoteID)", json: #"{"text":"A corrected remark."}"#, token: api.writeToken)
        let edited = try api.get("/v1/events/\(eventID)")
        #expect(edited.text.contains("A corrected remark.") && !edited.text.contains("A brand new remark."))
        _ = try api.request("PATCH", "/v1/quotes/\(quoteID)", json: #"{"eventId":null}"#, token: api.writeToken)
        #expect(!(try api.get("/v1/events/\(eventID)").text.contains("A corrected remark.")))
        #expect(try api.get("/v1/events/\(eventID)").json["version"] == before.json["version"])
    }

    /// Another writer on the same file (here a store of its own, with its own connections, as
    /// `chronicle import` or a second server would be) renames and retitles: the server's kept
    /// bodies must not show the old names.
    @Test func keptBodiesAreNeverStaleAfterARenameByAnotherWriter() throws {
        let api = try TestAPI()
        let eventID = try eventWithParticipants(api)
        for _ in 0..<2 { _ = try api.get("/v1/events/\(eventID)") }
        let (actorID, _) = try participant(api, of: eventID)
        let other = try SQLiteStore(path: api.database.pool.path, migrations: Migrator(directory: repoRoot.appendingPathComponent("migrations/sqlite")))
        let actor = try other.actors.find(actorID)
        var draft = actor.draft
        draft.name = "Renamed Elsewhere"
        _ = try other.actors.update(actorID, expectedVersion: actor.version, with: draft)
        #expect(try api.get("/v1/events/\(eventID)").text.contains("Renamed Elsewhere"))
        let citing = try #require(try api.get("/v1/events/\(eventID)").json["citations"]?.arrayValue.first?["sourceId"]?.stringValue)
        let source = try other.sources.find(citing)
        var retitled = source.draft
        retitled.title = "Retitled Elsewhere"
        _ = try other.sources.update(citing, expectedVersion: source.version, with: retitled)
        #expect(try api.get("/v1/events/\(eventID)").text.contains("Retitled Elsewhere"))
    }

    /// The same from another process: a real `chronicle serve` keeps the event's body, and this
    /// process renames the participant in the file under it.
    @Test func keptBodiesAreNeverStaleAfterARenameByAnotherProcess() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chronicle-rename-\(UUID().uuidString)")
        let path = directory.appendingPathComponent("rename.sqlite").path
        let server = try ServerProcess(database: path)
        defer { server.stop() }
        func get(_ target: String) throws -> String {
            String(decoding: try HTTPProbe.exchange(port: server.port, Array("GET \(target) HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".utf8)), as: UTF8.self)
        }
        let store = try SQLiteStore(path: path, migrations: Migrator(directory: repoRoot.appendingPathComponent("migrations/sqlite")))
        let event = try #require(try store.events.list(EventFilter(), sort: [], page: PageRequest(limit: 100)).items.first { !$0.participants.isEmpty })
        for _ in 0..<3 { _ = try get("/v1/events/\(event.id)") }
        #expect(try get("/metrics").contains("chronicle_rendered_records_lookups_total{result=\"hit\"} 2"))
        let actor = try store.actors.find(event.participants[0].actorID)
        var draft = actor.draft
        draft.name = "Renamed By Another Process"
        _ = try store.actors.update(actor.id, expectedVersion: actor.version, with: draft)
        #expect(try get("/v1/events/\(event.id)").contains("Renamed By Another Process"))
    }
}
