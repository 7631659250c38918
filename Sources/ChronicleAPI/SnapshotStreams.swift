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

    /// One stream's place: given back once its body has given its last bytes (before they are
    /// written, so that a client that reads to the end and asks again finds it free), or when
    /// the stream is dropped unfinished.
    final class Slot: Sendable {
        private let streams: SnapshotStreams
        private let given = Atomic<Bool>(false)
        fileprivate init(streams: SnapshotStreams) { self.streams = streams }

        func giveBack() {
            if !given.exchange(true, ordering: .relaxed) { streams.release() }
        }

        /// A body's next chunk; the place is given back at its end.
        func chunk(_ next: () throws -> [UInt8]?) rethrows -> [UInt8]? {
            let chunk = try next()
            if chunk == nil { giveBack() }
            return chunk
        }

        deinit { giveBack() }
    }
}
