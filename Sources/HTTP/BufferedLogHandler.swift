import Dispatch
import FoundationEssentials
import Glibc
import Logging

/// A swift-log handler for busy servers: one line per event, UTC timestamps formatted once a
/// second, written to a file descriptor in batches (at 64 KiB, every 100 ms, and at once for
/// warnings and errors) by a thread of its own, so that logging never waits for the reader.
/// swift-log's stream handler formats local time (a time-zone lookup) and flushes on every
/// line, which costs more than answering a small request.
public struct BufferedLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let sink: LogSink

    public init(label: String, sink: LogSink) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Level names without reflection (interpolating the enum would look its case name up).
    static func name(_ level: Logger.Level) -> String {
        switch level {
        case .trace: return "trace"
        case .debug: return "debug"
        case .info: return "info"
        case .notice: return "notice"
        case .warning: return "warning"
        case .error: return "error"
        case .critical: return "critical"
        }
    }

    public func log(event: LogEvent) {
        var suffix = ""
        // Access lines carry no metadata: they skip the merge.
        if event.metadata?.isEmpty == false || !metadata.isEmpty {
            let all = event.metadata.map { metadata.merging($0) { $1 } } ?? metadata
            suffix = " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        sink.write(level: BufferedLogHandler.name(event.level), label: label, message: event.message.description, suffix: suffix,
                   urgent: event.level >= .warning)
    }
}

/// Where buffered log lines go; shared by every handler of a process.
public final class LogSink: @unchecked Sendable {
    private let fd: Int32
    private let lock = Lock()
    private var buffer = ByteWriter(capacity: 128 * 1024, keptCapacity: 1 << 20)
    /// The batch being written out; swapped with `buffer`, so that neither is reallocated.
    private var spare = ByteWriter(capacity: 128 * 1024, keptCapacity: 1 << 20)
    private let flushLock = Lock()
    private var stamp = LogStamp()
    private let timer: any DispatchSourceTimer
    /// Every write to the descriptor happens here, so a slow or stuck reader of the log (a
    /// full pipe) blocks this one thread, never an event loop.
    private let queue = DispatchQueue(label: "chronicle.log-sink")
    private var flushScheduled = false
    /// Past this much unwritten text, new lines are counted and dropped instead of buffered.
    let maxBufferedBytes: Int
    private(set) var droppedLines = 0

    public init(fd: Int32 = STDOUT_FILENO, maxBufferedBytes: Int = 8 << 20) {
        self.fd = fd
        self.maxBufferedBytes = maxBufferedBytes
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(100), repeating: .milliseconds(100))
        timer.setEventHandler { [weak self] in self?.flush() }
        timer.resume()
    }

    deinit {
        timer.cancel()
        flush()
    }


    /// Appends one line, `TIME LEVEL LABEL: MESSAGE[ METADATA]`, straight into the buffer.
    func write(level: String, label: String, message: String, suffix: String, urgent: Bool) {
        append(level: level, label: label, urgent: urgent) { buffer in
            buffer.append(message)
            buffer.append(suffix)
        }
    }

    /// `LEVEL LABEL: ` as bytes, made once by a writer of many lines (a server's access log).
    public static func prefix(level: String, label: String) -> [UInt8] { Array("\(level) \(label): ".utf8) }

    /// Takes whole lines, each with its time stamp and ending in a newline, made by a writer that
    /// gathers its own (an event loop's access lines): one lock for many lines.
    func write(lines: UnsafeRawBufferPointer) {
        guard !lines.isEmpty else { return }
        withRoom(urgent: false, lines: { lines.reduce(0) { $0 + ($1 == 10 ? 1 : 0) } }) { $0.append(lines) }
    }

    private func append(level: String, label: String, urgent: Bool, message: (inout ByteWriter) -> Void) {
        withRoom(urgent: urgent, lines: { 1 }) { buffer in
            buffer.append(stamp.current())
            buffer.append(level)
            buffer.append(32)
            buffer.append(label)
            buffer.append(58)
            buffer.append(32)
            message(&buffer)
            buffer.append(10)
        }
    }

    /// Runs `body` on the buffer under the lock, or, when the buffer is full, counts the
    /// `lines()` it would have written as dropped; schedules a flush when `urgent` or past 64 KiB.
    private func withRoom(urgent: Bool, lines: () -> Int, _ body: (inout ByteWriter) -> Void) {
        lock.lock()
        guard buffer.count < maxBufferedBytes else {
            droppedLines += lines()
            lock.unlock()
            return
        }
        body(&buffer)
        let schedule = (urgent || buffer.count >= 64 * 1024) && !flushScheduled
        if schedule { flushScheduled = true }
        lock.unlock()
        if schedule { queue.async { [weak self] in self?.flush() } }
    }

    /// Writes out everything buffered so far.
    public func flush() {
        flushLock.lock()
        defer { flushLock.unlock() }
        // Swapping in the empty spare lets loggers go on while this batch is written, and keeps
        // both allocations for the life of the process.
        lock.lock()
        swap(&buffer, &spare)
        flushScheduled = false
        let dropped = droppedLines
        droppedLines = 0
        if dropped > 0 {
            spare.append(stamp.current())
            spare.append("warning log: \(dropped) lines dropped: the log output was not being read fast enough\n")
        }
        lock.unlock()
        let pending = spare.bytes
        var offset = 0
        while offset < pending.count {
            let written = Glibc.write(fd, pending.baseAddress! + offset, pending.count - offset)
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { break }
            offset += written
        }
        spare.reset()
    }
}

/// `2026-11-28T05:40:01Z ` (with the space every line puts after it), as bytes, formatted at
/// most once a second: for the sink's lines and for each loop's access lines.
struct LogStamp {
    private var second: time_t = 0
    private var bytes: [UInt8] = []

    mutating func current() -> [UInt8] {
        let now = time(nil)
        if now != second || bytes.isEmpty {
            second = now
            var copy = now
            var parts = tm()
            gmtime_r(&copy, &parts)
            func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
            bytes = Array("\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z ".utf8)
        }
        return bytes
    }
}
