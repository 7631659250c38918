import Foundation
import Glibc
@testable import HTTP

/// A blocking test client that speaks raw bytes, so tests can send exactly what they mean.
final class RawClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, timeout: Double = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            Glibc.close(fd)
            throw ClientError.connectFailed(errno)
        }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { Glibc.close(fd) }

    enum ClientError: Error { case connectFailed(Int32), timeout, closed, malformed(String) }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// Says the client will send nothing more (a FIN), still reading what comes back.
    func shutdownWrite() { Glibc.shutdown(fd, Int32(SHUT_WR)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { throw ClientError.closed }
        if n < 0 { throw errno == EAGAIN || errno == EWOULDBLOCK ? ClientError.timeout : ClientError.closed }
        buffer += chunk[0..<n]
    }

    struct Reply {
        var status: Int
        var reason = ""
        var headers: Headers
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Reads one response (to a request that was not HEAD unless `head` is set).
    func read(head isHead: Bool = false) throws -> Reply {
        var end: Int?
        while end == nil {
            if let range = findCRLFCRLF() { end = range } else { try fill() }
        }
        let headText = String(decoding: buffer[0..<end!], as: UTF8.self)
        buffer.removeFirst(end! + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw ClientError.malformed(headText) }
        var headers = Headers()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let reason = statusLine.dropFirst(2).joined(separator: " ")
        if status == 100 { return Reply(status: 100, reason: reason, headers: headers, body: []) }
        var body: [UInt8] = []
        if isHead || status == 204 || status == 304 {
        } else if headers["Transfer-Encoding"] == "chunked" {
            while true {
                let line = try readLine()
                guard let size = Int(line, radix: 16) else { throw ClientError.malformed("chunk size \(line)") }
                if size == 0 { _ = try readLine(); break }
                while buffer.count < size + 2 { try fill() }
                body += buffer[0..<size]
                buffer.removeFirst(size + 2)
            }
        } else if let length = headers["Content-Length"].flatMap(Int.init) {
            while buffer.count < length { try fill() }
            body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        } else {
            do { while true { try fill() } } catch ClientError.closed {}
            body = buffer
            buffer = []
        }
        return Reply(status: status, reason: reason, headers: headers, body: body)
    }

    private func readLine() throws -> String {
        while true {
            if let index = buffer.indices.dropLast().first(where: { buffer[$0] == 13 && buffer[$0 + 1] == 10 }) {
                let line = String(decoding: buffer[0..<index], as: UTF8.self)
                buffer.removeFirst(index + 2)
                return line
            }
            try fill()
        }
    }

    private func findCRLFCRLF() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 { return i }
        return nil
    }

    /// True when the server closed the connection (EOF) before `timeout`.
    func isClosedByServer() -> Bool {
        do {
            while true { try fill() }
        } catch ClientError.closed {
            return true
        } catch {
            return false
        }
    }
}

/// A server on an ephemeral port with test routes.
func startServer(limits: ServerLimits = ServerLimits(), loops: Int = 2, compression: ResponseCompression = ResponseCompression(),
                 configure: (inout Router) -> Void = { _ in }) throws -> Server {
    var router = Router()
    router.get("/hello", .openOnLoop) { _ in Response(contentType: "text/plain", text: "hello") }
    router.get("/slow") { request in
        usleep(UInt32(request.query("ms").flatMap(UInt32.init) ?? 100) * 1000)
        return Response(contentType: "text/plain", text: "slow")
    }
    router.post("/echo") { request in Response(headers: ["Content-Type": "application/octet-stream"], body: request.body) }
    router.post("/big", maxBodyBytes: 4 * 1024 * 1024) { request in Response(contentType: "text/plain", text: "\(request.body.count)") }
    router.get("/boom") { _ in throw TestFailure() }
    router.get("/query") { request in Response(contentType: "text/plain", text: request.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")) }
    router.get("/items/:id") { request in Response(contentType: "text/plain", text: "item \(request.parameters["id"] ?? "")") }
    router.delete("/items/:id") { _ in Response(status: 204) }
    router.get("/status/:code") { request in Response(status: Int(request.parameters["code"] ?? "") ?? 500, contentType: "text/plain", text: "status") }
    configure(&router)
    var configuration = ServerConfiguration()
    configuration.port = 0
    configuration.limits = limits
    configuration.compression = compression
    configuration.loopCount = loops
    configuration.accessLog = false
    return try Server(configuration: configuration, responder: router)
}

struct TestFailure: Error {}

/// The TCP states (hex, as in /proc/net/tcp: 01 established, 06 time-wait, 08 close-wait,
/// 0A listen) of every socket whose local port is `port`.
func serverSideSockets(port: Int) -> [String] {
    guard let table = try? String(contentsOfFile: "/proc/self/net/tcp", encoding: .utf8) else { return [] }
    let hexPort = String(format: "%04X", port)
    return table.split(separator: "\n").dropFirst().compactMap { line in
        let fields = line.split(separator: " ")
        guard fields.count > 3, fields[1].hasSuffix(":" + hexPort) else { return nil }
        return String(fields[3])
    }
}
