import CZlib

/// A gzip stream (RFC 1952; several members one after another, as `cat a.gz b.gz` makes) inflated
/// as it is read, for a request body sent with `Content-Encoding: gzip`: the body is never held
/// whole, compressed or not.
///
/// A class for the reason `GzipEncoder` is one (zlib's state points back at its `z_stream`).
/// Not thread-safe: one reader at a time.
public final class GzipDecoder {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let stream: UnsafeMutablePointer<z_stream>
    /// Reads the next compressed bytes into the buffer, giving the count (0 at the end).
    private let source: (UnsafeMutableRawBufferPointer) -> Int
    /// Inflated bytes at most: a small body may inflate a thousandfold.
    private let limit: Int
    private var input: [UInt8] = []
    private var inputStart = 0
    private var produced = 0
    private var sourceEnded = false
    private var sawInput = false
    /// Between members: the last ended and no byte of another has been read yet.
    private var betweenMembers = false

    public init(limit: Int, source: @escaping (UnsafeMutableRawBufferPointer) -> Int) throws {
        self.limit = limit
        self.source = source
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let code = chronicle_inflate_init_gzip(stream)
        guard code == Z_OK else {
            stream.deallocate()
            throw Failure(description: "zlib inflate could not start (\(code))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Fills `buffer` with the next inflated bytes; 0 at the end of the last member. Throws for
    /// bytes that are not gzip, a stream cut short, or more than `limit` bytes inflated.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            if inputStart == input.count {
                guard refillInput() else {
                    if betweenMembers || !sawInput { return 0 }
                    throw Failure(description: "the gzip stream ends before its end (a file cut short?)")
                }
            }
            if betweenMembers {
                // Another member follows; anything else after a member is not gzip.
                guard inflateReset(stream) == Z_OK else { throw Failure(description: "zlib inflate could not go on to the next member") }
                betweenMembers = false
            }
            var code: Int32 = Z_OK
            let got = input.withUnsafeMutableBufferPointer { input in
                stream.pointee.next_in = input.baseAddress! + inputStart
                stream.pointee.avail_in = UInt32(input.count - inputStart)
                stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
                stream.pointee.avail_out = UInt32(buffer.count)
                code = inflate(stream, Z_NO_FLUSH)
                inputStart = input.count - Int(stream.pointee.avail_in)
                return buffer.count - Int(stream.pointee.avail_out)
            }
            stream.pointee.next_in = nil
            stream.pointee.next_out = nil
            switch code {
            case Z_OK, Z_BUF_ERROR: break
            case Z_STREAM_END: betweenMembers = true
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "code \(code)"
                throw Failure(description: "the body is not valid gzip (\(message))")
            }
            produced += got
            if produced > limit { throw Failure(description: "the body inflates to more than \(limit) bytes") }
            if got > 0 { return got }
        }
    }

    /// The next compressed bytes, 64 KiB at a time; false at the source's end.
    private func refillInput() -> Bool {
        guard !sourceEnded else { return false }
        input = [UInt8](repeating: 0, count: 64 << 10)
        let got = input.withUnsafeMutableBytes { source($0) }
        input.removeLast(input.count - got)
        inputStart = 0
        if got == 0 { sourceEnded = true } else { sawInput = true }
        return got > 0
    }
}
