import ChronicleAPI
import Foundation
import Glibc
import HTTP
import Synchronization

/// A client that keeps one connection open and reads a chunked body as it arrives: for
/// server-sent events and long polls.
final class StreamClient {
    let fd: Int32
    private var raw: [UInt8] = []
    private var headEnd: Int?
    /// The body decoded so far; whether its last chunk came (a clean end); whether the server
    /// closed the connection (which alone means the body was cut short).
    private(set) var body: [UInt8] = []
    private(set) var ended = false
    private(set) var closed = false
    private var parsed = 0

    /// Connects and sends `request`; `receiveBuffer` shrinks the socket's buffer (before
    /// connecting) to play a client that reads slowly.
    init(port: Int, request: String, receiveBuffer: Int32? = nil) throws {
        fd = try HTTPProbe.connect(port: port, receiveBuffer: receiveBuffer)
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else { throw TestAPI.TestError.io("send") }
    }

    deinit { close(fd) }

    var status: Int? {
        guard let headEnd else { return nil }
        return Int(String(decoding: raw[0..<headEnd], as: UTF8.self).split(separator: " ")[1])
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    /// A response header's value (the first of that name), once the head has come.
    func header(_ name: String) -> String? {
        guard let headEnd else { return nil }
        for line in String(decoding: raw[0..<headEnd], as: UTF8.self).components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == name.lowercased() else { continue }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// Reads until `done` holds for the decoded body (or it ended), or `seconds` pass.
    @discardableResult
    func read(for seconds: Double = 10, until done: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var chunk = [UInt8](repeating: 0, count: 65536)
        while !done(text) {
            if ended || closed { return false }
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return false }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(min(left, 1) * 1000)) > 0 else { continue }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { closed = true; return done(text) }
            raw += chunk[0..<n]
            decode()
        }
        return true
    }

    /// The server-sent events received so far: (event, id, data) of each.
    var events: [(event: String, id: String?, data: String)] {
        text.components(separatedBy: "\n\n").compactMap { block in
            var event = "message", id: String?, data: [String] = []
            for line in block.split(separator: "\n", omittingEmptySubsequences: true) {
                if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                else if line.hasPrefix("id: ") { id = String(line.dropFirst(4)) }
                else if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
            }
            return data.isEmpty ? nil : (event, id, data.joined(separator: "\n"))
        }
    }

    private func decode() {
        if headEnd == nil {
            guard let end = (0..<max(0, raw.count - 3)).first(where: { raw[$0] == 13 && raw[$0 + 1] == 10 && raw[$0 + 2] == 13 && raw[$0 + 3] == 10 }) else { return }
            headEnd = end
            parsed = end + 4
        }
        while !ended {
            guard let lineEnd = (parsed..<max(parsed, raw.count - 1)).first(where: { raw[$0] == 13 && raw[$0 + 1] == 10 }),
                  let size = Int(String(decoding: raw[parsed..<lineEnd], as: UTF8.self), radix: 16) else { return }
            guard raw.count >= lineEnd + 2 + size + 2 else { return }
            if size == 0 { ended = true; return }
            body += raw[(lineEnd + 2)..<(lineEnd + 2 + size)]
            parsed = lineEnd + 2 + size + 2
        }
    }
}

/// A webhook receiver started by a test: records each delivery and answers what it is told.
final class WebhookReceiver: @unchecked Sendable {
    struct Delivery {
        let headers: Headers
        let body: [UInt8]
        /// What the receiver answered.
        let status: Int
        var json: JSON { (try? JSON.parse(body)) ?? .null }
    }

    private let state = Mutex<(deliveries: [Delivery], status: Int)>(([], 200))
    private(set) var server: Server!
    var port: Int { server.port }

    init() throws {
        var router = Router()
        router.post("/hook") { [unowned self] request in
            let status = state.withLock { state in
                state.deliveries.append(Delivery(headers: request.headers, body: request.body, status: state.status))
                return state.status
            }
            return Response(status: status)
        }
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.accessLog = false
        configuration.loopCount = 1
        let responder = router
        server = try Server(configuration: configuration, respondersByLoop: { _ in responder })
    }

    deinit {
        server.shutdown()
        server.wait()
    }

    var url: String { "http://127.0.0.1:\(port)/hook" }
    var deliveries: [Delivery] { state.withLock { $0.deliveries } }

    /// What the receiver answers from now on.
    func answer(_ status: Int) { state.withLock { $0.status = status } }

    /// Waits until `done` holds for the deliveries so far.
    @discardableResult
    func wait(for seconds: Double = 15, until done: ([Delivery]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if done(deliveries) { return true }
            usleep(20_000)
        }
        return done(deliveries)
    }
}
