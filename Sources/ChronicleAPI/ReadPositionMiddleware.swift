import Chronicle
import HTTP

/// Read-your-writes across instances and a standby (see `ReadPositions`): a successful write's
/// response carries the store's position after it in the `Chronicle-Position` header and a
/// `chronicle_position` cookie; a read sends either back (the header wins), and sees that write.
/// The token is opaque: clients copy it, never read it.
struct ReadPositionMiddleware: Middleware {
    static let header = "Chronicle-Position"
    static let cookie = "chronicle_position"
    /// Seconds the cookie lasts: past them, a standby lagging that far is skipped anyway.
    static let cookieSeconds = 60

    let positions: any ReadPositions

    func respond(to request: Request, next: (Request) throws -> Response) throws -> Response {
        if request.method == "GET" || request.method == "HEAD" {
            return try positions.reading(atLeast: Self.position(in: request)) { try next(request) }
        }
        guard ["POST", "PUT", "PATCH", "DELETE"].contains(request.method) else { return try next(request) }
        var response = try positions.writing { try next(request) }
        // Asked once the write is done (a failed one needs none): its position, or later.
        if (200..<300).contains(response.status), let position = try? positions.currentPosition() {
            response.headers.add(Self.header, position)
            response.headers.add("Set-Cookie", "\(Self.cookie)=\(position); Path=/; Max-Age=\(Self.cookieSeconds); SameSite=Lax; HttpOnly")
        }
        return response
    }

    /// The position a request brings: the header, else the cookie; nil when neither.
    static func position(in request: Request) -> String? {
        if let given = request.headers[header]?.trimmingSpaces, !given.isEmpty { return given }
        for line in request.headers.values("Cookie") {
            for pair in line.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingSpaces == cookie { return String(parts[1].trimmingSpaces) }
            }
        }
        return nil
    }
}

private extension StringProtocol {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return String(text)
    }
}
