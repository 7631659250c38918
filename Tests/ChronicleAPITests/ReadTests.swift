import Chronicle
@testable import ChronicleAPI
import Foundation
import Testing

@Suite struct ReadTests {
    @Test func healthReadinessMetricsAndContractAnswer() throws {
        let api = try TestAPI()
        #expect(try api.get("/healthz").json["status"]?.stringValue == "ok")
        #expect(try api.get("/readyz").json["status"]?.stringValue == "ready")
        _ = try api.get("/v1/actors")
        let metrics = try api.get("/metrics")
        #expect(metrics.text.contains("chronicle_http_requests_total{method=\"GET\",route=\"/v1/actors\",status=\"200\"} 1"))
        #expect(metrics.text.contains("chronicle_http_request_duration_seconds_bucket{route=\"/v1/actors\",le=\"+Inf\"} 1"))
        // Timed from the request's arrival: well under five seconds, not the clock's own epoch.
        #expect(metrics.text.contains("chronicle_http_request_duration_seconds_bucket{route=\"/v1/actors\",le=\"5.0\"} 1"))
        // A sample line, not the HELP line that names the metric: this request's own connection is open.
        #expect((sample(metrics.text, "chronicle_http_open_connections") ?? 0) >= 1, "\(metrics.text)")
        // Two methods of one route (two router entries) are one route in the histogram; a path
        // no route matches is counted as unmatched.
        #expect(try api.request("POST", "/v1/actors", json: "{}").status == 401)
        _ = try api.get("/no/such/route")
        let after = try api.get("/metrics").text
        #expect(after.contains("chronicle_http_requests_total{method=\"POST\",route=\"/v1/actors\",status=\"401\"} 1"))
        #expect(after.contains("chronicle_http_requests_total{method=\"GET\",route=\"/v1/actors\",status=\"200\"} 1"))
        #expect(after.contains("chronicle_http_request_duration_seconds_count{route=\"/v1/actors\"} 2"))
        #expect(after.contains("chronicle_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1"))
        #expect(after.components(separatedBy: "chronicle_http_request_duration_seconds_count{route=\"/v1/actors\"}").count == 2)
        let contract = try api.get("/openapi.yaml")
        #expect(contract.status == 200 && contract.text.hasPrefix("openapi: 3.1"))
    }

    /// Reads that run past the time limit are stopped and answered 503 with a problem that
    /// says how to narrow the request; the server goes on serving. (SQLite checks the clock
    /// every thousand or so steps: a limit of a microsecond stops any read longer than that.)
    @Test func readsPastTheTimeLimitAre503AndTheServerGoesOn() throws {
        let api = try TestAPI(readTimeLimit: 0.000_001)
        for target in ["/v1/events?count=true&limit=500&sort=title&q=a*%20OR%20e*", "/v1/search?q=a*%20OR%20e*%20OR%20o*"] {
            let reply = try api.get(target)
            #expect(reply.status == 503, "\(target) \(reply.status)")
            #expect(reply.headers["Content-Type"] == "application/problem+json")
            #expect(reply.json["title"]?.stringValue == "Service Unavailable")
            #expect(reply.json["detail"]?.stringValue?.contains("took longer than the 1 µs this server allows") == true, "\(reply.text)")
            #expect(reply.json["detail"]?.stringValue?.contains("narrow the request") == true)
        }
        #expect(try api.get("/healthz").status == 200)
        // The same reads without a limit.
        let unlimited = try TestAPI()
        #expect(try unlimited.get("/v1/events?count=true&limit=500").status == 200)
        #expect(try unlimited.get("/v1/search?q=a*%20OR%20e*%20OR%20o*").status == 200)
    }

    /// The search caches show on /metrics: what they keep, and their hits and misses.
    /// Words of the article that FTS5's syntax would read as operators or column names are
    /// searched for as phrases, in the ranked search and in every list's `q`.
    @Test func punctuatedWordsAreSearchedForAsWritten() throws {
        let api = try TestAPI()
        for query in ["anti-war", "Kassym-Jomart", "20-30%25", "Belarus:%20anti-war", "anti-wa*"] {
            let found = try api.get("/v1/search?q=\(query)")
            #expect(found.status == 200, "\(query): \(found.text)")
            #expect(found.json.data.count > 0, "\(query)")
        }
        #expect(try api.get("/v1/events?q=anti-war").json.data.count > 0)
        #expect(try api.get("/v1/actors?q=Kassym-Jomart").json.data.first?["slug"]?.stringValue == "kassym-jomart-tokayev")
        // Punctuation alone finds nothing to search for, and says so.
        let nothing = try api.get("/v1/search?q=-")
        #expect(nothing.status == 422)
        #expect(nothing.text.contains("not a valid search"))
    }

    /// `fields` is taken where it selects something; elsewhere it is refused, not ignored.
    @Test func fieldsIsRefusedWhereItSelectsNothing() throws {
        let api = try TestAPI()
        let actor = try #require(try api.get("/v1/actors/belarus").json["id"]?.stringValue)
        for target in ["/v1/export?type=source&fields=id", "/v1/changes?fields=id", "/v1/actors/\(actor)/revisions?fields=id",
                       "/v1/actors/\(actor)/revisions/1?fields=id"] {
            let reply = try api.get(target)
            #expect(reply.status == 422 && reply.refusedFields == ["fields"], "\(target): \(reply.text)")
        }
        #expect(try api.get("/v1/actors?fields=id").status == 200)
        #expect(try api.get("/v1/actors/belarus?fields=id").json["id"]?.stringValue == actor)
        #expect(try api.get("/v1/search?q=Belarus&fields=id").status == 200)
        // Each name once in the list of what is taken.
        let message = try api.get("/v1/changes?nope=1").json["errors"]?.arrayValue.first?["message"]?.stringValue ?? ""
        #expect(message.components(separatedBy: "pretty").count == 2, "\(message)")
    }

    @Test func theSearchCacheIsCountedOnMetrics() throws {
        let api = try TestAPI()
        let first = try api.get("/v1/search?q=Lukashenko%20OR%20Putin")
        let second = try api.get("/v1/search?q=Putin")
        #expect(first.status == 200 && second.status == 200 && second.json["data"]?.arrayValue.isEmpty == false)
        let metrics = try api.get("/metrics").text
        #expect(metrics.contains("chronicle_search_cache_phrases 2\n"), "\(metrics)")
        #expect(metrics.contains("chronicle_search_cache_lookups_total{result=\"hit\"} 1\n"))
        #expect(metrics.contains("chronicle_search_cache_lookups_total{result=\"miss\"} 2\n"))
        #expect(!metrics.contains("chronicle_search_cache_bytes 0\n"))
        // The best rows' hits: each of the first two searches' rows looked for once, and
        // "Putin"'s rows found again when it is searched a second time.
        let third = try api.get("/v1/search?q=Putin")
        #expect(third.json["data"] == second.json["data"])
        let after = try api.get("/metrics").text
        func value(_ name: String) -> Int? {
            after.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Int($0.split(separator: " ").last ?? "") }
        }
        let rows = [first, second, third].map { $0.json["data"]?.arrayValue.count ?? 0 }
        let (found, missed) = (value("chronicle_search_hit_cache_lookups_total{result=\"hit\"}"), value("chronicle_search_hit_cache_lookups_total{result=\"miss\"}"))
        #expect(found.map { $0 >= rows[2] } == true, "\(after)")
        #expect(found.flatMap { found in missed.map { found + $0 } } == rows.reduce(0, +))
        #expect(value("chronicle_search_hit_cache_rows") == missed)
        #expect(value("chronicle_search_hit_cache_bytes").map { $0 > 0 } == true)
    }

    @Test func listItemsCarryWhatTheSingleRecordsCarry() throws {
        // Lists read records in the query that pages them; their participants, citations and
        // speakers must still be those of the record itself, on every page.
        let api = try TestAPI()
        var events: [JSON] = []
        var target: String? = "/v1/events?limit=7&sort=-start"
        while let next = target {
            let reply = try api.get(next)
            events += reply.json.data
            target = reply.json["next"]?.stringValue.map { "/v1/events?limit=7&sort=-start&cursor=\($0)" }
        }
        #expect(events.count > 20)
        #expect(events.contains { !($0["participants"]?.arrayValue.isEmpty ?? true) })
        for event in events {
            let single = try api.get("/v1/events/\(try #require(event["id"]?.stringValue))").json
            #expect(event["participants"] == single["participants"] && event["citations"] == single["citations"])
            #expect(event["title"] == single["title"] && event["start"] == single["start"] && event["version"] == single["version"])
        }
        let quotes = try api.get("/v1/quotes?limit=500").json.data
        #expect(quotes.count >= 5)
        #expect(quotes.contains { $0["speaker"] != .null } && quotes.contains { $0["speaker"] == .null })
        for quote in quotes {
            #expect(quote == (try api.get("/v1/quotes/\(try #require(quote["id"]?.stringValue))").json))
        }
        let actors = try api.get("/v1/actors?limit=500").json.data
        #expect(actors.count > 10 && actors.contains { !($0["aliases"]?.arrayValue.isEmpty ?? true) })
        for actor in actors {
            let single = try api.get("/v1/actors/\(try #require(actor["id"]?.stringValue))").json
            #expect(actor["aliases"] == single["aliases"] && actor["name"] == single["name"] && actor["slug"] == single["slug"])
            #expect(actor["version"] == single["version"] && actor["wikidataId"] == single["wikidataId"])
        }
        let sources = try api.get("/v1/sources?limit=500").json.data
        #expect(!sources.isEmpty)
        for source in sources {
            #expect(source == (try api.get("/v1/sources/\(try #require(source["id"]?.stringValue))").json))
        }
    }

    @Test func lukashenkosEventsIn2022ComeWithHisRoles() throws {
        let api = try TestAPI()
        let reply = try api.get("/v1/actors/alexander-lukashenko/events?from=2022&to=2022&limit=100")
        #expect(reply.status == 200)
        let events = reply.json.data
        #expect(events.count >= 8)
        let skiing = try #require(events.first { $0["start"]?.stringValue == "2022-03-05" })
        #expect(skiing["roles"]?.arrayValue.compactMap(\.stringValue) == ["participant"])
        let talks = try #require(events.first { $0["start"]?.stringValue == "2022-02-28" && $0["title"]?.stringValue == "Lukashenko hosts mediation talks" })
        #expect(talks["roles"]?.arrayValue.compactMap(\.stringValue) == ["host"])
        let hosted = try api.get("/v1/events?actor=alexander-lukashenko&role=host&from=2022&to=2022").json.data
        #expect(hosted.count == 2)
    }

    @Test func hisQuotesAndTheEventsOfFebruary2022InDateOrder() throws {
        let api = try TestAPI()
        let quotes = try api.get("/v1/quotes?speaker=alexander-lukashenko").json.data
        #expect(quotes.map { $0["text"]?.stringValue } == ["will be there if needed"])
        #expect(quotes.first?["speaker"]?["name"]?.stringValue == "Alexander Lukashenko")
        let march = try api.get("/v1/quotes?speaker=alexander-lukashenko&from=2022-03&to=2022-03").json.data
        #expect(march.isEmpty)

        let february = try api.get("/v1/events?from=2022-02&to=2022-02&limit=500").json.data
        let starts = february.compactMap { $0["start"]?.stringValue }
        #expect(starts.contains("2022-02-24") && starts.contains("2022-02-27") && starts.contains("2022-02") && starts.contains("2022"))
        let earliest = february.compactMap { try? PartialDate(parsing: $0["start"]?.stringValue ?? "").earliest }
        #expect(earliest == earliest.sorted())
        #expect(!starts.contains("2022-03-04"))
        let descending = try api.get("/v1/events?from=2022-02&to=2022-02&sort=-start,title&limit=500").json.data
        #expect(descending.compactMap { $0["id"]?.stringValue }.count == february.count)
    }

    @Test func aSingleEventEmbedsParticipantsCitationsAndQuotes() throws {
        let api = try TestAPI()
        let list = try api.get("/v1/events?q=needed%20OR%20capitulating").json.data
        let id = try #require(list.first?["id"]?.stringValue)
        let event = try api.get("/v1/events/\(id)")
        #expect(event.status == 200)
        #expect(event.json["participants"]?.arrayValue.first?["name"]?.stringValue == "Alexander Lukashenko")
        let citations = event.json["citations"]?.arrayValue ?? []
        #expect(citations.contains { $0["title"]?.stringValue?.contains("uncomfortable bedfellow") == true })
        #expect(citations.contains { $0["title"]?.stringValue == "Belarus president accuses Ukraine of instigating the conflict" })
        #expect(event.json["quotes"]?.arrayValue.first?["text"]?.stringValue == "will be there if needed")
        #expect(try api.get("/v1/events/\(id)/quotes").json.data.count == 1)
    }

    @Test func everyListFilterNarrowsTheResults() throws {
        let api = try TestAPI()
        #expect(try api.get("/v1/actors?kind=country").json.data.count == 6)
        #expect(try api.get("/v1/actors?country=BY&kind=person").json.data.compactMap { $0["slug"]?.stringValue }.sorted()
            == ["alexander-lukashenko", "anatoli-liabedzka", "hienadz-korshunau"])
        #expect(try api.get("/v1/actors?q=Lukashenka").json.data.first?["slug"]?.stringValue == "alexander-lukashenko")
        #expect(try api.get("/v1/actors?wikidataId=Q1").json.data.isEmpty)
        #expect(try api.get("/v1/events?category=protest&country=BY").json.data.allSatisfy { $0["category"]?.stringValue == "protest" && $0["locationCountry"]?.stringValue == "BY" })
        #expect(try api.get("/v1/events?category=protest&country=BY").json.data.count == 2)
        #expect(try api.get("/v1/quotes?verification=verified").json.data.isEmpty)
        #expect(try api.get("/v1/quotes?language=en").json.data.count == 5)
        #expect(try api.get("/v1/quotes?q=dictator").json.data.count == 1)
        let event = try #require(try api.get("/v1/events?q=Liabedzka%20OR%20referendum%20OR%20Constitution&category=election").json.data.first?["id"]?.stringValue)
        #expect(try api.get("/v1/quotes?event=\(event)").json.data.count <= 1)
        #expect(try api.get("/v1/sources?publisher=Sky%20News").json.data.count == 1)
        #expect(try api.get("/v1/sources?q=bedfellow").json.data.count == 1)
    }

    /// What a source supports: the events and quotes citing it, and only those.
    @Test func eventsAndQuotesFilterByTheSourceTheyCite() throws {
        let api = try TestAPI()
        let article = try #require(try api.get("/v1/sources?limit=1").json.data.first?["id"]?.stringValue)
        let everyEvent = try api.get("/v1/events?limit=500").json.data
        let everyQuote = try api.get("/v1/quotes?limit=500").json.data
        let source = try api.request("POST", "/v1/sources", json: #"{"title":"Wire copy","publisher":"BelTA","published":"2022-03-04"}"#, token: api.writeToken)
        let sourceID = try #require(source.json["id"]?.stringValue)
        let actor = try #require(try api.get("/v1/actors/alexander-lukashenko").json["id"]?.stringValue)
        let event = try api.request("POST", "/v1/events", json: #"{"title":"Press conference","start":"2022-03-04","category":"statement","citations":[{"sourceId":"\#(sourceID)","excerpt":"He spoke."}]}"#,
                                    token: api.writeToken)
        let quote = try api.request("POST", "/v1/quotes", json: #"{"text":"We will see.","language":"en","speakerId":"\#(actor)","citations":[{"sourceId":"\#(sourceID)"},{"sourceId":"\#(article)"}]}"#,
                                    token: api.writeToken)
        #expect(event.status == 201 && quote.status == 201, "\(event.text) \(quote.text)")
        let eventID = try #require(event.json["id"]?.stringValue), quoteID = try #require(quote.json["id"]?.stringValue)

        #expect(try api.get("/v1/events?source=\(sourceID)").json.data.compactMap { $0["id"]?.stringValue } == [eventID])
        #expect(try api.get("/v1/quotes?source=\(sourceID)").json.data.compactMap { $0["id"]?.stringValue } == [quoteID])
        // The article supports what cites it, now the new quote too, and not the new event.
        let citing = { (record: JSON) in record["citations"]?.arrayValue.contains { $0["sourceId"]?.stringValue == article } == true }
        #expect(try Set(api.get("/v1/events?source=\(article)&limit=500").json.data.compactMap { $0["id"]?.stringValue })
            == Set(everyEvent.filter(citing).compactMap { $0["id"]?.stringValue }))
        #expect(try Set(api.get("/v1/quotes?source=\(article)&limit=500").json.data.compactMap { $0["id"]?.stringValue })
            == Set(everyQuote.filter(citing).compactMap { $0["id"]?.stringValue } + [quoteID]))
        // With other filters, and as CSV.
        #expect(try api.get("/v1/events?source=\(sourceID)&from=2023").json.data.isEmpty)
        #expect(try api.get("/v1/quotes?source=\(sourceID)&format=csv").text.split(separator: "\n").count == 2)

        let unknown = try api.get("/v1/quotes?source=src_nothing")
        #expect(unknown.status == 422 && unknown.refusedFields == ["source"])
        #expect(try api.get("/v1/events?source=src_nothing").refusedFields == ["source"])
    }

    /// `from` after `to` selects nothing (and a timeline would title itself "2022–2020"): it is a
    /// mistake to point out, on every route that takes both. A range whose ends overlap is not.
    @Test func aRangeWhoseFromIsAfterItsToIsRefused() throws {
        let api = try TestAPI()
        let routes = ["/v1/events", "/v1/quotes", "/v1/timeline", "/v1/actors/alexander-lukashenko/events", "/v1/actors/alexander-lukashenko/quotes"]
        for route in routes {
            for (query, from, to) in [("from=2023&to=2022", "2023", "2022"), ("from=2022-03-05&to=2022-03-04", "2022-03-05", "2022-03-04"), ("to=2022-02&from=2022-03", "2022-03", "2022-02")] {
                let reply = try api.get("\(route)?\(query)")
                #expect(reply.status == 422 && reply.refusedFields == ["from"], "\(route)?\(query): \(reply.status)")
                #expect(reply.json["errors"]?.arrayValue.first?["message"]?.stringValue == "from (\(from)) is after to (\(to)); swap them")
            }
            // Ends that may share a day are a range: March 2022 within 2022, one day.
            for query in ["from=2022-03&to=2022", "from=2022&to=2022-03", "from=2022-03-04&to=2022-03-04", "from=2022&to=2022"] {
                #expect(try api.get("\(route)?\(query)").status == 200, "\(route)?\(query)")
            }
        }
        #expect(try api.get("/v1/events?from=2023&to=2022&format=ndjson").refusedFields == ["from"])
    }

    /// `event=` names an event, like `speaker=` an actor: an unknown one is a field error, not an
    /// empty list that looks like an answer.
    @Test func anUnknownEventFilterIsAFieldError() throws {
        let api = try TestAPI()
        for target in ["/v1/quotes?event=evt_nope", "/v1/quotes?event=evt_nope&format=csv"] {
            let reply = try api.get(target)
            #expect(reply.status == 422 && reply.refusedFields == ["event"], "\(target): \(reply.status)")
            #expect(reply.json["errors"]?.arrayValue.first?["message"]?.stringValue?.hasPrefix("no event has id 'evt_nope'") == true)
        }
        let event = try #require(try api.get("/v1/events?q=capitulating&fields=id").json.data.first?["id"]?.stringValue)
        #expect(try api.get("/v1/quotes?event=\(event)").status == 200)
    }

    @Test func pagesFollowTheNextCursorAndLinkHeader() throws {
        let api = try TestAPI()
        var seen: [String] = []
        var target: String? = "/v1/events?limit=7&count=true"
        var total: Int?
        while let next = target {
            let reply = try api.get(next)
            #expect(reply.status == 200)
            total = reply.json["total"]?.intValue
            seen += reply.json.data.compactMap { $0["id"]?.stringValue }
            if let link = reply.headers["Link"] {
                #expect(link.hasSuffix("rel=\"next\"") && reply.json["next"]?.stringValue != nil)
                target = String(link.dropFirst().prefix { $0 != ">" })
            } else {
                #expect(reply.json["next"] == .null)
                target = nil
            }
        }
        #expect(Set(seen).count == seen.count && seen.count == total && total == 38)
    }

    @Test func fieldsChooseTheFieldsAndPrettyIsForPeople() throws {
        let api = try TestAPI()
        let compact = try api.get("/v1/actors/alexander-lukashenko?fields=id,name")
        #expect(compact.json.keys == ["id", "name"] && !compact.text.contains("\n"))
        #expect(try api.get("/v1/actors/alexander-lukashenko?pretty").text.contains("\n  \"slug\": \"alexander-lukashenko\""))
        #expect(try api.get("/v1/actors/alexander-lukashenko", headers: ["User-Agent": "curl/8.5.0"]).text.contains("\n  "))
        #expect(!(try api.get("/v1/actors/alexander-lukashenko?pretty=false", headers: ["User-Agent": "curl/8.5.0"]).text.contains("\n  ")))
        #expect(try api.get("/v1/actors?fields=slug&limit=2").json.data.allSatisfy { $0.keys == ["slug"] })
    }

    @Test func searchRanksAcrossTypesWithSnippets() throws {
        let api = try TestAPI()
        let hits = try api.get("/v1/search?q=Лукашенко").json.data
        #expect(hits.first?["type"]?.stringValue == "actor" && hits.first?["snippet"]?.stringValue?.contains("[Лукашенко]") == true)
        let mixed = try api.get("/v1/search?q=constitution&limit=20").json.data
        let types = Set(mixed.compactMap { $0["type"]?.stringValue })
        #expect(types.isSuperset(of: ["event", "quote"]))
        let eventsOnly = try api.get("/v1/search?q=constitution&type=event").json.data
        #expect(!eventsOnly.isEmpty && eventsOnly.allSatisfy { $0["type"]?.stringValue == "event" })
        #expect(try api.get("/v1/search?q=constitution&fields=type,id").json.data.allSatisfy { $0.keys == ["type", "id"] })
        let ranks = mixed.compactMap { if case .number(let n) = $0["rank"] { return n } else { return nil } }
        #expect(ranks == ranks.sorted())
    }

    @Test func etagsGive304AndChangeWithTheRecord() throws {
        let api = try TestAPI()
        let first = try api.get("/v1/actors/belarus")
        let tag = try #require(first.headers["ETag"])
        let again = try api.get("/v1/actors/belarus", headers: ["If-None-Match": tag])
        #expect(again.status == 304 && again.body.isEmpty && again.headers["ETag"] == tag)
        // Caches may keep records and lists but must ask again (a corrected fact is never served stale).
        #expect(first.headers["Cache-Control"] == "no-cache" && again.headers["Cache-Control"] == "no-cache")
        let list = try api.get("/v1/events?limit=5")
        #expect(list.headers["Cache-Control"] == "no-cache")
        #expect(try api.get("/v1/events/\(try #require(list.json.data.first?["id"]?.stringValue))").headers["Cache-Control"] == "no-cache")
        let listTag = try #require(list.headers["ETag"])
        #expect(try api.get("/v1/events?limit=5", headers: ["If-None-Match": listTag]).status == 304)
        let id = try #require(first.json["id"]?.stringValue)
        _ = try api.request("PATCH", "/v1/actors/\(id)", json: #"{"description":"A country in Eastern Europe"}"#, token: api.writeToken)
        #expect(try api.get("/v1/actors/belarus", headers: ["If-None-Match": tag]).status == 200)
        #expect(try api.get("/v1/events?limit=5", headers: ["If-None-Match": listTag]).status == 304)
    }

    @Test func headAnswersLikeGetWithoutABody() throws {
        let api = try TestAPI()
        let head = try api.request("HEAD", "/v1/actors/belarus")
        let get = try api.get("/v1/actors/belarus")
        // The reply is read until the server closes: a HEAD must send nothing after its head.
        #expect(head.status == 200 && head.body.isEmpty && head.headers["Content-Length"] == get.headers["Content-Length"], "\(head.body.count) bytes")
        #expect(get.body.count == Int(get.headers["Content-Length"] ?? "") && !get.body.isEmpty)
    }

    /// A second read of an event is answered from the body rendered by the first, and a write
    /// (to the event or to something it embeds) is visible at once.
    @Test func repeatedEventReadsAreServedFromRenderedBodiesAndNeverStale() throws {
        let api = try TestAPI()
        func lookups() throws -> (hits: Int, misses: Int) {
            let text = try api.get("/metrics").text
            func value(_ result: String) -> Int {
                let prefix = "chronicle_rendered_records_lookups_total{result=\"\(result)\"} "
                return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Int($0.dropFirst(prefix.count)) } ?? -1
            }
            return (value("hit"), value("miss"))
        }
        let id = try #require(try api.get("/v1/events?limit=1").json.data.first?["id"]?.stringValue)
        let first = try api.get("/v1/events/\(id)")
        #expect(try lookups() == (0, 1))
        let second = try api.get("/v1/events/\(id)")
        #expect(try lookups() == (1, 1))
        #expect(second.status == 200 && second.body == first.body && second.headers["ETag"] == first.headers["ETag"])
        #expect(second.headers["Content-Type"] == "application/json")
        // The kept body is the one the full path renders.
        #expect(try api.get("/v1/events/\(id)?pretty=false", headers: ["User-Agent": "curl/8"]).body == first.body)
        #expect(try api.get("/v1/events/\(id)", headers: ["If-None-Match": first.headers["ETag"] ?? ""]).status == 304)

        let patched = try api.request("PATCH", "/v1/events/\(id)", json: #"{"summary":"Revised by the desk."}"#, token: api.writeToken)
        #expect(patched.status == 200)
        let after = try api.get("/v1/events/\(id)")
        #expect(after.json["summary"]?.stringValue == "Revised by the desk." && after.headers["ETag"] == patched.headers["ETag"])
        let quote = try api.request("POST", "/v1/quotes", json: #"{"text":"added later","language":"en","eventId":"\#(id)"}"#, token: api.writeToken)
        #expect(quote.status == 201)
        #expect(try api.get("/v1/events/\(id)").json["quotes"]?.arrayValue.contains { $0["text"]?.stringValue == "added later" } == true)
        #expect(try api.get("/v1/events/evt_doesnotexist").status == 404)
    }

    @Test func renderedBodiesCanBeTurnedOff() throws {
        let api = try TestAPI { $0.renderedRecordBytes = 0 }
        let id = try #require(try api.get("/v1/events?limit=1").json.data.first?["id"]?.stringValue)
        let first = try api.get("/v1/events/\(id)")
        #expect(try api.get("/v1/events/\(id)").body == first.body)
        #expect(try api.get("/metrics").text.contains(#"chronicle_rendered_records_lookups_total{result="miss"} 0"#))
    }
}

/// The value of a metric's sample line (`name value`, or `name{labels} value` when the labels
/// are given), never its `# HELP` or `# TYPE` line.
func sample(_ text: String, _ name: String) -> Double? {
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        let parts = line.split(separator: " ")
        if parts.count == 2, parts[0] == name { return Double(parts[1]) }
    }
    return nil
}
