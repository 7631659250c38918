import Glibc
import HTTP

/// The lines of a request body, from memory or from the file it was spooled to, one at a time
/// without their line ends (LF or CRLF), so that an import of any size holds one line at a time.
final class LineSource {
    /// A longer line (its bytes without the line end) is refused: one record never needs more.
    static let maxLineBytes = 1 << 20

    struct LineTooLong: Error { let line: Int }

    /// Reads the bytes at an offset into a buffer, giving the count (0 at the end).
    private let read: ((UnsafeMutableRawBufferPointer, Int) -> Int)?
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

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// The request's body, wherever the server put it.
    convenience init(_ request: Request) {
        if let spooled = request.spooledBody { self.init(file: spooled) } else { self.init(bytes: request.body) }
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
            refill()
        }
    }

    /// Moves what is left to the front and reads the next 256 KB from the file.
    private func refill() {
        guard let read else { atEnd = true; return }
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        let chunk = 256 << 10
        let old = buffer.count
        buffer += repeatElement(0, count: chunk)
        let got = buffer.withUnsafeMutableBytes { raw in read(UnsafeMutableRawBufferPointer(rebasing: raw[old...]), fileOffset) }
        buffer.removeLast(chunk - got)
        fileOffset += got
        if got == 0 { atEnd = true }
    }
}
