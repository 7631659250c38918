/// Header fields in arrival order, looked up case-insensitively (RFC 9110 §5.1).
public struct Headers: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}
    public init(dictionaryLiteral elements: (String, String)...) { fields = elements.map { ($0.0, $0.1) } }

    /// The first value of `name`, if any.
    public subscript(name: String) -> String? {
        get {
            // By index: `first(where:)` copied every field it looked at (two retains, two releases).
            for index in fields.indices where fields[index].name.equalsIgnoringASCIICase(name) { return fields[index].value }
            return nil
        }
        set {
            fields.removeAll { $0.name.equalsIgnoringASCIICase(name) }
            if let newValue { fields.append((name, newValue)) }
        }
    }

    /// Every value of `name`, for fields that may repeat.
    public func values(_ name: String) -> [String] { fields.filter { $0.name.equalsIgnoringASCIICase(name) }.map(\.value) }

    public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

    public func contains(_ name: String) -> Bool { fields.contains { $0.name.equalsIgnoringASCIICase(name) } }

    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }
}

extension String {
    /// ASCII case-insensitive comparison, as header names and tokens need; cheaper than lowercasing.
    public func equalsIgnoringASCIICase(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        @inline(__always) func same(_ x: UInt8, _ y: UInt8) -> Bool {
            x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= 97 && (x | 0x20) <= 122)
        }
        // Native strings (all the server makes) compare over their bytes directly.
        let direct = a.withContiguousStorageIfAvailable { x in
            b.withContiguousStorageIfAvailable { y in
                for index in 0..<x.count where !same(x[index], y[index]) { return false }
                return true
            }
        }
        if let direct, let result = direct { return result }
        return zip(a, b).allSatisfy(same)
    }
}
