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
    static func rankPhrases(limit: String, kinds: String, total: String, matches: [String]) -> String {
        "chronicle_rank_phrases(\(limit), \(kinds), \(columnCount), \(total), \(columnWeights), \(matches.joined(separator: ", ")))"
    }

    /// phraseMatches's answer: a `chronicle_run_header`, then its matches, then its rows'
    /// scores (the layout is declared in CSearch.h).
    enum PhraseMatches {
        static let headerBytes = MemoryLayout<chronicle_run_header>.size

        static func header(_ blob: [UInt8]) -> chronicle_run_header? {
            guard blob.count >= headerBytes else { return nil }
            return blob.withUnsafeBytes { $0.loadUnaligned(as: chronicle_run_header.self) }
        }

        /// The matches held.
        static func count(_ blob: [UInt8]) -> Int { header(blob).map { Int($0.matches) } ?? 0 }

        /// For a phrase no row matches (no row to call phraseMatches on): one word, no match,
        /// no row, under the search's weights, as a walk would answer if it were called.
        static let none: [UInt8] = {
            var header = chronicle_run_header()
            header.size = 1
            let weights = columnWeights.split(separator: ",").compactMap { Double($0.filter { $0 != " " }) }
            header.columns = Int64(weights.count)
            withUnsafeMutableBytes(of: &header.factor) { factor in
                for (index, weight) in weights.enumerated() { factor.storeBytes(of: weight, toByteOffset: index * 8, as: Double.self) }
            }
            return withUnsafeBytes(of: header) { Array($0) }
        }()
    }

    /// What a function that walks the index answers for a query.
    enum WalkAnswer {
        /// No row matches the query (the function was never called).
        case noRowMatches
        /// The function cannot answer this query (too many matches, or not a query of its
        /// shape): another way must.
        case cannotAnswer
        case answered([UInt8])

        /// The answer of a statement that calls such a function on the query's first row.
        static func of(_ db: Connection, _ sql: String, _ values: [SQLiteValue]) throws -> WalkAnswer {
            switch try db.first(sql, values, map: { row in row.isNull(0) ? nil : row.blob(0) }) {
            case nil: return .noRowMatches
            case .some(nil): return .cannotAnswer
            case .some(let blob?): return .answered(blob)
            }
        }
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
        let size = MemoryLayout<chronicle_instance>.stride
        positions.withUnsafeMutableBytes { bytes in
            for offset in stride(from: 0, to: bytes.count - size + 1, by: size) {
                var instance = bytes.loadUnaligned(fromByteOffset: offset, as: chronicle_instance.self)
                instance.phrase = Int32(seen.firstIndex(of: instance.phrase) ?? { seen.append(instance.phrase); return seen.count - 1 }())
                bytes.storeBytes(of: instance, toByteOffset: offset, as: chronicle_instance.self)
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
