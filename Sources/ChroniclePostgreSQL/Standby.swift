import Chronicle
import Dispatch
import Glibc
import PostgreSQL
import Synchronization

/// A hot standby that reads may go to (`--read-database-url`), and what decides whether they do.
///
/// A monitor thread asks the primary for its WAL position (`pg_current_wal_lsn()`) and the
/// standby for how far it has replayed (`pg_last_wal_replay_lsn()`) every `interval` seconds.
/// The standby's lag is how long the primary has had WAL that the standby has not replayed;
/// a standby that is down, not answering, or further behind than `maxLag` is skipped, and reads
/// go to the primary until it is back. A read that must see a write (a position a client brought
/// back) goes to the standby only when it has replayed that far, else to the primary. A read
/// that the standby fails (its connection lost, a recovery conflict) is run again on the primary.
final class Standby: Sendable {
    let url: String
    let primaryURL: String
    /// Seconds of lag past which the standby is skipped.
    let maxLag: Double
    let interval: Double
    let poolSize: Int
    private let state = Mutex(State())
    private let stopped = Atomic<Bool>(false)

    private struct State {
        var pool: ConnectionPool?
        /// How far the standby had replayed at the last check.
        var replayed: UInt64 = 0
        var healthy = false
        var lag: Double = .infinity
        var lastCheck: Double = 0
        /// The primary's position at each recent check, oldest first, to tell the lag by.
        var samples: [(time: Double, position: UInt64)] = []
        var skippedReads = 0, standbyReads = 0, fellBack = 0
    }

    init(url: String, primaryURL: String, maxLag: Double, poolSize: Int, interval: Double = 0.1) {
        self.url = url
        self.primaryURL = primaryURL
        self.maxLag = maxLag
        self.poolSize = poolSize
        self.interval = interval
    }

    /// Starts the monitor; it checks once before returning, so that the first reads may already go
    /// to a standby that is up.
    func start() {
        let probes = Probes()
        check(&probes.primary, &probes.standby)
        let thread = DispatchQueue(label: "chronicle.standby-monitor")
        thread.async { [self] in
            while !stopped.load(ordering: .relaxed) {
                usleep(useconds_t(interval * 1_000_000))
                check(&probes.primary, &probes.standby)
            }
        }
    }

    /// The monitor's own connections, used by its thread alone once started.
    private final class Probes: @unchecked Sendable {
        var primary: Connection?
        var standby: Connection?
    }

    func stop() { stopped.store(true, ordering: .relaxed) }

    /// The standby's pool when a read that must see `required` (nil: anything) may go there.
    func pool(for required: UInt64?) -> ConnectionPool? {
        state.withLock { state in
            guard state.healthy, let pool = state.pool, state.lag <= maxLag, Self.now() - state.lastCheck <= max(maxLag, 1) else {
                state.skippedReads += 1
                return nil
            }
            if let required, state.replayed < required {
                state.skippedReads += 1
                return nil
            }
            state.standbyReads += 1
            return pool
        }
    }

    /// The standby's pool when it is up and keeping up, and whether it is known to have replayed
    /// `required` (when not, the caller may ask it: it may have since the last check). Counts
    /// nothing; the caller says where the read went (`counted`).
    func candidate(for required: UInt64?) -> (pool: ConnectionPool, confirmed: Bool)? {
        state.withLock { state in
            guard state.healthy, let pool = state.pool, state.lag <= maxLag, Self.now() - state.lastCheck <= max(maxLag, 1) else { return nil }
            return (pool, required.map { state.replayed >= $0 } ?? true)
        }
    }

    /// A read went to the standby (true) or to the primary instead (false).
    func counted(toStandby: Bool) {
        state.withLock { state in
            if toStandby { state.standbyReads += 1 } else { state.skippedReads += 1 }
        }
    }

    /// The standby said it has replayed this far (asked by a read).
    func saw(replayed: UInt64) {
        state.withLock { state in state.replayed = max(state.replayed, replayed) }
    }

    /// A read on the standby failed for a reason of the standby's: count it, and mark the standby
    /// down until the monitor finds it answering again when its connection was lost.
    func failed(_ error: PostgresError) {
        state.withLock { state in
            state.fellBack += 1
            if error.isConnectionFailure || error.isCheckoutTimeout { state.healthy = false }
        }
    }

    /// Whether a read that failed on the standby with `error` is run again on the primary.
    static func isStandbys(_ error: Error) -> Bool {
        guard let error = error as? PostgresError else { return false }
        // 40001: canceled for a conflict with recovery; 25006: read-only transaction (a standby
        // promoted meanwhile would not say this, one still in recovery would for a write).
        return error.isConnectionFailure || error.isCheckoutTimeout || error.sqlState == "40001" || error.sqlState == "25006"
    }

    /// One round of the monitor: the primary's position, then the standby's.
    private func check(_ primary: inout Connection?, _ standby: inout Connection?) {
        let now = Self.now()
        let primaryPosition = Self.ask(&primary, url: primaryURL, "SELECT pg_current_wal_lsn()::text").flatMap { $0.first.flatMap(Self.lsn) }
        let answer = Self.ask(&standby, url: url, "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text")
        var newPool: ConnectionPool?
        if answer != nil, state.withLock({ $0.pool == nil }) {
            // A pool opens its first connection at once: made here, off the request path.
            newPool = try? ConnectionPool(url: url, maxSize: poolSize, checkoutTimeout: 1, options: PostgresStore.sessionOptions)
        }
        state.withLock { state in
            if let newPool, state.pool == nil { state.pool = newPool }
            if let primaryPosition {
                state.samples.append((now, primaryPosition))
                // Kept back to a little past the limit: an older position says nothing more.
                while let first = state.samples.first, now - first.time > maxLag + 2 * interval + 1, state.samples.count > 1 { state.samples.removeFirst() }
            }
            state.lastCheck = now
            guard let answer, state.pool != nil else {
                state.healthy = false
                return
            }
            let inRecovery = (answer.first ?? nil) == "t"
            if !inRecovery {
                // Not a standby (it was promoted, or the URL names a primary): it has everything.
                state.replayed = .max
            } else if let replayed = answer.count > 1 ? answer[1].flatMap(Self.lsn) : nil {
                state.replayed = replayed
            } else {
                state.healthy = false
                return
            }
            // Since when has the primary had WAL the standby has not replayed?
            let behind = state.samples.first { $0.position > state.replayed }
            state.lag = behind.map { now - $0.time } ?? 0
            // Everything sampled is ahead: it has been behind for at least as long as we know of.
            if let behind, behind.time == state.samples.first?.time, state.samples.count > 1 { state.lag = max(state.lag, maxLag + interval) }
            state.healthy = true
        }
    }

    /// The first row of `sql` as text (nil values kept), on a connection reopened when lost; nil
    /// when the server does not answer.
    private static func ask(_ connection: inout Connection?, url: String, _ sql: String) -> [String?]? {
        do {
            if connection == nil || connection!.isBroken {
                if let broken = connection { try broken.reset() } else { connection = try Connection(url: url) }
                try connection!.execute("SET statement_timeout = 1000")
            }
            let rows = try connection!.execute(sql)
            guard let row = rows.first else { return nil }
            return try (0..<rows.columnCount).map { try row.optionalString($0) }
        } catch {
            return nil
        }
    }

    /// A WAL position as PostgreSQL writes it (`16/B374D848`) as one number; nil when it is not one.
    static func lsn(_ text: String?) -> UInt64? {
        guard let text else { return nil }
        let parts = text.split(separator: "/")
        guard parts.count == 2, parts.allSatisfy({ (1...8).contains($0.count) }),
              let high = UInt64(parts[0], radix: 16), let low = UInt64(parts[1], radix: 16) else { return nil }
        return high << 32 | low
    }

    /// The same number written back as PostgreSQL writes it.
    static func text(_ lsn: UInt64) -> String {
        String(lsn >> 32, radix: 16, uppercase: true) + "/" + String(lsn & 0xFFFF_FFFF, radix: 16, uppercase: true)
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Reads sent to the standby, sent to the primary instead, and run again there, in Prometheus text.
    var metricsText: String {
        let (standbyReads, skipped, fellBack, lag, healthy) = state.withLock { ($0.standbyReads, $0.skippedReads, $0.fellBack, $0.lag, $0.healthy) }
        return """
            # HELP chronicle_standby_reads_total Reads by where they went: the standby, the primary because the standby was down, lagging or behind the client's position, or the primary after failing on the standby.
            # TYPE chronicle_standby_reads_total counter
            chronicle_standby_reads_total{to="standby"} \(standbyReads)
            chronicle_standby_reads_total{to="primary"} \(skipped)
            chronicle_standby_reads_total{to="primary_after_failure"} \(fellBack)
            # HELP chronicle_standby_lag_seconds How long the primary has had WAL the standby has not replayed, at the last check.
            # TYPE chronicle_standby_lag_seconds gauge
            chronicle_standby_lag_seconds \(healthy && lag.isFinite ? lag : -1)

            """
    }
}
