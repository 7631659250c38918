/// Where PostgreSQL and SQLite really differ under the same API, named in one place.
///
/// - **How text sorts**: the same. Ids and every column a list sorts or pages by are declared
///   `COLLATE "C"` (migrations/postgresql/0001), so text sorts by code point as SQLite's BINARY
///   collation does, whatever the database's own collation (`en_US.UTF-8` would put `adam`
///   before `Zoe`, and a cursor from one engine would then skip rows on the other).
/// - **Search ranking scores**: different numbers, the same direction. SQLite ranks with bm25
///   (a custom FTS5 function; title weighs 5× the body); PostgreSQL with `ts_rank` over a
///   tsvector whose title is weight A (1.0) and body weight B (0.4). `SearchHit.rank` is lower
///   for better on both (here the negated `ts_rank`), so hits come best first, and a title
///   match outranks a body match on both; the numbers themselves are not comparable across
///   engines, and ties among unequal documents may order differently.
/// - **Search tokens and folding**: SQLite's `unicode61 remove_diacritics 2` tokenizer against
///   PostgreSQL's default parser with the `unaccent` dictionary then lower-casing (the
///   `chronicle_search` configuration). Both fold case and Latin accents (`Ségolène` finds
///   `segolene`) and keep Cyrillic; `unaccent` also expands ligatures and `ß` (to `ss`), and
///   PostgreSQL's parser keeps a hyphenated word whole beside its parts.
/// - **Search syntax beyond the documented one**: words, "phrases", OR, NOT, AND, parentheses
///   and prefix* behave alike (SearchQuery parses them as FTS5 does). FTS5's extras that the API
///   does not document (NEAR groups, column filters such as `title:word`, `^`, `+`) work on
///   SQLite and are refused as bad syntax (422) on PostgreSQL.
/// - **Export order within a kind**: SQLite's follows its row numbers (insertion order; a
///   restored record comes last), PostgreSQL's the ids (time-ordered: creation order to the
///   millisecond, then random). Kinds come in replay order on both.
/// - **Snippets**: SQLite's marks each match in about 16 tokens around it; PostgreSQL's come
///   from `ts_headline` (whole fragments up to about 35 words), marked the same way `[like this]`.
enum EngineDifferences {
    /// The text search configuration every document and query goes through.
    static let searchConfiguration = "chronicle_search"
    /// ts_headline's options: matches marked `[like this]`, as SQLite's snippets are.
    static let headlineOptions = "StartSel=[, StopSel=], MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=\" … \""
}
