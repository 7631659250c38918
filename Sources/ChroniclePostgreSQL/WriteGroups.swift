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
    /// Groups committing at once: one builds while the other waits for feed_head's lock.
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
    /// `tokenID`: the token the write was let through on from memory, confirmed live in the
    /// group's transaction before the write runs (`RememberedTokens`).
    func write<T>(tokenID: String?, pool: PostgresDatabase, _ body: (Connection) throws -> (T, [RevisionLog.PendingRevision])) throws -> T {
        try withoutActuallyEscaping(body) { body in
            var result: Result<T, any Error>?
            let item = PendingWrite(tokenID: tokenID) { db, savepoint in
                let mark = db.queuedCount
                do {
                    try db.executeDeferred("SAVEPOINT \(savepoint)")
                    let (value, rows) = try body(db)
                    try db.executeDeferred("RELEASE SAVEPOINT \(savepoint)")
                    result = .success(value)
                    return rows
                } catch {
                    result = .failure(error)
                    db.discardAhead()
                    if db.queuedCount > mark {
                        db.discardDeferred(from: mark)  // the savepoint was not sent: nothing of it ran
                    } else {
                        db.discardDeferred()
                        try db.execute("ROLLBACK TO SAVEPOINT \(savepoint)")
                    }
                    return []
                }
            }
            item.refuse = { result = .failure($0) }
            enqueue(item, pool: pool)
            item.done.wait()
            if let failure = item.commitFailure { throw failure }
            return try result!.get()
        }
    }

    /// Queues a write; a caller that finds fewer than `leaders` groups committing commits
    /// groups until none wait.
    private func enqueue(_ item: PendingWrite, pool: PostgresDatabase) {
        let leads = queue.withLock { queue in
            queue.pending.append(item)
            guard queue.leaders < Self.leaders else { return false }
            queue.leaders += 1
            return true
        }
        guard leads else { return }
        while true {
            let group = queue.withLock { queue in
                let taken = Array(queue.pending.prefix(Self.maxGroup))
                queue.pending.removeFirst(taken.count)
                if taken.isEmpty { queue.leaders -= 1 }
                return taken
            }
            if group.isEmpty { return }
            commit(group, pool: pool)
        }
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
            item.done.signal()
        }
    }
}

/// One write waiting for its group's commit. Its fields are handed between the waiting caller
/// and the committing thread through `done`.
private final class PendingWrite: @unchecked Sendable {
    let tokenID: String?
    /// Runs the write in the group's transaction under the savepoint named; gives its revisions.
    var run: ((Connection, String) throws -> [RevisionLog.PendingRevision])?
    /// Fails the write without running it.
    var refuse: ((any Error) -> Void)?
    var commitFailure: (any Error)?
    let done = DispatchSemaphore(value: 0)

    init(tokenID: String?, _ run: @escaping (Connection, String) throws -> [RevisionLog.PendingRevision]) {
        self.tokenID = tokenID
        self.run = run
    }
}
