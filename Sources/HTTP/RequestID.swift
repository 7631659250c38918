/// A request's id: the client's own (`X-Request-Id`, when short and plain) or one the server made
/// from its loop's prefix and a counter. A made one stays two numbers until somebody asks for it
/// as text: most requests only write it into their response head and access line, as bytes, and
/// building a String for each cost more than the rest of writing the head.
public struct RequestID: Sendable, Equatable, CustomStringConvertible {
    private enum Value: Sendable, Equatable {
        case given(String)
        /// `prefix`: up to eight ASCII bytes, the first in the lowest byte.
        case made(prefix: UInt64, number: Int)
    }

    private let value: Value

    public init(_ text: String) { value = .given(text) }

    init(prefix: UInt64, number: Int) { value = .made(prefix: prefix, number: number) }

    /// Eight ASCII bytes (at most) packed into a prefix, the first in the lowest byte.
    static func packPrefix(_ text: String) -> UInt64 {
        var packed: UInt64 = 0
        for (index, byte) in text.utf8.prefix(8).enumerated() { packed |= UInt64(byte) << (8 * UInt64(index)) }
        return packed
    }

    public var description: String {
        switch value {
        case .given(let text): return text
        case .made:
            var writer = ByteWriter(capacity: 32)
            write(into: &writer)
            return String(decoding: writer.bytes, as: UTF8.self)
        }
    }

    /// The prefix, then the counter in base 36.
    func write(into writer: inout ByteWriter) {
        switch value {
        case .given(let text): writer.append(text)
        case .made(let prefix, let number):
            writer.append(packed: prefix, count: (64 - prefix.leadingZeroBitCount + 7) / 8)
            writer.append(base36: number)
        }
    }
}
