import Chronicle
@testable import ChroniclePostgreSQL
import Dispatch
import Foundation
import PostgreSQL
import Synchronization
import Testing

/// The stamps an instance keeps (so that a kept body costs no query of its own) follow what
/// any instance writes, and a read never gets a stamp older than a write acknowledged before
/// it began.
@Suite(.needsPostgres) struct CurrentStampsTests {
    private func event(_ store: PostgresStore, _ title: String) throws -> Event {
        try store.events.create(EventDraft(title: title, start: try PartialDate(parsing: "2022-02-24"), category: .politics))
    }

    @Test func aKeptStampFollowsWritesThroughAnotherInstance() throws {
        let database = try TestDatabase()
        let writer = try database.store(), reader = try database.store()
        let stamps = try #require(reader.embeddedChanges.stamps)
        let created = try event(writer, "Talks")
        #expect(try reader.embeddedChanges.current(.event, created.id).stamp.version == 1)
        #expect(stamps.count == 1)  // kept: the next read asks only for the head
        #expect(try reader.embeddedChanges.current(.event, created.id).stamp == created.stamp)

        let updated = try writer.events.update(created.id, expectedVersion: 1, with: EventDraft(title: "Talks resumed", start: created.start))
        #expect(try reader.embeddedChanges.current(.event, created.id).stamp == updated.stamp)

        try writer.events.delete(created.id, cascade: false)
        #expect(throws: ChronicleError.self) { try reader.embeddedChanges.current(.event, created.id) }
        // Brought back: a stamp of its own (a new creation time), not the one kept before.
        let restored = try writer.events.restore(created.id, to: updated.draft, createdAt: Timestamp.now(), expectedVersion: nil, by: .cli)
        #expect(try reader.embeddedChanges.current(.event, created.id).stamp == restored.stamp)
    }

    /// A look reads the revisions since the last one, up to a limit; an instance further
    /// behind than that drops every stamp, and reads them again as they are asked for.
    @Test func anInstanceFarBehindDropsEveryStamp() throws {
        let database = try TestDatabase()
        let writer = try database.store()
        let stamps = CurrentStamps(pool: writer.pool, catchUpLimit: 3)
        let first = try event(writer, "First"), second = try event(writer, "Second")
        let head = try #require(stamps.look())
        stamps.keep(first.stamp, of: .event, readAt: head.position)
        stamps.keep(second.stamp, of: .event, readAt: head.position)
        // Read before the last look went past it: perhaps stale already, so not kept.
        stamps.keep(RecordStamp(id: "evt_old", version: 1, createdAt: "2022"), of: .event, readAt: head.position - 1)
        #expect(stamps.count == 2)

        _ = try event(writer, "Third")  // one revision behind: only its record is dropped
        _ = try writer.events.update(first.id, expectedVersion: 1, with: EventDraft(title: "First, again", start: first.start))
        let next = try #require(stamps.look())
        #expect(next.position == head.position + 2)
        #expect(stamps.stamp(.event, first.id) == nil && stamps.stamp(.event, second.id) == second.stamp)

        for index in 0..<3 { _ = try event(writer, "More \(index)") }  // as many as the limit: too far behind
        _ = try #require(stamps.look())
        #expect(stamps.count == 0)
    }

    /// Readers in flight share looks; each sees at least the version written before it asked.
    @Test func concurrentReadersNeverSeeAVersionOlderThanTheirRequest() throws {
        let database = try TestDatabase()
        let writer = try database.store(), reader = try database.store(poolSize: 8)
        let created = try event(writer, "Version 1")
        let acknowledged = Atomic<Int>(1)
        let stale = Atomic<Int>(0), reads = Atomic<Int>(0)
        let writes = 40
        // Eight readers on threads of their own, while this thread writes.
        let finished = DispatchSemaphore(value: 0)
        let writing = Atomic<Bool>(true)
        for _ in 0..<8 {
            Thread {
                while writing.load(ordering: .sequentiallyConsistent) {
                    let before = acknowledged.load(ordering: .sequentiallyConsistent)
                    guard let seen = try? reader.embeddedChanges.current(.event, created.id).stamp.version else { continue }
                    reads.add(1, ordering: .relaxed)
                    if seen < before { stale.add(1, ordering: .relaxed) }
                }
                finished.signal()
            }.start()
        }
        do {
            // The readers stop however the writes end, a thrown error included.
            defer {
                writing.store(false, ordering: .sequentiallyConsistent)
                for _ in 0..<8 { finished.wait() }
            }
            for version in 1..<(writes + 1) {
                _ = try writer.events.update(created.id, expectedVersion: version, with: EventDraft(title: "Version \(version + 1)", start: created.start))
                acknowledged.store(version + 1, ordering: .sequentiallyConsistent)
            }
        }
        #expect(acknowledged.load(ordering: .relaxed) == writes + 1)
        #expect(reads.load(ordering: .relaxed) > writes)
        #expect(stale.load(ordering: .relaxed) == 0)
        #expect(try reader.embeddedChanges.current(.event, created.id).stamp.version == writes + 1)
    }
}

