import CSystem
import FoundationEssentials
import Glibc
import Logging

/// One client connection, confined to its event loop's thread.
///
/// It reads a head, then a body, hands the request to the responder (on the loop for cheap
/// routes, on the reader pool for GET and HEAD, on Dispatch's pool otherwise), writes the response and, on keep-alive, goes back
/// for the next request, which may already be buffered (pipelining answers in order because a
/// connection handles one request at a time).
final class Connection: @unchecked Sendable {
    enum State {
        case readingHead
        /// Boxed: the head is large, and `state` is assigned several times per request.
        indirect case readingBody(RequestHead, Preparation, BodyReader)
        case handling
        case writing
        case streaming(BodyStream)
        /// The body is written by whoever holds the sink, whenever they send.
        case pushing(PushSink)
        case draining
        case closed
    }

    enum BodyReader {
        case length(remaining: Int)
        case chunked(ChunkedDecoder)
    }

    enum DeadlineKind { case idle, head, body, write, drain, none }

    let fd: Int32
    /// The loop owns its connections and outlives them; unowned(unsafe) skips a retain per access.
    unowned(unsafe) let loop: EventLoop
    var state = State.readingHead
    /// Bytes received but not yet parsed; empty (and unallocated) between requests.
    var inbound: [UInt8] = []
    var body: [UInt8] = []
    /// Where the body goes instead of `body` on a route that spools bodies.
    var spool: SpooledBody?
    /// Bytes of the response not yet accepted by the socket.
    var outbound: [UInt8] = []
    var outboundOffset = 0
    var requestsServed = 0
    var deadline = Double.infinity
    var deadlineKind = DeadlineKind.none
    var readInterest = true
    var writeInterest = false
    var peerClosedInput = false
    var closeAfterWrite = false
    var streamFinished = false
    /// Whether the streamed body is sent in chunks (HTTP/1.1) or as it is, ended by closing (1.0).
    var streamChunked = true
    var pushFinished = false
    var pushClosing: [UInt8] = []
    /// Whether pushed parts are framed as chunks (HTTP/1.1) or written as they are (HTTP/1.0).
    var pushChunked = true
    /// What the access log says of a request: filled in as it is answered.
    typealias AccessEntry = (method: String, path: String, id: RequestID, start: Double, status: Int, bytes: Int)
    /// For the access log.
    var current: AccessEntry?

    /// A copy, read on every request; the server's limits never change while it runs.
    let limits: ServerLimits
    /// The same, for gzip.
    let compression: ResponseCompression

    init(fd: Int32, loop: EventLoop) {
        self.fd = fd
        self.loop = loop
        limits = loop.server.limits
        compression = loop.server.compression
    }

    var isIdle: Bool {
        if case .readingHead = state { return inbound.isEmpty }
        return false
    }

    func startIdle(now: Double) {
        setDeadline(.idle, now + limits.idleTimeout)
    }

    func setDeadline(_ kind: DeadlineKind, _ at: Double) {
        deadlineKind = kind
        deadline = at
    }

    // MARK: Events

    func handle(events: UInt32) {
        if events & (CSYSTEM_EPOLLERR | CSYSTEM_EPOLLHUP) != 0 && events & CSYSTEM_EPOLLIN == 0 {
            close()
            return
        }
        if events & CSYSTEM_EPOLLOUT != 0 { flush() }
        if events & (CSYSTEM_EPOLLIN | CSYSTEM_EPOLLRDHUP) != 0, readInterest { readAvailable() }
    }

    private func readAvailable() {
        if case .closed = state { return }
        while true {
            let count = read(fd, loop.readBuffer.baseAddress, loop.readBuffer.count)
            if count > 0 {
                if case .draining = state { continue }
                if count < loop.readBuffer.count, inbound.isEmpty, case .readingHead = state, beginFromReadBuffer(count) { break }
                if inbound.isEmpty { inbound.reserveCapacity(count) }
                inbound.append(contentsOf: UnsafeRawBufferPointer(start: loop.readBuffer.baseAddress, count: count))
                if count < loop.readBuffer.count { break }
                if inbound.count > limits.maxHeaderBytes + limits.maxRequestLineBytes + 65536 { break }
            } else if count == 0 {
                peerClosedInput = true
                setReadInterest(false)
                break
            } else {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { break }
                close()
                return
            }
        }
        switch state {
        case .draining:
            if peerClosedInput { close() }
        case .readingHead, .readingBody:
            process()
            if peerClosedInput, case .readingHead = state { close() }
            else if peerClosedInput, case .readingBody = state { close() }
        case .pushing:
            // A pushed body goes on until the client leaves; what it sends meanwhile is not kept.
            inbound = []
            if peerClosedInput { close() }
        default:
            // A response is in progress: keep what was pipelined, but stop reading once a lot is waiting.
            if inbound.count > limits.maxHeaderBytes + limits.maxRequestLineBytes { setReadInterest(false) }
        }
    }

    /// The common case, a whole request head in one read with nothing buffered before it: parsed
    /// where it was read, so that `inbound` is neither allocated nor copied into. Only what
    /// follows the head (a body, a pipelined request) is kept. False when the head is not
    /// complete or not valid; the bytes then take the usual way through `inbound`.
    private func beginFromReadBuffer(_ count: Int) -> Bool {
        let bytes = UnsafeBufferPointer(start: loop.readBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count)
        let result = RequestParser.parseHead(bytes, limits: limits)
        switch consume result {
        case .complete(let head, let consumed):
            if consumed < count { inbound.append(contentsOf: bytes[consumed...]) }
            requestsServed += 1
            begin(head)
            return true
        case .incomplete, .failure:
            return false
        }
    }

    func deadlinePassed() {
        switch deadlineKind {
        case .head: fail(ParseError(408, "the request head did not arrive within \(limits.headTimeout) s"))
        case .body: fail(ParseError(408, "the request body stalled for \(limits.bodyStallTimeout) s"))
        case .idle, .write, .drain: close()
        case .none: break
        }
    }

    // MARK: Parsing

    /// Parses and dispatches as many requests as the buffered bytes allow (one at a time).
    func process() {
        while true {
            switch state {
            case .readingHead:
                if inbound.isEmpty {
                    inbound = []
                    if deadlineKind != .idle { startIdle(now: Socket.now()) }
                    return
                }
                let result = inbound.withUnsafeBufferPointer { RequestParser.parseHead($0, limits: limits) }
                switch consume result {  // moves the head out instead of copying it
                case .incomplete:
                    if deadlineKind != .head { setDeadline(.head, Socket.now() + limits.headTimeout) }
                    return
                case .failure(let error):
                    fail(error)
                    return
                case .complete(let head, let consumed):
                    inbound.removeFirst(consumed)
                    requestsServed += 1
                    begin(head)
                }
            case .readingBody(let head, let preparation, var reader):
                state = .handling  // release the enum's copy of the body state while we mutate
                switch reader {
                case .length(let remaining):
                    let take = min(remaining, inbound.count)
                    if let spool {
                        guard spool.append(inbound[0..<take]) else { return failSpool() }
                    } else {
                        body.append(contentsOf: inbound[0..<take])
                    }
                    inbound.removeFirst(take)
                    if remaining - take > 0 {
                        state = .readingBody(head, preparation, .length(remaining: remaining - take))
                        setDeadline(.body, Socket.now() + limits.bodyStallTimeout)
                        return
                    }
                case .chunked(var decoder):
                    let outcome = inbound.withUnsafeBufferPointer { decoder.feed($0, into: &body) }
                    if let spool, !body.isEmpty {
                        guard spool.append(body[...]) else { return failSpool() }
                        body.removeAll(keepingCapacity: true)
                    }
                    switch outcome {
                    case .needMore:
                        inbound.removeAll()
                        reader = .chunked(decoder)
                        state = .readingBody(head, preparation, reader)
                        setDeadline(.body, Socket.now() + limits.bodyStallTimeout)
                        return
                    case .done(let consumed):
                        inbound.removeFirst(consumed)
                    case .failure(let error):
                        fail(error)
                        return
                    }
                }
                dispatch(head, preparation)
            default:
                return
            }
        }
    }

    private func begin(_ head: RequestHead) {
        let path = head.target.firstIndex(ofByte: 63).map { String(head.target[..<$0]) } ?? head.target
        let preparation = loop.responder.prepare(method: head.method, path: path)
        let maxBody = preparation.maxBodyBytes ?? limits.maxBodyBytes
        body = []
        spool = nil
        if preparation.spoolsBody, head.framing != .none {
            guard let file = SpooledBody() else {
                fail(ParseError(507, "the server has no room to take this body; try again later"))
                return
            }
            spool = file
        }
        switch head.framing {
        case .none:
            dispatch(head, preparation)
        case .length(let length):
            guard length <= maxBody else {
                fail(ParseError(413, "the body is \(length) bytes; the limit here is \(maxBody)"))
                return
            }
            if spool == nil { body.reserveCapacity(length) }
            if head.expectsContinue && inbound.count < length { sendContinue() }
            state = .readingBody(head, preparation, .length(remaining: length))
        case .chunked:
            if head.expectsContinue && inbound.isEmpty { sendContinue() }
            state = .readingBody(head, preparation, .chunked(ChunkedDecoder(maxBody: maxBody)))
        }
    }

    private func sendContinue() {
        let line = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
        _ = line.withUnsafeBytes { Socket.send(fd, $0, nil) }
    }

    // MARK: Dispatch

    private func dispatch(_ head: RequestHead, _ preparation: Preparation) {
        let keepAlive = head.keepAlive, minor = head.minorVersion, isHead = head.method == "HEAD"
        var request = Request(method: head.method, target: head.target, headers: head.headers, body: body, minorVersion: minor)
        body = []
        request.spooledBody = spool
        spool = nil
        request.requestID = Connection.acceptableRequestID(request.headers["X-Request-Id"]).map(RequestID.init) ?? loop.nextRequestID()
        request.preparedTag = preparation.tag
        request.parameters = preparation.parameters
        request.route = preparation.route
        request.routeAccess = preparation.access
        request.receivedAt = Socket.now()
        current = (request.method, request.path, request.requestID, request.receivedAt, 0, 0)
        state = .handling
        setDeadline(.none, .infinity)
        let responder = loop.responder, compression = compression
        if preparation.runsOnLoop {
            var response = Connection.respond(responder, request) { loop.server.logger }
            if compression.wouldCompress(response, requestHeaders: request.headers) {
                // Compressing a large body (a whole document served from the loop) is CPU work every other
                // connection of the loop would wait for: a reader does it.
                let headers = request.headers, unencoded = response
                loop.server.readers.async {
                    var response = unencoded
                    compression.encode(&response, requestHeaders: headers)
                    self.loop.execute { self.finish(response, keepAlive: keepAlive, isHead: isHead, minor: minor) }
                }
                return
            }
            compression.encode(&response, requestHeaders: request.headers)
            finish(response, keepAlive: keepAlive, isHead: isHead, minor: minor)
        } else {
            let server = loop.server
            let request = request
            let work: @Sendable () -> Void = {
                var response = Connection.respond(responder, request) { server.logger }
                compression.encode(&response, requestHeaders: request.headers)
                self.loop.execute {
                    self.finish(response, keepAlive: keepAlive, isHead: isHead, minor: minor)
                }
            }
            if isHead || request.method == "GET" {
                server.readers.async(work)
            } else if let writers = server.writers {
                writers.async(work)
            } else {
                server.workers.async(execute: work)
            }
        }
    }

    /// `logger` is asked for only when the handler throws: reading the shared core's logger on
    /// every request wrote its reference count from both loops.
    static func respond(_ responder: any Responder, _ request: Request, logger: () -> Logger) -> Response {
        do {
            return try responder.respond(to: request)
        } catch {
            logger().error("handler failed for \(request.method) \(request.path) [\(request.id)]: \(error)")
            return Response.problem(500, detail: "the server failed to answer this request; quote request id \(request.id) when reporting it")
        }
    }

    /// A client's own request id is kept when it is short and plain.
    static func acceptableRequestID(_ value: String?) -> String? {
        guard let value, !value.isEmpty, value.utf8.count <= 128,
              value.utf8.allSatisfy({ RequestParser.isTokenByte($0) && $0 != 37 }) else { return nil }
        return value
    }

    private func failSpool() {
        fail(ParseError(507, "the server ran out of room while storing the body; try again later"))
    }

    /// Answers a request that could not be parsed, then closes: its framing cannot be trusted.
    func fail(_ error: ParseError) {
        spool = nil
        if current == nil { current = ("-", "-", loop.nextRequestID(), Socket.now(), 0, 0) }
        inbound = []
        state = .handling
        finish(Response.problem(error.status, detail: error.message), keepAlive: false, isHead: false, minor: 1)
    }

    // MARK: Lifecycle

    func close() {
        if case .closed = state { return }
        if case .pushing(let sink) = state { sink.detach() }
        state = .closed
        inbound = []
        outbound = []
        spool = nil
        loop.remove(self)
    }

    /// Half-closes and reads what the client still sends for a moment, so that it receives our
    /// last response instead of a reset.
    func closeGracefully() {
        shutdown(fd, Int32(SHUT_WR))
        state = .draining
        inbound = []
        setReadInterest(true)
        setDeadline(.drain, Socket.now() + 0.5)
        if peerClosedInput { close() }
    }

    func setReadInterest(_ on: Bool) {
        guard on != readInterest else { return }
        readInterest = on
        updateInterest()
    }

    func setWriteInterest(_ on: Bool) {
        guard on != writeInterest else { return }
        writeInterest = on
        updateInterest()
    }

    private func updateInterest() {
        var events: UInt32 = 0
        if readInterest { events |= CSYSTEM_EPOLLIN | CSYSTEM_EPOLLRDHUP }
        if writeInterest { events |= CSYSTEM_EPOLLOUT }
        _ = csystem_epoll_mod(loop.epoll, fd, events, fd)
    }
}
