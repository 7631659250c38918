import CZlib

/// One gzip stream (RFC 1952) being written, on zlib's deflate.
///
/// A class because zlib's state points back at its `z_stream`, which must therefore stay at one
/// address for its whole life; it is allocated once and freed, with `deflateEnd`, in `deinit`,
/// so the memory is given back on every path, a client gone mid-body or a failed producer
/// included. Not thread-safe: one thread at a time writes it.
final class GzipEncoder {
    private let stream: UnsafeMutablePointer<z_stream>

    struct Failure: Error, CustomStringConvertible {
        let code: Int32
        var description: String { "zlib deflate failed (\(code))" }
    }

    /// `windowBits` (9…15) and `memoryLevel` (1…9) size zlib's state: a 32 KiB window with 64
    /// KiB of hash heads (15, 8) is zlib's default, about 256 KiB in all.
    init(level: Int32, windowBits: Int32 = 15, memoryLevel: Int32 = 8) throws {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let code = chronicle_deflate_init_gzip(stream, level, windowBits, memoryLevel)
        guard code == Z_OK else {
            stream.deallocate()
            throw Failure(code: code)
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// `input` compressed and flushed: with `Z_SYNC_FLUSH` everything so far can be decoded by
    /// the client at once (a streamed body stays progressive); with `Z_FINISH` the stream ends,
    /// with gzip's trailer.
    func encode(_ input: [UInt8], flush: Int32) throws -> [UInt8] {
        try input.withUnsafeBufferPointer { input in
            stream.pointee.next_in = input.baseAddress.map { UnsafeMutablePointer(mutating: $0) }
            stream.pointee.avail_in = UInt32(input.count)
            defer { stream.pointee.next_in = nil }
            // deflateBound holds for Z_FINISH; a flush adds a few bytes. More room is taken in
            // the rare case it was not enough (input that does not compress).
            var room = Int(deflateBound(stream, UInt(input.count))) + 16
            var output: [UInt8] = []
            while true {
                var code: Int32 = Z_OK
                let piece = [UInt8](unsafeUninitializedCapacity: room) { buffer, count in
                    stream.pointee.next_out = buffer.baseAddress
                    stream.pointee.avail_out = UInt32(room)
                    code = deflate(stream, flush)
                    count = room - Int(stream.pointee.avail_out)
                }
                stream.pointee.next_out = nil
                output = output.isEmpty ? piece : output + piece
                // Z_BUF_ERROR only says no progress was possible, which a repeated flush may meet.
                guard code == Z_OK || code == Z_STREAM_END || code == Z_BUF_ERROR else { throw Failure(code: code) }
                let done = flush == Z_FINISH ? code == Z_STREAM_END : stream.pointee.avail_out != 0
                if done { return output }
                room = max(room, 16 << 10)
            }
        }
    }

    /// `bytes` as one whole gzip stream, with a window no larger than they need (a smaller
    /// state to set up and clear for a small body; the same output, since no match could reach
    /// further back anyway).
    static func compress(_ bytes: [UInt8], level: Int32) throws -> [UInt8] {
        // Matches reach back at most the window less zlib's 262-byte look-ahead.
        var windowBits: Int32 = 9
        while windowBits < 15 && (1 << windowBits) < bytes.count + 262 { windowBits += 1 }
        // zlib pairs a 2^15 window with memory level 8 (2^15 hash heads): keep that proportion.
        return try GzipEncoder(level: level, windowBits: windowBits, memoryLevel: windowBits - 7).encode(bytes, flush: Z_FINISH)
    }
}
