import Chronicle
import Dispatch
import PostgreSQL
import Synchronization

/// Writes that arrive together commit together. Each write's revisions take their feed
/// positions under feed_head's row lock, held through the commit and its flush, so one write
/// per transaction made every writer on every instance queue for that lock, one flush each.
/// Here the writes waiting while a group commits form the next group: one transaction, each
/// write in a savepoint of its own (one that throws undoes only itself), their revisions
/// published in one statement with the COMMIT. A group's commit that fails fails all its
/// writes, none of them acknowledged. As SQLite's `DatabasePool.writeTransaction`, with up to
/// `leaders` groups committing at once, each on a connection of its own.
final class WriteGroups: Sendable {
    /// Groups committing at once, each on a connection of its own; their writes run side by
    /// side and their publishing takes turns at feed_head's lock.
    static let leaders = 2
    /// Most writes in one group (each a subtransaction; PostgreSQL keeps 64 per backend cheaply).
    static let maxGroup = 32

    private struct Queue {
        var pending: [PendingWrite] = []
        var leaders = 0
    }
    private let queue = Mutex(Queue())

    /// Runs `body` in the next group's transaction, in a savepoint, and returns once the group
    /// has committed. `body` gives its result and the revisions it made (`RevisionLog.collect`).
    /// `tokenID`: the token the write was let through on from memory, checked live in the
    /// group's transaction before the write runs (`RememberedTokens`). `alone`: in a transaction
    /// of its own, for a write that reads the revisions log, which holds only what committed
    /// (a restore numbering on from a deletion another write of its group just made).
    func write<T>(tokenID: String?, alone: Bool = false, pool: PostgresDatabase,
                  _ body: (Connection) throws -> (T, [RevisionLog.PendingRevision])) throws -> T {
        try withoutActuallyEscaping(body) { body in
            var result: Result<T, any Error>?
            let item = PendingWrite(tokenID: tokenID, alone: alone) { db, savepoint in
                let mark = db.queuedCount
                try db.executeDeferred("SAVEPOINT \(savepoint)")
                let sends = db.sendsOfQueued
                do {
                    let (value, rows) = try body(db)
                    try db.executeDeferred("RELEASE SAVEPOINT \(savepoint)")
                    result = .success(value)
                    return rows
                } catch {
                    result = .failure(error)
                    db.discardAhead()
                    if db.sendsOfQueued == sends {
                        db.discardDeferred(from: mark)  // the savepoint was never sent: nothing of the write ran
                    } else {
                        db.discardDeferred()
                        try db.execute("ROLLBACK TO SAVEPOINT \(savepoint)")
                        try db.executeDeferred("RELEASE SAVEPOINT \(savepoint)")
                    }
                    return []
                }
            }
            item.refuse = { result = .failure($0) }
            enqueue(item, pool: pool)
            if let failure = item.commitFailure { throw failure }
            return try result!.get()
        }
    }

    /// Queues a write and returns once its group has committed. A caller that finds fewer than
    /// `leaders` groups committing commits groups until its own write's has; then it hands
    /// leading to the first write still waiting, so that no caller waits for more than the
    /// groups ahead of its own.
    private func enqueue(_ item: PendingWrite, pool: PostgresDatabase) {
        let leads = queue.withLock { queue in
            queue.pending.append(item)
            guard queue.leaders < Self.leaders else { return false }
            queue.leaders += 1
            return true
        }
        if !leads {
            item.wake.wait()
            // Woken because its group ended, or to lead (a lead handed over must be taken, or
            // its place among the leaders would be lost).
            guard queue.withLock({ _ in item.promoted }) else { return }
        }
        while true {
            let group = queue.withLock { queue -> [PendingWrite] in
                let group = Self.nextGroup(queue.pending)
                queue.pending.removeFirst(group.count)
                if group.isEmpty { queue.leaders -= 1 }
                return group
            }
            if group.isEmpty { break }
            commit(group, pool: pool)
            let next = queue.withLock { queue -> PendingWrite?? in
                guard item.committed else { return .none }  // not yet: lead on
                guard let first = queue.pending.first(where: { !$0.promoted }) else {
                    queue.leaders -= 1
                    return .some(nil)
                }
                first.promoted = true
                return .some(first)
            }
            guard let next else { continue }
            next?.wake.signal()
            return
        }
        // Nothing left to lead, and its write is in another leader's group: wait for that.
        while !queue.withLock({ _ in item.committed }) { item.wake.wait() }
    }

    /// The writes at the head of the queue that go in one group: a write that must be alone
    /// goes on its own.
    private static func nextGroup(_ pending: [PendingWrite]) -> [PendingWrite] {
        guard let first = pending.first else { return [] }
        if first.alone { return [first] }
        return Array(pending.prefix(maxGroup).prefix { !$0.alone })
    }

    private func commit(_ group: [PendingWrite], pool: PostgresDatabase) {
        var failure: (any Error)?
        do {
            try pool.connections.withConnection { db in
                try db.transaction {
                    let live = try pool.rememberedTokens.live(db, ids: group.compactMap(\.tokenID))
                    var rows: [RevisionLog.PendingRevision] = []
                    for (index, item) in group.enumerated() {
                        if let tokenID = item.tokenID, !live.contains(tokenID) {
                            pool.rememberedTokens.forget(id: tokenID)
                            item.refuse?(ChronicleError.tokenRevoked)
                            continue
                        }
                        rows += try item.run?(db, "group_write_\(index)") ?? []
                    }
                    if !rows.isEmpty { try RevisionLog.publish(db, rows, pool: pool) }
                }
            }
        } catch {
            failure = error
        }
        for item in group {
            item.commitFailure = failure
            item.run = nil  // the body must not outlive its caller's withoutActuallyEscaping
            item.refuse = nil
        }
        queue.withLock { _ in for item in group { item.committed = true } }
        for item in group { item.wake.signal() }
    }
}

/// One write waiting for its group's commit. Its fields are handed between the waiting caller
/// and the committing thread through `wake` (and the queue's lock, for `promoted`).
private final class PendingWrite: @unchecked Sendable {
    let tokenID: String?
    let alone: Bool
    /// Runs the write in the group's transaction under the savepoint named; gives its revisions.
    var run: ((Connection, String) throws -> [RevisionLog.PendingRevision])?
    /// Fails the write without running it.
    var refuse: ((any Error) -> Void)?
    var commitFailure: (any Error)?
    /// Its group has ended, committed or failed (read and written under the queue's lock).
    var committed = false
    /// Handed the lead while waiting (read and written under the queue's lock).
    var promoted = false
    let wake = DispatchSemaphore(value: 0)

    init(tokenID: String?, alone: Bool, _ run: @escaping (Connection, String) throws -> [RevisionLog.PendingRevision]) {
        self.tokenID = tokenID
        self.alone = alone
        self.run = run
    }
}
