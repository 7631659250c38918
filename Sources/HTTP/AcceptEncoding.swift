/// What a request's `Accept-Encoding` (RFC 9110 §12.5.3) says of gzip.
enum AcceptEncoding {
    /// True when the client accepts gzip and does not prefer the plain body.
    ///
    /// - `gzip` (or its alias `x-gzip`, or `*` when neither is named) with a weight above 0
    ///   accepts it; `gzip;q=0` refuses it, whatever `*` says. Names are case-insensitive.
    /// - A plain body is always acceptable, and is preferred only when the client says so with
    ///   an `identity` weight above gzip's (`gzip;q=0.5, identity`). An unnamed `identity` is
    ///   the fallback, not a rival: `gzip;q=0.5` alone still gets gzip.
    /// - An element with a malformed weight is ignored, as if it were not there.
    static func prefersGzip(_ header: String) -> Bool {
        var gzip: Int?, xGzip: Int?, any: Int?, identity: Int?
        for element in header.utf8.split(separator: UInt8(ascii: ",")) {
            let parts = element.split(separator: UInt8(ascii: ";"))
            guard let first = parts.first else { continue }
            let coding = trimmed(first)
            guard !coding.isEmpty else { continue }
            var weight = 1000
            var valid = true
            for parameter in parts.dropFirst() {
                let parameter = trimmed(parameter)
                // `q=` is the only parameter RFC 9110 defines here; others are ignored.
                guard parameter.count >= 2, parameter.first! | 0x20 == UInt8(ascii: "q"),
                      parameter[parameter.index(after: parameter.startIndex)] == UInt8(ascii: "=") else { continue }
                if let parsed = qvalue(parameter.dropFirst(2)) { weight = parsed } else { valid = false }
            }
            guard valid else { continue }
            if equals(coding, "gzip") { gzip = gzip ?? weight }
            else if equals(coding, "x-gzip") { xGzip = xGzip ?? weight }
            else if equals(coding, "*") { any = any ?? weight }
            else if equals(coding, "identity") { identity = identity ?? weight }
        }
        let gzipWeight = gzip ?? xGzip ?? any ?? 0
        return gzipWeight > 0 && gzipWeight >= (identity ?? 0)
    }

    /// A weight in thousandths: `0`, `0.5`, `1`, `1.000` (RFC 9110 §12.4.2); nil when malformed.
    static func qvalue(_ text: Substring.UTF8View) -> Int? {
        let bytes = Array(trimmed(text))
        guard let first = bytes.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        var thousandths = first == UInt8(ascii: "1") ? 1000 : 0
        guard bytes.count > 1 else { return thousandths }
        guard bytes[1] == UInt8(ascii: "."), bytes.count <= 5 else { return nil }
        var scale = 100
        for digit in bytes[2...] {
            guard digit >= UInt8(ascii: "0") && digit <= UInt8(ascii: "9") else { return nil }
            thousandths += Int(digit - UInt8(ascii: "0")) * scale
            scale /= 10
        }
        return thousandths <= 1000 ? thousandths : nil
    }

    private static func trimmed(_ bytes: Substring.UTF8View) -> Substring.UTF8View {
        var start = bytes.startIndex, end = bytes.endIndex
        while start < end, bytes[start] == 32 || bytes[start] == 9 { start = bytes.index(after: start) }
        while end > start, bytes[bytes.index(before: end)] == 32 || bytes[bytes.index(before: end)] == 9 { end = bytes.index(before: end) }
        return bytes[start..<end]
    }

    private static func equals(_ bytes: Substring.UTF8View, _ name: String) -> Bool {
        // `name` is lower case; only letters fold.
        bytes.count == name.utf8.count && zip(bytes, name.utf8).allSatisfy { ($0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0) == $1 }
    }
}
