/// What the server asks of an application. The server knows nothing else about it.
public protocol Responder: Sendable {
    /// Called on the event loop as soon as a request head is valid, before any body is read:
    /// how large a body this request may have, and whether `respond` is cheap enough to run on
    /// the loop thread (never true for anything that blocks, such as SQLite).
    func prepare(method: String, path: String) -> Preparation

    /// Answers a request. Thrown errors become a 500 problem response and a log line.
    func respond(to request: Request) throws -> Response
}

public struct Preparation: Sendable {
    /// nil: the server's default limit.
    public var maxBodyBytes: Int?
    /// The body goes to a file as it arrives (`Request.spooledBody`), not into memory: for
    /// routes that take bodies far larger than the server's default limit (bulk imports).
    public var spoolsBody = false
    public var runsOnLoop: Bool
    /// The responder's own note about this request (the router's matched route), handed back
    /// in `Request.preparedTag` so that the work is not done twice.
    public var tag: Int?
    /// Path parameters the responder already read, handed back in `Request.parameters`.
    public var parameters: [String: String]
    /// The matched route's pattern, handed back in `Request.route`.
    public var route: String?
    /// The matched route's access, handed back in `Request.routeAccess`.
    public var access: RouteAccess?
    public init(maxBodyBytes: Int? = nil, runsOnLoop: Bool = false, tag: Int? = nil, parameters: [String: String] = [:], route: String? = nil,
                access: RouteAccess? = nil) {
        self.maxBodyBytes = maxBodyBytes
        self.runsOnLoop = runsOnLoop
        self.tag = tag
        self.parameters = parameters
        self.route = route
        self.access = access
    }
}

/// Who may call a route and where it runs, declared with the route. There is no guarded route
/// on the loop: middleware checks credentials only on guarded routes, and a check may block
/// (a token lookup reads the database), which would stall every connection of the loop.
public enum RouteAccess: Sendable, Equatable {
    /// Middleware may ask for credentials; runs off the loop (the default).
    case guarded
    /// Open to anyone; runs off the loop, so it may block (a readiness check that asks the database).
    case open
    /// Open to anyone and answered on the event loop itself, middleware included: for cheap,
    /// non-blocking answers such as a health check or a static document.
    case openOnLoop

    public var isOpen: Bool { self != .guarded }
}

public typealias Handler = @Sendable (Request) throws -> Response

/// Wraps every request: logging, CORS, authentication. Calls `next` to continue, or answers itself.
public protocol Middleware: Sendable {
    func respond(to request: Request, next: (Request) throws -> Response) throws -> Response
}
