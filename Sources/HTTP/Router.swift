import Glibc

/// Routes by method and path pattern (`/v1/actors/:id`), read like a table:
///
///     router.get("/v1/events/:id") { request in ... }
///
/// An unknown path is a 404; a known path with another method is a 405 with `Allow`.
/// HEAD is answered by the GET route. Each route says in one place who may call it and where it
/// runs (`RouteAccess`): a route on the event loop is always open, so that no middleware can
/// block a loop on a credentials check.
public struct Router: Responder {
    /// A class, so that handing a matched route along costs one reference, not a copy of each field.
    public final class Route: Sendable {
        public let method: String
        public let pattern: String
        let segments: [Segment]
        let index: Int
        let hasParameters: Bool
        let handler: Handler
        let options: Preparation
        public let access: RouteAccess

        init(method: String, pattern: String, segments: [Segment], index: Int, handler: @escaping Handler, options: Preparation, access: RouteAccess) {
            self.method = method
            self.pattern = pattern
            self.segments = segments
            self.index = index
            hasParameters = segments.contains { if case .parameter = $0 { return true } else { return false } }
            self.handler = handler
            self.options = options
            self.access = access
        }
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    /// Everything the router holds, behind one reference: the server copies its responder for
    /// every request, and three collections cost three retains and releases each time.
    private final class Table: @unchecked Sendable {  // mutated only while uniquely referenced
        var routes: [Route] = []
        var middleware: [any Middleware] = []
        /// The middleware folded into one function around the handler, rebuilt by `use`: a
        /// request then goes through captured middleware instead of copying each out of the array.
        var chain: @Sendable (Request, Match) throws -> Response = Router.dispatch
        /// Routes without parameters, by the bytes of their path: the common case needs one
        /// scan of the path as sent, no split and no string built.
        var exact: [(path: [UInt8], method: String, index: Int)] = []

        func copy() -> Table {
            let copy = Table()
            copy.routes = routes
            copy.middleware = middleware
            copy.chain = chain
            copy.exact = exact
            return copy
        }
    }

    private var table = Table()

    public var routes: [Route] { table.routes }

    /// The table, copied first if another router value shares it.
    private mutating func editableTable() -> Table {
        if !isKnownUniquelyReferenced(&table) { table = table.copy() }
        return table
    }

    public init() {}

    public mutating func add(_ method: String, _ pattern: String, access: RouteAccess = .guarded, maxBodyBytes: Int? = nil, spoolsBody: Bool = false,
                             _ handler: @escaping Handler) {
        let segments = pattern.split(separator: "/").map { part in
            part.hasPrefix(":") ? Segment.parameter(String(part.dropFirst())) : Segment.literal(String(part))
        }
        let table = editableTable()
        var options = Preparation(maxBodyBytes: maxBodyBytes, runsOnLoop: access == .openOnLoop, access: access)
        options.spoolsBody = spoolsBody
        let route = Route(method: method, pattern: pattern, segments: segments, index: table.routes.count, handler: handler,
                          options: options, access: access)
        if !route.hasParameters {
            let path = "/" + segments.map { if case .literal(let l) = $0 { l } else { "" } }.joined(separator: "/")
            table.exact.append((Array(path.utf8), method, route.index))
        }
        table.routes.append(route)
    }

    public mutating func get(_ pattern: String, _ handler: @escaping Handler) { add("GET", pattern, handler) }
    public mutating func get(_ pattern: String, _ access: RouteAccess, _ handler: @escaping Handler) { add("GET", pattern, access: access, handler) }
    public mutating func post(_ pattern: String, maxBodyBytes: Int? = nil, spoolsBody: Bool = false, _ handler: @escaping Handler) {
        add("POST", pattern, maxBodyBytes: maxBodyBytes, spoolsBody: spoolsBody, handler)
    }
    public mutating func patch(_ pattern: String, _ handler: @escaping Handler) { add("PATCH", pattern, handler) }
    public mutating func put(_ pattern: String, _ handler: @escaping Handler) { add("PUT", pattern, handler) }
    public mutating func delete(_ pattern: String, _ handler: @escaping Handler) { add("DELETE", pattern, handler) }

    /// Adds middleware; the first added is the outermost.
    public mutating func use(_ middleware: any Middleware) {
        let table = editableTable()
        table.middleware.append(middleware)
        var chain: @Sendable (Request, Match) throws -> Response = Router.dispatch
        for outer in table.middleware.reversed() {
            let inner = chain
            chain = { request, found in try outer.respond(to: request) { try inner($0, found) } }
        }
        table.chain = chain
    }

    public enum Match {
        case found(Route, parameters: [String: String])
        case methodNotAllowed(allow: [String])
        /// `nearest`: the path a route would take that differs from the one asked for in one
        /// word by a letter or two (`/v1/event` for `/v1/events`), to suggest.
        case notFound(nearest: String?)
    }

    /// `suggesting`: whether a path with no route looks for one it may have meant (`Match.notFound`).
    public func match(method: String, path: String, suggesting: Bool = true) -> Match {
        let lookup = method == "HEAD" ? "GET" : method
        if let index = exactRoute(method: lookup, path: path) { return .found(table.routes[index], parameters: [:]) }
        // Split as bytes: splitting the String compares Characters, which cost more than the rest.
        let parts = path.utf8.split(separator: 47, omittingEmptySubsequences: true)
        var allowed: [String] = []
        for route in table.routes where route.segments.count == parts.count {
            guard let parameters = Router.parameters(route, parts) else { continue }
            if route.method == lookup { return .found(route, parameters: parameters) }
            allowed.append(route.method)
        }
        if allowed.isEmpty { return .notFound(nearest: suggesting ? nearestPath(to: parts) : nil) }
        if allowed.contains("GET") { allowed.append("HEAD") }
        return .methodNotAllowed(allow: allowed)
    }

    /// A path a route takes that is `parts` with one literal word changed by at most two
    /// letters (added, dropped or replaced); nil when there is none or more than one.
    private func nearestPath(to parts: [Substring.UTF8View.SubSequence]) -> String? {
        let words = parts.map { String(Substring($0)) }
        var found: Set<String> = []
        for route in table.routes where route.segments.count == words.count {
            var changed: (Int, String)?
            var fits = true
            for (index, segment) in route.segments.enumerated() {
                guard case .literal(let literal) = segment, literal != words[index] else { continue }
                guard changed == nil, Router.distance(literal, words[index], atMost: 2) <= 2 else { fits = false; break }
                changed = (index, literal)
            }
            guard fits, let (index, literal) = changed else { continue }
            var suggestion = words
            suggestion[index] = literal
            found.insert("/" + suggestion.joined(separator: "/"))
        }
        return found.count == 1 ? found.first : nil
    }

    /// Levenshtein distance between two short words, or `limit + 1` once it is past `limit`.
    static func distance(_ a: String, _ b: String, atMost limit: Int) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard abs(a.count - b.count) <= limit else { return limit + 1 }
        guard !a.isEmpty, !b.isEmpty else { return min(max(a.count, b.count), limit + 1) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return min(previous[b.count], limit + 1)
    }

    /// The route without parameters for this path and method. A scan of a few dozen byte strings,
    /// most turned away by their length, costs less than hashing the path for a dictionary.
    private func exactRoute(method: String, path: String) -> Int? {
        var path = path
        return path.withUTF8 { bytes -> Int? in
            for route in table.exact where route.path.count == bytes.count && route.method == method {
                let same = route.path.withUnsafeBufferPointer { memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
                if same { return route.index }
            }
            return nil
        }
    }

    /// The `:name` values when `route` matches the path's segments, else nil.
    static func parameters(_ route: Route, _ parts: [Substring.UTF8View]) -> [String: String]? {
        guard route.segments.count == parts.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(route.segments, parts) {
            switch segment {
            case .literal(let literal): if !literal.utf8.elementsEqual(part) { return nil }
            case .parameter(let name): parameters[name] = String(Substring(part))
            }
        }
        return parameters
    }

    public func prepare(method: String, path: String) -> Preparation {
        if case .found(let route, let parameters) = match(method: method, path: path, suggesting: false) {
            // A route declared `.openOnLoop` runs on the loop, middleware and all; it is open, so
            // middleware has nothing to look up for it. Every other route runs off the loop.
            // Parameters read from a path without escapes are final (decoding changes nothing).
            let escaped = path.firstIndex(ofByte: 37) != nil
            var preparation = Preparation(maxBodyBytes: route.options.maxBodyBytes, runsOnLoop: route.options.runsOnLoop, tag: route.index,
                                          parameters: escaped ? [:] : parameters, route: route.pattern, access: route.access)
            preparation.spoolsBody = route.options.spoolsBody
            return preparation
        }
        // No route: a 404 or 405 from the table, on the loop only when no middleware could block.
        return Preparation(runsOnLoop: table.middleware.isEmpty)
    }

    public func respond(to request: Request) throws -> Response {
        // Match first, so that middleware (metrics, auth) sees the route pattern.
        let found: Match
        if let tag = request.preparedTag, tag < table.routes.count, !table.routes[tag].hasParameters || !request.parameters.isEmpty {
            // prepare() already matched this request, and read its parameters if it has any.
            let route = table.routes[tag]
            // The server copied the route in too (Preparation.route): nothing to set, no copy.
            if request.route == route.pattern { return try table.chain(request, .found(route, parameters: request.parameters)) }
            found = .found(route, parameters: request.parameters)
        } else if let tag = request.preparedTag, tag < table.routes.count,
                  let parameters = Router.parameters(table.routes[tag], request.path.utf8.split(separator: 47, omittingEmptySubsequences: true)) {
            // prepare() found the route (on the raw path); its parameters come from the decoded one.
            found = .found(table.routes[tag], parameters: parameters)
        } else {
            found = match(method: request.method, path: request.path)
        }
        var request = request
        if case .found(let route, let parameters) = found {
            request.route = route.pattern
            request.routeAccess = route.access
            request.parameters = parameters
        }
        return try table.chain(request, found)
    }

    private static func dispatch(_ request: Request, _ found: Match) throws -> Response {
        switch found {
        case .found(let route, _):
            return try route.handler(request)
        case .methodNotAllowed(let allow) where request.method == "OPTIONS":
            return Response(status: 204, headers: ["Allow": (allow + ["OPTIONS"]).joined(separator: ", ")])
        case .methodNotAllowed(let allow):
            var response = Response.problem(405, detail: "\(request.method) is not allowed on \(request.path); allowed: \(allow.joined(separator: ", "))")
            response.headers["Allow"] = allow.joined(separator: ", ")
            return response
        case .notFound(let nearest?):
            return Response.problem(404, detail: "no route for \(request.path); did you mean \(nearest)?")
        case .notFound(nil):
            return Response.problem(404, detail: "no route for \(request.path)")
        }
    }
}
