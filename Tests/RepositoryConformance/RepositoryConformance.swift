/// Repository behaviour written once and run against every backend (SQLite in
/// `ChronicleSQLiteTests`, PostgreSQL in `ChroniclePostgreSQLTests`): records, partial-date
/// filters, sorting and cursors, conflicts, cascades, tokens, search hit sets, revisions with the change feed, the log of embedded changes, read snapshots, webhooks, export and import. Each check
/// states today's behaviour (SQLite's, which passed them first); a backend that differs fails.
public enum RepositoryConformance {
    public static var checks: [ConformanceCheck] {
        records + dates + paging + conflicts + races + slugRaces + cascades + tokens + search + history + embedding + delivery + imports
    }
}
