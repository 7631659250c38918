/// Bulk import: records from a file, each created or updated (by id, or by a natural key: an
/// actor's slug or Wikidata id, a source's URL), references to actors and sources given by any
/// of their keys, with a report of what happened to every line.
public enum ImportMode: String, CaseIterable, Sendable {
    /// Any failure and nothing is written. The writer is held for the whole import.
    case atomic
    /// Good lines are written, a batch at a time, so that other writes go on between batches;
    /// bad lines are reported.
    case bestEffort = "best-effort"
}

/// A draft of any record kind.
public enum AnyDraft: Sendable {
    case actor(ActorDraft)
    case event(EventDraft)
    case quote(QuoteDraft)
    case source(SourceDraft)
}

/// One line of an import file, read: the record it describes, or why it could not be read.
public struct ImportLine: Sendable {
    public var line: Int
    public var kind: RecordKind?
    /// The record to update (or to create under this id).
    public var id: String?
    public var content: Result<AnyDraft, ChronicleError>
    /// For a line that names a record it may update but leaves some of its fields out (a CSV
    /// of ids and descriptions): what the line says laid over that record, so that an update
    /// changes the fields the line gives and keeps the rest. `content` then serves only to
    /// find the record (by its slug, Wikidata id or URL). nil for a line that says every field.
    public var overlay: DraftOverlay?

    public init(line: Int, kind: RecordKind?, id: String?, content: Result<AnyDraft, ChronicleError>, overlay: DraftOverlay? = nil) {
        self.line = line
        self.kind = kind
        self.id = id
        self.content = content
        self.overlay = overlay
    }
}

/// A line's fields laid over a stored record's own fields (as `PATCH` lays a body), one case a
/// kind. Given nil (no such record yet), the line alone as a new record, its required fields
/// checked.
public enum DraftOverlay: Sendable {
    case actor(@Sendable (ActorDraft?) throws -> ActorDraft)
    case event(@Sendable (EventDraft?) throws -> EventDraft)
    case quote(@Sendable (QuoteDraft?) throws -> QuoteDraft)
    case source(@Sendable (SourceDraft?) throws -> SourceDraft)
}

/// Why one line was not imported: the field at fault and how to fix it.
public struct ImportFailure: Sendable, Equatable {
    public let line: Int
    public let kind: RecordKind?
    public let id: String?
    public let field: String
    public let message: String

    public init(line: Int, kind: RecordKind?, id: String?, field: String, message: String) {
        self.line = line
        self.kind = kind
        self.id = id
        self.field = field
        self.message = message
    }
}

/// What an import did, or would have done (`written` false: a dry run, or an atomic import
/// that failed and was rolled back).
public struct ImportReport: Sendable {
    /// Failures listed, at most; the rest are counted.
    public static let listedFailures = 1000

    public var mode: ImportMode
    public var dryRun: Bool
    public var written = false
    public var created = 0, updated = 0, unchanged = 0, failed = 0
    public var failures: [ImportFailure] = []
    public var failuresOmitted = 0

    public init(mode: ImportMode, dryRun: Bool) {
        self.mode = mode
        self.dryRun = dryRun
    }

    /// No line was read as a record, good or bad: the file is refused, not reported as imported.
    public var holdsNoRecords: Bool { created + updated + unchanged + failed == 0 }

    /// Counts a failed line with its field errors.
    public mutating func fail(_ line: ImportLine, _ errors: [FieldError]) {
        failed += 1
        for error in errors {
            if failures.count < Self.listedFailures {
                failures.append(ImportFailure(line: line.line, kind: line.kind, id: line.id, field: error.field, message: error.message))
            } else {
                failuresOmitted += 1
            }
        }
    }
}

public protocol Importing: Sendable {
    /// Imports the lines `next` gives until it returns nil, attributed to `by`.
    func importLines(_ next: () throws -> ImportLine?, mode: ImportMode, dryRun: Bool, by: Attribution) throws -> ImportReport
}

extension EventDraft {
    /// What the event's own fields say, without the names and titles read with it: an import line
    /// that says the same is unchanged.
    public var ownFields: EventDraft {
        var own = self
        own.participants = participants.map { Participant(actorID: $0.actorID, role: $0.role) }
        own.citations = citations.map { Citation(sourceID: $0.sourceID, excerpt: $0.excerpt) }
        return own
    }
}

extension QuoteDraft {
    /// What the quote's own fields say, without the titles of its sources read with it.
    public var ownFields: QuoteDraft {
        var own = self
        own.citations = citations.map { Citation(sourceID: $0.sourceID, excerpt: $0.excerpt) }
        return own
    }
}
