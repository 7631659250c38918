@testable import ChroniclePostgreSQL
import PostgreSQL
import Testing

/// The span bound counts days as the migration's SQL does, in both directions, back to year 0.
@Suite(.needsPostgres) struct EventSpanBoundTests {
    @Test func swiftAndSQLCountTheSameDays() throws {
        let database = try TestDatabase()
        _ = try database.store()  // migrated
        let db = try Connection(url: database.url)
        for day in ["0000-01-01", "0000-02-29", "0001-03-01", "1582-10-15", "1900-02-28", "1999-12-31", "2000-02-29", "2024-12-31", "9999-12-31"] {
            let row = try db.execute("SELECT chronicle_julian_day($1), chronicle_day(chronicle_julian_day($1))", [.text(day)])[0]
            #expect(try row.int(0) == EventSpanBound.julianDay(day), "\(day)")
            #expect(try row.string(1) == day)
        }
        #expect(EventSpanBound.julianDay("2000-01-01") == 2_451_545)  // the J2000 epoch's day
        // Nothing before year 0: a bound that far back is year 0's first day.
        #expect(try db.execute("SELECT chronicle_day(chronicle_julian_day('0000-06-01') - 1000)")[0].string(0) == "0000-01-01")
    }
}
