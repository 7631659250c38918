import GzipTesting
import Foundation
import Testing
@testable import HTTP

/// gzip for clients that accept it: who gets it, what is encoded, and what the headers say.
@Suite struct CompressionTests {
    /// 4,000 bytes of JSON, compressible, above the threshold.
    static let large = Array(("[" + (0..<200).map { "{\"n\":\(1000 + $0)}" }.joined(separator: ",") + "]").utf8)
    static let small = Array("{\"small\":true}".utf8)
    static let lines = (0..<6).map { index in Array((0..<500).map { "{\"chunk\":\(index),\"line\":\($0)}\n" }.joined().utf8) }

    static func server(compression: ResponseCompression = ResponseCompression()) throws -> Server {
        try startServer(compression: compression) { router in
            router.get("/large") { _ in Response(headers: ["Content-Type": "application/json", "ETag": "\"abc\"", "Vary": "Origin"], body: large) }
            router.get("/small") { _ in Response(headers: ["Content-Type": "application/json"], body: small) }
            router.get("/binary") { _ in Response(headers: ["Content-Type": "application/octet-stream"], body: large) }
            router.get("/encoded") { _ in Response(headers: ["Content-Type": "application/json", "Content-Encoding": "br"], body: large) }
            router.get("/contract", .openOnLoop) { _ in Response(headers: ["Content-Type": "application/yaml"], body: large) }
            router.get("/unchanged") { _ in Response(status: 304, headers: ["ETag": "\"abc\""]) }
            router.get("/stream") { _ in
                let next = Counter()
                return Response(headers: ["Content-Type": "application/x-ndjson", "ETag": "W/\"s1\""], stream: BodyStream {
                    let index = next.add(1) - 1
                    return index < lines.count ? lines[index] : nil
                })
            }
            router.get("/events") { _ in
                Response(headers: ["Content-Type": "text/event-stream"], push: PushStream { sink in
                    sink.send(Array(String(repeating: "data: x\n\n", count: 200).utf8))
                    sink.finish()
                })
            }
        }
    }

    func get(_ server: Server, _ path: String, _ headers: String = "", method: String = "GET") throws -> RawClient.Reply {
        let client = try RawClient(port: server.port)
        client.send("\(method) \(path) HTTP/1.1\r\nHost: x\r\n\(headers)\r\n")
        return try client.read(head: method == "HEAD")
    }

    @Test func aLargeJSONBodyIsGzippedForAClientThatAcceptsIt() throws {
        let server = try Self.server()
        defer { server.shutdown(); server.wait() }
        let reply = try get(server, "/large", "Accept-Encoding: gzip, deflate, br\r\n")
        #expect(reply.status == 200 && reply.headers["Content-Encoding"] == "gzip")
        #expect(reply.headers["Content-Length"] == "\(reply.body.count)" && reply.body.count < Self.large.count / 2)
        #expect(gunzip(reply.body) == Self.large)
        // Another representation: another strong tag. The application's Vary is kept.
        #expect(reply.headers["ETag"] == "\"abc-gzip\"" && reply.headers["Vary"] == "Origin, Accept-Encoding")
    }

    @Test(arguments: ["", "Accept-Encoding: gzip;q=0\r\n", "Accept-Encoding: identity\r\n", "Accept-Encoding: br, deflate\r\n",
                      "Accept-Encoding: gzip;q=0.5, identity\r\n", "Accept-Encoding: *;q=0.5, gzip;q=0\r\n", "Accept-Encoding: \r\n"])
    func aClientThatDoesNotAcceptGzipGetsThePlainBodyWithVary(header: String) throws {
        let server = try Self.server()
        defer { server.shutdown(); server.wait() }
        let reply = try get(server, "/large", header)
        #expect(reply.headers["Content-Encoding"] == nil && reply.body == Self.large && reply.headers["ETag"] == "\"abc\"")
        #expect(reply.headers["Vary"] == "Origin, Accept-Encoding")
    }

    @Test func smallBodiesStayPlainAndSayVary() throws {
        let server = try Self.server()
        defer { server.shutdown(); server.wait() }
        let reply = try get(server, "/small", "Accept-Encoding: gzip\r\n")
        #expect(reply.headers["Content-Encoding"] == nil && reply.body == Self.small && reply.headers["Vary"] == "Accept-Encoding")
    }

    /// Binary types, bodies encoded already and pushed bodies are never encoded, and their
    /// responses do not vary by Accept-Encoding.
    @Test func whatIsNotCompressibleIsLeftAloneWithoutVary() throws {
        let server = try Self.server()
        defer { server.shutdown(); server.wait() }
        let binary = try get(server, "/binary", "Accept-Encoding: gzip\r\n")
        #expect(binary.headers["Content-Encoding"] == nil && binary.body == Self.large && binary.headers["Vary"] == nil)
        let encoded = try get(server, "/encoded", "Accept-Encoding: gzip\r\n")
        #expect(encoded.headers["Content-Encoding"] == "br" && encoded.body == Self.large && encoded.headers["Vary"] == nil)
        let events = try get(server, "/events", "Accept-Encoding: gzip\r\n")
        #expect(events.headers["Content-Encoding"] == nil && events.headers["Vary"] == nil && events.text.hasPrefix("data: x"))
    }

    @Test func aStreamedBodyIsGzippedChunkByChunk() throws {
        let server = try Self.server()
        defer { server.shutdown(); server.wait() }
        let reply = try get(server, "/stream", "Accept-Encoding: x-gzip\r\n")
        #expect(reply.headers["Transfer-Encoding"] == "chunked" && reply.headers["Content-Encoding"] == "gzip")
        #expect(reply.headers["ETag"] == "W/\"s1-gzip\"" && reply.headers["Vary"] == "Accept-Encoding")
        #expect(gunzip(reply.body) == Self.lines.flatMap { $0 })
        let plain = try get(server, "/stream")
        #expect(plain.headers["Content-Encoding"] == nil && plain.body == Self.lines.flatMap { $0 } && plain.headers["Vary"] == "Accept-Encoding")
    }

    /// Each chunk is flushed: what arrived so far decodes to every chunk pulled so far, so a
    /// slow export reaches the client progressively, not at the end.
    @Test func eachStreamedChunkDecodesAsSoonAsItArrives() throws {
        let next = Counter()
        let stream = BodyStream {
            let index = next.add(1) - 1
            return index < Self.lines.count ? Self.lines[index] : nil
        }.gzipped(level: 1)
        var sent: [UInt8] = []
        for index in Self.lines.indices {
            sent += try #require(try stream.next())
            #expect(gunzip(sent, whole: false) == Self.lines[0...index].flatMap { $0 })
            #expect(gunzip(sent) == nil)  // not ended yet
        }
        sent += try #require(try stream.next())
        #expect(try stream.next() == nil && gunzip(sent) == Self.lines.flatMap { $0 })
    }

    /// A client that leaves in the middle of a gzipped stream lets go of it, zlib state and
    /// producer included (`deflateEnd` runs in the encoder's deinit).
    @Test func aClientGoneMidStreamFreesTheStream() throws {
        final class Witness: Sendable {
            let alive: Counter
            init(_ alive: Counter) { self.alive = alive; alive.add(1) }
            deinit { alive.add(-1) }
        }
        let alive = Counter(), pulled = Counter()
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<65536).map { _ in UInt8.random(in: 0...255, using: &generator) }  // does not compress: fills the socket
        let server = try startServer { router in
            router.get("/endless") { _ in
                let witness = Witness(alive)
                return Response(headers: ["Content-Type": "text/plain"], stream: BodyStream {
                    _ = witness
                    pulled.add(1)
                    return noise
                })
            }
        }
        defer { server.shutdown(); server.wait() }
        do {
            let client = try RawClient(port: server.port)
            client.send("GET /endless HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
            let deadline = Date().addingTimeInterval(5)
            while pulled.current < 3 && Date() < deadline { usleep(10_000) }
        }  // the client closes its socket here
        let deadline = Date().addingTimeInterval(10)
        while alive.current > 0 && Date() < deadline { usleep(20_000) }
        #expect(pulled.current >= 3 && alive.current == 0)
    }

    /// HEAD sends GET's head: the encoded length and encoding, no body (and for a stream, no
    /// zlib state: it is made at the first pull).
    @Test func headSendsTheHeadersOfTheGzippedGet() throws {
        let server = try Self.server()
        defer { server.shutdown(); server.wait() }
        let get = try get(server, "/large", "Accept-Encoding: gzip\r\n")
        let client = try RawClient(port: server.port)
        client.send("HEAD /large HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\nHEAD /stream HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
        let head = try client.read(head: true)
        #expect(head.body.isEmpty && head.headers["Content-Length"] == get.headers["Content-Length"])
        #expect(head.headers["Content-Encoding"] == "gzip" && head.headers["ETag"] == "\"abc-gzip\"" && head.headers["Vary"] == get.headers["Vary"])
        let streamHead = try client.read(head: true)
        #expect(streamHead.headers["Content-Encoding"] == "gzip" && streamHead.headers["Transfer-Encoding"] == "chunked")
        client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.read().text == "hello")  // nothing of a body was sent before it
    }

    /// A 304 says Vary, and names the gzip tag when that is the one the client holds.
    @Test func notModifiedNamesTheTagTheClientHolds() throws {
        let server = try Self.server()
        defer { server.shutdown(); server.wait() }
        let gzipped = try get(server, "/unchanged", "Accept-Encoding: gzip\r\nIf-None-Match: \"abc-gzip\"\r\n")
        #expect(gzipped.status == 304 && gzipped.headers["ETag"] == "\"abc-gzip\"" && gzipped.headers["Vary"] == "Accept-Encoding")
        let plain = try get(server, "/unchanged", "If-None-Match: \"abc\"\r\n")
        #expect(plain.status == 304 && plain.headers["ETag"] == "\"abc\"" && plain.headers["Vary"] == "Accept-Encoding")
    }

    /// A route answered on the loop has its large body compressed by a reader, not the loop.
    @Test func aLargeBodyAnsweredOnTheLoopIsGzippedToo() throws {
        let server = try Self.server()
        defer { server.shutdown(); server.wait() }
        let reply = try get(server, "/contract", "Accept-Encoding: gzip\r\n")
        #expect(reply.headers["Content-Encoding"] == "gzip" && gunzip(reply.body) == Self.large)
    }

    @Test func compressionCanBeTurnedOffOrItsThresholdMoved() throws {
        var off = ResponseCompression()
        off.isEnabled = false
        let plain = try Self.server(compression: off)
        defer { plain.shutdown(); plain.wait() }
        let reply = try get(plain, "/large", "Accept-Encoding: gzip\r\n")
        #expect(reply.headers["Content-Encoding"] == nil && reply.headers["Vary"] == "Origin" && reply.body == Self.large)
        var everything = ResponseCompression()
        everything.minimumBytes = 0
        everything.level = 6
        let eager = try Self.server(compression: everything)
        defer { eager.shutdown(); eager.wait() }
        // Encoded when it helps; a body gzip would make larger stays plain.
        #expect(gunzip(try get(eager, "/large", "Accept-Encoding: gzip\r\n").body) == Self.large)
        #expect(try get(eager, "/small", "Accept-Encoding: gzip\r\n").body == Self.small)
    }

    /// RFC 9110 §12.5.3: names are case-insensitive, `q=0` refuses, `*` stands for what is not
    /// named, and identity wins only when it is weighted above gzip.
    @Test(arguments: [
        ("gzip", true), ("GZip", true), ("x-gzip", true), ("*", true), ("deflate, gzip;q=0.1", true), ("gzip ; Q=0.5", true),
        ("br;q=1.0, gzip;q=0.8, *;q=0.1", true), ("gzip;q=0.5, identity;q=0.5", true), ("*;q=0.3, identity;q=0", true),
        ("", false), ("identity", false), ("br", false), ("gzip;q=0", false), ("gzip;q=0.000", false), ("GZIP;Q=0", false),
        ("*;q=0", false), ("*, gzip;q=0", false), ("gzip;q=0.5, identity", false), ("x-gzip;q=0, *", false),
        ("gzip;q=2", false), ("gzip;q=0.5000", false), ("gzip;q=abc", false), ("gzipped", false), (",,", false),
    ])
    func acceptEncodingIsReadAsRFC9110Says(header: String, gzip: Bool) {
        #expect(AcceptEncoding.prefersGzip(header) == gzip, "\(header)")
    }

    @Test func compressibleTypesAreTextual() {
        for type in ["application/json", "application/problem+json", "application/ld+json", "application/x-ndjson", "Application/JSON; charset=utf-8",
                     "text/plain; version=0.0.4", "text/csv", "application/yaml", "application/javascript", "image/svg+xml"] {
            #expect(ResponseCompression.isCompressible(type), "\(type)")
        }
        for type in ["text/event-stream", "application/octet-stream", "image/png", "application/gzip", ""] {
            #expect(!ResponseCompression.isCompressible(type), "\(type)")
        }
    }

    @Test func theGzipMarkOfATagComesOffAgain() {
        #expect(EntityTag.addingEncodingSuffix("\"evt_1-v3-00ff\"") == "\"evt_1-v3-00ff-gzip\"")
        #expect(EntityTag.addingEncodingSuffix("W/\"x\"") == "W/\"x-gzip\"")
        #expect(EntityTag.addingEncodingSuffix("unquoted") == "unquoted")
        for tag in ["\"evt_1-v3-00ff\"", "W/\"x\"", "\"\""] {
            #expect(EntityTag.removingEncodingSuffix(EntityTag.addingEncodingSuffix(tag)) == tag)
        }
        #expect(EntityTag.removingEncodingSuffix("\"plain\"") == "\"plain\"")
    }

    @Test func varyIsMergedNotOverwritten() {
        var headers: Headers = ["Vary": "Origin"]
        headers.addVary("Accept-Encoding")
        headers.addVary("Accept-Encoding")
        #expect(headers.values("Vary") == ["Origin, Accept-Encoding"])
        var star: Headers = ["Vary": "*"]
        star.addVary("Accept-Encoding")
        #expect(star.values("Vary") == ["*"])
        var two = Headers()
        two.add("Vary", "Accept")
        two.add("vary", "accept-encoding")
        two.addVary("Accept-Encoding")
        #expect(two.values("Vary") == ["Accept", "accept-encoding"])
    }
}
