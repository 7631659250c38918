/// Read-your-writes for a store whose reads may come from somewhere that lags its writes (a
/// PostgreSQL hot standby). A write's request ends with the store's position, an opaque token
/// handed to the client; a later read that brings the token back sees at least that write,
/// whichever instance answers it. Nothing above the repositories knows what the token means.
public protocol ReadPositions: Sendable {
    /// Runs a request that only reads. `position` is a token from `writing` (of any instance),
    /// or nil; a token that is not one is ignored.
    func reading<T>(atLeast position: String?, _ body: () throws -> T) throws -> T
    /// Runs a request that may write: everything it reads comes from where it writes.
    func writing<T>(_ body: () throws -> T) throws -> T
    /// Where the store stands now, as a token for the client (after a write: that write's
    /// position or later); nil when its reads never lag its writes.
    func currentPosition() throws -> String?
}
