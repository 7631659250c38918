import Chronicle
import HTTP

/// The v1 JSON API: maps HTTP onto the repositories. Holds no state of its own but metrics
/// and rendered record bodies.
public struct ChronicleAPI: Sendable {
    let repositories: Repositories
    let configuration: APIConfiguration
    let metrics = Metrics()
    let renderedRecords: RenderedRecords
    /// Events as list pages show them (see `keptRowsPage`).
    let renderedRows: RenderedRecords
    let changeStreams: ChangeStreams
    /// The exports and streamed lists reading now, at most `maxSnapshotStreams`.
    let snapshotStreams: SnapshotStreams
    /// The web explorer's files, served at `/`, `/explore/…` and `/assets/…`.
    let explorer: ExplorerAssets

    public init(repositories: Repositories, configuration: APIConfiguration = APIConfiguration()) {
        self.repositories = repositories
        self.configuration = configuration
        renderedRecords = RenderedRecords(capacity: configuration.renderedRecordBytes)
        renderedRows = RenderedRecords(capacity: configuration.renderedRowBytes)
        changeStreams = ChangeStreams(revisions: repositories.revisions, maxPendingBytes: configuration.maxPendingStreamBytes,
                                      heartbeatSeconds: configuration.streamHeartbeatSeconds, stallSeconds: configuration.streamStallSeconds)
        explorer = ExplorerAssets(configuration.explorer)
        snapshotStreams = SnapshotStreams(limit: configuration.maxSnapshotStreams)
    }

    /// Every route, one per line. Each call makes a router of its own (the server makes one per
    /// event loop); metrics and kept records stay shared.
    public func router() -> Router {
        var router = Router()
        router.use(metrics)
        router.use(CORSMiddleware(allowedOrigins: configuration.allowedOrigins))
        router.use(AuthMiddleware(tokens: repositories.tokens, requireTokenForReads: configuration.requireTokenForReads))
        if let positions = repositories.positions { router.use(ReadPositionMiddleware(positions: positions)) }

        // Embedded files are answered on the loop; a folder's are read from disk, off it.
        let explorerAccess: RouteAccess = explorer.readsFromDisk ? .open : .openOnLoop
        router.get("/", explorerAccess, root)
        router.get("/explore", explorerAccess, explorerPage)
        router.get("/explore/:view", explorerAccess, explorerPage)
        router.get("/explore/:view/:id", explorerAccess, explorerPage)
        router.get("/explore/:view/:id/:part", explorerAccess, explorerPage)
        router.get("/assets/:name", explorerAccess, explorerAsset)
        router.get("/healthz", .openOnLoop, health)
        router.get("/readyz", .open, ready)
        router.get("/metrics", .openOnLoop, metricsText)
        router.get("/openapi.yaml", .openOnLoop, openAPI)

        router.get("/v1/actors", handling(listActors))
        router.post("/v1/actors", createHandler(actorEndpoints))
        router.get("/v1/actors/:id", getHandler(actorEndpoints))
        router.patch("/v1/actors/:id", updateHandler(actorEndpoints))
        router.delete("/v1/actors/:id", deleteHandler(actorEndpoints))
        router.get("/v1/actors/:id/revisions", revisionsHandler(.actor))
        router.get("/v1/actors/:id/revisions/:n", revisionHandler(.actor))
        router.post("/v1/actors/:id/revisions/:n/restore", restoreHandler(actorEndpoints))
        router.get("/v1/actors/:id/events", handling(eventsOfActor))
        router.get("/v1/actors/:id/quotes", handling(quotesOfActor))

        router.get("/v1/events", handling(listEvents))
        router.post("/v1/events", createHandler(eventEndpoints))
        router.get("/v1/events/:id", getHandler(eventEndpoints))
        router.patch("/v1/events/:id", updateHandler(eventEndpoints))
        router.delete("/v1/events/:id", deleteHandler(eventEndpoints))
        router.get("/v1/events/:id/revisions", revisionsHandler(.event))
        router.get("/v1/events/:id/revisions/:n", revisionHandler(.event))
        router.post("/v1/events/:id/revisions/:n/restore", restoreHandler(eventEndpoints))
        router.get("/v1/events/:id/quotes", handling(quotesOfEvent))

        router.get("/v1/quotes", handling(listQuotes))
        router.post("/v1/quotes", createHandler(quoteEndpoints))
        router.get("/v1/quotes/:id", getHandler(quoteEndpoints))
        router.patch("/v1/quotes/:id", updateHandler(quoteEndpoints))
        router.delete("/v1/quotes/:id", deleteHandler(quoteEndpoints))
        router.get("/v1/quotes/:id/revisions", revisionsHandler(.quote))
        router.get("/v1/quotes/:id/revisions/:n", revisionHandler(.quote))
        router.post("/v1/quotes/:id/revisions/:n/restore", restoreHandler(quoteEndpoints))

        router.get("/v1/sources", handling(listSources))
        router.post("/v1/sources", createHandler(sourceEndpoints))
        router.get("/v1/sources/:id", getHandler(sourceEndpoints))
        router.patch("/v1/sources/:id", updateHandler(sourceEndpoints))
        router.delete("/v1/sources/:id", deleteHandler(sourceEndpoints))
        router.get("/v1/sources/:id/revisions", revisionsHandler(.source))
        router.get("/v1/sources/:id/revisions/:n", revisionHandler(.source))
        router.post("/v1/sources/:id/revisions/:n/restore", restoreHandler(sourceEndpoints))

        router.get("/v1/search", handling(search))
        router.get("/v1/timeline", handling(timeline))
        router.get("/v1/changes", handling(changes))
        router.get("/v1/export", handling(export))
        router.post("/v1/import", maxBodyBytes: configuration.maxImportBytes, spoolsBody: true, handling(importRecords))

        router.post("/v1/webhooks", handling(createWebhook))
        router.get("/v1/webhooks", handling(listWebhooks))
        router.get("/v1/webhooks/:id", handling(getWebhook))
        router.delete("/v1/webhooks/:id", handling(deleteWebhook))
        return router
    }

    /// Turns every error a handler throws into the right problem response.
    func handling(_ handler: @escaping @Sendable (Request) throws -> Response) -> Handler {
        { request in
            do {
                return try handler(request)
            } catch {
                if !(error is ChronicleError || error is APIError || error is JSONSyntaxError) {
                    Log.api.error("request \(request.id) \(request.method) \(request.path) failed: \(error)")
                }
                return Reply.error(error, request, ifMatchGiven: request.headers["If-Match"] != nil)
            }
        }
    }
}

import Logging

enum Log {
    static let api = Logger(label: "chronicle.api")
}
