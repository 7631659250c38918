/// A record's state as the JSON its Codable form decodes from, written by hand for the kinds
/// written in bulk: an import keeps a revision of every quote it creates, and Foundation's
/// encoder (a dictionary of boxed values per object, then a `Data`, then a `String`) cost more
/// than the quote's own insert. Keys are in declaration order and absent optionals left out, as
/// the synthesized `encode(to:)` does; `RecordState(storedJSON:)` reads both alike.
struct StateJSON {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func open() { bytes.append(UInt8(ascii: "{")) }

    mutating func close() {
        if bytes.last == UInt8(ascii: ",") { bytes.removeLast() }
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func key(_ name: StaticString) {
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func field(_ name: StaticString, _ value: String) {
        key(name)
        appendJSONString(value, to: &bytes)
        bytes.append(UInt8(ascii: ","))
    }

    mutating func field(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        field(name, value)
    }

    mutating func field(_ name: StaticString, _ value: Int) {
        key(name)
        bytes.append(contentsOf: String(value).utf8)
        bytes.append(UInt8(ascii: ","))
    }


    /// A quote as `JSONEncoder` would encode it (keys in `Quote`'s declaration order).
    static func quote(_ quote: Quote) -> String {
        var json = StateJSON(capacity: 512 + quote.text.utf8.count + (quote.context?.utf8.count ?? 0))
        json.open()
        json.field("id", quote.id)
        json.field("text", quote.text)
        json.field("language", quote.language)
        json.field("speakerID", quote.speakerID)
        json.field("speakerName", quote.speakerName)
        json.field("said", quote.said?.description)
        json.field("eventID", quote.eventID)
        json.field("context", quote.context)
        json.field("verification", quote.verification.rawValue)
        json.key("citations")
        json.bytes.append(UInt8(ascii: "["))
        for citation in quote.citations {
            json.open()
            json.field("sourceID", citation.sourceID)
            json.field("excerpt", citation.excerpt)
            json.field("sourceTitle", citation.sourceTitle)
            json.field("sourceURL", citation.sourceURL)
            json.close()
            json.bytes.append(UInt8(ascii: ","))
        }
        if json.bytes.last == UInt8(ascii: ",") { json.bytes.removeLast() }
        json.bytes.append(contentsOf: [UInt8(ascii: "]"), UInt8(ascii: ",")])
        json.field("createdAt", quote.createdAt)
        json.field("updatedAt", quote.updatedAt)
        json.field("version", quote.version)
        json.close()
        return json.text
    }
}

/// A JSON string literal (RFC 8259 §7): quotes, backslashes and control characters escaped, the
/// rest as it is. Shared by the stores' inline JSON columns and the revision states above.
public func appendJSONString(_ string: String, to bytes: inout [UInt8]) {
    bytes.append(34)
    for byte in string.utf8 {
        switch byte {
        case 34, 92: bytes += [92, byte]
        case 0..<32:
            let low = byte & 15
            bytes += [92, 117, 48, 48, 48 + (byte >> 4), low < 10 ? 48 + low : 87 + low]  // \u00XX, lower-case hex
        default: bytes.append(byte)
        }
    }
    bytes.append(34)
}
