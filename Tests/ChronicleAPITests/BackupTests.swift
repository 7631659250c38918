import Chronicle
import ChronicleSQLite
import Foundation
import SQLite
import Testing

/// `chronicle backup` copies the live database while a server keeps writing: the copy holds
/// every write acknowledged before the backup began, and serves as the database.
@Suite struct BackupTests {
    @Test func aBackupTakenDuringWritesHoldsEveryWriteAcknowledgedBeforeIt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chronicle-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let db = directory.appendingPathComponent("live.sqlite").path
        let copy = directory.appendingPathComponent("copy.sqlite").path
        try runChronicle(["migrate", "--db", db])
        let token = try runChronicle(["token", "create", "--db", db, "--name", "backup", "--scope", "write"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try ServerProcess(database: db)
        defer { server.stop() }
        let writers = QuoteWriters(port: server.port, token: token, count: 3, label: "backup test")
        writers.wait(forAcknowledged: 100)
        let before = Set(writers.acknowledged)  // acknowledged before the backup began
        try runChronicle(["backup", copy, "--db", db])
        let during = writers.acknowledged.count
        usleep(200_000)
        writers.stop()
        #expect(before.count >= 50, "too few writes before the backup to test anything")
        #expect(writers.acknowledged.count > during, "writes kept flowing after the backup")

        let connection = try Connection(path: copy, readOnly: true)
        #expect(try connection.first("PRAGMA integrity_check") { $0.string(0) } == "ok")
        let stored = Set(try connection.all("SELECT id FROM quotes") { $0.string(0) })
        #expect(before.isSubset(of: stored), "the backup lacks \(before.subtracting(stored).count) acknowledged writes")
        // Consistent: every quote in the copy has its revision, as in any committed state.
        #expect(try connection.first("SELECT count(*) FROM quotes q WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE r.kind = 'quote' AND r.record_id = q.id)") { $0.int(0) } == 0)

        // Restored: a server on the copy serves what it holds; a second backup never overwrites.
        let restored = try ServerProcess(database: copy)
        defer { restored.stop() }
        for id in before.prefix(10) {
            #expect(try HTTPProbe.status(port: restored.port, "GET /v1/quotes/\(id) HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n") == 200)
        }
        #expect(throws: (any Error).self) { try runChronicle(["backup", copy, "--db", db]) }
    }
}
