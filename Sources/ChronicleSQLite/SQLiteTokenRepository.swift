import Chronicle
import SQLite

/// API tokens in SQLite, stored as SHA-256 hashes of their secrets.
public struct SQLiteTokenRepository: TokenRepository {
    let pool: DatabasePool

    public init(pool: DatabasePool) { self.pool = pool }

    public func create(name: String, scope: TokenScope) throws -> (token: APIToken, secret: String) {
        var v = Validator()
        v.text(name, "name", max: 100)
        try v.finish()
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        let secret = "chr_" + String((0..<40).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
        let token = APIToken(id: Identifier.make(prefix: "tok_"), name: name, scope: scope,
                             createdAt: Timestamp.now(), revokedAt: nil)
        do {
            _ = try pool.writeTransaction { db in
                try db.run("INSERT INTO api_tokens (id, name, scope, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                           [.text(token.id), .text(name), .text(scope.rawValue), .text(SHA256.hex(secret)), .text(token.createdAt)])
            }
        } catch let error as SQLiteError where error.isUniqueViolation {
            throw ChronicleError.validation([FieldError("name", "a token named '\(name)' already exists")])
        }
        return (token, secret)
    }

    public func list() throws -> [APIToken] {
        try pool.readWithinLimit { db in try db.all("SELECT id, name, scope, created_at, revoked_at FROM api_tokens ORDER BY created_at", map: Self.decode) }
    }

    public func revoke(_ idOrName: String) throws -> APIToken {
        try pool.writeTransaction { db in
            try db.run("UPDATE api_tokens SET revoked_at = ? WHERE (id = ?2 OR name = ?2) AND revoked_at IS NULL", [.text(Timestamp.now()), .text(idOrName)])
            guard let token = try db.first("SELECT id, name, scope, created_at, revoked_at FROM api_tokens WHERE id = ?1 OR name = ?1",
                                           [.text(idOrName)], map: Self.decode) else {
                throw ChronicleError.validation([FieldError("token", "no token has id or name '\(idOrName)'")])
            }
            return token
        }
    }

    public func authenticate(secret: String) throws -> APIToken? {
        guard secret.hasPrefix("chr_"), secret.count < 100 else { return nil }
        return try pool.readWithinLimit { db in
            try db.first("SELECT id, name, scope, created_at, revoked_at FROM api_tokens WHERE secret_hash = ? AND revoked_at IS NULL",
                         [.text(SHA256.hex(secret))], map: Self.decode)
        }
    }

    static func decode(_ row: Statement) -> APIToken {
        APIToken(id: row.string(0), name: row.string(1), scope: TokenScope(rawValue: row.string(2)) ?? .read, createdAt: row.string(3), revokedAt: row.optionalString(4))
    }
}
