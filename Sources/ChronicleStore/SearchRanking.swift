import CSearchRank
import SQLite

/// The search ranking function, `chronicle_rank` (written in C in CSearchRank: FTS5's
/// extension API has no other binding). It ranks like bm25 without reading each match's
/// column sizes, which made a search three times slower.
enum SearchRanking {
    /// Title matches count five times as much as body matches; kind and id are not searched.
    static let expression = "chronicle_rank(search_index, 0.0, 0.0, 5.0, 1.0)"

    static func register(on db: Connection) throws {
        try db.check(chronicle_register_rank(db.unsafeHandle), "registering chronicle_rank")
    }

    /// A configuration whose connections all have the function.
    static func adding(to configuration: Configuration) -> Configuration {
        var configured = configuration
        let previous = configuration.prepareConnection
        configured.prepareConnection = { db in
            try previous?(db)
            try register(on: db)
        }
        return configured
    }
}
