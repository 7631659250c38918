import Chronicle
import HTTP

extension ChronicleAPI {
    func index(_ request: Request) -> Response {
        Reply.json(request, .object([
            ("name", .string("Chronicle")),
            ("description", .string("A newsroom's store of events, actors and quotes, each citing its sources.")),
            ("links", .object([
                ("actors", .string("/v1/actors")), ("events", .string("/v1/events")), ("quotes", .string("/v1/quotes")),
                ("sources", .string("/v1/sources")), ("search", .string("/v1/search?q=Lukashenko")),
                ("timeline", .string("/v1/timeline?actor=alexander-lukashenko")), ("openapi", .string("/openapi.yaml")),
            ])),
        ]))
    }

    private static let healthy = JSON.object([("status", .string("ok"))])
    private static let healthyCompact = healthy.serialized()
    private static let healthyPretty = healthy.serialized(pretty: true)
    private static let jsonHeaders: Headers = ["Content-Type": "application/json"]

    /// Load balancers call this constantly: the body is built once, and only a bad query costs more.
    func health(_ request: Request) -> Response {
        guard request.query.isEmpty else { return Reply.json(request, Self.healthy) }
        let body = Reply.wantsPretty(request) ? Self.healthyPretty : Self.healthyCompact
        return Response(status: 200, headers: Self.jsonHeaders, body: body)
    }

    func ready(_ request: Request) -> Response {
        do {
            try repositories.checkReady()
            return Reply.json(request, .object([("status", .string("ready"))]))
        } catch {
            Log.api.error("readiness check failed: \(error)")
            return Reply.problem(503, "the database does not answer", request: request, headers: ["Retry-After": "1"])
        }
    }

    func metricsText(_ request: Request) -> Response {
        Response(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
                 text: metrics.render(openConnections: configuration.openConnections(), acceptPauses: configuration.acceptPauses()) + renderedRecords.metricsText()
                     + renderedRows.metricsText(name: "rendered_rows", what: "events rendered as list pages show them")
                     + changeStreams.metricsText + (configuration.searchCache()?.metricsText ?? "") + configuration.storeMetrics())
    }

    func openAPI(_ request: Request) -> Response {
        guard let document = configuration.openAPIDocument else {
            return Reply.problem(404, "this build has no openapi.yaml beside it", request: request)
        }
        return Response(status: 200, contentType: "application/yaml; charset=utf-8", text: document)
    }
}
