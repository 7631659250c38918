import Chronicle
import SQLite

/// Webhooks in SQLite: the hook, its position in the feed, and its last attempts (older ones
/// are pruned as new ones are written).
public struct SQLiteWebhookRepository: WebhookRepository {
    let pool: DatabasePool
    /// Attempts kept per hook.
    static let keptDeliveries = 100

    public init(pool: DatabasePool) { self.pool = pool }

    private static let columns = "id, url, secret, kinds, actor_id, position, created_at, created_by"

    private static func decode(_ row: Statement) -> Webhook {
        let kinds = Set(row.string(3).split(separator: ",").compactMap { RecordKind(rawValue: String($0)) })
        return Webhook(id: row.string(0), url: row.string(1), secret: row.string(2), filter: WebhookFilter(kinds: kinds, actorID: row.optionalString(4)),
                       position: row.int64(5), createdAt: row.string(6), createdBy: row.string(7))
    }

    public func create(url: String, secret: String, filter: WebhookFilter, startAfter position: Int64, by author: String) throws -> Webhook {
        let hook = Webhook(id: Identifier.make(prefix: "whk_"), url: url, secret: secret, filter: filter, position: position,
                           createdAt: Timestamp.now(), createdBy: author)
        try pool.writeTransaction { db in
            try db.run("INSERT INTO webhooks (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
                .text(hook.id), .text(url), .text(secret), .text(filter.kinds.map(\.rawValue).sorted().joined(separator: ",")),
                filter.actorID.sqliteValue, .integer(position), .text(hook.createdAt), .text(author),
            ])
        }
        return hook
    }

    public func list() throws -> [Webhook] {
        try pool.readWithinLimit { db in try db.all("SELECT \(Self.columns) FROM webhooks ORDER BY created_at, id", map: Self.decode) }
    }

    public func find(_ id: String) throws -> Webhook? {
        try pool.readWithinLimit { db in try db.first("SELECT \(Self.columns) FROM webhooks WHERE id = ?", [.text(id)], map: Self.decode) }
    }

    public func delete(_ id: String) throws -> Bool {
        try pool.writeTransaction { db in
            try db.run("DELETE FROM webhook_deliveries WHERE webhook_id = ?", [.text(id)])
            return try db.run("DELETE FROM webhooks WHERE id = ?", [.text(id)]) == 1
        }
    }

    public func record(_ delivery: WebhookDelivery?, hook id: String, advanceTo position: Int64?) throws {
        try pool.writeTransaction { db in
            if let delivery {
                try db.run("""
                    INSERT INTO webhook_deliveries (webhook_id, delivery_id, position, attempt, at, status, error, duration_ms, next_attempt_at)
                    SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = ?1)
                    """, [.text(id), .text(delivery.deliveryID), .integer(delivery.position), .integer(Int64(delivery.attempt)), .text(delivery.at),
                          delivery.status.map { .integer(Int64($0)) } ?? .null, delivery.error.sqliteValue, .real(delivery.durationMs),
                          delivery.nextAttemptAt.sqliteValue])
                let seq = db.lastInsertRowID
                if seq % 32 == 0 {
                    try db.run("""
                        DELETE FROM webhook_deliveries WHERE webhook_id = ? AND seq <= (
                            SELECT seq FROM webhook_deliveries WHERE webhook_id = ?1 ORDER BY seq DESC LIMIT 1 OFFSET ?)
                        """, [.text(id), .integer(Int64(Self.keptDeliveries))])
                }
            }
            if let position {
                try db.run("UPDATE webhooks SET position = max(position, ?) WHERE id = ?", [.integer(position), .text(id)])
            }
        }
    }

    public func deliveries(of id: String, limit: Int) throws -> [WebhookDelivery] {
        try pool.readWithinLimit { db in
            try db.all("""
                SELECT delivery_id, position, attempt, at, status, error, duration_ms, next_attempt_at FROM webhook_deliveries
                WHERE webhook_id = ? ORDER BY seq DESC LIMIT ?
                """, [.text(id), .integer(Int64(limit))]) {
                WebhookDelivery(deliveryID: $0.string(0), position: $0.int64(1), attempt: $0.int(2), at: $0.string(3), status: $0.optionalInt(4),
                                error: $0.optionalString(5), durationMs: $0.double(6), nextAttemptAt: $0.optionalString(7))
            }
        }
    }
}
