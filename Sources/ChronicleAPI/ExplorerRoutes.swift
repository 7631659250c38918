import HTTP

extension ChronicleAPI {
    /// `/`: the explorer for a browser (it asks for HTML), the JSON index for everyone else.
    func root(_ request: Request) -> Response {
        if Self.prefersHTML(request.headers["Accept"]), let page = explorer.file("index.html") {
            return explorer.response(request, page, vary: "Accept")
        }
        var response = index(request)
        response.headers.addVary("Accept")
        return response
    }

    /// Any `/explore/…` path: the explorer's page, whose script reads the path and shows the view.
    func explorerPage(_ request: Request) -> Response {
        guard let page = explorer.file("index.html") else {
            return Reply.problem(404, "this server has no explorer", request: request)
        }
        return explorer.response(request, page)
    }

    func explorerAsset(_ request: Request) -> Response {
        let name = request.parameters["name"] ?? ""
        guard let file = explorer.file(name) else {
            return Reply.problem(404, "the explorer has no file '\(name)'", request: request)
        }
        return explorer.response(request, file)
    }

    /// True when the client asks for HTML ahead of JSON, as browsers navigating do; curl's
    /// `*/*` and an API client's `application/json` are not.
    static func prefersHTML(_ accept: String?) -> Bool {
        guard let accept else { return false }
        var html = 0.0, json = 0.0
        for part in accept.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingWhitespace }
            guard let type = pieces.first?.lowercased() else { continue }
            var quality = 1.0
            for parameter in pieces.dropFirst() where parameter.lowercased().hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            if type == "text/html" || type == "application/xhtml+xml" { html = max(html, quality) }
            if type == "application/json" || type == "application/problem+json" { json = max(json, quality) }
        }
        return html > 0 && html >= json
    }
}
