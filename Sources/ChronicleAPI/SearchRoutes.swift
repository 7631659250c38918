import Chronicle
import HTTP

extension ChronicleAPI {
    /// One ranked list across kinds: `GET /v1/search?q=...&type=event,actor`.
    func search(_ request: Request) throws -> Response {
        var query = QueryParameters(request, allowed: ["q", "type", "limit", "fields"])
        let text = query.search("q")
        if text == nil && !query.errors.contains(where: { $0.field == "q" }) { query.fail("q", "is required, e.g. q=Lukashenko") }
        let kinds = Set(query.kinds())
        let limit = query.page().limit
        let fields = query.fields(of: ["type", "id", "title", "snippet", "rank"])
        try query.finish()
        let hits = try repositories.search.search(text ?? "", kinds: kinds, limit: limit)
        if Reply.wantsPretty(request) {
            return Reply.json(request, .object([("data", .array(hits.map { Representation.select(Representation.hit($0), fields: fields) }))]))
        }
        return Reply.json(request, body: Representation.compactHits(hits, fields: fields))
    }
}
