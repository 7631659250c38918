import Chronicle
@testable import ChronicleAPI
import Foundation
import Testing

@Suite struct WriteTests {
    @Test func createReadPatchAndDeleteEveryKind() throws {
        let api = try TestAPI(seed: false)
        let source = try api.request("POST", "/v1/sources", json: #"{"title":"Interview","publisher":"Desk","published":"2022-03","url":"https://example.org/i"}"#, token: api.writeToken)
        #expect(source.status == 201)
        let sourceID = try #require(source.json["id"]?.stringValue)
        #expect(source.headers["Location"] == "/v1/sources/\(sourceID)")

        let actor = try api.request("POST", "/v1/actors", json: #"{"kind":"person","name":"Alexander Lukashenko","aliases":[{"name":"Лукашенко","language":"ru"}],"country":"BY"}"#, token: api.writeToken)
        #expect(actor.status == 201 && actor.json["slug"]?.stringValue == "alexander-lukashenko")
        let actorID = try #require(actor.json["id"]?.stringValue)

        let event = try api.request("POST", "/v1/events", json: """
            {"title":"Talks","start":"2022-02-28","category":"diplomacy","participants":[{"actorId":"\(actorID)","role":"host"}],
             "citations":[{"sourceId":"\(sourceID)","excerpt":"hosting mediation talks"}]}
            """, token: api.writeToken)
        #expect(event.status == 201 && event.json["startPrecision"]?.stringValue == "day")
        let eventID = try #require(event.json["id"]?.stringValue)

        let quote = try api.request("POST", "/v1/quotes", json: """
            {"text":"will be there if needed","language":"en","speakerId":"\(actorID)","said":"2022-02-24","eventId":"\(eventID)","citations":[{"sourceId":"\(sourceID)"}]}
            """, token: api.writeToken)
        #expect(quote.status == 201 && quote.json["speaker"]?["name"]?.stringValue == "Alexander Lukashenko")
        let quoteID = try #require(quote.json["id"]?.stringValue)

        let patched = try api.request("PATCH", "/v1/quotes/\(quoteID)", json: #"{"verification":"verified","context":null}"#, token: api.writeToken)
        #expect(patched.status == 200 && patched.json["verification"]?.stringValue == "verified" && patched.json["version"]?.intValue == 2)
        #expect(patched.json["text"]?.stringValue == "will be there if needed")
        #expect(try api.get("/v1/quotes/\(quoteID)").json["verification"]?.stringValue == "verified")

        let slugPatch = try api.request("PATCH", "/v1/actors/alexander-lukashenko", json: #"{"description":"President of Belarus"}"#, token: api.writeToken,
                                        headers: ["Content-Type": "application/merge-patch+json"])
        #expect(slugPatch.status == 200 && slugPatch.json["aliases"]?.arrayValue.count == 1)

        #expect(try api.request("DELETE", "/v1/actors/\(actorID)", token: api.writeToken).status == 409)
        #expect(try api.request("DELETE", "/v1/sources/\(sourceID)", token: api.writeToken).status == 409)
        #expect(try api.request("DELETE", "/v1/quotes/\(quoteID)", token: api.writeToken).status == 204)
        #expect(try api.request("DELETE", "/v1/events/\(eventID)", token: api.writeToken).status == 204)
        #expect(try api.request("DELETE", "/v1/actors/\(actorID)", token: api.writeToken).status == 204)
        #expect(try api.request("DELETE", "/v1/sources/\(sourceID)?cascade=true", token: api.writeToken).status == 204)
        // Deleted records answer 410 Gone, saying who deleted them; ids never seen stay 404.
        #expect(try api.get("/v1/quotes/\(quoteID)").status == 410)
        #expect(try api.get("/v1/actors/\(actorID)").status == 410)
        #expect(try api.get("/v1/actors/act_neverexisted").status == 404)
    }

    /// An event shows its participants' names, its sources and its quotes; a quote shows its
    /// speaker and sources. A change to any of them is a new representation, so the ETag must
    /// change with it, or `If-None-Match` would answer 304 to a client holding the old one.
    @Test func embeddedChangesGiveTheEmbeddingRecordANewETag() throws {
        let api = try TestAPI(seed: false)
        func post(_ path: String, _ json: String) throws -> String {
            let reply = try api.request("POST", path, json: json, token: api.writeToken)
            #expect(reply.status == 201, "\(path): \(reply.text)")
            return try #require(reply.json["id"]?.stringValue)
        }
        let sourceID = try post("/v1/sources", #"{"title":"Wire report"}"#)
        let actorID = try post("/v1/actors", #"{"kind":"person","name":"Anna Speaker"}"#)
        let eventID = try post("/v1/events", """
            {"title":"Talks","start":"2022-02-28","category":"diplomacy","participants":[{"actorId":"\(actorID)","role":"host"}],
             "citations":[{"sourceId":"\(sourceID)"}]}
            """)
        let otherEventID = try post("/v1/events", #"{"title":"Other talks","start":"2022-03-01","category":"diplomacy"}"#)

        /// Runs a write and checks that each path's ETag changed and its old tag no longer gets 304.
        func expectNewTags(_ paths: [String], _ label: String, after write: () throws -> Void) throws {
            let before = try paths.map { try #require(try api.get($0).headers["ETag"]) }
            try write()
            for (path, tag) in zip(paths, before) {
                let reply = try api.get(path, headers: ["If-None-Match": tag])
                #expect(reply.status == 200 && reply.headers["ETag"] != tag, "\(label): \(path) kept \(tag)")
            }
        }
        var quoteID = ""
        try expectNewTags(["/v1/events/\(eventID)"], "quote created") {
            quoteID = try post("/v1/quotes", #"{"text":"we will talk","language":"en","speakerId":"\#(actorID)","eventId":"\#(eventID)","citations":[{"sourceId":"\#(sourceID)"}]}"#)
        }
        #expect(try api.get("/v1/events/\(eventID)").json["quotes"]?.arrayValue.count == 1)
        try expectNewTags(["/v1/events/\(eventID)", "/v1/events/\(otherEventID)"], "quote moved to another event") {
            let status = try api.request("PATCH", "/v1/quotes/\(quoteID)", json: #"{"eventId":"\#(otherEventID)"}"#, token: api.writeToken).status
            #expect(status == 200)
        }
        try expectNewTags(["/v1/events/\(eventID)", "/v1/events/\(otherEventID)", "/v1/quotes/\(quoteID)"], "speaker renamed") {
            let status = try api.request("PATCH", "/v1/actors/\(actorID)", json: #"{"name":"Anna Renamed"}"#, token: api.writeToken).status
            #expect(status == 200)
        }
        #expect(try api.get("/v1/events/\(otherEventID)").json["quotes"]?.arrayValue.first?["speaker"]?["name"]?.stringValue == "Anna Renamed")
        try expectNewTags(["/v1/events/\(eventID)", "/v1/events/\(otherEventID)", "/v1/quotes/\(quoteID)"], "source retitled") {
            let status = try api.request("PATCH", "/v1/sources/\(sourceID)", json: #"{"title":"Wire report, corrected"}"#, token: api.writeToken).status
            #expect(status == 200)
        }
        // A change the embedding records do not show leaves their tags alone.
        let unchanged = try #require(try api.get("/v1/events/\(eventID)").headers["ETag"])
        #expect(try api.request("PATCH", "/v1/actors/\(actorID)", json: #"{"description":"Negotiator"}"#, token: api.writeToken).status == 200)
        #expect(try api.get("/v1/events/\(eventID)", headers: ["If-None-Match": unchanged]).status == 304)
        try expectNewTags(["/v1/events/\(otherEventID)"], "quote deleted") {
            let status = try api.request("DELETE", "/v1/quotes/\(quoteID)", token: api.writeToken).status
            #expect(status == 204)
        }
    }

    /// A body names actors by slug as filters and imports do; what names nothing is still refused.
    @Test func bodiesNameActorsByIdOrSlug() throws {
        let api = try TestAPI()
        let lukashenko = try #require(try api.get("/v1/actors/alexander-lukashenko").json["id"]?.stringValue)
        let quote = try api.request("POST", "/v1/quotes", json: #"{"text":"By slug.","language":"en","speakerId":"alexander-lukashenko"}"#, token: api.writeToken)
        #expect(quote.status == 201 && quote.json["speaker"]?["id"]?.stringValue == lukashenko, "\(quote.text)")
        let event = try api.request("POST", "/v1/events", json: #"{"title":"By slug","start":"2022","participants":[{"actorId":"alexander-lukashenko","role":"host"}]}"#, token: api.writeToken)
        #expect(event.status == 201 && event.json["participants"]?.arrayValue.first?["actorId"]?.stringValue == lukashenko, "\(event.text)")
        let id = try #require(quote.json["id"]?.stringValue)
        let patched = try api.request("PATCH", "/v1/quotes/\(id)", json: #"{"speakerId":"vladimir-putin"}"#, token: api.writeToken)
        #expect(patched.status == 200 && patched.json["speaker"]?["name"]?.stringValue == "Vladimir Putin")
        let unknown = try api.request("POST", "/v1/quotes", json: #"{"text":"Nobody.","language":"en","speakerId":"no-such-slug"}"#, token: api.writeToken)
        #expect(unknown.status == 422 && unknown.refusedFields == ["speakerId"], "\(unknown.text)")
    }

    @Test func cascadeDeletesWhatReferstoTheRecord() throws {
        let api = try TestAPI(seed: false)
        let actorID = try #require(try api.request("POST", "/v1/actors", json: #"{"kind":"group","name":"Opposition"}"#, token: api.writeToken).json["id"]?.stringValue)
        let quote = try api.request("POST", "/v1/quotes", json: #"{"text":"x","language":"en","speakerId":"\#(actorID)"}"#, token: api.writeToken)
        let refused = try api.request("DELETE", "/v1/actors/\(actorID)", token: api.writeToken)
        #expect(refused.status == 409 && refused.json["detail"]?.stringValue?.contains("1 quote") == true)
        // It names the parameter that does it.
        #expect(refused.json["detail"]?.stringValue?.hasSuffix("remove those first or delete with ?cascade=true") == true, "\(refused.text)")
        #expect(try api.request("DELETE", "/v1/actors/\(actorID)?cascade=true", token: api.writeToken).status == 204)
        // The quote went with its speaker, and its tombstone says so.
        let gone = try api.get("/v1/quotes/\(quote.json["id"]?.stringValue ?? "")")
        #expect(gone.status == 410 && gone.json["deletedBy"]?.stringValue == "writer")
    }

    @Test func newlinesAndTabsAreStoredWholeAndNULIsRefused() throws {
        let api = try TestAPI(seed: false)
        let created = try api.request("POST", "/v1/quotes", json: #"{"text":"first line\nsecond\tcolumn","language":"en"}"#, token: api.writeToken)
        #expect(created.status == 201)
        let id = try #require(created.json["id"]?.stringValue)
        #expect(try api.get("/v1/quotes/\(id)").json["text"]?.stringValue == "first line\nsecond\tcolumn")
        let nul = try api.request("POST", "/v1/quotes", json: #"{"text":"before\u0000after","language":"en"}"#, token: api.writeToken)
        #expect(nul.status == 422 && nul.text.contains("NUL"))
    }

    @Test func writesNeedAWriteToken() throws {
        let api = try TestAPI(seed: false)
        let body = #"{"kind":"person","name":"Somebody"}"#
        let missing = try api.request("POST", "/v1/actors", json: body)
        #expect(missing.status == 401 && missing.headers["WWW-Authenticate"]?.hasPrefix("Bearer") == true)
        #expect(missing.headers["Content-Type"] == "application/problem+json")
        #expect(try api.request("POST", "/v1/actors", json: body, token: "chr_wrong").status == 401)
        #expect(try api.request("POST", "/v1/actors", json: body, headers: ["Authorization": "Basic abc"]).status == 401)
        #expect(try api.request("POST", "/v1/actors", json: body, token: api.readToken).status == 403)
        #expect(try api.request("POST", "/v1/actors", json: body, token: api.writeToken).status == 201)
        _ = try api.database.tokens.revoke("writer")
        #expect(try api.request("POST", "/v1/actors", json: #"{"kind":"person","name":"Other"}"#, token: api.writeToken).status == 401)
        #expect(try api.get("/v1/actors").status == 200)
    }

    @Test func readsCanRequireATokenToo() throws {
        let api = try TestAPI(seed: false) { $0.requireTokenForReads = true }
        #expect(try api.get("/v1/actors").status == 401)
        #expect(try api.request("GET", "/v1/actors", token: api.readToken).status == 200)
        #expect(try api.get("/healthz").status == 200)
        // Routes declared open need no token, whether they run on the loop or not.
        for path in ["/metrics", "/readyz", "/openapi.yaml", "/"] { #expect(try api.get(path).status == 200, "\(path)") }
    }

    @Test func validationErrorsListEveryField() throws {
        let api = try TestAPI(seed: false)
        let reply = try api.request("POST", "/v1/events", json: """
            {"title":42,"start":"2022-02-30","end":"22-02","category":"party","participants":[{"actorId":"act_nobody","role":"host"},{"role":"boss"}],"colour":"red","id":"x"}
            """, token: api.writeToken)
        #expect(reply.status == 422 && reply.headers["Content-Type"] == "application/problem+json")
        let fields = Set(reply.json["errors"]?.arrayValue.compactMap { $0["field"]?.stringValue } ?? [])
        #expect(fields == ["title", "start", "end", "category", "participants[1].actorId", "participants[1].role", "colour", "id"])
        let message = reply.json["errors"]?.arrayValue.first { $0["field"]?.stringValue == "start" }?["message"]?.stringValue
        #expect(message?.contains("day 30 does not exist") == true)

        let unknownActor = try api.request("POST", "/v1/events", json: #"{"title":"t","start":"2022","participants":[{"actorId":"act_nobody","role":"host"}]}"#, token: api.writeToken)
        #expect(unknownActor.status == 422 && unknownActor.json["errors"]?.arrayValue.first?["field"]?.stringValue == "participants[0].actorId")

        let long = String(repeating: "x", count: 600)
        let oversized = try api.request("POST", "/v1/actors", json: #"{"kind":"person","name":"\#(long)"}"#, token: api.writeToken)
        #expect(oversized.status == 422 && oversized.json["errors"]?.arrayValue.first?["field"]?.stringValue == "name")
        let wrongType = try api.request("POST", "/v1/quotes", json: #"{"text":["a"],"language":"en"}"#, token: api.writeToken)
        #expect(wrongType.status == 422 && wrongType.refusedFields == ["text"], "\(wrongType.text)")
        let notObject = try api.request("POST", "/v1/quotes", json: #"[1,2]"#, token: api.writeToken)
        #expect(notObject.status == 422 && notObject.refusedFields.first == "body", "\(notObject.text)")
        let country = try api.request("POST", "/v1/actors", json: #"{"kind":"person","name":"A","country":"Belarus"}"#, token: api.writeToken)
        #expect(country.status == 422 && country.refusedFields == ["country"], "\(country.text)")
    }

    @Test func malformedJSONIs400AndOtherMediaTypes415() throws {
        let api = try TestAPI(seed: false)
        for body in [#"{"kind":"person","#, "", "{'a':1}", #"{"a":1}x"#, String(repeating: "[", count: 100) + String(repeating: "]", count: 100)] {
            let reply = try api.request("POST", "/v1/actors", json: body, token: api.writeToken)
            #expect(reply.status == 400, "body \(body.prefix(20))")
            #expect(reply.json["detail"]?.stringValue?.contains("not valid JSON") == true)
        }
        let form = try api.request("POST", "/v1/actors", json: #"{"kind":"person","name":"A"}"#, token: api.writeToken, headers: ["Content-Type": "text/plain"])
        #expect(form.status == 415)
    }

    @Test func ifMatchGuardsAgainstLostUpdates() throws {
        let api = try TestAPI(seed: false)
        let created = try api.request("POST", "/v1/actors", json: #"{"kind":"person","name":"A"}"#, token: api.writeToken)
        let id = try #require(created.json["id"]?.stringValue)
        let tag = try #require(created.headers["ETag"])
        let first = try api.request("PATCH", "/v1/actors/\(id)", json: #"{"description":"first"}"#, token: api.writeToken, headers: ["If-Match": tag])
        #expect(first.status == 200 && first.headers["ETag"] != tag)
        let stale = try api.request("PATCH", "/v1/actors/\(id)", json: #"{"description":"second"}"#, token: api.writeToken, headers: ["If-Match": tag])
        #expect(stale.status == 412)
        #expect(try api.get("/v1/actors/\(id)").json["description"]?.stringValue == "first")
        #expect(try api.request("DELETE", "/v1/actors/\(id)", token: api.writeToken, headers: ["If-Match": tag]).status == 412)
        #expect(try api.request("DELETE", "/v1/actors/\(id)", token: api.writeToken, headers: ["If-Match": first.headers["ETag"] ?? ""]).status == 204)
    }

    @Test func routesMethodsAndParametersAreChecked() throws {
        let api = try TestAPI()
        #expect(try api.get("/v1/nothing").status == 404)
        #expect(try api.get("/v1/events/evt_missing").status == 404)
        let wrong = try api.request("PUT", "/v1/events", json: "{}", token: api.writeToken)
        #expect(wrong.status == 405 && wrong.headers["Allow"] == "GET, POST, HEAD")
        let typo = try api.get("/v1/events?form=2022")
        #expect(typo.status == 422 && typo.json["errors"]?.arrayValue.first?["field"]?.stringValue == "form")
        // Each refusal names the parameter to fix.
        for (target, field) in [("/v1/events?limit=0", "limit"), ("/v1/events?limit=501", "limit"), ("/v1/events?from=2022-13", "from"),
                                ("/v1/events?sort=colour", "sort"), ("/v1/events?cursor=nonsense", "cursor"), ("/v1/events?fields=nope", "fields"),
                                ("/v1/events?actor=nobody", "actor"), ("/v1/search?q=%22unbalanced", "q"), ("/v1/search", "q"),
                                ("/v1/search?q=x&type=planet", "type")] {
            let reply = try api.get(target)
            #expect(reply.status == 422 && reply.refusedFields == [field], "\(target): \(reply.status) \(reply.text)")
        }
    }

    @Test func corsPreflightIsAnsweredForAllowedOriginsOnly() throws {
        let api = try TestAPI(seed: false) { $0.allowedOrigins = ["https://desk.example"] }
        let preflight = try api.request("OPTIONS", "/v1/quotes", headers: ["Origin": "https://desk.example", "Access-Control-Request-Method": "POST",
                                                                           "Access-Control-Request-Headers": "authorization, content-type"])
        #expect(preflight.status == 204 && preflight.headers["Access-Control-Allow-Origin"] == "https://desk.example")
        #expect(preflight.headers["Access-Control-Allow-Methods"]?.contains("PATCH") == true)
        #expect(preflight.headers["Access-Control-Allow-Headers"]?.contains("Authorization") == true)
        let simple = try api.get("/v1/quotes", headers: ["Origin": "https://desk.example"])
        #expect(simple.headers["Access-Control-Allow-Origin"] == "https://desk.example" && simple.headers["Access-Control-Expose-Headers"]?.contains("ETag") == true)
        let other = try api.request("OPTIONS", "/v1/quotes", headers: ["Origin": "https://evil.example", "Access-Control-Request-Method": "POST"])
        #expect(other.status == 403 && other.headers["Access-Control-Allow-Origin"] == nil)
        #expect(try api.get("/v1/quotes", headers: ["Origin": "https://evil.example"]).headers["Access-Control-Allow-Origin"] == nil)
        let plain = try api.request("OPTIONS", "/v1/quotes")
        #expect(plain.status == 204 && plain.headers["Allow"]?.contains("POST") == true)
    }

    @Test func requestIdsAreEchoedOrAssigned() throws {
        let api = try TestAPI(seed: false)
        #expect(try api.get("/v1/actors", headers: ["X-Request-Id": "desk-tool-42"]).headers["X-Request-Id"] == "desk-tool-42")
        let problem = try api.get("/v1/actors/missing")
        let id = try #require(problem.headers["X-Request-Id"])
        #expect(problem.json["requestId"]?.stringValue == id)
    }
}
