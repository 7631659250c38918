import Dispatch
import Glibc
import PostgreSQL
import Synchronization

/// Tells this instance when any instance on the database commits a change, so that its live
/// change streams and webhooks go on at once instead of at their next poll. Every write's
/// commit sends a notification on `channel` (`RevisionLog.drain`); a thread of its own listens,
/// on a connection of its own, and calls `changed` for each. A lost connection is opened again,
/// and `changed` is called then too, since what was sent meanwhile is lost.
final class ChangeNotifications: Sendable {
    static let channel = "chronicle_changes"
    private let url: String
    private let changed: @Sendable () -> Void
    private let stopped = Atomic<Bool>(false)

    init(url: String, changed: @escaping @Sendable () -> Void) {
        self.url = url
        self.changed = changed
    }

    func start() {
        DispatchQueue(label: "chronicle.change-notifications").async { [self] in run() }
    }

    func stop() { stopped.store(true, ordering: .relaxed) }

    private func run() {
        var connection: Connection?
        var missed = false  // a connection was lost: what was sent meanwhile did not come
        while !stopped.load(ordering: .relaxed) {
            do {
                if connection == nil || connection?.isBroken == true {
                    if connection != nil { missed = true }
                    let fresh = try Connection(url: url)
                    try fresh.listen(Self.channel)
                    connection = fresh
                    if missed {
                        missed = false
                        changed()
                    }
                }
                if try connection?.waitForNotification(timeout: 1) != nil {
                    // A burst of commits, one call: take what else has arrived.
                    while try connection?.waitForNotification(timeout: 0) != nil {}
                    changed()
                }
            } catch {
                if connection != nil { missed = true }
                connection = nil
                usleep(500_000)  // the server is down or restarting: try again shortly
            }
        }
    }
}
