import Glibc

/// Bytes written straight into memory that an event loop reuses for every response head and
/// access-log line. Building those in a fresh `[UInt8]` cost an allocation, a generic append
/// per piece and dynamic exclusivity checks: together more than parsing the request.
struct ByteWriter: ~Copyable {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    private(set) var count = 0

    private let initialCapacity: Int
    /// Past this size, `reset` gives the memory back (after a rare huge head, say).
    private let keptCapacity: Int

    init(capacity: Int = 1024, keptCapacity: Int = 16 * 1024) {
        self.capacity = capacity
        initialCapacity = capacity
        self.keptCapacity = max(capacity, keptCapacity)
        base = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    /// The bytes written so far, valid until the next change.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Starts over, keeping the memory unless it grew unusually large.
    mutating func reset() {
        count = 0
        if capacity > keptCapacity {
            base.deallocate()
            capacity = initialCapacity
            base = .allocate(byteCount: capacity, alignment: 16)
        }
    }

    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    private mutating func grow(to needed: Int) {
        let larger = max(needed, capacity * 2)
        let moved = UnsafeMutableRawPointer.allocate(byteCount: larger, alignment: 16)
        moved.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = moved
        capacity = larger
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    mutating func append(_ source: UnsafeRawBufferPointer) {
        guard let from = source.baseAddress, source.count > 0 else { return }
        reserve(source.count)
        (base + count).copyMemory(from: from, byteCount: source.count)
        count += source.count
    }

    mutating func append(_ source: [UInt8]) {
        source.withUnsafeBytes { append($0) }
    }

    mutating func append(_ text: String) {
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { append(UnsafeRawBufferPointer($0)) }
        if copied == nil { for byte in text.utf8 { append(byte) } }
    }

    /// A non-negative integer in decimal.
    mutating func append(decimal value: Int) { append(value, radix: 10) }

    /// A non-negative integer in base 36 (digits, then lowercase letters).
    mutating func append(base36 value: Int) { append(value, radix: 36) }

    /// Inlined into each caller, so that the radix is a constant there (a division by a constant
    /// is a multiplication).
    @inline(__always)
    private mutating func append(_ value: Int, radix: Int) {
        var digits = 1, rest = value / radix
        while rest > 0 { digits += 1; rest /= radix }
        reserve(digits)
        rest = max(0, value)
        var index = count + digits
        repeat {
            index -= 1
            let digit = UInt8(truncatingIfNeeded: rest % radix)
            base.storeBytes(of: digit < 10 ? 48 + digit : 87 + digit, toByteOffset: index, as: UInt8.self)
            rest /= radix
        } while rest > 0
        count += digits
    }

    /// The first `length` bytes (at most 8) of `packed`, its lowest byte first.
    mutating func append(packed: UInt64, count length: Int) {
        reserve(8)
        base.storeBytes(of: packed.littleEndian, toByteOffset: count, as: UInt64.self)
        count += min(8, max(0, length))
    }

    /// `Name: value\r\n`.
    mutating func append(header name: String, _ value: String) {
        append(name)
        append(58)
        append(32)
        append(value)
        append(13)
        append(10)
    }
}
