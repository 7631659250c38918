import Testing
@testable import Chronicle

@Suite struct PartialDateTests {
    @Test func yearMonthAndDayParseWithTheirPrecision() throws {
        #expect(try PartialDate(parsing: "2014").precision == .year)
        #expect(try PartialDate(parsing: "2022-03").precision == .month)
        #expect(try PartialDate(parsing: "2022-02-24").precision == .day)
        #expect(try PartialDate(parsing: "2022-03").description == "2022-03")
    }

    @Test func boundsCoverTheWholePeriod() throws {
        let year = try PartialDate(parsing: "2014")
        #expect(year.earliest == "2014-01-01")
        #expect(year.latest == "2014-12-31")
        let february = try PartialDate(parsing: "2022-02")
        #expect(february.earliest == "2022-02-01")
        #expect(february.latest == "2022-02-28")
        #expect(try PartialDate(parsing: "2024-02").latest == "2024-02-29")
        #expect(try PartialDate(parsing: "1900-02").latest == "1900-02-28")
        #expect(try PartialDate(parsing: "2000-02").latest == "2000-02-29")
        let day = try PartialDate(parsing: "2022-02-24")
        #expect(day.earliest == "2022-02-24" && day.latest == "2022-02-24")
    }

    @Test(arguments: ["2022-02-30", "2022-13", "22-02-24", "2022-2-24", "2022-00", "0000", "2022-02-24T00:00", "", "abcd", "2022--02", "２０２２", "2022/02/24", "2022-02+24", "2022-0a", "+022", "2022-"])
    func invalidDatesAreRejectedWithAReason(_ text: String) {
        #expect(throws: DateError.self) { try PartialDate(parsing: text) }
    }

    @Test func messagesSayWhatIsWrong() {
        do {
            _ = try PartialDate(parsing: "2022-02-30")
            Issue.record("accepted 2022-02-30")
        } catch {
            #expect(error.message.contains("day 30 does not exist in 2022-02"))
        }
        do {
            _ = try PartialDate(parsing: "2022-13")
            Issue.record("accepted 2022-13")
        } catch {
            #expect(error.message.contains("month 13"))
        }
    }

    @Test func februaryOverlapsItsYearItsMonthAndItsDaysOnly() throws {
        let from = try PartialDate(parsing: "2022-02"), to = try PartialDate(parsing: "2022-02")
        #expect(try PartialDate(parsing: "2022").overlaps(from: from, to: to))
        #expect(try PartialDate(parsing: "2022-02").overlaps(from: from, to: to))
        #expect(try PartialDate(parsing: "2022-02-24").overlaps(from: from, to: to))
        #expect(!(try PartialDate(parsing: "2022-03-01").overlaps(from: from, to: to)))
        #expect(!(try PartialDate(parsing: "2021").overlaps(from: from, to: to)))
    }

    @Test func orderingPutsEarlierFirstAndYearsBeforeTheirMonths() throws {
        let dates = try ["2022-02-24", "2022", "2014", "2022-02"].map(PartialDate.init(parsing:)).sorted()
        #expect(dates.map(\.description) == ["2014", "2022", "2022-02", "2022-02-24"])
    }
}
