import Glibc

/// The `Date` header value (RFC 9110 §5.6.7), formatted at most once a second per loop.
struct DateCache {
    private var second: time_t = 0
    private(set) var value = ""
    /// `Date: ...\r\n` as bytes, ready to append to a response head; see `refresh`.
    private(set) var line: [UInt8] = []

    mutating func current() -> String {
        let now = time(nil)
        if now != second {
            second = now
            value = DateCache.format(now)
        }
        return value
    }

    /// Brings `line` up to the current second.
    mutating func refresh() {
        let now = time(nil)
        if now != second || line.isEmpty {
            line = Array("Date: \(current())\r\n".utf8)
        }
    }

    static func format(_ seconds: time_t) -> String {
        var copy = seconds
        var parts = tm()
        gmtime_r(&copy, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
