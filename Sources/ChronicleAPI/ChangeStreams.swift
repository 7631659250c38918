import Chronicle
import Dispatch
import FoundationEssentials
import HTTP
import Synchronization

/// The clients following the change feed live: server-sent-event subscribers and long polls.
///
/// One thread serves them all, so a thousand subscribers cost a thousand small records, not a
/// thousand threads. It wakes when this server commits a write (`poke`) and every quarter of a
/// second otherwise (another process may have written), reads what is new once, formats each
/// change once, and hands the bytes to every subscriber it concerns. No subscriber ever has
/// more than `maxPendingBytes` waiting for it: what does not fit waits in the feed, and a
/// subscriber that is behind (resuming from an old cursor, or after a burst) catches up page by
/// page as its socket takes them. One that stays behind without reading for `stallSeconds` is
/// dropped with a `dropped` event naming where to resume: a slow reader never grows the
/// server's memory.
final class ChangeStreams: Sendable {
    let revisions: any RevisionRepository
    /// Bytes sent to a subscriber and not yet read, at most.
    let maxPendingBytes: Int
    /// Seconds between comments sent to idle subscribers, so that proxies keep the connection.
    let heartbeatSeconds: Double
    /// Seconds a subscriber may stay behind without reading before it is dropped.
    let stallSeconds: Double
    /// Most subscribers and long polls at once; more event streams are refused with 503, more
    /// long polls answered at once.
    let maxFollowers: Int
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)

    private struct State {
        var followers: [Follower] = []
        var started = false
        var dropped = 0
    }

    /// One client: where it has got to, what it wants, and how it is answered.
    final class Follower: @unchecked Sendable {  // touched by the streams' thread alone once registered
        let sink: PushSink
        let filter: ChangeFilter
        var position: Int64
        let mode: Mode
        var lastSent: Double
        /// Seconds it has spent behind with bytes unread since it was last caught up.
        var stalled: Double = 0
        var lastRound: Double

        enum Mode {
            case events
            case longPoll(deadline: Double, limit: Int, pretty: Bool)
        }

        init(sink: PushSink, filter: ChangeFilter, position: Int64, mode: Mode) {
            self.sink = sink
            self.filter = filter
            self.position = position
            self.mode = mode
            lastSent = Self.now()
            lastRound = lastSent
        }

        static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
    }

    init(revisions: any RevisionRepository, maxPendingBytes: Int = 256 << 10, heartbeatSeconds: Double = 15, stallSeconds: Double = 5,
         maxFollowers: Int = 10_000) {
        self.revisions = revisions
        self.maxPendingBytes = maxPendingBytes
        self.heartbeatSeconds = heartbeatSeconds
        self.stallSeconds = stallSeconds
        self.maxFollowers = maxFollowers
    }

    /// A write committed here: serve followers now rather than at the next poll.
    func poke() { wake.signal() }

    var followerCount: Int { state.withLock { $0.followers.count } }

    /// Followers and drops, in Prometheus text.
    var metricsText: String {
        let (followers, dropped) = state.withLock { ($0.followers.count, $0.dropped) }
        return """
            # HELP chronicle_change_stream_followers Clients following the change feed live (server-sent events and long polls).
            # TYPE chronicle_change_stream_followers gauge
            chronicle_change_stream_followers \(followers)
            # HELP chronicle_change_stream_dropped_total Event-stream subscribers dropped for reading more slowly than changes arrived.
            # TYPE chronicle_change_stream_dropped_total counter
            chronicle_change_stream_dropped_total \(dropped)

            """
    }

    /// Starts following for `sink`; false when the server follows as many as it may.
    @discardableResult
    func follow(_ follower: Follower) -> Bool {
        let start = state.withLock { state -> Bool? in
            guard state.followers.count < maxFollowers else { return nil }
            state.followers.append(follower)
            defer { state.started = true }
            return !state.started
        }
        guard let start else { return false }
        if start {
            DispatchQueue(label: "chronicle.change-streams").async { [self] in run() }
        }
        wake.signal()
        return true
    }

    private func run() {
        var head: Int64 = (try? revisions.head()) ?? 0
        while true {
            _ = wake.wait(timeout: .now() + .milliseconds(250))
            while wake.wait(timeout: .now()) == .success {}  // many writes, one round
            let followers = state.withLock { $0.followers }
            if followers.isEmpty {
                head = (try? revisions.head()) ?? head  // nothing to read for nobody: a newcomer starts from here
                continue
            }
            let previousHead = head
            head = (try? revisions.head()) ?? head
            // What is new since the last round, read and formatted once for everyone caught up.
            var fresh: [(revision: Revision, frame: [UInt8])] = []
            var freshReached = previousHead
            if head > previousHead, let read = try? revisions.changes(after: previousHead, filter: ChangeFilter(), limit: 2000) {
                fresh = read.changes.map { ($0, Self.frame($0)) }
                freshReached = read.reached
                if freshReached < head { wake.signal() }  // more than one round's worth: go on at once
            }
            head = freshReached
            let now = Follower.now()
            var finished: [ObjectIdentifier] = []
            for follower in followers {
                if follower.sink.isClosed {
                    finished.append(ObjectIdentifier(follower))
                    continue
                }
                switch follower.mode {
                case .events:
                    if serveEvents(follower, fresh: fresh, from: previousHead, to: freshReached, now: now) == false {
                        finished.append(ObjectIdentifier(follower))
                    }
                case .longPoll(let deadline, let limit, let pretty):
                    if serveLongPoll(follower, deadline: deadline, limit: limit, pretty: pretty, now: now, head: freshReached) {
                        finished.append(ObjectIdentifier(follower))
                    }
                }
            }
            if !finished.isEmpty {
                let gone = Set(finished)
                state.withLock { $0.followers.removeAll { gone.contains(ObjectIdentifier($0)) } }
            }
        }
    }

    /// Sends a subscriber what it has not seen; false once it was dropped.
    private func serveEvents(_ follower: Follower, fresh: [(revision: Revision, frame: [UInt8])], from start: Int64, to end: Int64, now: Double) -> Bool {
        // Dropped once it has spent `stallSeconds` behind with bytes still unread, counted from
        // round to round until it catches up: a burst it reads through is not a reason, nor is
        // catching up from an old cursor as fast as it reads; a client that stopped reading is.
        if follower.position < end {
            if follower.sink.pendingBytes > 0 { follower.stalled += now - follower.lastRound }
            if follower.stalled >= stallSeconds {
                drop(follower)
                return false
            }
        } else {
            follower.stalled = 0
        }
        follower.lastRound = now
        // What it may be sent this round: never more than `maxPendingBytes` waiting for it (one
        // change larger than that goes alone, once nothing waits). What does not fit waits for
        // the next round, read again from the feed (it is behind then).
        let budget = maxPendingBytes - follower.sink.pendingBytes
        var bytes: [UInt8] = []
        if follower.position == start {
            var reached = end
            for change in fresh where follower.filter.admits(change.revision.kind) {
                if bytes.count + change.frame.count > budget && (!bytes.isEmpty || budget < maxPendingBytes) {
                    reached = change.revision.position - 1
                    break
                }
                bytes += change.frame
            }
            follower.position = reached
        } else if follower.position < end, budget > maxPendingBytes / 2 {
            // Behind the others (resumed from an older cursor): a page at a time, as it reads.
            guard let page = try? revisions.changes(after: follower.position, filter: follower.filter, limit: 200) else { return true }
            var reached = page.reached
            for change in page.changes {
                let frame = Self.frame(change)
                if bytes.count + frame.count > budget && (!bytes.isEmpty || budget < maxPendingBytes) {
                    reached = change.position - 1
                    break
                }
                bytes += frame
            }
            follower.position = reached
        }
        if !bytes.isEmpty {
            send(follower, bytes, now: now)
            if follower.position < end { wake.signal() }  // it takes what it is given: go on
        }
        if now - follower.lastSent >= heartbeatSeconds { send(follower, Array(": heartbeat\n\n".utf8), now: now) }
        return true
    }

    /// Answers a long poll once something it wants is there or its time is up; true when answered.
    private func serveLongPoll(_ follower: Follower, deadline: Double, limit: Int, pretty: Bool, now: Double, head: Int64) -> Bool {
        var page: (changes: [Revision], reached: Int64) = ([], follower.position)
        if head > follower.position {
            guard let read = try? revisions.changes(after: follower.position, filter: follower.filter, limit: limit) else { return false }
            page = read
            follower.position = read.reached
        }
        guard !page.changes.isEmpty || now >= deadline else { return false }
        follower.sink.send(Representation.changesPage(page.changes, reached: page.reached).serialized(pretty: pretty))
        follower.sink.finish()
        return true
    }

    private func send(_ follower: Follower, _ bytes: [UInt8], now: Double) {
        follower.sink.send(bytes)
        follower.lastSent = now
    }

    private func drop(_ follower: Follower) {
        let resume = ChangeFeedCursor.encode(follower.position)
        let data = "{\"reason\":\"this client read more slowly than changes arrived; reconnect with Last-Event-ID to resume\",\"resume\":\(jsonString(resume))}"
        // Past the limit already: the last words go out whatever is pending, then the body ends.
        follower.sink.send(Array("event: dropped\ndata: \(data)\n\n".utf8))
        follower.sink.finish()
        state.withLock { $0.dropped += 1 }
    }

    /// One change as a server-sent event: its cursor as the id, the change as data.
    static func frame(_ revision: Revision) -> [UInt8] {
        var bytes = Array("id: \(ChangeFeedCursor.encode(revision.position))\nevent: change\ndata: ".utf8)
        bytes += Representation.change(revision).serialized(pretty: false)
        bytes += [10, 10]
        return bytes
    }
}

/// The change feed's cursor: opaque to clients, a feed position inside.
enum ChangeFeedCursor {
    static func encode(_ position: Int64) -> String { Cursor(sort: "changes", values: [String(position)]).encoded }

    static func decode(_ text: String, field: String) throws -> Int64 {
        let cursor: Cursor
        do { cursor = try Cursor(decoding: text, expectedSort: "changes", valueCount: 1) } catch {
            throw ChronicleError.validation([FieldError(field, "is not a change-feed cursor; take it from a response's 'next' or an event's id")])
        }
        guard let position = Int64(cursor.values[0]), position >= 0 else {
            throw ChronicleError.validation([FieldError(field, "is not a change-feed cursor; take it from a response's 'next' or an event's id")])
        }
        return position
    }
}

extension Representation {
    /// A change as the feed shows it: the revision, and the cursor just after it.
    static func change(_ revision: Revision) -> JSON {
        guard case .object(var fields) = Representation.revision(revision) else { return .null }
        fields.insert(("cursor", .string(ChangeFeedCursor.encode(revision.position))), at: 0)
        return .object(fields)
    }

    /// A page of the feed: its changes and where to resume (always given, so that a reader
    /// that found nothing keeps its place).
    static func changesPage(_ changes: [Revision], reached: Int64) -> JSON {
        .object([("data", .array(changes.map(change))), ("next", .string(ChangeFeedCursor.encode(reached)))])
    }
}
