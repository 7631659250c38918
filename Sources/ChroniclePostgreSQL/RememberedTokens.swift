import Chronicle
import PostgreSQL
import Synchronization

/// Tokens this instance has found live, by their secrets' hashes, so that a write need not ask
/// the database before it runs: that question was one of a quote write's three round trips.
/// A write let through on a remembered token carries its id (`Attribution.tokenID`), and the
/// token is confirmed live in the write's own transaction before the write runs (once for a
/// group of writes: `WriteGroups`), so a token revoked through any instance writes nothing in
/// a group that begins after the revoke committed; as before, a write already under way may
/// still land.
/// Reads and administrative requests ask the database every time.
final class RememberedTokens: Sendable {
    /// Most tokens kept; past it the memory starts again (a newsroom has tens, not thousands).
    static let capacity = 1024

    private let byHash = Mutex<[String: APIToken]>([:])

    func token(hash: String) -> APIToken? { byHash.withLock { $0[hash] } }

    func remember(_ token: APIToken, hash: String) {
        byHash.withLock { tokens in
            if tokens.count >= Self.capacity { tokens.removeAll() }
            tokens[hash] = token
        }
    }

    /// Drops a token found revoked, so that its next write is refused before it runs.
    func forget(id: String) {
        byHash.withLock { tokens in tokens = tokens.filter { $0.value.id != id } }
    }

    /// Which of `ids` name live tokens, read in the caller's transaction.
    func live(_ db: Connection, ids: [String]) throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        return Set(try db.executeCached("SELECT id FROM api_tokens WHERE id = ANY($1::text[]) AND revoked_at IS NULL",
                                        [textArray(Array(Set(ids)))]).map { try $0.string(0) })
    }

    /// Refuses a write whose token (`Attribution.tokenID`) was revoked, in its transaction.
    func confirm(_ db: Connection, _ attribution: Attribution) throws {
        guard let tokenID = attribution.tokenID, try live(db, ids: [tokenID]).isEmpty else { return }
        forget(id: tokenID)
        throw ChronicleError.tokenRevoked
    }
}
