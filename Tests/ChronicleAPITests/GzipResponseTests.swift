import GzipTesting
import Foundation
import HTTP
import Testing

/// The API's bodies gzipped for clients that accept it, with tags that still revalidate and
/// still guard writes.
@Suite struct GzipResponseTests {
    static let gzip = ["Accept-Encoding": "gzip"]

    @Test func aListPageIsGzippedToTheSameBytesWithItsOwnTag() throws {
        let api = try TestAPI()
        let plain = try api.get("/v1/events?limit=50&pretty=false")
        let gzipped = try api.get("/v1/events?limit=50&pretty=false", headers: Self.gzip)
        #expect(plain.status == 200 && plain.headers["Content-Encoding"] == nil && plain.headers["Vary"] == "Accept, Accept-Encoding")
        #expect(gzipped.status == 200 && gzipped.headers["Content-Encoding"] == "gzip" && gzipped.headers["Vary"] == "Accept, Accept-Encoding")
        #expect(gzipped.headers["Content-Length"] == "\(gzipped.body.count)" && gzipped.body.count * 3 < plain.body.count)
        #expect(gunzip(gzipped.body) == plain.body)
        let tag = try #require(plain.headers["ETag"])
        #expect(gzipped.headers["ETag"] == EntityTag.addingEncodingSuffix(tag))
        // HEAD: GET's head, no body.
        let head = try api.request("HEAD", "/v1/events?limit=50&pretty=false", headers: Self.gzip)
        #expect(head.body.isEmpty && head.headers["Content-Length"] == gzipped.headers["Content-Length"] && head.headers["Content-Encoding"] == "gzip")
    }

    /// The gzip tag sent back revalidates: 304, naming the tag the client holds.
    @Test func theGzipTagRevalidates() throws {
        let api = try TestAPI()
        let gzipped = try api.get("/v1/events?limit=20", headers: Self.gzip)
        let tag = try #require(gzipped.headers["ETag"])
        #expect(tag.hasSuffix("-gzip\""))
        let again = try api.get("/v1/events?limit=20", headers: Self.gzip.merging(["If-None-Match": tag]) { $1 })
        #expect(again.status == 304 && again.headers["ETag"] == tag && again.headers["Vary"] == "Accept, Accept-Encoding" && again.body.isEmpty)
        // A client that no longer asks for gzip still gets its 304, with the plain tag.
        let plain = try api.get("/v1/events?limit=20", headers: ["If-None-Match": tag])
        #expect(plain.status == 304 && plain.headers["ETag"] == EntityTag.removingEncodingSuffix(tag))
        #expect(try api.get("/v1/events?limit=21", headers: Self.gzip.merging(["If-None-Match": tag]) { $1 }).status == 200)
    }

    /// If-Match compares the version a tag names, with or without the gzip mark.
    @Test func ifMatchWithTheGzipTagGuardsAWrite() throws {
        let api = try TestAPI()
        let id = try #require(try api.get("/v1/events?limit=1&fields=id&pretty=false").json.data.first?["id"]?.stringValue)
        // A long summary, so that the body is over the threshold and gzipped.
        let summary = String(repeating: "A long account of what happened. ", count: 40)
        #expect(try api.request("PATCH", "/v1/events/\(id)", json: #"{"summary":"\#(summary)"}"#, token: api.writeToken).status == 200)
        let tag = try #require(try api.get("/v1/events/\(id)", headers: Self.gzip).headers["ETag"])
        #expect(tag.hasSuffix("-gzip\""))
        let edited = try api.request("PATCH", "/v1/events/\(id)", json: #"{"summary":"Edited with a gzip tag"}"#, token: api.writeToken,
                                     headers: ["If-Match": tag])
        #expect(edited.status == 200, "\(edited.text)")
        let stale = try api.request("PATCH", "/v1/events/\(id)", json: #"{"summary":"Lost update"}"#, token: api.writeToken, headers: ["If-Match": tag])
        #expect(stale.status == 412)
    }

    /// The export, a streamed body, arrives chunked and gzipped, and decodes to the plain export.
    @Test func theExportStreamIsGzipped() throws {
        let api = try TestAPI()
        let plain = try StreamClient(port: api.port, request: "GET /v1/export HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(plain.read(for: 10) { _ in false } == false && plain.ended && plain.status == 200)
        let gzipped = try StreamClient(port: api.port, request: "GET /v1/export HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n")
        #expect(gzipped.read(for: 10) { _ in false } == false && gzipped.ended && gzipped.status == 200)
        #expect(gzipped.body.count * 3 < plain.body.count && gunzip(gzipped.body) == plain.body)
        let head = try api.get("/v1/export", headers: Self.gzip)
        #expect(head.headers["Transfer-Encoding"] == "chunked" && head.headers["Content-Encoding"] == "gzip" && head.headers["Vary"] == "Accept-Encoding")
    }
}
