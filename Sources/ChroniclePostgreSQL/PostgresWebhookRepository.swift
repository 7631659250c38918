import Chronicle
import Glibc
import PostgreSQL

/// Webhooks in PostgreSQL: the hook, its position in the feed, and its last attempts (older
/// ones pruned as new ones are written).
public struct PostgresWebhookRepository: WebhookRepository {
    let pool: PostgresDatabase
    let leases: DeliveryLeases
    /// Attempts kept per hook.
    static let keptDeliveries = 100

    public init(pool: ConnectionPool) { self.init(pool: PostgresDatabase(pool)) }

    init(pool: PostgresDatabase) {
        self.pool = pool
        leases = DeliveryLeases(url: pool.connections.url)
    }

    public func delivering<T>(_ id: String, _ body: () throws -> T) throws -> T? {
        try leases.holding(id, body)
    }

    public func stillDelivering(_ id: String) -> Bool { leases.stillHolding(id) }

    private static let columns = "id, url, secret, kinds, actor_id, position, created_at, created_by"

    private static func decode(_ row: Row) throws -> Webhook {
        let kinds = Set(try row.string(3).split(separator: ",").compactMap { RecordKind(rawValue: String($0)) })
        return Webhook(id: try row.string(0), url: try row.string(1), secret: try row.string(2),
                       filter: WebhookFilter(kinds: kinds, actorID: try row.optionalString(4)), position: Int64(try row.int(5)),
                       createdAt: try row.string(6), createdBy: try row.string(7))
    }

    public func create(url: String, secret: String, filter: WebhookFilter, startAfter position: Int64, by author: String) throws -> Webhook {
        let hook = Webhook(id: Identifier.make(prefix: "whk_"), url: url, secret: secret, filter: filter, position: position,
                           createdAt: Timestamp.now(), createdBy: author)
        _ = try pool.withConnection { db in
            try db.execute("INSERT INTO webhooks (\(Self.columns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", [
                .text(hook.id), .text(url), .text(secret), .text(filter.kinds.map(\.rawValue).sorted().joined(separator: ",")),
                filter.actorID.postgres, .integer(position), .text(hook.createdAt), .text(author),
            ])
        }
        return hook
    }

    public func list() throws -> [Webhook] {
        try pool.withConnection { db in try db.execute("SELECT \(Self.columns) FROM webhooks ORDER BY created_at, id").map(Self.decode) }
    }

    public func find(_ id: String) throws -> Webhook? {
        try pool.withConnection { db in try db.execute("SELECT \(Self.columns) FROM webhooks WHERE id = $1", [.text(id)]).first.map(Self.decode) }
    }

    public func delete(_ id: String) throws -> Bool {
        // Its deliveries go with it (ON DELETE CASCADE).
        try pool.withConnection { db in try db.execute("DELETE FROM webhooks WHERE id = $1", [.text(id)]).affectedRows == 1 }
    }

    public func record(_ delivery: WebhookDelivery?, hook id: String, advanceTo position: Int64?) throws {
        try pool.transaction { db in
            if let delivery {
                let inserted = try db.execute("""
                    INSERT INTO webhook_deliveries (webhook_id, delivery_id, position, attempt, at, status, error, duration_ms, next_attempt_at)
                    SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = $1)
                    RETURNING seq
                    """, [.text(id), .text(delivery.deliveryID), .integer(delivery.position), .integer(Int64(delivery.attempt)), .text(delivery.at),
                          delivery.status.map { .integer(Int64($0)) } ?? .null, delivery.error.postgres, .real(delivery.durationMs),
                          delivery.nextAttemptAt.postgres])
                if let seq = try inserted.first.map({ try $0.int(0) }), seq % 32 == 0 {
                    try db.execute("""
                        DELETE FROM webhook_deliveries WHERE webhook_id = $1 AND seq <= (
                            SELECT seq FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY seq DESC LIMIT 1 OFFSET $2)
                        """, [.text(id), .integer(Int64(Self.keptDeliveries))])
                }
            }
            if let position {
                // Never backwards: two instances delivering may report out of order.
                try db.execute("UPDATE webhooks SET position = greatest(position, $1) WHERE id = $2", [.integer(position), .text(id)])
            }
        }
    }

    public func deliveries(of id: String, limit: Int) throws -> [WebhookDelivery] {
        try pool.withConnection { db in
            try db.execute("""
                SELECT delivery_id, position, attempt, at, status, error, duration_ms, next_attempt_at FROM webhook_deliveries
                WHERE webhook_id = $1 ORDER BY seq DESC LIMIT $2
                """, [.text(id), .integer(Int64(limit))]).map {
                WebhookDelivery(deliveryID: try $0.string(0), position: Int64(try $0.int(1)), attempt: try $0.int(2), at: try $0.string(3),
                                status: try $0.optionalInt(4), error: try $0.optionalString(5), durationMs: try $0.double(6),
                                nextAttemptAt: try $0.optionalString(7))
            }
        }
    }
}

/// Which process delivers to each hook: a session-level advisory lock per hook, taken without
/// waiting on a connection of this process's own (outside the pool, whose connections pass from
/// caller to caller). The server drops the locks of a session that ends, so an instance that
/// dies leaves its hooks to the others at once.
final class DeliveryLeases: @unchecked Sendable {  // `connection` is used under `mutex` only
    private let url: String
    private var connection: Connection?
    /// Counts the connections opened: a lock taken on an earlier one is gone with it.
    private var session = 0
    /// The hooks held now, with the session that holds each.
    private var held: [String: Int] = [:]
    private var mutex = pthread_mutex_t()
    /// The advisory locks' first key, naming them as Chronicle's webhook leases; the second is
    /// the hook id's hash (two hooks that share one are delivered one after the other).
    static let lockClass: Int64 = 0x5748_4B

    init(url: String) {
        self.url = url
        pthread_mutex_init(&mutex, nil)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    func holding<T>(_ id: String, _ body: () throws -> T) throws -> T? {
        let taken = try locked { db in
            try db.execute("SELECT pg_try_advisory_lock($1::int, hashtext($2))", [.integer(Self.lockClass), .text(id)])[0].bool(0)
        }
        guard taken else { return nil }
        _ = try locked { _ in held[id] = session }
        // Let go however `body` ends; a connection lost meanwhile has let go already.
        defer {
            _ = try? locked { db in
                held[id] = nil
                try db.execute("SELECT pg_advisory_unlock($1::int, hashtext($2))", [.integer(Self.lockClass), .text(id)])
            }
        }
        return try body()
    }

    /// Whether the hold `holding` took is still this process's: not if its connection has
    /// been lost (the server dropped its locks with it). Asks the socket, not the server.
    func stillHolding(_ id: String) -> Bool {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        guard let connection, !connection.isBroken, held[id] == session else { return false }
        return true
    }

    private func locked<T>(_ body: (Connection) throws -> T) throws -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        if connection == nil || connection?.isBroken == true {
            connection = try Connection(url: url)
            session += 1
        }
        return try body(connection!)
    }
}
