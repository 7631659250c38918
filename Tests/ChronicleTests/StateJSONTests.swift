import Foundation
import Testing
@testable import Chronicle

/// A quote's revision state is written by hand (`StateJSON`), not by `JSONEncoder`: it must
/// read back as the same quote, and say what Foundation's encoder says, whatever the text holds.
@Suite struct StateJSONTests {
    static let awkward = ["", "plain", "a \"quoted\" word", "back\\slash", "a/b </script>", "line\nbreak\r\ttab", "\u{0}\u{1}\u{8}\u{c}\u{1f}\u{7f}",
                          "\u{2028}\u{2029}", "e\u{301} combining", "Привет, мир", "👩🏽‍⚖️ emoji", "日本語のテキスト"]

    static func quote(_ text: String, _ other: String, full: Bool) throws -> Quote {
        let citations = full ? [Citation(sourceID: "src_1", excerpt: other, sourceTitle: text, sourceURL: "https://example.org/\(other.count)"),
                                Citation(sourceID: "src_2", excerpt: nil)] : []
        let draft = QuoteDraft(text: text, language: "en", speakerID: full ? "act_1" : nil, said: full ? try PartialDate(parsing: "2022-03") : nil,
                               eventID: full ? "evt_1" : nil, context: full ? other : nil, verification: .verified, citations: citations)
        return Quote(id: "quo_\(text.utf8.count)", draft: draft, speakerName: full ? other : nil, createdAt: "2026-12-07T10:00:00.000Z",
                     updatedAt: "2026-12-07T11:00:00.000Z", version: 3)
    }

    @Test(arguments: awkward)
    func aQuoteReadsBackTheSameAndSaysWhatTheEncoderSays(_ text: String) throws {
        for full in [true, false] {
            let quote = try Self.quote(text, Self.awkward.reversed().joined(separator: "|"), full: full)
            let stored = try RecordState.quote(quote).storedJSON()
            #expect(try RecordState(storedJSON: stored, kind: .quote) == .quote(quote))
            let ours = try JSONSerialization.jsonObject(with: Data(stored.utf8)) as? NSDictionary
            let foundation = try JSONSerialization.jsonObject(with: JSONEncoder().encode(quote)) as? NSDictionary
            #expect(ours != nil && ours == foundation, "\(stored)")
        }
    }

    @Test func keysComeInDeclarationOrderAndAbsentOnesAreLeftOut() throws {
        let quote = Quote(id: "quo_1", draft: QuoteDraft(text: "Hi", language: "en", citations: [Citation(sourceID: "src_1")]), speakerName: nil,
                          createdAt: "c", updatedAt: "u", version: 1)
        #expect(try RecordState.quote(quote).storedJSON()
            == #"{"id":"quo_1","text":"Hi","language":"en","verification":"unverified","citations":[{"sourceID":"src_1"}],"createdAt":"c","updatedAt":"u","version":1}"#)
    }
}
