import FoundationEssentials
import Glibc
import Logging

extension Connection {
    /// Serialises and writes a response; decides whether the connection stays open.
    func finish(_ response: Response, keepAlive requested: Bool, isHead: Bool, minor: Int) {
        if case .closed = state { return }
        var keepAlive = requested && requestsServed < limits.maxRequestsPerConnection && !loop.draining && !peerClosedInput
        var head: [UInt8] = []
        head.reserveCapacity(320)
        Connection.appendStatusLine(response.status, to: &head)
        var body: [UInt8] = []
        var stream: BodyStream?
        let bodyAllowed = response.status >= 200 && response.status != 204 && response.status != 304
        switch response.body {
        case .bytes(let bytes):
            if bodyAllowed {
                head.append(contentsOf: Connection.contentLengthPrefix)
                head.append(decimal: bytes.count)
                head.append(13)
                head.append(10)
            }
            if !isHead && bodyAllowed { body = bytes }
        case .stream(let producer):
            if minor == 1 {
                head.append(header: "Transfer-Encoding", "chunked")
            } else {
                keepAlive = false  // HTTP/1.0: the end of the body is the end of the connection
            }
            if !isHead && bodyAllowed { stream = producer }
        }
        var hasRequestID = false
        for field in response.headers.fields {
            let name = field.name
            // Framing is the server's to write; compare names only when the length could match.
            switch name.utf8.count {
            case 14 where name.equalsIgnoringASCIICase("Content-Length"): continue
            case 17 where name.equalsIgnoringASCIICase("Transfer-Encoding"): continue
            case 10 where name.equalsIgnoringASCIICase("Connection"): continue
            case 12 where name.equalsIgnoringASCIICase("X-Request-Id"): hasRequestID = true
            default: break
            }
            head.append(header: name, field.value)
        }
        if !hasRequestID, let id = current?.id { head.append(header: "X-Request-Id", id) }
        head.append(contentsOf: loop.dateCache.headerLine())
        if !keepAlive {
            head.append(header: "Connection", "close")
        } else if minor == 0 {
            head.append(header: "Connection", "keep-alive")
        }
        head.append(contentsOf: [13, 10])
        closeAfterWrite = !keepAlive
        current?.status = response.status  // in place: copying the entry out and back costs retains
        current?.bytes = body.count
        if let stream {
            state = .streaming(stream)
            streamFinished = false
        } else {
            state = .writing
        }
        write(head, body)
    }

    /// Writes head and body in one call, keeping whatever the socket did not take.
    func write(_ first: [UInt8], _ second: [UInt8]) {
        if outbound.isEmpty {
            let written = first.withUnsafeBytes { a in second.withUnsafeBytes { b in Socket.send(fd, a, b) } }
            if written < 0 { close(); return }
            let total = first.count + second.count
            if written == total {
                afterWrite()
                return
            }
            if written < first.count {
                outbound = Array(first[written...]) + second
            } else {
                outbound = Array(second[(written - first.count)...])
            }
            outboundOffset = 0
        } else {
            outbound += first
            outbound += second
        }
        setWriteInterest(true)
        setDeadline(.write, Socket.now() + limits.writeStallTimeout)
    }

    /// Called when the socket is writable again.
    func flush() {
        guard outboundOffset < outbound.count else { setWriteInterest(false); return }
        let written = outbound.withUnsafeBytes { Socket.send(fd, UnsafeRawBufferPointer(rebasing: $0[outboundOffset...]), nil) }
        if written < 0 { close(); return }
        outboundOffset += written
        if outboundOffset >= outbound.count {
            outbound = []
            outboundOffset = 0
            setWriteInterest(false)
            afterWrite()
        } else if written > 0 {
            setDeadline(.write, Socket.now() + limits.writeStallTimeout)
        }
    }

    /// Everything queued was written: pull the next stream chunk, or end the exchange.
    func afterWrite() {
        if case .streaming(let stream) = state, !streamFinished {
            pullChunk(stream)
            return
        }
        logAccess()
        if closeAfterWrite {
            closeGracefully()
            return
        }
        state = .readingHead
        setDeadline(.none, .infinity)
        setReadInterest(true)
        process()
        if peerClosedInput, case .readingHead = state { close() }
    }

    private func pullChunk(_ stream: BodyStream) {
        setDeadline(.none, .infinity)
        loop.server.workers.async {
            let chunk: [UInt8]?
            var failed = false
            do { chunk = try stream.next() } catch {
                self.loop.server.logger.error("response stream failed [\(self.current?.id ?? "-")]: \(error)")
                chunk = nil
                failed = true
            }
            self.loop.execute {
                if case .closed = self.state { return }
                if failed {
                    // The status is already sent; an unterminated body tells the client it is incomplete.
                    self.close()
                    return
                }
                guard let chunk else {
                    self.streamFinished = true
                    self.write(Array("0\r\n\r\n".utf8), [])
                    return
                }
                if chunk.isEmpty {
                    self.pullChunk(stream)
                    return
                }
                self.current?.bytes += chunk.count
                self.write(Array("\(String(chunk.count, radix: 16))\r\n".utf8), chunk + [13, 10])
            }
        }
    }

    private func logAccess() {
        guard let entry = current else { return }
        current = nil
        let server = loop.server
        guard server.accessLog else { return }
        server.logger.info(Logger.Message(stringLiteral: Connection.accessLine(entry, now: Socket.now())))
    }

    /// `GET /v1/events 200 1234B 0.52ms id=…`, written as bytes with the helpers the response
    /// head uses: string interpolation of six parts cost more than answering a small request.
    static func accessLine(_ entry: (method: String, path: String, id: String, start: Double, status: Int, bytes: Int), now: Double) -> String {
        // Hundredths of a millisecond, formatted with integers (cheaper than a Double's description).
        let hundredths = max(0, Int(((now - entry.start) * 100_000).rounded()))
        var line: [UInt8] = []
        line.reserveCapacity(entry.method.utf8.count + entry.path.utf8.count + entry.id.utf8.count + 80)
        line.append(utf8: entry.method)
        line.append(32)
        line.append(utf8: entry.path)
        line.append(32)
        line.append(decimal: entry.status)
        line.append(32)
        line.append(decimal: entry.bytes)
        line.append(utf8: "B ")
        line.append(decimal: hundredths / 100)
        line.append(utf8: hundredths % 100 < 10 ? ".0" : ".")
        line.append(decimal: hundredths % 100)
        line.append(utf8: "ms id=")
        line.append(utf8: entry.id)
        return String(decoding: line, as: UTF8.self)
    }
}

extension Connection {
    /// Status lines by code, built once for the codes that have a reason phrase: indexing beats
    /// hashing on every response. Other codes share the empty array and are built when sent.
    private static let statusLines: [[UInt8]] = (0..<600).map { code in
        let reason = Status.reason(code)
        return reason.hasPrefix("Status ") ? [] : Array("HTTP/1.1 \(code) \(reason)\r\n".utf8)
    }
    static let contentLengthPrefix = Array("Content-Length: ".utf8)

    static func appendStatusLine(_ status: Int, to head: inout [UInt8]) {
        if status >= 100 && status < 600 && !statusLines[status].isEmpty {
            head.append(contentsOf: statusLines[status])
        } else {
            head.append(contentsOf: Array("HTTP/1.1 \(status) \(Status.reason(status))\r\n".utf8))
        }
    }
}

extension Array where Element == UInt8 {
    /// Appends `Name: value\r\n`.
    mutating func append(header name: String, _ value: String) {
        append(utf8: name)
        append(58)
        append(32)
        append(utf8: value)
        append(13)
        append(10)
    }

    /// Appends a non-negative integer in decimal, without making a String of it.
    mutating func append(decimal value: Int) {
        guard value > 0 else { append(48); return }
        var digits = 0, rest = value
        while rest > 0 { digits += 1; rest /= 10 }
        let start = count
        append(contentsOf: repeatElement(48, count: digits))
        rest = value
        for index in stride(from: start + digits - 1, through: start, by: -1) {
            self[index] = UInt8(48 + rest % 10)
            rest /= 10
        }
    }

    /// Appends a string's bytes with one copy; the generic `append(contentsOf: text.utf8)`
    /// walks the view byte by byte.
    mutating func append(utf8 text: String) {
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { append(contentsOf: $0) }
        if copied == nil { append(contentsOf: text.utf8) }
    }
}
