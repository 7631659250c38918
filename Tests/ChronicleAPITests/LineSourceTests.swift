@testable import ChronicleAPI
import Foundation
import Testing

/// The limit on a line's length holds wherever the line's end falls: in the read that began the
/// line, in a later read, or nowhere (the last line).
@Suite struct LineSourceTests {
    static let limit = LineSource.maxLineBytes

    static func lines(_ source: LineSource) throws -> [Int] {
        var lengths: [Int] = []
        while let line = try source.nextLine() { lengths.append(line.count) }
        return lengths
    }

    static func bytes(_ lengths: [Int], end: String = "\n") -> [UInt8] {
        lengths.flatMap { Array(repeating: UInt8(ascii: "x"), count: $0) + Array(end.utf8) }
    }

    /// The same bytes through a file, read 256 KB at a time.
    static func fromFile(_ bytes: [UInt8]) throws -> LineSource {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lines-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return try #require(LineSource(path: path))  // open: the file's removal leaves it readable
    }

    @Test(arguments: ["\n", "\r\n"])
    func aLineOfTheLimitIsRead(end: String) throws {
        let file = Self.bytes([10, Self.limit, 3], end: end)
        #expect(try Self.lines(LineSource(bytes: file)) == [10, Self.limit, 3])
        #expect(try Self.lines(Self.fromFile(file)) == [10, Self.limit, 3])
    }

    /// A file is read 256 KB at a time: a line of the limit whose CR is the last byte of a read
    /// (its LF in the next) is still read, and so is a last line of the limit ending in a bare CR.
    @Test func aLineOfTheLimitWithItsCRAtTheEndOfARead() throws {
        let read = 256 << 10
        let first = read - 3  // with its CRLF, the second line starts at read - 1
        let file = Self.bytes([first, Self.limit, 2], end: "\r\n")
        #expect(first + 2 + Self.limit == 5 * read - 1)  // the second line's CR ends the fifth read
        #expect(try Self.lines(Self.fromFile(file)) == [first, Self.limit, 2])
        let bareCR = Self.bytes([3]) + Array(repeating: UInt8(ascii: "x"), count: Self.limit) + [13]
        #expect(try Self.lines(LineSource(bytes: bareCR)) == [3, Self.limit])
        #expect(try Self.lines(Self.fromFile(bareCR)) == [3, Self.limit])
    }

    @Test func aLineOneByteOverIsRefusedWhereverItEnds() throws {
        let file = Self.bytes([10, Self.limit + 1, 3])
        for source in [LineSource(bytes: file), try Self.fromFile(file)] {
            #expect(try source.nextLine()?.count == 10)
            #expect(throws: LineSource.LineTooLong.self) { _ = try source.nextLine() }
        }
        // The last line, with no line end after it.
        let last = Array(Self.bytes([10]) + Array(repeating: UInt8(ascii: "x"), count: Self.limit + 1))
        for source in [LineSource(bytes: last), try Self.fromFile(last)] {
            #expect(try source.nextLine()?.count == 10)
            #expect(throws: LineSource.LineTooLong.self) { _ = try source.nextLine() }
        }
    }

    @Test func theRefusalSaysWhichLine() throws {
        let source = LineSource(bytes: Self.bytes([1, 2, Self.limit + 5]))
        _ = try source.nextLine()
        _ = try source.nextLine()
        do {
            _ = try source.nextLine()
            Issue.record("a line over the limit was read")
        } catch let error as LineSource.LineTooLong {
            #expect(error.line == 3)
        }
    }
}
