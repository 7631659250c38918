import Chronicle
@testable import ChronicleAPI
import Foundation
import Testing

/// The import's lines read on a thread of their own (`ReadAhead`): every line in the file's
/// order across many chunks, a reading failure in its place, and a writer that stops early
/// leaves no reader behind.
@Suite struct ReadAheadTests {
    static func file(_ count: Int, tooLongAt: Int? = nil) -> [UInt8] {
        var text = ""
        for number in 1...count {
            if number == tooLongAt { text += String(repeating: "x", count: 2 * LineSource.maxLineBytes) + "\n"; continue }
            text += #"{"type": "actor", "kind": "person", "name": "Actor \#(number)"}"# + "\n"
        }
        return Array(text.utf8)
    }

    static func names(_ ahead: ReadAhead) throws -> [String] {
        var names: [String] = []
        while let line = try ahead.next() {
            guard case .success(.actor(let draft)) = line.content else { continue }
            names.append(draft.name)
        }
        return names
    }

    @Test func everyLineComesInTheFilesOrder() throws {
        let count = ReadAhead.chunkSize * (ReadAhead.chunks + 2) + 17
        let ahead = ReadAhead(try ImportReader(LineSource(bytes: Self.file(count)), format: .ndjson, kind: nil))
        defer { ahead.finish() }
        #expect(try Self.names(ahead) == (1...count).map { "Actor \($0)" })
        #expect(try ahead.next() == nil, "the end stays the end")
    }

    @Test func aLineTooLongStopsReadingAfterTheLinesBeforeIt() throws {
        // From a file, as a spooled body is read (lines in memory are already bounded by the body's limit).
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("read-ahead-\(UUID().uuidString).ndjson").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(Self.file(2500, tooLongAt: 1500))))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let ahead = ReadAhead(try ImportReader(try #require(LineSource(path: path)), format: .ndjson, kind: nil))
        defer { ahead.finish() }
        var names: [String] = []
        var failed: [Int] = []
        while let line = try ahead.next() {
            switch line.content {
            case .success(.actor(let draft)): names.append(draft.name)
            case .failure(let error):
                failed.append(line.line)
                #expect("\(error)".contains("is longer than"))
            default: Issue.record("line \(line.line) is not an actor")
            }
        }
        #expect(failed == [1500], "the line too long is reported at its line, and nothing after it is read")
        #expect(names.count == 1499 && names == (1..<1500).map { "Actor \($0)" })
        #expect(try ahead.next() == nil)
    }

    @Test func aWriterThatStopsEarlyEndsTheReader() throws {
        for taken in [0, 1, ReadAhead.chunkSize * 2] {
            let ahead = ReadAhead(try ImportReader(LineSource(bytes: Self.file(ReadAhead.chunkSize * 20)), format: .ndjson, kind: nil))
            for _ in 0..<taken { _ = try ahead.next() }
            ahead.finish()  // returns once the reader's thread has ended
        }
    }
}
