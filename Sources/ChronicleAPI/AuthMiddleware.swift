import Chronicle
import HTTP

/// Writes need `Authorization: Bearer <token>` with the write scope; reads are open unless
/// configured otherwise; webhooks, which send what changes to any address, need the admin
/// scope for reads too. Routes declared open (health, metrics, the contract) pass without a
/// lookup: the router runs some of them on the event loop, which must never block.
struct AuthMiddleware: Middleware {
    let tokens: any TokenRepository
    let requireTokenForReads: Bool

    func respond(to request: Request, next: (Request) throws -> Response) throws -> Response {
        let isRead = request.method == "GET" || request.method == "HEAD" || request.method == "OPTIONS"
        guard let access = request.routeAccess else { return try next(request) }  // no route: a 404 or 405 needs no token
        // By the route that matched, not the path as sent: the router reads //v1/webhooks as /v1/webhooks.
        let administrative = request.route.map { $0 == "/v1/webhooks" || $0.hasPrefix("/v1/webhooks/") } ?? false
        if (isRead && !requireTokenForReads && !administrative) || access.isOpen {
            return try next(request)
        }
        let needed: TokenScope = administrative ? .admin : (isRead ? .read : .write)
        guard let header = request.headers["Authorization"] else {
            return challenge(request, "this request needs a token: send Authorization: Bearer <token> (create one with `chronicle token create --name NAME --scope \(needed.rawValue)`)", error: nil)
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            return challenge(request, "the Authorization header must be 'Bearer <token>'", error: "invalid_request")
        }
        // A write may be let through on a token its store remembers: the store confirms the
        // token in the write's own transaction (`Attribution.tokenID`) and refuses it there.
        let secret = String(parts[1]).trimmingWhitespace
        let confirmedByWrite = needed == .write
        guard let token = try confirmedByWrite ? tokens.authenticateForWrite(secret: secret) : tokens.authenticate(secret: secret) else {
            return challenge(request, "the token is unknown or revoked", error: "invalid_token")
        }
        guard token.scope >= needed else {
            return Reply.problem(403, "token '\(token.name)' has the \(token.scope.rawValue) scope; this request needs \(needed.rawValue)", request: request)
        }
        var authenticated = request
        authenticated.user = token.name
        if confirmedByWrite { authenticated.credential = token.id }
        return try next(authenticated)
    }

    private func challenge(_ request: Request, _ detail: String, error: String?) -> Response {
        var value = "Bearer realm=\"chronicle\""
        if let error { value += ", error=\"\(error)\"" }
        return Reply.problem(401, detail, request: request, headers: ["WWW-Authenticate": value])
    }
}
