import Testing
@testable import HTTP

/// The parser fed literal request text.
@Suite struct ParserTests {
    func parse(_ text: String, limits: ServerLimits = ServerLimits()) -> HeadParseResult {
        Array(text.utf8).withUnsafeBufferPointer { RequestParser.parseHead($0, limits: limits) }
    }

    func status(_ text: String, limits: ServerLimits = ServerLimits()) -> Int? {
        switch parse(text, limits: limits) {
        case .failure(let error): return error.status
        case .complete: return 200
        case .incomplete: return nil
        }
    }

    @Test func aSimpleGETIsParsed() throws {
        guard case .complete(let head, let consumed) = parse("GET /v1/events?from=2022-02 HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\nNEXT") else {
            Issue.record("not parsed"); return
        }
        #expect(head.method == "GET" && head.target == "/v1/events?from=2022-02" && head.minorVersion == 1)
        #expect(head.headers["accept"] == "*/*" && head.keepAlive && head.framing == .none)
        #expect(consumed == "GET /v1/events?from=2022-02 HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n".utf8.count)
    }

    @Test func anIncompleteHeadAsksForMore() {
        #expect(status("GET / HTTP/1.1\r\nHost: x\r\n") == nil)
        #expect(status("GET / HTT") == nil)
    }

    @Test func framingIsReadFromContentLengthOrChunked() {
        if case .complete(let head, _) = parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n") { #expect(head.framing == .length(5)) } else { Issue.record() }
        if case .complete(let head, _) = parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n") { #expect(head.framing == .chunked) } else { Issue.record() }
        if case .complete(let head, _) = parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\n") { #expect(head.framing == .length(5)) } else { Issue.record() }
    }

    @Test func lineEndsAreFoundAsAByteByByteScanFindsThem() {
        // The reference: the rule as written, one byte at a time.
        func reference(_ bytes: [UInt8], _ start: Int, _ limit: Int) -> String {
            let stop = min(bytes.count, start + limit + 1)
            var index = start
            while index < stop {
                switch bytes[index] {
                case 13: return index + 1 >= bytes.count ? "incomplete" : bytes[index + 1] == 10 ? "found \(index)" : "bare CR"
                case 10: return "bare LF"
                case 0: return "NUL"
                default: index += 1
                }
            }
            return index - start > limit ? "too long" : "incomplete"
        }
        func found(_ bytes: [UInt8], _ start: Int, _ limit: Int) -> String {
            switch bytes.withUnsafeBufferPointer({ RequestParser.findLineEnd($0, from: start, limit: limit) }) {
            case .found(let end): return "found \(end)"
            case .incomplete: return "incomplete"
            case .tooLong: return "too long"
            case .invalid(let why): return why.hasPrefix("bare CR") ? "bare CR" : why.hasPrefix("bare LF") ? "bare LF" : "NUL"
            }
        }
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0, 9, 10, 13, 14, 32, 65, 97, 0x7F, 0x80, 0xD0, 0xFF]
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...40, using: &generator)
            var bytes = (0..<count).map { _ in UInt8.random(in: 33...126, using: &generator) }
            for _ in 0..<Int.random(in: 0...3, using: &generator) where count > 0 {
                bytes[Int.random(in: 0..<count, using: &generator)] = alphabet.randomElement(using: &generator)!
            }
            let start = Int.random(in: 0...max(0, count), using: &generator)
            let limit = Int.random(in: 0...48, using: &generator)
            #expect(found(bytes, start, limit) == reference(bytes, start, limit), "\(bytes) from \(start) limit \(limit)")
        }
    }

    @Test func fieldsThatShapeTheExchangeAreFoundInAnyCase() {
        guard case .complete(let head, _) = parse("POST / HTTP/1.1\r\nhOST: x\r\ncontent-LENGTH: 3\r\nCONNECTION: close\r\nexpect: 100-continue\r\n\r\n") else {
            Issue.record("not parsed"); return
        }
        #expect(head.framing == .length(3) && !head.keepAlive && head.expectsContinue)
        // Names are kept as sent, whether or not they are spelled the usual way.
        #expect(head.headers.fields.map(\.name) == ["hOST", "content-LENGTH", "CONNECTION", "expect"])
        guard case .complete(let usual, _) = parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n") else {
            Issue.record("not parsed"); return
        }
        #expect(usual.headers.fields.map(\.name) == ["Host", "Content-Length", "Connection"] && usual.headers["content-length"] == "2")
        #expect(status("GET / HTTP/1.1\r\nhost: a\r\nHOST: b\r\n\r\n") == 400)
        #expect(status("POST / HTTP/1.1\r\nHost: x\r\ncontent-length: 5\r\nTRANSFER-ENCODING: chunked\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.1\r\nHost: x\r\nEXPECT: teapot\r\n\r\n") == 417)
        // Near misses are ordinary fields.
        #expect(status("GET / HTTP/1.1\r\nHost: x\r\nContent_Length: +5\r\nHosts: y\r\n\r\n") == 200)
    }

    @Test(arguments: [
        ("GARBAGE\r\n\r\n", 400),
        ("GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("GET / HTTP/1.1 \r\nHost: x\r\n\r\n", 400),
        ("GET /\r\nHost: x\r\n\r\n", 400),
        ("GETS / HTTP/1.1\r\nHost: x\r\n\r\n", 501),
        ("DELETE / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 200),
        ("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\rY: z\r\n\r\n", 400),
        ("GET / HTTP/1.1\nHost: x\n\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\u{0}\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400),
        ("BREW / HTTP/1.1\r\nHost: x\r\n\r\n", 501),
        ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
        ("GET / HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n", 417),
        ("GET relative HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("GET / HTTP/1.0\r\n\r\n", 200),
        ("GET http://example.org/a?b=c HTTP/1.1\r\nHost: example.org\r\n\r\n", 200),
    ])
    func badRequestsGetTheRightStatus(_ text: String, _ expected: Int) {
        #expect(status(text) == expected, "\(text.debugDescription)")
    }

    @Test func limitsOnLinesAndHeaders() {
        let longTarget = "GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: x\r\n\r\n"
        #expect(status(longTarget) == 414)
        #expect(status("GET /" + String(repeating: "a", count: 9000)) == 414)
        let bigHeader = "GET / HTTP/1.1\r\nHost: x\r\nX: " + String(repeating: "b", count: 33 * 1024) + "\r\n\r\n"
        #expect(status(bigHeader) == 431)
        let many = "GET / HTTP/1.1\r\nHost: x\r\n" + (0..<101).map { "X-\($0): y\r\n" }.joined() + "\r\n"
        #expect(status(many) == 431)
        var small = ServerLimits()
        small.maxHeaderCount = 2
        #expect(status("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n", limits: small) == 431)
    }

    @Test func keepAliveFollowsVersionAndConnectionHeader() {
        func keepAlive(_ text: String) -> Bool? {
            if case .complete(let head, _) = parse(text) { return head.keepAlive }
            return nil
        }
        #expect(keepAlive("GET / HTTP/1.1\r\nHost: x\r\n\r\n") == true)
        #expect(keepAlive("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") == false)
        #expect(keepAlive("GET / HTTP/1.0\r\n\r\n") == false)
        #expect(keepAlive("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") == true)
    }

    @Test func queryParametersAreDecoded() {
        let request = Request(method: "GET", target: "/p%20a?q=Лукашенко&x=a+b&flag&e=%E2%9C%93")
        #expect(request.path == "/p a")
        #expect(request.query("x") == "a b" && request.query("e") == "✓" && request.hasQuery("flag"))
        let raw = Request(method: "GET", target: "/s?q=%D0%9B%D1%83%D0%BA")
        #expect(raw.query("q") == "Лук")
        // Empty pairs are skipped, a value keeps its own `=`, a name may be empty, a broken
        // escape is kept as sent, and names repeat in order.
        let odd = Request(method: "GET", target: "/s?&a=b=c&&=x&flag&q=%zz&a=2&")
        #expect(odd.query.map { "\($0.name)|\($0.value)" } == ["a|b=c", "|x", "flag|", "q|%zz", "a|2"])
        #expect(Request(method: "GET", target: "/s?").query.isEmpty && Request(method: "GET", target: "/s?").path == "/s")
        // %00 is kept as sent too: no name holds a NUL, and a store may not even look one up.
        let nul = Request(method: "GET", target: "/v1/actors/a%00b?actor=x%00y")
        #expect(nul.path == "/v1/actors/a%00b" && nul.query("actor") == "x%00y")
    }
}

@Suite struct ChunkedDecoderTests {
    func decode(_ text: String, max: Int = 1000) -> (ChunkedDecoder.Outcome, String) {
        var decoder = ChunkedDecoder(maxBody: max)
        var body: [UInt8] = []
        let outcome = Array(text.utf8).withUnsafeBufferPointer { decoder.feed($0, into: &body) }
        return (outcome, String(decoding: body, as: UTF8.self))
    }

    @Test func chunksExtensionsAndTrailersDecode() {
        let message = "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n"
        let (outcome, body) = decode(message + "NEXT")
        #expect(outcome == .done(consumed: message.utf8.count) && body == "hello world")
    }

    @Test func byteByByteFeedingGivesTheSameBody() {
        var decoder = ChunkedDecoder(maxBody: 100)
        var body: [UInt8] = []
        var last = ChunkedDecoder.Outcome.needMore
        for byte in Array("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n".utf8) {
            last = [byte].withUnsafeBufferPointer { decoder.feed($0, into: &body) }
        }
        #expect(last == .done(consumed: 1) && body == Array("abcde".utf8))
    }

    @Test func oversizeAndMalformedChunksFail() {
        #expect(decode("fffffffffffffffff\r\n", max: Int.max).0 == .failure(ParseError(400, "chunk size is too large")))
        if case .failure(let e) = decode("10\r\n", max: 8).0 { #expect(e.status == 413) } else { Issue.record() }
        if case .failure(let e) = decode("zz\r\n").0 { #expect(e.status == 400) } else { Issue.record() }
        if case .failure(let e) = decode("3\r\nabcd\r\n").0 { #expect(e.status == 400) } else { Issue.record() }
        if case .failure(let e) = decode("3\nabc").0 { #expect(e.status == 400) } else { Issue.record() }
        // After the size, white space may lead only to an extension or the line's end.
        if case .failure(let e) = decode("5 garbage\r\nhello\r\n0\r\n\r\n").0 { #expect(e.status == 400) } else { Issue.record("5 garbage") }
        #expect(decode("5 \t;ext\r\nhello\r\n0\r\n\r\n").1 == "hello")
        #expect(decode("5 \r\nhello\r\n0\r\n\r\n").1 == "hello")
        // A trailer is a field: a name, a colon, a value.
        if case .failure(let e) = decode("0\r\nno colon\r\n\r\n").0 { #expect(e.status == 400) } else { Issue.record("no colon") }
        if case .failure(let e) = decode("0\r\n\u{0}X: y\r\n\r\n").0 { #expect(e.status == 400) } else { Issue.record("NUL") }
        if case .failure(let e) = decode("0\r\n: y\r\n\r\n").0 { #expect(e.status == 400) } else { Issue.record("no name") }
    }
}
