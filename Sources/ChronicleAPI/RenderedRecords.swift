import Chronicle
import Synchronization

/// Response bodies of single records, kept by the version they show.
///
/// An event's body takes five queries and a few kilobytes of JSON to build, and a newsroom
/// reads the same events far more often than it changes them. A stored body is used only
/// while its record's stamp is current (one indexed lookup), so nothing stale is ever served:
/// a write makes a new version and the old copy simply stops matching. Memory is bounded;
/// the oldest bodies go first.
final class RenderedRecords: Sendable {
    /// The most body bytes kept; 0 keeps none.
    let capacity: Int
    private let state: Mutex<State>

    private struct State {
        var bodies: [String: (stamp: RecordStamp, body: [UInt8])] = [:]
        /// Ids in the order they were first stored; `head` is the next to go.
        var order: [String] = []
        var head = 0
        var bytes = 0
        var hits = 0
        var misses = 0
    }

    init(capacity: Int) {
        self.capacity = max(0, capacity)
        state = Mutex(State())
    }

    /// The stored body when it was rendered from exactly this version.
    func body(for stamp: RecordStamp) -> [UInt8]? {
        state.withLock { state in
            if let entry = state.bodies[stamp.id], entry.stamp == stamp {
                state.hits += 1
                return entry.body
            }
            state.misses += 1
            return nil
        }
    }

    func store(_ body: [UInt8], for stamp: RecordStamp) {
        guard body.count <= capacity / 8 else { return }  // one record never pushes out most of the rest
        state.withLock { state in
            if let old = state.bodies.updateValue((stamp, body), forKey: stamp.id) {
                state.bytes -= old.body.count
            } else {
                state.order.append(stamp.id)
            }
            state.bytes += body.count
            while state.bytes > capacity, state.head < state.order.count {
                let oldest = state.order[state.head]
                state.head += 1
                if let gone = state.bodies.removeValue(forKey: oldest) { state.bytes -= gone.body.count }
            }
            if state.head > 1024, state.head * 2 > state.order.count {
                state.order.removeFirst(state.head)
                state.head = 0
            }
        }
    }

    /// Bytes held, hits and misses so far, in Prometheus text.
    func metricsText() -> String {
        let (bytes, count, hits, misses) = state.withLock { ($0.bytes, $0.bodies.count, $0.hits, $0.misses) }
        return """
            # HELP chronicle_rendered_records_bytes Bytes of rendered record bodies kept for repeated reads.
            # TYPE chronicle_rendered_records_bytes gauge
            chronicle_rendered_records_bytes \(bytes)
            # HELP chronicle_rendered_records Rendered record bodies kept.
            # TYPE chronicle_rendered_records gauge
            chronicle_rendered_records \(count)
            # HELP chronicle_rendered_records_lookups_total Reads that looked for a kept body, by whether it was current.
            # TYPE chronicle_rendered_records_lookups_total counter
            chronicle_rendered_records_lookups_total{result="hit"} \(hits)
            chronicle_rendered_records_lookups_total{result="miss"} \(misses)

            """
    }
}
