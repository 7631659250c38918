import Chronicle
import Glibc
import HTTP

/// The lines of a request body, from memory or from the file it was spooled to, one at a time
/// without their line ends (LF or CRLF), so that an import of any size holds one line at a time.
final class LineSource {
    /// A longer line (its bytes without the line end) is refused: one record never needs more.
    static let maxLineBytes = 1 << 20

    struct LineTooLong: Error { let line: Int }

    /// Reads the bytes at an offset into a buffer, giving the count (0 at the end).
    private let read: ((UnsafeMutableRawBufferPointer, Int) throws -> Int)?
    private var descriptor: Int32 = -1
    private var buffer: [UInt8]
    private var start = 0
    private var fileOffset = 0
    private var atEnd = false
    private(set) var linesRead = 0
    /// Whether the line last read ended with CRLF (a quoted CSV cell keeps its line breaks).
    private(set) var lastLineEndedWithCR = false

    init(bytes: [UInt8]) {
        read = nil
        buffer = bytes
        atEnd = true
    }

    init(file: SpooledBody) {
        read = { file.read(into: $0, at: $1) }
        buffer = []
    }

    /// A file on disk; nil when it cannot be opened.
    init?(path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
        read = { buffer, offset in
            while true {
                let got = pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
                if got < 0 && errno == EINTR { continue }
                return max(0, got)
            }
        }
        buffer = []
    }

    /// The lines of another source's bytes inflated as gzip, at most `limit` bytes of them.
    init(gunzipping compressed: LineSource, limit: Int) throws {
        var offset = 0
        let decoder = try GzipDecoder(limit: limit) { buffer in
            let got: Int
            if let read = compressed.read { got = (try? read(buffer, offset)) ?? 0 } else { got = compressed.takeBuffered(into: buffer) }
            offset += got
            return got
        }
        read = { buffer, _ in
            do { return try decoder.read(into: buffer) } catch let failure as GzipDecoder.Failure {
                throw ChronicleError.validation([FieldError("body", "\(failure); nothing after that was read")])
            }
        }
        buffer = []
    }

    /// Bytes held in memory (a source made from bytes), handed out once.
    private func takeBuffered(into target: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(target.count, buffer.count - start)
        buffer.withUnsafeBytes { target.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[start..<(start + count)])) }
        start += count
        return count
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// The request's body, wherever the server put it.
    convenience init(_ request: Request) {
        if let spooled = request.spooledBody { self.init(file: spooled) } else { self.init(bytes: request.body) }
    }

    /// Whether the next bytes are a gzip stream's magic number (a `.gz` file given to the CLI).
    func startsWithGzipMagic() throws -> Bool {
        if buffer.count - start < 2 && !atEnd { try refill() }
        return buffer.count - start >= 2 && buffer[start] == 0x1f && buffer[start + 1] == 0x8b
    }

    /// The next line; nil at the end. A last line without a line end counts.
    func nextLine() throws -> [UInt8]? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 10) {
                var end = newline
                lastLineEndedWithCR = end > start && buffer[end - 1] == 13
                if lastLineEndedWithCR { end -= 1 }
                // A line whose end is in the buffer is measured here; one still without it, below.
                if end - start > Self.maxLineBytes { throw LineTooLong(line: linesRead + 1) }
                let line = Array(buffer[start..<end])
                start = newline + 1
                linesRead += 1
                return line
            }
            // A CR last in the buffer may be the start of the line's CRLF, not part of the line.
            let unended = buffer.count - start - (buffer.last == 13 ? 1 : 0)
            if unended > Self.maxLineBytes { throw LineTooLong(line: linesRead + 1) }
            if atEnd {
                guard start < buffer.count else { return nil }
                var line = Array(buffer[start...])
                lastLineEndedWithCR = line.last == 13
                if lastLineEndedWithCR { line.removeLast() }
                start = buffer.count
                linesRead += 1
                return line
            }
            try refill()
        }
    }

    /// Moves what is left to the front and reads the next 256 KB from the file.
    private func refill() throws {
        guard let read else { atEnd = true; return }
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        let chunk = 256 << 10
        let old = buffer.count
        buffer += repeatElement(0, count: chunk)
        let got: Int
        do {
            got = try buffer.withUnsafeMutableBytes { raw in try read(UnsafeMutableRawBufferPointer(rebasing: raw[old...]), fileOffset) }
        } catch {
            buffer.removeLast(chunk)
            throw error
        }
        buffer.removeLast(chunk - got)
        fileOffset += got
        if got == 0 { atEnd = true }
    }
}
