import Chronicle
import ChroniclePostgreSQL
import RepositoryConformance
import Testing

/// The repository conformance suite (Tests/RepositoryConformance) on PostgreSQL: each check on
/// a database of its own, so the checks run in parallel.
@Suite(.needsPostgres) struct PostgresConformanceTests {
    @Test(arguments: RepositoryConformance.checks)
    func conformance(_ check: ConformanceCheck) throws {
        let database = try TestDatabase()
        let db = try database.store()
        try check.run(on: ConformanceStore(actors: db.actors, events: db.events, quotes: db.quotes, sources: db.sources,
                                           tokens: db.tokens, search: db.search, revisions: db.revisions,
                                           embeddedChanges: db.embeddedChanges, snapshots: db, webhooks: db.webhooks, exporter: db,
                                           importer: db))
        withExtendedLifetime(db) {}
    }
}
