import Chronicle
@testable import ChronicleAPI
import ChronicleSQLite
import Foundation
import SQLite
import Testing

/// The real `chronicle` binary, built beside the test bundle.
func chronicleBinary() throws -> URL {
    let candidates = [Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("chronicle"),
                      repoRoot.appendingPathComponent(".build/debug/chronicle")]
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw TestAPI.TestError.io("the chronicle executable is not built; run swift build first")
    }
    return found
}

/// Runs a `chronicle` subcommand to completion; returns its standard output.
@discardableResult
func runChronicle(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = try chronicleBinary()
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw TestAPI.TestError.io("chronicle \(arguments) exited \(process.terminationStatus)") }
    return String(decoding: data, as: UTF8.self)
}

/// A `chronicle serve` child process; its port is read from its start-up log line.
final class ServerProcess {
    let process = Process()
    let port: Int

    /// Starts on a free port (`--port 0`) and reads the port from the start-up log line.
    init(database: String, descriptorLimit: Int? = nil) throws {
        let arguments = ["serve", "--db", database, "--port", "0", "--no-access-log"]
        if let descriptorLimit {
            // A shell lowers the open-file limit (soft and hard), then becomes the server.
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(descriptorLimit) && exec \"$0\" \"$@\"", try chronicleBinary().path] + arguments
        } else {
            process.executableURL = try chronicleBinary()
            process.arguments = arguments
        }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // A server that never says where it listens is killed after a minute, which ends the
        // pipe and this wait, so that it fails its test instead of hanging the run.
        let child = process
        let deadline = DispatchWorkItem { if child.isRunning { kill(child.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: deadline)
        defer { deadline.cancel() }
        var text = ""
        var found: Int?
        while found == nil {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
            if let range = text.range(of: "http://127.0.0.1:") {
                found = Int(text[range.upperBound...].prefix { $0.isNumber })
            }
        }
        guard let found else {
            process.terminate()
            throw TestAPI.TestError.io("chronicle serve did not say where it listens: \(text)")
        }
        port = found
        for _ in 0..<100 {
            if (try? HTTPProbe.status(port: port, "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")) == 200 { return }
            usleep(50_000)
        }
        process.terminate()
        throw TestAPI.TestError.io("chronicle serve did not answer on port \(port)")
    }

    func kill9() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A test that throws before it stops its server does not leave it running.
    deinit { kill9() }

    /// SIGTERM, and SIGKILL if it has not exited 15 s later (its drain takes 10 s at most), so
    /// that a server broken by a bug fails its test instead of hanging the run.
    func stop() {
        process.terminate()
        for _ in 0..<150 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// One raw request on its own connection; the whole response as text.
enum HTTPProbe {
    /// A socket connected to the port on 127.0.0.1 (the caller closes it); `receiveBuffer`
    /// shrinks its buffer first, to play a client that reads slowly.
    static func connect(port: Int, receiveBuffer: Int32? = nil) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw TestAPI.TestError.io("connect")
        }
        return fd
    }

    /// Sends the bytes on a new connection and reads until the server closes it.
    static func exchange(port: Int, _ bytes: [UInt8]) throws -> [UInt8] {
        let fd = try connect(port: port)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw TestAPI.TestError.io("send") }
            offset += n
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            guard n > 0 else { throw TestAPI.TestError.io("recv") }
            received += chunk[0..<n]
        }
        return received
    }

    static func exchange(port: Int, _ request: String) throws -> String {
        String(decoding: try exchange(port: port, Array(request.utf8)), as: UTF8.self)
    }

    static func status(port: Int, _ request: String) throws -> Int {
        let text = try exchange(port: port, request)
        let parts = text.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else { throw TestAPI.TestError.io("no status") }
        return status
    }
}

@Suite(.serialized) struct CrashTests {
    @Test func everyAcknowledgedWriteSurvivesSIGKILL() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chronicle-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let db = directory.appendingPathComponent("crash.sqlite").path
        try runChronicle(["migrate", "--db", db])
        let token = try runChronicle(["token", "create", "--db", db, "--name", "crash", "--scope", "write"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try ServerProcess(database: db)
        let port = server.port

        let writers = QuoteWriters(port: port, token: token, count: 4, label: "crash test")
        // Kill mid-stream, once writes are flowing.
        writers.wait(forAcknowledged: 150)
        server.kill9()
        writers.stop()
        let acked = Set(writers.acknowledged)
        #expect(acked.count >= 20, "too few writes were acknowledged before the kill to test anything")

        // Integrity first, on the file as the killed process left it.
        let connection = try Connection(path: db)
        #expect(try connection.first("PRAGMA integrity_check") { $0.string(0) } == "ok")
        let stored = Set(try connection.all("SELECT id FROM quotes") { $0.string(0) })
        #expect(acked.isSubset(of: stored), "lost \(acked.subtracting(stored).count) acknowledged writes")

        // And the restarted server serves them.
        let restarted = try ServerProcess(database: db)
        defer { restarted.stop() }
        for id in acked.prefix(20) {
            #expect(try HTTPProbe.status(port: restarted.port, "GET /v1/quotes/\(id) HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n") == 200)
        }
    }

    @Test func sigtermDrainsAndExitsZero() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chronicle-term-\(UUID().uuidString)")
        let server = try ServerProcess(database: directory.appendingPathComponent("term.sqlite").path)
        // Not `try`: a failed probe must not leave the server running.
        #expect((try? HTTPProbe.status(port: server.port, "GET /v1/actors/belarus HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")) == 200)
        kill(server.process.processIdentifier, SIGTERM)
        // Its drain takes 10 s at most: a server that does not end is killed and fails the test
        // (its exit is then a signal), instead of hanging the run.
        for _ in 0..<150 where server.process.isRunning { usleep(100_000) }
        if server.process.isRunning { kill(server.process.processIdentifier, SIGKILL) }
        server.process.waitUntilExit()
        #expect(server.process.terminationReason == .exit && server.process.terminationStatus == 0)
    }

    @Test func runningOutOfDescriptorsBacksOffAndRecovers() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chronicle-emfile-\(UUID().uuidString)")
        let server = try ServerProcess(database: directory.appendingPathComponent("emfile.sqlite").path, descriptorLimit: 64)
        defer { server.stop() }
        // Far more connections than descriptors: the server hits EMFILE and must pause, not spin or die.
        let began = Date()
        var clients: [Int32] = []
        for _ in 0..<120 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(server.port).bigEndian)
            inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            clients.append(fd)
        }
        // A loop spinning on a listener it cannot accept from would try again and again; one
        // that backs off pauses for at least 100 ms each time. So however slow this machine is,
        // a loop pauses at most once per 100 ms of the time the descriptors ran out, plus once.
        usleep(1_000_000)
        #expect(server.process.isRunning)
        for fd in clients { close(fd) }
        // Once descriptors are free again, it accepts and answers.
        var status = 0
        for _ in 0..<50 where status != 200 {
            status = (try? HTTPProbe.status(port: server.port, "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")) ?? 0
            if status != 200 { usleep(100_000) }
        }
        #expect(status == 200)
        let elapsed = Date().timeIntervalSince(began)
        let metrics = try HTTPProbe.exchange(port: server.port, Array("GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".utf8))
        let pauses = try #require(sample(String(decoding: metrics, as: UTF8.self), "chronicle_http_accept_pauses_total"))
        let loops = Double(ProcessInfo.processInfo.activeProcessorCount)
        #expect(pauses >= 1 && pauses <= loops * (elapsed / 0.1 + 2), "\(pauses) pauses in \(elapsed) s on \(Int(loops)) loops")
    }

    @Test func theCommandLineMigratesSeedsAndManagesTokens() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chronicle-cli-\(UUID().uuidString)")
        let db = directory.appendingPathComponent("cli.sqlite").path
        #expect(try runChronicle(["migrate", "--db", db]).contains("applied 0001_initial_schema.sql"))
        #expect(try runChronicle(["migrate", "--status", "--db", db]).contains("0002_api_tokens.sql"))
        #expect(try runChronicle(["seed", "--db", db]).contains("22 actors, 38 events, 5 quotes"))
        #expect(try runChronicle(["seed", "--db", db]).contains("already holds"))
        #expect(try runChronicle(["optimize", "--db", db]).contains("optimized \(db) in"))
        let secret = try runChronicle(["token", "create", "--db", db, "--name", "desk"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.hasPrefix("chr_"))
        #expect(try runChronicle(["token", "list", "--db", db]).contains("write   desk"))
        #expect(try runChronicle(["token", "revoke", "--db", db, "desk"]).contains("revoked"))
        #expect(try runChronicle(["token", "list", "--db", db]).contains("revoked 20"))
        let database = try Connection(path: db)
        #expect(try database.first("SELECT count(*) FROM api_tokens WHERE secret_hash = ?", [.text(secret)]) { $0.int(0) } == 0)
    }
}

/// Threads POSTing quotes to a server over fresh connections until stopped, noting the id of
/// every write the server acknowledged (201).
final class QuoteWriters: @unchecked Sendable {
    private let ids = Failures()
    private let stopped = Failures()
    private let group = DispatchGroup()

    init(port: Int, token: String, count: Int, label: String) {
        for writer in 0..<count {
            DispatchQueue.global().async(group: group) { [ids, stopped] in
                var i = 0
                while stopped.all.isEmpty && i < 5000 {
                    let body = #"{"text":"\#(label) \#(writer)-\#(i)","language":"en"}"#
                    let request = "POST /v1/quotes HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                    if let reply = try? HTTPProbe.exchange(port: port, request), reply.hasPrefix("HTTP/1.1 201"),
                       let range = reply.range(of: "\"id\":\""), let end = reply[range.upperBound...].firstIndex(of: "\"") {
                        ids.add(String(reply[range.upperBound..<end]))
                    }
                    i += 1
                }
            }
        }
    }

    var acknowledged: [String] { ids.all }

    /// Waits (10 s at most) until this many writes were acknowledged.
    func wait(forAcknowledged count: Int) {
        var waited = 0
        while ids.all.count < count && waited < 1000 { usleep(10_000); waited += 1 }
    }

    /// Stops the writers and waits for them.
    func stop() {
        stopped.add("stop")
        group.wait()
    }
}

final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ item: String) { lock.lock(); items.append(item); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}

