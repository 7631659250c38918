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

    /// `[[actor id, role], ...]` as participants, without names (see `NameDirectory`).
    static func participants(_ text: String) -> [Participant] {
        pairs(text).map { Participant(actorID: $0.0, role: ParticipantRole(rawValue: $0.1 ?? "") ?? .participant) }
    }

    /// `[[source id, excerpt or null], ...]` as citations, without titles.
    static func citations(_ text: String) -> [Citation] {
        pairs(text).map { Citation(sourceID: $0.0, excerpt: $0.1) }
    }

    /// The pairs of strings (the second may be null) of a JSON array that SQLite's json functions
    /// wrote: read here without a general JSON parser, since every listed row has one or two.
    static func pairs(_ text: String) -> [(String, String?)] {
        var result: [(String, String?)] = []
        var utf8 = Array(text.utf8)
        utf8.withUnsafeMutableBufferPointer { bytes in
            var index = 0
            var strings: [String?] = []
            func skipSpace() { while index < bytes.count, bytes[index] == 32 || bytes[index] == 10 { index += 1 } }
            func readString() -> String? {
                // At a quote: the string up to the closing quote, with JSON's escapes.
                index += 1
                var out: [UInt8] = []
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
                            guard index + 4 < bytes.count, var scalar = UInt32(String(decoding: bytes[(index + 1)...(index + 4)], as: UTF8.self), radix: 16) else { break }
                            index += 4
                            // A surrogate pair is two escapes.
                            if (0xD800..<0xDC00).contains(scalar), index + 6 < bytes.count, bytes[index + 1] == 92, bytes[index + 2] == UInt8(ascii: "u"),
                               let low = UInt32(String(decoding: bytes[(index + 3)...(index + 6)], as: UTF8.self), radix: 16) {
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
                index += 1
                return String(decoding: out, as: UTF8.self)
            }
            while index < bytes.count {
                switch bytes[index] {
                case 34: strings.append(readString())
                case UInt8(ascii: "n"):
                    strings.append(nil)
                    index += 4
                case UInt8(ascii: "]"):
                    if let first = strings.first, let id = first { result.append((id, strings.count > 1 ? strings[1] : nil)) }
                    strings.removeAll()
                    index += 1
                default: index += 1
                }
                skipSpace()
            }
        }
        _ = utf8
        return result
    }
}
