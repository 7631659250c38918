/// One loop's access lines on their way to the log sink, handed over in batches (at 32 KiB, on
/// the loop's tick, and when it stops). Appending each line under the sink's lock made both
/// loops take turns at one lock and one buffer on every request; nginx's `access_log buffer=`
/// batches per worker the same way. Lines of one loop stay in order; lines of two loops
/// interleave by batch, each with its own time stamp.
struct AccessLogBatch: ~Copyable {
    /// Past this, a batch is handed over at once.
    static let handOverBytes = 32 * 1024
    private var lines = ByteWriter(capacity: 40 * 1024, keptCapacity: 256 * 1024)
    private var stamp = LogStamp()
    /// `info LABEL: `, after the time stamp of each line.
    private let prefix: [UInt8]

    init(prefix: [UInt8]) {
        self.prefix = prefix
    }

    var isEmpty: Bool { lines.count == 0 }

    /// Appends `TIME info LABEL: LINE\n`; true when the batch should be handed over now.
    mutating func append(_ line: (inout ByteWriter) -> Void) -> Bool {
        lines.append(stamp.current())
        lines.append(prefix)
        line(&lines)
        lines.append(10)
        return lines.count >= AccessLogBatch.handOverBytes
    }

    /// Gives every gathered line to `sink` and starts a new batch.
    mutating func handOver(to sink: LogSink) {
        guard !isEmpty else { return }
        sink.write(lines: lines.bytes)
        lines.reset()
    }
}
