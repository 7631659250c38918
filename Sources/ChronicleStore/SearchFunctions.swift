import CSearch
import SQLite

/// Chronicle's search functions, written in C in CSearch (FTS5's extension API has no other
/// binding):
/// - `chronicle_hit` ranks like bm25 without reading each match's column sizes, which made a
///   search three times slower, and answers NULL for rows that cannot be among the best `limit`,
///   so that only a few rows reach SQLite's sorter; a kept row's hit holds its rank and its
///   match positions (`chronicle_hit_rank` reads the rank);
/// - `chronicle_top` answers a one-phrase or `a OR b` query in one call, walking each phrase's
///   matches once inside FTS5 instead of visiting each matching row through SQL (half a
///   search's time), with the same scores, so the same hits in the same order;
/// - `chronicle_snippet` makes a hit's snippet from those positions: FTS5's snippet() needed
///   a second MATCH over the index to join the best rows to.
enum SearchFunctions {
    /// Title matches count five times as much as body matches; kind and id are not searched.
    static let columnWeights = "0.0, 0.0, 5.0, 1.0"
    static let columnCount = 4

    /// The most phrases chronicle_top and chronicle_rank_phrases rank (maxPhrases in C).
    static let maxPhrases = 64

    /// Every match of the query's one phrase (see Top.c), or NULL when it has more than `matches`.
    static func phraseMatches(matches: String) -> String { "chronicle_phrase_matches(search_index, \(matches))" }

    /// What `top` answers, from phrases' matches that `phraseMatches` answered earlier.
    static func rankPhrases(limit: String, kinds: String, matches: [String]) -> String {
        "chronicle_rank_phrases(\(limit), \(kinds), \(columnCount), \(columnWeights), \(matches.joined(separator: ", ")))"
    }

    /// phraseMatches's answer: a header of three int64 (rows in the table, rows matched, words
    /// in the phrase), then 16 bytes a match.
    enum PhraseMatches {
        static let headerBytes = 24, matchBytes = 16

        static func count(_ blob: [UInt8]) -> Int { max(0, (blob.count - headerBytes) / matchBytes) }

        /// For a phrase no row matches (no row to call phraseMatches on).
        static let none: [UInt8] = [Int64(0), 0, 1].withUnsafeBytes { Array($0) }
    }

    /// NULL for a row that `limit` rows seen before it in the same query beat.
    static func hit(limit: String) -> String { "chronicle_hit(search_index, \(limit), \(columnWeights))" }

    /// The best `limit` rows of the kinds in the bit mask `kinds`, as a blob (see Top.c), or
    /// NULL when the query has more than `matches` matches; called on the query's first row only.
    static func top(limit: String, kinds: String, matches: String) -> String {
        "chronicle_top(search_index, \(limit), \(kinds), \(matches), \(columnWeights))"
    }

    static func rank(of hit: String) -> String { "chronicle_hit_rank(\(hit))" }

    /// About 16 tokens of the title or the body (columns 2 and 3 of search_index), whichever
    /// shows more of the query; the body on a tie, since a hit shows its title anyway.
    static func snippet(of hit: String, title: String, body: String) -> String {
        "chronicle_snippet(\(hit), 2, 16, \(title), \(body))"
    }

    static func register(on db: Connection) throws {
        try db.check(chronicle_register_search_functions(db.unsafeHandle), "registering the search functions")
    }

    /// A configuration whose connections all have the functions.
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
