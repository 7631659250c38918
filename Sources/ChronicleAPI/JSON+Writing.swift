extension JSON {
    /// Serialises compactly, or indented by two spaces for people.
    public func serialized(pretty: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        write(into: &out, pretty: pretty, indent: 0)
        if pretty { out.append(10) }
        return out
    }

    private func write(into out: inout [UInt8], pretty: Bool, indent: Int) {
        switch self {
        case .null: out.append(contentsOf: [110, 117, 108, 108])
        case .bool(let value): out.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8))
        case .number(let value): JSON.writeNumber(value, into: &out)
        case .string(let text): JSON.writeString(text, into: &out)
        case .array(let items):
            if items.isEmpty { out.append(contentsOf: [91, 93]); return }
            out.append(91)
            // Read in place: iterating the array copied each element (a retain and a release).
            items.withUnsafeBufferPointer { items in
                for index in items.indices {
                    if index > 0 { out.append(44) }
                    if pretty { JSON.newline(&out, indent + 1) }
                    items[index].write(into: &out, pretty: pretty, indent: indent + 1)
                }
            }
            if pretty { JSON.newline(&out, indent) }
            out.append(93)
        case .object(let fields):
            if fields.isEmpty { out.append(contentsOf: [123, 125]); return }
            out.append(123)
            fields.withUnsafeBufferPointer { fields in
                for index in fields.indices {
                    if index > 0 { out.append(44) }
                    if pretty { JSON.newline(&out, indent + 1) }
                    JSON.writeString(fields[index].0, into: &out)
                    out.append(58)
                    if pretty { out.append(32) }
                    fields[index].1.write(into: &out, pretty: pretty, indent: indent + 1)
                }
            }
            if pretty { JSON.newline(&out, indent) }
            out.append(125)
        }
    }

    /// Whole numbers without a fraction; NaN and infinities (which JSON lacks) as null.
    static func writeNumber(_ value: Double, into out: inout [UInt8]) {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
            out.append(contentsOf: String(Int64(value)).utf8)
        } else if let thousandths = exactThousandths(value) {
            writeThousandths(thousandths, into: &out)
        } else if value.isFinite {
            out.append(contentsOf: "\(value)".utf8)
        } else {
            out.append(contentsOf: [110, 117, 108, 108])
        }
    }

    /// `value` as a whole number of thousandths when it is the double nearest to one (ranks
    /// are rounded so), below 10^12 in size: then its shortest decimal, which is what Swift
    /// prints, is those thousandths written out, with no exponent (a test compares the two).
    static func exactThousandths(_ value: Double) -> Int64? {
        let scaled = (value * 1000).rounded()
        guard abs(scaled) < 1e15, scaled / 1000 == value else { return nil }
        return Int64(scaled)
    }

    /// `-12.34` for -12340 thousandths: integer digits, then the fraction without trailing zeros.
    /// Formatting a Double through its description cost a thousand instructions a number.
    static func writeThousandths(_ thousandths: Int64, into out: inout [UInt8]) {
        if thousandths < 0 { out.append(UInt8(ascii: "-")) }
        let magnitude = thousandths.magnitude
        out.append(contentsOf: String(magnitude / 1000).utf8)
        var fraction = Int(magnitude % 1000)
        guard fraction != 0 else { out.append(contentsOf: [46, 48]); return }  // ".0"
        out.append(UInt8(ascii: "."))
        var digits = 3
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        var divisor = 1
        for _ in 1..<digits { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(fraction / divisor % 10))
            divisor /= 10
        }
    }

    private static func newline(_ out: inout [UInt8], _ indent: Int) {
        out.append(10)
        out.append(contentsOf: repeatElement(32, count: indent * 2))
    }

    static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(34)
        // Native strings (nearly all) are read in place; others are made contiguous first.
        if text.utf8.withContiguousStorageIfAvailable({ writeEscaped($0, into: &out) }) == nil {
            var copy = text
            copy.withUTF8 { writeEscaped($0, into: &out) }
        }
        out.append(34)
    }

    private static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        // Copy runs of bytes that need no escape in one go; escape the rest one by one. Eight
        // bytes are checked at a time (most text has nothing to escape): a byte-by-byte scan was
        // the most expensive part of writing a response.
        var runStart = 0
        var index = 0
        let raw = UnsafeRawBufferPointer(bytes)
        while index < bytes.count {
            if index + 8 <= bytes.count, !wordNeedsEscape(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                index += 8
                continue
            }
            let byte = bytes[index]
            if byte < 32 || byte == 34 || byte == 92 {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                escape(byte, into: &out)
                runStart = index + 1
            }
            index += 1
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
    }

    /// True when one of the eight bytes is below 0x20, a quote or a backslash: the classic
    /// "has a zero byte" and "has a byte less than n" word tests, the first applied to the word
    /// XORed with each character sought. A borrow can mark a byte above a true match but never
    /// makes a match where there is none, so the answer is exact.
    @inline(__always)
    static func wordNeedsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
        let control = word &- ones &* 0x20  // a byte below 0x20 borrows and sets its high bit
        let zeroQuote = (quote &- ones) & ~quote, zeroBackslash = (backslash &- ones) & ~backslash
        return ((control & ~word) | zeroQuote | zeroBackslash) & highs != 0
    }

    private static func escape(_ byte: UInt8, into out: inout [UInt8]) {
            switch byte {
            case 34: out.append(contentsOf: [92, 34])
            case 92: out.append(contentsOf: [92, 92])
            case 10: out.append(contentsOf: [92, 110])
            case 13: out.append(contentsOf: [92, 114])
            case 9: out.append(contentsOf: [92, 116])
            case 0..<32:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [92, 117, 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: out.append(byte)
            }
    }
}
