import PostgreSQL
import Synchronization

/// The longest span any event has had, which date-overlap lists use as a lower bound on
/// `start_earliest` (migrations/postgresql/0005). The table's value only grows; this process
/// remembers the largest it has seen, so a write whose span is within it sends nothing, and
/// one past it raises the row (only if it is still lower: writers rarely touch the row at all).
final class EventSpanBound: Sendable {
    private let known = Atomic<Int>(0)

    /// Raises the bound to the span from `earliest` to `latest` (stored days) when it is longer.
    func cover(_ db: Connection, from earliest: String, to latest: String) throws {
        let span = Self.julianDay(latest) - Self.julianDay(earliest)
        guard span > known.load(ordering: .relaxed) else { return }
        let raised = try db.executeCached("UPDATE event_span_bound SET max_span_days = $1 WHERE id = 1 AND max_span_days < $1", [.integer(Int64(span))])
        // Raised to this span, or found at least as long already (another writer's).
        let stored = raised.affectedRows == 1 ? span
            : try db.executeCached("SELECT max_span_days FROM event_span_bound WHERE id = 1").first.map { try $0.int(0) } ?? 0
        var seen = known.load(ordering: .relaxed)
        while stored > seen {
            let (exchanged, now) = known.compareExchange(expected: seen, desired: stored, ordering: .relaxed)
            if exchanged { break }
            seen = now
        }
    }

    /// The filter that bounds a list's `start_earliest` from below for events that may overlap
    /// a period from `earliest` on; redundant with `span_latest >= earliest`, but it lets the
    /// index on `start_earliest` start near the period.
    /// `placeholder`: the period's first day, bound (`$n`).
    static func lowerBound(placeholder: String) -> String {
        "e.start_earliest >= chronicle_day(chronicle_julian_day(\(placeholder)) - (SELECT max_span_days FROM event_span_bound))"
    }

    /// The Julian day number of a stored day ('YYYY-MM-DD'), as the migration's
    /// `chronicle_julian_day` counts it.
    static func julianDay(_ day: String) -> Int {
        let parts = day.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return 0 }
        let (y, m, d) = (parts[0], parts[1], parts[2])
        let a = (14 - m) / 12, year = y + 4800 - a, month = m + 12 * a - 3
        return d + (153 * month + 2) / 5 + 365 * year + year / 4 - year / 100 + year / 400 - 32045
    }
}
