import Dispatch
import FoundationEssentials
import Glibc
import Synchronization
import Logging

/// Where and how the server runs.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port; read it back from `Server.port`.
    public var port = 8080
    /// Event-loop threads; one per core by default.
    public var loopCount = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Threads that answer GET and HEAD requests off the loops, first come, first served; one per
    /// core keeps reads from time-slicing each other. Other methods may block (a write waits for
    /// its commit) and run on Dispatch's pool, which grows when its threads block.
    public var readerCount = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Threads that answer the other methods (writes), first come, first served; nil runs them
    /// on Dispatch's pool. A store whose writes wait on another server (PostgreSQL) needs as
    /// many as the writes it should have in flight: on Linux, Dispatch's pool adds threads only
    /// slowly when its threads block, and kept about two writes going on two cores.
    public var writerCount: Int?
    public var limits = ServerLimits()
    public var backlog: Int32 = 1024
    /// One log line per request: method, path, status, bytes, duration, request id.
    public var accessLog = true
    public var logger = Logger(label: "http")
    /// When set, access lines go straight into this sink, as `info` lines of `logger`'s label,
    /// instead of through `logger`: a swift-log event per request (its copies of five strings,
    /// then the line made a String) cost about a tenth of answering a small request.
    public var accessLogSink: LogSink?
    /// gzip for clients that accept it; see `ResponseCompression`.
    public var compression = ResponseCompression()

    public init() {}
}

/// What every loop of one server shares.
final class ServerCore: Sendable {
    let limits: ServerLimits
    let compression: ResponseCompression
    let logger: Logger
    let accessLog: Bool
    let accessLogSink: LogSink?
    /// `info LABEL: `, made once for every access line.
    let accessLinePrefix: [UInt8]
    let listenFD: Int32
    let openConnections = Counter()
    /// Times a loop stopped accepting for a moment because the process was out of descriptors.
    let acceptPauses = Counter()
    /// Blocking work (a store's) runs here, never on a loop thread: reads on `readers`, writes on
    /// `writers` when there are any, the rest on `workers`.
    let workers = DispatchQueue(label: "http.workers", qos: .userInitiated, attributes: .concurrent)
    let readers: WorkerPool
    /// Where writes run instead of `workers`, when configured.
    let writers: WorkerPool?
    /// The loops, in turn, for each accepted connection.
    let loopRing = LoopRing()

    init(configuration: ServerConfiguration, listenFD: Int32) {
        limits = configuration.limits
        compression = configuration.compression
        logger = configuration.logger
        // The logger's level decides for the sink too, as it would for `logger.info`.
        accessLog = configuration.accessLog && configuration.logger.logLevel <= .info
        accessLogSink = configuration.accessLogSink
        accessLinePrefix = LogSink.prefix(level: "info", label: configuration.logger.label)
        self.listenFD = listenFD
        readers = WorkerPool(threads: configuration.readerCount, name: "reader")
        writers = configuration.writerCount.map { WorkerPool(threads: max(1, $0), name: "writer") }
    }
}

extension ServerLimits {
    /// How often deadlines are checked: often enough for the shortest timeout.
    var tickMilliseconds: Int {
        Int(min(headTimeout, bodyStallTimeout, idleTimeout, writeStallTimeout) * 1000 / 4)
    }
}

/// The server's loops in turn, so that connections are spread evenly whichever loop accepts them.
/// Unretained: the loops hold the server core, and the server keeps its loops.
final class LoopRing: @unchecked Sendable {
    private var loops: [Unmanaged<EventLoop>] = []
    private let turn = Counter()

    /// Called once, before any loop runs.
    func set(_ loops: [EventLoop]) { self.loops = loops.map { Unmanaged.passUnretained($0) } }

    func next() -> EventLoop { loops[(turn.add(1) - 1) % loops.count].takeUnretainedValue() }
}

/// A thread-safe integer, for the connection count the loops share.
final class Counter: @unchecked Sendable {
    private let lock = Lock()
    private var value = 0
    @discardableResult
    func add(_ delta: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += delta
        return value
    }
    var current: Int { add(0) }
}

/// An HTTP/1.1 server on epoll: a few loop threads share one listening socket.
public final class Server: @unchecked Sendable {
    public let configuration: ServerConfiguration
    /// The port actually bound.
    public let port: Int
    let core: ServerCore
    private let loops: [EventLoop]
    private let finished = DispatchGroup()
    private let stateLock = Lock()
    private var stopping = false
    private var listenerClosed = false
    private var signalSources: [any DispatchSourceSignal] = []

    /// Binds and starts serving at once.
    public convenience init(configuration: ServerConfiguration, responder: any Responder) throws {
        try self.init(configuration: configuration, respondersByLoop: { _ in responder })
    }

    /// Binds and starts serving at once, with a responder made for each loop (`make(index)`).
    /// A router shared by the loops had its reference counts written by both on every request,
    /// which cost a few percent of a small request on two cores.
    public init(configuration: ServerConfiguration, respondersByLoop make: (Int) -> any Responder) throws {
        signal(SIGPIPE, SIG_IGN)
        Socket.raiseFileLimit()
        self.configuration = configuration
        let (fd, port) = try Socket.listen(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
        self.port = port
        core = ServerCore(configuration: configuration, listenFD: fd)
        let core = self.core
        loops = try (0..<configuration.loopCount).map { try EventLoop(server: core, index: $0, responder: make($0)) }
        core.loopRing.set(loops)
        let finished = self.finished
        for loop in loops {
            loop.startListening()
            finished.enter()
            startThread(named: "loop-\(loop.index)") {
                withExtendedLifetime(core) { loop.run() }  // a loop holds its core unowned
                finished.leave()
            }
        }
    }

    /// Connections open right now, across loops.
    public var openConnections: Int { core.openConnections.current }

    /// Times accepting paused because the process ran out of file descriptors (each pause lasts
    /// 100 ms), since the server started: an operator's sign that the descriptor limit is low.
    public var acceptPauses: Int { core.acceptPauses.current }

    /// Connections open on each loop, each counted on its own loop's thread.
    func connectionsByLoop() -> [Int] {
        loops.map { loop in
            let count = Mutex(-1)
            let done = DispatchSemaphore(value: 0)
            loop.execute {
                count.withLock { $0 = loop.openConnectionCount }
                done.signal()
            }
            done.wait()
            return count.withLock { $0 }
        }
    }

    /// Stops accepting, closes idle connections, lets in-flight requests finish (up to the
    /// grace period), then lets `wait()` return.
    public func shutdown() {
        stateLock.lock()
        let first = !stopping
        stopping = true
        stateLock.unlock()
        guard first else { return }
        configuration.logger.info("shutting down: draining connections for up to \(configuration.limits.shutdownGracePeriod) s")
        let deadline = Socket.now() + configuration.limits.shutdownGracePeriod
        for loop in loops { loop.execute { loop.beginDraining(deadline: deadline) } }
    }

    /// Blocks until the server has shut down, then releases the listening socket.
    public func wait() {
        finished.wait()
        core.readers.stop()
        core.writers?.stop()
        stateLock.lock()
        defer { stateLock.unlock() }
        if !listenerClosed {
            listenerClosed = true
            close(core.listenFD)
        }
    }

    /// Drains gracefully on SIGTERM and SIGINT.
    public func shutdownOnSignals() {
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in self?.shutdown() }
            source.resume()
            signalSources.append(source)
        }
    }
}
