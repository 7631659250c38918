import Chronicle
@testable import ChronicleAPI
import Foundation
import Testing

/// `GET /v1/timeline`: Knight Lab TimelineJS's JSON.
@Suite struct TimelineTests {
    func create(_ api: TestAPI, _ path: String, _ json: String) throws -> String {
        let reply = try api.request("POST", path, json: json, token: api.writeToken)
        #expect(reply.status == 201, "\(reply.text)")
        return try #require(reply.json["id"]?.stringValue)
    }

    func slides(_ reply: TestAPI.Reply) -> [JSON] { reply.json["events"]?.arrayValue ?? [] }

    /// A year has only a year, a month no day; the parts are numbers, as TimelineJS documents them.
    @Test func slidesHoldOnlyTheDatePartsTheirPrecisionKnows() throws {
        let api = try TestAPI()
        let cases: [(start: String, end: String?, startDate: JSON, endDate: JSON?, display: String)] = [
            ("2031", nil, .object([("year", .int(2031))]), nil, "2031"),
            ("2031-03", nil, .object([("year", .int(2031)), ("month", .int(3))]), nil, "March 2031"),
            ("2031-03-12", nil, .object([("year", .int(2031)), ("month", .int(3)), ("day", .int(12))]), nil, "12 March 2031"),
            ("2031-04", "2031-06", .object([("year", .int(2031)), ("month", .int(4))]), .object([("year", .int(2031)), ("month", .int(6))]), "April–June 2031"),
            ("2031-05-28", "2031-06-02", .object([("year", .int(2031)), ("month", .int(5)), ("day", .int(28))]),
             .object([("year", .int(2031)), ("month", .int(6)), ("day", .int(2))]), "28 May – 2 June 2031"),
            ("2031", "2033", .object([("year", .int(2031))]), .object([("year", .int(2033))]), "2031–2033"),
        ]
        var ids: [String] = []
        for (index, item) in cases.enumerated() {
            let end = item.end.map { #","end":"\#($0)""# } ?? ""
            ids.append(try create(api, "/v1/events", #"{"title":"Event \#(index)","start":"\#(item.start)"\#(end),"category":"election"}"#))
        }
        let reply = try api.get("/v1/timeline?from=2031&to=2033")
        #expect(reply.status == 200 && reply.headers["Content-Type"] == "application/json" && reply.headers["ETag"] != nil)
        let byID = Dictionary(uniqueKeysWithValues: slides(reply).map { ($0["unique_id"]?.stringValue ?? "", $0) })
        #expect(byID.count == cases.count)
        for (index, item) in cases.enumerated() {
            let slide = try #require(byID[ids[index]])
            #expect(slide["start_date"] == item.startDate, "\(item.start)")
            #expect(slide["end_date"] == item.endDate, "\(item.start)")
            #expect(slide["display_date"]?.stringValue == item.display)
            #expect(slide["group"]?.stringValue == "election")
            #expect(slide["text"]?["headline"]?.stringValue == "Event \(index)")
        }
        // In start order: a year before its months, months before their days.
        let starts = try slides(reply).map { slide in try PartialDate(parsing: cases[try #require(ids.firstIndex(of: slide["unique_id"]?.stringValue ?? ""))].start) }
        #expect(zip(starts, starts.dropFirst()).allSatisfy { !($1 < $0) }, "\(starts)")
    }

    @Test func displayDatesReadAsAReaderWouldSayThem() throws {
        func date(_ text: String) -> PartialDate { try! PartialDate(parsing: text) }
        let cases: [(String, String?, String)] = [
            ("2014", nil, "2014"),
            ("2022-03", nil, "March 2022"),
            ("2022-03-12", nil, "12 March 2022"),
            ("2020", "2022", "2020–2022"),
            ("2022", "2022", "2022"),
            ("2022-03", "2022-05", "March–May 2022"),
            ("2021-11", "2022-02", "November 2021 – February 2022"),
            ("2022-03-12", "2022-03-14", "12–14 March 2022"),
            ("2022-02-28", "2022-03-03", "28 February – 3 March 2022"),
            ("2021-12-30", "2022-01-02", "30 December 2021 – 2 January 2022"),
            ("2014", "2022-03", "2014 – March 2022"),
            ("2022-02-24", "2022-02-24", "24 February 2022"),
        ]
        for (start, end, expected) in cases {
            #expect(ReaderDate.span(date(start), end.map(date)) == expected, "\(start) \(end ?? "")")
        }
    }

    /// The same events /v1/events gives for the same filters, in start order.
    @Test func filtersAreThoseOfTheEventList() throws {
        let api = try TestAPI()
        for filter in ["actor=alexander-lukashenko", "category=protest", "from=2020&to=2021", "actor=vladimir-putin&from=2022-02&to=2022-03", "category=military&to=2014"] {
            let timeline = try api.get("/v1/timeline?\(filter)")
            #expect(timeline.status == 200, "\(filter) \(timeline.text)")
            let list = try api.get("/v1/events?\(filter)&sort=start&limit=500&fields=id")
            let expected = list.json.data.compactMap { $0["id"]?.stringValue }
            #expect(!expected.isEmpty, "\(filter)")
            #expect(slides(timeline).compactMap { $0["unique_id"]?.stringValue } == expected, "\(filter)")
        }
        let actor = try api.get("/v1/timeline?actor=alexander-lukashenko&from=2020")
        #expect(actor.json["title"]?["text"]?["headline"]?.stringValue == "Alexander Lukashenko")
        #expect(actor.json["title"]?["text"]?["text"]?.stringValue == "\(slides(actor).count) events from 2020.")
        let protests = try api.get("/v1/timeline?category=protest")
        #expect(slides(protests).allSatisfy { $0["group"]?.stringValue == "protest" })
    }

    @Test func anUnknownActorAndBadFiltersAreFieldErrors() throws {
        let api = try TestAPI()
        let unknown = try api.get("/v1/timeline?actor=nobody-at-all")
        #expect(unknown.status == 422 && unknown.refusedFields == ["actor"])
        #expect(unknown.json["errors"]?.arrayValue.first?["message"]?.stringValue == "no actor has id or slug 'nobody-at-all'")
        #expect(try api.get("/v1/timeline?category=war").refusedFields == ["category"])
        #expect(try api.get("/v1/timeline?from=2022-02-30").refusedFields == ["from"])
        #expect(try api.get("/v1/timeline?limit=5001").refusedFields == ["limit"])
        #expect(try api.get("/v1/timeline?limit=0").refusedFields == ["limit"])
        #expect(try api.get("/v1/timeline?role=host").refusedFields == ["role"])
        #expect(try api.get("/v1/timeline?fields=events").refusedFields == ["fields"])
    }

    /// TimelineJS renders headline, text, caption and credit as HTML: the store's text arrives as text.
    @Test func textIsEscapedAndNamesTheSourcesAndTheMediaCreditsThem() throws {
        let api = try TestAPI()
        let quiet = try create(api, "/v1/sources", #"{"title":"Notes without address"}"#)
        let source = try create(api, "/v1/sources", """
            {"title":"<b>Smith & Jones</b>","url":"https://example.org/a?x=1&y=2","publisher":"Desk <i>","author":"A & B"}
            """)
        let event = try create(api, "/v1/events", """
            {"title":"<script>alert(1)</script>","summary":"x < y & \\"z\\"","start":"2040-01","category":"statement",
             "citations":[{"sourceId":"\(quiet)"},{"sourceId":"\(source)"}]}
            """)
        let slide = try #require(slides(try api.get("/v1/timeline?from=2040")).first)
        #expect(slide["unique_id"]?.stringValue == event)
        #expect(slide["text"]?["headline"]?.stringValue == "&lt;script&gt;alert(1)&lt;/script&gt;")
        let text = try #require(slide["text"]?["text"]?.stringValue)
        #expect(text.hasPrefix("<p>x &lt; y &amp; &quot;z&quot;</p><p>Sources: Notes without address; "), "\(text)")
        #expect(text.hasSuffix(#"<a href="https://example.org/a?x=1&amp;y=2">&lt;b&gt;Smith &amp; Jones&lt;/b&gt;</a>, Desk &lt;i&gt;</p>"#), "\(text)")
        #expect(!text.contains("<script"))
        // The first cited source with a web address.
        let media = try #require(slide["media"])
        #expect(media["url"]?.stringValue == "https://example.org/a?x=1&y=2")
        #expect(media["caption"]?.stringValue == "&lt;b&gt;Smith &amp; Jones&lt;/b&gt;")
        #expect(media["credit"]?.stringValue == "A &amp; B, Desk &lt;i&gt;")
        // No source with an address: no media.
        _ = try create(api, "/v1/events", #"{"title":"Unsourced","start":"2041","citations":[{"sourceId":"\#(quiet)"}]}"#)
        let bare = try #require(slides(try api.get("/v1/timeline?from=2041")).first)
        #expect(bare["media"] == nil && bare["text"]?["text"]?.stringValue == "<p>Source: Notes without address</p>")
        // The API refuses other schemes; a timeline would not link one that reached the store otherwise.
        #expect(webAddress("javascript:alert(1)") == nil && webAddress("HTTPS://example.org/a") == "HTTPS://example.org/a")
        #expect(webAddress("https://x\" onclick=\"y") == "https://x%22%20onclick=%22y")
    }

    /// A source's address may hold characters that an address in HTML may not (the API takes
    /// `"`, `<` and `>`): the slide's media and the text's link carry it percent-encoded.
    @Test func aSourceAddressWithQuotesOrBracketsIsPercentEncodedNotDropped() throws {
        let api = try TestAPI()
        let source = try create(api, "/v1/sources", #"{"title":"Odd address","url":"https://example.org/a?q=\"x\"&t=<b>"}"#)
        _ = try create(api, "/v1/events", #"{"title":"Cited","start":"2042","citations":[{"sourceId":"\#(source)"}]}"#)
        let slide = try #require(slides(try api.get("/v1/timeline?from=2042")).first)
        #expect(slide["media"]?["url"]?.stringValue == "https://example.org/a?q=%22x%22&t=%3Cb%3E", "\(slide)")
        #expect(slide["text"]?["text"]?.stringValue == #"<p>Source: <a href="https://example.org/a?q=%22x%22&amp;t=%3Cb%3E">Odd address</a></p>"#)
        #expect(webAddress("https://example.org/a b\u{1}\u{7F}") == "https://example.org/a%20b%01%7F")
    }

    @Test func limitCapsTheTimelineAndTheTitleSaysSo() throws {
        let api = try TestAPI()
        let all = slides(try api.get("/v1/timeline")).compactMap { $0["unique_id"]?.stringValue }
        #expect(all.count > 3)
        let capped = try api.get("/v1/timeline?limit=3")
        #expect(slides(capped).compactMap { $0["unique_id"]?.stringValue } == Array(all.prefix(3)))
        #expect(capped.json["title"]?["text"]?["text"]?.stringValue?.contains("the earliest 3 of more") == true)
        let whole = try api.get("/v1/timeline?limit=\(all.count)")
        #expect(whole.json["title"]?["text"]?["text"]?.stringValue == "\(all.count) events.")
    }
}
