import Chronicle
import PostgreSQL

/// One record kind's table as its repository uses it: the columns a `SELECT` names, paired with
/// the decoder that reads them by position; its version guard.
struct RecordTable<Record: VersionedRecord>: Sendable {
    let name: String
    /// The columns `decode` reads, in order (unqualified; see `qualified`).
    let columns: [String]
    /// A record from `columns`, read from column `first` on.
    let decode: @Sendable (_ row: Row, _ first: Int) throws -> Record

    /// `columns` named for a query's table alias: `e.id, e.title, ...`.
    func qualified(_ alias: String) -> String { columns.map { "\(alias).\($0)" }.joined(separator: ", ") }

    func currentVersion(_ db: Connection, _ id: String) throws -> Int? {
        try db.executeCached("SELECT version FROM \(name) WHERE id = $1", [.text(id)]).first.map { try $0.int(0) }
    }

    /// Inserts a new record at version 1: `id`, the draft's `columns` with `values`, and the times.
    /// `deferred`: sent with the transaction's next statement, which throws its error, for a
    /// kind whose insert has no error of its own to tell apart (no unique key but the id).
    func insert(_ db: Connection, id: String, columns: [String], _ values: [PostgresValue], now: String, deferred: Bool = false) throws {
        let placeholders = (1...(values.count + 3)).map { "$\($0)" }.joined(separator: ", ")
        let sql = "INSERT INTO \(name) (id, \(columns.joined(separator: ", ")), created_at, updated_at, version) VALUES (\(placeholders), 1)"
        let bound = [.text(id)] + values + [.text(now), .text(now)]
        if deferred { try db.executeDeferred(sql, bound) } else { try db.executeCached(sql, bound) }
    }

    /// Sets the draft's `columns` to `values` and moves the version on, only while the record is
    /// still at `expectedVersion`: the guard is in the statement itself, so no path (and no other
    /// instance) can write over a version it did not read. Under READ COMMITTED a concurrent
    /// writer's UPDATE waits for this one to commit, then finds the version moved and changes
    /// nothing: exactly one of two same-version writes wins.
    func update(_ db: Connection, id: String, expectedVersion: Int, columns: [String], _ values: [PostgresValue], now: String) throws {
        var p = Parameters(values)
        let assignments = columns.enumerated().map { "\($1) = $\($0 + 1)" }.joined(separator: ", ")
        let sql = "UPDATE \(name) SET \(assignments), updated_at = \(p.bind(now)), version = version + 1 WHERE id = \(p.bind(id)) AND version = \(p.bind(.integer(Int64(expectedVersion))))"
        guard try db.executeCached(sql, p.values).affectedRows == 1 else {
            guard let current = try currentVersion(db, id) else { throw ChronicleError.notFound(Record.kind, id) }
            throw ChronicleError.versionConflict(Record.kind, id: id, expected: expectedVersion, current: current)
        }
    }

    /// Gives these records a new version for a change to their own fields made through another
    /// record (a participant or citation removed by a cascade).
    func touch(_ db: Connection, _ ids: [String], now: String) throws {
        guard !ids.isEmpty else { return }
        try db.executeCached("UPDATE \(name) SET version = version + 1, updated_at = $1 WHERE id = ANY($2::text[])", [.text(now), textArray(ids)])
    }
}

/// A restore found its record brought back by another writer as it inserted it.
struct RestoredMeanwhile: Error {}

/// The shape the PostgreSQL repositories share: create, find, update under a version and delete
/// are the same steps for every kind; a kind says only how its row and what hangs off it are
/// written (`write`), read (`load`) and unhooked before a delete (`detach`).
protocol PostgresRecordRepository: RecordRepository {
    var pool: PostgresDatabase { get }
    static var table: RecordTable<Record> { get }
    /// The record with what it embeds, by id (or another key the kind accepts, like a slug).
    func load(_ db: Connection, _ id: String) throws -> Record?
    /// Writes the record's row (`current` is nil on create) and everything hanging off it:
    /// dependents and the search document.
    func write(_ db: Connection, id: String, _ draft: Record.Draft, current: Record?, now: String) throws
    /// Removes what refers to the record before it is deleted, or refuses while anything does
    /// (unless `cascade`).
    func detach(_ db: Connection, _ record: Record, cascade: Bool, now: String) throws
}

extension PostgresRecordRepository {
    public var deleteCascades: Bool { true }

    public func create(_ draft: Record.Draft, by attribution: Attribution) throws -> Record {
        try draft.validate()
        return try writing(attribution) { db, now in
            let id = Identifier.make(Record.kind)
            try write(db, id: id, draft, current: nil, now: now)
            return try readBack(db, id)
        }
    }

    /// The record as the write left it, read with the revision queue for `drain` (which comes
    /// next, with no write between) in one round trip.
    func readBack(_ db: Connection, _ id: String) throws -> Record {
        try RevisionLog.readQueueAhead(db)
        return try load(db, id)!
    }

    public func find(_ id: String, in snapshot: (any ReadSnapshot)?) throws -> Record {
        try pool.reading(in: snapshot) { db in
            guard let record = try load(db, id) else { throw ChronicleError.notFound(Record.kind, id) }
            return record
        }
    }

    public func update(_ id: String, expectedVersion: Int, with draft: Record.Draft, by attribution: Attribution) throws -> Record {
        try draft.validate()
        return try writing(attribution) { db, now in
            guard let current = try load(db, id) else { throw ChronicleError.notFound(Record.kind, id) }
            guard current.version == expectedVersion else {
                throw ChronicleError.versionConflict(Record.kind, id: current.id, expected: expectedVersion, current: current.version)
            }
            if draft.saysTheSame(as: current.draft) { return current }
            try write(db, id: current.id, draft, current: current, now: now)
            return try readBack(db, current.id)
        }
    }

    public func delete(_ id: String, cascade: Bool, by attribution: Attribution) throws {
        try writing(attribution, retryingReferences: true) { db, now in
            guard let found = try load(db, id) else { throw ChronicleError.notFound(Record.kind, id) }
            // FOR UPDATE first: writes that would refer to the record (their reference checks
            // take FOR KEY SHARE) wait for this delete and then find it gone, and those already
            // under way are waited for, so `detach` below sees every reference.
            guard try db.executeCached("SELECT 1 FROM \(Self.table.name) WHERE id = $1 FOR UPDATE", [.text(found.id)]).count == 1,
                  let record = try load(db, found.id) else { throw ChronicleError.notFound(Record.kind, id) }
            try detach(db, record, cascade: cascade, now: now)
            guard try db.executeCached("DELETE FROM \(Self.table.name) WHERE id = $1", [.text(record.id)]).affectedRows == 1 else {
                throw ChronicleError.notFound(Record.kind, id)  // deleted meanwhile by another writer
            }
            try SearchDocuments.remove(db, id: record.id)
        }
    }

    public func restore(_ id: String, to draft: Record.Draft, createdAt: String, expectedVersion: Int?, by attribution: Attribution) throws -> Record {
        try draft.validate()
        do {
            // Alone: it numbers on from the revisions log, which holds only what committed.
            return try writing(attribution, alone: true) { db, now in
                if let current = try load(db, id), current.id == id {
                    // Live: only at the version the caller read; nil expected it deleted (another
                    // restore won the race).
                    guard let expectedVersion, current.version == expectedVersion else {
                        throw ChronicleError.versionConflict(Record.kind, id: id, expected: expectedVersion ?? 0, current: current.version)
                    }
                    // Restoring what the record already says changes nothing, as a PATCH would not.
                    if draft.saysTheSame(as: current.draft) { return current }
                    try write(db, id: id, draft, current: current, now: now)
                    return try load(db, id)!
                }
                // Back under its own id, numbered on from its deletion, with its first creation time.
                let last = try db.executeCached("SELECT max(number) FROM revisions WHERE kind = $1 AND record_id = $2",
                                          [.text(Record.kind.rawValue), .text(id)])[0].optionalInt(0)
                guard let last else { throw ChronicleError.notFound(Record.kind, id) }
                do {
                    try write(db, id: id, draft, current: nil, now: now)
                    try db.flush()  // a deferred insert's taken key is told apart here
                } catch let error as PostgresError where error.isUniqueViolation && error.constraint == "\(Self.table.name)_pkey" {
                    throw RestoredMeanwhile()
                }
                try db.executeCached("UPDATE \(Self.table.name) SET version = $1, created_at = $2 WHERE id = $3",
                               [.integer(Int64(last + 1)), .text(createdAt), .text(id)])
                return try load(db, id)!
            }
        } catch is RestoredMeanwhile {
            // Another writer brought it back between this one's look and its insert: live again,
            // so not at the expected (no) version; its version is read once this transaction is over.
            let current = try pool.withConnection { db in try Self.table.currentVersion(db, id) }
            throw ChronicleError.versionConflict(Record.kind, id: id, expected: expectedVersion ?? 0, current: current ?? 0)
        }
    }

    /// `body` in a write transaction (READ COMMITTED: the version guards in the statements,
    /// not the isolation level, keep writers from overwriting each other), with the revisions
    /// of everything it changed written, attributed to `attribution`, before it commits. The
    /// transaction may be shared with other writes that arrived with it (`WriteGroups`), `body`
    /// in a savepoint of its own.
    ///
    /// Run again (at most 5 times in all) when the server aborted it for a deadlock with another
    /// writer, or, with `retryingReferences`, when a row referring to the record committed after
    /// the write looked for such rows (a delete racing a create that cites the record: run
    /// again, it sees the new reference and cascades to it or refuses, as the caller asked).
    /// `alone`: not in a group (`WriteGroups.write`).
    func writing<T>(_ attribution: Attribution, retryingReferences: Bool = false, alone: Bool = false,
                    _ body: (Connection, String) throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try pool.writeGroups.write(tokenID: attribution.tokenID, alone: alone, pool: pool) { db in
                    let now = Timestamp.now()
                    let result = try body(db, now)
                    return (result, try RevisionLog.collect(db, attribution, now: now, pool: pool, known: (result as? Record).map(RecordState.init)))
                }
            } catch let error as PostgresError where attempt < 5 && (error.isDeadlock || (retryingReferences && error.isForeignKeyViolation)) {
                attempt += 1
            }
        }
    }
}
