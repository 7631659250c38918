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
        let outcomes = Locked<[Int: String]>([:])
        onThreads(96) { n in
            let outcome: String
            do {
                _ = try store.database.writeGroups.write(tokenID: nil, pool: store.database) { db -> (Int, [RevisionLog.PendingRevision]) in
                    try db.executeDeferred("INSERT INTO scratch VALUES ($1)", [.integer(Int64(n))])
                    switch n % 4 {
                    case 1:  // its insert sent, then refused: rolled back to its savepoint
                        try db.flush()
                        throw Refused()
                    case 2:  // refused before anything was sent
                        throw Refused()
                    case 3:  // the server refuses a statement: a key taken by the write itself
                        try db.executeDeferred("INSERT INTO scratch VALUES ($1)", [.integer(Int64(n))])
                        try db.flush()
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
        for n in 0..<96 {
            #expect(outcomes.value[n] == [0: "written", 1: "refused", 2: "refused", 3: "taken"][n % 4], "write \(n)")
        }
        let stored = try store.pool.withConnection { db in try db.execute("SELECT n FROM scratch ORDER BY n").map { try $0.int(0) } }
        #expect(stored == Array(stride(from: 0, to: 96, by: 4)))
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
