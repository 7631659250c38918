import Chronicle
@testable import ChroniclePostgreSQL
import Foundation
import PostgreSQL
import Testing

/// Writes that arrive together commit in one transaction, each in a savepoint of its own: one
/// that fails, before or after its statements were sent, leaves nothing and takes none of the
/// others with it; each keeps its own attribution; a revoked token refuses only its own writes.
@Suite(.needsPostgres) struct WriteGroupsTests {
    struct Refused: Error {}

    @Test func aWriteThatFailsUndoesOnlyItself() throws {
        let database = try TestDatabase()
        let store = try database.store(poolSize: 8)
        try store.pool.withConnection { db in _ = try db.execute("CREATE TABLE scratch (n integer PRIMARY KEY)") }
        // Half the writes on a token, so that a group's token check goes before its first write.
        let token = try store.tokens.create(name: "writer", scope: .write).token
        let outcomes = Locked<[Int: String]>([:])
        onThreads(100) { n in
            let outcome: String
            do {
                _ = try store.database.writeGroups.write(tokenID: n % 2 == 0 ? token.id : nil, pool: store.database) { db -> (Int, [RevisionLog.PendingRevision]) in
                    try db.executeDeferred("INSERT INTO scratch VALUES ($1)", [.integer(Int64(n))])
                    switch n % 5 {
                    case 1:  // its insert sent, then refused: rolled back to its savepoint
                        try db.flush()
                        throw Refused()
                    case 2:  // refused before anything was sent
                        throw Refused()
                    case 3:  // the server refuses a statement: a key taken by the write itself
                        try db.executeDeferred("INSERT INTO scratch VALUES ($1)", [.integer(Int64(n))])
                        try db.flush()
                    case 4:  // sent, then more queued than were queued before it, then refused
                        try db.flush()
                        for offset in [1000, 2000, 3000] { try db.executeDeferred("INSERT INTO scratch VALUES ($1)", [.integer(Int64(n + offset))]) }
                        throw Refused()
                    default: break
                    }
                    return (n, [])
                }
                outcome = "written"
            } catch is Refused {
                outcome = "refused"
            } catch let error as PostgresError where error.isUniqueViolation {
                outcome = "taken"
            } catch {
                outcome = "\(error)"
            }
            outcomes.update { $0[n] = outcome }
        }
        for n in 0..<100 {
            #expect(outcomes.value[n] == [0: "written", 1: "refused", 2: "refused", 3: "taken", 4: "refused"][n % 5], "write \(n)")
        }
        let stored = try store.pool.withConnection { db in try db.execute("SELECT n FROM scratch ORDER BY n").map { try $0.int(0) } }
        #expect(stored == Array(stride(from: 0, to: 100, by: 5)))
    }

    /// A restore numbers on from the revisions log, which holds only what committed: queued
    /// behind a delete of the same record, it must not share the delete's group.
    @Test func aRestoreQueuedBehindADeleteOfItsRecordWaitsForItsCommit() throws {
        let database = try TestDatabase()
        let store = try database.store(poolSize: 8)
        let actor = try store.actors.create(ActorDraft(kind: .person, name: "Anna Mediator"), by: .cli)
        // Both groups' leaders held inside a write, so that what comes next queues behind them.
        let release = DispatchSemaphore(value: 0), holding = DispatchSemaphore(value: 0)
        let outcomes = Locked<[String: String]>([:])
        let holders = DispatchGroup(), writes = DispatchGroup()
        func run(_ name: String, in finished: DispatchGroup, _ body: @escaping @Sendable () throws -> Void) {
            finished.enter()
            Thread {
                do { try body(); outcomes.update { $0[name] = "ok" } } catch { outcomes.update { $0[name] = "\(error)" } }
                finished.leave()
            }.start()
        }
        for index in 0..<WriteGroups.leaders {
            run("holder \(index)", in: holders) {
                _ = try store.database.writeGroups.write(tokenID: nil, pool: store.database) { _ -> (Int, [RevisionLog.PendingRevision]) in
                    holding.signal()
                    release.wait()
                    return (0, [])
                }
            }
        }
        for _ in 0..<WriteGroups.leaders { holding.wait() }
        run("delete", in: writes) { try store.actors.delete(actor.id, cascade: false, by: .cli) }
        Thread.sleep(forTimeInterval: 0.3)  // queued first
        run("restore", in: writes) { _ = try store.actors.restore(actor.id, to: actor.draft, createdAt: actor.createdAt, expectedVersion: 1, by: .cli) }
        Thread.sleep(forTimeInterval: 0.3)
        // One leader let go: it hands the lead to the delete, which leads the groups behind it
        // while the other leader still holds its place.
        release.signal()
        writes.wait()
        for _ in 1..<WriteGroups.leaders { release.signal() }
        holders.wait()
        #expect(outcomes.value["delete"] == "ok")
        #expect(outcomes.value["restore"] == "ok")
        let restored = try store.actors.find(actor.id)
        #expect(restored.version == 3, "created, deleted, restored")
        #expect(try store.revisions.latest(of: .actor, id: actor.id)?.number == 3)
    }

    /// A token revoked while a best-effort import runs: the batches written before stay, and
    /// the report says where writing stopped.
    @Test func aTokenRevokedDuringABestEffortImportStopsItWithAReport() throws {
        let database = try TestDatabase()
        let store = try database.store(), other = try database.store()
        let token = try store.tokens.create(name: "importer", scope: .write).token
        var number = 0
        let report = try store.importLines({
            number += 1
            if number == PostgresImport.batchSize + 1 { _ = try other.tokens.revoke(token.id) }
            guard number <= PostgresImport.batchSize + 10 else { return nil }
            return ImportLine(line: number, kind: .actor, id: nil, content: .success(.actor(ActorDraft(kind: .person, name: "Person \(number)"))))
        }, mode: .bestEffort, dryRun: false, by: Attribution(author: "importer", tokenID: token.id))
        #expect(report.created == PostgresImport.batchSize)
        #expect(report.failed == 1)
        #expect(report.failures.first?.line == PostgresImport.batchSize + 1)
        #expect(report.failures.first?.field == "token")
        #expect(try store.pool.withConnection { db in try db.execute("SELECT count(*) FROM actors")[0].int(0) } == PostgresImport.batchSize)
    }

    @Test func eachWriteOfAGroupKeepsItsOwnAttribution() throws {
        let database = try TestDatabase()
        let store = try database.store(poolSize: 8)
        let created = Locked<[(id: String, author: String)]>([])
        onThreads(48) { n in
            let attribution = Attribution(author: "writer \(n)", note: n % 2 == 0 ? "note \(n)" : nil)
            if let actor = try? store.actors.create(ActorDraft(kind: .person, name: "Person \(n)"), by: attribution) {
                created.update { $0.append((actor.id, attribution.author)) }
            }
        }
        #expect(created.value.count == 48)
        var positions = Set<Int64>()
        for (id, author) in created.value {
            let revision = try #require(try store.revisions.latest(of: .actor, id: id))
            #expect(revision.attribution.author == author)
            let n = Int(author.dropFirst("writer ".count))!
            #expect(revision.attribution.note == (n % 2 == 0 ? "note \(n)" : nil))
            #expect(revision.operation == .create && revision.number == 1)
            positions.insert(revision.position)
        }
        #expect(positions.count == 48, "every revision at a position of its own")
    }

    @Test func aRevokedTokenRefusesOnlyItsOwnWritesInAGroup() throws {
        let database = try TestDatabase()
        let store = try database.store(poolSize: 8), other = try database.store()
        let (kept, _) = try store.tokens.create(name: "kept", scope: .write)
        let (revoked, _) = try store.tokens.create(name: "revoked", scope: .write)
        _ = try other.tokens.revoke(revoked.id)
        let outcomes = Locked<[Int: Bool]>([:])
        onThreads(40) { n in
            let token = n % 2 == 0 ? kept : revoked
            let written = (try? store.actors.create(ActorDraft(kind: .person, name: "Person \(n)"), by: Attribution(author: token.name, tokenID: token.id))) != nil
            outcomes.update { $0[n] = written }
        }
        for n in 0..<40 { #expect(outcomes.value[n] == (n % 2 == 0), "write \(n)") }
        #expect(try store.pool.withConnection { db in try db.execute("SELECT count(*) FROM actors")[0].int(0) } == 20)
    }
}

/// `body(n)` for each n in 0..<count, each on a thread of its own, all at once (Dispatch's
/// pool would run about as many as there are cores): the writes wait for one another's groups.
private func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let finished = DispatchGroup()
    let start = DispatchSemaphore(value: 0)
    for n in 0..<count {
        finished.enter()
        Thread {
            start.wait()
            body(n)
            finished.leave()
        }.start()
    }
    for _ in 0..<count { start.signal() }
    finished.wait()
}
