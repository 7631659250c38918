import Chronicle
@testable import ChronicleAPI
import ChronicleSQLite
import Foundation
import Testing

/// Records written straight to bytes (lists, exports, NDJSON) are the very bytes of their JSON
/// trees serialized, and a list page from that path is the page the tree path gives.
@Suite struct CompactWriterTests {
    func compact(_ write: (inout [UInt8]) -> Void) -> [UInt8] {
        var out: [UInt8] = []
        write(&out)
        return out
    }

    @Test func everyRecordIsWrittenAsItsTreeSerializes() throws {
        let api = try TestAPI()
        // Text that needs escapes, in several scripts, and absent optional fields.
        let odd = "\"quoted\" \\ back\tslash\nline \u{1}ctrl Лукашэнка لوكاشينكو 🎉"
        let source = try api.database.sources.create(SourceDraft(url: nil, title: odd))
        let actor = try api.database.actors.create(ActorDraft(kind: .group, name: odd, aliases: [Alias(name: odd), Alias(name: "x", language: "be")]))
        _ = try api.database.events.create(EventDraft(title: odd, summary: nil, start: try PartialDate(parsing: "2014"), end: try PartialDate(parsing: "2022-03"),
                                                      participants: [Participant(actorID: actor.id, role: .victim)], citations: [Citation(sourceID: source.id, excerpt: odd)]))
        _ = try api.database.quotes.create(QuoteDraft(text: odd, language: "be", speakerID: nil, citations: [Citation(sourceID: source.id)]))
        let export = try api.database.export(kinds: [])
        var seen = Set<RecordKind>()
        while let state = try export.next() {
            seen.insert(state.kind)
            switch state {
            case .event(let event):
                #expect(compact { CompactWriter.event(event, into: &$0) } == Representation.event(event).serialized(pretty: false), "\(event.id)")
                for participant in event.participants {
                    #expect(compact { CompactWriter.event(event, roleOf: participant.actorID, into: &$0) }
                        == Representation.event(event, roleOf: participant.actorID).serialized(pretty: false))
                }
            case .quote(let quote): #expect(compact { CompactWriter.quote(quote, into: &$0) } == Representation.quote(quote).serialized(pretty: false), "\(quote.id)")
            case .actor(let actor): #expect(compact { CompactWriter.actor(actor, into: &$0) } == Representation.actor(actor).serialized(pretty: false), "\(actor.id)")
            case .source(let source): #expect(compact { CompactWriter.source(source, into: &$0) } == Representation.source(source).serialized(pretty: false), "\(source.id)")
            }
            // The export's line: the type first, then the record's own fields.
            guard case .object(let fields) = Representation.state(state) else { continue }
            #expect(NDJSONExport.line(state) == JSON.object([("type", .string(state.kind.rawValue))] + fields).serialized(pretty: false) + [10])
        }
        #expect(seen == Set(RecordKind.allCases))
    }

    /// A page from the compact path and the same page through the JSON tree (which naming every
    /// field takes) are the same bytes, for every list.
    @Test func listPagesAreTheSameBytesEitherWay() throws {
        let api = try TestAPI()
        let putin = try #require(try api.get("/v1/actors/vladimir-putin").json["id"]?.stringValue)
        let lists: [(String, [String])] = [
            ("/v1/events?limit=10&sort=-start", ChronicleAPI.eventFields),
            ("/v1/actors?limit=10", ChronicleAPI.actorFields),
            ("/v1/quotes?limit=3&count=true", ChronicleAPI.quoteFields),
            ("/v1/sources?limit=5", ChronicleAPI.sourceFields),
            ("/v1/actors/\(putin)/events?limit=5", ChronicleAPI.eventFields + ["roles"]),
        ]
        for (target, fields) in lists {
            // Twice: the second page of events comes from kept rows.
            _ = try api.get(target)
            let compact = try api.get(target)
            let tree = try api.get(target + "&fields=" + fields.joined(separator: ","))
            #expect(compact.status == 200 && compact.body == tree.body, "\(target): \(compact.text.prefix(300)) vs \(tree.text.prefix(300))")
            #expect(compact.headers["ETag"] == tree.headers["ETag"])
        }
    }
}

/// Kept list rows are served only while current: an edit, a rename of a participant and a
/// retitle of a cited source each show on the next page.
@Suite struct KeptRowsTests {
    /// The event's row on the first page of events.
    static func row(_ id: String, in api: TestAPI) throws -> JSON {
        let page = try api.get("/v1/events?limit=50").json.data
        guard let row = page.first(where: { $0["id"]?.stringValue == id }) else { throw TestAPI.TestError.io("\(id) is not on the page") }
        return row
    }

    @Test func aPageShowsEveryChangeToWhatItsRowsShow() throws {
        let api = try TestAPI()
        let first = try api.get("/v1/events?limit=50").json.data
        let again = try api.get("/v1/events?limit=50")
        #expect(again.json.data == first)
        let event = try #require(first.first { !($0["participants"]?.arrayValue.isEmpty ?? true) && !($0["citations"]?.arrayValue.isEmpty ?? true) })
        let id = try #require(event["id"]?.stringValue)
        let actorID = try #require(event["participants"]?.arrayValue.first?["actorId"]?.stringValue)
        let sourceID = try #require(event["citations"]?.arrayValue.first?["sourceId"]?.stringValue)
        func row() throws -> JSON { try Self.row(id, in: api) }

        _ = try api.request("PATCH", "/v1/events/\(id)", json: #"{"title":"Retold"}"#, token: api.writeToken)
        #expect(try row()["title"]?.stringValue == "Retold")
        _ = try api.request("PATCH", "/v1/actors/\(actorID)", json: #"{"name":"Renamed Actor"}"#, token: api.writeToken)
        #expect(try row()["participants"]?.arrayValue.first?["name"]?.stringValue == "Renamed Actor")
        _ = try api.request("PATCH", "/v1/sources/\(sourceID)", json: #"{"title":"Retitled Source"}"#, token: api.writeToken)
        #expect(try row()["citations"]?.arrayValue.first?["title"]?.stringValue == "Retitled Source")
        // Written by another store on the same file (another process would do the same).
        let other = try SQLiteStore(path: api.database.pool.path, migrations: Migrator(directory: repoRoot.appendingPathComponent("migrations/sqlite")))
        let actor = try other.actors.find(actorID)
        var draft = actor.draft
        draft.name = "Renamed Elsewhere"
        _ = try other.actors.update(actorID, expectedVersion: actor.version, with: draft)
        #expect(try row()["participants"]?.arrayValue.first?["name"]?.stringValue == "Renamed Elsewhere")
    }
}

@Suite struct HeaderPathTests {
    /// A path echoed in `Link` or `Location` is one a client can parse, whatever was sent.
    @Test func pathsInHeadersAreEncodedWhereAURLMayNotHoldThem() {
        #expect(pathForHeader("/v1/actors/a[b] c/events") == "/v1/actors/a%5Bb%5D%20c/events")
        #expect(pathForHeader("/v1/events/evt_01:x@y!$&'()*+,;=~%41") == "/v1/events/evt_01:x@y!$&'()*+,;=~%41")
        #expect(pathForHeader("/v1/actors/Лукашэнка") == "/v1/actors/%D0%9B%D1%83%D0%BA%D0%B0%D1%88%D1%8D%D0%BD%D0%BA%D0%B0")
    }
}
