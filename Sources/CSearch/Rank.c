// chronicle_rank: an FTS5 ranking function that orders like bm25 (per-term inverse document
// frequency, saturating term frequency, a weight per column) but without document-length
// normalisation. bm25 reads every matching row's column sizes, one B-tree lookup per match,
// which was most of a search's cost; this reads only the match positions FTS5 has already
// decoded. Lower is better, like bm25.

#include "SearchFunctions.h"
#include <math.h>
#include <string.h>

// A query's phrases beyond the 64th match but add nothing to the score.
enum { maxPhrases = 64, maxColumns = 16 };

/// Inverse document frequencies of the query's phrases, counted once per query.
typedef struct {
    int phrases;
    double idf[maxPhrases];
} QueryWeights;

static int countRow(const Fts5ExtensionApi *api, Fts5Context *fts, void *rows) {
    (void)api;
    (void)fts;
    (*(sqlite3_int64 *)rows)++;
    return SQLITE_OK;
}

static QueryWeights *queryWeights(const Fts5ExtensionApi *api, Fts5Context *fts, int *rc) {
    QueryWeights *weights = api->xGetAuxdata(fts, 0);
    if (weights) return weights;
    weights = sqlite3_malloc64(sizeof(QueryWeights));
    if (!weights) {
        *rc = SQLITE_NOMEM;
        return NULL;
    }
    int phrases = api->xPhraseCount(fts);
    weights->phrases = phrases < maxPhrases ? phrases : maxPhrases;
    sqlite3_int64 total = 0;
    *rc = api->xRowCount(fts, &total);
    for (int phrase = 0; *rc == SQLITE_OK && phrase < weights->phrases; phrase++) {
        sqlite3_int64 matching = 0;
        *rc = api->xQueryPhrase(fts, phrase, &matching, countRow);
        // The same formula as FTS5's bm25, with its floor for very common terms.
        double idf = log((total - matching + 0.5) / (matching + 0.5));
        weights->idf[phrase] = idf <= 0.0 ? 1e-6 : idf;
    }
    if (*rc == SQLITE_OK) {
        *rc = api->xSetAuxdata(fts, weights, sqlite3_free);  // frees it on failure too
        return *rc == SQLITE_OK ? weights : NULL;
    }
    sqlite3_free(weights);
    return NULL;
}

static void chronicleRank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *context, int argc,
                          sqlite3_value **argv) {
    int rc = SQLITE_OK;
    QueryWeights *weights = queryWeights(api, fts, &rc);
    int instances = 0;
    if (rc == SQLITE_OK) rc = api->xInstCount(fts, &instances);
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(context, rc);
        return;
    }
    int columns = api->xColumnCount(fts);
    if (columns > maxColumns) columns = maxColumns;
    // Only the cells this query uses are cleared: this runs once per matching row.
    double frequency[maxPhrases * maxColumns];
    memset(frequency, 0, sizeof(double) * (size_t)(weights->phrases * columns));
    for (int index = 0; index < instances; index++) {
        int phrase = 0, column = 0, offset = 0;
        if ((rc = api->xInst(fts, index, &phrase, &column, &offset)) != SQLITE_OK) {
            sqlite3_result_error_code(context, rc);
            return;
        }
        if (phrase >= 0 && phrase < weights->phrases && column >= 0 && column < columns) frequency[phrase * columns + column] += 1.0;
    }
    const double k1 = 1.2;
    double score = 0.0;
    for (int column = 0; column < columns; column++) {
        double weight = column < argc ? sqlite3_value_double(argv[column]) : 1.0;
        if (weight == 0.0) continue;
        for (int phrase = 0; phrase < weights->phrases; phrase++) {
            double f = frequency[phrase * columns + column];
            if (f > 0.0) score += weight * weights->idf[phrase] * f * (k1 + 1.0) / (f + k1);
        }
    }
    sqlite3_result_double(context, -score);
}

int chronicle_register_rank(fts5_api *fts) {
    return fts->xCreateFunction(fts, "chronicle_rank", NULL, chronicleRank, NULL);
}
