/// What a token may do. Each scope includes the ones before it.
public enum TokenScope: String, Sendable, Codable, CaseIterable, Comparable {
    case read, write, admin

    public static func < (lhs: TokenScope, rhs: TokenScope) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// An API token as stored: only its hash is kept, so a leaked database leaks no token.
public struct APIToken: Sendable, Equatable {
    public let id: String
    public let name: String
    public let scope: TokenScope
    public let createdAt: String
    public let revokedAt: String?

    public init(id: String, name: String, scope: TokenScope, createdAt: String, revokedAt: String?) {
        self.id = id
        self.name = name
        self.scope = scope
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

public protocol TokenRepository: Sendable {
    /// Creates a token; the secret is returned once and never stored.
    func create(name: String, scope: TokenScope) throws -> (token: APIToken, secret: String)
    func list() throws -> [APIToken]
    /// Revokes by id or name.
    func revoke(_ idOrName: String) throws -> APIToken
    /// The live token whose secret this is, if any.
    func authenticate(secret: String) throws -> APIToken?
    /// `authenticate`, for a write that carries the token's id in its `Attribution`: a store
    /// may answer from tokens it has seen live, without asking its database, because it
    /// confirms the token again in the write's own transaction and refuses the write there
    /// (`ChronicleError.tokenRevoked`) when it was revoked meanwhile.
    func authenticateForWrite(secret: String) throws -> APIToken?
}

extension TokenRepository {
    /// Stores whose lookup costs no more than a write's check ask every time.
    public func authenticateForWrite(secret: String) throws -> APIToken? { try authenticate(secret: secret) }
}
