// chronicle_hit: FTS5 ranking that orders like bm25 (per-term inverse document frequency,
// saturating term frequency, a weight per column) but without document-length normalisation.
// bm25 reads every matching row's column sizes, one B-tree lookup per match, which was most of a
// search's cost; this reads only the match positions FTS5 has already decoded. Lower is better,
// like bm25.
//
// It keeps the best `limit` rows seen so far and answers NULL for a row that cannot be among
// them, so that only those few reach SQLite's sorter instead of every match (a third of a
// search's time went to sorting matches that were then thrown away). A kept row gets a "hit":
// its rank and its match positions, from which chronicle_snippet makes the snippet.

#include "SearchFunctions.h"
#include <math.h>
#include <string.h>

/// What one query keeps between rows: the phrases' inverse document frequencies, counted
/// once, the column weights, and a heap of the best rows so far with the worst on top.
typedef struct {
    int phrases, columns;
    double idf[maxPhrases];
    double factor[maxColumns];
    int limit, count;
    Kept best[];
} QueryState;

static int countRow(const Fts5ExtensionApi *api, Fts5Context *fts, void *rows) {
    (void)api;
    (void)fts;
    (*(sqlite3_int64 *)rows)++;
    return SQLITE_OK;
}

static QueryState *queryState(const Fts5ExtensionApi *api, Fts5Context *fts, int limit, int weights,
                              sqlite3_value **weight, int *rc) {
    QueryState *state = api->xGetAuxdata(fts, 0);
    if (state) return state;
    if (limit < 1) limit = 1;
    if (limit > maxLimit) limit = maxLimit;
    state = sqlite3_malloc64(sizeof(QueryState) + sizeof(Kept) * (sqlite3_uint64)limit);
    if (!state) {
        *rc = SQLITE_NOMEM;
        return NULL;
    }
    state->limit = limit;
    state->count = 0;
    int phrases = api->xPhraseCount(fts);
    state->phrases = phrases < maxPhrases ? phrases : maxPhrases;
    int columns = api->xColumnCount(fts);
    state->columns = columns < maxColumns ? columns : maxColumns;
    chronicle_column_weights(weights, weight, state->columns, state->factor);
    sqlite3_int64 total = 0;
    *rc = api->xRowCount(fts, &total);
    for (int phrase = 0; *rc == SQLITE_OK && phrase < state->phrases; phrase++) {
        sqlite3_int64 matching = 0;
        *rc = api->xQueryPhrase(fts, phrase, &matching, countRow);
        state->idf[phrase] = chronicle_idf(total, matching);
    }
    if (*rc == SQLITE_OK) {
        *rc = api->xSetAuxdata(fts, state, sqlite3_free);  // frees it on failure too
        return *rc == SQLITE_OK ? state : NULL;
    }
    sqlite3_free(state);
    return NULL;
}

double chronicle_idf(sqlite3_int64 total, sqlite3_int64 matching) {
    // The same formula as FTS5's bm25, with its floor for very common terms.
    double idf = log((total - matching + 0.5) / (matching + 0.5));
    return idf <= 0.0 ? 1e-6 : idf;
}

void chronicle_column_weights(int weights, sqlite3_value **weight, int columns, double *factor) {
    for (int column = 0; column < columns; column++) factor[column] = column < weights ? sqlite3_value_double(weight[column]) : 1.0;
}

double chronicle_term(double factor, double frequency) {
    const double k1 = 1.2;
    return factor * frequency * (k1 + 1.0) / (frequency + k1);
}

double chronicle_score(const double *frequency, int phrases, int columns, const double *idf, const double *factor) {
    double score = 0.0;
    for (int phrase = 0; phrase < phrases; phrase++) {
        double share = 0.0;
        for (int column = 0; column < columns; column++) {
            double f = frequency[phrase * columns + column];
            if (factor[column] != 0.0 && f > 0.0) share += chronicle_term(factor[column], f);
        }
        if (share != 0.0) score += idf[phrase] * share;
    }
    return -score;
}

/// The row's score from its matches (see chronicle_score); its first `maxInstances` matches in
/// `kept`, their number in `keptCount`.
static double rowScore(const Fts5ExtensionApi *api, Fts5Context *fts, const QueryState *state, Instance *kept,
                       int *keptCount, int *rc) {
    int instances = 0;
    *keptCount = 0;
    if ((*rc = api->xInstCount(fts, &instances)) != SQLITE_OK) return 0.0;
    int columns = state->columns;
    // Only the cells this query uses are cleared: this runs once per matching row.
    double frequency[maxPhrases * maxColumns];
    memset(frequency, 0, sizeof(double) * (size_t)(state->phrases * columns));
    for (int index = 0; index < instances; index++) {
        int phrase = 0, column = 0, offset = 0;
        if ((*rc = api->xInst(fts, index, &phrase, &column, &offset)) != SQLITE_OK) return 0.0;
        if (phrase >= 0 && phrase < state->phrases && column >= 0 && column < columns) frequency[phrase * columns + column] += 1.0;
        if (index < maxInstances) kept[(*keptCount)++] = (Instance){phrase, column, offset, api->xPhraseSize(fts, phrase)};
    }
    return chronicle_score(frequency, state->phrases, columns, state->idf, state->factor);
}

static void swapKept(Kept *a, Kept *b) {
    Kept held = *a;
    *a = *b;
    *b = held;
}

int chronicle_keep(Kept *heap, int *count, int limit, Kept row) {
    if (*count == limit) {
        if (!chronicle_is_worse(heap[0], row)) return 0;
        heap[0] = heap[--*count];
        for (int at = 0;;) {
            int left = 2 * at + 1, right = left + 1, worst = at;
            if (left < *count && chronicle_is_worse(heap[left], heap[worst])) worst = left;
            if (right < *count && chronicle_is_worse(heap[right], heap[worst])) worst = right;
            if (worst == at) break;
            swapKept(&heap[at], &heap[worst]);
            at = worst;
        }
    }
    int at = (*count)++;
    heap[at] = row;
    while (at > 0 && chronicle_is_worse(heap[at], heap[(at - 1) / 2])) {
        swapKept(&heap[at], &heap[(at - 1) / 2]);
        at = (at - 1) / 2;
    }
    return 1;
}

/// chronicle_hit(table, limit, weight...): the row's hit (rank and matches), or NULL when `limit`
/// rows seen earlier in this query already beat it. Any visiting order keeps every row that
/// belongs among the best; newest first (ORDER BY rowid DESC) turns ties away soonest, since on
/// a tie the newer row wins. The query still sorts what is kept.
static void chronicleHit(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *context, int argc,
                         sqlite3_value **argv) {
    if (argc < 1) {
        sqlite3_result_error(context, "chronicle_hit needs a limit", -1);
        return;
    }
    int rc = SQLITE_OK;
    QueryState *state = queryState(api, fts, sqlite3_value_int(argv[0]), argc - 1, argv + 1, &rc);
    struct {
        HitHeader header;
        Instance instances[maxInstances];
    } hit;
    int count = 0;
    if (rc == SQLITE_OK) hit.header.rank = rowScore(api, fts, state, hit.instances, &count, &rc);
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(context, rc);
        return;
    }
    if (!chronicle_keep(state->best, &state->count, state->limit, (Kept){hit.header.rank, api->xRowid(fts)})) return;
    sqlite3_result_blob(context, &hit, (int)(sizeof(HitHeader) + sizeof(Instance) * (size_t)count), SQLITE_TRANSIENT);
}

/// chronicle_hit_rank(hit): the rank inside a hit, for ordering; NULL for anything else.
static void chronicleHitRank(sqlite3_context *context, int argc, sqlite3_value **argv) {
    (void)argc;
    const void *blob = sqlite3_value_blob(argv[0]);
    if (!blob || sqlite3_value_bytes(argv[0]) < (int)sizeof(HitHeader)) return;
    HitHeader header;
    memcpy(&header, blob, sizeof header);  // a blob from a sorted record need not be aligned
    sqlite3_result_double(context, header.rank);
}

int chronicle_register_rank(sqlite3 *db, fts5_api *fts) {
    int rc = fts->xCreateFunction(fts, "chronicle_hit", NULL, chronicleHit, NULL);
    if (rc != SQLITE_OK) return rc;
    return sqlite3_create_function_v2(db, "chronicle_hit_rank", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                      chronicleHitRank, NULL, NULL, NULL);
}
