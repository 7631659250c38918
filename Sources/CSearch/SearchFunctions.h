// Shared by this target's files only.
#ifndef CSEARCH_FUNCTIONS_H
#define CSEARCH_FUNCTIONS_H

#include "CSearch.h"

/// At most this many matches of a row are kept for its snippet. A query's phrases beyond the
/// 64th match but add nothing to the score.
enum { maxInstances = 256, maxPhrases = 64, maxColumns = chronicle_max_columns, maxLimit = 10000 };

// Short names for the answer types declared in CSearch.h.
typedef chronicle_instance Instance;
typedef chronicle_hit_header HitHeader;
typedef chronicle_row_score Kept;

/// bm25's inverse document frequency of a phrase found in `matching` of `total` rows.
double chronicle_idf(sqlite3_int64 total, sqlite3_int64 matching);

/// The weight of each of `columns` columns from a function's `weights` weight arguments (1.0
/// for a column without one).
void chronicle_column_weights(int weights, sqlite3_value **weight, int columns, double *factor);

/// A row's score (negative; lower is better) from how often each phrase occurs in each column
/// (`frequency[phrase * columns + column]`) and the column weights: for each phrase in turn,
/// its inverse document frequency times its columns' terms added in column order
/// (chronicle_term). chronicle_hit and chronicle_top both use it, so that the two find the same
/// rows in the same order. A phrase's idf is a factor of its whole share: a kept phrase's row
/// shares stay right when the table's row count changes, and only the factor is worked out again.
double chronicle_score(const double *frequency, int phrases, int columns, const double *idf, const double *factor);

/// One column's share of a phrase's score, before the phrase's idf, for `frequency` matches:
/// what chronicle_score adds up, so that a table of these adds up to the very same score.
double chronicle_term(double factor, double frequency);

/// The search's order: the lower score first, then the newer (higher) rowid. Inline: it runs
/// once for nearly every matching row.
static inline int chronicle_is_worse(Kept a, Kept b) { return a.score > b.score || (a.score == b.score && a.rowid < b.rowid); }

/// Adds `row` to the heap of the best `limit` rows so far (worst on top), dropping the worst;
/// 0 when it is not among them.
int chronicle_keep(Kept *heap, int *count, int limit, Kept row);

/// The index's own tokenizer (unicode61 with diacritics removed, as migrations/sqlite/0001
/// declares it), made once per function that tokenizes as the index does.
typedef struct {
    fts5_tokenizer methods;
    Fts5Tokenizer *tokenizer;
} IndexTokenizer;

/// A new IndexTokenizer, or NULL with `*rc` set.
IndexTokenizer *chronicle_index_tokenizer(fts5_api *fts, int *rc);
/// Frees an IndexTokenizer (a function's destructor).
void chronicle_free_index_tokenizer(void *tokenizer);

int chronicle_register_rank(sqlite3 *db, fts5_api *fts);
int chronicle_register_snippets(sqlite3 *db, fts5_api *fts);
int chronicle_register_top(sqlite3 *db, fts5_api *fts);
int chronicle_register_tokens(sqlite3 *db, fts5_api *fts);

#endif
