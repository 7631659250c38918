import Chronicle

/// The repositories the API serves; the executable passes the SQLite ones.
public struct Repositories: Sendable {
    public var actors: any ActorRepository
    public var events: any EventRepository
    public var quotes: any QuoteRepository
    public var sources: any SourceRepository
    public var search: any SearchRepository
    public var tokens: any TokenRepository
    /// Runs several reads against one snapshot.
    public var snapshots: any ReadSnapshots
    /// What changed of records that others embed, for kept bodies.
    public var embeddedChanges: any EmbeddedChanges
    /// Every record's history, and the change feed.
    public var revisions: any RevisionRepository
    /// Where the change feed is delivered by POST.
    public var webhooks: any WebhookRepository
    /// The whole store, record by record, for `/v1/export`.
    public var exporter: any Exporting
    /// Bulk imports, for `/v1/import`.
    public var importer: any Importing
    /// Throws when the database cannot answer, for `/readyz`.
    public var checkReady: @Sendable () throws -> Void
    /// Read-your-writes when reads may lag writes (a PostgreSQL standby): the position a write
    /// leaves, handed to clients and taken back by reads (see `ReadPositionMiddleware`); nil
    /// when reads never lag.
    public var positions: (any ReadPositions)?

    public init(actors: any ActorRepository, events: any EventRepository, quotes: any QuoteRepository, sources: any SourceRepository,
                search: any SearchRepository, tokens: any TokenRepository, snapshots: any ReadSnapshots, embeddedChanges: any EmbeddedChanges,
                revisions: any RevisionRepository, webhooks: any WebhookRepository, exporter: any Exporting, importer: any Importing,
                checkReady: @escaping @Sendable () throws -> Void) {
        self.actors = actors
        self.events = events
        self.quotes = quotes
        self.sources = sources
        self.search = search
        self.tokens = tokens
        self.snapshots = snapshots
        self.embeddedChanges = embeddedChanges
        self.revisions = revisions
        self.webhooks = webhooks
        self.exporter = exporter
        self.importer = importer
        self.checkReady = checkReady
    }
}

public struct APIConfiguration: Sendable {
    /// Origins allowed by CORS; `*` allows any. Empty (the default) sends no CORS headers.
    public var allowedOrigins: [String] = []
    /// When true, reads need a token with the read scope too.
    public var requireTokenForReads = false
    /// Where clients reach this server (`https://chronicle.example.org`, as `PublicBaseURL.normalize`
    /// gives it), for the `@id`s of JSON-LD; nil: `http://` and the request's `Host`.
    public var publicBaseURL: String?
    /// The contract, served at `/openapi.yaml`.
    public var openAPIDocument: String?
    /// The web explorer's files; none by default (the executable passes the embedded ones).
    public var explorer: ExplorerSource = .embedded([:])
    /// The largest body `POST /v1/import` takes. Import bodies go to a temporary file as
    /// they arrive, not into memory, so this bounds disk, not RAM.
    public var maxImportBytes = 1 << 30
    /// Streamed bodies (exports, lists as NDJSON or CSV) read at once, each from a snapshot on a
    /// connection of its own (see `SnapshotStreams`); more are answered 503.
    public var maxSnapshotStreams = 64
    /// Bytes of rendered event bodies kept for repeated reads (see `RenderedRecords`); 0 keeps none.
    public var renderedRecordBytes = 64 << 20
    /// Bytes of rendered list rows (an event as a list shows it) kept for repeated list pages;
    /// 0 keeps none.
    public var renderedRowBytes = 32 << 20
    /// Bytes sent to a change-stream subscriber and not yet read, at most.
    public var maxPendingStreamBytes = 256 << 10
    /// Seconds a change-stream subscriber may stay behind without reading before it is dropped.
    public var streamStallSeconds: Double = 5
    /// Seconds between the comments an idle change stream is sent, so that proxies keep it open.
    public var streamHeartbeatSeconds: Double = 15
    /// Called after every write this server commits (the executable wakes webhook delivery).
    public var onWrite: @Sendable () -> Void = {}
    /// Open connections, for `/metrics` (the server knows them, the API does not).
    public var openConnections: @Sendable () -> Int = { 0 }
    /// Times the server paused accepting for want of file descriptors, for `/metrics`.
    public var acceptPauses: @Sendable () -> Int = { 0 }
    /// More lines for `/metrics` in Prometheus text (the store's own: where reads went).
    public var storeMetrics: @Sendable () -> String = { "" }
    /// What the store keeps between searches, for `/metrics`; nil when it keeps nothing.
    public var searchCache: @Sendable () -> SearchCacheUsage? = { nil }

    public init() {}
}

extension SearchCacheUsage {
    /// In Prometheus text.
    var metricsText: String {
        """
        # HELP chronicle_search_cache_bytes Bytes of searched phrases' matches kept for repeated searches.
        # TYPE chronicle_search_cache_bytes gauge
        chronicle_search_cache_bytes \(bytes)
        # HELP chronicle_search_cache_phrases Searched phrases whose matches are kept.
        # TYPE chronicle_search_cache_phrases gauge
        chronicle_search_cache_phrases \(phrases)
        # HELP chronicle_search_cache_lookups_total Phrases looked for among the kept, by whether they were there.
        # TYPE chronicle_search_cache_lookups_total counter
        chronicle_search_cache_lookups_total{result="hit"} \(hits)
        chronicle_search_cache_lookups_total{result="miss"} \(misses)
        # HELP chronicle_search_cache_dropped_total Kept phrases dropped because a write could have changed their matches.
        # TYPE chronicle_search_cache_dropped_total counter
        chronicle_search_cache_dropped_total \(phrasesDropped)
        # HELP chronicle_search_cache_patched_total Kept phrases made current by matching again only the rows a write changed.
        # TYPE chronicle_search_cache_patched_total counter
        chronicle_search_cache_patched_total \(phrasesPatched)
        # HELP chronicle_search_index_changes_held Recent search-index changes held to tell which kept searches a write touched.
        # TYPE chronicle_search_index_changes_held gauge
        chronicle_search_index_changes_held \(changesHeld)
        # HELP chronicle_search_hit_cache_bytes Bytes of the best rows' hits (title and snippet) kept for repeated searches.
        # TYPE chronicle_search_hit_cache_bytes gauge
        chronicle_search_hit_cache_bytes \(rowBytes)
        # HELP chronicle_search_hit_cache_rows Rows whose hits are kept.
        # TYPE chronicle_search_hit_cache_rows gauge
        chronicle_search_hit_cache_rows \(rows)
        # HELP chronicle_search_hit_cache_lookups_total Best rows looked for among the kept hits, by whether they were there.
        # TYPE chronicle_search_hit_cache_lookups_total counter
        chronicle_search_hit_cache_lookups_total{result="hit"} \(rowHits)
        chronicle_search_hit_cache_lookups_total{result="miss"} \(rowMisses)

        """
    }
}
