import Chronicle
import HTTP
import Synchronization

/// How many streamed bodies (exports, lists as NDJSON or CSV) may read from snapshots of their
/// own at once. Each holds a database connection (a descriptor, its cache, a chunk in memory)
/// for as long as its client takes to read it: without a bound, clients that open exports and
/// stop reading would hold as many as they liked.
final class SnapshotStreams: Sendable {
    let limit: Int
    private let open = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    var count: Int { open.load(ordering: .relaxed) }

    /// A place for one more stream, held until the returned slot is released (its stream
    /// dropped, whether read to its end or abandoned); 503 when all are taken.
    func take() throws -> Slot {
        let taken = open.add(1, ordering: .relaxed).newValue
        guard taken <= limit else {
            open.subtract(1, ordering: .relaxed)
            throw APIError(status: 503, detail: "this server streams \(limit) exports and lists at once, as many as it may; try again in a moment",
                           headers: ["Retry-After": "5"])
        }
        return Slot(streams: self)
    }

    fileprivate func release() { open.subtract(1, ordering: .relaxed) }

    /// One stream's place; given back when the stream that holds it is released.
    final class Slot: Sendable {
        private let streams: SnapshotStreams
        fileprivate init(streams: SnapshotStreams) { self.streams = streams }
        deinit { streams.release() }
    }
}
