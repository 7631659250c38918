import Chronicle
import PostgreSQL

/// Bulk import into PostgreSQL, with SQLite's rules (see ChronicleSQLite's SQLiteImport): each
/// record created or updated by id or natural key (an actor's slug or Wikidata id, a source's
/// URL), references resolved by any of their keys, unchanged records left alone, every line
/// reported. Each line runs in a savepoint of its own, so a line that fails leaves nothing
/// behind. An atomic import (and a dry run) is one transaction, rolled back unless every line
/// succeeded (always, for a dry run); a best-effort import commits every `batchSize` lines.
struct PostgresImport {
    let pool: PostgresDatabase
    /// References already resolved in this transaction (most lines refer to the same few).
    let cache = ReferenceCache()
    static let batchSize = 5000

    enum Outcome { case created, updated, unchanged }

    /// Thrown out of the transaction to roll it back, carrying the report.
    private struct RolledBack: Error { let report: ImportReport }

    func run(_ next: () throws -> ImportLine?, mode: ImportMode, dryRun: Bool, by attribution: Attribution) throws -> ImportReport {
        var report = ImportReport(mode: mode, dryRun: dryRun)
        if mode == .atomic || dryRun {
            do {
                try pool.transaction { db in
                    try pool.rememberedTokens.confirm(db, attribution)
                    let now = Timestamp.now()
                    cache.clear()
                    while let line = try next() { apply(db, line, now: now, to: &report) }
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
        var unreadable: ChronicleError?
        var revoked = false
        while unreadable == nil && !revoked {
            var batch: [ImportLine] = []
            do {
                while batch.count < Self.batchSize, let line = try next() { batch.append(line) }
            } catch let error as ChronicleError {
                // The file cannot be read on: what came before is still written, and the report
                // says where reading stopped.
                unreadable = error
            }
            if batch.isEmpty { break }
            do {
                report = try pool.transaction { db in
                    try pool.rememberedTokens.confirm(db, attribution)
                    let now = Timestamp.now()
                    // Another write may come between batches: what a batch resolved is not kept.
                    cache.clear()
                    var tentative = report
                    for line in batch { apply(db, line, now: now, to: &tentative) }
                    try RevisionLog.drain(db, attribution, now: now, pool: pool)
                    return tentative
                }
            } catch ChronicleError.tokenRevoked where report.created + report.updated + report.unchanged + report.failed > 0 {
                // Revoked while earlier batches were written: they stay, and the report says so.
                revoked = true
                report.fail(batch[0], [FieldError("token", "was revoked during the import: the lines before this one were written, this one and those after it were not")])
            }
        }
        if let unreadable { report.fail(ImportLine(line: 0, kind: nil, id: nil, content: .failure(unreadable)), Self.fieldErrors(unreadable)) }
        report.written = report.created + report.updated > 0
        return report
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
            try db.execute("SAVEPOINT import_line")
            do {
                report.count(try upsert(db, draft, id: line.id, overlay: line.overlay, now: now))
                try db.execute("RELEASE import_line")
            } catch {
                db.discardDeferred()  // the line's, not sent: undone with it
                try db.execute("ROLLBACK TO import_line")
                try db.execute("RELEASE import_line")
                // What the line resolved may name records it created and has now undone.
                cache.clear()
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
        case let error as PostgresError: return [FieldError("line", "the database refused this line: \(error.message)")]
        default: return [FieldError("line", "\(error)")]
        }
    }

    private func upsert(_ db: Connection, _ draft: AnyDraft, id: String?, overlay: DraftOverlay?, now: String) throws -> Outcome {
        switch draft {
        case .actor(let draft):
            let repository = PostgresActorRepository(pool: pool)
            var current: Actor?
            if let id { current = try repository.load(db, try Identifier.importable(id, .actor)) }
            else if let slug = draft.slug { current = try repository.load(db, slug) }
            if current == nil, id == nil, let wikidata = draft.wikidataID {
                current = try firstID(db, "SELECT id FROM actors WHERE wikidata_id = $1", wikidata).flatMap { try repository.load(db, $0) }
            }
            var wanted = draft
            if case .actor(let overlay)? = overlay { wanted = try overlay(current?.draft) }
            if wanted.slug == nil { wanted.slug = current?.slug }
            return try write(db, repository, wanted, id: id, current: current, same: { wanted.saysTheSame(as: $0) }, now: now)
        case .source(let draft):
            let repository = PostgresSourceRepository(pool: pool)
            var current: Source?
            if let id { current = try repository.load(db, try Identifier.importable(id, .source)) }
            else if let url = draft.url {
                current = try firstID(db, "SELECT id FROM sources WHERE url = $1 ORDER BY created_at, id LIMIT 1", url).flatMap { try repository.load(db, $0) }
            }
            var wanted = draft
            if case .source(let overlay)? = overlay { wanted = try overlay(current?.draft) }
            return try write(db, repository, wanted, id: id, current: current, same: { wanted.saysTheSame(as: $0) }, now: now)
        case .event(var draft):
            var repository = PostgresEventRepository(pool: pool)
            repository.checksReferences = false  // resolved below, in this transaction
            let current = try id.map { try repository.load(db, try Identifier.importable($0, .event)) } ?? nil
            if case .event(let overlay)? = overlay { draft = try overlay(current?.draft.ownFields) }
            var references = References(db: db, cache: cache)
            for index in draft.participants.indices {
                draft.participants[index] = Participant(actorID: try references.actor(draft.participants[index].actorID, "participants[\(index)].actorId"),
                                                        role: draft.participants[index].role)
            }
            draft.citations = try references.citations(draft.citations)
            try references.finish()
            return try write(db, repository, draft, id: id, current: current, same: { draft.saysTheSame(as: $0) }, now: now)
        case .quote(var draft):
            var repository = PostgresQuoteRepository(pool: pool)
            repository.checksReferences = false  // resolved below, in this transaction
            let current = try id.map { try repository.load(db, try Identifier.importable($0, .quote)) } ?? nil
            if case .quote(let overlay)? = overlay { draft = try overlay(current?.draft.ownFields) }
            var references = References(db: db, cache: cache)
            draft.speakerID = try draft.speakerID.map { try references.actor($0, "speakerId") }
            draft.eventID = try draft.eventID.map { try references.event($0, "eventId") }
            draft.citations = try references.citations(draft.citations)
            try references.finish()
            return try write(db, repository, draft, id: id, current: current, same: { draft.saysTheSame(as: $0) }, now: now)
        }
    }

    /// Creates (under `id` when given) or updates, unless the record already says the same.
    private func write<Repository: PostgresRecordRepository>(_ db: Connection, _ repository: Repository, _ draft: Repository.Record.Draft, id: String?,
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
        do {
            try repository.write(db, id: newID, draft, current: nil, now: now)
            try db.flush()  // a deferred insert's taken key is told apart here
        } catch let error as PostgresError where error.isUniqueViolation && error.constraint == "\(Repository.table.name)_pkey" {
            throw ChronicleError.validation([FieldError("id", "'\(newID)' was created by another writer meanwhile; import the line again to update it")])
        }
        // An id that was deleted comes back numbered on from its last revision, as a restore does.
        if id != nil, let last = try db.execute("SELECT max(number) FROM revisions WHERE kind = $1 AND record_id = $2",
                                                [.text(Repository.Record.kind.rawValue), .text(newID)])[0].optionalInt(0) {
            try db.execute("UPDATE \(Repository.table.name) SET version = $1 WHERE id = $2", [.integer(Int64(last + 1)), .text(newID)])
        }
        return .created
    }

    private func firstID(_ db: Connection, _ sql: String, _ value: String) throws -> String? {
        try db.execute(sql, [.text(value)]).first.map { try $0.string(0) }
    }
}

/// References of a line resolved to ids: an actor by id, slug or Wikidata id; a source by id or
/// URL; an event by id. What resolves to nothing is collected as a field error.
private struct References {
    let db: Connection
    let cache: ReferenceCache
    var errors: [FieldError] = []

    mutating func actor(_ reference: String, _ field: String) throws -> String {
        try resolve(reference, field, noun: "actor", keys: "id, slug or Wikidata id", [
            "SELECT id FROM actors WHERE id = $1", "SELECT id FROM actors WHERE slug = $1", "SELECT id FROM actors WHERE wikidata_id = $1",
        ])
    }

    mutating func event(_ reference: String, _ field: String) throws -> String {
        try resolve(reference, field, noun: "event", keys: "id", ["SELECT id FROM events WHERE id = $1"])
    }

    mutating func citations(_ citations: [Citation]) throws -> [Citation] {
        try citations.enumerated().map { index, citation in
            Citation(sourceID: try resolve(citation.sourceID, "citations[\(index)].sourceId", noun: "source", keys: "id or URL", [
                "SELECT id FROM sources WHERE id = $1", "SELECT id FROM sources WHERE url = $1 ORDER BY created_at, id LIMIT 1",
            ]), excerpt: citation.excerpt)
        }
    }

    private mutating func resolve(_ reference: String, _ field: String, noun: String, keys: String, _ lookups: [String]) throws -> String {
        if let id = cache.resolved[noun + " " + reference] { return id }
        for sql in lookups {
            if let id = try db.execute(sql, [.text(reference)]).first.map({ try $0.string(0) }) {
                cache.keep(noun + " " + reference, id)
                return id
            }
        }
        errors.append(FieldError(field, "no \(noun) has the \(keys) '\(reference)'; import it earlier in the file, or fix the reference"))
        return reference
    }

    func finish() throws {
        if !errors.isEmpty { throw ChronicleError.validation(errors) }
    }
}

extension PostgresStore: Importing {
    public func importLines(_ next: () throws -> ImportLine?, mode: ImportMode, dryRun: Bool, by attribution: Attribution) throws -> ImportReport {
        try PostgresImport(pool: database).run(next, mode: mode, dryRun: dryRun, by: attribution)
    }
}

private extension ImportReport {
    mutating func count(_ outcome: PostgresImport.Outcome) {
        switch outcome {
        case .created: created += 1
        case .updated: updated += 1
        case .unchanged: unchanged += 1
        }
    }
}

/// References resolved within one transaction, by kind and the key given. Nothing an import
/// does removes a record; an update of an actor or a source may move a key, and clears what was
/// resolved, as does a line rolled back.
final class ReferenceCache: @unchecked Sendable {  // one import, one thread
    private(set) var resolved: [String: String] = [:]
    static let capacity = 100_000

    func keep(_ key: String, _ id: String) {
        if resolved.count >= Self.capacity { resolved.removeAll(keepingCapacity: true) }
        resolved[key] = id
    }

    func clear() { resolved.removeAll(keepingCapacity: true) }
}
