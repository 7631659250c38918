import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Opaque, time-ordered record ids such as `evt_01jdx4q8m3...`: a kind prefix, 48 bits of
/// milliseconds and 80 random bits in Crockford base32, so ids are unguessable and sort by creation.
public enum Identifier {
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz".utf8)

    public static func make(_ kind: RecordKind, now: Date = Date()) -> String {
        make(prefix: prefix(kind), now: now)
    }

    /// An id with any prefix, for records outside `RecordKind` (API tokens).
    public static func make(prefix: String, now: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - UInt64(i)))) }
        // Two draws of 64 bits (each a system call) for the 80 random bits, not one per byte.
        let high = generator.next(), low = generator.next()
        for i in 6..<14 { bytes[i] = UInt8(truncatingIfNeeded: high >> (8 * UInt64(i - 6))) }
        for i in 14..<16 { bytes[i] = UInt8(truncatingIfNeeded: low >> (8 * UInt64(i - 14))) }
        var text = prefix
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                text.append(Character(UnicodeScalar(alphabet[Int((buffer >> UInt32(bits)) & 31)])))
            }
        }
        if bits > 0 { text.append(Character(UnicodeScalar(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]))) }
        return text
    }

    /// An id an import file gives for a record of `kind`, checked: the kind's prefix and lower-case
    /// letters and digits, at most 64 bytes; else a refusal that says what one looks like.
    public static func importable(_ id: String, _ kind: RecordKind) throws -> String {
        let expected = Self.prefix(kind)
        guard id.hasPrefix(expected), id.utf8.count <= 64, id.utf8.count > expected.utf8.count,
              id.utf8.dropFirst(expected.utf8.count).allSatisfy({ (48...57).contains($0) || (97...122).contains($0) }) else {
            throw ChronicleError.validation([FieldError("id", "'\(id)' is not \(kind == .actor ? "an" : "a") \(kind.rawValue) id (\(expected)… in lower-case letters and digits); leave id out to create a new record")])
        }
        return id
    }

    public static func prefix(_ kind: RecordKind) -> String {
        switch kind {
        case .actor: return "act_"
        case .event: return "evt_"
        case .quote: return "quo_"
        case .source: return "src_"
        }
    }
}

/// ISO 8601 UTC timestamps with milliseconds, the form every timestamp is stored and shown in.
public enum Timestamp {
    public static func now(_ date: Date = Date()) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ v: Int32, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis % 1000), 3))Z"
    }
}
