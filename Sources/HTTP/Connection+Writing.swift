import FoundationEssentials
import Glibc
import Logging

extension Connection {
    /// Serialises and writes a response; decides whether the connection stays open.
    func finish(_ response: Response, keepAlive requested: Bool, isHead: Bool, minor: Int) {
        if case .closed = state { return }
        // A client that half-closed after pipelining is still answered what it sent whole.
        var keepAlive = requested && requestsServed < limits.maxRequestsPerConnection && !loop.draining && (!peerClosedInput || !inbound.isEmpty)
        var body: [UInt8] = []
        var stream: BodyStream?
        var push: PushStream?
        var contentLength: Int?
        let bodyAllowed = response.status >= 200 && response.status != 204 && response.status != 304
        switch response.body {
        case .bytes(let bytes):
            if bodyAllowed { contentLength = bytes.count }
            if !isHead && bodyAllowed { body = bytes }
        case .stream(let producer):
            // HTTP/1.0 has no chunked coding: the end of the body is the end of the connection.
            if minor == 0 { keepAlive = false }
            if !isHead && bodyAllowed { stream = producer }
        case .push(let pushed):
            if minor == 0 { keepAlive = false }
            if !isHead && bodyAllowed { push = pushed }
        }
        loop.dateCache.refresh()
        Connection.writeHead(into: &loop.scratch, status: response.status, headers: response.headers, contentLength: contentLength,
                             chunked: minor == 1 && contentLength == nil && bodyAllowed, requestID: current?.id, date: loop.dateCache.line,
                             keepAlive: keepAlive, minor: minor)
        closeAfterWrite = !keepAlive
        current?.status = response.status  // in place: copying the entry out and back costs retains
        current?.bytes = body.count
        if let stream {
            state = .streaming(stream)
            streamFinished = false
            streamChunked = minor == 1
        } else if push != nil {
            // A pushed body may stay open for hours: the kernel keeps a small buffer for it, not
            // the megabytes autotuning grants a bulk transfer, so that a thousand followers cost
            // little and a client that stops reading is noticed (see `PushSink.pendingBytes`).
            var size = Int32(Connection.pushSendBuffer)
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            state = .pushing(PushSink(connection: self))
            pushFinished = false
            pushClosing = push?.closing ?? []
            pushChunked = minor == 1
        } else {
            state = .writing
        }
        write(loop.scratch.bytes, body)
        if let push, case .pushing(let sink) = state { push.open(sink) }
    }

    /// Writes one pushed part (on the loop), if `sink` is still this connection's.
    func pushChunk(_ bytes: [UInt8], from sink: PushSink) {
        guard case .pushing(let current) = state, current === sink, !pushFinished else { return }
        self.current?.bytes += bytes.count
        if pushChunked {
            write(Array("\(String(bytes.count, radix: 16))\r\n".utf8), bytes + [13, 10])
        } else {
            write([], bytes)
        }
        if case .pushing = state { sink.noteUnsent(outbound.count - outboundOffset) }
    }

    /// Ends a pushed body (on the loop): the last chunk, then the next request.
    func endPush(from sink: PushSink) {
        guard case .pushing(let current) = state, current === sink, !pushFinished else { return }
        pushFinished = true
        if !pushChunked { closeAfterWrite = true }
        if pushChunked {
            write(Array("0\r\n\r\n".utf8), [])
        } else if outbound.isEmpty {
            afterWrite()
        }
    }

    /// Ends a pushed body because the server is stopping, with the stream's closing words; the
    /// connection closes once it is written.
    func endPushForDrain() {
        guard case .pushing(let sink) = state, !pushFinished else { return }
        closeAfterWrite = true
        if !pushClosing.isEmpty { pushChunk(pushClosing, from: sink) }
        endPush(from: sink)
    }

    /// The status line and header fields; framing and `Connection` are the server's to write.
    static func writeHead(into head: inout ByteWriter, status: Int, headers: Headers, contentLength: Int?, chunked: Bool,
                          requestID: RequestID?, date: [UInt8], keepAlive: Bool, minor: Int) {
        head.reset()
        appendStatusLine(status, to: &head)
        if let contentLength {
            head.append(contentLengthPrefix)
            head.append(decimal: contentLength)
            head.append(13)
            head.append(10)
        } else if chunked {
            head.append(header: "Transfer-Encoding", "chunked")
        }
        var hasRequestID = false
        for field in headers.fields {
            let name = field.name
            // Compare names only when the length and first letter could match (`Content-Type`
            // is as long as `X-Request-Id`).
            switch name.utf8.count {
            case 14 where name.equalsIgnoringASCIICase("Content-Length"): continue
            case 17 where name.equalsIgnoringASCIICase("Transfer-Encoding"): continue
            case 10 where name.equalsIgnoringASCIICase("Connection"): continue
            case 12 where name.utf8.first.map({ $0 | 0x20 == 0x78 }) == true && name.equalsIgnoringASCIICase("X-Request-Id"): hasRequestID = true
            default: break
            }
            head.append(header: name, field.value)
        }
        if !hasRequestID, let requestID {
            head.append(requestIDPrefix)
            requestID.write(into: &head)
            head.append(13)
            head.append(10)
        }
        head.append(date)
        if !keepAlive {
            head.append(header: "Connection", "close")
        } else if minor == 0 {
            head.append(header: "Connection", "keep-alive")
        }
        head.append(13)
        head.append(10)
    }

    func write(_ first: [UInt8], _ second: [UInt8]) {
        first.withUnsafeBytes { write($0, second) }
    }

    /// Writes head and body in one call, keeping whatever the socket did not take. `first`
    /// may be the loop's scratch memory: it is not used once the socket took it or it was copied.
    func write(_ first: UnsafeRawBufferPointer, _ second: [UInt8]) {
        if outbound.isEmpty {
            let written = second.withUnsafeBytes { Socket.send(fd, first, $0) }
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
            setDeadline(.write, Socket.now() + limits.writeStallTimeout)
        } else {
            // Already waiting on the socket: the stall deadline runs from the last bytes it took
            // (flush), not from this append, or a pushed body's heartbeats would keep a client
            // that reads nothing alive.
            outbound += first
            outbound += second
        }
        setWriteInterest(true)
    }

    /// Called when the socket is writable again.
    func flush() {
        guard outboundOffset < outbound.count else { setWriteInterest(false); return }
        let written = outbound.withUnsafeBytes { Socket.send(fd, UnsafeRawBufferPointer(rebasing: $0[outboundOffset...]), nil) }
        if written < 0 { close(); return }
        outboundOffset += written
        if case .pushing(let sink) = state { sink.noteUnsent(outbound.count - outboundOffset) }
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
        if case .pushing(let sink) = state {
            guard pushFinished else {
                // Everything pushed so far is written; wait for the next part, however long.
                sink.noteUnsent(0)
                setDeadline(.none, .infinity)
                return
            }
            sink.detach()
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
                self.loop.server.logger.error("response stream failed [\(self.current.map { "\($0.id)" } ?? "-")]: \(error)")
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
                    // HTTP/1.0: the body ends where the connection does (everything is written).
                    if self.streamChunked { self.write(Array("0\r\n\r\n".utf8), []) } else { self.afterWrite() }
                    return
                }
                if chunk.isEmpty {
                    self.pullChunk(stream)
                    return
                }
                self.current?.bytes += chunk.count
                if self.streamChunked {
                    self.write(Array("\(String(chunk.count, radix: 16))\r\n".utf8), chunk + [13, 10])
                } else {
                    self.write([], chunk)
                }
            }
        }
    }

    private func logAccess() {
        guard let entry = current.take(), loop.accessLog else { return }  // moved out: no copy of its strings
        let now = Socket.now()
        if loop.hasAccessLogSink {
            loop.appendAccessLine { Connection.writeAccessLine(entry, now: now, into: &$0) }
        } else {
            loop.scratch.reset()
            Connection.writeAccessLine(entry, now: now, into: &loop.scratch)
            loop.server.logger.info(Logger.Message(stringLiteral: String(decoding: loop.scratch.bytes, as: UTF8.self)))
        }
    }

    /// `GET /v1/events 200 1234B 0.52ms id=…`, appended as bytes with the helpers the response
    /// head uses: string interpolation of six parts cost more than answering a small request.
    static func writeAccessLine(_ entry: AccessEntry, now: Double,
                                into line: inout ByteWriter) {
        // Hundredths of a millisecond, formatted with integers (cheaper than a Double's description).
        let hundredths = max(0, Int(((now - entry.start) * 100_000).rounded()))
        line.append(entry.method)
        line.append(32)
        line.append(entry.path)
        line.append(32)
        line.append(decimal: entry.status)
        line.append(32)
        line.append(decimal: entry.bytes)
        line.append(66)  // B
        line.append(32)
        line.append(decimal: hundredths / 100)
        line.append(46)  // .
        if hundredths % 100 < 10 { line.append(48) }
        line.append(decimal: hundredths % 100)
        line.append("ms id=")
        entry.id.write(into: &line)
    }

    /// The access line as a string, for tests.
    static func accessLine(_ entry: AccessEntry, now: Double) -> String {
        var line = ByteWriter()
        writeAccessLine(entry, now: now, into: &line)
        return String(decoding: line.bytes, as: UTF8.self)
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
    /// The socket send buffer of a pushed body (the kernel doubles it for its own bookkeeping).
    static let pushSendBuffer = 32 << 10
    static let requestIDPrefix = Array("X-Request-Id: ".utf8)

    static func appendStatusLine(_ status: Int, to head: inout ByteWriter) {
        if status >= 100 && status < 600 && !statusLines[status].isEmpty {
            head.append(statusLines[status])
        } else {
            head.append("HTTP/1.1 \(status) \(Status.reason(status))\r\n")
        }
    }
}
