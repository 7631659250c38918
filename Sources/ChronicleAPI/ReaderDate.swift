import Chronicle

/// Partial dates and spans as a reader would say them: "2014", "March 2022", "12 March 2022",
/// "2020–2022", "March–May 2022", "28 February – 3 March 2022". A date says no more than its
/// precision knows: a month is never given a day. English, day before month, as the newsroom
/// writes.
enum ReaderDate {
    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                             "November", "December"]

    static func phrase(_ date: PartialDate) -> String {
        [date.day.map(String.init), date.month.map { monthNames[$0 - 1] }, String(date.year)].compactMap { $0 }.joined(separator: " ")
    }

    /// From `start` to `end`, naming what the two share once. The dash is an en dash, spaced
    /// when either side has spaces of its own ("November 2021 – February 2022").
    static func span(_ start: PartialDate, _ end: PartialDate?) -> String {
        guard let end, end != start else { return phrase(start) }
        if start.precision == end.precision && start.year == end.year {
            switch start.precision {
            case .year:
                break  // equal years were handled above
            case .month:
                return "\(monthNames[start.month! - 1])–\(monthNames[end.month! - 1]) \(start.year)"
            case .day where start.month == end.month:
                return "\(start.day!)–\(end.day!) \(monthNames[start.month! - 1]) \(start.year)"
            case .day:
                return "\(start.day!) \(monthNames[start.month! - 1]) – \(end.day!) \(monthNames[end.month! - 1]) \(start.year)"
            }
        }
        let from = phrase(start), to = phrase(end)
        return from.contains(" ") || to.contains(" ") ? "\(from) – \(to)" : "\(from)–\(to)"
    }
}
