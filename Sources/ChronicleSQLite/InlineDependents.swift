import Chronicle
import SQLite

/// Keeps the copies of participants and citations that event and quote rows carry (migration
/// 0008) equal to the tables they mirror: rewritten from the tables, by the same statements as
/// the migration, whenever a write or a cascade changes those.
enum InlineDependents {
    static func refreshEvents(_ db: Connection, _ ids: [String]) throws {
        guard !ids.isEmpty else { return }
        try db.run("""
            UPDATE events SET
                participant_list = (SELECT json_group_array(json_array(actor_id, role))
                                    FROM (SELECT actor_id, role FROM event_participants WHERE event_id = events.id ORDER BY position)),
                citation_list = (SELECT json_group_array(json_array(source_id, excerpt))
                                 FROM (SELECT source_id, excerpt FROM event_citations WHERE event_id = events.id ORDER BY position))
            WHERE \(oneOf("id", ids))
            """, [boundIDs(ids)])
    }

    static func refreshQuotes(_ db: Connection, _ ids: [String]) throws {
        guard !ids.isEmpty else { return }
        try db.run("""
            UPDATE quotes SET
                citation_list = (SELECT json_group_array(json_array(source_id, excerpt))
                                 FROM (SELECT source_id, excerpt FROM quote_citations WHERE quote_id = quotes.id ORDER BY position))
            WHERE \(oneOf("id", ids))
            """, [boundIDs(ids)])
    }

    /// The text a write stores for these participants: what the refresh statements write.
    static func text(_ participants: [Participant]) -> SQLiteValue {
        .text(array(participants.map { [$0.actorID, $0.role.rawValue] }))
    }

    /// The text a write stores for these citations.
    static func text(_ citations: [Citation]) -> SQLiteValue {
        .text(array(citations.map { [$0.sourceID, $0.excerpt] }))
    }

    /// `[["a","b"],["c",null]]`: what SQLite's json functions write, and what `pairs` reads.
    private static func array(_ pairs: [[String?]]) -> String {
        var out: [UInt8] = [91]
        for (index, pair) in pairs.enumerated() {
            if index > 0 { out.append(44) }
            out.append(91)
            for (slot, value) in pair.enumerated() {
                if slot > 0 { out.append(44) }
                if let value { appendJSONString(value, to: &out) } else { out += Array("null".utf8) }
            }
            out.append(93)
        }
        out.append(93)
        return String(decoding: out, as: UTF8.self)
    }

    /// `[[actor id, role], ...]` as participants, without names (see `NameDirectory`).
    static func participants(_ text: UnsafeBufferPointer<UInt8>) -> [Participant] {
        pairs(text).map { Participant(actorID: $0.0, role: ParticipantRole(rawValue: $0.1 ?? "") ?? .participant) }
    }

    /// `[[source id, excerpt or null], ...]` as citations, without titles.
    static func citations(_ text: UnsafeBufferPointer<UInt8>) -> [Citation] {
        pairs(text).map { Citation(sourceID: $0.0, excerpt: $0.1) }
    }

    static func participants(_ text: String) -> [Participant] {
        var text = text
        return text.withUTF8 { participants($0) }
    }

    static func citations(_ text: String) -> [Citation] {
        var text = text
        return text.withUTF8 { citations($0) }
    }

    /// The pairs of strings (the second may be null) of a JSON array that SQLite's json functions
    /// wrote, read straight from its bytes: every listed or exported row has one or two, and a
    /// general JSON parser cost more than the rest of the row.
    static func pairs(_ bytes: UnsafeBufferPointer<UInt8>) -> [(String, String?)] {
        var result: [(String, String?)] = []
        var strings: [String?] = []
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case 34:
                let (string, next) = readString(bytes, from: index + 1)
                strings.append(string)
                index = next
            case UInt8(ascii: "n"):
                strings.append(nil)
                index += 4
            case UInt8(ascii: "]"):
                if let first = strings.first, let id = first { result.append((id, strings.count > 1 ? strings[1] : nil)) }
                strings.removeAll(keepingCapacity: true)
                index += 1
            default: index += 1
            }
        }
        return result
    }

    /// The string starting at `start` (just past its opening quote) and the index past its
    /// closing quote. Without escapes (nearly always) it is one slice of the bytes.
    private static func readString(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (String, Int) {
        var end = start
        while end < bytes.count, bytes[end] != 34, bytes[end] != 92 { end += 1 }
        if end >= bytes.count || bytes[end] == 34 {
            return (String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<min(end, bytes.count)]), as: UTF8.self), end + 1)
        }
        var out = Array(bytes[start..<end])
        var index = end
        while index < bytes.count, bytes[index] != 34 {
            if bytes[index] == 92, index + 1 < bytes.count {
                index += 1
                switch bytes[index] {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "u"):
                    guard index + 4 < bytes.count, var scalar = UInt32(String(decoding: UnsafeBufferPointer(rebasing: bytes[(index + 1)...(index + 4)]), as: UTF8.self), radix: 16) else { break }
                    index += 4
                    // A character beyond the first plane is two escapes (a surrogate pair).
                    if (0xD800..<0xDC00).contains(scalar), index + 6 < bytes.count, bytes[index + 1] == 92, bytes[index + 2] == UInt8(ascii: "u"),
                       let low = UInt32(String(decoding: UnsafeBufferPointer(rebasing: bytes[(index + 3)...(index + 6)]), as: UTF8.self), radix: 16),
                       (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                    out += Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
                default: out.append(bytes[index])
                }
            } else {
                out.append(bytes[index])
            }
            index += 1
        }
        return (String(decoding: out, as: UTF8.self), index + 1)
    }
}
