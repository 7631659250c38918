/// A date as precise as the reporting allows: a year (`2014`), a month (`2022-03`) or a day
/// (`2022-02-24`). It knows its earliest and latest day, so that a question about
/// "February 2022" matches `2022`, `2022-02` and `2022-02-24` alike.
public struct PartialDate: Hashable, Sendable, Comparable, CustomStringConvertible {
    public enum Precision: String, Sendable, Codable, CaseIterable { case year, month, day }

    public let year: Int
    public let month: Int?
    public let day: Int?

    public var precision: Precision { day != nil ? .day : (month != nil ? .month : .year) }

    public init(year: Int, month: Int? = nil, day: Int? = nil) throws(DateError) {
        guard (1...9999).contains(year) else { throw DateError("year \(year) is outside 0001–9999") }
        if let month, !(1...12).contains(month) { throw DateError("month \(month) does not exist; use 01 to 12") }
        if day != nil, month == nil { throw DateError("a day needs a month") }
        if let day, let month {
            let last = PartialDate.daysIn(month: month, year: year)
            guard (1...last).contains(day) else {
                throw DateError("day \(day) does not exist in \(PartialDate.pad(year, 4))-\(PartialDate.pad(month, 2)), which has \(last) days")
            }
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, and says why anything else is refused.
    public init(parsing text: String) throws(DateError) {
        if let (year, month, day) = PartialDate.quickFields(text) {
            try self.init(year: year, month: month, day: day)
            return
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        let widths = [4, 2, 2]
        guard (1...3).contains(parts.count) else {
            throw DateError("'\(text)' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2022-02-24")
        }
        var numbers: [Int] = []
        for (index, part) in parts.enumerated() {
            guard part.count == widths[index], part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int(part) else {
                let names = ["year (4 digits)", "month (2 digits)", "day (2 digits)"]
                throw DateError("'\(text)' is not a date: the \(names[index]) is '\(part)'; write YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2022-02-24")
            }
            numbers.append(value)
        }
        try self.init(year: numbers[0], month: numbers.count > 1 ? numbers[1] : nil, day: numbers.count > 2 ? numbers[2] : nil)
    }

    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` read straight from the bytes (every stored date is read
    /// this way, so it must be cheap); nil for anything else, which the careful path explains.
    static func quickFields(_ text: String) -> (Int, Int?, Int?)? {
        let result = text.utf8.withContiguousStorageIfAvailable { bytes -> (Int, Int?, Int?)? in
            guard bytes.count == 4 || bytes.count == 7 || bytes.count == 10 else { return nil }
            func number(_ from: Int, _ count: Int) -> Int? {
                var value = 0
                for index in from..<from + count {
                    let byte = bytes[index]
                    guard byte >= 48 && byte <= 57 else { return nil }
                    value = value * 10 + Int(byte - 48)
                }
                return value
            }
            guard let year = number(0, 4) else { return nil }
            if bytes.count == 4 { return (year, nil, nil) }
            guard bytes[4] == 45, let month = number(5, 2) else { return nil }
            if bytes.count == 7 { return (year, month, nil) }
            guard bytes[7] == 45, let day = number(8, 2) else { return nil }
            return (year, month, day)
        }
        return result ?? nil
    }

    /// The canonical text form, e.g. `2022-02`.
    public var description: String {
        var text = PartialDate.pad(year, 4)
        if let month { text += "-" + PartialDate.pad(month, 2) }
        if let day { text += "-" + PartialDate.pad(day, 2) }
        return text
    }

    /// The first day this date may mean, as `YYYY-MM-DD` (which sorts as text).
    public var earliest: String {
        "\(PartialDate.pad(year, 4))-\(PartialDate.pad(month ?? 1, 2))-\(PartialDate.pad(day ?? 1, 2))"
    }

    /// The last day this date may mean, as `YYYY-MM-DD`.
    public var latest: String {
        let m = month ?? 12
        let d = day ?? PartialDate.daysIn(month: m, year: year)
        return "\(PartialDate.pad(year, 4))-\(PartialDate.pad(m, 2))-\(PartialDate.pad(d, 2))"
    }

    /// Orders by earliest day, then by precision (a year before its months).
    public static func < (lhs: PartialDate, rhs: PartialDate) -> Bool {
        if lhs.earliest != rhs.earliest { return lhs.earliest < rhs.earliest }
        return lhs.latest > rhs.latest
    }

    /// True when the two dates may mean a common day.
    public func overlaps(from: PartialDate?, to: PartialDate?) -> Bool {
        (from.map { latest >= $0.earliest } ?? true) && (to.map { earliest <= $0.latest } ?? true)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// Why a date was refused, in words a reporter can act on.
public struct DateError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension PartialDate: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
