import Chronicle
import SQLite

/// Bulk import into SQLite. A line that fails leaves nothing of itself behind. An atomic
/// import (and a dry run) is one transaction, written in groups of lines under savepoints and
/// rolled back unless every line succeeded (always, for a dry run). A best-effort import
/// commits every `batchSize` lines in a transaction of its own, letting other writes in between
/// (a batch of 10,000 quotes holds the writer for about 0.6 s), and sooner, after
/// `linesBeforeYielding` lines, when a write waits for the writer. Each commit writes again every
/// page the batch touched, and a quote touches a page at a random place in `quotes_said_order`,
/// so fewer, larger batches cost less a record: into a million quotes, batches of 10,000 gave
/// 14,978 records/s against 13,754 for 5,000 (and 1,000 were a quarter slower still); 20,000
/// gave 16,044 but held 80 MB, over the import's budget of 64.
struct SQLiteImport {
    static let batchSize = 10_000
    /// Lines a best-effort transaction writes before it gives way to a write that waits for the
    /// writer (committing what it wrote and taking the writer again for the rest of its batch):
    /// at a million quotes, about 70 ms of the import's work.
    static let linesBeforeYielding = 1_000
    /// Lines written under one savepoint (see `apply(_:_:now:to:)`).
    static let groupSize = 100

    let pool: DatabasePool
    /// References already resolved in this transaction.
    let cache = ReferenceCache()
    /// What a best-effort batch's first pass leaves for later (see `Batch`).
    let batch: Batch
    /// Quotes written at once, and quotes whose index rows wait for the transaction's end.
    private let quotes: SQLiteQuoteRepository, batchQuotes: SQLiteQuoteRepository

    init(pool: DatabasePool) {
        self.pool = pool
        let batch = Batch()
        self.batch = batch
        var quotes = SQLiteQuoteRepository(pool: pool)
        quotes.checksReferences = false  // resolved by the import first, in the same transaction
        self.quotes = quotes
        quotes.heldIndexRows = batch.indexRows
        batchQuotes = quotes
    }

    /// What a batch's first pass leaves for later: new quotes, written `rowsPerStatement` at a
    /// time in one statement (or sooner, before a line of another sort, so that what the file
    /// says is written in its order); their index rows, which go in together at the end of the
    /// transaction (`SearchIndex.Held`); and the quotes it created, as written, whose revisions
    /// are then made without reading them back.
    final class Batch: @unchecked Sendable {  // used by the one thread writing the import
        let indexRows = SearchIndex.Held()
        var newQuotes: [String: Quote] = [:]
        var unwritten: [(id: String, draft: QuoteDraft)] = []

        func discard() {
            indexRows.discard()
            newQuotes.removeAll(keepingCapacity: true)
            unwritten.removeAll(keepingCapacity: true)
        }
    }

    /// Writes the batch's new quotes not yet written.
    private func writeUnwritten(_ db: Connection, now: String) throws {
        guard !batch.unwritten.isEmpty else { return }
        defer { batch.unwritten.removeAll(keepingCapacity: true) }
        try batchQuotes.insert(db, batch.unwritten, now: now)
    }

    /// Thrown out of the write to roll it back, carrying the report.
    private struct RolledBack: Error { let report: ImportReport }

    enum Outcome { case created, updated, unchanged }

    func run(_ next: () throws -> ImportLine?, mode: ImportMode, dryRun: Bool, by attribution: Attribution) throws -> ImportReport {
        var report = ImportReport(mode: mode, dryRun: dryRun)
        if mode == .atomic || dryRun {
            do {
                try pool.writeTransaction { db in
                    let now = Timestamp.now()
                    var group: [ImportLine] = []
                    while let line = try next() {
                        group.append(line)
                        if group.count == Self.groupSize {
                            try apply(db, group, now: now, to: &report)
                            group.removeAll(keepingCapacity: true)
                        }
                    }
                    try apply(db, group, now: now, to: &report)
                    if report.failed > 0 || dryRun { throw RolledBack(report: report) }
                    try RevisionLog.drain(db, attribution, now: now, pool: pool)
                }
                report.written = true
            } catch let rolledBack as RolledBack {
                report = rolledBack.report
                report.written = false
            }
            return report
        }
        // Best effort: each batch is read before the writer is taken, then written in a
        // transaction of its own with no savepoint open, so that SQLite's statement journals
        // last one statement each and stay in memory (an open savepoint makes them grow for the
        // whole batch; in a file, the default, that was a write for every page every statement
        // touched, 20 a record; 100,000 quotes went from 16 s to 11). A transaction with a line
        // that fails once it has begun to write is rolled back and the rest of its batch written
        // again, a line at a time in savepoints of their own.
        var unreadable: ChronicleError?
        var wroteBefore = false
        while unreadable == nil {
            var lines: [ImportLine] = []
            lines.reserveCapacity(Self.batchSize)
            do {
                while lines.count < Self.batchSize, let line = try next() { lines.append(line) }
            } catch let error as ChronicleError {
                // The file cannot be read on (a line too long): what came before is still
                // written, and the report says where reading stopped.
                unreadable = error
            }
            if lines.isEmpty { break }
            var start = 0
            while start < lines.count {
                // Writes that waited while the import last held the writer have it first.
                if wroteBefore { pool.letAwaitingWritersIn() }
                wroteBefore = true
                start = try pool.writeGivingWay { db in try writePart(db, lines, from: start, by: attribution, to: &report) }
            }
        }
        if let unreadable { report.fail(ImportLine(line: 0, kind: nil, id: nil, content: .failure(unreadable)), Self.fieldErrors(unreadable)) }
        report.written = report.created + report.updated > 0
        return report
    }

    /// Writes `lines` from `start` in one transaction, as far as the batch's end or, once it
    /// has taken `linesBeforeYielding` lines, until a write waits for the writer; returns where
    /// it stopped. A line that fails once writing began rolls it back, and the rest of the batch
    /// is written again a line at a time (still giving way).
    private func writePart(_ db: Connection, _ lines: [ImportLine], from start: Int, by attribution: Attribution,
                           to report: inout ImportReport) throws -> Int {
        // Statement journals in memory: with no savepoint open each lasts one statement.
        try db.execute("PRAGMA temp_store = MEMORY")
        defer { try? db.execute("PRAGMA temp_store = DEFAULT") }
        try db.run("BEGIN IMMEDIATE")
        do {
            // Another write may come between transactions: what one resolved is not kept.
            cache.clear()
            let now = Timestamp.now()
            var tentative = report
            var clean = true
            var end = start
            for line in lines[start...] {
                let done = end - start
                if done >= Self.linesBeforeYielding, done % rowsPerStatement == 0, pool.writerIsAwaited { break }
                end += 1
                guard case .success(let draft) = line.content else {
                    if case .failure(let error) = line.content { tentative.fail(line, Self.fieldErrors(error)) }
                    continue
                }
                do { tentative.count(try upsert(db, draft, id: line.id, overlay: line.overlay, now: now, inBatch: true)) } catch {
                    clean = false
                    break
                }
            }
            if clean {
                do { try writeUnwritten(db, now: now) } catch { clean = false }
            }
            if clean {
                try batch.indexRows.put(db)
            } else {
                batch.discard()
                try db.run("ROLLBACK")
                cache.clear()
                try db.run("BEGIN IMMEDIATE")
                tentative = report
                end = start
                for line in lines[start...] {
                    if end - start >= Self.linesBeforeYielding, pool.writerIsAwaited { break }
                    apply(db, line, now: now, to: &tentative)
                    end += 1
                }
            }
            try RevisionLog.drain(db, attribution, now: now, pool: pool, newQuotes: batch.newQuotes)
            batch.discard()
            try db.run("COMMIT")
            report = tentative
            return end
        } catch {
            batch.discard()
            if db.isInTransaction { _ = try? db.run("ROLLBACK") }
            throw error
        }
    }

    /// A group of lines in one savepoint, each counted or reported. Lines are written without
    /// savepoints of their own: a savepoint makes SQLite copy every page a line changes that an
    /// earlier line of the transaction changed too (a sub-journal in a temporary file), which was
    /// 25 writes of 4 KB a record and most of an import's time. When a line fails after it
    /// began to write, the group is undone and written again a line at a time, each in its own
    /// savepoint, so that the failure leaves nothing behind.
    private func apply(_ db: Connection, _ lines: [ImportLine], now: String, to report: inout ImportReport) throws {
        guard !lines.isEmpty else { return }
        var tentative = report
        try db.run("SAVEPOINT import_group")
        do {
            for line in lines {
                guard case .success(let draft) = line.content else {
                    if case .failure(let error) = line.content { tentative.fail(line, Self.fieldErrors(error)) }
                    continue
                }
                tentative.count(try upsert(db, draft, id: line.id, overlay: line.overlay, now: now))
            }
            try db.run("RELEASE import_group")
            report = tentative
        } catch {
            try db.run("ROLLBACK TO import_group")
            try db.run("RELEASE import_group")
            // What the group resolved may name records it created and has now undone.
            cache.clear()
            for line in lines { apply(db, line, now: now, to: &report) }
        }
    }

    /// One line in a savepoint of its own: counted, or reported and undone.
    private func apply(_ db: Connection, _ line: ImportLine, now: String, to report: inout ImportReport) {
        let draft: AnyDraft
        switch line.content {
        case .failure(let error):
            report.fail(line, Self.fieldErrors(error))
            return
        case .success(let content): draft = content
        }
        do {
            try db.run("SAVEPOINT import_line")
            do {
                report.count(try upsert(db, draft, id: line.id, overlay: line.overlay, now: now))
                try db.run("RELEASE import_line")
            } catch {
                try db.run("ROLLBACK TO import_line")
                try db.run("RELEASE import_line")
                throw error
            }
        } catch {
            report.fail(line, Self.fieldErrors(error))
        }
    }

    static func fieldErrors(_ error: any Error) -> [FieldError] {
        switch error {
        case ChronicleError.validation(let errors): return errors
        case ChronicleError.duplicate(_, let field, _): return [FieldError(field, "\(error); use a value no other record has, or give that record's id to update it")]
        case let error as ChronicleError: return [FieldError("line", error.description)]
        case let error as SQLiteError: return [FieldError("line", "the database refused this line: \(error.message)")]
        default: return [FieldError("line", "\(error)")]
        }
    }

    // MARK: Records

    /// `inBatch`: in a best-effort batch's first pass, which leaves quotes' index rows and new
    /// quotes' states to `batch`.
    private func upsert(_ db: Connection, _ draft: AnyDraft, id: String?, overlay: DraftOverlay?, now: String, inBatch: Bool = false) throws -> Outcome {
        if inBatch {  // a line of another sort: the quotes before it are written first
            if case .quote = draft, id == nil {} else { try writeUnwritten(db, now: now) }
        }
        switch draft {
        case .actor(let draft):
            let repository = SQLiteActorRepository(pool: pool)
            var current: Actor?
            if let id { current = try repository.load(db, try Identifier.importable(id, .actor)) }
            else if let slug = draft.slug { current = try repository.load(db, slug) }
            if current == nil, id == nil, let wikidata = draft.wikidataID {
                current = try db.first("SELECT id FROM actors WHERE wikidata_id = ?", [.text(wikidata)]) { $0.string(0) }.flatMap { try repository.load(db, $0) }
            }
            var wanted = draft
            if case .actor(let overlay)? = overlay { wanted = try overlay(current?.draft) }
            if wanted.slug == nil { wanted.slug = current?.slug }
            return try write(db, repository, wanted, id: id, current: current, same: { wanted.saysTheSame(as: $0) }, now: now)
        case .source(let draft):
            let repository = SQLiteSourceRepository(pool: pool)
            var current: Source?
            if let id { current = try repository.load(db, try Identifier.importable(id, .source)) }
            else if let url = draft.url {
                current = try db.first("SELECT id FROM sources WHERE url = ? ORDER BY seq LIMIT 1", [.text(url)]) { $0.string(0) }.flatMap { try repository.load(db, $0) }
            }
            var wanted = draft
            if case .source(let overlay)? = overlay { wanted = try overlay(current?.draft) }
            return try write(db, repository, wanted, id: id, current: current, same: { wanted.saysTheSame(as: $0) }, now: now)
        case .event(var draft):
            if case .event(let overlay)? = overlay {
                let stored = try id.map { try SQLiteEventRepository(pool: pool).load(db, try Identifier.importable($0, .event)) } ?? nil
                draft = try overlay(stored?.draft.ownFields)
            }
            var references = References(db, cache: cache)
            for index in draft.participants.indices {
                draft.participants[index] = Participant(actorID: references.actor(draft.participants[index].actorID, "participants[\(index)].actorId"),
                                                        role: draft.participants[index].role)
            }
            draft.citations = references.citations(draft.citations)
            try references.finish()
            var repository = SQLiteEventRepository(pool: pool)
            repository.checksReferences = false  // resolved above, in this transaction
            return try write(db, repository, draft, id: id, now: now)
        case .quote(var draft):
            if case .quote(let overlay)? = overlay {
                let stored = try id.map { try quotes.load(db, try Identifier.importable($0, .quote)) } ?? nil
                draft = try overlay(stored?.draft.ownFields)
            }
            var references = References(db, cache: cache)
            draft.speakerID = draft.speakerID.map { references.actor($0, "speakerId") }
            draft.eventID = draft.eventID.map { references.event($0, "eventId") }
            draft.citations = references.citations(draft.citations)
            try references.finish()
            if inBatch, id == nil {
                // A new quote under a new id: the state its revision keeps is the draft as written.
                try draft.validate()
                let newID = Identifier.make(.quote)
                batch.unwritten.append((newID, draft))
                batch.newQuotes[newID] = Quote(id: newID, draft: draft, speakerName: nil, createdAt: now, updatedAt: now, version: 1)
                if batch.unwritten.count == rowsPerStatement { try writeUnwritten(db, now: now) }
                return .created
            }
            return try write(db, inBatch ? batchQuotes : quotes, draft, id: id, now: now)
        }
    }

    /// An event or quote, found by its id alone: the same unless its own fields differ (what it
    /// says without the names and titles read with it; see `RecordDraft.saysTheSame`).
    private func write<Repository: SQLiteRecordRepository>(_ db: Connection, _ repository: Repository, _ draft: Repository.Record.Draft, id: String?,
                                                           now: String) throws -> Outcome {
        let current = try id.map { try repository.load(db, try Identifier.importable($0, Repository.Record.kind)) } ?? nil
        return try write(db, repository, draft, id: id, current: current, same: { draft.saysTheSame(as: $0) }, now: now)
    }

    /// Creates (under `id` when given) or updates, unless the record already says the same.
    private func write<Repository: SQLiteRecordRepository>(_ db: Connection, _ repository: Repository, _ draft: Repository.Record.Draft, id: String?,
                                                           current: Repository.Record?, same: (Repository.Record.Draft) -> Bool,
                                                           now: String) throws -> Outcome {
        if let current, same(current.draft) { return .unchanged }
        try draft.validate()
        if let current {
            try repository.write(db, id: current.id, draft, current: current, now: now)
            // A slug, URL or Wikidata id may have moved: what was resolved by them may be stale.
            if Repository.Record.kind == .actor || Repository.Record.kind == .source { cache.clear() }
            return .updated
        }
        let newID = id ?? Identifier.make(Repository.Record.kind)
        try repository.write(db, id: newID, draft, current: nil, now: now)
        // An id that was deleted comes back numbered on from its last revision, as a restore does.
        if id != nil, let last = try db.first("SELECT max(number) FROM revisions WHERE kind = ? AND record_id = ?",
                                              [.text(Repository.Record.kind.rawValue), .text(newID)], map: { $0.optionalInt(0) }) ?? nil {
            try db.run("UPDATE \(Repository.table.name) SET version = ? WHERE id = ?", [.integer(Int64(last + 1)), .text(newID)])
        }
        return .created
    }
}

/// References of a line resolved to ids: an actor by id, slug or Wikidata id; a source by id or
/// URL; an event by id. What resolves to nothing is collected as a field error.
private struct References {
    let db: Connection
    let cache: ReferenceCache
    var errors: [FieldError] = []

    init(_ db: Connection, cache: ReferenceCache) {
        self.db = db
        self.cache = cache
    }

    mutating func actor(_ reference: String, _ field: String) -> String {
        resolve(reference, field, noun: "actor", keys: "id, slug or Wikidata id", [
            "SELECT id FROM actors WHERE id = ?", "SELECT id FROM actors WHERE slug = ?", "SELECT id FROM actors WHERE wikidata_id = ?",
        ])
    }

    mutating func event(_ reference: String, _ field: String) -> String {
        resolve(reference, field, noun: "event", keys: "id", ["SELECT id FROM events WHERE id = ?"])
    }

    mutating func citations(_ citations: [Citation]) -> [Citation] {
        citations.enumerated().map { index, citation in
            Citation(sourceID: resolve(citation.sourceID, "citations[\(index)].sourceId", noun: "source", keys: "id or URL", [
                "SELECT id FROM sources WHERE id = ?", "SELECT id FROM sources WHERE url = ? ORDER BY seq LIMIT 1",
            ]), excerpt: citation.excerpt)
        }
    }

    private mutating func resolve(_ reference: String, _ field: String, noun: String, keys: String, _ lookups: [String]) -> String {
        if let id = cache.resolved[noun + " " + reference] { return id }
        for sql in lookups {
            do {
                if let id = try db.first(sql, [.text(reference)], map: { $0.string(0) }) {
                    cache.keep(noun + " " + reference, id)
                    return id
                }
            } catch {
                errors.append(FieldError(field, "could not be looked up: \(error)"))
                return reference
            }
        }
        errors.append(FieldError(field, "no \(noun) has the \(keys) '\(reference)'; import it earlier in the file, or fix the reference"))
        return reference
    }

    func finish() throws {
        if !errors.isEmpty { throw ChronicleError.validation(errors) }
    }
}

extension SQLiteStore: Importing {
    public func importLines(_ next: () throws -> ImportLine?, mode: ImportMode, dryRun: Bool, by attribution: Attribution) throws -> ImportReport {
        try SQLiteImport(pool: pool).run(next, mode: mode, dryRun: dryRun, by: attribution)
    }
}

private extension ImportReport {
    mutating func count(_ outcome: SQLiteImport.Outcome) {
        switch outcome {
        case .created: created += 1
        case .updated: updated += 1
        case .unchanged: unchanged += 1
        }
    }
}

/// References resolved within one transaction, by kind and the key given: most lines of a file
/// refer to the same few actors and sources. Nothing an import does removes a record; an
/// update of an actor or a source may move a key, and clears what was resolved.
final class ReferenceCache {
    private(set) var resolved: [String: String] = [:]
    static let capacity = 100_000

    func keep(_ key: String, _ id: String) {
        if resolved.count >= Self.capacity { resolved.removeAll(keepingCapacity: true) }
        resolved[key] = id
    }

    func clear() { resolved.removeAll(keepingCapacity: true) }
}
