import Foundation
import Testing
import PostgreSQL

@Suite(.needsPostgres) struct NotificationTests {
    /// A listener waiting on its socket wakes for a notification another connection sends;
    /// the channel's name is matched exactly, capitals and spaces included.
    @Test func aNotificationReachesAConnectionWaitingForIt() throws {
        let listener = try connect()
        let channel = uniqueName("Chronicle Changes")
        try listener.listen(channel)
        let payload = "Ségolène ✓ 'quoted' $1"
        let sender = Locked<Int32>(0)
        var received: PostgresNotification?
        let waited = try seconds {
            let finish = startThread {
                Thread.sleep(forTimeInterval: 0.2)
                let notifier = try connect()
                sender.update { $0 = notifier.backendPID }
                try notifier.notify(channel, payload: payload)
            }
            received = try listener.waitForNotification(timeout: 10)
            #expect(finish().isEmpty)
        }
        #expect(received == PostgresNotification(channel: channel, payload: payload, processID: sender.value))
        #expect(waited >= 0.15 && waited < 10)
    }

    @Test func waitingForANotificationThatNeverComesTimesOut() throws {
        let listener = try connect()
        try listener.listen(uniqueName("quiet"))
        var received: PostgresNotification?
        let waited = try seconds { received = try listener.waitForNotification(timeout: 0.2) }
        #expect(received == nil && waited >= 0.19 && waited < 5)
        #expect(try listener.execute("SELECT 1")[0].int(0) == 1)
    }

    @Test func aNotificationIsDeliveredWhenItsTransactionCommits() throws {
        let (listener, notifier) = (try connect(), try connect())
        let channel = uniqueName("committed")
        try listener.listen(channel)
        try notifier.transaction {
            try notifier.notify(channel, payload: "one")
            #expect(try listener.waitForNotification(timeout: 0.2) == nil)
        }
        #expect(try listener.waitForNotification(timeout: 5)?.payload == "one")
        try listener.unlisten(channel)
        try notifier.notify(channel, payload: "two")
        #expect(try listener.waitForNotification(timeout: 0.2) == nil)
    }
}
