/// Every limit the server enforces, each configurable (tests set short timeouts).
public struct ServerLimits: Sendable {
    /// Longer request line → 414.
    public var maxRequestLineBytes = 8 * 1024
    /// Larger header block, or more fields → 431.
    public var maxHeaderBytes = 32 * 1024
    public var maxHeaderCount = 100
    /// Larger body → 413, unless the route allows more.
    public var maxBodyBytes = 1024 * 1024
    /// A request head must arrive within this, and a body must not stall longer → 408.
    public var headTimeout: Double = 10
    public var bodyStallTimeout: Double = 10
    /// An idle keep-alive connection is closed after this.
    public var idleTimeout: Double = 15
    /// A client that reads nothing of a pending response for this long is dropped.
    public var writeStallTimeout: Double = 30
    /// After this many requests a connection is closed (with `Connection: close` on the last).
    public var maxRequestsPerConnection = 1000
    /// Connections beyond this get a 503 and are closed.
    public var maxConnections = 10_000
    /// How long a graceful shutdown waits for in-flight requests.
    public var shutdownGracePeriod: Double = 10

    public init() {}
}
