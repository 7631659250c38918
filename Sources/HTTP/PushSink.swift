import Synchronization

/// Where a response body is written later, from any thread, by whoever the handler gave it to:
/// for answers that wait on events (server-sent events, a long poll) without holding a thread
/// per waiting client. The connection stays on its event loop; each `send` is queued there and
/// written as one chunk.
///
/// A slow client never grows memory unseen: `pendingBytes` says how much was sent but not yet
/// taken by the socket, so the writer can stop feeding (or give up on) a client that reads too
/// slowly.
public final class PushSink: Sendable {
    private let state = Mutex(State())
    /// Bytes queued on the loop and not yet written, plus bytes the socket has not taken.
    private let queued = Atomic<Int>(0)
    private let unsent = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)

    private struct State {
        var connection: Connection?
        var finished = false
    }

    init(connection: Connection) {
        state.withLock { $0.connection = connection }
    }

    /// Sent but not yet accepted by the client's socket.
    public var pendingBytes: Int { queued.load(ordering: .relaxed) + unsent.load(ordering: .relaxed) }

    /// True once the client went away, the connection was closed or the body finished.
    public var isClosed: Bool { closed.load(ordering: .relaxed) }

    /// Queues `bytes` as the next part of the body; false when the client is gone.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return !isClosed }
        guard let connection = state.withLock({ $0.finished ? nil : $0.connection }), !isClosed else { return false }
        queued.add(bytes.count, ordering: .relaxed)
        connection.loop.execute { [self] in
            queued.subtract(bytes.count, ordering: .relaxed)
            connection.pushChunk(bytes, from: self)
        }
        return true
    }

    /// Ends the body; the connection goes on to its next request (keep-alive).
    public func finish() {
        guard let connection = state.withLock({ state -> Connection? in
            guard !state.finished else { return nil }
            state.finished = true
            return state.connection
        }) else { return }
        closed.store(true, ordering: .relaxed)
        connection.loop.execute { [self] in connection.endPush(from: self) }
    }

    /// Called on the loop: what the socket has not taken yet.
    func noteUnsent(_ count: Int) { unsent.store(count, ordering: .relaxed) }

    /// Called on the loop when the connection closed or the exchange ended.
    func detach() {
        closed.store(true, ordering: .relaxed)
        state.withLock { $0.connection = nil }
        unsent.store(0, ordering: .relaxed)
    }
}

/// Opens a pushed body: called on the event loop once the head is written, with the sink to
/// write the body to. It must not block: hand the sink to whoever will write. `closing` ends
/// the body when the server stops before the writer did (a long poll's empty answer).
public struct PushStream: Sendable {
    public let open: @Sendable (PushSink) -> Void
    public let closing: [UInt8]
    public init(closing: [UInt8] = [], open: @escaping @Sendable (PushSink) -> Void) {
        self.open = open
        self.closing = closing
    }
}
