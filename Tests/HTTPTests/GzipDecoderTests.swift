import Foundation
import Testing
@testable import HTTP

/// Request bodies sent gzipped: inflated as they are read, refused when they are not gzip, cut
/// short, or would inflate past their limit.
@Suite struct GzipDecoderTests {
    static let text = Array((0..<40_000).map { "{\"line\":\($0),\"text\":\"Лукашенко said \($0 * 7)\"}\n" }.joined().utf8)

    /// Everything `decoder` gives, read `piece` bytes at a time.
    func inflate(_ compressed: [UInt8], piece: Int = 4096, limit: Int = .max, feed: Int = 1000) throws -> [UInt8] {
        var offset = 0
        let decoder = try GzipDecoder(limit: limit) { buffer in
            let count = min(buffer.count, feed, compressed.count - offset)
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: compressed.withUnsafeBytes { $0 }[offset..<(offset + count)]))
            offset += count
            return count
        }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: piece)
        while true {
            let got = try buffer.withUnsafeMutableBytes { try decoder.read(into: $0) }
            if got == 0 { return out }
            out += buffer[0..<got]
        }
    }

    @Test func aStreamInflatesWholeWhateverThePiecesItArrivesAndIsReadIn() throws {
        let compressed = try GzipEncoder.compress(Self.text, level: 6)
        #expect(compressed.count < Self.text.count / 4)
        #expect(try inflate(compressed) == Self.text)
        #expect(try inflate(compressed, piece: 1, feed: 7).count == Self.text.count)
        #expect(try inflate([]) == [], "an empty body is no bytes, not an error")
    }

    @Test func membersOneAfterAnotherAreOneBody() throws {
        let first = Array(Self.text[0..<1000]), second = Array(Self.text[1000..<3000])
        let joined = try GzipEncoder.compress(first, level: 6) + GzipEncoder.compress(second, level: 1)
        #expect(try inflate(joined) == first + second)
    }

    @Test func notGzipCutShortOrTooLargeIsRefused() throws {
        let compressed = try GzipEncoder.compress(Self.text, level: 6)
        #expect(throws: GzipDecoder.Failure.self) { try inflate(Array(Self.text[0..<5000])) }
        #expect(throws: GzipDecoder.Failure.self) { try inflate(Array(compressed.dropLast(20))) }
        #expect(throws: GzipDecoder.Failure.self) { try inflate(compressed + [1, 2, 3]) }
        do {
            _ = try inflate(compressed, limit: 100_000)
            Issue.record("inflated past its limit")
        } catch let failure as GzipDecoder.Failure {
            #expect(failure.description.contains("more than 100000 bytes"))
        }
    }
}
