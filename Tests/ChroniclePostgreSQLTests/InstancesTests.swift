import Chronicle
import ChronicleAPI
import ChroniclePostgreSQL
import Foundation
import HTTP
import PostgreSQL
import Synchronization
import Testing

/// Two Chronicle instances on one PostgreSQL database, each with a store (a pool) of its own
/// and the API's kept bodies and rows switched on, as two `chronicle serve` processes behind a
/// load balancer: what one writes, the other reads at once (records, list pages, search), with
/// nothing it keeps in memory stale; cursors and ETags are the same on both; and of two
/// same-version updates through different instances exactly one wins.
@Suite(.needsPostgres) struct InstancesTests {
    /// One instance: a store of its own and the API over it, answered in-process.
    struct Instance {
        let store: PostgresStore
        let router: Router
        let token: String

        init(_ store: PostgresStore, token: String, positions: Bool = false) {
            self.store = store
            self.token = token
            var repositories = Repositories(actors: store.actors, events: store.events, quotes: store.quotes, sources: store.sources, search: store.search,
                                            tokens: store.tokens, snapshots: store, embeddedChanges: store.embeddedChanges, revisions: store.revisions,
                                            webhooks: store.webhooks, exporter: store, importer: store, checkReady: { try store.ping() })
            if positions { repositories.positions = store }
            var configuration = APIConfiguration()
            configuration.renderedRecordBytes = 8 << 20
            configuration.renderedRowBytes = 8 << 20
            configuration.storeMetrics = { store.standbyMetrics }
            router = ChronicleAPI(repositories: repositories, configuration: configuration).router()
        }

        struct Reply {
            let status: Int
            let headers: Headers
            let body: [UInt8]
            var json: JSON { (try? JSON.parse(body)) ?? .null }
        }

        func request(_ method: String, _ target: String, json: String? = nil, headers: [String: String] = [:]) throws -> Reply {
            var head = Headers()
            head.add("Host", "test")
            if method != "GET" { head.add("Authorization", "Bearer \(token)") }
            if json != nil { head.add("Content-Type", "application/json") }
            for (name, value) in headers { head.add(name, value) }
            var request = Request(method: method, target: target, headers: head, body: Array((json ?? "").utf8))
            let preparation = router.prepare(method: method, path: request.path)
            request.preparedTag = preparation.tag
            request.parameters = preparation.parameters
            let response = try router.respond(to: request)
            var body: [UInt8] = []
            switch response.body {
            case .bytes(let bytes): body = bytes
            case .stream(let stream): while let chunk = try stream.next() { body += chunk }
            case .push: break
            }
            return Reply(status: response.status, headers: response.headers, body: body)
        }

        func get(_ target: String) throws -> Reply { try request("GET", target) }
    }

    /// Two instances on one fresh database, the second with a token the first made.
    static func pair() throws -> (TestDatabase, Instance, Instance) {
        let database = try TestDatabase()
        let first = try database.store(), second = try database.store()
        let token = try first.tokens.create(name: "writer", scope: .write).secret
        return (database, Instance(first, token: token), Instance(second, token: token))
    }

    @Test func whatOneInstanceWritesTheOtherReadsAtOnce() throws {
        let (database, a, b) = try Self.pair()
        _ = database
        let source = try a.request("POST", "/v1/sources", json: #"{"title":"Wire report","url":"https://example.org/w"}"#)
        let actor = try a.request("POST", "/v1/actors", json: #"{"kind":"person","name":"Anna Mediator"}"#)
        let sourceID = try #require(source.json["id"].flatMap(string)), actorID = try #require(actor.json["id"].flatMap(string))
        let created = try a.request("POST", "/v1/events", json: """
            {"title":"Border talks","start":"2022-02-28","category":"diplomacy","participants":[{"actorId":"\(actorID)","role":"host"}],
             "citations":[{"sourceId":"\(sourceID)","excerpt":"talks at the border"}]}
            """)
        #expect(created.status == 201)
        let eventID = try #require(created.json["id"].flatMap(string))

        // B reads it (and keeps its body and its list row), twice: the second from what B keeps.
        for _ in 0..<2 {
            let read = try b.get("/v1/events/\(eventID)")
            #expect(read.status == 200 && read.json["title"].flatMap(string) == "Border talks")
            #expect(try b.get("/v1/events").json["data"].map(items)?.compactMap { $0["title"].flatMap(string) } == ["Border talks"])
        }
        // The same representation has the same ETag on either instance.
        let tagA = try a.get("/v1/events/\(eventID)").headers["ETag"], tagB = try b.get("/v1/events/\(eventID)").headers["ETag"]
        #expect(tagA != nil && tagA == tagB)

        // A changes the event: B's kept body and row are not served any more.
        let patched = try a.request("PATCH", "/v1/events/\(eventID)", json: #"{"title":"Border talks resumed"}"#, headers: ["If-Match": tagA ?? ""])
        #expect(patched.status == 200)
        #expect(try b.get("/v1/events/\(eventID)").json["title"].flatMap(string) == "Border talks resumed")
        #expect(try b.get("/v1/events").json["data"].map(items)?.first?["title"].flatMap(string) == "Border talks resumed")
        #expect(try b.get("/v1/search?q=resumed").json["data"].map(items)?.compactMap { $0["id"].flatMap(string) }.contains(eventID) == true)

        // A renames the participant (the event keeps its version): B shows the new name, in the
        // record and in the list row it kept.
        #expect(try a.request("PATCH", "/v1/actors/\(actorID)", json: #"{"name":"Anna Negotiator"}"#).status == 200)
        func participantNames(_ json: JSON?) -> [String] {
            (json?["participants"]).map(items)?.compactMap { $0["name"].flatMap(string) } ?? []
        }
        #expect(participantNames(try b.get("/v1/events/\(eventID)").json) == ["Anna Negotiator"])
        #expect(participantNames(try b.get("/v1/events").json["data"].map(items)?.first) == ["Anna Negotiator"])
        #expect(try b.get("/v1/search?q=Negotiator").json["data"].map(items)?.compactMap { $0["id"].flatMap(string) }.contains(actorID) == true)
        #expect(try b.get("/v1/search?q=Mediator").json["data"].map(items)?.isEmpty == true)

        // A deletes it: B no longer serves it, nor lists it, nor finds it.
        #expect(try a.request("DELETE", "/v1/events/\(eventID)").status == 204)
        #expect(try b.get("/v1/events/\(eventID)").status == 410)
        #expect(try b.get("/v1/events").json["data"].map(items)?.isEmpty == true)
        #expect(try b.get("/v1/search?q=resumed").json["data"].map(items)?.isEmpty == true)
    }

    /// An instance hears of each change another commits (its live streams and webhooks go on
    /// at once), and only once the change is committed.
    @Test func anInstanceIsToldWhenAnotherCommits() throws {
        let database = try TestDatabase()
        let listening = try database.store(), writing = try database.store()
        let heard = Atomic<Int>(0)
        listening.onChanges { heard.add(1, ordering: .relaxed) }
        func waitUntilHeard(more than: Int) -> Bool {
            for _ in 0..<100 where heard.load(ordering: .relaxed) <= than { usleep(50_000) }
            return heard.load(ordering: .relaxed) > than
        }
        // The listener connects on a thread of its own: a first write may come before it listens.
        var before = 0
        for attempt in 0..<5 where !waitUntilHeard(more: before) {
            _ = try writing.actors.create(ActorDraft(kind: .person, name: "Early \(attempt)"))
        }
        before = heard.load(ordering: .relaxed)
        #expect(before > 0)
        // A write rolled back says nothing.
        #expect(throws: ChronicleError.self) {
            _ = try writing.quotes.create(QuoteDraft(text: "Orphan", language: "en", speakerID: "act_missing"))
        }
        usleep(300_000)
        #expect(heard.load(ordering: .relaxed) == before)
        _ = try writing.actors.create(ActorDraft(kind: .person, name: "Heard Of"))
        #expect(waitUntilHeard(more: before))
    }

    @Test func cursorsFromOneInstanceWorkOnTheOther() throws {
        let (database, a, b) = try Self.pair()
        _ = database
        for name in ["Alpha", "Bravo", "Charlie", "Delta", "Echo"] {
            #expect(try a.request("POST", "/v1/actors", json: #"{"kind":"person","name":"\#(name)"}"#).status == 201)
        }
        let first = try a.get("/v1/actors?sort=name&limit=2")
        let cursor = try #require(first.json["next"].flatMap(string))
        let onA = try a.get("/v1/actors?sort=name&limit=2&cursor=\(cursor)"), onB = try b.get("/v1/actors?sort=name&limit=2&cursor=\(cursor)")
        #expect(onB.status == 200 && onB.json["data"] == onA.json["data"])
        #expect(onB.json["data"].map(items)?.compactMap { $0["name"].flatMap(string) } == ["Charlie", "Delta"])
    }

    @Test func ofTwoSameVersionUpdatesThroughDifferentInstancesOneWins() throws {
        let (database, a, b) = try Self.pair()
        _ = database
        let created = try a.request("POST", "/v1/actors", json: #"{"kind":"person","name":"Contested"}"#)
        let id = try #require(created.json["id"].flatMap(string))
        for round in 0..<8 {
            let tag = try #require(try b.get("/v1/actors/\(id)").headers["ETag"])
            let statuses = Locked<[Int]>([])
            let group = DispatchGroup()
            for (index, instance) in [a, b].enumerated() {
                DispatchQueue.global().async(group: group) {
                    let status = (try? instance.request("PATCH", "/v1/actors/\(id)", json: #"{"description":"round \#(round) by \#(index)"}"#,
                                                        headers: ["If-Match": tag]).status) ?? 0
                    statuses.update { $0.append(status) }
                }
            }
            group.wait()
            #expect(statuses.value.sorted() == [200, 412], "round \(round): \(statuses.value)")
        }
        // Both instances now agree on the version: one per winning round.
        #expect(try a.get("/v1/actors/\(id)").json["version"] == .number(9))
        #expect(try b.get("/v1/actors/\(id)").json["version"] == .number(9))
    }

    /// A write is let through on a token its instance remembers, and confirms it as it commits:
    /// revoked through the other instance, the token's next write is refused there, nothing of
    /// it kept, and the one after is refused before it runs.
    @Test func aTokenRevokedThroughOneInstanceWritesNothingThroughTheOther() throws {
        let (database, a, b) = try Self.pair()
        _ = database
        let kept = try b.request("POST", "/v1/actors", json: #"{"kind":"person","name":"Before Revoke"}"#)
        #expect(kept.status == 201)
        let id = try #require(kept.json["id"].flatMap(string))
        _ = try a.store.tokens.revoke("writer")

        let refused = try b.request("POST", "/v1/actors", json: #"{"kind":"person","name":"After Revoke"}"#)
        #expect(refused.status == 401)
        #expect(refused.headers["WWW-Authenticate"]?.contains(#"error="invalid_token""#) == true)
        #expect(refused.json["detail"].flatMap(string)?.contains("nothing was written") == true, "refused where it committed")
        let again = try b.request("PATCH", "/v1/actors/\(id)", json: #"{"description":"after revoke"}"#)
        #expect(again.status == 401)
        #expect(again.json["detail"].flatMap(string)?.contains("nothing was written") == false, "refused before it ran")
        for instance in [a, b] {
            #expect(try instance.get("/v1/actors").json["data"].map(items)?.compactMap { $0["name"].flatMap(string) } == ["Before Revoke"])
            #expect(try instance.get("/v1/actors/\(id)").json["version"] == .number(1))
        }
    }

    /// The store's own confirmation, for writes that take no feed position (a change to
    /// nothing, an import that writes nothing) and for imports.
    @Test func aRevokedTokenIsRefusedByEveryKindOfWrite() throws {
        let database = try TestDatabase()
        let store = try database.store()
        let (token, _) = try store.tokens.create(name: "writer", scope: .write)
        let live = Attribution(author: "writer", tokenID: token.id)
        let actor = try store.actors.create(ActorDraft(kind: .person, name: "Anna Mediator"), by: live)
        _ = try store.tokens.revoke(token.id)
        let revoked = live

        #expect(throws: ChronicleError.tokenRevoked) { _ = try store.actors.create(ActorDraft(kind: .person, name: "Other"), by: revoked) }
        #expect(throws: ChronicleError.tokenRevoked) { _ = try store.actors.update(actor.id, expectedVersion: 1, with: actor.draft, by: revoked) }
        #expect(throws: ChronicleError.tokenRevoked) { try store.actors.delete(actor.id, cascade: true, by: revoked) }
        for (mode, dryRun) in [(ImportMode.atomic, false), (.atomic, true), (.bestEffort, false)] {
            var lines = [ImportLine(line: 1, kind: .actor, id: nil, content: .success(.actor(ActorDraft(kind: .person, name: "Imported"))))]
            #expect(throws: ChronicleError.tokenRevoked, "\(mode) dryRun=\(dryRun)") {
                _ = try store.importLines({ lines.popLast() }, mode: mode, dryRun: dryRun, by: revoked)
            }
        }
        #expect(try store.actors.find(actor.id).version == 1)
        #expect(try store.actors.find(actor.id).name == "Anna Mediator")
        // Without a token to confirm (the command line, the seed) writes go on.
        _ = try store.actors.create(ActorDraft(kind: .person, name: "By the command line"), by: .cli)
    }
}

private func string(_ json: JSON) -> String? { if case .string(let text) = json { text } else { nil } }
private func items(_ json: JSON) -> [JSON] { if case .array(let values) = json { values } else { [] } }
