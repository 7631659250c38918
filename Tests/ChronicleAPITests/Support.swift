import Chronicle
@testable import ChronicleAPI
import ChronicleSQLite
import Foundation
import Glibc
import HTTP

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A real server on an ephemeral port over a fresh database (with the built-in dataset unless
/// told otherwise), and a write token.
final class TestAPI {
    let database: SQLiteStore
    let server: Server
    let writeToken: String
    let readToken: String
    var port: Int { server.port }

    init(seed: Bool = true, readTimeLimit: Double? = nil, configure: (inout APIConfiguration) -> Void = { _ in },
         wrap: (inout Repositories) -> Void = { _ in }) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chronicle-api-\(UUID().uuidString)")
        database = try SQLiteStore(path: directory.appendingPathComponent("db.sqlite").path,
                                         migrations: Migrator(directory: repoRoot.appendingPathComponent("migrations/sqlite")),
                                         readTimeLimit: readTimeLimit)
        if seed { try BuiltinDataset.bundled().load(into: database) }
        writeToken = try database.tokens.create(name: "writer", scope: .write).secret
        readToken = try database.tokens.create(name: "reader", scope: .read).secret
        let db = database
        var api = APIConfiguration()
        api.openAPIDocument = try String(contentsOf: repoRoot.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        let search = db.search  // wired as `chronicle serve` wires it
        api.searchCache = { search.cacheUsage }
        let serverBox = ServerReference()
        api.openConnections = { serverBox.server?.openConnections ?? 0 }
        api.acceptPauses = { serverBox.server?.acceptPauses ?? 0 }
        configure(&api)
        var repositories = Repositories(actors: db.actors, events: db.events, quotes: db.quotes, sources: db.sources, search: db.search,
                                        tokens: db.tokens, snapshots: db, embeddedChanges: db.embeddedChanges, revisions: db.revisions, webhooks: db.webhooks, exporter: db, importer: db,
                                        checkReady: { try db.ping() })
        wrap(&repositories)
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.accessLog = false
        let chronicle = ChronicleAPI(repositories: repositories, configuration: api)
        server = try Server(configuration: configuration, respondersByLoop: { _ in chronicle.router() })
        serverBox.server = server
    }

    /// The server, for the API's gauges once it exists (as `chronicle serve` wires them).
    final class ServerReference: @unchecked Sendable {
        weak var server: Server?
    }

    deinit {
        server.shutdown()
        server.wait()
    }

    struct Reply {
        let status: Int
        let headers: Headers
        let body: [UInt8]
        var json: JSON { (try? JSON.parse(body)) ?? .null }
        var text: String { String(decoding: body, as: UTF8.self) }
        /// The fields a 422 problem names, in order.
        var refusedFields: [String] { json["errors"]?.arrayValue.compactMap { $0["field"]?.stringValue } ?? [] }
    }

    /// One request on its own connection; the body is JSON text when given.
    func request(_ method: String, _ target: String, json: String? = nil, token: String? = nil, headers: [String: String] = [:]) throws -> Reply {
        var allHeaders = headers
        if json != nil && allHeaders["Content-Type"] == nil { allHeaders["Content-Type"] = "application/json" }
        return try request(method, target, body: json.map { Array($0.utf8) }, token: token, headers: allHeaders)
    }

    /// A request whose body is any bytes (not UTF-8, compressed), with the headers given.
    func request(_ method: String, _ target: String, body: [UInt8]?, token: String? = nil, headers: [String: String] = [:]) throws -> Reply {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: test\r\nConnection: close\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        let raw = try exchange(Array((head + "\r\n").utf8) + (body ?? []))
        return try parse(raw, isHead: method == "HEAD")
    }

    func get(_ target: String, headers: [String: String] = [:]) throws -> Reply { try request("GET", target, headers: headers) }

    private func exchange(_ bytes: [UInt8]) throws -> [UInt8] { try HTTPProbe.exchange(port: port, bytes) }

    private func parse(_ raw: [UInt8], isHead: Bool) throws -> Reply {
        guard let end = (0..<max(0, raw.count - 3)).first(where: { raw[$0] == 13 && raw[$0 + 1] == 10 && raw[$0 + 2] == 13 && raw[$0 + 3] == 10 }) else {
            throw TestError.io("no response head in \(raw.count) bytes")
        }
        var lines = String(decoding: raw[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(lines.removeFirst().split(separator: " ")[1]) ?? 0
        var headers = Headers()
        for line in lines {
            if let colon = line.firstIndex(of: ":") {
                headers.add(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
        }
        // Everything after the head until the server closed: for HEAD this must be nothing.
        return Reply(status: status, headers: headers, body: Array(raw[(end + 4)...]))
    }

    enum TestError: Error { case io(String) }
}

extension JSON {
    var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    var arrayValue: [JSON] { if case .array(let a) = self { return a } else { return [] } }
    var intValue: Int? { if case .number(let n) = self { return Int(n) } else { return nil } }
    var keys: [String] { if case .object(let f) = self { return f.map(\.0) } else { return [] } }
    var data: [JSON] { self["data"]?.arrayValue ?? [] }
}
