import Chronicle
import ChroniclePostgreSQL
import PostgreSQL
import Testing

/// Instances on one database take turns at each hook: while one delivers to it, the others
/// pass it over, so a receiver never gets the same change from two of them.
@Suite(.needsPostgres) struct WebhookLeaseTests {
    @Test func oneInstanceAtATimeDeliversToAHook() throws {
        let database = try TestDatabase()
        let a = try database.store(), b = try database.store()
        let hook = try a.webhooks.create(url: "http://127.0.0.1:9/hook", secret: "s3cret", filter: WebhookFilter(), startAfter: 0, by: "test")
        let other = try a.webhooks.create(url: "http://127.0.0.1:9/other", secret: "s3cret", filter: WebhookFilter(), startAfter: 0, by: "test")
        let inside = try a.webhooks.delivering(hook.id) { () throws -> [Int?] in
            [try b.webhooks.delivering(hook.id) { 1 },  // taken by A: B passes it over
             try b.webhooks.delivering(other.id) { 2 }]  // another hook is free
        }
        #expect(inside == [nil, 2])
        // Let go when A's delivery ends, even when it ends by throwing.
        #expect(try b.webhooks.delivering(hook.id) { 3 } == 3)
        struct Failed: Error {}
        #expect(throws: Failed.self) { try a.webhooks.delivering(hook.id) { () throws -> Int in throw Failed() } }
        #expect(try b.webhooks.delivering(hook.id) { 4 } == 4)
    }

    /// A lease belongs to its session: an instance that dies (its connections cut) leaves the
    /// hook to the others at once.
    @Test func aLeaseEndsWithItsInstancesConnection() throws {
        let database = try TestDatabase()
        let a = try database.store(), b = try database.store()
        let hook = try a.webhooks.create(url: "http://127.0.0.1:9/hook", secret: "s3cret", filter: WebhookFilter(), startAfter: 0, by: "test")
        let taken = try a.webhooks.delivering(hook.id) { () throws -> Int? in
            #expect(a.webhooks.stillDelivering(hook.id))
            let admin = try Connection(url: database.url)
            // A's lease connection, found by the lock it holds, ended as if its process died.
            _ = try admin.execute("""
                SELECT pg_terminate_backend(pid, 5000) FROM pg_locks WHERE locktype = 'advisory' AND classid = 5720139 AND granted
                """)
            // A knows before its next delivery that the hook is no longer its own.
            #expect(!a.webhooks.stillDelivering(hook.id))
            return try b.webhooks.delivering(hook.id) { 5 }
        }
        #expect(taken.flatMap { $0 } == 5)
    }
}
