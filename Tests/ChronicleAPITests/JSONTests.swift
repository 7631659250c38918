import Chronicle
@testable import ChronicleAPI
import Testing

@Suite struct JSONTests {
    /// Numbers of whole thousandths (ranks) are written without Swift's Double description,
    /// and must read exactly as it does; any other number still goes through it.
    @Test func thousandthsAreWrittenAsSwiftDescribesThem() {
        var seed: UInt64 = 0x5eed
        func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 11 }
        var values: [Double] = [0.001, -0.001, 0.5, -0.5, 1.25, -12.346, 999_999_999_999.999, -0.1, 0.01, 123.4, 1e-7, 0.1 + 0.2, 1.0 / 3]
        for _ in 0..<20_000 {
            let scale = [1.0, 1_000, 1e6, 1e9, 1e12][Int(next() % 5)]
            let thousandths = Double(next() % UInt64(scale)) * (next() % 2 == 0 ? 1 : -1)
            values.append((thousandths / 1000 * 1000).rounded() / 1000)
        }
        for value in values {
            var out: [UInt8] = []
            JSON.writeNumber(value, into: &out)
            let expected = value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
            #expect(String(decoding: out, as: UTF8.self) == expected, "\(value)")
        }
        #expect(JSON.exactThousandths(1.0 / 3) == nil && JSON.exactThousandths(1e-7) == nil && JSON.exactThousandths(-12.346) == -12_346)
    }

    /// Search hits are written straight to bytes; they must be the bytes the JSON tree gives,
    /// for any text, rank and choice of fields.
    @Test func hitsWrittenDirectlyAreTheTreesBytes() {
        let texts = ["", "plain", "a\"b\\c\nd\te\u{1}f", "Лукашенко “quoted” 🇧🇾", String(repeating: "long ", count: 40), "\u{7f}\u{0}x"]
        let ranks: [Double] = [0, -1, -12.345678, -0.0004, -1e20, 3.5, .nan]
        var hits: [SearchHit] = []
        for (index, text) in texts.enumerated() {
            for rank in ranks {
                hits.append(SearchHit(kind: RecordKind.allCases[index % RecordKind.allCases.count], id: "id\(index)\(text.prefix(2))",
                                      title: text, snippet: String(text.reversed()), rank: rank))
            }
        }
        let choices: [Set<String>?] = [nil, ["id"], ["rank", "title"], ["snippet", "type", "id"], [], ["nonsense"]]
        for fields in choices {
            for count in [0, 1, 7, hits.count] {
                let some = Array(hits.prefix(count))
                let tree = JSON.object([("data", .array(some.map { Representation.select(Representation.hit($0), fields: fields) }))])
                #expect(Representation.compactHits(some, fields: fields) == tree.serialized(), "fields \(String(describing: fields)), \(count) hits")
            }
        }
    }

    @Test func stringsAreEscapedAndRoundTrip() throws {
        let text = "a\"b\\c\nd\te\u{1}f Лукашенко “quoted” 🇧🇾"
        let bytes = JSON.string(text).serialized()
        #expect(String(decoding: bytes, as: UTF8.self) == #""a\"b\\c\nd\te\u0001f Лукашенко “quoted” 🇧🇾""#)
        #expect(try JSON.parse(bytes) == .string(text))
    }

    /// The eight-bytes-at-a-time check agrees with a byte-by-byte one: every byte value in every
    /// position of a plain word, and random words (fixed seed) mixing ASCII, UTF-8 and controls.
    @Test func wordCheckAgreesWithByteCheck() {
        func byByte(_ word: UInt64) -> Bool {
            (0..<8).contains { let byte = UInt8(truncatingIfNeeded: word >> ($0 * 8)); return byte < 32 || byte == 34 || byte == 92 }
        }
        let plain = UInt64(0x6162_6364_6566_6768)  // "hgfedcba"
        for position in 0..<8 {
            for value in 0...255 {
                let word = plain & ~(UInt64(0xFF) << (position * 8)) | UInt64(value) << (position * 8)
                #expect(JSON.wordNeedsEscape(word) == byByte(word), "byte \(value) at \(position)")
            }
        }
        var seed: UInt64 = 0x1234_5678
        let pool: [UInt8] = [0, 1, 9, 10, 31, 32, 33, 34, 35, 91, 92, 93, 97, 127, 128, 0xA0, 0xD0, 0xE2, 0xFF]
        for _ in 0..<20_000 {
            var word: UInt64 = 0
            for position in 0..<8 {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                word |= UInt64(pool[Int(seed >> 33) % pool.count]) << (position * 8)
            }
            #expect(JSON.wordNeedsEscape(word) == byByte(word), "word \(String(word, radix: 16))")
        }
        // Whole strings: escapes at every offset around the eight-byte steps.
        for length in 0..<20 {
            for at in 0..<max(length, 1) {
                var bytes = Array(repeating: UInt8(ascii: "a"), count: length)
                if length > 0 { bytes[at] = 34 }
                let text = String(decoding: bytes, as: UTF8.self)
                #expect(String(decoding: JSON.string(text).serialized(), as: UTF8.self)
                        == "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\"")
            }
        }
    }

    @Test func objectsKeepTheirOrderAndPrettyIndentsByTwo() throws {
        let value = JSON.object([("b", .int(1)), ("a", .array([.null, .bool(true), .number(2.5)]))])
        #expect(String(decoding: value.serialized(), as: UTF8.self) == #"{"b":1,"a":[null,true,2.5]}"#)
        #expect(String(decoding: value.serialized(pretty: true), as: UTF8.self) == "{\n  \"b\": 1,\n  \"a\": [\n    null,\n    true,\n    2.5\n  ]\n}\n")
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\":1,}", "{'a':1}", "01", "1.", "\"\\x\"", "\"\u{1}\"", "{\"a\":1,\"a\":2}", "\"\\ud800\"", "nul", "[1] 2"])
    func invalidJSONIsRefusedWithAPosition(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSON.parse(Array(text.utf8)) }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        #expect(throws: JSONSyntaxError.self) { try JSON.parse(Array(deep.utf8)) }
        #expect((try? JSON.parse(Array((String(repeating: "[", count: 30) + String(repeating: "]", count: 30)).utf8))) != nil)
    }

    @Test func surrogatePairsDecode() throws {
        #expect(try JSON.parse(Array(#""\ud83c\udde7""#.utf8)) == .string("🇧"))
    }

    @Test func bodyFingerprintsAreStableAndSeeEveryByte() {
        let body = Array("{\"items\":[\"Лукашенко\"],\"next\":null}".utf8) + Array(repeating: 97, count: 100)
        let tag = contentHash(body)
        #expect(tag == contentHash(body) && tag.utf8.count == 16 && tag.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) })
        // One changed byte anywhere (in a 32-byte block or in the tail) changes the tag.
        var tags: Set<String> = [tag]
        for position in body.indices {
            var changed = body
            changed[position] ^= 1
            tags.insert(contentHash(changed))
        }
        #expect(tags.count == body.count + 1)
        #expect(contentHash(body + [0]) != tag && contentHash([]) != contentHash([0]))
    }
}
