import Foundation
import Glibc
import Logging
import Testing
@testable import HTTP

@Suite struct LogTests {
    @Test func linesCarryTimeLevelLabelMessageAndMetadata() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let sink = LogSink(fd: fds[1])
        var logger = Logger(label: "http") { BufferedLogHandler(label: $0, sink: sink) }
        logger[metadataKey: "loop"] = "1"
        logger.info("GET /healthz 200 15B 0.05ms id=abc")
        logger.warning("pausing accepts")  // a warning is written at once, with what was buffered before it
        // The two lines may arrive in one write or two (the 100 ms timer may flush in between).
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while received.filter({ $0 == 10 }).count < 2 {
            let count = read(fds[0], &buffer, buffer.count)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        let text = String(decoding: received, as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasSuffix(" info http: GET /healthz 200 15B 0.05ms id=abc loop=1") == true)
        #expect(lines.first?.dropFirst(4).hasPrefix("-") == true && lines.first?.split(separator: " ").first?.hasSuffix("Z") == true)
        #expect(lines.last?.hasSuffix(" warning http: pausing accepts loop=1") == true)
        sink.flush()  // nothing left to write once its pipe is closed: the number may be reused
        close(fds[1])
    }

    /// A server given a sink writes its access lines straight into it, in the logger's format;
    /// a logger set above `info` silences them there too.
    @Test func accessLinesGoStraightIntoTheSinkAsInfoLines() throws {
        for level in [Logger.Level.info, .warning] {
            var fds: [Int32] = [0, 0]
            #expect(pipe(&fds) == 0)
            defer { close(fds[0]); close(fds[1]) }
            let sink = LogSink(fd: fds[1])
            defer { sink.flush() }  // nothing left to write once its pipe is closed: the number may be reused
            var router = Router()
            router.get("/hello", .openOnLoop) { _ in Response(contentType: "text/plain", text: "hello") }
            var configuration = ServerConfiguration()
            configuration.port = 0
            configuration.loopCount = 1
            configuration.logger = Logger(label: "http") { BufferedLogHandler(label: $0, sink: sink) }
            configuration.logger.logLevel = level
            configuration.accessLogSink = sink
            let server = try Server(configuration: configuration, responder: router)
            let client = try RawClient(port: server.port)
            client.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Request-Id: sink-1\r\n\r\n")
            #expect(try client.read().status == 200)
            server.shutdown()
            server.wait()
            sink.flush()
            _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
            var buffer = [UInt8](repeating: 0, count: 65536)
            let count = read(fds[0], &buffer, buffer.count)
            let lines = String(decoding: buffer[0..<max(0, count)], as: UTF8.self).split(separator: "\n")
            let access = lines.filter { $0.contains("GET /hello") }
            if level == .info {
                #expect(access.count == 1, "\(lines)")
                #expect(access.first?.contains(" info http: GET /hello 200 5B ") == true && access.first?.hasSuffix("ms id=sink-1") == true,
                        "\(access)")
                #expect(access.first?.split(separator: " ").first?.hasSuffix("Z") == true)
            } else {
                #expect(access.isEmpty, "\(lines)")
            }
        }
    }

    /// A loop gathers its access lines and hands them over in batches: while the server runs they
    /// still reach the sink within a tick (no shutdown needed), in the order answered, and more
    /// than a batch's worth is handed over as it fills.
    @Test func aRunningServersAccessLinesReachTheSinkInOrder() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let sink = LogSink(fd: fds[1])
        defer { sink.flush() }  // nothing left to write once its pipe is closed: the number may be reused
        var router = Router()
        router.get("/n/:number", .openOnLoop) { request in Response(contentType: "text/plain", text: request.parameters["number"] ?? "") }
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.loopCount = 1
        configuration.logger = Logger(label: "http") { BufferedLogHandler(label: $0, sink: sink) }
        configuration.accessLogSink = sink
        let server = try Server(configuration: configuration, responder: router)
        defer { server.shutdown(); server.wait() }
        let client = try RawClient(port: server.port)
        // 600 lines of ~80 bytes: more than one 32 KiB batch.
        let count = 600
        for number in 0..<count {
            client.send("GET /n/\(number) HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.read().status == 200)
        }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(5)
        var numbers: [Int] = []
        while Date() < deadline {
            let read = read(fds[0], &buffer, buffer.count)
            if read > 0 { received += buffer[0..<read] } else { usleep(20_000) }
            numbers = String(decoding: received, as: UTF8.self).split(separator: "\n").compactMap { line in
                line.split(separator: " ").first { $0.hasPrefix("/n/") }.flatMap { Int($0.dropFirst(3)) }
            }
            if numbers.count >= count { break }
        }
        #expect(numbers == Array(0..<count))
    }

    @Test func aSinkThatIsFullCountsEachLineOfABatchItDrops() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let sink = LogSink(fd: fds[1], maxBufferedBytes: 1)
        defer { sink.flush() }  // nothing left to write once its pipe is closed: the number may be reused
        let batch = Array("2026-11-28T00:00:00Z info http: a\n2026-11-28T00:00:00Z info http: b\n".utf8)
        batch.withUnsafeBytes { sink.write(lines: $0) }  // taken: the buffer was empty
        batch.withUnsafeBytes { sink.write(lines: $0) }  // over the limit: both lines dropped
        #expect(sink.droppedLines == 2)
    }

    @Test func accessLinesNameMethodPathStatusBytesDurationAndID() {
        let entry = (method: "GET", path: "/v1/actors/лукашенко", id: RequestID(prefix: RequestID.packPrefix("a1b2c30-"), number: 36 + 35), start: 100.0, status: 200, bytes: 1234)
        #expect(Connection.accessLine(entry, now: 100.000_52) == "GET /v1/actors/лукашенко 200 1234B 0.52ms id=a1b2c30-1z")
        #expect(Connection.accessLine(entry, now: 100.012_34) == "GET /v1/actors/лукашенко 200 1234B 12.34ms id=a1b2c30-1z")
        #expect(Connection.accessLine(entry, now: 101.5) == "GET /v1/actors/лукашенко 200 1234B 1500.00ms id=a1b2c30-1z")
        let failed = (method: "-", path: "-", id: RequestID("x"), start: 5.0, status: 400, bytes: 0)
        #expect(Connection.accessLine(failed, now: 5.0) == "- - 400 0B 0.00ms id=x")
    }

    @Test func madeRequestIDsAreThePrefixAndTheCounterInBase36() {
        for prefix in ["a1b2c30-", "f-", ""] {
            for number in [0, 1, 35, 36, 71, 1295, 1296, Int(Int32.max), Int.max] {
                let id = RequestID(prefix: RequestID.packPrefix(prefix), number: number)
                #expect(id.description == prefix + String(number, radix: 36))
                #expect(Connection.accessLine((method: "GET", path: "/", id: id, start: 0, status: 200, bytes: 0), now: 0).hasSuffix(" id=" + id.description))
            }
        }
        #expect(RequestID("desk-tool-42").description == "desk-tool-42")
    }

    @Test func aLogNobodyReadsNeverBlocksTheWriterAndSaysWhatItDropped() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        // Not inherited by a server another test starts meanwhile, which would hold the write
        // end open and keep the end of the pipe from coming (below).
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let sink = LogSink(fd: fds[1], maxBufferedBytes: 256 * 1024)
        defer {
            // The sink's own flush may still be writing what it holds into the full pipe, holding
            // its flush lock: the pipe is read to its end while the last flush runs, so neither
            // waits for ever, and the write end is closed only once nothing is left to write
            // (its number may be reused). The reading gives up after 30 s.
            let reader = fds[0], drained = DispatchSemaphore(value: 0)
            _ = fcntl(reader, F_SETFL, fcntl(reader, F_GETFL) | O_NONBLOCK)
            Thread.detachNewThread {
                var scratch = [UInt8](repeating: 0, count: 65536)
                let deadline = Date().addingTimeInterval(30)
                while Date() < deadline {
                    let count = read(reader, &scratch, scratch.count)
                    if count == 0 { break }  // the write end closed, and everything was read
                    if count < 0 && errno != EAGAIN && errno != EINTR { break }
                    if count < 0 { usleep(1_000) }
                }
                drained.signal()
            }
            sink.flush()
            close(fds[1])
            drained.wait()
            close(fds[0])
        }
        let logger = Logger(label: "http") { BufferedLogHandler(label: $0, sink: sink) }
        // 10 MB of lines into a 64 KiB pipe that nobody reads: an event loop writing access
        // lines must not stall, so the writes must return, dropping what does not fit.
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            for index in 0..<100_000 { logger.info("GET /v1/events/\(index) 200 4715B 0.52ms id=abcdef0-\(index) padding padding padding") }
            logger.warning("still serving")
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 20) == .success)
        #expect(sink.droppedLines > 0)
        // Once the output is read again, the sink says how many lines it had to drop.
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        var tail: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let count = read(fds[0], &buffer, buffer.count)
            if count > 0 {
                tail = Array((tail + buffer[0..<count]).suffix(4096))
                if String(decoding: tail, as: UTF8.self).contains("lines dropped: the log output was not being read fast enough") { break }
            } else {
                usleep(10_000)
            }
        }
        #expect(String(decoding: tail, as: UTF8.self).contains("lines dropped: the log output was not being read fast enough"))
    }

    @Test func decimalsAreWrittenStraightIntoTheHead() {
        for value in [0, 7, 10, 99, 100, 12345, 1_048_576, Int.max] {
            var bytes = ByteWriter()
            bytes.append(65)
            bytes.append(decimal: value)
            #expect(String(decoding: bytes.bytes, as: UTF8.self) == "A\(value)")
        }
    }

    @Test func theScratchWriterGrowsAndStartsOverSmall() {
        var writer = ByteWriter(capacity: 4)
        let long = String(repeating: "абв", count: 10_000)  // 60,000 bytes: past the kept capacity
        writer.append(header: "X-Long", long)
        #expect(writer.count == "X-Long: ".utf8.count + long.utf8.count + 2)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "X-Long: \(long)\r\n")
        writer.reset()
        #expect(writer.count == 0 && writer.capacity <= 16 * 1024)
        writer.append("ok")
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "ok")
    }
}
