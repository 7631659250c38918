import CZlib

extension BodyStream {
    /// This stream's chunks as one gzip stream. Each chunk is compressed and flushed
    /// (`Z_SYNC_FLUSH`) as it is pulled, so a client decodes a slow export as it arrives instead
    /// of at the end, and the memory stays one zlib state whatever the body's size.
    func gzipped(level: Int32) -> BodyStream {
        let encoding = GzippedStream(source: self, level: level)
        return BodyStream { try encoding.next() }
    }
}

/// The state of one gzipped stream. The server pulls a stream one chunk at a time, each after
/// the one before was written, so one thread at a time uses it.
final class GzippedStream: @unchecked Sendable {
    private let source: BodyStream
    private let level: Int32
    /// Made at the first pull: a HEAD request, whose body is never pulled, costs no zlib state.
    /// Dropped, and so freed, at the end of the body or with the stream (a client gone, a
    /// failed producer).
    private var encoder: GzipEncoder?
    private var finished = false

    init(source: BodyStream, level: Int32) {
        self.source = source
        self.level = level
    }

    func next() throws -> [UInt8]? {
        guard !finished else { return nil }
        let encoder = try self.encoder ?? GzipEncoder(level: level)
        self.encoder = encoder
        guard let chunk = try source.next() else {
            finished = true
            self.encoder = nil
            return try encoder.encode([], flush: Z_FINISH)
        }
        // An empty chunk is passed on as it is: the server pulls again.
        return chunk.isEmpty ? [] : try encoder.encode(chunk, flush: Z_SYNC_FLUSH)
    }
}
