import Chronicle
@testable import ChronicleAPI
import ChronicleSQLite
import Foundation
@testable import HTTP
import Synchronization
import Testing

/// Lists as NDJSON and CSV, imports with their reports, and round trips through both formats.
@Suite struct InterchangeTests {
    /// The records of a line or page, without the times an import sets anew.
    static func timeless(_ records: [JSON]) -> [JSON] {
        records.map { record in
            guard case .object(let fields) = record else { return record }
            return .object(fields.filter { $0.0 != "createdAt" && $0.0 != "updatedAt" })
        }
    }

    @Test func everyListAnswersAllItsRecordsInItsOrderAsNDJSONAndCSV() throws {
        let api = try TestAPI()
        let quoted = try #require(try api.get("/v1/quotes?limit=500").json.data.first { $0["speaker"]?["id"] != nil && $0["eventId"]?.stringValue != nil })
        let speaker = try #require(quoted["speaker"]?["id"]?.stringValue), event = try #require(quoted["eventId"]?.stringValue)
        let lists: [(path: String, query: String, columns: [String])] = [
            ("/v1/events", "sort=-start", ChronicleAPI.eventFields),
            ("/v1/events", "category=military", ChronicleAPI.eventFields),
            ("/v1/actors", "", ChronicleAPI.actorFields),
            ("/v1/quotes", "", ChronicleAPI.quoteFields),
            ("/v1/sources", "", ChronicleAPI.sourceFields),
            ("/v1/actors/vladimir-putin/events", "", [ChronicleAPI.eventFields[0], "roles"] + ChronicleAPI.eventFields.dropFirst()),
            ("/v1/actors/\(speaker)/quotes", "", ChronicleAPI.quoteFields),
            ("/v1/events/\(event)/quotes", "", ChronicleAPI.quoteFields),
        ]
        for list in lists {
            let pages = try api.allPages(list.path, query: list.query)
            #expect(!pages.isEmpty, "\(list.path)")
            let separator = list.query.isEmpty ? "?" : "?\(list.query)&"
            #expect(try api.ndjson(list.path + separator + "format=ndjson") == pages, "\(list.path)?\(list.query)")
            let csv = try api.streamed(list.path + separator + "format=csv")
            #expect(csv.contentType?.hasPrefix("text/csv") == true)
            let rows = try pythonCSV(csv.text)
            #expect(rows.first == list.columns, "\(list.path) header")
            #expect(rows.dropFirst().map { $0[0] } == pages.map { $0["id"]?.stringValue ?? "" }, "\(list.path) rows in order")
            for (row, record) in zip(rows.dropFirst(), pages) {
                for (column, cell) in zip(list.columns, row) {
                    if case .string(let text)? = record[column] { #expect(CSV.unneutralised(cell) == text, "\(list.path) \(column)") }
                    if case .null? = record[column] { #expect(cell.isEmpty) }
                }
            }
        }
        // Asked for by Accept; fields= picks columns; a bad format is named.
        #expect(try api.streamed("/v1/sources", headers: ["Accept": "text/csv"]).contentType?.hasPrefix("text/csv") == true)
        #expect(try api.streamed("/v1/sources", headers: ["Accept": "application/x-ndjson"]).contentType == "application/x-ndjson")
        #expect(try pythonCSV(try api.streamed("/v1/actors?format=csv&fields=slug,name").text).first == ["slug", "name"])
        #expect(try api.get("/v1/actors?format=xml").refusedFields == ["format"])
        #expect(try api.get("/v1/events?format=csv&cursor=nonsense").status == 422)
    }

    @Test func csvCellsKeepQuotesCommasLineBreaksScriptsAndFormulasThroughARoundTrip() throws {
        let api = try TestAPI()
        let source = try api.request("POST", "/v1/sources", json: #"{"title":"=HYPERLINK(\"http://x\"), \"quoted\"\nsecond line","publisher":"-minus","author":"'apostrophe","url":"https://example.org/a,b"}"#, token: api.writeToken).json
        let actor = try api.request("POST", "/v1/actors", json: #"{"kind":"person","name":"@handle, Jr.","aliases":[{"name":"Аляксандр | Лукашэнка","language":"be"},{"name":"back\\slash\nand line","language":null},{"name":"لوكاشينكو","language":"ar"},{"name":"\t padded ","language":"en"},{"name":"\u0301accent first","language":"und"}]}"#, token: api.writeToken).json
        let actorID = try #require(actor["id"]?.stringValue), sourceID = try #require(source["id"]?.stringValue)
        let putin = try #require(try api.get("/v1/actors/vladimir-putin").json["id"]?.stringValue)
        let event = try api.request("POST", "/v1/events", json: #"{"title":"+1 vote, \"yes\"","start":"2022-03","participants":[{"actorId":"\#(actorID)","role":"participant"},{"actorId":"\#(putin)","role":"target"}],"citations":[{"sourceId":"\#(sourceID)","excerpt":"\u0301a | b \\ c\nd"}]}"#, token: api.writeToken).json
        #expect(event["id"] != nil)
        _ = try api.request("POST", "/v1/quotes", json: #"{"text":"=1+1, said \"he\"\nthen left","language":"en","speakerId":"\#(actorID)","eventId":"\#(event["id"]?.stringValue ?? "")","citations":[{"sourceId":"\#(sourceID)"}]}"#, token: api.writeToken)

        let sources = try pythonCSV(try api.streamed("/v1/export?type=source&format=csv").text)
        let row = try #require(sources.first { $0[0] == sourceID })
        let header = try #require(sources.first)
        #expect(row[header.firstIndex(of: "title")!] == "'=HYPERLINK(\"http://x\"), \"quoted\"\nsecond line", "a formula is written as text")
        #expect(row[header.firstIndex(of: "publisher")!] == "'-minus")
        #expect(row[header.firstIndex(of: "author")!] == "''apostrophe", "a leading apostrophe is doubled, so reading drops exactly one")
        let actors = try pythonCSV(try api.streamed("/v1/actors?format=csv&fields=id,aliases").text)
        #expect(actors.first { $0[0] == actorID }?[1] == "Аляксандр \\| Лукашэнка | be\nback\\\\slash\\nand line\nلوكاشينكو | ar\n\\\t padded\\  | en\n\u{301}accent first | und")

        // Every kind out as CSV and into an empty store: the same records come back.
        let copy = try TestAPI(seed: false)
        for kind in ["source", "actor", "event", "quote"] {
            let csv = try api.streamed("/v1/export?type=\(kind)&format=csv").text
            let report = try copy.importFile(csv, query: "type=\(kind)", contentType: "text/csv").json
            #expect(report["failed"]?.intValue == 0 && report["created"]?.intValue ?? 0 > 0, "\(kind): \(report)")
        }
        #expect(Self.timeless(try copy.ndjson("/v1/export")) == Self.timeless(try api.ndjson("/v1/export")))
    }

    /// What cannot be read as it was written is refused, line by line or whole, never guessed at.
    @Test func csvAndLinesThatCannotBeReadAsWrittenAreRefused() throws {
        let api = try TestAPI()
        func failures(_ reply: TestAPI.Reply) -> [String] {
            reply.json["failures"]?.arrayValue.map { "\($0["line"]?.intValue ?? 0):\($0["field"]?.stringValue ?? "")" } ?? []
        }
        var bytes = Array("slug,kind,name\nutf-ok,person,Fine\nutf-bad,person,".utf8) + [0xFF, 0xFE] + Array("\n".utf8)
        let notUTF8 = try api.request("POST", "/v1/import?type=actor&mode=best-effort", body: bytes, token: api.writeToken, headers: ["Content-Type": "text/csv"])
        #expect(failures(notUTF8) == ["3:line"] && notUTF8.json["created"]?.intValue == 1, "\(notUTF8.text)")
        #expect(try notUTF8.text.contains("UTF-8") && api.get("/v1/actors/utf-bad").status == 404)

        // Entries one a line, whatever the line ends: a spreadsheet may save CRLF inside a cell.
        let crlf = try api.importFile("slug,kind,name,aliases\r\ncrlf-actor,person,Two Names,\"Putin | en\r\nПутин | ru\"\r\n", query: "type=actor", contentType: "text/csv")
        #expect(crlf.json["created"]?.intValue == 1, "\(crlf.text)")
        #expect(try api.get("/v1/actors/crlf-actor").json["aliases"]?.arrayValue.map { $0["name"]?.stringValue } == ["Putin", "Путин"])

        let twice = try api.importFile("slug,kind,name,name\ntwice,person,A,B\n", query: "type=actor", contentType: "text/csv")
        #expect(twice.status == 422 && twice.refusedFields == ["body"] && twice.text.contains("name more than once"), "\(twice.text)")

        let nested = [
            "title,start,participants,citations",
            "Extra part,2022,vladimir-putin | host | extra,",
            #"Unknown escape,2022,,https://example.org/x | a \x b"#,
            "Good,2022,vladimir-putin | host,",
        ].joined(separator: "\n")
        let nestedReply = try api.importFile(nested, query: "type=event&mode=best-effort", contentType: "text/csv")
        #expect(failures(nestedReply) == ["2:participants", "3:citations"] && nestedReply.json["created"]?.intValue == 1, "\(nestedReply.text)")

        // A line over 1 MiB is reported at its line, in either format; nothing after it is read.
        let long = [#"{"type":"source","title":"Before the long line"}"#, #"{"type":"source","title":""# + String(repeating: "x", count: LineSource.maxLineBytes) + #""}"#,
                    #"{"type":"source","title":"After the long line"}"#].joined(separator: "\n")
        let longReply = try api.importFile(long, query: "mode=best-effort")
        #expect(failures(longReply) == ["2:line"] && longReply.json["created"]?.intValue == 1, "\(longReply.text.prefix(500))")
        let after = try api.get("/v1/sources?q=%22After%20the%20long%20line%22")
        #expect(after.status == 200 && after.json.data.isEmpty)

        bytes = Array(#"{"type":"source","title":"Said to be a source"}"#.utf8)
        let conflict = try api.request("POST", "/v1/import?type=actor&dryRun=true", body: bytes, token: api.writeToken, headers: ["Content-Type": "application/x-ndjson"])
        #expect(failures(conflict) == ["1:type"], "\(conflict.text)")

        // A compressed body is read as gzip by the import, and refused where it would be read as garbage.
        let zipped = try api.request("POST", "/v1/actors", body: Array(#"{"kind":"person","name":"Zipped"}"#.utf8), token: api.writeToken,
                                     headers: ["Content-Type": "application/json", "Content-Encoding": "gzip"])
        #expect(zipped.status == 415 && zipped.text.contains("Content-Encoding"), "\(zipped.text)")
        let brotli = try api.request("POST", "/v1/import", body: Array(#"{"type":"actor","kind":"person","name":"Br"}"#.utf8), token: api.writeToken,
                                     headers: ["Content-Type": "application/x-ndjson", "Content-Encoding": "br"])
        #expect(brotli.status == 415 && brotli.text.contains("gzip"), "\(brotli.text)")
        let notGzip = try api.request("POST", "/v1/import", body: Array(#"{"type":"actor","kind":"person","name":"Plain"}"#.utf8), token: api.writeToken,
                                      headers: ["Content-Type": "application/x-ndjson", "Content-Encoding": "gzip"])
        #expect(notGzip.status == 422 && notGzip.refusedFields == ["body"] && notGzip.text.contains("not valid gzip"), "\(notGzip.text)")
    }

    /// A large file sent gzipped (`curl -H 'Content-Encoding: gzip' --data-binary @file.gz`)
    /// is inflated as it is read, in either format.
    @Test func aGzippedFileImportsAsItsPlainTextWould() throws {
        let api = try TestAPI(seed: false)
        let lines = (0..<3000).map { #"{"type":"source","title":"Gzipped source \#($0)","publisher":"Desk"}"# }.joined(separator: "\n")
        let body = try GzipEncoder.compress(Array(lines.utf8), level: 6)
        let reply = try api.request("POST", "/v1/import?mode=best-effort", body: body, token: api.writeToken,
                                    headers: ["Content-Type": "application/x-ndjson", "Content-Encoding": "gzip"])
        #expect(reply.status == 200 && reply.json["created"]?.intValue == 3000, "\(reply.text.prefix(300))")
        let csv = try GzipEncoder.compress(Array("title,publisher\r\nFrom CSV,Desk\r\n".utf8), level: 6)
        let fromCSV = try api.request("POST", "/v1/import?type=source", body: csv, token: api.writeToken,
                                      headers: ["Content-Type": "text/csv", "Content-Encoding": "x-gzip"])
        #expect(fromCSV.status == 200 && fromCSV.json["created"]?.intValue == 1, "\(fromCSV.text)")
        // Cut short: what inflated before the cut is reported on; nothing is written in atomic mode.
        let cut = try api.request("POST", "/v1/import", body: Array(body.dropLast(body.count / 2)), token: api.writeToken,
                                  headers: ["Content-Type": "application/x-ndjson", "Content-Encoding": "gzip"])
        #expect(cut.status == 422 && cut.text.contains("gzip"), "\(cut.text.prefix(300))")
        #expect(try api.get("/v1/sources?count=true&limit=1").json["total"]?.intValue == 3001)
    }

    @Test func theBuiltInDatasetGoesThroughAnEmptyStoreUnchanged() throws {
        let api = try TestAPI(), copy = try TestAPI(seed: false)
        let exported = try api.streamed("/v1/export").text
        let report = try copy.importFile(exported).json
        let lines = exported.split(separator: "\n").count
        #expect(report["created"]?.intValue == lines && report["failed"]?.intValue == 0 && report["written"] == .bool(true))
        #expect(Self.timeless(try copy.ndjson("/v1/export")) == Self.timeless(try api.ndjson("/v1/export")))
        // Again: nothing changes, no record gets a new version or revision.
        let again = try copy.importFile(exported).json
        #expect(again["unchanged"]?.intValue == lines && again["created"]?.intValue == 0 && again["updated"]?.intValue == 0)
        let versions = try copy.ndjson("/v1/export").map { $0["version"]?.intValue }
        #expect(versions.allSatisfy { $0 == 1 })
        let actor = try #require(try copy.get("/v1/actors?limit=1").json.data.first?["id"]?.stringValue)
        #expect(try copy.get("/v1/actors/\(actor)/revisions").json.data.count == 1)
    }

    @Test func linesReferToRecordsByAnyKeyIncludingOnesEarlierInTheFile() throws {
        let api = try TestAPI()
        let file = """
            {"type":"source","url":"https://example.org/report","title":"A report"}
            {"type":"actor","slug":"test-envoy","kind":"person","name":"Test Envoy","wikidataId":"Q999999991"}
            {"type":"event","id":"evt_0test00000000000000000001","title":"Talks","start":"2022-03-01","participants":[{"actorId":"test-envoy","role":"initiator"},{"actorId":"Q999999991","role":"participant"},{"slug":"vladimir-putin","role":"target"}],"citations":[{"url":"https://example.org/report","excerpt":"talks"}]}
            {"type":"quote","text":"We talked.","language":"en","speaker":{"id":"test-envoy","name":"ignored"},"eventId":"evt_0test00000000000000000001","citations":[{"sourceId":"https://example.org/report"}]}
            """
        let report = try api.importFile(file).json
        #expect(report["created"]?.intValue == 4 && report["failed"]?.intValue == 0, "\(report)")
        let envoy = try api.get("/v1/actors/test-envoy").json
        let event = try api.get("/v1/events/evt_0test00000000000000000001").json
        #expect(event["participants"]?.arrayValue.map { $0["actorId"]?.stringValue } == [envoy["id"]?.stringValue, envoy["id"]?.stringValue, try api.get("/v1/actors/vladimir-putin").json["id"]?.stringValue])
        #expect(event["citations"]?.arrayValue.first?["url"]?.stringValue == "https://example.org/report")
        #expect(event["quotes"]?.arrayValue.first?["speaker"]?["id"] == envoy["id"])

        // Natural keys update: the actor by slug, the source by URL; what did not change keeps its version.
        let update = """
            {"type":"actor","slug":"test-envoy","kind":"person","name":"Test Envoy","wikidataId":"Q999999991","description":"Now described"}
            {"type":"source","url":"https://example.org/report","title":"A report"}
            {"type":"actor","kind":"organization","name":"Found by Wikidata","wikidataId":"Q999999991"}
            """
        let second = try api.importFile(update).json
        #expect(second["updated"]?.intValue == 2 && second["unchanged"]?.intValue == 1 && second["created"]?.intValue == 0, "\(second)")
        let after = try api.get("/v1/actors/test-envoy").json
        #expect(after["version"]?.intValue == 3 && after["name"]?.stringValue == "Found by Wikidata" && after["id"] == envoy["id"])
        #expect(try api.get("/v1/sources?q=report").json.data.first?["version"]?.intValue == 1)
    }

    /// A spreadsheet of ids and one column corrects that column: an update changes the fields a
    /// line gives (null clears one) and keeps the rest, in CSV and NDJSON alike.
    @Test func anUpdateChangesTheFieldsALineGivesAndKeepsTheRest() throws {
        let api = try TestAPI()
        let putin = try api.get("/v1/actors/vladimir-putin").json
        let id = try #require(putin["id"]?.stringValue)
        let csv = try api.importFile("id,description\r\n\(id),Russian president\r\n", query: "type=actor", contentType: "text/csv").json
        #expect(csv["updated"]?.intValue == 1, "\(csv)")
        let described = try api.get("/v1/actors/vladimir-putin").json
        #expect(described["description"]?.stringValue == "Russian president")
        for field in ["slug", "kind", "name", "aliases", "country", "wikidataId"] { #expect(described[field] == putin[field], "\(field)") }

        let line = #"{"type":"actor","slug":"vladimir-putin","country":null}"#
        #expect(try api.importFile(line).json["updated"]?.intValue == 1)
        let cleared = try api.get("/v1/actors/vladimir-putin").json
        #expect(cleared["country"] == .null && cleared["description"]?.stringValue == "Russian president" && cleared["aliases"] == putin["aliases"])
        let again = try api.importFile(line).json
        #expect(again["unchanged"]?.intValue == 1 && again["updated"]?.intValue == 0)
        #expect(try api.get("/v1/actors/vladimir-putin").json["version"] == cleared["version"])

        // A source found by its URL, and an event by its id: what the line leaves out is kept.
        let source = try api.request("POST", "/v1/sources", json: #"{"title":"Kept title","url":"https://example.org/kept","publisher":"Desk"}"#, token: api.writeToken).json
        let byURL = try api.importFile(#"{"type":"source","url":"https://example.org/kept","author":"A. Writer"}"#).json
        #expect(byURL["updated"]?.intValue == 1, "\(byURL)")
        let kept = try api.get("/v1/sources/\(source["id"]?.stringValue ?? "")").json
        #expect(kept["title"]?.stringValue == "Kept title" && kept["publisher"]?.stringValue == "Desk" && kept["author"]?.stringValue == "A. Writer")
        let event = try #require(try api.get("/v1/events?actor=alexander-lukashenko&limit=1").json.data.first)
        let eventID = try #require(event["id"]?.stringValue)
        #expect(try api.importFile(#"{"type":"event","id":"\#(eventID)","summary":"Summarised"}"#).json["updated"]?.intValue == 1)
        let summarised = try api.get("/v1/events/\(eventID)").json
        #expect(summarised["summary"]?.stringValue == "Summarised" && summarised["participants"] == event["participants"]
                && summarised["citations"] == event["citations"] && summarised["title"] == event["title"])

        // A list exported with some fields imports back as it is: nothing else is cleared.
        let before = try api.allPages("/v1/events")
        let events = try api.streamed("/v1/events?format=csv&fields=id,title,start").text
        let rows = events.split(separator: "\r\n").count - 1
        let round = try api.importFile(events, query: "type=event", contentType: "text/csv").json
        #expect(rows > 30 && round["unchanged"]?.intValue == rows && round["updated"]?.intValue == 0, "\(round)")
        #expect(try api.allPages("/v1/events") == before)

        // A line that names no stored record is a new one, and must say what a new one needs.
        let missing = try api.importFile(#"{"type":"actor","slug":"not-yet-here","description":"Someone"}"#)
        #expect(missing.status == 422)
        #expect(missing.json["failures"]?.arrayValue.compactMap { $0["field"]?.stringValue }.contains("name") == true, "\(missing.text)")
    }

    @Test func reportsSayWhatHappenedToEachLineInEachMode() throws {
        let api = try TestAPI()
        let before = try api.streamed("/v1/export").text
        let good = #"{"type":"actor","kind":"person","name":"Good One"}"#
        let mixed = [
            good,
            #"{"type":"actor","kind":"person""#,
            #"{"type":"sauce","title":"x"}"#,
            #"{"type":"quote","text":"Who said it?","language":"en","speakerId":"nobody-at-all"}"#,
            #"{"type":"event","title":"No start"}"#,
            #"{"type":"source","title":"Good source"}"#,
            "[1,2]",
        ].joined(separator: "\n")
        func failures(_ reply: TestAPI.Reply) -> [String] {
            reply.json["failures"]?.arrayValue.map { "\($0["line"]?.intValue ?? 0):\($0["field"]?.stringValue ?? "")" } ?? []
        }
        let expected = ["2:line", "3:type", "4:speakerId", "5:start", "7:line"]

        // Atomic: every failure reported, nothing written.
        let atomic = try api.importFile(mixed)
        #expect(atomic.status == 422 && atomic.headers["Content-Type"] == "application/problem+json")
        #expect(failures(atomic) == expected && atomic.json["failed"]?.intValue == 5 && atomic.json["written"] == .bool(false))
        #expect(atomic.json["failures"]?.arrayValue[2]["message"]?.stringValue?.contains("no actor has the id, slug or Wikidata id 'nobody-at-all'") == true)
        #expect(try api.streamed("/v1/export").text == before, "an atomic import that failed wrote nothing")

        // A dry run reports the same and writes nothing, good file or bad.
        let dry = try api.importFile(mixed, query: "dryRun=true")
        #expect(dry.status == 422 && failures(dry) == expected)
        let dryGood = try api.importFile(good, query: "dryRun=true")
        #expect(dryGood.status == 200 && dryGood.json["created"]?.intValue == 1 && dryGood.json["written"] == .bool(false))
        #expect(try api.streamed("/v1/export").text == before)

        // Best effort: the good lines are written, the bad ones reported.
        let bestEffort = try api.importFile(mixed, query: "mode=best-effort")
        #expect(bestEffort.status == 200 && failures(bestEffort) == expected && bestEffort.json["created"]?.intValue == 2)
        #expect(try api.get("/v1/actors?q=%22Good%20One%22").json.data.count == 1)

        // A line that fails once it has begun to write (its slug is taken) leaves nothing of
        // itself, and the lines around it in its group are written once each.
        let clash = [
            #"{"type":"source","title":"Before the clash"}"#,
            #"{"type":"actor","id":"act_0clash000000000000000001","slug":"vladimir-putin","kind":"person","name":"Impostor","aliases":[{"name":"Alias"}]}"#,
            #"{"type":"source","title":"After the clash"}"#,
        ].joined(separator: "\n")
        let clashReply = try api.importFile(clash, query: "mode=best-effort")
        #expect(failures(clashReply) == ["2:slug"] && clashReply.json["created"]?.intValue == 2, "\(clashReply.text)")
        #expect(try api.get("/v1/actors/act_0clash000000000000000001").status == 404)
        #expect(try api.get("/v1/sources?q=clash").json.data.count == 2)
        #expect(try api.get("/v1/actors/vladimir-putin").json["name"]?.stringValue != "Impostor")

        // A CSV row with the wrong number of cells, and files refused whole.
        let csv = "title,url\nFine,https://example.org/fine\n\"Too\",many,cells\n"
        let csvReply = try api.importFile(csv, query: "type=sources&mode=best-effort", contentType: "text/csv")
        #expect(failures(csvReply) == ["3:line"] && csvReply.json["created"]?.intValue == 1)
        #expect(try api.importFile(csv, contentType: "text/csv").refusedFields == ["type"])
        #expect(try api.importFile("title,colour\nx,red\n", query: "type=source", contentType: "text/csv").refusedFields == ["body"])
        #expect(try api.importFile(good, contentType: "application/json").status == 415)
        // Nothing to import is a 422 in any mode, and so is a best-effort file of bad lines only.
        #expect(try api.importFile("", query: "mode=best-effort").refusedFields == ["body"])
        let allBad = try api.importFile("{\n[1]\n", query: "mode=best-effort")
        #expect(allBad.status == 422 && allBad.json["failed"]?.intValue == 2 && allBad.json["written"] == .bool(false))
        #expect(try api.importFile(good, query: "mode=sometimes").refusedFields == ["mode"])
        #expect(try api.request("POST", "/v1/import", json: good, headers: ["Content-Type": "application/x-ndjson"]).status == 401)
        #expect(try api.request("POST", "/v1/import", json: good, token: api.readToken, headers: ["Content-Type": "application/x-ndjson"]).status == 403)
    }

    @Test func csvRowsAreNumberedAndSplitAsWritten() throws {
        let api = try TestAPI(seed: false)
        // Blank lines are skipped without shifting the numbers of the lines after them; a quoted
        // cell keeps its CRLF; a byte-order mark before the header is not part of its first name.
        let csv = "\u{FEFF}title,publisher\r\nFirst,\"line one\r\nline two\"\r\n\r\n\r\n\r\nToo,many,cells\r\nLast,x\r\n"
        let reply = try api.importFile(csv, query: "type=source&mode=best-effort", contentType: "text/csv")
        let failures = reply.json["failures"]?.arrayValue.map { "\($0["line"]?.intValue ?? 0):\($0["field"]?.stringValue ?? "")" }
        #expect(reply.status == 200 && failures == ["7:line"] && reply.json["created"]?.intValue == 2, "\(reply.text)")
        let first = try #require(try api.get("/v1/sources?q=First").json.data.first)
        #expect(first["publisher"]?.stringValue == "line one\r\nline two")
        // An unclosed quote: reported where its row starts, and nothing after it is read.
        let broken = try api.importFile("title\nBefore\n\"Never closed\nAfter\n", query: "type=source&mode=best-effort", contentType: "text/csv")
        #expect(broken.json["failures"]?.arrayValue.map { $0["line"]?.intValue } == [3] && broken.json["created"]?.intValue == 1, "\(broken.text)")
        #expect(try api.get("/v1/sources?q=After").json.data.isEmpty)
    }

    @Test func anIdThatWasDeletedComesBackNumberedOnFromItsHistory() throws {
        let api = try TestAPI(seed: false)
        let line = #"{"type":"actor","id":"act_0back00000000000000000001","kind":"person","name":"Back Again"}"#
        #expect(try api.importFile(line).json["created"]?.intValue == 1)
        #expect(try api.request("DELETE", "/v1/actors/act_0back00000000000000000001", token: api.writeToken).status == 204)
        let again = try api.importFile(line)
        #expect(again.status == 200 && again.json["created"]?.intValue == 1, "\(again.text)")
        #expect(try api.get("/v1/actors/act_0back00000000000000000001").json["version"]?.intValue == 3)
        #expect(try api.get("/v1/actors/act_0back00000000000000000001/revisions").json.data.compactMap { $0["revision"]?.intValue } == [3, 2, 1])
    }

    /// A slug moved by a line is not resolved to its old owner by a later line of the same file.
    @Test func referencesFollowKeysMovedEarlierInTheFile() throws {
        let api = try TestAPI(seed: false)
        let file = """
            {"type":"actor","id":"act_0first0000000000000000001","slug":"envoy","kind":"person","name":"First Envoy"}
            {"type":"quote","text":"One","language":"en","speakerId":"envoy"}
            {"type":"actor","id":"act_0first0000000000000000001","slug":"former-envoy","kind":"person","name":"First Envoy"}
            {"type":"actor","id":"act_0second000000000000000001","slug":"envoy","kind":"person","name":"Second Envoy"}
            {"type":"quote","text":"Two","language":"en","speakerId":"envoy"}
            """
        let report = try api.importFile(file).json
        #expect(report["failed"]?.intValue == 0, "\(report)")
        let speakers = try api.get("/v1/quotes?sort=created").json.data.map { "\($0["text"]?.stringValue ?? ""):\($0["speaker"]?["id"]?.stringValue ?? "")" }
        #expect(Set(speakers) == ["One:act_0first0000000000000000001", "Two:act_0second000000000000000001"])
    }

    @Test func aLargeImportIsSpooledToDiskAndHasItsOwnLimit() throws {
        let api = try TestAPI(seed: false)
        // ~4 MB, four times the normal body limit: few records with long contexts, so that the
        // import itself stays short on a busy machine.
        let count = 5_000
        let context = String(repeating: "Said at a press conference in Minsk, in answer to a question from the floor. ", count: 8)
        var file = #"{"type":"actor","slug":"speaker-one","kind":"person","name":"Speaker One"}"# + "\n"
        for index in 0..<count {
            file += #"{"type":"quote","text":"Quote number \#(index), long enough to weigh what a real quote weighs in a newsroom's file of them, with a clause more.","language":"en","speakerId":"speaker-one","said":"2022-03-\#(String(format: "%02d", index % 28 + 1))","context":"\#(context)"}"# + "\n"
        }
        #expect(file.utf8.count > 4_000_000)
        let report = try api.importFile(file, query: "mode=best-effort").json
        #expect(report["created"]?.intValue == count + 1 && report["failed"]?.intValue == 0)
        #expect(try api.ndjson("/v1/quotes?format=ndjson&speaker=speaker-one").count == count)

        let limited = try TestAPI(seed: false) { $0.maxImportBytes = 64 << 10 }
        #expect(try limited.importFile(file).status == 413)
    }

    /// A client that reads slowly slows the export: the server reads the store only as far as
    /// the client has taken, so its memory does not grow with the table.
    @Test func aSlowReaderHoldsTheExportBackInsteadOfFillingMemory() throws {
        let pulled = CountingExporter.Counter()
        let api = try TestAPI(seed: false, wrap: { $0.exporter = CountingExporter(inner: $0.exporter, counter: pulled) })
        var lines: [ImportLine] = []
        for index in 0..<40_000 {
            lines.append(ImportLine(line: index + 1, kind: .source, id: nil, content: .success(.source(SourceDraft(url: nil, title: "Source \(index) " + String(repeating: "x", count: 400))))))
        }
        var iterator = lines.makeIterator()
        _ = try api.database.importLines({ iterator.next() }, mode: .bestEffort, dryRun: false, by: .cli)
        let client = try StreamClient(port: api.port, request: "GET /v1/export HTTP/1.1\r\nHost: t\r\n\r\n", receiveBuffer: 4096)
        usleep(1_500_000)
        let early = pulled.count
        // What was read is what the kernel's socket buffers hold (about 4 MB at most on Linux),
        // not the table (16 MB).
        #expect(early > 0 && early < 15_000, "read ahead of a client that took nothing: \(early) of 40,000 records")
        // Stalled streams hold no reader of the pool (it has four): with more of them than that,
        // other reads are still answered.
        let stalled = try (0..<5).map { _ in try StreamClient(port: api.port, request: "GET /v1/sources?format=ndjson HTTP/1.1\r\nHost: t\r\n\r\n", receiveBuffer: 4096) }
        usleep(500_000)
        #expect(try api.get("/v1/sources?limit=1").status == 200)
        withExtendedLifetime(stalled) {}
        client.read(for: 30) { _ in false }
        #expect(client.ended && pulled.count == 40_000)
    }
}

/// Counts the records an export has read from the store.
final class CountingExporter: Exporting {
    final class Counter: Sendable {
        let value = Atomic<Int>(0)
        var count: Int { value.load(ordering: .relaxed) }
    }

    private final class Counted: RecordExport {
        let inner: any RecordExport
        let counter: Counter
        init(_ inner: any RecordExport, _ counter: Counter) {
            self.inner = inner
            self.counter = counter
        }

        func next() throws -> RecordState? {
            guard let record = try inner.next() else { return nil }
            counter.value.add(1, ordering: .relaxed)
            return record
        }
    }

    let inner: any Exporting
    let counter: Counter

    init(inner: any Exporting, counter: Counter) {
        self.inner = inner
        self.counter = counter
    }

    func export(kinds: [RecordKind]) throws -> any RecordExport { Counted(try inner.export(kinds: kinds), counter) }
}
