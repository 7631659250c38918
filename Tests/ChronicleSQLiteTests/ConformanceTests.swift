import Chronicle
import ChronicleSQLite
import RepositoryConformance
import Testing

/// The repository conformance suite (Tests/RepositoryConformance) on SQLite: each check on a
/// database file of its own.
@Suite struct SQLiteConformanceTests {
    @Test(arguments: RepositoryConformance.checks)
    func conformance(_ check: ConformanceCheck) throws {
        let db = try makeDatabase()
        try check.run(on: ConformanceStore(actors: db.actors, events: db.events, quotes: db.quotes, sources: db.sources,
                                           tokens: db.tokens, search: db.search, revisions: db.revisions,
                                           embeddedChanges: db.embeddedChanges, snapshots: db, webhooks: db.webhooks, exporter: db,
                                           importer: db))
    }
}
