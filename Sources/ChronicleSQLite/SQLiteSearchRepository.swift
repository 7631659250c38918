import Chronicle
import CSearch
import CSQLite
import SQLite

/// Ranked full-text search across every record kind, with highlighted snippets.
public struct SQLiteSearchRepository: SearchRepository {
    let pool: DatabasePool
    /// The most matches a one-walk search holds (16 bytes each, and as much again at most for the
    /// matching rows' scores): 16 to 32 MiB, enough for a word found in a third of the bench's
    /// 1.8 million records. A query with more goes through SQL row by row, in constant memory.
    /// Tests lower it to reach that path.
    var matchesHeld = 1 << 20
    /// Phrases' matches kept between searches (shared by copies of this repository).
    public let phraseCache: PhraseMatchCache
    /// The best rows' hits kept between searches (shared by copies of this repository); used
    /// with kept phrases only, whose searches know the index generation already.
    public let hitCache: SearchHitCache
    /// What recent writes changed in the index, for both caches (shared by copies).
    public let changes: SearchIndexChanges

    /// `phraseCacheBytes` bounds the phrases' matches (and their rows' scores) kept between
    /// searches; 0 keeps none and ranks each search in one call that walks its phrases.
    /// `hitCacheBytes` bounds the best rows' hits kept; 0 reads every hit's row.
    public init(pool: DatabasePool, phraseCacheBytes: Int = 64 << 20, hitCacheBytes: Int = 32 << 20) {
        self.pool = pool
        phraseCache = PhraseMatchCache(capacity: phraseCacheBytes)
        hitCache = SearchHitCache(capacity: hitCacheBytes)
        changes = SearchIndexChanges()
    }

    /// At most 120 characters. Counting characters walks grapheme clusters, which cost 4% of a
    /// search; a title of at most 120 UTF-8 bytes cannot be longer, and in an ASCII title every
    /// byte is one character, so most titles skip the count.
    static func shortened(_ title: String) -> String {
        var title = title
        return title.withUTF8 { shortened(utf8: $0) }
    }

    /// The same from the stored bytes, so that a long title is not made a String twice.
    static func shortened(utf8 bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.count > 120 else { return String(decoding: bytes, as: UTF8.self) }
        // ASCII without CR ("\r\n" is one character): 119 bytes and "…", made in place.
        if bytes.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) {
            return String(unsafeUninitializedCapacity: 122) { out in
                _ = out.initialize(from: bytes.prefix(119))
                (out[119], out[120], out[121]) = (0xE2, 0x80, 0xA6)
                return 122
            }
        }
        let title = String(decoding: bytes, as: UTF8.self)
        guard title.count > 120 else { return title }
        return String(title.prefix(119)) + "…"
    }

    /// What both caches hold and how often they were found useful.
    public var cacheUsage: SearchCacheUsage {
        let (phrases, phraseLookups) = (phraseCache.usage, phraseCache.lookups)
        var usage = SearchCacheUsage(bytes: phrases.bytes, phrases: phrases.phrases, hits: phraseLookups.hits, misses: phraseLookups.misses)
        (usage.rowBytes, usage.rows) = hitCache.usage
        (usage.rowHits, usage.rowMisses) = hitCache.lookups
        usage.phrasesDropped = phraseCache.dropped
        usage.phrasesPatched = phraseCache.patches
        usage.changesHeld = changes.held
        return usage
    }

    public func search(_ query: String, kinds: Set<RecordKind>, limit: Int) throws -> [SearchHit] {
        try search(query, kinds: kinds, limit: limit, strategy: .automatic) ?? []
    }

    /// How a search is answered. Tests compare the three ways on the same queries.
    enum Strategy {
        /// For a disjunction small enough, kept phrases when the cache keeps any, else one walk
        /// per phrase; every row for anything else.
        case automatic
        /// One walk per phrase (chronicle_top), or nil when it cannot answer the query.
        case oneWalkPerPhrase
        /// Each phrase's matches from the cache or walked on their own and kept, then ranked
        /// (chronicle_rank_phrases); nil when this cannot answer the query.
        case keptPhrases
        /// Every matching row through SQL (chronicle_hit): any FTS5 query.
        case everyRowThroughSQL
    }

    func search(_ query: String, kinds: Set<RecordKind>, limit: Int, strategy: Strategy) throws -> [SearchHit]? {
        guard !query.allSatisfy(\.isWhitespace) else { throw ChronicleError.validation([FieldError("q", "must not be empty")]) }
        guard query.count <= 500 else { throw ChronicleError.validation([FieldError("q", "is longer than 500 characters")]) }
        guard (1...PageRequest.maximumLimit).contains(limit) else {
            throw ChronicleError.validation([FieldError("limit", "must be between 1 and \(PageRequest.maximumLimit)")])
        }
        let wanted = kinds.isEmpty ? Set(RecordKind.allCases) : kinds
        let ordered = RecordKind.allCases.filter(wanted.contains)
        return try pool.readWithinLimit { db in
            try translatingSearchErrors(query) {
                if strategy != .everyRowThroughSQL, let phrases = SearchSyntax.phrases(of: query) {
                    let kept = strategy == .keptPhrases || (strategy == .automatic && phraseCache.capacity > 0)
                    if let hits = try kept ? bestOfKeptPhrases(db, phrases, kinds: ordered, limit: limit)
                                           : bestOfDisjunction(db, query, kinds: ordered, limit: limit) {
                        return hits
                    }
                }
                return strategy == .automatic || strategy == .everyRowThroughSQL ? try bestOfAnyQuery(db, query, kinds: ordered, limit: limit) : nil
            }
        }
    }

    /// One phrase or several joined by OR: chronicle_top walks each phrase's matches once and
    /// answers the best rows with their match positions; only those rows' text is then read, by
    /// rowid, in one statement. nil when chronicle_top leaves the query to `bestOfAnyQuery`.
    private func bestOfDisjunction(_ db: Connection, _ query: String, kinds: [RecordKind], limit: Int) throws -> [SearchHit]? {
        let mask = kinds.reduce(Int64(0)) { $0 | (1 << SearchIndex.tag($1)) }
        switch try SearchFunctions.WalkAnswer.of(db, "SELECT \(SearchFunctions.top(limit: "?2", kinds: "?3", matches: "?4")) FROM search_index WHERE search_index MATCH ?1 LIMIT 1",
                                                 [.text(query), .integer(Int64(limit)), .integer(mask), .integer(Int64(matchesHeld))]) {
        case .noRowMatches: return []
        case .cannotAnswer: return nil
        case .answered(let top): return try hits(db, ranked: top, generation: nil)
        }
    }

    /// Like `bestOfDisjunction`, from each phrase's matches on its own: kept from an earlier
    /// search (of this index generation, or of an earlier one when no write since can have
    /// changed them), or walked now and kept. A search whose phrases are all kept does not
    /// read the index at all.
    private func bestOfKeptPhrases(_ db: Connection, _ phrases: [Substring], kinds: [RecordKind], limit: Int) throws -> [SearchHit]? {
        guard phrases.count <= SearchFunctions.maxPhrases else { return nil }
        let generation = try SearchIndex.generation(db)
        try changes.advance(db, to: generation)
        let total = try SearchIndex.rowCount(db)
        var runs: [[UInt8]] = []
        var held = 0
        for phrase in phrases {
            let key = String(phrase)
            let matches: [UInt8]
            var found: [UInt8]?
            switch phraseCache.lookup(key, generation: generation, changes: changes) {
            case .kept(let kept): found = kept
            case .stale(let run, let rows, let keptIn):
                // A few rows changed under a kept phrase: match those rows again, not the whole index.
                if let patched = try patch(db, run, phrase: key, rows: rows, total: total) {
                    phraseCache.patched(patched, of: key, generation: generation)
                    found = patched
                } else {
                    phraseCache.drop(key, generation: keptIn)
                }
            case .missing: break
            }
            if let found {
                matches = found
            } else {
                guard held < matchesHeld else { return nil }
                switch try SearchFunctions.WalkAnswer.of(db, Self.walkSQL, [.text(key), .integer(Int64(matchesHeld - held))]) {
                case .noRowMatches: matches = SearchFunctions.PhraseMatches.none
                case .cannotAnswer: return nil  // more matches than held, or not a phrase of words
                case .answered(let answer): matches = answer
                }
                let tokens = try db.first(Self.tokensSQL, [.text(key)]) { $0.blob(0) } ?? []
                phraseCache.keep(matches, of: key, tokens: SearchIndexChanges.hashes(tokens), generation: generation)
            }
            held += SearchFunctions.PhraseMatches.count(matches)
            guard held <= matchesHeld else { return nil }
            runs.append(matches)
        }
        let mask = kinds.reduce(Int64(0)) { $0 | (1 << SearchIndex.tag($1)) }
        let top = try db.first(Self.rankSQL[runs.count], [.integer(Int64(limit)), .integer(mask), .integer(total)], borrowing: runs) { $0.blob(0) } ?? []
        return try hits(db, ranked: top, generation: hitCache.capacity > 0 ? generation : nil)
    }

    private static let tokensSQL = "SELECT chronicle_token_hashes(?)"
    /// Rows matched again to patch a kept phrase at most; more are cheaper walked whole.
    static let rowsPatched = 64

    /// The kept run with `rows` (sorted) matched again in this snapshot; nil when it cannot be
    /// patched. The changed rows are looked up by rowid inside the phrase's match (FTS5 seeks
    /// to each), and their matches replace theirs in the run.
    private func patch(_ db: Connection, _ run: [UInt8], phrase: String, rows: [Int64], total: Int64) throws -> [UInt8]? {
        guard rows.count <= Self.rowsPatched else { return nil }
        // Placeholders in a power of two, the last row repeated, so that few statements are cached.
        var width = 1
        while width < rows.count { width *= 2 }
        let placeholders = (0..<width).map { "?\($0 + 2)" }.joined(separator: ", ")
        var added: [UInt8] = []
        var last = Int64.min
        try db.query("SELECT rowid, chronicle_row_matches(search_index) FROM search_index WHERE search_index MATCH ?1 AND rowid IN (\(placeholders)) ORDER BY rowid",
                     [.text(phrase)] + (0..<width).map { .integer(rows[min($0, rows.count - 1)]) }) { row in
            // A repeated placeholder may give its row twice: take it once.
            guard row.int64(0) != last else { return }
            last = row.int64(0)
            if !row.isNull(1) { added += row.blob(1) }
        }
        let stride = MemoryLayout<chronicle_match>.stride
        let matches: [chronicle_match] = added.withUnsafeBytes { raw in
            (0..<(raw.count / stride)).map { raw.loadUnaligned(fromByteOffset: $0 * stride, as: chronicle_match.self) }
        }
        var output: UnsafeMutableRawPointer?
        var bytes: Int64 = 0
        let rc = run.withUnsafeBytes { old in
            rows.withUnsafeBufferPointer { changed in
                matches.withUnsafeBufferPointer { new in
                    chronicle_patch_run(old.baseAddress, Int64(old.count), changed.baseAddress, Int32(changed.count),
                                        new.baseAddress, Int32(new.count), total, &output, &bytes)
                }
            }
        }
        guard rc == 0, let output else { return nil }
        defer { sqlite3_free(output) }
        return Array(UnsafeRawBufferPointer(start: output, count: Int(bytes)))
    }
    /// The statements a search runs, written once (building them per search cost 6% of one).
    private static let walkSQL = "SELECT \(SearchFunctions.phraseMatches(matches: "?2")) FROM search_index WHERE search_index MATCH ?1 LIMIT 1"
    /// For 0 to maxPhrases phrases (0 unused): limit ?1, kinds ?2, the index's rows ?3, the
    /// phrases' matches ?4...
    private static let rankSQL = (0...SearchFunctions.maxPhrases).map { phrases in
        "SELECT " + SearchFunctions.rankPhrases(limit: "?1", kinds: "?2", total: "?3", matches: (0..<phrases).map { "?\($0 + 4)" })
    }
    private static let hitsSQL = """
        SELECT s.id, s.\(SearchIndex.Stored.recordID), s.\(SearchIndex.Stored.title),
               \(SearchFunctions.snippet(of: "chronicle_top_hit(?1, s.id)", title: "s.\(SearchIndex.Stored.title)", body: "s.\(SearchIndex.Stored.body)"))
        FROM json_each(?2) AS best CROSS JOIN \(SearchIndex.Stored.table) AS s ON s.id = best.value
        """

    /// The hits of chronicle_top's (or chronicle_rank_phrases's) answer, best first: those kept
    /// from earlier searches of `generation` (nil: none kept), and only the other rows' text read,
    /// by rowid, in one statement.
    private func hits(_ db: Connection, ranked top: [UInt8], generation: Int64?) throws -> [SearchHit] {
        // The answer: per row a chronicle_top_entry, then its hit (a chronicle_hit_header, then
        // its matches), as CSearch.h declares them.
        var best: [(rowid: Int64, rank: Double)] = []
        var keys: [SearchHitCache.Key] = []
        let entrySize = MemoryLayout<chronicle_top_entry>.size, headerSize = MemoryLayout<chronicle_hit_header>.size
        try top.withUnsafeBytes { raw in
            var offset = 0
            while offset + entrySize <= raw.count {
                let entry = raw.loadUnaligned(fromByteOffset: offset, as: chronicle_top_entry.self)
                let length = Int(entry.hit_bytes), hit = offset + entrySize
                guard length >= headerSize, length <= raw.count - hit else { throw SearchAnswerError() }
                best.append((entry.rowid, raw.loadUnaligned(fromByteOffset: hit, as: chronicle_hit_header.self).rank))
                if generation != nil {
                    let matches = UnsafeRawBufferPointer(rebasing: raw[(hit + headerSize)..<(hit + length)])
                    keys.append(SearchHitCache.Key(rowid: entry.rowid, positions: SearchFunctions.positionsRenumbered(matches)))
                }
                offset = hit + length
            }
        }
        guard !best.isEmpty else { return [] }
        var found: [SearchHitCache.Hit?]
        if let generation { found = hitCache.hits(for: keys, generation: generation, changes: changes) }
        else { found = Array(repeating: nil, count: best.count) }
        let missing = found.indices.filter { found[$0] == nil }
        if !missing.isEmpty {
            let rowids = "[" + missing.map { String(best[$0].rowid) }.joined(separator: ",") + "]"
            var read: [Int64: SearchHitCache.Hit] = [:]
            read.reserveCapacity(missing.count)
            try db.query(Self.hitsSQL, [.blob(top), .text(rowids)]) { row in
                read[row.int64(0)] = SearchHitCache.Hit(id: row.string(1), title: row.withText(2, SQLiteSearchRepository.shortened(utf8:)),
                                                        snippet: row.string(3))
            }
            for index in missing { found[index] = read[best[index].rowid] }
            if let generation {
                hitCache.keep(missing.compactMap { index in found[index].map { (keys[index], $0) } }, generation: generation)
            }
        }
        return best.indices.compactMap { index in
            found[index].map { SearchHit(kind: SearchIndex.kind(ofRow: best[index].rowid), id: $0.id, title: $0.title, snippet: $0.snippet,
                                         rank: best[index].rank) }
        }
    }

    /// Any FTS5 query: SQL visits every matching row, newest first, and chronicle_hit keeps the best.
    private func bestOfAnyQuery(_ db: Connection, _ query: String, kinds ordered: [RecordKind], limit: Int) throws -> [SearchHit] {
        // Rows are visited newest first, and the ranking function answers NULL for a row that the
        // `limit` best so far beat, so only those few reach the sort. Equal ranks (common without
        // length normalisation) go newest first: rowids grow with each record added. `LIMIT -1`
        // keeps SQLite from merging the inner query into the outer one or pushing `IS NOT NULL`
        // into it, either of which would call the ranking function twice for a row.
        // The kind is the low two bits of the rowid, so filtering by it reads no stored text.
        // A kept row's hit also holds its match positions: the best rows' stored text is then
        // read by rowid (no second MATCH) and their snippets made from those positions.
        let kindFilter = ordered.count == RecordKind.allCases.count
            ? "" : " AND (rowid & 3) IN (\(ordered.indices.map { "?\($0 + 3)" }.joined(separator: ", ")))"
        let sql = """
            SELECT s.kind, s.record_id, s.title, \(SearchFunctions.snippet(of: "best.hit", title: "s.title", body: "s.body")), best.rank
            FROM (SELECT id, hit, \(SearchFunctions.rank(of: "hit")) AS rank
                  FROM (SELECT rowid AS id, \(SearchFunctions.hit(limit: "?2")) AS hit
                        FROM search_index WHERE search_index MATCH ?1\(kindFilter) ORDER BY rowid DESC LIMIT -1)
                  WHERE hit IS NOT NULL ORDER BY rank, id DESC LIMIT ?2) AS best
            JOIN search_index AS s ON s.rowid = best.id
            ORDER BY best.rank, best.id DESC
            """
        var values: [SQLiteValue] = [.text(query), .integer(Int64(limit))]
        if !kindFilter.isEmpty { values += ordered.map { .integer(SearchIndex.tag($0)) } }
        return try db.all(sql, values) { row in
            SearchHit(kind: RecordKind(rawValue: row.string(0)) ?? .event, id: row.string(1),
                      title: SQLiteSearchRepository.shortened(row.string(2)),
                      snippet: row.string(3), rank: row.double(4))
        }
    }
}

/// chronicle_top answered a blob this code cannot read: a bug, never the user's query.
struct SearchAnswerError: Error, CustomStringConvertible {
    var description: String { "chronicle_top answered a malformed blob" }
}
