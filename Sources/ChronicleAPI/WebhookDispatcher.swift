import Chronicle
import Dispatch
import FoundationEssentials
import HTTP
import Synchronization

/// Sends one delivery; the executable passes libcurl's client.
public protocol WebhookPoster: Sendable {
    /// The receiver's status, or what went wrong when it did not answer.
    func post(_ url: String, headers: [(String, String)], body: [UInt8], timeout: Double) -> (status: Int?, error: String?, seconds: Double)
}

/// How long to wait before trying a failed delivery again: doubling from `initial` to `maximum`.
public struct WebhookRetryPolicy: Sendable {
    public var initial: Double = 1
    public var maximum: Double = 300
    /// Seconds a receiver has to answer.
    public var timeout: Double = 10

    public init(initial: Double = 1, maximum: Double = 300, timeout: Double = 10) {
        self.initial = initial
        self.maximum = maximum
        self.timeout = timeout
    }

    /// The wait after the `attempt`-th failure in a row (1, 2, ...).
    public func delay(afterAttempt attempt: Int) -> Double {
        min(maximum, initial * Double(1 << min(max(attempt - 1, 0), 30)))
    }
}

/// Delivers the change feed to every registered webhook, off the request path.
///
/// Each hook is a reader of the feed with its position stored in the database: it gets the
/// changes after its position that its filter wants, one at a time and in feed order, and its
/// position moves on only once the receiver acknowledged (any 2xx). A failure is retried with
/// back-off, and nothing after it is sent until it succeeds, so a receiver sees changes in
/// order and at least once (the delivery id, the same on every attempt, lets it drop repeats).
/// After a restart, delivery resumes from the stored position. Writes never wait for it: it
/// wakes when told a write committed, and every quarter second otherwise.
public final class WebhookDispatcher: Sendable {
    let hooks: any WebhookRepository
    let revisions: any RevisionRepository
    let poster: any WebhookPoster
    let policy: WebhookRetryPolicy
    /// Hooks delivered to at once.
    let concurrency: Int
    private let wake = DispatchSemaphore(value: 0)
    private let state = Mutex(State())

    private struct State {
        var busy: Set<String> = []
        /// Failures in a row and when to try again, by hook.
        var retry: [String: (attempts: Int, at: Double)] = [:]
        var started = false
        var stopped = false
    }

    public init(hooks: any WebhookRepository, revisions: any RevisionRepository, poster: any WebhookPoster,
                policy: WebhookRetryPolicy = WebhookRetryPolicy(), concurrency: Int = 4) {
        self.hooks = hooks
        self.revisions = revisions
        self.poster = poster
        self.policy = policy
        self.concurrency = max(1, concurrency)
    }

    /// Starts delivering, on a thread of its own.
    public func start() {
        let first = state.withLock { state -> Bool in
            defer { state.started = true }
            return !state.started
        }
        guard first else { return }
        DispatchQueue(label: "chronicle.webhooks").async { [self] in run() }
    }

    public func stop() {
        state.withLock { $0.stopped = true }
        wake.signal()
    }

    /// A write committed: deliver now rather than at the next poll.
    public func poke() { wake.signal() }

    private static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    private func run() {
        let workers = DispatchQueue(label: "chronicle.webhooks.deliveries", attributes: .concurrent)
        let slots = DispatchSemaphore(value: concurrency)
        while true {
            _ = wake.wait(timeout: .now() + .milliseconds(250))
            while wake.wait(timeout: .now()) == .success {}  // many writes, one round
            if state.withLock({ $0.stopped }) { return }
            guard let registered = try? hooks.list(), !registered.isEmpty,
                  let head = try? revisions.head() else { continue }
            let now = Self.now()
            for hook in registered where hook.position < head {
                let due = state.withLock { state -> Bool in
                    guard !state.busy.contains(hook.id) else { return false }
                    if let retry = state.retry[hook.id], retry.at > now { return false }
                    state.busy.insert(hook.id)
                    return true
                }
                guard due else { continue }
                slots.wait()
                workers.async { [self] in
                    // Another instance on the database may be delivering to it: then it is theirs
                    // this round. Read again once it is ours: it may have moved on or gone since.
                    _ = try? hooks.delivering(hook.id) {
                        if let current = try? hooks.find(hook.id) {
                            deliver(current, upTo: head)
                        } else {
                            state.withLock { _ = $0.retry.removeValue(forKey: hook.id) }
                        }
                    }
                    state.withLock { _ = $0.busy.remove(hook.id) }
                    slots.signal()
                }
            }
        }
    }

    /// Delivers what the hook has not had, in order, until it is caught up or a delivery fails.
    private func deliver(_ hook: Webhook, upTo head: Int64) {
        var position = hook.position, stored = hook.position
        let filter = ChangeFilter(kinds: hook.filter.kinds)
        /// Changes the hook does not want are passed over; the position is stored before the
        /// next delivery and at the end, so a restart does not read them again.
        func store() {
            guard position > stored else { return }
            try? hooks.record(nil, hook: hook.id, advanceTo: position)
            stored = position
        }
        while position < head, !state.withLock({ $0.stopped }) {
            guard (try? hooks.find(hook.id)) != nil else { return }  // deleted meanwhile: nothing more for it
            guard let page = try? revisions.changes(after: position, filter: filter, limit: 50) else { return }
            for change in page.changes {
                guard wanted(change, by: hook.filter) else {
                    position = change.position
                    continue
                }
                store()
                // Another instance may have taken the hook over if this one's hold was lost.
                guard hooks.stillDelivering(hook.id), send(change, to: hook) else { return }
                position = change.position
                stored = position
            }
            guard page.reached > position || !page.changes.isEmpty else { break }
            position = max(position, page.reached)
        }
        store()
    }

    /// Whether the hook wants the change. For an actor's hook, a change concerns the actor when
    /// the state after it or the one before does: a quote attributed to someone else, an event
    /// it was taken off, a deletion, all reach the hook that heard of the record with the actor.
    private func wanted(_ change: Revision, by filter: WebhookFilter) -> Bool {
        guard filter.actorID != nil else { return filter.admits(change.kind, id: change.id, state: change.state) }
        if change.state != nil, filter.admits(change.kind, id: change.id, state: change.state) { return true }
        var before: RecordState?
        if change.number > 1 {
            before = (try? revisions.revision(of: change.kind, id: change.id, number: change.number - 1))??.state
        }
        return filter.admits(change.kind, id: change.id, state: before ?? change.state)
    }

    /// One attempt; true when the receiver acknowledged it.
    private func send(_ change: Revision, to hook: Webhook) -> Bool {
        let deliveryID = "\(hook.id)-\(change.position)"
        let body = Representation.delivery(change, deliveryID: deliveryID, hook: hook.id).serialized(pretty: false)
        let headers = [
            ("Content-Type", "application/json"),
            ("Chronicle-Delivery", deliveryID),
            ("Chronicle-Webhook", hook.id),
            ("Chronicle-Signature", "sha256=" + HMACSHA256.hex(body, key: hook.secret)),
        ]
        let attempts = state.withLock { ($0.retry[hook.id]?.attempts ?? 0) + 1 }
        let outcome = poster.post(hook.url, headers: headers, body: body, timeout: policy.timeout)
        let succeeded = outcome.status.map { (200..<300).contains($0) } ?? false
        let delay = policy.delay(afterAttempt: attempts)
        let delivery = WebhookDelivery(deliveryID: deliveryID, position: change.position, attempt: attempts, at: Timestamp.now(),
                                       status: outcome.status, error: outcome.error ?? (succeeded ? nil : "the receiver answered \(outcome.status ?? 0)"),
                                       durationMs: (outcome.seconds * 1000 * 10).rounded() / 10,
                                       nextAttemptAt: succeeded ? nil : Timestamp.now(Date(timeIntervalSinceNow: delay)))
        try? hooks.record(delivery, hook: hook.id, advanceTo: succeeded ? change.position : nil)
        state.withLock { state in
            if succeeded {
                state.retry[hook.id] = nil
            } else {
                state.retry[hook.id] = (attempts, Self.now() + delay)
            }
        }
        return succeeded
    }
}

extension Representation {
    /// What a webhook receives: the change, and the delivery's id.
    static func delivery(_ change: Revision, deliveryID: String, hook: String) -> JSON {
        .object([("deliveryId", .string(deliveryID)), ("webhook", .string(hook)), ("change", Representation.change(change))])
    }
}
