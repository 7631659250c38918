import Foundation
import Glibc
import Synchronization
import Testing
@testable import HTTP

@Suite struct ServerTests {
    @Test func aGETIsAnsweredWithLengthDateAndRequestId() throws {
        let server = try startServer()
        defer { server.shutdown(); server.wait() }
        let client = try RawClient(port: server.port)
        client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let reply = try client.read()
        #expect(reply.status == 200 && reply.text == "hello")
        #expect(reply.headers["Content-Length"] == "5" && reply.headers["Date"]?.hasSuffix("GMT") == true)
        #expect(try #require(reply.headers["X-Request-Id"]).isEmpty == false)
        client.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc-123\r\n\r\n")
        #expect(try client.read().headers["X-Request-Id"] == "abc-123")
        client.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Request-Id: bad id with spaces\r\n\r\n")
        // An unusable id is replaced by one of the server's own, never dropped.
        let replaced = try #require(try client.read().headers["X-Request-Id"])
        #expect(!replaced.isEmpty && replaced != "bad id with spaces" && !replaced.contains(" "))
    }

    /// Only a route declared `.openOnLoop` runs on the loop, and a request carries its route's
    /// access to middleware, so that a credentials check can pass open routes without blocking.
    @Test func aRouteSaysWhoMayCallItAndWhereItRuns() throws {
        var router = Router()
        router.get("/health", .openOnLoop) { request in Response(contentType: "text/plain", text: "\(request.routeAccess.map { "\($0)" } ?? "none")") }
        router.get("/ready", .open) { _ in Response(status: 204) }
        router.get("/things/:id") { request in Response(contentType: "text/plain", text: "\(request.routeAccess.map { "\($0)" } ?? "none")") }
        #expect(router.prepare(method: "GET", path: "/health").runsOnLoop)
        #expect(!router.prepare(method: "GET", path: "/ready").runsOnLoop)
        #expect(!router.prepare(method: "GET", path: "/things/1").runsOnLoop)
        #expect(router.routes.map(\.access) == [.openOnLoop, .open, .guarded])
        #expect(router.routes.map(\.access.isOpen) == [true, true, false])
        func answer(_ target: String) throws -> String {
            guard case .bytes(let bytes) = try router.respond(to: Request(method: "GET", target: target)).body else { return "" }
            return String(decoding: bytes, as: UTF8.self)
        }
        #expect(try answer("/things/7") == "guarded" && answer("/health") == "openOnLoop")
    }

    @Test func aCopiedRouterIsAValueOfItsOwn() {
        var original = Router()
        original.get("/a") { _ in Response(contentType: "text/plain", text: "a") }
        var copy = original
        copy.get("/b") { _ in Response(contentType: "text/plain", text: "b") }
        #expect(original.routes.count == 1 && copy.routes.count == 2)
        if case .notFound = original.match(method: "GET", path: "/b") {} else { Issue.record("the original router gained the copy's route") }
        if case .found(let route, _) = copy.match(method: "GET", path: "/a") { #expect(route.pattern == "/a") } else { Issue.record() }
    }

    /// A path one word off a route, by a letter or two, is answered 404 with the path it likely meant.
    @Test func aMistypedPathIsToldThePathItLikelyMeant() throws {
        var router = Router()
        for pattern in ["/v1/events", "/v1/events/:id", "/v1/actors", "/v1/actors/:id/quotes", "/v1/quotes"] {
            router.get(pattern) { _ in Response(status: 204) }
        }
        func nearest(_ path: String) -> String? {
            if case .notFound(let nearest) = router.match(method: "GET", path: path) { return nearest }
            Issue.record("\(path) matched a route")
            return nil
        }
        #expect(nearest("/v1/event") == "/v1/events")
        #expect(nearest("/v1/evnts/evt_1") == "/v1/events/evt_1")
        #expect(nearest("/v1/actors/act_1/quote") == "/v1/actors/act_1/quotes")
        #expect(nearest("/v2/events") == "/v1/events")
        #expect(nearest("/v1/timeline") == nil, "more than two letters off every route")
        #expect(nearest("/v1/zzz") == nil)
        #expect(nearest("/v1/event/evt_1/quotes") == nil, "two words off")
        let reply = try router.respond(to: Request(method: "GET", target: "/v1/event"))
        guard case .bytes(let bytes) = reply.body else { Issue.record("no body"); return }
        #expect(reply.status == 404 && String(decoding: bytes, as: UTF8.self).contains("did you mean /v1/events?"))
    }

    @Test func connectionsAreSpreadEvenlyOverTheLoops() throws {
        let server = try startServer(loops: 3)
        defer { server.shutdown(); server.wait() }
        // Opened all at once, as a load generator does: whichever loop wakes first accepts them.
        let clients = try (0..<30).map { _ in try RawClient(port: server.port) }
        for client in clients {
            client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.read().status == 200)
        }
        #expect(server.connectionsByLoop() == [10, 10, 10])
    }

    /// Each loop answers with a responder made for it (so that loops share no reference counts),
    /// and every responder is used: connections go to the loops in turn.
    @Test func eachLoopAnswersWithItsOwnResponder() throws {
        let made = Mutex<[Int]>([])
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.loopCount = 3
        configuration.accessLog = false
        let server = try Server(configuration: configuration, respondersByLoop: { index in
            made.withLock { $0.append(index) }
            var router = Router()
            router.get("/which", .openOnLoop) { _ in Response(contentType: "text/plain", text: "loop \(index)") }
            return router
        })
        defer { server.shutdown(); server.wait() }
        #expect(made.withLock { $0 } == [0, 1, 2])
        let clients = try (0..<6).map { _ in try RawClient(port: server.port) }
        var answers: [String: Int] = [:]
        for client in clients {
            client.send("GET /which HTTP/1.1\r\nHost: x\r\n\r\n")
            answers[try client.read().text, default: 0] += 1
        }
        #expect(answers == ["loop 0": 2, "loop 1": 2, "loop 2": 2])
    }

    /// With writer threads configured, a write runs on one of them and a read on a reader,
    /// never on a loop thread.
    @Test func writesRunOnWriterThreadsWhenThereAreAny() throws {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.loopCount = 1
        configuration.readerCount = 1
        configuration.writerCount = 2
        configuration.accessLog = false
        var router = Router()
        let thread: @Sendable (Request) throws -> Response = { _ in
            let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            return Response(contentType: "text/plain", text: name.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        router.get("/thread", thread)
        router.post("/thread", thread)
        router.delete("/thread", thread)
        let server = try Server(configuration: configuration, responder: router)
        defer { server.shutdown(); server.wait() }
        let client = try RawClient(port: server.port)
        client.send("GET /thread HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.read().text == "reader-0")
        for method in ["POST", "DELETE"] {
            client.send("\(method) /thread HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
            #expect(["writer-0", "writer-1"].contains(try client.read().text))
        }
    }

    @Test func assignedRequestIdsAreDistinctShortAndPlain() throws {
        let server = try startServer()
        defer { server.shutdown(); server.wait() }
        let client = try RawClient(port: server.port)
        var ids: [String] = []
        for _ in 0..<40 {
            client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            ids.append(try #require(try client.read().headers["X-Request-Id"]))
        }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.utf8.count <= 15 && id.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 122) || $0 == 45 })
        }
        // The counter part counts up in base 36: the 36th request of this loop ends in "10".
        #expect(ids.contains { $0.hasSuffix("-10") })
    }

    @Test func keepAliveServesSeveralRequestsAndCloseEndsIt() throws {
        let server = try startServer()
        defer { server.shutdown(); server.wait() }
        let client = try RawClient(port: server.port)
        for _ in 0..<3 {
            client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.read().status == 200)
        }
        client.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let last = try client.read()
        #expect(last.headers["Connection"] == "close")
        #expect(client.isClosedByServer())
    }

    /// A client that pipelines and then half-closes (`nc -N`) is answered every request it sent
    /// whole, the last with Connection: close.
    @Test func pipelinedRequestsBeforeAHalfCloseAreAllAnswered() throws {
        let server = try startServer()
        defer { server.shutdown(); server.wait() }
        let client = try RawClient(port: server.port)
        client.send(String(repeating: "GET /slow?ms=20 HTTP/1.1\r\nHost: x\r\n\r\n", count: 3))
        client.shutdownWrite()
        var statuses: [Int] = []
        for _ in 0..<3 { statuses.append(try client.read().status) }
        #expect(statuses == [200, 200, 200])
        #expect(client.isClosedByServer())
    }

    @Test func http10ClosesUnlessKeepAliveIsAsked() throws {
        let server = try startServer()
        defer { server.shutdown(); server.wait() }
        let plain = try RawClient(port: server.port)
        plain.send("GET /hello HTTP/1.0\r\n\r\n")
        #expect(try plain.read().status == 200)
        #expect(plain.isClosedByServer())
        let kept = try RawClient(port: server.port)
        kept.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try kept.read().headers["Connection"] == "keep-alive")
        kept.send("GET /hello HTTP/1.0\r\n\r\n")
        #expect(try kept.read().status == 200)
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let server = try startServer()
        defer { server.shutdown(); server.wait() }
        let client = try RawClient(port: server.port)
        client.send("GET /slow?ms=80 HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /items/7 HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
        #expect(try client.read().text == "slow")
        #expect(try client.read().text == "hello")
        #expect(try client.read().text == "item 7")
        #expect(try client.read().text == "abc")
    }

    @Test func headSendsTheHeadersOfGetWithoutABody() throws {
        let server = try startServer()
        defer { server.shutdown(); server.wait() }
        let client = try RawClient(port: server.port)
        client.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let reply = try client.read(head: true)
        #expect(reply.status == 200 && reply.headers["Content-Length"] == "5" && reply.body.isEmpty)
        client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.read().text == "hello")
    }

    @Test func contentLengthAndChunkedBodiesArrive() throws {
        let server = try startServer()
        defer { server.shutdown(); server.wait() }
        let client = try RawClient(port: server.port)
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello")
        usleep(20_000)
        client.send(" world")
        #expect(try client.read().text == "hello world")
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;x=y\r\n!\r\n0\r\nT: v\r\n\r\n")
        #expect(try client.read().text == "hello!")
    }

    @Test func expectContinueIsAnsweredAfterTheHeadValidates() throws {
        let server = try startServer()
        defer { server.shutdown(); server.wait() }
        let client = try RawClient(port: server.port)
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        #expect(try client.read().status == 100)
        client.send("data")
        #expect(try client.read().text == "data")
        let refused = try RawClient(port: server.port)
        refused.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n")
        #expect(try refused.read().status == 413)
        let unknown = try RawClient(port: server.port)
        unknown.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nExpect: something-else\r\n\r\nx")
        #expect(try unknown.read().status == 417)
    }

    @Test func bodyLimitsAreEnforcedPerRoute() throws {
        let server = try startServer()
        defer { server.shutdown(); server.wait() }
        let tooBig = try RawClient(port: server.port)
        tooBig.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(1024 * 1024 + 1)\r\n\r\n")
        let reply = try tooBig.read()
        #expect(reply.status == 413 && reply.headers["Content-Type"] == "application/problem+json")
        #expect(tooBig.isClosedByServer())
        let chunkedTooBig = try RawClient(port: server.port)
        chunkedTooBig.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n200000\r\n")
        #expect(try chunkedTooBig.read().status == 413)
        let allowed = try RawClient(port: server.port)
        let body = [UInt8](repeating: 65, count: 2 * 1024 * 1024)
        allowed.send("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n")
        allowed.send(body)
        #expect(try allowed.read().text == "\(body.count)")
    }

    @Test(arguments: [
        ("GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        ("GET / HTTP/1.1\r\nHost: x\r\nX: " + String(repeating: "b", count: 33 * 1024) + "\r\n\r\n", 431),
        ("GET / HTTP/1.1\r\nHost: x\r\n" + (0..<101).map { "X-\($0): y\r\n" }.joined() + "\r\n", 431),
        ("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n\r\n", 400),
        ("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc", 400),
        ("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc", 400),
        ("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n", 413),
        ("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: br\r\n\r\n", 400),
        ("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: br, chunked\r\n\r\n", 501),
        ("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n", 501),
        ("GET / HTTP/3.0\r\nHost: x\r\n\r\n", 505),
        ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
    ])
    func badRequestsAreAnsweredThenClosed(_ request: String, _ status: Int) throws {
        let server = try startServer()
        defer { server.shutdown(); server.wait() }
        let client = try RawClient(port: server.port)
        client.send(request)
        let reply = try client.read()
        #expect(reply.status == status)
        #expect(reply.headers["Connection"] == "close")
        #expect(reply.headers["Content-Type"] == "application/problem+json")
        #expect(client.isClosedByServer())
        // The server still serves others.
        let other = try RawClient(port: server.port)
        other.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try other.read().status == 200)
    }

    @Test func unknownPathsAre404AndWrongMethods405WithAllow() throws {
        let server = try startServer()
        defer { server.shutdown(); server.wait() }
        let client = try RawClient(port: server.port)
        client.send("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.read().status == 404)
        client.send("PUT /items/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        let reply = try client.read()
        #expect(reply.status == 405 && reply.headers["Allow"] == "GET, DELETE, HEAD")
    }

    @Test func statusLinesCarryTheirReasonPhrase() throws {
        let server = try startServer()
        defer { server.shutdown(); server.wait() }
        let client = try RawClient(port: server.port)
        for (code, reason) in [(200, "OK"), (422, "Unprocessable Content"), (418, "Status 418"), (299, "Status 299")] {
            client.send("GET /status/\(code) HTTP/1.1\r\nHost: x\r\n\r\n")
            let reply = try client.read()
            #expect(reply.status == code && reply.reason == reason && reply.text == "status")
        }
    }

    @Test func routeParametersArePercentDecoded() throws {
        let server = try startServer()
        defer { server.shutdown(); server.wait() }
        let client = try RawClient(port: server.port)
        client.send("GET /items/%D0%9B%D1%83 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.read().text == "item Лу")
        client.send("GET /items/42/ HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.read().text == "item 42")
        // An encoded slash decodes to a path with one more segment, which no route has.
        client.send("GET /items/a%2Fb HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.read().status == 404)
        client.send("GET /items/1/2 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.read().status == 404)
    }

    @Test func aThrowingHandlerGets500AndTheServerKeepsServing() throws {
        let server = try startServer()
        defer { server.shutdown(); server.wait() }
        let client = try RawClient(port: server.port)
        client.send("GET /boom HTTP/1.1\r\nHost: x\r\n\r\n")
        let reply = try client.read()
        #expect(reply.status == 500 && reply.text.contains("\"status\":500"))
        client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.read().status == 200)
    }

    @Test func streamedResponsesArriveChunked() throws {
        let server = try startServer { router in
            router.get("/stream") { _ in
                let remaining = Counter()
                _ = remaining.add(5)
                return Response(headers: ["Content-Type": "text/plain"], stream: BodyStream {
                    remaining.add(-1) >= 0 ? Array(String(repeating: "x", count: 100_000).utf8) : nil
                })
            }
        }
        defer { server.shutdown(); server.wait() }
        let client = try RawClient(port: server.port)
        client.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        let reply = try client.read()
        #expect(reply.headers["Transfer-Encoding"] == "chunked" && reply.body.count == 500_000)
        client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.read().text == "hello")

        // HTTP/1.0 has no chunks: the body as it is, ended by the end of the connection (what an
        // nginx in front, which speaks 1.0 to its upstreams by default, hands on as the body).
        let old = try RawClient(port: server.port)
        old.send("GET /stream HTTP/1.0\r\n\r\n")
        let whole = try old.read()
        #expect(whole.headers["Transfer-Encoding"] == nil && whole.body.count == 500_000 && whole.body.allSatisfy { $0 == UInt8(ascii: "x") })
    }
}
