#ifndef CSEARCH_H
#define CSEARCH_H

#include <sqlite3.h>

/// Registers Chronicle's search functions on one connection (FTS5 functions live per
/// connection): `chronicle_hit(table, limit, weight...)` for FTS5 queries, and the scalars
/// `chronicle_hit_rank(hit)` and `chronicle_snippet(hit, first_column, width, text...)`.
/// Returns an SQLite result code.
int chronicle_register_search_functions(sqlite3 *db);

// The blobs the search functions answer, declared once here so that C writes them and Swift
// reads them as these types. Every blob is in the process's own byte order and layout: it
// never leaves the process that made it (kept matches live in memory, never on disk).

/// The most columns a run's weights cover (the index has four).
enum { chronicle_max_columns = 16 };

/// One match of a phrase in a row: the token `offset` in `column`, or a matched row without
/// positions (column -1).
typedef struct {
    sqlite3_int64 rowid;
    int column, offset;
} chronicle_match;

/// A row's score (negative; lower is better) with its rowid: a row kept among the best, or a
/// matching row's share for one phrase (before the phrase's idf).
typedef struct {
    double score;
    sqlite3_int64 rowid;
} chronicle_row_score;

/// What chronicle_phrase_matches answers, followed by `matches` chronicle_match values by rowid
/// (rows of every kind), then, when `columns` is not 0, `rows` chronicle_row_score values by
/// rowid: each matching row's share of the score for the phrase alone under the weights in
/// `factor`, before the phrase's idf (so it holds whatever the table's row count becomes).
typedef struct {
    sqlite3_int64 total;    // rows in the table when the phrase was walked (ranking takes the count of the moment)
    sqlite3_int64 rows;     // rows the phrase matches
    sqlite3_int64 size;     // tokens in the phrase
    sqlite3_int64 matches;  // chronicle_match values that follow
    sqlite3_int64 columns;  // weights the row scores were made with; 0: no row scores
    double factor[chronicle_max_columns];
} chronicle_run_header;

/// One match of a hit: token offsets [start, start + size) of `column`, for `phrase`.
typedef struct {
    int phrase, column, start, size;
} chronicle_instance;

/// A hit: its rank, followed by its matches (chronicle_instance values) for chronicle_snippet.
typedef struct {
    double rank;
} chronicle_hit_header;

/// One row of chronicle_top's (and chronicle_rank_phrases's) answer, best first: the row, then
/// `hit_bytes` bytes of its hit (a chronicle_hit_header and its instances).
typedef struct {
    sqlite3_int64 rowid;
    sqlite3_int64 hit_bytes;
} chronicle_top_entry;

/// A phrase's run with some rows' matches replaced: the matches of the `changed` rows (sorted
/// rowids) dropped, `added` (chronicle_match values of those rows, by rowid) put in their place,
/// and the run's row count, total and row shares made again as a walk of the index holding
/// `total` rows would make them. Sets `*out` to a new run (free it with sqlite3_free) and
/// `*outBytes` to its size; returns 0, or -1 when `run` is not a run with row scores.
int chronicle_patch_run(const void *run, sqlite3_int64 bytes, const sqlite3_int64 *changed, int changedCount,
                        const chronicle_match *added, int addedCount, sqlite3_int64 total, void **out, sqlite3_int64 *outBytes);

#endif
