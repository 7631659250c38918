import FoundationEssentials
/// What a write did to a record.
public enum ChangeOperation: String, Sendable, Codable, CaseIterable { case create, update, delete }

/// Who made a write and why, kept with the revision it writes: the token's name for the API,
/// `cli` for the command line, `built-in dataset` for the seed, `chronicle` for records that
/// existed before revisions were kept.
public struct Attribution: Sendable, Equatable {
    public var author: String
    /// The writer's own words on the change ("corrected the date from the court record").
    public var note: String?
    /// The token the write was let through on when its store answered from memory
    /// (`TokenRepository.authenticateForWrite`): the store confirms it in the write's own
    /// transaction, so a token revoked meanwhile writes nothing. Nil: nothing to confirm.
    public var tokenID: String?

    public init(author: String, note: String? = nil, tokenID: String? = nil) {
        self.author = author
        self.note = note
        self.tokenID = tokenID
    }

    public static let cli = Attribution(author: "cli")
    public static let builtinDataset = Attribution(author: "built-in dataset")
    /// The most characters a note may have.
    public static let maxNoteLength = 1000
}

/// One change to one record, kept for good: its history, and an entry of the change feed.
///
/// A revision is a record's own edit. Renaming an actor is a revision of the actor, not of the
/// events that show its name (those embed it, they do not own it).
public struct Revision: Sendable, Equatable {
    public let kind: RecordKind
    public let id: String
    /// The record's version after the change (a deletion's is one past the last version), so
    /// revision n of a live record is the state its ETag's version n names.
    public let number: Int
    public let operation: ChangeOperation
    public let at: String
    public let attribution: Attribution
    /// The record after the change, as the store encodes it; nil for a deletion (a tombstone).
    public let state: RecordState?
    /// Where the change stands in commit order: the change feed's position.
    public let position: Int64

    public init(kind: RecordKind, id: String, number: Int, operation: ChangeOperation, at: String, attribution: Attribution,
                state: RecordState?, position: Int64) {
        self.kind = kind
        self.id = id
        self.number = number
        self.operation = operation
        self.at = at
        self.attribution = attribution
        self.state = state
        self.position = position
    }
}

/// A record's state as a revision keeps it: the record as it was read back after the write,
/// with the names and titles it showed then.
public enum RecordState: Sendable, Equatable {
    case actor(Actor)
    case event(Event)
    case quote(Quote)
    case source(Source)

    public var kind: RecordKind {
        switch self {
        case .actor: .actor
        case .event: .event
        case .quote: .quote
        case .source: .source
        }
    }

    public var id: String {
        switch self {
        case .actor(let record): record.id
        case .event(let record): record.id
        case .quote(let record): record.id
        case .source(let record): record.id
        }
    }

    public var version: Int {
        switch self {
        case .actor(let record): record.version
        case .event(let record): record.version
        case .quote(let record): record.version
        case .source(let record): record.version
        }
    }

    /// The state of any record kind.
    public init<Record: VersionedRecord>(_ record: Record) {
        switch record {
        case let actor as Actor: self = .actor(actor)
        case let event as Event: self = .event(event)
        case let quote as Quote: self = .quote(quote)
        case let source as Source: self = .source(source)
        default: preconditionFailure("\(Record.self) is not a record kind a revision can keep")
        }
    }
}

/// Which changes a feed reader wants.
public struct ChangeFilter: Sendable, Equatable {
    /// Empty: every kind.
    public var kinds: Set<RecordKind>

    public init(kinds: Set<RecordKind> = []) { self.kinds = kinds }

    public func admits(_ kind: RecordKind) -> Bool { kinds.isEmpty || kinds.contains(kind) }
}

/// Every record's history, and all of it in commit order as a feed.
///
/// The feed is gap-free: a reader that resumes after position p sees every change committed
/// after p exactly once, because positions are handed out by the one writer in commit order and
/// a change is visible only once it and everything before it have committed.
public protocol RevisionRepository: Sendable {
    /// A record's revisions, newest first; `before` pages on (a revision number).
    func revisions(of kind: RecordKind, id: String, before: Int?, limit: Int) throws -> [Revision]
    func revision(of kind: RecordKind, id: String, number: Int) throws -> Revision?
    /// The record's last revision, live or deleted; nil when it never existed.
    func latest(of kind: RecordKind, id: String) throws -> Revision?
    /// The id of the deleted actor (deleted still) whose state before its deletion had `slug`,
    /// the most recently deleted of them (nil when none):
    /// a slug no live actor has may name one that was deleted, which answers 410 with its
    /// history rather than 404. Reads every actor deletion; for that rare answer only.
    func deletedActor(lastKnownAs slug: String) throws -> String?
    /// Changes after `position`, oldest first, at most `limit`, and the position the reader has
    /// got to (past changes the filter skipped, so a filtered reader moves on too).
    func changes(after position: Int64, filter: ChangeFilter, limit: Int) throws -> (changes: [Revision], reached: Int64)
    /// The position of the last committed change (0 when none).
    func head() throws -> Int64
}

extension RecordState {
    /// The state as both stores keep it in a revision: the record's Codable JSON, so a revision
    /// reads back the same whichever engine wrote it (and an export moves it unchanged).
    public func storedJSON() throws -> String {
        if case .quote(let quote) = self { return StateJSON.quote(quote) }
        let encoder = JSONEncoder()
        let data: Data
        switch self {
        case .actor(let actor): data = try encoder.encode(actor)
        case .event(let event): data = try encoder.encode(event)
        case .quote(let quote): data = try encoder.encode(quote)
        case .source(let source): data = try encoder.encode(source)
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// A state kept as `storedJSON` made it.
    public init(storedJSON text: String, kind: RecordKind) throws {
        let data = Data(text.utf8)
        let decoder = JSONDecoder()
        switch kind {
        case .actor: self = .actor(try decoder.decode(Actor.self, from: data))
        case .event: self = .event(try decoder.decode(Event.self, from: data))
        case .quote: self = .quote(try decoder.decode(Quote.self, from: data))
        case .source: self = .source(try decoder.decode(Source.self, from: data))
        }
    }
}
