import Chronicle
@testable import ChronicleAPI
import ChronicleSQLite
import Foundation
import SQLite
import Testing

/// Every write keeps a revision: who, when, why and the state after it; a deleted record says
/// who deleted it; an earlier state can be made current again.
@Suite struct HistoryTests {
    @Test func revisionsRecordEveryWriteWithItsAuthorNoteAndState() throws {
        let api = try TestAPI(seed: false)
        let editor = try api.database.tokens.create(name: "desk-editor", scope: .write).secret
        let created = try api.request("POST", "/v1/actors", json: #"{"kind":"person","name":"Ana Example"}"#, token: api.writeToken,
                                      headers: ["Chronicle-Note": "from the wire story"])
        let id = try #require(created.json["id"]?.stringValue)
        #expect(try api.request("PATCH", "/v1/actors/\(id)", json: #"{"description":"Minister"}"#, token: editor).status == 200)
        #expect(try api.request("PATCH", "/v1/actors/\(id)", json: #"{"name":"Ana Exemplo","country":"PT"}"#, token: api.writeToken,
                                headers: ["Chronicle-Note": "spelling, per her office"]).status == 200)
        #expect(try api.request("DELETE", "/v1/actors/\(id)", token: editor, headers: ["Chronicle-Note": "duplicate"]).status == 204)

        let list = try api.get("/v1/actors/\(id)/revisions")
        #expect(list.status == 200)
        let revisions = list.json.data
        #expect(revisions.compactMap { $0["revision"]?.intValue } == [4, 3, 2, 1])
        #expect(revisions.compactMap { $0["operation"]?.stringValue } == ["delete", "update", "update", "create"])
        #expect(revisions.compactMap { $0["author"]?.stringValue } == ["desk-editor", "writer", "desk-editor", "writer"])
        #expect(revisions.map { $0["note"]?.stringValue } == ["duplicate", "spelling, per her office", nil, "from the wire story"])
        #expect(revisions[0]["state"] == .null)  // a tombstone
        #expect(revisions[1]["state"]?["name"]?.stringValue == "Ana Exemplo" && revisions[1]["state"]?["version"]?.intValue == 3)
        #expect(revisions[3]["state"]?["name"]?.stringValue == "Ana Example")

        // Paged newest first, like every list.
        let first = try api.get("/v1/actors/\(id)/revisions?limit=3")
        let next = try #require(first.json["next"]?.stringValue)
        let second = try api.get("/v1/actors/\(id)/revisions?limit=3&cursor=\(next)")
        #expect(first.json.data.count == 3 && second.json.data.compactMap { $0["revision"]?.intValue } == [1] && second.json["next"] == .null)

        // A note longer than is kept is refused before anything is written.
        let long = String(repeating: "n", count: Attribution.maxNoteLength + 1)
        let refused = try api.request("POST", "/v1/actors", json: #"{"kind":"person","name":"Too Long"}"#, token: api.writeToken, headers: ["Chronicle-Note": long])
        #expect(refused.status == 422 && refused.refusedFields == ["Chronicle-Note"])
        #expect(try api.database.actors.list(ActorFilter(), sort: [], page: PageRequest()).items.isEmpty)
    }

    @Test func oneRevisionShowsWhatChangedAsAMergePatch() throws {
        let api = try TestAPI(seed: false)
        let id = try #require(try api.request("POST", "/v1/sources", json: #"{"title":"Report","publisher":"Agency"}"#, token: api.writeToken).json["id"]?.stringValue)
        _ = try api.request("PATCH", "/v1/sources/\(id)", json: #"{"title":"Report, corrected","publisher":null}"#, token: api.writeToken)
        let second = try api.get("/v1/sources/\(id)/revisions/2").json
        let changes = try #require(second["changes"])
        #expect(second["previous"]?.intValue == 1)
        #expect(changes["title"]?.stringValue == "Report, corrected")
        #expect(changes["publisher"] == .null && changes.keys.contains("publisher"))
        #expect(!changes.keys.contains("url") && !changes.keys.contains("createdAt"))
        // The first revision's patch is the whole record; a deletion's is null.
        #expect(try api.get("/v1/sources/\(id)/revisions/1").json["changes"]?["title"]?.stringValue == "Report")
        _ = try api.request("DELETE", "/v1/sources/\(id)", token: api.writeToken)
        let deletion = try api.get("/v1/sources/\(id)/revisions/3").json
        #expect(deletion["operation"]?.stringValue == "delete" && deletion["changes"] == .null && deletion.keys.contains("changes"))
        // Applying each patch in turn rebuilds each state (RFC 7396).
        let one = try #require(try api.get("/v1/sources/\(id)/revisions/1").json["state"])
        let two = try #require(try api.get("/v1/sources/\(id)/revisions/2").json["state"])
        #expect(withoutNulls(applyMergePatch(changes, to: one)) == withoutNulls(two))
        #expect(try api.get("/v1/sources/\(id)/revisions/9").status == 404)
        #expect(try api.get("/v1/sources/\(id)/revisions/zero").status == 422)
        #expect(try api.get("/v1/sources/src_neverexisted/revisions").status == 404)
    }

    @Test func aDeletedRecordIsGoneWithWhoAndWhen() throws {
        let api = try TestAPI(seed: false)
        let id = try #require(try api.request("POST", "/v1/quotes", json: #"{"text":"We will win.","language":"en"}"#, token: api.writeToken).json["id"]?.stringValue)
        #expect(try api.request("DELETE", "/v1/quotes/\(id)", token: api.writeToken, headers: ["Chronicle-Note": "misattributed"]).status == 204)
        let gone = try api.get("/v1/quotes/\(id)")
        #expect(gone.status == 410)
        #expect(gone.json["deletedBy"]?.stringValue == "writer" && gone.json["note"]?.stringValue == "misattributed")
        #expect(gone.json["deletedAt"]?.stringValue?.hasSuffix("Z") == true && gone.json["revision"]?.intValue == 2)
        // Writes to it are gone too, not "not found".
        #expect(try api.request("PATCH", "/v1/quotes/\(id)", json: #"{"text":"x"}"#, token: api.writeToken).status == 410)
        #expect(try api.request("DELETE", "/v1/quotes/\(id)", token: api.writeToken).status == 410)
        #expect(try api.get("/v1/quotes/quo_neverexisted").status == 404)
    }

    /// The README deletes an actor by its slug: the slug still says the actor is gone, and
    /// leads to its history and back.
    @Test func aDeletedActorIsGoneByTheSlugItHadToo() throws {
        let api = try TestAPI()
        let actor = try api.get("/v1/actors/belarus").json
        let id = try #require(actor["id"]?.stringValue)
        #expect(try api.request("DELETE", "/v1/actors/belarus?cascade=true", token: api.writeToken).status == 204)
        let gone = try api.get("/v1/actors/belarus")
        #expect(gone.status == 410, "\(gone.text)")
        #expect(gone.text.contains("/v1/actors/\(id)/revisions"))
        #expect(try api.request("PATCH", "/v1/actors/belarus", json: #"{"name":"x"}"#, token: api.writeToken).status == 410)
        let history = try api.get("/v1/actors/belarus/revisions").json.data
        #expect(history.first?["operation"]?.stringValue == "delete" && history.first?["id"]?.stringValue == id)
        let back = try api.request("POST", "/v1/actors/belarus/revisions/1/restore", token: api.writeToken)
        #expect(back.status == 201 && back.json["id"]?.stringValue == id && back.json["slug"]?.stringValue == "belarus")
        // A slug an actor gave up before it was deleted is not its; one never used is not found.
        #expect(try api.request("PATCH", "/v1/actors/belarus", json: #"{"slug":"republic-of-belarus"}"#, token: api.writeToken).status == 200)
        #expect(try api.get("/v1/actors/belarus").status == 404)
        #expect(try api.request("DELETE", "/v1/actors/republic-of-belarus?cascade=true", token: api.writeToken).status == 204)
        #expect(try api.get("/v1/actors/belarus").status == 404)
        #expect(try api.get("/v1/actors/republic-of-belarus").status == 410)
        #expect(try api.get("/v1/actors/never-was-here").status == 404)
    }

    @Test func restoringMakesAnEarlierStateCurrentOrBringsARecordBack() throws {
        let api = try TestAPI(seed: false)
        let actor = try #require(try api.request("POST", "/v1/actors", json: #"{"kind":"person","name":"Speaker"}"#, token: api.writeToken).json["id"]?.stringValue)
        let quote = try api.request("POST", "/v1/quotes", json: #"{"text":"Original words.","language":"en","speakerId":"\#(actor)"}"#, token: api.writeToken)
        let id = try #require(quote.json["id"]?.stringValue)
        let edited = try api.request("PATCH", "/v1/quotes/\(id)", json: #"{"text":"Vandalised."}"#, token: api.writeToken)

        // A stale If-Match is refused; the current one restores revision 1 as revision 3.
        #expect(try api.request("POST", "/v1/quotes/\(id)/revisions/1/restore", token: api.writeToken, headers: ["If-Match": quote.headers["ETag"] ?? ""]).status == 412)
        let restored = try api.request("POST", "/v1/quotes/\(id)/revisions/1/restore", token: api.writeToken, headers: ["If-Match": edited.headers["ETag"] ?? ""])
        #expect(restored.status == 200 && restored.json["text"]?.stringValue == "Original words." && restored.json["version"]?.intValue == 3)
        let third = try api.get("/v1/quotes/\(id)/revisions/3").json
        #expect(third["operation"]?.stringValue == "update" && third["note"]?.stringValue == "restored revision 1")

        // Deleted, then brought back under the same id, numbered on, with its first creation time.
        #expect(try api.request("DELETE", "/v1/quotes/\(id)", token: api.writeToken).status == 204)
        #expect(try api.request("POST", "/v1/quotes/\(id)/revisions/4/restore", token: api.writeToken).status == 422)  // the deletion itself
        let back = try api.request("POST", "/v1/quotes/\(id)/revisions/3/restore", token: api.writeToken, headers: ["Chronicle-Note": "deleted by mistake"])
        #expect(back.status == 201 && back.json["id"]?.stringValue == id && back.json["version"]?.intValue == 5)
        #expect(back.json["createdAt"] == quote.json["createdAt"] && back.headers["Location"] == "/v1/quotes/\(id)")
        #expect(try api.get("/v1/quotes/\(id)").json["text"]?.stringValue == "Original words.")
        #expect(try api.get("/v1/quotes/\(id)/revisions/5").json["operation"]?.stringValue == "create")

        // Refused while what it refers to is gone, saying what is missing; nothing is written.
        #expect(try api.request("DELETE", "/v1/actors/\(actor)?cascade=true", token: api.writeToken).status == 204)
        let refused = try api.request("POST", "/v1/quotes/\(id)/revisions/5/restore", token: api.writeToken)
        #expect(refused.status == 409)
        #expect(refused.json["missing"]?.arrayValue.first?["field"]?.stringValue == "speakerId")
        #expect(try api.get("/v1/quotes/\(id)").status == 410)
        #expect(try api.get("/v1/quotes/\(id)/revisions").json.data.first?["revision"]?.intValue == 6)
    }

    /// A revision is a record's own edit: renaming an actor writes one revision, of the actor.
    @Test func aRenameIsARevisionOfTheActorAlone() throws {
        let api = try TestAPI()
        let before = try api.database.revisions.head()
        let actor = try #require(try api.database.actors.list(ActorFilter(), sort: [], page: PageRequest(limit: 1)).items.first)
        _ = try api.request("PATCH", "/v1/actors/\(actor.id)", json: #"{"name":"Renamed"}"#, token: api.writeToken)
        let changes = try api.database.revisions.changes(after: before, filter: ChangeFilter(), limit: 100).changes
        #expect(changes.map(\.kind) == [.actor] && changes.map(\.id) == [actor.id])
        // And the built-in dataset's records start their history as its own.
        let first = try #require(try api.database.revisions.revision(of: .actor, id: actor.id, number: 1))
        #expect(first.operation == .create && first.attribution.author == "built-in dataset")
    }

    /// Records written before revisions were kept get their current state as their first revision
    /// when the store opens.
    @Test func recordsFromBeforeRevisionsStartTheirHistoryOnOpen() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("chronicle-history-\(UUID().uuidString).sqlite").path
        let migrations = try Migrator(directory: repoRoot.appendingPathComponent("migrations/sqlite"))
        let store = try SQLiteStore(path: path, migrations: migrations)
        let event = try store.events.create(EventDraft(title: "Old event", start: try PartialDate(parsing: "2020-01-01")))
        // As the migration leaves a database it upgrades: records, no revisions, all queued.
        try store.pool.write { db in
            try db.execute("DELETE FROM revisions; INSERT INTO revision_queue SELECT 'event', id, 'create', version FROM events")
        }
        let reopened = try SQLiteStore(path: path, migrations: migrations)
        let first = try #require(try reopened.revisions.latest(of: .event, id: event.id))
        #expect(first.number == 1 && first.operation == .create && first.attribution.author == "chronicle")
        if case .event(let state)? = first.state { #expect(state.title == "Old event") } else { Issue.record("no state") }
    }
}

/// A merge patch cannot tell a member set to null from one removed: compare without them.
func withoutNulls(_ json: JSON) -> JSON {
    guard case .object(let members) = json else { return json }
    return .object(members.filter { $0.1 != .null }.map { ($0.0, withoutNulls($0.1)) })
}

/// RFC 7396's algorithm, to check the patches the server computes.
func applyMergePatch(_ patch: JSON, to target: JSON) -> JSON {
    guard case .object(let members) = patch else { return patch }
    var result: [(String, JSON)] = []
    if case .object(let existing) = target { result = existing }
    for (key, value) in members {
        if value == .null {
            result.removeAll { $0.0 == key }
        } else if let index = result.firstIndex(where: { $0.0 == key }) {
            result[index].1 = applyMergePatch(value, to: result[index].1)
        } else {
            result.append((key, applyMergePatch(value, to: .null)))
        }
    }
    return .object(result)
}
