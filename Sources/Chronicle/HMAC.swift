/// HMAC-SHA256 (RFC 2104): how a webhook receiver checks that a delivery came from this
/// server and was not changed on the way.
public enum HMACSHA256 {
    public static func authenticate(_ message: [UInt8], key: [UInt8]) -> [UInt8] {
        let blockSize = 64
        var block = key.count > blockSize ? SHA256.hash(key) : key
        block += [UInt8](repeating: 0, count: blockSize - block.count)
        let inner = SHA256.hash(block.map { $0 ^ 0x36 } + message)
        return SHA256.hash(block.map { $0 ^ 0x5c } + inner)
    }

    /// Lowercase hex, as the signature header carries it.
    public static func hex(_ message: [UInt8], key: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: authenticate(message, key: Array(key.utf8)).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
    }
}
