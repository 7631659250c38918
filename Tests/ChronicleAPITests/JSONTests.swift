@testable import ChronicleAPI
import Testing

@Suite struct JSONTests {
    @Test func stringsAreEscapedAndRoundTrip() throws {
        let text = "a\"b\\c\nd\te\u{1}f Лукашенко “quoted” 🇧🇾"
        let bytes = JSON.string(text).serialized()
        #expect(String(decoding: bytes, as: UTF8.self) == #""a\"b\\c\nd\te\u0001f Лукашенко “quoted” 🇧🇾""#)
        #expect(try JSON.parse(bytes) == .string(text))
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
