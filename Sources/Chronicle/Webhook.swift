/// Where the change feed is delivered by POST: another newsroom tool (a CMS, a chat channel)
/// that wants to hear of changes as they happen instead of polling.
public struct Webhook: Sendable, Equatable {
    public let id: String
    public let url: String
    /// Signs every delivery (HMAC-SHA256 of the body), so the receiver knows it came from us.
    public let secret: String
    public let filter: WebhookFilter
    /// Every change at or before this feed position was delivered (or did not match).
    public let position: Int64
    public let createdAt: String
    public let createdBy: String

    public init(id: String, url: String, secret: String, filter: WebhookFilter, position: Int64, createdAt: String, createdBy: String) {
        self.id = id
        self.url = url
        self.secret = secret
        self.filter = filter
        self.position = position
        self.createdAt = createdAt
        self.createdBy = createdBy
    }
}

/// Which changes a hook wants: some kinds, and what concerns one actor.
public struct WebhookFilter: Sendable, Equatable {
    /// Empty: every kind.
    public var kinds: Set<RecordKind>
    /// The actor itself, events it takes part in, quotes it said.
    public var actorID: String?

    public init(kinds: Set<RecordKind> = [], actorID: String? = nil) {
        self.kinds = kinds
        self.actorID = actorID
    }

    /// Whether a change with this state (the one before it, for a deletion) is wanted.
    public func admits(_ kind: RecordKind, id: String, state: RecordState?) -> Bool {
        guard kinds.isEmpty || kinds.contains(kind) else { return false }
        guard let actorID else { return true }
        switch state {
        case .actor(let actor): return actor.id == actorID
        case .event(let event): return event.participants.contains { $0.actorID == actorID }
        case .quote(let quote): return quote.speakerID == actorID
        case .source, .none: return kind == .actor && id == actorID
        }
    }
}

/// One attempt to deliver one change to one hook.
public struct WebhookDelivery: Sendable, Equatable {
    /// The same for every attempt at the same change, so a receiver can drop repeats.
    public let deliveryID: String
    public let position: Int64
    public let attempt: Int
    public let at: String
    /// The receiver's status; nil when it did not answer.
    public let status: Int?
    public let error: String?
    public let durationMs: Double
    /// When a failed delivery is tried again.
    public let nextAttemptAt: String?

    public init(deliveryID: String, position: Int64, attempt: Int, at: String, status: Int?, error: String?, durationMs: Double,
                nextAttemptAt: String? = nil) {
        self.deliveryID = deliveryID
        self.position = position
        self.attempt = attempt
        self.at = at
        self.status = status
        self.error = error
        self.durationMs = durationMs
        self.nextAttemptAt = nextAttemptAt
    }

    public var succeeded: Bool { status.map { (200..<300).contains($0) } ?? false }
}

/// Registered hooks, how far each has got, and their recent attempts.
public protocol WebhookRepository: Sendable {
    func create(url: String, secret: String, filter: WebhookFilter, startAfter position: Int64, by author: String) throws -> Webhook
    func list() throws -> [Webhook]
    func find(_ id: String) throws -> Webhook?
    /// False when there was no such hook.
    func delete(_ id: String) throws -> Bool
    /// Records an attempt (when given) and moves the hook's position to `advanceTo` (when given:
    /// a delivered change, or changes the hook does not want), so a restart resumes after it.
    func record(_ delivery: WebhookDelivery?, hook id: String, advanceTo position: Int64?) throws
    /// The latest attempts, newest first.
    func deliveries(of id: String, limit: Int) throws -> [WebhookDelivery]
    /// Runs `body` while this process alone delivers to the hook, so that several instances on
    /// one database never send a receiver the same change twice; nil, without running `body`,
    /// while another process delivers to it.
    func delivering<T>(_ id: String, _ body: () throws -> T) throws -> T?
    /// Inside `delivering`: whether this process still delivers to the hook (its hold may end
    /// with a lost connection), asked before each delivery.
    func stillDelivering(_ id: String) -> Bool
}

extension WebhookRepository {
    /// One process delivers: nothing to share.
    public func delivering<T>(_ id: String, _ body: () throws -> T) throws -> T? { try body() }
    public func stillDelivering(_ id: String) -> Bool { true }
}
