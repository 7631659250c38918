import Chronicle
@testable import ChronicleAPI
import Foundation
import HTTP
import Testing

/// schema.org JSON-LD on records and lists: `Accept: application/ld+json` or `format=jsonld`.
@Suite struct LinkedDataTests {
    static let linkedData = ["Accept": "application/ld+json"]

    /// Creates a record and returns its id.
    func create(_ api: TestAPI, _ path: String, _ json: String) throws -> String {
        let reply = try api.request("POST", path, json: json, token: api.writeToken)
        #expect(reply.status == 201, "\(reply.text)")
        return try #require(reply.json["id"]?.stringValue)
    }

    /// The `@id`s of the nodes a property refers to.
    func referenced(_ node: JSON, _ property: String) -> [String] {
        node[property]?.arrayValue.compactMap { $0["@id"]?.stringValue } ?? []
    }

    @Test func eventsAreSchemaOrgEventsWithDatesAtTheirOwnPrecision() throws {
        let api = try TestAPI()
        let source = try create(api, "/v1/sources", #"{"title":"Court record","url":"https://example.org/court","publisher":"Desk"}"#)
        let cases = [("2014", nil, "year"), ("2022-03", "2022-05", "month"), ("2022-02-24", nil, "day")]
        for (start, end, precision) in cases {
            let endField = end.map { #","end":"\#($0)""# } ?? ""
            let id = try create(api, "/v1/events", """
                {"title":"A \(precision) event","summary":"What happened.","start":"\(start)"\(endField),"locationName":"Minsk","locationCountry":"BY",
                 "category":"protest","citations":[{"sourceId":"\(source)"}]}
                """)
            let reply = try api.get("/v1/events/\(id)", headers: Self.linkedData)
            #expect(reply.status == 200 && reply.headers["Content-Type"] == "application/ld+json")
            let node = reply.json
            #expect(node.keys.prefix(4) == ["@context", "@type", "@id", "identifier"])
            #expect(node["@context"]?.stringValue == "https://schema.org")
            #expect(node["@type"]?.stringValue == "Event")
            #expect(node["@id"]?.stringValue == "http://test/v1/events/\(id)")
            #expect(node["identifier"]?.stringValue == id)
            #expect(node["name"]?.stringValue == "A \(precision) event" && node["description"]?.stringValue == "What happened.")
            // Exactly the precision the record has: no day invented for a month, no month for a year.
            #expect(node["startDate"]?.stringValue == start)
            #expect(node["endDate"]?.stringValue == end)
            #expect(node["location"]?["@type"]?.stringValue == "Place" && node["location"]?["name"]?.stringValue == "Minsk")
            #expect(node["location"]?["address"]?["addressCountry"]?.stringValue == "BY")
            #expect(node["keywords"]?.stringValue == "protest")
            let cited = try #require(node["subjectOf"]?.arrayValue.first)
            #expect(cited["@type"]?.stringValue == "CreativeWork" && cited["@id"]?.stringValue == "http://test/v1/sources/\(source)")
            #expect(cited["name"]?.stringValue == "Court record" && cited["url"]?.stringValue == "https://example.org/court")
        }
    }

    /// Every role is listed under its documented property (README, openapi.yaml).
    @Test func participantsAreListedUnderThePropertyTheirRoleMapsTo() throws {
        let expected: [ParticipantRole: String] = [
            .initiator: "performer", .organizer: "organizer", .host: "organizer", .mediator: "contributor",
            .participant: "attendee", .observer: "attendee", .target: "about", .victim: "about",
        ]
        #expect(Set(expected.keys) == Set(ParticipantRole.allCases))
        for role in ParticipantRole.allCases { #expect(EventRoleProperty(role).rawValue == expected[role]) }

        let api = try TestAPI()
        var actors: [ParticipantRole: String] = [:]
        for role in ParticipantRole.allCases {
            actors[role] = try create(api, "/v1/actors", #"{"kind":"person","name":"Actor as \#(role.rawValue)"}"#)
        }
        let participants = ParticipantRole.allCases.map { #"{"actorId":"\#(actors[$0]!)","role":"\#($0.rawValue)"}"# }.joined(separator: ",")
        let event = try create(api, "/v1/events", #"{"title":"Every role","start":"2022","participants":[\#(participants)]}"#)
        let node = try api.get("/v1/events/\(event)?format=jsonld").json
        for role in ParticipantRole.allCases {
            let property = try #require(expected[role])
            #expect(referenced(node, property).contains("http://test/v1/actors/\(actors[role]!)"), "\(role) under \(property)")
        }
        let organizers = try #require(node["organizer"]?.arrayValue)
        #expect(organizers.count == 2 && organizers[0]["name"]?.stringValue?.hasPrefix("Actor as ") == true)
    }

    @Test func actorsArePersonsOrganizationsOrCountriesWithAliasesAndWikidata() throws {
        let api = try TestAPI(seed: false)
        let expected = [("person", "Person"), ("organization", "Organization"), ("country", "Country"), ("group", "Organization")]
        for (index, (kind, type)) in expected.enumerated() {
            let id = try create(api, "/v1/actors", """
                {"kind":"\(kind)","name":"Actor \(index)","aliases":[{"name":"Актор \(index)","language":"ru"},{"name":"A\(index)"}],
                 "description":"About actor \(index).","country":"BY","wikidataId":"Q\(9_000 + index)"}
                """)
            let node = try api.get("/v1/actors/\(id)?format=jsonld").json
            #expect(node["@type"]?.stringValue == type, "\(kind)")
            #expect(node["@id"]?.stringValue == "http://test/v1/actors/\(id)" && node["identifier"]?.stringValue == id)
            #expect(node["name"]?.stringValue == "Actor \(index)" && node["description"]?.stringValue == "About actor \(index).")
            let aliases = node["alternateName"]?.arrayValue ?? []
            #expect(aliases.count == 2)
            #expect(aliases.first?["@value"]?.stringValue == "Актор \(index)" && aliases.first?["@language"]?.stringValue == "ru")
            #expect(aliases.last?.stringValue == "A\(index)")
            #expect(node["sameAs"]?.stringValue == "https://www.wikidata.org/wiki/Q\(9_000 + index)")
            let country = kind == "person" ? node["nationality"]?["address"] : node["address"]
            #expect(country?["addressCountry"]?.stringValue == "BY", "\(kind)")
        }
    }

    @Test func quotesAreQuotationsBySpeakerBasedOnTheirSources() throws {
        let api = try TestAPI()
        let source = try create(api, "/v1/sources", #"{"title":"Transcript","url":"https://example.org/t"}"#)
        let speaker = try create(api, "/v1/actors", #"{"kind":"person","name":"Speaker One"}"#)
        let event = try create(api, "/v1/events", #"{"title":"Press conference","start":"2022-03-04"}"#)
        let quote = try create(api, "/v1/quotes", """
            {"text":"We will see.","language":"en","speakerId":"\(speaker)","said":"2022-03","eventId":"\(event)","context":"Asked about talks",
             "citations":[{"sourceId":"\(source)"}]}
            """)
        let node = try api.get("/v1/quotes/\(quote)", headers: Self.linkedData).json
        #expect(node["@type"]?.stringValue == "Quotation" && node["@id"]?.stringValue == "http://test/v1/quotes/\(quote)")
        #expect(node["text"]?.stringValue == "We will see." && node["inLanguage"]?.stringValue == "en")
        #expect(node["spokenByCharacter"]?["@id"]?.stringValue == "http://test/v1/actors/\(speaker)")
        #expect(node["spokenByCharacter"]?["name"]?.stringValue == "Speaker One")
        #expect(node["dateCreated"]?.stringValue == "2022-03")
        #expect(node["description"]?.stringValue == "Asked about talks")
        #expect(node["about"]?["@id"]?.stringValue == "http://test/v1/events/\(event)")
        #expect(referenced(node, "isBasedOn") == ["http://test/v1/sources/\(source)"])
        #expect(node["isBasedOn"]?.arrayValue.first?["name"]?.stringValue == "Transcript")

        // No speaker and no date: the properties are left out, not null.
        let anonymous = try create(api, "/v1/quotes", #"{"text":"Nobody said this.","language":"en"}"#)
        let bare = try api.get("/v1/quotes/\(anonymous)?format=jsonld").json
        #expect(bare["spokenByCharacter"] == nil && bare["dateCreated"] == nil && bare["isBasedOn"] == nil && bare["about"] == nil)
    }

    @Test func sourcesAreCreativeWorks() throws {
        let api = try TestAPI(seed: false)
        let id = try create(api, "/v1/sources", #"{"title":"Interview","url":"https://example.org/i","publisher":"Desk","author":"A. Writer","published":"2022-03"}"#)
        let node = try api.get("/v1/sources/\(id)?format=jsonld").json
        #expect(node["@type"]?.stringValue == "CreativeWork" && node["@id"]?.stringValue == "http://test/v1/sources/\(id)")
        #expect(node["name"]?.stringValue == "Interview" && node["url"]?.stringValue == "https://example.org/i")
        #expect(node["publisher"]?["@type"]?.stringValue == "Organization" && node["publisher"]?["name"]?.stringValue == "Desk")
        #expect(node["author"]?["name"]?.stringValue == "A. Writer")
        #expect(node["datePublished"]?.stringValue == "2022-03")
    }

    /// Every `@id` in every list of the built-in dataset answers 200 on this server.
    @Test func everyIdResolvesOnThisServer() throws {
        let api = try TestAPI()
        var ids = Set<String>()
        func collect(_ json: JSON) {
            switch json {
            case .object(let fields):
                for (key, value) in fields { if key == "@id", let id = value.stringValue { ids.insert(id) } else { collect(value) } }
            case .array(let items): items.forEach(collect)
            default: break
            }
        }
        for list in ["/v1/events", "/v1/actors", "/v1/quotes", "/v1/sources"] {
            let reply = try api.get("\(list)?format=jsonld&limit=500")
            #expect(reply.status == 200 && reply.json["@graph"]?.arrayValue.isEmpty == false, "\(list)")
            collect(reply.json)
        }
        #expect(ids.count > 50)
        for id in ids.sorted() {
            #expect(id.hasPrefix("http://test/v1/"), "\(id)")
            let path = String(id.dropFirst("http://test".count))
            #expect(try api.get(path).status == 200, "\(id)")
        }
    }

    @Test func listsAreGraphsOfThePageWithTheNextPageInTheLinkHeader() throws {
        let api = try TestAPI()
        let first = try api.get("/v1/events?format=jsonld&limit=2")
        #expect(first.status == 200 && first.headers["Content-Type"] == "application/ld+json")
        #expect(first.json.keys == ["@context", "@graph"])
        let graph = first.json["@graph"]?.arrayValue ?? []
        #expect(graph.count == 2 && graph.allSatisfy { $0["@type"]?.stringValue == "Event" })
        // The same records, in the same order, as the JSON page.
        let json = try api.get("/v1/events?limit=2").json.data.compactMap { $0["id"]?.stringValue }
        #expect(graph.compactMap { $0["identifier"]?.stringValue } == json)
        let link = try #require(first.headers["Link"])
        #expect(link.contains("format=jsonld") && link.hasSuffix("rel=\"next\""))
        let next = String(link.dropFirst().prefix { $0 != ">" })
        let second = try api.get(next)
        #expect(second.headers["Content-Type"] == "application/ld+json")
        let secondIDs = second.json["@graph"]?.arrayValue.compactMap { $0["identifier"]?.stringValue } ?? []
        #expect(secondIDs.count == 2 && Set(secondIDs).isDisjoint(with: json))

        let kinds = [("/v1/actors", "Person"), ("/v1/quotes", "Quotation"), ("/v1/sources", "CreativeWork"),
                     ("/v1/actors/alexander-lukashenko/events", "Event"), ("/v1/actors/alexander-lukashenko/quotes", "Quotation")]
        for (path, type) in kinds {
            let reply = try api.get(path, headers: Self.linkedData)
            #expect(reply.status == 200 && reply.headers["Content-Type"] == "application/ld+json", "\(path)")
            #expect(reply.json["@graph"]?.arrayValue.contains { $0["@type"]?.stringValue == type } == true, "\(path)")
        }
        let event = try #require(graph.first?["identifier"]?.stringValue)
        let quotesOfEvent = try api.get("/v1/events/\(event)/quotes?format=jsonld")
        #expect(quotesOfEvent.status == 200 && quotesOfEvent.json["@graph"] != nil)
    }

    @Test func acceptOrFormatSelectsTheRepresentationAndResponsesVaryOnAccept() throws {
        let api = try TestAPI { $0.allowedOrigins = ["https://desk.example"] }
        let cases: [(String, [String: String], String)] = [
            ("/v1/actors/belarus", [:], "application/json"),
            ("/v1/actors/belarus", ["Accept": "application/ld+json"], "application/ld+json"),
            ("/v1/actors/belarus", ["Accept": "*/*"], "application/json"),
            ("/v1/actors/belarus", ["Accept": "text/html"], "application/json"),
            ("/v1/actors/belarus", ["Accept": "application/json, application/ld+json"], "application/json"),
            ("/v1/actors/belarus", ["Accept": "application/json;q=0.5, application/ld+json"], "application/ld+json"),
            ("/v1/actors/belarus", ["Accept": "application/*;q=0.2, application/ld+json;q=0.1"], "application/json"),
            ("/v1/actors/belarus?format=json", ["Accept": "application/ld+json"], "application/json"),
            ("/v1/actors/belarus?format=jsonld", ["Accept": "application/json"], "application/ld+json"),
            ("/v1/actors", ["Accept": "application/ld+json"], "application/ld+json"),
            ("/v1/actors", [:], "application/json"),
        ]
        for (target, headers, type) in cases {
            let reply = try api.get(target, headers: headers)
            #expect(reply.status == 200 && reply.headers["Content-Type"] == type, "\(target) \(headers)")
            #expect(reply.headers["Vary"]?.contains("Accept") == true, "\(target) \(headers)")
        }
        // A CORS request's Vary names both what it depends on.
        let cors = try api.get("/v1/events?limit=1", headers: ["Origin": "https://desk.example"])
        let vary = Set((cors.headers["Vary"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        #expect(vary == ["Accept", "Origin", "Accept-Encoding"], "\(cors.headers["Vary"] ?? "none")")
    }

    @Test func linkedDataHasItsOwnETagAndAnswers304() throws {
        let api = try TestAPI()
        for target in ["/v1/actors/alexander-lukashenko", "/v1/events?limit=3"] {
            let json = try api.get(target)
            let linked = try api.get(target, headers: Self.linkedData)
            let jsonTag = try #require(json.headers["ETag"]), linkedTag = try #require(linked.headers["ETag"])
            #expect(jsonTag != linkedTag, "\(target)")
            #expect(linked.headers["Cache-Control"] == "no-cache")
            let revalidated = try api.get(target, headers: ["Accept": "application/ld+json", "If-None-Match": linkedTag])
            #expect(revalidated.status == 304 && revalidated.body.isEmpty && revalidated.headers["Vary"]?.contains("Accept") == true, "\(target)")
            // The JSON body's tag does not stand for the JSON-LD body.
            #expect(try api.get(target, headers: ["Accept": "application/ld+json", "If-None-Match": jsonTag]).status == 200)
        }
        // A record's tag still names its version, so If-Match works with either.
        let tag = try #require(try api.get("/v1/actors/belarus?format=jsonld").headers["ETag"])
        let patched = try api.request("PATCH", "/v1/actors/belarus", json: #"{"description":"Country in Eastern Europe"}"#, token: api.writeToken,
                                      headers: ["If-Match": tag])
        #expect(patched.status == 200)
    }

    @Test func unknownFormatsAndFieldsWithLinkedDataAreRefusedNamingTheField() throws {
        let api = try TestAPI()
        let event = try #require(try api.get("/v1/events?limit=1").json.data.first?["id"]?.stringValue)
        for target in ["/v1/events?format=xml", "/v1/events/\(event)?format=csv", "/v1/actors/belarus/events?format=", "/v1/quotes?format=JSONLD"] {
            let reply = try api.get(target)
            #expect(reply.status == 422 && reply.refusedFields == ["format"], "\(target) \(reply.text)")
            #expect(reply.json["errors"]?.arrayValue.first?["message"]?.stringValue?.contains("jsonld") == true)
        }
        for target in ["/v1/events?format=jsonld&fields=id", "/v1/actors/belarus?format=jsonld&fields=id"] {
            let reply = try api.get(target)
            #expect(reply.status == 422 && reply.refusedFields == ["fields"], "\(target) \(reply.text)")
        }
        // Where no representation but JSON is offered, format is no parameter at all.
        #expect(try api.get("/v1/search?q=Lukashenko&format=jsonld").refusedFields == ["format"])
    }

    @Test func idsStartWithTheConfiguredBaseOrAPlainHost() throws {
        #expect(PublicBaseURL.resolve(configured: nil, host: "chronicle.example.org:8080") == "http://chronicle.example.org:8080")
        #expect(PublicBaseURL.resolve(configured: nil, host: "[::1]:8080") == "http://[::1]:8080")
        #expect(PublicBaseURL.resolve(configured: nil, host: "Example.ORG") == "http://example.org")
        for unsafe in ["evil.example/path", "a b", "user@host", "host:99999", "host:", "\"x\"", "", "[::1", "-x", "host:80:80", "<script>"] {
            #expect(PublicBaseURL.resolve(configured: nil, host: unsafe) == PublicBaseURL.fallback, "\(unsafe)")
        }
        #expect(PublicBaseURL.resolve(configured: nil, host: nil) == "http://localhost")
        #expect(PublicBaseURL.resolve(configured: "https://news.example", host: "other") == "https://news.example")
        #expect(PublicBaseURL.normalize("https://news.example/chronicle/") == "https://news.example/chronicle")
        for bad in ["news.example", "ftp://news.example", "https://news.example/?q=1", "https://news.example/#top", "https://", "https://a b"] {
            #expect(PublicBaseURL.normalize(bad) == nil, "\(bad)")
        }

        let api = try TestAPI { $0.publicBaseURL = "https://news.example/chronicle" }
        let node = try api.get("/v1/actors/belarus?format=jsonld").json
        #expect(node["@id"]?.stringValue?.hasPrefix("https://news.example/chronicle/v1/actors/act_") == true)
    }
}
