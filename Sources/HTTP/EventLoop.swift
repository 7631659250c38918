import CSystem
import FoundationEssentials
import Glibc
import Logging

/// One thread, one epoll instance, and the connections it accepted. Everything a connection
/// does happens on its loop's thread; other threads reach it only through `execute`.
final class EventLoop: @unchecked Sendable {
    let epoll: Int32
    private let wakeFD: Int32
    /// The server keeps its core as long as its loops run; unowned(unsafe) leaves the core's
    /// reference count alone, a line of memory both loops would otherwise write on every request.
    unowned(unsafe) let server: ServerCore
    /// This loop's own responder (`Server.init(configuration:respondersByLoop:)`), and copies of
    /// what the core holds that a request reads, held here for the same reason.
    let responder: any Responder
    let accessLog: Bool
    let accessLogSink: LogSink?
    /// Tested per request instead of the optional: unwrapping the sink retains it.
    let hasAccessLogSink: Bool
    let listenFD: Int32
    /// Access lines gathered for `accessLogSink`.
    var accessLines: AccessLogBatch
    let index: Int
    /// Indexed by file descriptor (small integers the kernel reuses), grown on demand.
    private var connections: [Connection?] = []
    private var connectionCount = 0
    /// Read on this loop's thread only (`Server.connectionsByLoop`).
    var openConnectionCount: Int { connectionCount }
    private var tasks: [() -> Void] = []
    /// Connections another loop accepted for this one, not yet taken in; under `taskLock`.
    private var handedOver: [Int32] = []
    /// Set under `taskLock` when `run` returns: nothing can be handed over any more.
    private var exited = false
    private var wakePending = false
    private let taskLock = Lock()
    /// Shared by every connection of this loop: an idle connection keeps no buffer of its own.
    let readBuffer: UnsafeMutableRawBufferPointer
    var dateCache = DateCache()
    /// Where this loop's connections build response heads and access lines, one at a time.
    var scratch = ByteWriter()
    private var listening = false
    private var acceptPausedUntil: Double?
    private(set) var draining = false
    private var drainDeadline = Double.infinity
    private var requestCounter = 0
    /// Six random hex digits and the loop's index: ids stay distinct across loops and restarts,
    /// and short enough (up to 15 bytes) to be stored inline instead of on the heap.
    private let requestIDPrefix: UInt64
    private var lastSweep = 0.0

    init(server: ServerCore, index: Int, responder: any Responder) throws {
        self.server = server
        self.index = index
        self.responder = responder
        accessLog = server.accessLog
        accessLogSink = server.accessLogSink
        hasAccessLogSink = server.accessLogSink != nil
        listenFD = server.listenFD
        accessLines = AccessLogBatch(prefix: server.accessLinePrefix)
        requestIDPrefix = RequestID.packPrefix(String(UInt32.random(in: 0x100000...0xFFFFFF), radix: 16) + String(index % 36, radix: 36) + "-")
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { throw Socket.Failure(call: "epoll_create1", code: errno) }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeFD >= 0 else { throw Socket.Failure(call: "eventfd", code: errno) }
        readBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
        _ = csystem_epoll_add(epoll, wakeFD, CSYSTEM_EPOLLIN, wakeFD)
    }

    deinit {
        readBuffer.deallocate()
        close(epoll)
        close(wakeFD)
    }

    /// Runs `task` on this loop's thread, soon. Safe from any thread.
    func execute(_ task: @escaping () -> Void) {
        taskLock.lock()
        tasks.append(task)
        wakeLocked()
    }

    /// Gives this loop a connection another loop accepted; false once this loop has stopped.
    func handOver(_ fd: Int32) -> Bool {
        taskLock.lock()
        guard !exited else {
            taskLock.unlock()
            return false
        }
        handedOver.append(fd)
        wakeLocked()
        return true
    }

    /// Wakes the loop if no wake is pending; called with `taskLock` held, releases it.
    private func wakeLocked() {
        let wake = !wakePending
        wakePending = true
        taskLock.unlock()
        if wake {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        }
    }

    func startListening() {
        listening = true
        _ = csystem_epoll_add(epoll, listenFD, CSYSTEM_EPOLLIN | CSYSTEM_EPOLLEXCLUSIVE, listenFD)
    }

    private func stopListening() {
        guard listening else { return }
        listening = false
        _ = csystem_epoll_del(epoll, listenFD)
    }

    /// The loop itself; returns once draining has finished.
    func run() {
        let capacity = 256
        var fds = [Int32](repeating: 0, count: capacity)
        var events = [UInt32](repeating: 0, count: capacity)
        let tick = Int32(max(10, min(250, server.limits.tickMilliseconds)))
        while true {
            let ready = csystem_epoll_wait(epoll, &fds, &events, Int32(capacity), tick)
            if ready < 0 && errno != EINTR { server.logger.error("epoll_wait failed: errno \(errno)"); break }
            for i in 0..<max(0, Int(ready)) {
                let fd = fds[i]
                if fd == wakeFD {
                    runTasks()
                } else if fd == listenFD {
                    acceptConnections()
                } else if Int(fd) < connections.count, let connection = connections[Int(fd)] {
                    connection.handle(events: events[i])
                }
            }
            let now = Socket.now()
            if now - lastSweep >= Double(tick) / 1000 {
                lastSweep = now
                sweep(now: now)
                if let accessLogSink { accessLines.handOver(to: accessLogSink) }
            }
            if draining && (connectionCount == 0 || now >= drainDeadline) { break }
        }
        taskLock.lock()
        exited = true
        let late = handedOver
        handedOver.removeAll()
        taskLock.unlock()
        for fd in late { refuseWhileDraining(fd) }
        for case let connection? in connections { connection.close() }
        if let accessLogSink { accessLines.handOver(to: accessLogSink) }
    }

    private func runTasks() {
        var value: UInt64 = 0
        _ = read(wakeFD, &value, 8)
        taskLock.lock()
        let batch = tasks
        tasks.removeAll(keepingCapacity: true)
        let adopted = handedOver
        handedOver.removeAll(keepingCapacity: true)
        wakePending = false
        taskLock.unlock()
        for fd in adopted { adopt(fd) }
        for task in batch { task() }
    }

    private func acceptConnections() {
        while listening {
            let fd = csystem_accept4(listenFD, nil, nil, CSYSTEM_SOCK_NONBLOCK | CSYSTEM_SOCK_CLOEXEC)
            if fd < 0 {
                switch errno {
                case EAGAIN, EWOULDBLOCK: return
                case EINTR, ECONNABORTED, EPROTO: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors: stop accepting for a moment instead of spinning on a
                    // listener that stays readable.
                    server.logger.warning("accept: out of file descriptors (errno \(errno)); pausing accepts for 100 ms")
                    stopListening()
                    server.acceptPauses.add(1)
                    acceptPausedUntil = Socket.now() + 0.1
                    return
                default:
                    server.logger.error("accept failed: errno \(errno)")
                    return
                }
            }
            if server.openConnections.add(1) > server.limits.maxConnections {
                server.openConnections.add(-1)
                rejectOverCapacity(fd)
                continue
            }
            // Whichever loop wakes first accepts every pending connection: wrk's 64 split 57 to
            // 19 between two loops, and the busier loop set the pace. Each goes to the loops in
            // turn instead.
            let target = server.loopRing.next()
            if target === self || !target.handOver(fd) { adopt(fd) }
        }
    }

    /// Takes in a connection accepted by this loop or handed over by another.
    private func adopt(_ fd: Int32) {
        if draining {
            refuseWhileDraining(fd)
            return
        }
        Socket.setNoDelay(fd)
        let connection = Connection(fd: fd, loop: self)
        if Int(fd) >= connections.count { connections += Array(repeating: nil, count: Int(fd) + 1 - connections.count + 64) }
        connections[Int(fd)] = connection
        connectionCount += 1
        _ = csystem_epoll_add(epoll, fd, CSYSTEM_EPOLLIN | CSYSTEM_EPOLLRDHUP, fd)
        connection.startIdle(now: Socket.now())
    }

    /// A connection that arrived as the server began shutting down: closed before any request.
    private func refuseWhileDraining(_ fd: Int32) {
        server.openConnections.add(-1)
        close(fd)
    }

    private func rejectOverCapacity(_ fd: Int32) {
        let response = Response.problem(503, detail: "the server is at its connection limit; retry shortly")
        var head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nRetry-After: 1\r\nConnection: close\r\n"
        if case .bytes(let body) = response.body {
            head += "Content-Length: \(body.count)\r\n\r\n"
            let bytes = Array(head.utf8) + body
            _ = bytes.withUnsafeBytes { Socket.send(fd, $0, nil) }
        }
        shutdown(fd, Int32(SHUT_WR))
        close(fd)
    }

    func remove(_ connection: Connection) {
        guard Int(connection.fd) < connections.count, connections[Int(connection.fd)] === connection else { return }
        connections[Int(connection.fd)] = nil
        connectionCount -= 1
        _ = csystem_epoll_del(epoll, connection.fd)
        close(connection.fd)
        server.openConnections.add(-1)
    }

    /// Fires deadlines: timeouts, the drain deadline, and resumed accepting.
    private func sweep(now: Double) {
        if let until = acceptPausedUntil, now >= until, !draining {
            acceptPausedUntil = nil
            startListening()
        }
        for case let connection? in connections where connection.deadline <= now {
            connection.deadlinePassed()
        }
    }

    /// Stops accepting, closes idle connections, ends pushed bodies (a stream of events would
    /// otherwise hold the drain to its deadline; its client reconnects elsewhere), and lets the
    /// busy ones finish.
    func beginDraining(deadline: Double) {
        draining = true
        drainDeadline = deadline
        stopListening()
        for case let connection? in connections where connection.isIdle { connection.close() }
        for case let connection? in connections { connection.endPushForDrain() }
    }

    /// Adds an access line to this loop's batch, handing the batch to the sink once it is full.
    func appendAccessLine(_ line: (inout ByteWriter) -> Void) {
        if accessLines.append(line), let accessLogSink { accessLines.handOver(to: accessLogSink) }
    }

    func nextRequestID() -> RequestID {
        requestCounter += 1
        return RequestID(prefix: requestIDPrefix, number: requestCounter)
    }
}
