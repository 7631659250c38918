import Chronicle
@testable import ChronicleAPI
import ChronicleSQLite
import Foundation
import Testing

/// `GET /v1/export`: every record once, as the API shows it, with its type, in replay order,
/// from one snapshot.
@Suite struct ExportTests {
    func lines(_ api: TestAPI, _ query: String = "") throws -> [JSON] {
        let client = try StreamClient(port: api.port, request: "GET /v1/export\(query) HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(client.read(for: 10) { _ in false } == false && client.ended && client.status == 200)
        return try client.text.split(separator: "\n").map { try JSON.parse(Array($0.utf8)) }
    }

    @Test func theWholeStoreOnceInReplayOrderAsTheAPIShowsIt() throws {
        let api = try TestAPI()
        let exported = try lines(api)
        let types = exported.compactMap { $0["type"]?.stringValue }
        let counts = try api.database.pool.read { db in
            try ["source", "actor", "event", "quote"].map { kind in try db.first("SELECT count(*) FROM \(kind)s") { $0.int(0) } ?? 0 }
        }
        #expect(types == zip(["source", "actor", "event", "quote"], counts).flatMap { Array(repeating: $0.0, count: $0.1) })
        #expect(Set(exported.compactMap { $0["id"]?.stringValue }).count == exported.count)
        // Each line is the record as GET shows it (an event's own fields: its quotes are lines of their own).
        for line in exported where ["source", "actor", "quote"].contains(line["type"]?.stringValue ?? "") {
            let id = try #require(line["id"]?.stringValue)
            guard case .object(let fields) = line else { continue }
            let record = try api.get("/v1/\(line["type"]?.stringValue ?? "")s/\(id)").json
            #expect(JSON.object(Array(fields.dropFirst())) == record, "\(id)")
        }
        let only = try lines(api, "?type=quote,actor").compactMap { $0["type"]?.stringValue }
        #expect(only == Array(repeating: "actor", count: counts[1]) + Array(repeating: "quote", count: counts[3]))
        #expect(try api.get("/v1/export?type=sauce").refusedFields == ["type"])
    }

    /// An export reads one snapshot: what is written while it runs is not in it, and it holds
    /// no reader the pool hands to requests.
    /// Each streamed body holds a connection of its own while its client reads: at most so
    /// many at once, the rest 503 with Retry-After, and a place is given back when a body ends.
    @Test func streamedBodiesAreBoundedAndGiveTheirPlaceBack() throws {
        let streams = SnapshotStreams(limit: 2)
        var slots = [try streams.take(), try streams.take()]
        do {
            _ = try streams.take()
            Issue.record("a third stream was let in")
        } catch let error as APIError {
            #expect(error.status == 503 && error.headers["Retry-After"] == "5")
        }
        slots.removeLast()
        #expect(streams.count == 1)
        slots.append(try streams.take())
        #expect(streams.count == 2)

        let one = try TestAPI { $0.maxSnapshotStreams = 1 }
        for target in ["/v1/export", "/v1/export?type=source&format=csv", "/v1/events?format=ndjson", "/v1/quotes?format=csv", "/v1/export"] {
            #expect(try one.streamed(target).status == 200, "\(target): the place of the body before was given back")
        }
        let none = try TestAPI { $0.maxSnapshotStreams = 0 }
        for target in ["/v1/export", "/v1/actors?format=ndjson"] {
            let refused = try none.get(target)
            #expect(refused.status == 503 && refused.headers["Retry-After"] == "5", "\(target)")
        }
        #expect(try none.get("/v1/actors").status == 200, "a page is no stream")
    }

    @Test func anExportIsOneSnapshot() throws {
        let api = try TestAPI()
        let export = try api.database.export(kinds: [.source])
        let first = try #require(try export.next())
        _ = try api.database.sources.create(SourceDraft(url: nil, title: "Written during the export"))
        var titles: [String] = []
        if case .source(let source) = first { titles.append(source.title) }
        while let record = try export.next() { if case .source(let source) = record { titles.append(source.title) } }
        #expect(!titles.isEmpty && !titles.contains("Written during the export"))
        #expect(try api.database.export(kinds: [.source]).next() != nil)
    }
}
