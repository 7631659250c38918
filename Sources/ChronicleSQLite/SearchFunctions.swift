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

    /// Every match of the query's one phrase, and each matching row's score for that phrase
    /// alone (see Top.c), or NULL when it has more than `matches` matches.
    static func phraseMatches(matches: String) -> String { "chronicle_phrase_matches(search_index, \(matches), \(columnWeights))" }

    /// What `top` answers, from phrases' matches that `phraseMatches` answered earlier.
    static func rankPhrases(limit: String, kinds: String, matches: [String]) -> String {
        "chronicle_rank_phrases(\(limit), \(kinds), \(columnCount), \(columnWeights), \(matches.joined(separator: ", ")))"
    }

    /// phraseMatches's answer: a header (RunHeader in Top.c: five int64, the fourth the number
    /// of matches, then 16 weights), then 16 bytes a match, then 16 bytes a matching row.
    enum PhraseMatches {
        static let headerBytes = 5 * 8 + 16 * 8

        /// The matches held, read from the header.
        static func count(_ blob: [UInt8]) -> Int {
            guard blob.count >= headerBytes else { return 0 }
            return Int(blob.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 24, as: Int64.self) })
        }

        /// For a phrase no row matches (no row to call phraseMatches on): one word, no match,
        /// no row scores.
        static let none: [UInt8] = {
            var header = [UInt8](repeating: 0, count: headerBytes)
            header.withUnsafeMutableBytes { $0.storeBytes(of: Int64(1), toByteOffset: 16, as: Int64.self) }
            return header
        }()
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

    /// A hit's matches (`Instance` values: phrase, column, start, size as Int32) with the
    /// phrases renumbered 0, 1, … by first appearance. The snippet depends on which matches
    /// belong to the same phrase, not on the phrase's place in the query: "b" alone and "a OR b"
    /// make the same snippet of a row that holds only "b", and now have the same positions.
    static func positionsRenumbered(_ matches: UnsafeRawBufferPointer) -> [UInt8] {
        var positions = Array(matches)
        var seen: [Int32] = []
        positions.withUnsafeMutableBytes { bytes in
            for offset in stride(from: 0, to: bytes.count - 15, by: 16) {
                let phrase = bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                let number = seen.firstIndex(of: phrase) ?? { seen.append(phrase); return seen.count - 1 }()
                bytes.storeBytes(of: Int32(number), toByteOffset: offset, as: Int32.self)
            }
        }
        return positions
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
