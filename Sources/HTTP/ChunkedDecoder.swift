/// Decodes a chunked request body (RFC 9112 §7.1) incrementally, byte by byte as it arrives.
/// Chunk extensions are skipped, trailers read and dropped; sizes and totals are bounded.
public struct ChunkedDecoder: Sendable {
    enum State: Sendable, Equatable {
        case size(digits: Int, value: Int)
        /// White space after the size: only a `;` (an extension) or the line's end may follow.
        case sizeSpace
        case extensions
        case sizeLF
        case data(remaining: Int)
        case dataCR
        case dataLF
        case trailerLineStart
        /// A trailer field's line; `colon`: whether its name has ended.
        case trailerLine(colon: Bool)
        case trailerLF(endsBlock: Bool)
        case done
    }

    public enum Outcome: Sendable, Equatable {
        /// Everything given was consumed; the body is not complete yet.
        case needMore
        /// The body ended; `consumed` bytes of the input belonged to it.
        case done(consumed: Int)
        case failure(ParseError)
    }

    var state = State.size(digits: 0, value: 0)
    var lineBytes = 0
    var trailerBytes = 0
    public let maxBody: Int
    public private(set) var bodyCount = 0

    public init(maxBody: Int) { self.maxBody = maxBody }

    public var isDone: Bool { state == .done }

    /// Feeds bytes; appends decoded body bytes to `body`.
    public mutating func feed(_ input: UnsafeBufferPointer<UInt8>, into body: inout [UInt8]) -> Outcome {
        var index = 0
        let count = input.count
        while index < count {
            let byte = input[index]
            switch state {
            case .size(let digits, let value):
                if let digit = hexValue(byte) {
                    guard digits < 15 else { return .failure(ParseError(400, "chunk size is too large")) }
                    state = .size(digits: digits + 1, value: value << 4 | Int(digit))
                } else if digits == 0 {
                    return .failure(ParseError(400, "chunk size is not hexadecimal"))
                } else if byte == 13 {
                    lastSize = value
                    state = .sizeLF
                } else if byte == 59 {
                    lastSize = value
                    state = .extensions
                } else if byte == 32 || byte == 9 {
                    lastSize = value
                    state = .sizeSpace
                } else {
                    return .failure(ParseError(400, "chunk size is not hexadecimal"))
                }
                if case .size(_, let v) = state, bodyCount + v > maxBody {
                    return .failure(ParseError(413, "the body is larger than \(maxBody) bytes"))
                }
                lineBytes += 1
            case .sizeSpace:
                switch byte {
                case 32, 9: break
                case 59: state = .extensions
                case 13: state = .sizeLF
                default: return .failure(ParseError(400, "a chunk size is followed by ';' and an extension, or the line's end"))
                }
                lineBytes += 1
            case .extensions:
                if byte == 13 { state = .sizeLF } else if byte == 10 || byte == 0 { return .failure(ParseError(400, "bad chunk extension")) }
                lineBytes += 1
                if lineBytes > 4096 { return .failure(ParseError(400, "chunk extension too long")) }
            case .sizeLF:
                guard byte == 10 else { return .failure(ParseError(400, "bare CR after chunk size")) }
                lineBytes = 0
                let size = lastSize
                state = size == 0 ? .trailerLineStart : .data(remaining: size)
            case .data(let remaining):
                let take = min(remaining, count - index)
                body.append(contentsOf: UnsafeBufferPointer(rebasing: input[index..<index + take]))
                bodyCount += take
                index += take
                state = remaining - take == 0 ? .dataCR : .data(remaining: remaining - take)
                continue
            case .dataCR:
                guard byte == 13 else { return .failure(ParseError(400, "chunk data is longer than its size")) }
                state = .dataLF
            case .dataLF:
                guard byte == 10 else { return .failure(ParseError(400, "bare CR after chunk data")) }
                state = .size(digits: 0, value: 0)
            case .trailerLineStart:
                if byte == 10 || byte == 0 || byte == 58 { return .failure(ParseError(400, "bad trailer line")) }
                state = byte == 13 ? .trailerLF(endsBlock: true) : .trailerLine(colon: false)
            case .trailerLine(let colon):
                if byte == 13 {
                    guard colon else { return .failure(ParseError(400, "a trailer line is a field, name: value")) }
                    state = .trailerLF(endsBlock: false)
                } else if byte == 10 || byte == 0 {
                    return .failure(ParseError(400, "bad trailer line"))
                } else if byte == 58 {
                    state = .trailerLine(colon: true)
                }
            case .trailerLF(let endsBlock):
                guard byte == 10 else { return .failure(ParseError(400, "bare CR in trailers")) }
                if endsBlock {
                    state = .done
                    return .done(consumed: index + 1)
                }
                state = .trailerLineStart
            case .done:
                return .done(consumed: index)
            }
            if case .trailerLine = state {
                trailerBytes += 1
                if trailerBytes > 8192 { return .failure(ParseError(431, "trailers are larger than 8192 bytes")) }
            }
            index += 1
        }
        return state == .done ? .done(consumed: count) : .needMore
    }

    /// The size of the chunk whose size line is being finished.
    private var lastSize: Int = 0
}
