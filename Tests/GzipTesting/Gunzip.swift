import CZlib

/// The bytes a gzip stream holds (zlib's inflate), or nil when it is not one whole, valid
/// stream. With `whole: false`, a stream cut short decodes to what was flushed before the cut
/// (each `Z_SYNC_FLUSH`), as a client reading a streamed body sees it.
public func gunzip(_ bytes: [UInt8], whole: Bool = true) -> [UInt8]? {
    // At one address throughout: zlib's state points back at it.
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer { stream.deallocate() }
    guard chronicle_inflate_init_gzip(stream) == Z_OK else { return nil }
    defer { inflateEnd(stream) }
    var input = bytes, output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 64 << 10)
    return input.withUnsafeMutableBufferPointer { input -> [UInt8]? in
        stream.pointee.next_in = input.baseAddress
        stream.pointee.avail_in = UInt32(input.count)
        while true {
            let code = buffer.withUnsafeMutableBufferPointer { buffer -> Int32 in
                stream.pointee.next_out = buffer.baseAddress
                stream.pointee.avail_out = UInt32(buffer.count)
                return inflate(stream, Z_NO_FLUSH)
            }
            output += buffer[0..<(buffer.count - Int(stream.pointee.avail_out))]
            if code == Z_STREAM_END { return stream.pointee.avail_in == 0 ? output : nil }
            // Z_BUF_ERROR: the input ended before the stream did.
            if code == Z_BUF_ERROR || (code == Z_OK && stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0) {
                return whole ? nil : output
            }
            guard code == Z_OK else { return nil }
        }
    }
}
