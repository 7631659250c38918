import Chronicle
import PostgreSQL

/// API tokens in PostgreSQL, stored as SHA-256 hashes of their secrets.
public struct PostgresTokenRepository: TokenRepository {
    let pool: PostgresDatabase

    public init(pool: ConnectionPool) { self.pool = PostgresDatabase(pool) }

    init(pool: PostgresDatabase) { self.pool = pool }

    private static let columns = "id, name, scope, created_at, revoked_at"

    public func create(name: String, scope: TokenScope) throws -> (token: APIToken, secret: String) {
        var v = Validator()
        v.text(name, "name", max: 100)
        try v.finish()
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        let secret = "chr_" + String((0..<40).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
        let token = APIToken(id: Identifier.make(prefix: "tok_"), name: name, scope: scope, createdAt: Timestamp.now(), revokedAt: nil)
        do {
            _ = try pool.withConnection { db in
                try db.executeCached("INSERT INTO api_tokens (id, name, scope, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
                               [.text(token.id), .text(name), .text(scope.rawValue), .text(SHA256.hex(secret)), .text(token.createdAt)])
            }
        } catch let error as PostgresError where error.isUniqueViolation && error.constraint == "api_tokens_name_key" {
            throw ChronicleError.validation([FieldError("name", "a token named '\(name)' already exists")])
        }
        return (token, secret)
    }

    public func list() throws -> [APIToken] {
        try pool.withConnection { db in try db.executeCached("SELECT \(Self.columns) FROM api_tokens ORDER BY created_at, id").map(Self.decode) }
    }

    public func revoke(_ idOrName: String) throws -> APIToken {
        try pool.transaction { db in
            try db.executeCached("UPDATE api_tokens SET revoked_at = $1 WHERE (id = $2 OR name = $2) AND revoked_at IS NULL", [.text(Timestamp.now()), .text(idOrName)])
            guard let token = try db.executeCached("SELECT \(Self.columns) FROM api_tokens WHERE id = $1 OR name = $1", [.text(idOrName)]).first.map(Self.decode) else {
                throw ChronicleError.validation([FieldError("token", "no token has id or name '\(idOrName)'")])
            }
            pool.rememberedTokens.forget(id: token.id)
            return token
        }
    }

    public func authenticate(secret: String) throws -> APIToken? {
        guard secret.hasPrefix("chr_"), secret.count < 100 else { return nil }
        return try lookUp(hash: SHA256.hex(secret))
    }

    /// From memory when the token was found live before: the write confirms it in its own
    /// transaction (`RememberedTokens`).
    public func authenticateForWrite(secret: String) throws -> APIToken? {
        guard secret.hasPrefix("chr_"), secret.count < 100 else { return nil }
        let hash = SHA256.hex(secret)
        if let remembered = pool.rememberedTokens.token(hash: hash) { return remembered }
        guard let token = try lookUp(hash: hash) else { return nil }
        pool.rememberedTokens.remember(token, hash: hash)
        return token
    }

    private func lookUp(hash: String) throws -> APIToken? {
        try pool.withConnection { db in
            try db.executeCached("SELECT \(Self.columns) FROM api_tokens WHERE secret_hash = $1 AND revoked_at IS NULL", [.text(hash)])
                .first.map(Self.decode)
        }
    }

    static func decode(_ row: Row) throws -> APIToken {
        APIToken(id: try row.string(0), name: try row.string(1), scope: TokenScope(rawValue: try row.string(2)) ?? .read,
                 createdAt: try row.string(3), revokedAt: try row.optionalString(4))
    }
}
