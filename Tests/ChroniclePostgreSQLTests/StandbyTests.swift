import Chronicle
import ChronicleAPI
@testable import ChroniclePostgreSQL
import Foundation
import HTTP
import PostgreSQL
import Testing

/// Reads sent to a standby (`--read-database-url`) on a single server: a standby that is down
/// is skipped, and one that has everything (here the primary itself, not in recovery) takes
/// reads, those with a client's position included. tools/cluster-test.sh tries a real streaming
/// replica, lagging, stopped and restarted.
@Suite(.needsPostgres) struct StandbyTests {
    static func instance(readURL: String) throws -> (TestDatabase, InstancesTests.Instance) {
        let database = try TestDatabase()
        let store = try PostgresStore(url: database.url, migrations: PostgresMigrator(directory: migrationsDirectory), poolSize: 3,
                                      readURL: readURL, maxStandbyLag: 5)
        let token = try store.tokens.create(name: "writer", scope: .write).secret
        return (database, InstancesTests.Instance(store, token: token, positions: true))
    }

    static func reads(_ instance: InstancesTests.Instance, to: String) throws -> Int {
        let text = String(decoding: try instance.get("/metrics").body, as: UTF8.self)
        let line = text.split(separator: "\n").first { $0.hasPrefix("chronicle_standby_reads_total{to=\"\(to)\"} ") }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? -1
    }

    @Test func aStandbyThatIsDownIsSkipped() throws {
        // Port 1: nothing listens there; connecting fails at once.
        let (database, instance) = try Self.instance(readURL: "postgres://postgres@127.0.0.1:1/none?connect_timeout=1")
        _ = database
        let created = try instance.request("POST", "/v1/actors", json: #"{"kind":"person","name":"Written"}"#)
        let position = try #require(created.headers["Chronicle-Position"])
        #expect(created.status == 201 && Standby.lsn(position) != nil)
        #expect(created.headers["Set-Cookie"]?.hasPrefix("chronicle_position=\(position);") == true)
        let id = try #require(created.json["id"].flatMap { if case .string(let s) = $0 { s } else { nil } })
        #expect(try instance.request("GET", "/v1/actors/\(id)", headers: ["Chronicle-Position": position]).status == 200)
        #expect(try instance.get("/v1/actors").status == 200)
        #expect(try Self.reads(instance, to: "standby") == 0)
        #expect(try Self.reads(instance, to: "primary") > 0)
        #expect(try instance.get("/metrics").body.count > 0)
    }

    @Test func aStandbyThatHasEverythingTakesReadsWithPositions() throws {
        let database = try TestDatabase()
        let (other, instance) = try Self.instance(readURL: database.url)
        _ = other
        _ = instance
        // The "standby" here is another database on the same server, not in recovery: it has
        // every position. Its tables are not the primary's, so only the routing is checked.
        let created = try instance.request("POST", "/v1/actors", json: #"{"kind":"person","name":"Written"}"#)
        let position = try #require(created.headers["Chronicle-Position"])
        let store = instance.store
        let routed = try store.reading(atLeast: position) {
            try store.database.readingConnection { db in try db.execute("SELECT current_database()")[0].string(0) }
        }
        #expect(routed == database.name)
        let written = try store.writing {
            try store.database.readingConnection { db in try db.execute("SELECT current_database()")[0].string(0) }
        }
        #expect(written != database.name)
        #expect(try Self.reads(instance, to: "standby") >= 1)
    }

    @Test func walPositionsReadAndWriteAsPostgreSQLDoes() {
        #expect(Standby.lsn("16/B374D848") == 0x16_B374_D848)
        #expect(Standby.lsn("0/0") == 0)
        #expect(Standby.text(0x16_B374_D848) == "16/B374D848")
        for bad in ["", "16", "16/", "/1", "x/1", "1/2/3", "123456789/1", "-1/2"] { #expect(Standby.lsn(bad) == nil, "\(bad)") }
    }
}
