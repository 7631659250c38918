import ArgumentParser
import ChronicleAPI
import ChronicleExplorer
import ChronicleSQLite
import CSystem
import FoundationEssentials
import HTTP
import Logging

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the JSON API (migrating and seeding an empty database first).")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Address to listen on. [env: CHRONICLE_HOST]")
    var host: String = environment("CHRONICLE_HOST") ?? "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one. [env: CHRONICLE_PORT]")
    var port: Int = Int(environment("CHRONICLE_PORT") ?? "") ?? 8080

    @Option(help: "Event-loop threads. [env: CHRONICLE_THREADS]")
    var threads: Int = Int(environment("CHRONICLE_THREADS") ?? "") ?? ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Threads answering reads (GET, HEAD), first come, first served; by default one per core on SQLite, \(Self.postgresReaders) on PostgreSQL (whose reads wait on the server, not the CPU). [env: CHRONICLE_READERS]")
    var readers: Int?

    @Option(help: "Threads answering writes (POST, PUT, PATCH, DELETE) on PostgreSQL, first come, first served; by default \(Self.postgresWriters). On SQLite writes take turns on the one writer, and run on Dispatch's pool. [env: CHRONICLE_WRITERS]")
    var writers: Int?

    @Option(name: .customLong("pool-size"), help: "PostgreSQL connections kept (each a server process); by default one for each reader and writer thread. [env: CHRONICLE_POOL_SIZE]")
    var poolSize: Int?

    /// Reader threads on PostgreSQL: a read there is mostly waiting for the server's answer, so
    /// with one thread per core (SQLite's default, where a read keeps its core busy) a two-core
    /// machine had two reads in flight and a quarter of its CPU idle. 8 measured best there
    /// (16 was worse: more server processes time-slicing the same cores).
    static let postgresReaders = 8
    /// Writer threads on PostgreSQL: writes in flight together commit together (the store's
    /// write groups), so the more wait, the fewer commits. On Dispatch's pool about two ran at
    /// once on two cores; from 16 clients, 16 threads gave larger groups and less CPU a write
    /// than 8 (2,220-2,360 writes/s against 2,130-2,210).
    static let postgresWriters = 16

    @Option(name: .customLong("cors-origin"), help: "An origin browsers may call from (repeatable; * for any). [env: CHRONICLE_CORS_ORIGINS, comma-separated]")
    var corsOrigins: [String] = (environment("CHRONICLE_CORS_ORIGINS") ?? "").split(separator: ",").map(String.init)

    @Option(name: .customLong("rendered-cache-mb"), help: "Megabytes of rendered event bodies kept for repeated reads; 0 keeps none. [env: CHRONICLE_RENDERED_CACHE_MB]")
    var renderedCacheMB: Int = Int(environment("CHRONICLE_RENDERED_CACHE_MB") ?? "") ?? 64

    @Option(name: .customLong("max-import-mb"), help: "The largest body POST /v1/import takes, in megabytes (stored to a temporary file as it arrives, not held in memory). [env: CHRONICLE_MAX_IMPORT_MB]")
    var maxImportMB: Int = Int(environment("CHRONICLE_MAX_IMPORT_MB") ?? "") ?? 1024

    @Option(name: .customLong("rendered-rows-mb"), help: "Megabytes of events rendered as list pages show them, kept for repeated pages; 0 keeps none. [env: CHRONICLE_RENDERED_ROWS_MB]")
    var renderedRowsMB: Int = Int(environment("CHRONICLE_RENDERED_ROWS_MB") ?? "") ?? 32

    @Option(name: .customLong("search-cache-mb"), help: "Megabytes kept for repeated searches: two thirds for searched words' matches and scores, one third for the best rows' snippets; 0 keeps none. [env: CHRONICLE_SEARCH_CACHE_MB]")
    var searchCacheMB: Int = Int(environment("CHRONICLE_SEARCH_CACHE_MB") ?? "") ?? 96

    @Option(name: .customLong("read-time-limit-ms"), help: "Milliseconds one request's reads may take before they are stopped with 503; 0 for no limit. [env: CHRONICLE_READ_TIME_LIMIT_MS]")
    var readTimeLimitMS: Int = Int(environment("CHRONICLE_READ_TIME_LIMIT_MS") ?? "") ?? 2_000

    @Option(name: .customLong("read-database-url"), help: "A hot standby of --database-url (PostgreSQL streaming replication) to send reads to. A write's response carries its position (the Chronicle-Position header and a chronicle_position cookie); a read that brings it back goes to the primary until the standby has replayed that far. [env: CHRONICLE_READ_DATABASE_URL]")
    var readDatabaseURL: String = environment("CHRONICLE_READ_DATABASE_URL") ?? ""

    @Option(name: .customLong("max-replica-lag-ms"), help: "Milliseconds the standby may be behind the primary before reads skip it and go to the primary. [env: CHRONICLE_MAX_REPLICA_LAG_MS]")
    var maxReplicaLagMS: Int = Int(environment("CHRONICLE_MAX_REPLICA_LAG_MS") ?? "") ?? 5_000

    @Option(name: .customLong("public-base-url"), help: "The URL clients reach this server at (behind a proxy: https://chronicle.example.org), for JSON-LD @ids; by default http:// and the request's Host. [env: CHRONICLE_PUBLIC_BASE_URL]")
    var publicBaseURL: String = environment("CHRONICLE_PUBLIC_BASE_URL") ?? ""

    @Option(name: .customLong("explorer-dir"), help: "Serve the web explorer from this folder, read again on every request, instead of the copy built in (for working on the explorer). [env: CHRONICLE_EXPLORER_DIR]")
    var explorerDirectory: String = environment("CHRONICLE_EXPLORER_DIR") ?? ""

    @Flag(help: "Require a token with the read scope for reads too. [env: CHRONICLE_REQUIRE_READ_TOKEN=1]")
    var requireReadToken = false

    @Flag(help: "Do not load the built-in dataset into an empty database. [env: CHRONICLE_NO_SEED=1]")
    var noSeed = false

    @Flag(help: "Do not log a line per request. [env: CHRONICLE_NO_ACCESS_LOG=1]")
    var noAccessLog = false

    func validate() throws {
        guard (1...1_048_576).contains(maxImportMB) else {
            throw ValidationError("--max-import-mb must be between 1 and 1048576, not \(maxImportMB)")
        }
        guard (0...65_536).contains(renderedRowsMB) else {
            throw ValidationError("--rendered-rows-mb must be between 0 (keep none) and 65536, not \(renderedRowsMB)")
        }
        guard (0...65_536).contains(renderedCacheMB) else {
            throw ValidationError("--rendered-cache-mb must be between 0 (keep none) and 65536, not \(renderedCacheMB)")
        }
        guard (0...3_600_000).contains(readTimeLimitMS) else {
            throw ValidationError("--read-time-limit-ms must be between 0 (no limit) and 3600000, not \(readTimeLimitMS)")
        }
        if !explorerDirectory.isEmpty {
            var isFolder = false
            guard FileManager.default.fileExists(atPath: explorerDirectory, isDirectory: &isFolder), isFolder else {
                throw ValidationError("--explorer-dir must be a folder with the explorer's files (Sources/ChronicleExplorer/Assets in a checkout), not \(explorerDirectory)")
            }
        }
        if !publicBaseURL.isEmpty, PublicBaseURL.normalize(publicBaseURL) == nil {
            throw ValidationError("--public-base-url must be an http or https URL without query or fragment, such as https://chronicle.example.org, not \(publicBaseURL)")
        }
        if !readDatabaseURL.isEmpty && database.url == nil {
            throw ValidationError("--read-database-url needs --database-url (a PostgreSQL primary); SQLite has no standby")
        }
        guard (1...3_600_000).contains(maxReplicaLagMS) else {
            throw ValidationError("--max-replica-lag-ms must be between 1 and 3600000, not \(maxReplicaLagMS)")
        }
        if let readers, readers < 1 { throw ValidationError("--readers must be at least 1, not \(readers)") }
        if let writers, writers < 1 { throw ValidationError("--writers must be at least 1, not \(writers)") }
        if let poolSize, poolSize < 1 { throw ValidationError("--pool-size must be at least 1, not \(poolSize)") }
        guard (0...65_536).contains(searchCacheMB) else {
            throw ValidationError("--search-cache-mb must be between 0 (keep none) and 65536, not \(searchCacheMB)")
        }
    }

    func run() throws {
        let sink = LogSink()
        LoggingSystem.bootstrap { BufferedLogHandler(label: $0, sink: sink) }
        defer { sink.flush() }
        let logger = Logger(label: "chronicle")
        // Flags set in the environment count as given (a flag's default must be false).
        let requireReadToken = self.requireReadToken || environmentFlag("CHRONICLE_REQUIRE_READ_TOKEN")
        let noSeed = self.noSeed || environmentFlag("CHRONICLE_NO_SEED")
        let noAccessLog = self.noAccessLog || environmentFlag("CHRONICLE_NO_ACCESS_LOG")
        let readers = self.readers ?? Int(environment("CHRONICLE_READERS") ?? "")
            ?? (database.url != nil ? Self.postgresReaders : ProcessInfo.processInfo.activeProcessorCount)
        let writers = database.url == nil ? nil : self.writers ?? Int(environment("CHRONICLE_WRITERS") ?? "") ?? Self.postgresWriters
        let poolSize = self.poolSize ?? Int(environment("CHRONICLE_POOL_SIZE") ?? "")
        let store = try openStore(database, poolSize: max(1, poolSize ?? readers + (writers ?? 0)), readTimeLimit: readTimeLimitMS > 0 ? Double(readTimeLimitMS) / 1000 : nil,
                                  readURL: readDatabaseURL.isEmpty ? nil : readDatabaseURL, maxReadLag: Double(maxReplicaLagMS) / 1000)
        if let db = store.sqlite {
            db.search.phraseCache.capacity = (searchCacheMB << 20) - (searchCacheMB << 20) / 3
            db.search.hitCache.capacity = (searchCacheMB << 20) / 3
        }
        if !noSeed, try store.isEmpty(), let summary = try store.loadBuiltinDataset() {
            logger.info("loaded the built-in dataset: \(summary.actors) actors, \(summary.events) events, \(summary.quotes) quotes")
        }
        // Migrating and seeding leave freed memory behind that serving never reuses; give it back.
        csystem_release_free_memory()
        let repositories = store.repositories
        let box = ServerBox()
        var api = APIConfiguration()
        api.allowedOrigins = corsOrigins
        api.requireTokenForReads = requireReadToken
        api.renderedRecordBytes = renderedCacheMB << 20
        api.renderedRowBytes = renderedRowsMB << 20
        api.maxImportBytes = maxImportMB << 20
        api.publicBaseURL = PublicBaseURL.normalize(publicBaseURL)  // nil when not given
        api.openAPIDocument = ResourceLocator.openAPIDocument()
        api.explorer = explorerDirectory.isEmpty ? .embedded(ExplorerFiles.embedded) : .folder(explorerDirectory)
        api.storeMetrics = store.metrics
        api.openConnections = { box.server?.openConnections ?? 0 }
        api.acceptPauses = { box.server?.acceptPauses ?? 0 }
        if let search = store.sqlite?.search {
            api.searchCache = { search.phraseCache.capacity > 0 ? search.cacheUsage : nil }
        }
        // Webhooks are delivered off the request path, woken by each write.
        let webhooks = WebhookDispatcher(hooks: repositories.webhooks, revisions: repositories.revisions, poster: CurlWebhookPoster())
        webhooks.start()
        api.onWrite = { webhooks.poke() }

        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.loopCount = max(1, threads)
        configuration.readerCount = max(1, readers)
        configuration.writerCount = writers.map { max(1, $0) }
        configuration.accessLog = !noAccessLog
        configuration.logger = Logger(label: "http")
        configuration.accessLogSink = sink
        let chronicle = ChronicleAPI(repositories: repositories, configuration: api)
        // Other instances' writes wake this one's live streams and webhooks (PostgreSQL).
        store.onChanges? { chronicle.changesCommittedElsewhere() }
        let server = try Server(configuration: configuration, respondersByLoop: { _ in chronicle.router() })
        box.server = server
        server.shutdownOnSignals()
        logger.info("Chronicle serving \(store.location) on http://\(host):\(server.port)/ — try: curl 'http://\(host):\(server.port)/v1/search?q=Lukashenko'")
        server.wait()
        logger.info("stopped")
    }
}

/// Lets the metrics closure reach the server created after it.
final class ServerBox: @unchecked Sendable {
    var server: Server?
}
