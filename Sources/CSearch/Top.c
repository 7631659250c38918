// chronicle_top: the best rows of a query that is one phrase, or phrases joined by OR, in one
// call. chronicle_hit is called by SQL once per matching row, and every row costs SQLite a
// virtual-table step, a function call and a subquery row; most of a search's time went there.
// For a disjunction, the rows and their matches are the union of each phrase's own, so this
// walks each phrase's matches once inside FTS5 (xQueryPhrase, which also counts them for the
// inverse document frequency that chronicle_hit counts in a walk of its own), then merges the
// phrases by rowid, scores each row with the very function chronicle_hit uses and keeps the best.
// Same rows, same ranks, same order: the tests compare the two.
//
// Its answer is a blob of the best rows, best first: per row a chronicle_top_entry (its rowid
// and the byte length of its hit), then the hit itself (HitHeader, then Instances), as
// chronicle_snippet reads it (the types are in CSearch.h). NULL when it cannot answer: more phrases than are scored, or more matches than it
// holds in memory; the caller then asks chronicle_hit.
//
// chronicle_phrase_matches and chronicle_rank_phrases split the same work in two: the first
// walks one phrase and answers its matches, which the caller keeps between searches; the
// second ranks kept phrases without touching the index. Both end in the same rankRuns.

#include "SearchFunctions.h"
#include <stdint.h>
#include <string.h>

/// Matches held for one query at most, whatever the caller asks (16 bytes each, 64 MiB).
enum { maxMatches = 1 << 22 };

/// Each phrase and column's score term is worked out once per query for 1 to this many matches
/// in a row (see rankRuns); rarer counts are computed when met.
enum { tabled = 8 };

/// One match of a phrase (its run says which); see CSearch.h.
typedef chronicle_match Match;

/// What the walk of each phrase appends to.
typedef struct {
    Match *matches;
    int count, capacity, most;
    unsigned kinds;        // bit n: rows whose rowid & 3 is n are wanted
    sqlite3_int64 rows;    // rows matching the phrase, of every kind
    int overflowed;
} Walk;

static int append(Walk *walk, Match match) {
    if (walk->count == walk->capacity) {
        if (walk->capacity == walk->most) {
            walk->overflowed = 1;
            return SQLITE_DONE;  // stops xQueryPhrase without an error
        }
        int capacity = walk->capacity ? walk->capacity * 2 : 1024;
        if (capacity > walk->most) capacity = walk->most;
        Match *grown = sqlite3_realloc64(walk->matches, sizeof(Match) * (sqlite3_uint64)capacity);
        if (!grown) return SQLITE_NOMEM;
        walk->matches = grown;
        walk->capacity = capacity;
    }
    walk->matches[walk->count++] = match;
    return SQLITE_OK;
}

/// xQueryPhrase's callback: one row of the phrase, its matches in position order. They are read
/// straight from the phrase's position list (xPhraseFirst): xInst would first build an array of
/// every phrase's matches for the row.
static int collect(const Fts5ExtensionApi *api, Fts5Context *fts, void *context) {
    Walk *walk = context;
    walk->rows++;
    sqlite3_int64 rowid = api->xRowid(fts);
    if (!(walk->kinds & (1u << (rowid & 3)))) return SQLITE_OK;
    Fts5PhraseIter iterator;
    int column = -1, offset = 0;
    int rc = api->xPhraseFirst(fts, 0, &iterator, &column, &offset);
    if (rc != SQLITE_OK) return rc;
    if (column < 0) return append(walk, (Match){rowid, -1, 0});
    for (; column >= 0 && rc == SQLITE_OK; api->xPhraseNext(fts, &iterator, &column, &offset)) {
        rc = append(walk, (Match){rowid, column, offset});
    }
    return rc;
}

/// One phrase's matches by rowid (all of them, or only the wanted kinds'), with what ranking
/// needs to know of the phrase.
typedef struct {
    const Match *matches;
    int count;
    int size;    // tokens in the phrase
    double idf;
    // Each matching row's score for this phrase alone, by rowid (every kind), when kept with
    // the run (chronicle_phrase_matches makes them); NULL otherwise.
    const Kept *rowScores;
    int rowCount;
} Run;

/// The first match of `rowid` in `run`; `run->count` when none.
static int firstOf(const Run *run, sqlite3_int64 rowid) {
    int from = 0, to = run->count;
    while (from < to) {
        int middle = from + (to - from) / 2;
        if (run->matches[middle].rowid < rowid) from = middle + 1;
        else to = middle;
    }
    return from;
}

/// A kept row's matches in the order xInst gives them for the whole query: by column and
/// offset, the lower phrase first on a tie. At most maxInstances; returns their number.
static int rowInstances(const Run *runs, int phrases, sqlite3_int64 rowid, Instance *out) {
    int at[maxPhrases], end[maxPhrases];
    for (int phrase = 0; phrase < phrases; phrase++) {
        const Run *run = &runs[phrase];
        at[phrase] = firstOf(run, rowid);
        end[phrase] = at[phrase];
        while (end[phrase] < run->count && run->matches[end[phrase]].rowid == rowid) end[phrase]++;
        while (at[phrase] < end[phrase] && run->matches[at[phrase]].column < 0) at[phrase]++;
    }
    int count = 0;
    while (count < maxInstances) {
        int best = -1;
        for (int phrase = 0; phrase < phrases; phrase++) {
            if (at[phrase] == end[phrase]) continue;
            const Match *candidate = &runs[phrase].matches[at[phrase]];
            if (best < 0) {
                best = phrase;
                continue;
            }
            const Match *held = &runs[best].matches[at[best]];
            if (candidate->column < held->column || (candidate->column == held->column && candidate->offset < held->offset)) {
                best = phrase;
            }
        }
        if (best < 0) break;
        const Match *match = &runs[best].matches[at[best]++];
        out[count++] = (Instance){best, match->column, match->offset, runs[best].size};
    }
    return count;
}

/// rankRuns's loop for a query of one phrase (half of all searches): nothing to merge, so a
/// row is its run of matches, counted per weighted column, its columns' terms added in column
/// order and the sum times the phrase's idf, as chronicle_score works it out. Returns the rows
/// kept in `best`.
static int rankOnePhrase(const Run *run, const double *factor, int columns, int limit, unsigned kinds, const double *terms,
                         Kept *best) {
    int scored[maxColumns], slot[maxColumns], scoredCount = 0;
    for (int column = 0; column < columns; column++) {
        slot[column] = factor[column] != 0.0 ? scoredCount : -1;
        if (factor[column] != 0.0) scored[scoredCount++] = column;
    }
    int kept = 0;
    const Match *matches = run->matches;
    for (int at = run->count - 1; at >= 0;) {
        sqlite3_int64 rowid = matches[at].rowid;
        if (!((kinds >> (rowid & 3)) & 1u)) {
            while (at >= 0 && matches[at].rowid == rowid) at--;
            continue;
        }
        int counts[maxColumns];
        for (int index = 0; index < scoredCount; index++) counts[index] = 0;
        for (; at >= 0 && matches[at].rowid == rowid; at--) {
            unsigned column = (unsigned)matches[at].column;
            if (column < (unsigned)columns && slot[column] >= 0) counts[slot[column]]++;
        }
        double share = 0.0;
        for (int index = 0; index < scoredCount; index++) {
            int n = counts[index], column = scored[index];
            if (n > 0) share += n <= tabled ? terms[column * tabled + n - 1] : chronicle_term(factor[column], (double)n);
        }
        double score = 0.0;
        if (share != 0.0) score += run->idf * share;
        Kept row = {-score, rowid};
        if (kept == limit && !chronicle_is_worse(best[0], row)) continue;
        chronicle_keep(best, &kept, limit, row);
    }
    return kept;
}

/// The row's score in the query, from every run's matches of it, worked out as chronicle_score
/// does (phrase by phrase, each its columns' terms times its idf): for the rare row that
/// several phrases match, when the runs carry row scores.
static double scoreOfRow(const Run *runs, int phrases, sqlite3_int64 rowid, const double *factor, int columns, const double *terms) {
    double score = 0.0;
    for (int phrase = 0; phrase < phrases; phrase++) {
        const Run *run = &runs[phrase];
        int first = firstOf(run, rowid);
        double share = 0.0;
        for (int column = 0; column < columns; column++) {
            if (factor[column] == 0.0) continue;
            int n = 0;
            for (int at = first; at < run->count && run->matches[at].rowid == rowid; at++) n += run->matches[at].column == column;
            if (n > 0) share += n <= tabled ? terms[(phrase * columns + column) * tabled + n - 1] : chronicle_term(factor[column], (double)n);
        }
        if (share != 0.0) score += run->idf * share;
    }
    return -score;
}

/// A row one phrase alone matches, ranked by that phrase's kept share times its idf now: the
/// very score chronicle_score works out for it.
static inline Kept scaled(const Run *run, Kept share) { return (Kept){run->idf * share.score, share.rowid}; }

/// rankRuns's loop when every run carries its rows' shares: a row one phrase matches (nearly
/// all of them) is ranked by that phrase's share, made when the phrase was kept, times its idf
/// now, so a search reads 16 bytes a row instead of each match, and a change in the table's row
/// count needs no share worked out again; a row several phrases match is scored from their
/// matches (scoreOfRow). The same scores to the last bit as counting matches here.
static int rankRowScores(const Run *runs, int phrases, const double *factor, int columns, int limit, unsigned kinds,
                         const double *terms, Kept *best) {
    int kept = 0;
    if (phrases == 1) {
        const Kept *rows = runs[0].rowScores;
        for (int at = runs[0].rowCount - 1; at >= 0; at--) {
            if (!((kinds >> (rows[at].rowid & 3)) & 1u)) continue;
            Kept row = scaled(&runs[0], rows[at]);
            if (kept == limit && !chronicle_is_worse(best[0], row)) continue;
            chronicle_keep(best, &kept, limit, row);
        }
        return kept;
    }
    if (phrases == 2) {  // "a OR b", half of all searches: the same merge, unrolled
        const Kept *a = runs[0].rowScores, *b = runs[1].rowScores;
        for (int i = runs[0].rowCount - 1, j = runs[1].rowCount - 1; i >= 0 || j >= 0;) {
            Kept row;
            if (j < 0 || (i >= 0 && a[i].rowid > b[j].rowid)) row = scaled(&runs[0], a[i--]);
            else if (i < 0 || b[j].rowid > a[i].rowid) row = scaled(&runs[1], b[j--]);
            else {
                row = (Kept){scoreOfRow(runs, phrases, a[i].rowid, factor, columns, terms), a[i].rowid};
                i--, j--;
            }
            if (!((kinds >> (row.rowid & 3)) & 1u)) continue;
            if (kept == limit && !chronicle_is_worse(best[0], row)) continue;
            chronicle_keep(best, &kept, limit, row);
        }
        return kept;
    }
    int last[maxPhrases];
    for (int phrase = 0; phrase < phrases; phrase++) last[phrase] = runs[phrase].rowCount - 1;
    for (;;) {
        sqlite3_int64 rowid = 0;
        int found = 0, matchedBy = 0, only = 0;
        for (int phrase = 0; phrase < phrases; phrase++) {
            if (last[phrase] < 0) continue;
            sqlite3_int64 candidate = runs[phrase].rowScores[last[phrase]].rowid;
            if (!found || candidate > rowid) {
                rowid = candidate;
                found = 1;
                matchedBy = 1;
                only = phrase;
            } else if (candidate == rowid) {
                matchedBy++;
            }
        }
        if (!found) break;
        for (int phrase = 0; phrase < phrases; phrase++) {
            if (last[phrase] >= 0 && runs[phrase].rowScores[last[phrase]].rowid == rowid) last[phrase]--;
        }
        if (!((kinds >> (rowid & 3)) & 1u)) continue;
        Kept row = matchedBy == 1 ? scaled(&runs[only], runs[only].rowScores[last[only] + 1])
                                  : (Kept){scoreOfRow(runs, phrases, rowid, factor, columns, terms), rowid};
        if (kept == limit && !chronicle_is_worse(best[0], row)) continue;
        chronicle_keep(best, &kept, limit, row);
    }
    return kept;
}

/// Merges the phrases' runs by rowid, newest first, scores each row of a wanted kind once and
/// answers the best `limit` (see the top of this file). Shared by chronicle_top, which walks
/// the runs itself, and chronicle_rank_phrases, which is handed runs walked earlier.
static void rankRuns(const Run *runs, int phrases, const double *factor, int columns, int limit, unsigned kinds,
                     sqlite3_context *context) {
    int rc = SQLITE_OK;
    unsigned char *answer = NULL;
    Kept *best = sqlite3_malloc64(sizeof(Kept) * (sqlite3_uint64)limit);
    double *terms = sqlite3_malloc64(sizeof(double) * tabled * (sqlite3_uint64)(phrases * columns) + 1);
    if (!best || !terms) {
        rc = SQLITE_NOMEM;
        goto failed;
    }
    // Each phrase and column's term for 1 to tabled matches, worked out once: a division per
    // row and phrase was a tenth of a search's time. Same terms, added in the same order as
    // chronicle_score adds them, so the same score to the last bit.
    for (int cell = 0; cell < phrases * columns; cell++) {
        for (int n = 1; n <= tabled; n++) terms[cell * tabled + n - 1] = chronicle_term(factor[cell % columns], (double)n);
    }
    int kept = 0;
    int scored = 1;
    for (int phrase = 0; phrase < phrases; phrase++) scored &= runs[phrase].rowScores != NULL;
    if (scored) {
        kept = rankRowScores(runs, phrases, factor, columns, limit, kinds, terms, best);
        goto ranked;
    }
    if (phrases == 1) {
        kept = rankOnePhrase(&runs[0], factor, columns, limit, kinds, terms, best);
        goto ranked;
    }
    int last[maxPhrases];  // each run's last match not yet merged
    for (int phrase = 0; phrase < phrases; phrase++) last[phrase] = runs[phrase].count - 1;
    // Newest first: on a tie the newer row wins, so older ones are turned away without
    // touching the heap. Rows of kinds not wanted are passed over (a walk by chronicle_top
    // holds none; runs kept between searches hold every kind). A row's matches are counted
    // per cell (phrase, column) in `counts`, zero between rows: only the cells a row touches
    // are noted, scored and cleared, since most rows have one or two.
    int *counts = sqlite3_malloc64(sizeof(int) * (sqlite3_uint64)(phrases * columns) + 1);
    if (!counts) {
        rc = SQLITE_NOMEM;
        goto failed;
    }
    memset(counts, 0, sizeof(int) * (size_t)(phrases * columns));
    int touched[maxPhrases * maxColumns];
    for (;;) {
        sqlite3_int64 rowid = 0;
        int found = 0;
        for (int phrase = 0; phrase < phrases; phrase++) {
            if (last[phrase] >= 0 && (!found || runs[phrase].matches[last[phrase]].rowid > rowid)) {
                rowid = runs[phrase].matches[last[phrase]].rowid;
                found = 1;
            }
        }
        if (!found) break;
        int wanted = (kinds >> (rowid & 3)) & 1u;
        int touchedCount = 0;
        for (int phrase = 0; phrase < phrases; phrase++) {
            const Match *matches = runs[phrase].matches;
            int at = last[phrase];
            for (; at >= 0 && matches[at].rowid == rowid; at--) {
                unsigned column = (unsigned)matches[at].column;
                if (!wanted || column >= (unsigned)columns || factor[column] == 0.0) continue;
                // Noted by phrase first, then column: the order chronicle_score adds them in.
                int key = phrase * maxColumns + (int)column;
                if (counts[phrase * columns + (int)column]++ == 0) {
                    int to = touchedCount++;
                    while (to > 0 && touched[to - 1] > key) {
                        touched[to] = touched[to - 1];
                        to--;
                    }
                    touched[to] = key;
                }
            }
            last[phrase] = at;
        }
        if (!wanted) continue;
        double score = 0.0, share = 0.0;  // chronicle_score's sums, in its order, reading the table
        int current = -1;
        for (int index = 0; index < touchedCount; index++) {
            int phrase = touched[index] / maxColumns, column = touched[index] % maxColumns;
            if (phrase != current) {
                if (share != 0.0) score += runs[current].idf * share;
                share = 0.0;
                current = phrase;
            }
            int cell = phrase * columns + column;
            int n = counts[cell];
            counts[cell] = 0;
            share += n <= tabled ? terms[cell * tabled + n - 1] : chronicle_term(factor[column], (double)n);
        }
        if (share != 0.0) score += runs[current].idf * share;
        Kept row = {-score, rowid};
        if (kept == limit && !chronicle_is_worse(best[0], row)) continue;  // most rows: not among the best
        chronicle_keep(best, &kept, limit, row);
    }
    sqlite3_free(counts);

ranked:
    // Best first: sort the heap (a few hundred rows at most) by insertion.
    for (int index = 1; index < kept; index++) {
        Kept row = best[index];
        int to = index;
        while (to > 0 && chronicle_is_worse(best[to - 1], row)) {
            best[to] = best[to - 1];
            to--;
        }
        best[to] = row;
    }
    sqlite3_uint64 used = 0, capacity = 0;
    Instance instances[maxInstances];
    for (int index = 0; index < kept; index++) {
        int count = rowInstances(runs, phrases, best[index].rowid, instances);
        sqlite3_int64 hitBytes = (sqlite3_int64)(sizeof(HitHeader) + sizeof(Instance) * (size_t)count);
        sqlite3_uint64 needed = used + sizeof(chronicle_top_entry) + (sqlite3_uint64)hitBytes;
        if (needed > capacity) {
            capacity = needed > 2 * capacity ? needed : 2 * capacity;
            unsigned char *grown = sqlite3_realloc64(answer, capacity);
            if (!grown) {
                rc = SQLITE_NOMEM;
                goto failed;
            }
            answer = grown;
        }
        HitHeader header = {best[index].score};
        chronicle_top_entry entry = {best[index].rowid, hitBytes};
        memcpy(answer + used, &entry, sizeof entry);
        used += sizeof entry;
        memcpy(answer + used, &header, sizeof header);
        memcpy(answer + used + sizeof header, instances, sizeof(Instance) * (size_t)count);
        used += (sqlite3_uint64)hitBytes;
    }
    if (answer) {
        sqlite3_result_blob64(context, answer, used, sqlite3_free);
        answer = NULL;  // now SQLite's
    } else {
        sqlite3_result_zeroblob(context, 0);  // no row of the wanted kinds
    }
    goto done;

failed:
    sqlite3_result_error_code(context, rc);
done:
    sqlite3_free(answer);
    sqlite3_free(terms);
    sqlite3_free(best);
}

/// Walks every phrase of the current query into `walk`, one run after the other; each run's
/// bounds in runStart/runEnd and its phrase's inverse document frequency in `idf`, counted
/// over rows of every kind. `*total` gets the table's row count.
static int walkPhrases(const Fts5ExtensionApi *api, Fts5Context *fts, int phrases, Walk *walk, int *runStart, int *runEnd,
                       double *idf, sqlite3_int64 *total, sqlite3_int64 *rows) {
    *total = 0;
    int rc = api->xRowCount(fts, total);
    for (int phrase = 0; rc == SQLITE_OK && phrase < phrases; phrase++) {
        walk->rows = 0;
        runStart[phrase] = walk->count;
        rc = api->xQueryPhrase(fts, phrase, walk, collect);
        runEnd[phrase] = walk->count;
        idf[phrase] = chronicle_idf(*total, walk->rows);
        if (rows) rows[phrase] = walk->rows;
        if (walk->overflowed) break;
    }
    return rc;
}

/// The limit, kinds mask and most matches held, from SQL arguments, clamped.
static int clampLimit(sqlite3_value *value) {
    int limit = sqlite3_value_int(value);
    return limit < 1 ? 1 : limit > maxLimit ? maxLimit : limit;
}

static int clampMatches(sqlite3_value *value) {
    int most = sqlite3_value_int(value);
    return most < 1 ? 1 : most > maxMatches ? maxMatches : most;
}

/// chronicle_top(table, limit, kinds, matches, weight...): see the top of this file. `kinds` is
/// a bit mask of the rowid tags (rowid & 3) to answer with; `matches` the most matches to hold
/// (NULL beyond them).
static void chronicleTop(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *context, int argc,
                         sqlite3_value **argv) {
    if (argc < 3) {
        sqlite3_result_error(context, "chronicle_top needs a limit, kinds and a number of matches", -1);
        return;
    }
    int limit = clampLimit(argv[0]);
    unsigned kinds = (unsigned)sqlite3_value_int(argv[1]) & 15u;
    int phrases = api->xPhraseCount(fts);
    if (phrases > maxPhrases) return;  // NULL: chronicle_hit scores only the first 64
    for (int phrase = 0; phrase < phrases; phrase++) {
        if (api->xPhraseSize(fts, phrase) < 1) return;  // NULL: a phrase of no words is left to FTS5
    }
    int columns = api->xColumnCount(fts);
    if (columns > maxColumns) columns = maxColumns;
    double factor[maxColumns];
    chronicle_column_weights(argc - 3, argv + 3, columns, factor);

    Walk walk = {.kinds = kinds, .most = clampMatches(argv[2])};
    int runStart[maxPhrases], runEnd[maxPhrases];
    double idf[maxPhrases];
    sqlite3_int64 total = 0;
    int rc = walkPhrases(api, fts, phrases, &walk, runStart, runEnd, idf, &total, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(context, rc);
    } else if (!walk.overflowed) {  // else NULL
        Run runs[maxPhrases];
        for (int phrase = 0; phrase < phrases; phrase++) {
            runs[phrase] = (Run){walk.matches + runStart[phrase], runEnd[phrase] - runStart[phrase], api->xPhraseSize(fts, phrase), idf[phrase],
                                 NULL, 0};
        }
        rankRuns(runs, phrases, factor, columns, limit, kinds, context);
    }
    sqlite3_free(walk.matches);
}

/// What chronicle_phrase_matches answers; see CSearch.h.
typedef chronicle_run_header RunHeader;

/// Each row's share for the phrase alone (its columns' terms, before the phrase's idf), as
/// rankOnePhrase adds it up, negated, into `rows` (one per distinct rowid of `matches`, in their
/// order); returns how many. The idf is left out so that the shares stay right while rows are
/// added to or removed from the table: ranking multiplies by the idf of the moment.
static sqlite3_int64 scoreRows(const Match *matches, int count, const double *factor, int columns, Kept *rows) {
    // Each column's term for 1 to `tabled` matches, worked out once; the same terms, so the
    // same shares to the bit.
    double terms[maxColumns * tabled];
    for (int column = 0; column < columns; column++) {
        for (int n = 1; n <= tabled; n++) terms[column * tabled + n - 1] = chronicle_term(factor[column], (double)n);
    }
    sqlite3_int64 made = 0;
    for (int at = 0; at < count;) {
        sqlite3_int64 rowid = matches[at].rowid;
        int counts[maxColumns] = {0};
        for (; at < count && matches[at].rowid == rowid; at++) {
            unsigned column = (unsigned)matches[at].column;
            if (column < (unsigned)columns) counts[column]++;
        }
        double score = 0.0;
        for (int column = 0; column < columns; column++) {
            int n = counts[column];
            if (factor[column] != 0.0 && n > 0) score += n <= tabled ? terms[column * tabled + n - 1] : chronicle_term(factor[column], (double)n);
        }
        rows[made++] = (Kept){-score, rowid};
    }
    return made;
}

/// chronicle_phrase_matches(table, matches, weight...): every match of the query's one phrase,
/// and each matching row's score under the weights, for chronicle_rank_phrases; NULL when the
/// query is not one phrase of words, or has more than `matches` matches. Kept by the caller
/// between searches, so that a phrase seen before is neither walked nor scored again.
static void chroniclePhraseMatches(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *context, int argc,
                                   sqlite3_value **argv) {
    if (argc < 1) {
        sqlite3_result_error(context, "chronicle_phrase_matches needs a number of matches", -1);
        return;
    }
    if (api->xPhraseCount(fts) != 1 || api->xPhraseSize(fts, 0) < 1) return;  // NULL
    Walk walk = {.kinds = 15u, .most = clampMatches(argv[0])};
    int runStart, runEnd;
    double idf;
    RunHeader header = {.size = api->xPhraseSize(fts, 0)};
    int columns = api->xColumnCount(fts);
    header.columns = columns < maxColumns ? columns : maxColumns;
    chronicle_column_weights(argc - 1, argv + 1, (int)header.columns, header.factor);
    int rc = walkPhrases(api, fts, 1, &walk, &runStart, &runEnd, &idf, &header.total, &header.rows);
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(context, rc);
    } else if (!walk.overflowed) {
        header.matches = walk.count;
        sqlite3_uint64 bytes = sizeof header + sizeof(Match) * (sqlite3_uint64)walk.count + sizeof(Kept) * (sqlite3_uint64)header.rows;
        unsigned char *answer = sqlite3_malloc64(bytes);
        if (!answer) {
            sqlite3_result_error_nomem(context);
        } else {
            if (walk.count) memcpy(answer + sizeof header, walk.matches, sizeof(Match) * (size_t)walk.count);
            Kept *rows = (Kept *)(answer + sizeof header + sizeof(Match) * (size_t)walk.count);
            // Every walked row has at least one match (see collect), so there are `rows` of them.
            if (scoreRows(walk.matches, walk.count, header.factor, (int)header.columns, rows) != header.rows) header.columns = 0;
            if (!header.columns) bytes = sizeof header + sizeof(Match) * (sqlite3_uint64)walk.count;
            memcpy(answer, &header, sizeof header);
            sqlite3_result_blob64(context, answer, bytes, sqlite3_free);
        }
    }
    sqlite3_free(walk.matches);
}

int chronicle_patch_run(const void *run, sqlite3_int64 bytes, const sqlite3_int64 *changed, int changedCount,
                        const chronicle_match *added, int addedCount, sqlite3_int64 total, void **out, sqlite3_int64 *outBytes) {
    RunHeader header;
    *out = NULL;
    if (!run || bytes < (sqlite3_int64)sizeof header || changedCount < 0 || addedCount < 0) return -1;
    memcpy(&header, run, sizeof header);
    sqlite3_int64 matchBytes = (sqlite3_int64)sizeof(Match) * header.matches;
    if (header.matches < 0 || header.rows < 0 || header.columns < 1 || header.columns > maxColumns ||
        bytes != (sqlite3_int64)sizeof header + matchBytes + (sqlite3_int64)sizeof(Kept) * header.rows) {
        return -1;  // only runs with row scores are patched; others are walked again
    }
    // A run of no match was not walked (no row to call the walk on), so it does not know the
    // phrase's length, which the snippets need: it is walked again instead.
    if (header.matches == 0) return -1;
    const unsigned char *body = (const unsigned char *)run + sizeof header;
    sqlite3_int64 most = header.matches + addedCount;
    Match *merged = sqlite3_malloc64(sizeof(Match) * (sqlite3_uint64)most + 1);
    if (!merged) return -1;
    // Merge by rowid: the old matches of rows not changed, and the changed rows' new ones.
    int count = 0, next = 0, skip = 0;
    for (sqlite3_int64 index = 0; index < header.matches; index++) {
        Match match;
        memcpy(&match, body + sizeof(Match) * (size_t)index, sizeof match);
        while (skip < changedCount && changed[skip] < match.rowid) skip++;
        while (next < addedCount && added[next].rowid < match.rowid) merged[count++] = added[next++];
        if (skip < changedCount && changed[skip] == match.rowid) continue;
        merged[count++] = match;
    }
    while (next < addedCount) merged[count++] = added[next++];
    sqlite3_int64 rows = 0;
    for (int index = 0; index < count; index++) rows += index == 0 || merged[index].rowid != merged[index - 1].rowid;
    if (total < rows) total = rows;
    sqlite3_uint64 size = sizeof header + sizeof(Match) * (sqlite3_uint64)count + sizeof(Kept) * (sqlite3_uint64)rows;
    unsigned char *result = sqlite3_malloc64(size + 1);
    if (!result) {
        sqlite3_free(merged);
        return -1;
    }
    header.total = total;
    header.rows = rows;
    header.matches = count;
    Kept *scores = (Kept *)(result + sizeof header + sizeof(Match) * (size_t)count);
    if (scoreRows(merged, count, header.factor, (int)header.columns, scores) != rows) {
        sqlite3_free(merged);
        sqlite3_free(result);
        return -1;
    }
    memcpy(result, &header, sizeof header);
    if (count) memcpy(result + sizeof header, merged, sizeof(Match) * (size_t)count);
    sqlite3_free(merged);
    *out = result;
    *outBytes = (sqlite3_int64)size;
    return 0;
}

/// chronicle_row_matches(table): the current row's matches of the query's one phrase
/// (chronicle_match values, in position order), to patch a kept run with a changed row.
static void chronicleRowMatches(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *context, int argc,
                                sqlite3_value **argv) {
    (void)argc;
    (void)argv;
    if (api->xPhraseCount(fts) != 1) return;  // NULL
    Walk walk = {.kinds = 15u, .most = maxMatches};
    int rc = collect(api, fts, &walk);
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
        sqlite3_result_error_code(context, rc);
    } else if (walk.overflowed) {
        sqlite3_result_error(context, "chronicle_row_matches: too many matches in one row", -1);
    } else {
        sqlite3_result_blob64(context, walk.matches, sizeof(Match) * (sqlite3_uint64)walk.count, SQLITE_TRANSIENT);
    }
    sqlite3_free(walk.matches);
}

/// chronicle_rank_phrases(limit, kinds, columns, total, weight..., run...): what chronicle_top
/// answers for the disjunction of the phrases whose runs chronicle_phrase_matches answered,
/// each current for the table's rows (the caller's to ensure), which number `total`. A plain
/// scalar: no MATCH, no walk of the index.
static void chronicleRankPhrases(sqlite3_context *context, int argc, sqlite3_value **argv) {
    if (argc < 5) {
        sqlite3_result_error(context, "chronicle_rank_phrases needs a limit, kinds, columns, the row count, weights and runs", -1);
        return;
    }
    int limit = clampLimit(argv[0]);
    unsigned kinds = (unsigned)sqlite3_value_int(argv[1]) & 15u;
    int columns = sqlite3_value_int(argv[2]);
    sqlite3_int64 total = sqlite3_value_int64(argv[3]);
    int phrases = argc - 4 - columns;
    if (columns < 1 || columns > maxColumns || phrases < 1 || phrases > maxPhrases) {
        sqlite3_result_error(context, "chronicle_rank_phrases: wrong number of columns or runs", -1);
        return;
    }
    double factor[maxColumns];
    chronicle_column_weights(columns, argv + 4, columns, factor);
    Run runs[maxPhrases];
    unsigned char *copies[maxPhrases] = {0};
    int rc = SQLITE_OK;
    for (int phrase = 0; phrase < phrases && rc == SQLITE_OK; phrase++) {
        sqlite3_value *value = argv[4 + columns + phrase];
        const unsigned char *blob = sqlite3_value_blob(value);
        sqlite3_int64 bytes = sqlite3_value_bytes(value);
        RunHeader header;
        if (!blob || bytes < (sqlite3_int64)sizeof header) {
            sqlite3_result_error(context, "chronicle_rank_phrases: a run is not chronicle_phrase_matches's answer", -1);
            goto done;
        }
        memcpy(&header, blob, sizeof header);
        sqlite3_int64 matchBytes = (sqlite3_int64)sizeof(Match) * header.matches;
        int scored = header.columns > 0;
        if (header.rows < 0 || total < header.rows || header.size < 1 || header.matches < 0 || header.matches > maxMatches ||
            header.columns < 0 || header.columns > maxColumns || (scored && header.rows > header.matches) ||
            bytes != (sqlite3_int64)sizeof header + matchBytes + (scored ? (sqlite3_int64)sizeof(Kept) * header.rows : 0)) {
            sqlite3_result_error(context, "chronicle_rank_phrases: a run's header is not chronicle_phrase_matches's", -1);
            goto done;
        }
        // Row scores made under other weights than this query's are not used.
        if (scored && (header.columns != columns || memcmp(header.factor, factor, sizeof(double) * (size_t)columns) != 0)) scored = 0;
        // A blob's bytes need not be aligned for Match's and Kept's int64: copy one that is not.
        const unsigned char *body = blob + sizeof header;
        if ((uintptr_t)body % _Alignof(Match)) {
            copies[phrase] = sqlite3_malloc64((sqlite3_uint64)(bytes - (sqlite3_int64)sizeof header) + 1);
            if (!copies[phrase]) {
                rc = SQLITE_NOMEM;
                break;
            }
            memcpy(copies[phrase], body, (size_t)(bytes - (sqlite3_int64)sizeof header));
            body = copies[phrase];
        }
        runs[phrase] = (Run){(const Match *)body, (int)header.matches, (int)header.size, chronicle_idf(total, header.rows),
                             scored ? (const Kept *)(body + matchBytes) : NULL, scored ? (int)header.rows : 0};
    }
    if (rc != SQLITE_OK) sqlite3_result_error_code(context, rc);
    else rankRuns(runs, phrases, factor, columns, limit, kinds, context);
done:
    for (int phrase = 0; phrase < phrases; phrase++) sqlite3_free(copies[phrase]);
}

/// chronicle_top_hit(top, rowid): the hit of `rowid` inside chronicle_top's answer, for
/// chronicle_snippet; NULL when the row is not in it. So that the best rows' text is read in
/// one statement, each row finding its own hit.
static void chronicleTopHit(sqlite3_context *context, int argc, sqlite3_value **argv) {
    (void)argc;
    const unsigned char *top = sqlite3_value_blob(argv[0]);
    sqlite3_int64 size = sqlite3_value_bytes(argv[0]);
    sqlite3_int64 rowid = sqlite3_value_int64(argv[1]);
    sqlite3_int64 at = 0;
    while (top && at + (sqlite3_int64)sizeof(chronicle_top_entry) <= size) {
        chronicle_top_entry entry;
        memcpy(&entry, top + at, sizeof entry);
        at += (sqlite3_int64)sizeof entry;
        sqlite3_int64 bytes = entry.hit_bytes;
        if (bytes < 0 || bytes > size - at) break;  // not chronicle_top's answer
        if (entry.rowid == rowid) {
            sqlite3_result_blob64(context, top + at, (sqlite3_uint64)bytes, SQLITE_TRANSIENT);
            return;
        }
        at += bytes;
    }
}

int chronicle_register_top(sqlite3 *db, fts5_api *fts) {
    int rc = fts->xCreateFunction(fts, "chronicle_top", NULL, chronicleTop, NULL);
    if (rc == SQLITE_OK) rc = fts->xCreateFunction(fts, "chronicle_phrase_matches", NULL, chroniclePhraseMatches, NULL);
    if (rc == SQLITE_OK) rc = fts->xCreateFunction(fts, "chronicle_row_matches", NULL, chronicleRowMatches, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_create_function_v2(db, "chronicle_rank_phrases", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                        chronicleRankPhrases, NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) return rc;
    return sqlite3_create_function_v2(db, "chronicle_top_hit", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, chronicleTopHit,
                                      NULL, NULL, NULL);
}
