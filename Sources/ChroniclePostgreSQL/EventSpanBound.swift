import PostgreSQL

/// The longest span any event has had, which date-overlap lists use as a lower bound on
/// `start_earliest` (migrations/postgresql/0005). The table's value only grows. Each event write
/// raises it in the same transaction, only when it is lower (so it takes the row's lock only
/// then, and a writer racing one that raised it waits for that commit and looks again), sent
/// with the write's next statement.
enum EventSpanBound {
    /// Raises the bound to the span from `earliest` to `latest` (stored days) when it is longer.
    static func cover(_ db: Connection, from earliest: String, to latest: String) throws {
        let span = julianDay(latest) - julianDay(earliest)
        guard span > 0 else { return }
        try db.executeDeferred("UPDATE event_span_bound SET max_span_days = $1 WHERE id = 1 AND max_span_days < $1", [.integer(Int64(span))])
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
