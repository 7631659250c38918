import HTTP

/// Cross-origin access for browser front ends, for the configured origins only (none by default).
struct CORSMiddleware: Middleware {
    let allowedOrigins: [String]

    static let methods = "GET, HEAD, POST, PATCH, DELETE, OPTIONS"
    static let allowedHeaders = "Authorization, Chronicle-Note, Chronicle-Position, Content-Type, If-Match, If-None-Match, Last-Event-ID, X-Request-Id"
    static let exposedHeaders = "Chronicle-Position, ETag, Link, Location, X-Request-Id"

    func allows(_ origin: String) -> Bool { allowedOrigins.contains("*") || allowedOrigins.contains(origin) }

    func respond(to request: Request, next: (Request) throws -> Response) throws -> Response {
        guard let origin = request.headers["Origin"] else { return try next(request) }
        let isPreflight = request.method == "OPTIONS" && request.headers["Access-Control-Request-Method"] != nil
        if isPreflight {
            guard allows(origin) else {
                return Reply.problem(403, "origin \(origin) is not allowed; the server's allowed origins are set with --cors-origin", request: request)
            }
            var response = Response(status: 204)
            response.headers["Access-Control-Allow-Origin"] = allowedOrigins.contains("*") ? "*" : origin
            response.headers["Access-Control-Allow-Methods"] = CORSMiddleware.methods
            response.headers["Access-Control-Allow-Headers"] = CORSMiddleware.allowedHeaders
            response.headers["Access-Control-Max-Age"] = "600"
            response.headers.addVary("Origin")
            return response
        }
        var response = try next(request)
        if allows(origin) {
            response.headers["Access-Control-Allow-Origin"] = allowedOrigins.contains("*") ? "*" : origin
            response.headers["Access-Control-Expose-Headers"] = CORSMiddleware.exposedHeaders
            response.headers.addVary("Origin")
        }
        return response
    }
}
