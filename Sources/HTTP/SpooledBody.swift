import Glibc

/// A request body kept in a file as it arrives, for routes that take bodies far larger than
/// memory should hold (a bulk import of a million records). The file is unlinked as soon as it
/// is made, so nothing is left behind however the request ends: it lives as long as this value.
/// Read it from the start with `read(into:at:)`, as often as needed (an import that validates
/// before it writes reads it twice).
public final class SpooledBody: @unchecked Sendable {  // written by one loop, then read by one handler
    private let fd: Int32
    /// Bytes written so far; the body's size once the request is handed on.
    public private(set) var count = 0

    /// A new empty file in `$TMPDIR` (or /tmp); nil when none can be made.
    init?() {
        let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((directory + "/chronicle-body-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return nil }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.fd = fd
    }

    deinit { Glibc.close(fd) }

    /// Appends bytes; false when the disk refused them.
    func append(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = pwrite(fd, raw.baseAddress! + offset, raw.count - offset, off_t(count + offset))
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            count += raw.count
            return true
        }
    }

    /// Reads up to `buffer.count` bytes from `offset`; 0 at the end.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        while true {
            let got = pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
            if got < 0 && errno == EINTR { continue }
            return max(0, got)
        }
    }
}
