import Chronicle
@testable import ChronicleAPI
import ChronicleSQLite
import Foundation
import Glibc
import HTTP
import HTTPClient
import Synchronization
import Testing

/// The change feed: every change once, in commit order, resumable from a stored cursor; live as
/// server-sent events or a long poll; delivered to webhooks.
@Suite struct ChangeFeedTests {
    func createSource(_ api: TestAPI, _ title: String, token: String? = nil) throws -> String {
        let reply = try api.request("POST", "/v1/sources", json: #"{"title":"\#(title)"}"#, token: token ?? api.writeToken)
        return try #require(reply.json["id"]?.stringValue)
    }

    @Test func theFeedPagesInCommitOrderAndResumesFromAStoredCursor() throws {
        let api = try TestAPI(seed: false)
        let ids = try (0..<7).map { try createSource(api, "Source \($0)") }
        _ = try api.request("PATCH", "/v1/sources/\(ids[0])", json: #"{"title":"Source 0, retitled"}"#, token: api.writeToken)
        _ = try api.request("DELETE", "/v1/sources/\(ids[1])", token: api.writeToken)

        var seen: [(String, Int, String)] = []
        var cursor: String?
        for _ in 0..<6 {
            let page = try api.get("/v1/changes?limit=3" + (cursor.map { "&since=\($0)" } ?? ""))
            #expect(page.status == 200 && page.headers["Cache-Control"] == "no-store")
            let vary = page.headers["Vary"]?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
            #expect(vary.contains("Accept"), "JSON or an event stream, by Accept: \(vary)")
            for change in page.json.data {
                seen.append((change["id"]?.stringValue ?? "", change["revision"]?.intValue ?? 0, change["operation"]?.stringValue ?? ""))
            }
            cursor = page.json["next"]?.stringValue
            if page.json.data.isEmpty { break }
        }
        let expected = ids.map { ($0, 1, "create") } + [(ids[0], 2, "update"), (ids[1], 2, "delete")]
        #expect(seen.map { "\($0.0)/\($0.1)/\($0.2)" } == expected.map { "\($0.0)/\($0.1)/\($0.2)" })

        // A consumer that stored the cursor comes back later and gets only what is new.
        let stored = try #require(cursor)
        let later = try createSource(api, "Later")
        let resumed = try api.get("/v1/changes?since=\(stored)")
        #expect(resumed.json.data.compactMap { $0["id"]?.stringValue } == [later])
        #expect(resumed.json.data.first?["state"]?["title"]?.stringValue == "Later")
        #expect(resumed.json.data.first?["author"]?.stringValue == "writer")
        // Filtered by kind; bad input is a clear 422.
        #expect(try api.get("/v1/changes?type=actor,event").json.data.isEmpty)
        #expect(try api.get("/v1/changes?type=source").json.data.count == 10)
        #expect(try api.get("/v1/changes?type=sauce").refusedFields == ["type"])
        #expect(try api.get("/v1/changes?since=not-a-cursor").refusedFields == ["since"])
        #expect(try api.get("/v1/changes?wait=3600").refusedFields == ["wait"])
    }

    /// A write that changes several records (a cascade) lists them in the order it changed
    /// them: a mirror applying the feed in order never meets a reference to something deleted.
    @Test func aCascadesChangesComeInTheOrderTheyWereMade() throws {
        let api = try TestAPI(seed: false)
        let actor = try #require(try api.request("POST", "/v1/actors", json: #"{"kind":"person","name":"Gone Soon"}"#, token: api.writeToken).json["id"]?.stringValue)
        let event = try #require(try api.request("POST", "/v1/events", json: #"{"title":"Meeting","start":"2022-03","participants":[{"actorId":"\#(actor)","role":"host"}]}"#, token: api.writeToken).json["id"]?.stringValue)
        let quote = try #require(try api.request("POST", "/v1/quotes", json: #"{"text":"Words.","language":"en","speakerId":"\#(actor)"}"#, token: api.writeToken).json["id"]?.stringValue)
        let head = try #require(try api.get("/v1/changes?since=now").json["next"]?.stringValue)
        #expect(try api.request("DELETE", "/v1/actors/\(actor)?cascade=true", token: api.writeToken).status == 204)
        let changes = try api.get("/v1/changes?since=\(head)").json.data.map { "\($0["id"]?.stringValue ?? "") \($0["operation"]?.stringValue ?? "")" }
        #expect(changes == ["\(event) update", "\(quote) delete", "\(actor) delete"])
    }

    /// Writers race while a reader follows the feed page by page: the reader sees every
    /// acknowledged change exactly once, in commit order (each record's revisions in order).
    @Test func aReaderFollowingConcurrentWritersSeesEveryChangeOnceInOrder() throws {
        let api = try TestAPI(seed: false)
        let writers = 8, each = 15
        let acknowledged = Mutex<[String]>([])
        let done = Atomic<Int>(0)
        for writer in 0..<writers {
            Thread.detachNewThread {
                for n in 0..<each {
                    if let reply = try? api.request("POST", "/v1/sources", json: #"{"title":"w\#(writer) n\#(n)"}"#, token: api.writeToken),
                       reply.status == 201, let id = reply.json["id"]?.stringValue {
                        let edited = (try? api.request("PATCH", "/v1/sources/\(id)", json: #"{"title":"w\#(writer) n\#(n) edited"}"#, token: api.writeToken))?.status == 200
                        acknowledged.withLock { $0.append("\(id)/1"); if edited { $0.append("\(id)/2") } }
                    }
                }
                done.add(1, ordering: .relaxed)
            }
        }
        var followed: [String] = []
        var cursor = ""
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let finished = done.load(ordering: .relaxed) == writers
            let page = try api.get("/v1/changes?limit=7" + (cursor.isEmpty ? "" : "&since=\(cursor)"))
            for change in page.json.data {
                followed.append("\(change["id"]?.stringValue ?? "")/\(change["revision"]?.intValue ?? 0)")
            }
            cursor = page.json["next"]?.stringValue ?? cursor
            if finished && page.json.data.isEmpty { break }
        }
        let acked = acknowledged.withLock { $0 }
        #expect(acked.count == writers * each * 2)
        #expect(Set(followed).count == followed.count)  // nothing twice
        #expect(Set(followed) == Set(acked))  // nothing missed
        // In commit order: exactly the order a reader that starts after the writes sees.
        let whole = try api.database.revisions.changes(after: 0, filter: ChangeFilter(), limit: 10_000).changes.map { "\($0.id)/\($0.number)" }
        #expect(followed == whole)
        for id in Set(followed.map { $0.split(separator: "/")[0] }) {
            let numbers = followed.filter { $0.hasPrefix(id + "/") }.map { $0.split(separator: "/")[1] }
            #expect(numbers == ["1", "2"])
        }
    }

    @Test func serverSentEventsArriveLiveAndResumeFromLastEventID() throws {
        let api = try TestAPI(seed: false)
        let early = try createSource(api, "Before subscribing")
        let live = try StreamClient(port: api.port, request: "GET /v1/changes?type=source HTTP/1.1\r\nHost: t\r\nAccept: text/event-stream\r\n\r\n")
        #expect(live.read { $0.contains("following changes") })
        #expect(live.status == 200)
        let first = try createSource(api, "First live")
        let second = try createSource(api, "Second live")
        _ = try api.request("POST", "/v1/actors", json: #"{"kind":"person","name":"Not a source"}"#, token: api.writeToken)
        #expect(live.read { $0.contains(second) })
        let events = live.events.filter { $0.event == "change" }
        // Live from now: not the record created before, not the actor the filter leaves out.
        #expect(events.map { $0.data.contains(first) } == [true, false])
        #expect(!live.text.contains(early) && !live.text.contains("Not a source"))
        #expect(events.allSatisfy { $0.id != nil })

        // Reconnecting with the first event's id resumes right after it (a browser reconnects to
        // the same address, so the id wins over since=now).
        let resumed = try StreamClient(port: api.port, request: "GET /v1/changes?since=now HTTP/1.1\r\nHost: t\r\nAccept: text/event-stream\r\nLast-Event-ID: \(events[0].id ?? "")\r\n\r\n")
        #expect(resumed.read { $0.contains("Not a source") })
        let replayed = resumed.events.filter { $0.event == "change" }.map(\.data)
        #expect(replayed.count == 2 && replayed[0].contains(second) && replayed[1].contains("Not a source"))
    }

    /// An idle stream is sent a comment now and then, so that proxies do not close it.
    @Test func anIdleStreamGetsHeartbeats() throws {
        let api = try TestAPI(seed: false) { $0.streamHeartbeatSeconds = 0.3 }
        let stream = try StreamClient(port: api.port, request: "GET /v1/changes HTTP/1.1\r\nHost: t\r\nAccept: text/event-stream\r\n\r\n")
        #expect(stream.read(for: 5) { $0.components(separatedBy: ": heartbeat\n\n").count >= 3 })
        #expect(stream.events.isEmpty)  // comments, not events
    }

    /// A webhook's actor filter: the actor itself, events it takes part in, quotes it said; a
    /// deletion judged by the state before it.
    @Test func aWebhooksActorFilterWantsWhatConcernsTheActor() throws {
        let filter = WebhookFilter(kinds: [], actorID: "act_a")
        let event = Event(id: "evt_1", draft: EventDraft(title: "Talks", start: try PartialDate(parsing: "2022"),
                                                         participants: [Participant(actorID: "act_a", role: .host)]),
                          createdAt: "t", updatedAt: "t", version: 1)
        let other = Event(id: "evt_2", draft: EventDraft(title: "Other", start: try PartialDate(parsing: "2022")), createdAt: "t", updatedAt: "t", version: 1)
        let quote = Quote(id: "quo_1", draft: QuoteDraft(text: "x", language: "en", speakerID: "act_a"), speakerName: nil, createdAt: "t", updatedAt: "t", version: 1)
        #expect(filter.admits(.event, id: event.id, state: .event(event)))
        #expect(!filter.admits(.event, id: other.id, state: .event(other)))
        #expect(filter.admits(.quote, id: quote.id, state: .quote(quote)))
        #expect(filter.admits(.actor, id: "act_a", state: nil))  // its own deletion
        #expect(!filter.admits(.actor, id: "act_b", state: nil))
        #expect(!WebhookFilter(kinds: [.quote], actorID: "act_a").admits(.event, id: event.id, state: .event(event)))
    }

    /// A webhook's kinds are named as `/v1/changes?type=` names them: `events` as well as `event`.
    @Test func aWebhooksTypesTakeKindsSingularOrPlural() throws {
        let api = try TestAPI(seed: false)
        let admin = try api.database.tokens.create(name: "hooks-admin", scope: .admin).secret
        let created = try api.request("POST", "/v1/webhooks", json: #"{"url":"http://127.0.0.1:9/hook","types":["events","quote","quotes"]}"#, token: admin)
        #expect(created.status == 201, "\(created.text)")
        #expect(created.json["types"] == .array([.string("event"), .string("quote")]))
        let refused = try api.request("POST", "/v1/webhooks", json: #"{"url":"http://127.0.0.1:9/hook","types":["eventz"]}"#, token: admin)
        #expect(refused.status == 422 && refused.refusedFields == ["types"])
    }

    /// Stopping the server ends open event streams at once instead of waiting out the drain.
    @Test func stoppingTheServerEndsEventStreams() throws {
        let api = try TestAPI(seed: false)
        let stream = try StreamClient(port: api.port, request: "GET /v1/changes HTTP/1.1\r\nHost: t\r\nAccept: text/event-stream\r\n\r\n")
        #expect(stream.read { $0.contains("following changes") })
        let head = try #require(try api.get("/v1/changes?since=now").json["next"]?.stringValue)
        let poll = try StreamClient(port: api.port, request: "GET /v1/changes?since=\(head)&wait=30 HTTP/1.1\r\nHost: t\r\n\r\n")
        usleep(300_000)
        let started = Date()
        api.server.shutdown()
        api.server.wait()
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(stream.read(for: 5) { _ in false } == false && stream.ended)
        // A long poll waiting then gets its empty page, whole.
        #expect(poll.read(for: 5) { _ in false } == false && poll.ended)
        let page = try JSON.parse(poll.body)
        #expect(page.data.isEmpty && page["next"]?.stringValue == head)
    }

    @Test func aSubscriberThatDoesNotReadIsDroppedWithAnEventNamingWhereToResume() throws {
        let api = try TestAPI(seed: false) { configuration in
            configuration.maxPendingStreamBytes = 8 << 10
            configuration.streamStallSeconds = 1
        }
        let slow = try StreamClient(port: api.port, request: "GET /v1/changes HTTP/1.1\r\nHost: t\r\nAccept: text/event-stream\r\n\r\n", receiveBuffer: 2048)
        usleep(300_000)
        let text = String(repeating: "a long quotation to fill the stream ", count: 220)
        let writes = 150
        for _ in 0..<writes {
            _ = try api.request("POST", "/v1/quotes", json: #"{"text":"\#(text)","language":"en"}"#, token: api.writeToken)
        }
        usleep(2_500_000)  // not reading for longer than the stall allowed (1 s)
        // Dropped: the body ends with a `dropped` event instead of growing without bound.
        #expect(slow.read(for: 15) { $0.contains("event: dropped") })
        #expect(slow.read(for: 5) { _ in false } == false && slow.ended)
        let dropped = try #require(slow.events.last)
        #expect(dropped.event == "dropped")
        let resume = try #require(JSON.parse(Array(dropped.data.utf8))["resume"]?.stringValue)
        let received = slow.events.filter { $0.event == "change" }.count
        #expect(received < writes)
        // What it missed is still in the feed, from where it was dropped.
        let rest = try api.get("/v1/changes?limit=500&since=\(resume)").json.data.count
        #expect(received + rest == writes)
        #expect(api.server.openConnections < 5)
        #expect(try api.get("/metrics").text.contains("\nchronicle_change_stream_dropped_total 1\n"))
    }

    @Test func aLongPollAnswersWhenAChangeCommitsOrWhenItsWaitIsUp() throws {
        let api = try TestAPI(seed: false)
        let head = try #require(try api.get("/v1/changes?since=now").json["next"]?.stringValue)
        let started = Date()
        let waiting = try StreamClient(port: api.port, request: "GET /v1/changes?since=\(head)&wait=1 HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(waiting.read(for: 5) { _ in false } == false && waiting.ended && waiting.status == 200)
        let empty = try JSON.parse(waiting.body)
        #expect(empty.data.isEmpty && empty["next"]?.stringValue == head)
        #expect(Date().timeIntervalSince(started) >= 0.9)

        let poll = try StreamClient(port: api.port, request: "GET /v1/changes?since=\(head)&wait=30 HTTP/1.1\r\nHost: t\r\n\r\n")
        usleep(300_000)
        let id = try createSource(api, "Awaited")
        let answered = Date()
        #expect(poll.read(for: 5) { _ in false } == false && poll.ended)
        #expect(Date().timeIntervalSince(answered) < 3)
        let page = try JSON.parse(poll.body)
        #expect(page.data.compactMap { $0["id"]?.stringValue } == [id])
    }

    /// An empty store whose writes wake a running dispatcher that retries quickly, and an admin
    /// token; the caller stops the dispatcher.
    private static func deliveringAPI() throws -> (TestAPI, WebhookDispatcher, String) {
        let dispatcherBox = Mutex<WebhookDispatcher?>(nil)
        let api = try TestAPI(seed: false) { configuration in
            configuration.onWrite = { dispatcherBox.withLock { $0?.poke() } }
        }
        let dispatcher = WebhookDispatcher(hooks: api.database.webhooks, revisions: api.database.revisions, poster: TestPoster(),
                                           policy: WebhookRetryPolicy(initial: 0.05, maximum: 0.2, timeout: 5))
        dispatcherBox.withLock { $0 = dispatcher }
        dispatcher.start()
        return (api, dispatcher, try api.database.tokens.create(name: "hooks-admin", scope: .admin).secret)
    }

    /// Deliveries are signed, in feed order, retried while the receiver fails, and a webhook's
    /// owner sees how they went.
    @Test func webhooksAreSignedOrderedAndRetried() throws {
        let receiver = try WebhookReceiver()
        let (api, dispatcher, admin) = try Self.deliveringAPI()
        defer { dispatcher.stop() }
        #expect(try api.request("POST", "/v1/webhooks", json: #"{"url":"\#(receiver.url)"}"#, token: api.writeToken).status == 403)
        #expect(try api.request("GET", "/v1/webhooks", token: api.writeToken).status == 403)
        // However the path is spelled: the router reads //v1/webhooks as /v1/webhooks.
        #expect(try api.request("GET", "//v1/webhooks", token: api.writeToken).status == 403)
        #expect(try api.request("POST", "/v1//webhooks", json: #"{"url":"\#(receiver.url)"}"#, token: api.writeToken).status == 403)
        #expect(try api.get("//v1/webhooks").status == 401)
        #expect(try api.request("POST", "/v1/webhooks", json: #"{"url":"ftp://example.org"}"#, token: admin).refusedFields == ["url"])
        #expect(try api.request("POST", "/v1/webhooks", json: #"{"url":"http://[::1"}"#, token: admin).refusedFields == ["url"])
        // A secret is signed with, byte for byte: no control characters (PostgreSQL holds no NUL).
        #expect(try api.request("POST", "/v1/webhooks", json: #"{"url":"\#(receiver.url)","secret":"sixteen-chars-\u0000-more"}"#, token: admin)
            .refusedFields == ["secret"])
        let created = try api.request("POST", "/v1/webhooks", json: #"{"url":"\#(receiver.url)","types":["source"],"secret":"a-shared-secret-of-some-length"}"#, token: admin)
        #expect(created.status == 201)
        let hook = try #require(created.json["id"]?.stringValue)

        receiver.answer(500)
        let ids = try (0..<3).map { try createSource(api, "Hooked \($0)") }
        _ = try api.request("POST", "/v1/actors", json: #"{"kind":"person","name":"Not wanted"}"#, token: api.writeToken)
        // Failing: the first change is tried again and again, and nothing after it is sent.
        #expect(receiver.wait { $0.count >= 3 })
        let failing = receiver.deliveries
        #expect(Set(failing.map { $0.headers["Chronicle-Delivery"] ?? "" }).count == 1)
        let status = try api.request("GET", "/v1/webhooks/\(hook)", token: admin).json
        #expect(status["failing"] == .bool(true) && status["deliveries"]?.arrayValue.first?["status"]?.intValue == 500)

        receiver.answer(204)
        #expect(receiver.wait { $0.filter { $0.headers["Chronicle-Delivery"] != failing[0].headers["Chronicle-Delivery"] }.count >= 2 })
        usleep(300_000)
        let accepted = receiver.deliveries.filter { $0.status == 204 }
        var order: [String] = []
        for delivery in receiver.deliveries {
            let signature = "sha256=" + HMACSHA256.hex(delivery.body, key: "a-shared-secret-of-some-length")
            #expect(delivery.headers["Chronicle-Signature"] == signature)
            #expect(delivery.headers["Chronicle-Webhook"] == hook)
            let id = delivery.json["change"]?["id"]?.stringValue ?? ""
            if order.last != id { order.append(id) }
        }
        #expect(order == ids)  // in feed order, each once after its retries, the actor left out
        #expect(accepted.count == 3)
        #expect(try api.request("GET", "/v1/webhooks/\(hook)", token: admin).json["failing"] == .bool(false))
        #expect(try api.request("DELETE", "/v1/webhooks/\(hook)", token: admin).status == 204)
        #expect(try api.request("GET", "/v1/webhooks/\(hook)", token: admin).status == 404)
    }

    /// An actor's hook hears of a record the actor is taken off, not only of those it is on:
    /// a misattributed quote corrected, an event it is removed from.
    @Test func anActorsHookHearsWhenTheActorIsTakenOffARecord() throws {
        let receiver = try WebhookReceiver()
        let (api, dispatcher, admin) = try Self.deliveringAPI()
        defer { dispatcher.stop() }
        for slug in ["said-it", "did-not"] {
            _ = try api.request("POST", "/v1/actors", json: #"{"slug":"\#(slug)","kind":"person","name":"\#(slug)"}"#, token: api.writeToken)
        }
        #expect(try api.request("POST", "/v1/webhooks", json: #"{"url":"\#(receiver.url)","actor":"said-it","since":"now"}"#, token: admin).status == 201)
        let quote = try #require(try api.request("POST", "/v1/quotes", json: #"{"text":"Misattributed.","language":"en","speakerId":"said-it"}"#,
                                                 token: api.writeToken).json["id"]?.stringValue)
        #expect(try api.request("PATCH", "/v1/quotes/\(quote)", json: #"{"speakerId":"did-not"}"#, token: api.writeToken).status == 200)
        #expect(try api.request("PATCH", "/v1/quotes/\(quote)", json: #"{"context":"Not about said-it any more."}"#, token: api.writeToken).status == 200)
        let event = try #require(try api.request("POST", "/v1/events", json: #"{"title":"Talks","start":"2022","participants":[{"actorId":"said-it","role":"host"}]}"#,
                                                 token: api.writeToken).json["id"]?.stringValue)
        #expect(try api.request("PATCH", "/v1/events/\(event)", json: #"{"participants":[{"actorId":"did-not","role":"host"}]}"#, token: api.writeToken).status == 200)
        let marker = try createSource(api, "After everything")  // not the actor's: delivered to no one
        #expect(receiver.wait { $0.count >= 4 })
        usleep(300_000)
        let heard = receiver.deliveries.map { "\($0.json["change"]?["kind"]?.stringValue ?? "") \($0.json["change"]?["operation"]?.stringValue ?? "")" }
        #expect(heard == ["quote create", "quote update", "event create", "event update"], "\(heard)")
        #expect(!receiver.deliveries.contains { $0.json["change"]?["id"]?.stringValue == marker })
    }

    /// Delivery survives a crash of the server: the restarted server resumes from the hook's
    /// stored position, and the change that was being retried keeps its delivery id.
    @Test func webhookDeliveryResumesAfterARestart() throws {
        let receiver = try WebhookReceiver()
        receiver.answer(503)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chronicle-hooks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = directory.appendingPathComponent("db.sqlite").path
        let admin = try runChronicle(["token", "create", "--db", database, "--name", "hooks", "--scope", "admin"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let first = try ServerProcess(database: database)
        let register = #"{"url":"\#(receiver.url)","types":["source"],"secret":"restart-secret-0123456789"}"#
        #expect(try HTTPProbe.status(port: first.port, post("/v1/webhooks", register, admin)) == 201)
        for n in 0..<3 { #expect(try HTTPProbe.status(port: first.port, post("/v1/sources", #"{"title":"Restart \#(n)"}"#, admin)) == 201) }
        #expect(receiver.wait { !$0.isEmpty })
        first.kill9()
        let attempted = receiver.deliveries.count

        receiver.answer(200)
        let second = try ServerProcess(database: database)
        defer { second.stop() }
        #expect(receiver.wait { Set($0.compactMap { $0.headers["Chronicle-Delivery"] }).count >= 3 })
        let titles = receiver.deliveries.dropFirst(attempted).compactMap { $0.json["change"]?["state"]?["title"]?.stringValue }
        #expect(titles == ["Restart 0", "Restart 1", "Restart 2"])
        #expect(receiver.deliveries[attempted].headers["Chronicle-Delivery"] == receiver.deliveries[0].headers["Chronicle-Delivery"])
        #expect(receiver.deliveries.allSatisfy { $0.headers["Chronicle-Signature"] == "sha256=" + HMACSHA256.hex($0.body, key: "restart-secret-0123456789") })
    }

    private func post(_ path: String, _ json: String, _ token: String) -> String {
        "POST \(path) HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n\r\n\(json)"
    }
}

/// Shared by the writer threads of a test: its state is set up before they start.
extension TestAPI: @unchecked Sendable {}

/// Deliveries through libcurl, as `chronicle serve` sends them.
struct TestPoster: WebhookPoster {
    let client = CurlClient()
    func post(_ url: String, headers: [(String, String)], body: [UInt8], timeout: Double) -> (status: Int?, error: String?, seconds: Double) {
        let outcome = client.post(url, headers: headers, body: body, timeout: timeout)
        return (outcome.status, outcome.error, outcome.seconds)
    }
}

@Suite struct SignatureTests {
    /// RFC 4231, test case 2.
    @Test func hmacSHA256MatchesTheRFCVector() {
        #expect(HMACSHA256.hex(Array("what do ya want for nothing?".utf8), key: "Jefe")
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // A key longer than a block is hashed first (RFC 4231, test case 6).
        #expect(HMACSHA256.authenticate(Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8), key: [UInt8](repeating: 0xaa, count: 131))
                .map { String(format: "%02x", $0) }.joined() == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }
}
