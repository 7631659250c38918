import Chronicle
import Glibc
import PostgreSQL

/// Record stamps known to be current, so that a read of a kept body asks the database one
/// small question shared with every other read in flight, instead of one of its own.
///
/// Every write that changes a record's stamp logs a revision of it, numbered in commit order
/// by the feed's head (migrations/postgresql/0002). So a stamp read at some position of the
/// head stays current until a revision of its record appears after that position. A reader
/// calls `look()`: one query reads the head and the revisions since the last look, and the
/// stamps they name are dropped. A reader that arrives while a look is running waits for the
/// next one, which starts after it arrived and so sees every write acknowledged before its
/// request, whichever instance wrote it. However many read at once, the database answers one
/// query per round trip, and nothing stale is served.
final class CurrentStamps: @unchecked Sendable {  // its state is guarded by `mutex`
    /// The feed's head and the embedded-change log's end, read together.
    struct Head {
        let position: Int64
        let embeddedPosition: Int64
    }

    private let pool: ConnectionPool
    /// The most stamps kept; past it all are dropped (they come back one read each).
    let capacity: Int
    /// Revisions read at one look at most; a look further behind drops every stamp.
    let catchUpLimit: Int

    private var mutex = pthread_mutex_t()
    private var stamps: [Key: RecordStamp] = [:]
    /// The head the stamps are current through; nil before the first look.
    private var synced: Head?
    private var looks: SharedRounds<Head>!

    /// feed_head has no row.
    private struct NotMigrated: Error {}

    private struct Key: Hashable {
        let kind: RecordKind
        let id: String
    }

    init(pool: ConnectionPool, capacity: Int = 100_000, catchUpLimit: Int = 10_000) {
        self.pool = pool
        self.capacity = capacity
        self.catchUpLimit = catchUpLimit
        pthread_mutex_init(&mutex, nil)
        looks = SharedRounds { [unowned self] in
            // Looks run one at a time: `synced` is not moved by another meanwhile.
            let (head, changed) = try read(since: locked { synced })
            locked { apply(head, changed: changed) }
            return head
        }
    }

    deinit { pthread_mutex_destroy(&mutex) }

    /// The head as a look that started after this call found it, with the stamps brought up
    /// to it; nil when that look failed (the caller asks the database itself, and hears why).
    func look() -> Head? { try? looks.join().get() }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }

    /// The stamp kept for this record, current through the last look.
    func stamp(_ kind: RecordKind, _ id: String) -> RecordStamp? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return stamps[Key(kind: kind, id: id)]
    }

    /// Keeps a stamp read in a snapshot whose head was at `position`: only when no look has
    /// gone past it, since a look past it may already have dropped the revision that made it
    /// stale (a later look drops it if its record changed, even before `position`: harmless).
    func keep(_ stamp: RecordStamp, of kind: RecordKind, readAt position: Int64) {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        guard let synced, position >= synced.position else { return }
        if stamps.count >= capacity { stamps.removeAll(keepingCapacity: true) }
        stamps[Key(kind: kind, id: stamp.id)] = stamp
    }

    /// Stamps kept now, for tests.
    var count: Int {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return stamps.count
    }

    /// Under the mutex: the stamps that `changed` names dropped (all of them when nil).
    private func apply(_ head: Head, changed: [Key]?) {
        if let changed {
            for key in changed { stamps.removeValue(forKey: key) }
        } else {
            stamps.removeAll(keepingCapacity: true)
        }
        synced = head
    }

    /// The head and, in the same snapshot, the records with a revision after `since`; nil
    /// records when there are more than `catchUpLimit` of them, or when there was no look before.
    private func read(since: Head?) throws -> (Head, [Key]?) {
        try pool.withConnection { db in
            let rows = try db.executeCached("""
                SELECT h.position, h.embedded_position, r.kind, r.record_id FROM feed_head h
                LEFT JOIN LATERAL (SELECT kind, record_id FROM revisions WHERE position > $1 AND position <= h.position
                                   ORDER BY position LIMIT $2) r ON true
                WHERE h.id = 1
                """, [.integer(since?.position ?? Int64.max), .integer(Int64(catchUpLimit))])
            guard let first = rows.first else { throw NotMigrated() }
            let head = Head(position: Int64(try first.int(0)), embeddedPosition: Int64(try first.int(1)))
            guard since != nil else { return (head, nil) }
            var changed: [Key] = []
            for row in rows {
                guard let kind = try row.optionalString(2), let id = try row.optionalString(3) else { continue }
                guard let recordKind = RecordKind(rawValue: kind) else { return (head, nil) }
                changed.append(Key(kind: recordKind, id: id))
            }
            return (head, changed.count >= catchUpLimit ? nil : changed)
        }
    }
}
