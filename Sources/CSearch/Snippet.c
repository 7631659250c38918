// Snippets for the best hits only. FTS5's snippet() needs the row's match context, so the search
// joined its best rows back to a second MATCH over the index, which read every match a second
// time. Instead, chronicle_hit keeps each kept row's match positions in its hit, the best rows'
// text is read by rowid, and `chronicle_snippet` builds the fragment from both, with the
// tokenizer the index uses.

#include "SearchFunctions.h"
#include <string.h>

/// The tokenizer the index uses, made once per connection.
/// Byte ranges of a text's tokens, in order; at most `wanted` of them (a snippet needs the
/// tokens up to one past its window, not the rest of a long body).
/// The first 64 live in the struct itself: most snippets need no allocation.
typedef struct {
    int count, capacity, wanted;
    int *starts, *ends;
    int firstStarts[64], firstEnds[64];
} TokenSpans;

static void startSpans(TokenSpans *spans, int wanted) {
    spans->count = 0;
    spans->capacity = 64;
    spans->wanted = wanted;
    spans->starts = spans->firstStarts;
    spans->ends = spans->firstEnds;
}

static void freeSpans(TokenSpans *spans) {
    if (spans->starts != spans->firstStarts) sqlite3_free(spans->starts);
    if (spans->ends != spans->firstEnds) sqlite3_free(spans->ends);
}

static int collectToken(void *context, int flags, const char *token, int length, int start, int end) {
    (void)token;
    (void)length;
    TokenSpans *spans = context;
    if (flags & FTS5_TOKEN_COLOCATED) return SQLITE_OK;  // same position as the previous token
    if (spans->count == spans->wanted) return SQLITE_DONE;   // stops the tokenizer
    if (spans->count == spans->capacity) {
        int capacity = spans->capacity * 2;
        int *starts = sqlite3_malloc64(sizeof(int) * (sqlite3_uint64)capacity);
        int *ends = sqlite3_malloc64(sizeof(int) * (sqlite3_uint64)capacity);
        if (!starts || !ends) {
            sqlite3_free(starts);
            sqlite3_free(ends);
            return SQLITE_NOMEM;
        }
        memcpy(starts, spans->starts, sizeof(int) * (size_t)spans->count);
        memcpy(ends, spans->ends, sizeof(int) * (size_t)spans->count);
        freeSpans(spans);
        spans->starts = starts;
        spans->ends = ends;
        spans->capacity = capacity;
    }
    spans->starts[spans->count] = start;
    spans->ends[spans->count] = end;
    spans->count++;
    return SQLITE_OK;
}

/// unicode61's tokens of an ASCII text, found without the tokenizer: with no `tokenchars` or
/// `separators` option, its token characters below 0x80 are exactly the letters and digits, and
/// case folding and diacritics change no boundary. The tokenizer looks every character up in
/// Unicode tables, which made it most of a snippet's cost. Returns 0, having collected nothing,
/// when the text is not ASCII (up to the last token wanted): the caller then runs the tokenizer.
static int collectAsciiTokens(const char *text, int length, TokenSpans *spans) {
    // 0: a separator, 1: a letter or digit, 2: not ASCII.
    static const unsigned char kind[256] = {
        ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
        ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1,
        ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1,
        ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
        ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1,
        ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,
        ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
        [0x80 ... 0xFF] = 2,
    };
    const unsigned char *bytes = (const unsigned char *)text;
    for (int at = 0; at < length && spans->count < spans->wanted;) {
        if (kind[bytes[at]] == 0) {
            at++;
            continue;
        }
        if (kind[bytes[at]] == 2) {
            spans->count = 0;
            return 0;
        }
        int start = at;
        while (at < length && kind[bytes[at]] == 1) at++;
        if (at < length && kind[bytes[at]] == 2) {  // the token may go on in a non-ASCII letter
            spans->count = 0;
            return 0;
        }
        if (collectToken(spans, 0, NULL, 0, start, at) != SQLITE_OK) return -1;
    }
    return 1;
}

/// The window of `width` tokens over `column` that shows the most distinct phrases, then the
/// most matches; its first token in *start. Returns that score (0: no match in the column).
static int bestWindow(const Instance *instances, int count, int column, int width, int *start) {
    int best = 0;
    for (int anchor = 0; anchor < count; anchor++) {
        if (instances[anchor].column != column) continue;
        int first = instances[anchor].start, last = first;
        unsigned long long phrases = 0;
        int matches = 0;
        for (int other = 0; other < count; other++) {
            const Instance *item = &instances[other];
            if (item->column != column || item->start < first || item->start + item->size > first + width) continue;
            phrases |= 1ULL << (item->phrase & 63);
            matches++;
            if (item->start + item->size - 1 > last) last = item->start + item->size - 1;
        }
        int score = __builtin_popcountll(phrases) * 1000 + matches;
        if (score > best) {
            best = score;
            // Centre what the window shows.
            int slack = width - (last - first + 1);
            *start = first - (slack > 0 ? slack / 2 : 0);
            if (*start < 0) *start = 0;
        }
    }
    return best;
}

/// 0: the token is not matched; 1: it continues a match; 2: a match starts at it.
static int highlight(const Instance *instances, int count, int column, int token) {
    int marked = 0;
    for (int index = 0; index < count; index++) {
        const Instance *item = &instances[index];
        if (item->column != column || token < item->start || token >= item->start + item->size) continue;
        if (token == item->start) return 2;
        marked = 1;
    }
    return marked;
}

/// chronicle_snippet(hit, first_column, width, text, ...): a fragment of about `width` tokens
/// of the text that shows the row's matches best, matches marked [like this], cut ends marked
/// with an ellipsis. The texts are the row's columns from `first_column` on, in order.
static void chronicleSnippet(sqlite3_context *context, int argc, sqlite3_value **argv) {
    IndexTokenizer *holder = sqlite3_user_data(context);
    if (argc < 4) {
        sqlite3_result_error(context, "chronicle_snippet needs a hit, first column, width and a text", -1);
        return;
    }
    // Copied out: a blob read from a sorted record need not be aligned for ints.
    Instance instances[maxInstances];
    const unsigned char *blob = sqlite3_value_blob(argv[0]);
    int bytes = sqlite3_value_bytes(argv[0]);
    int count = blob && bytes > (int)sizeof(HitHeader) ? (bytes - (int)sizeof(HitHeader)) / (int)sizeof(Instance) : 0;
    if (count > maxInstances) count = maxInstances;
    if (count > 0) memcpy(instances, blob + sizeof(HitHeader), sizeof(Instance) * (size_t)count);
    // Only chronicle_hit makes these blobs; a malformed one must still not read out of bounds.
    for (int index = 0; index < count; index++) {
        if (instances[index].start < 0 || instances[index].size < 1 || instances[index].start > (1 << 28) ||
            instances[index].size > (1 << 16)) {
            sqlite3_result_error(context, "chronicle_snippet: malformed matches", -1);
            return;
        }
    }
    int firstColumn = sqlite3_value_int(argv[1]);
    int width = sqlite3_value_int(argv[2]);
    if (width < 1) width = 1;
    if (width > 256) width = 256;
    int texts = argc - 3;

    // The column whose best window shows most; the later column on a tie (the body, after
    // the title that a hit shows anyway). With no match at all, the last non-empty column.
    int chosen = -1, start = 0, best = 0;
    for (int index = texts - 1; index >= 0; index--) {
        int windowStart = 0;
        int score = bestWindow(instances, count, firstColumn + index, width, &windowStart);
        if (score > best) {
            best = score;
            chosen = index;
            start = windowStart;
        }
    }
    if (chosen < 0) {
        for (int index = texts - 1; index >= 0 && chosen < 0; index--) {
            if (sqlite3_value_bytes(argv[3 + index]) > 0) chosen = index;
        }
        if (chosen < 0) {
            sqlite3_result_text(context, "", 0, SQLITE_STATIC);
            return;
        }
    }
    const char *text = (const char *)sqlite3_value_text(argv[3 + chosen]);
    int length = sqlite3_value_bytes(argv[3 + chosen]);
    if (!text) {
        sqlite3_result_text(context, "", 0, SQLITE_STATIC);
        return;
    }
    // Tokens up to one past the window: enough to place it and to know whether text follows.
    TokenSpans spans;
    startSpans(&spans, start + width + 1);
    int ascii = collectAsciiTokens(text, length, &spans);
    int rc = ascii < 0 ? SQLITE_NOMEM : SQLITE_OK;
    if (ascii == 0) rc = holder->methods.xTokenize(holder->tokenizer, &spans, FTS5_TOKENIZE_DOCUMENT, text, length, collectToken);
    if (rc == SQLITE_DONE) rc = SQLITE_OK;
    if (rc != SQLITE_OK || spans.count == 0) {
        freeSpans(&spans);
        if (rc != SQLITE_OK) sqlite3_result_error_code(context, rc);
        else sqlite3_result_text(context, text, length, SQLITE_TRANSIENT);
        return;
    }
    // Keep the window inside the text.
    if (start + width > spans.count) start = spans.count - width;
    if (start < 0) start = 0;
    int last = start + width - 1;
    if (last >= spans.count) last = spans.count - 1;

    // The fragment is at most the text, a bracket on each side of each token and two
    // ellipses: one allocation, written in place (sqlite3_str grew it piece by piece).
    char *result = sqlite3_malloc64((sqlite3_uint64)length + 2 * (sqlite3_uint64)(last - start + 1) + 8);
    if (!result) {
        freeSpans(&spans);
        sqlite3_result_error_nomem(context);
        return;
    }
    int size = 0;
    static const char ellipsis[] = "…";
    int column = firstColumn + chosen;
    int from = start == 0 ? 0 : spans.starts[start];
    if (start > 0) {
        memcpy(result + size, ellipsis, sizeof ellipsis - 1);
        size += (int)sizeof ellipsis - 1;
    }
    int open = 0;
    for (int token = start; token <= last; token++) {
        int marked = highlight(instances, count, column, token);
        // Text between tokens, then the token; each match in its own brackets.
        if (open && marked != 1) {
            result[size++] = ']';
            open = 0;
        }
        memcpy(result + size, text + from, (size_t)(spans.starts[token] - from));
        size += spans.starts[token] - from;
        if (marked && !open) {
            result[size++] = '[';
            open = 1;
        }
        memcpy(result + size, text + spans.starts[token], (size_t)(spans.ends[token] - spans.starts[token]));
        size += spans.ends[token] - spans.starts[token];
        from = spans.ends[token];
    }
    if (open) result[size++] = ']';
    if (last == spans.count - 1) {
        memcpy(result + size, text + from, (size_t)(length - from));
        size += length - from;
    } else {
        memcpy(result + size, ellipsis, sizeof ellipsis - 1);
        size += (int)sizeof ellipsis - 1;
    }
    freeSpans(&spans);
    sqlite3_result_text(context, result, size, sqlite3_free);
}

IndexTokenizer *chronicle_index_tokenizer(fts5_api *fts, int *rc) {
    IndexTokenizer *holder = sqlite3_malloc(sizeof(IndexTokenizer));
    if (!holder) {
        *rc = SQLITE_NOMEM;
        return NULL;
    }
    memset(holder, 0, sizeof *holder);
    void *tokenizerData = NULL;
    *rc = fts->xFindTokenizer(fts, "unicode61", &tokenizerData, &holder->methods);
    // The index's own tokenizer settings (migrations/sqlite/0001: unicode61 remove_diacritics 2).
    const char *arguments[] = {"remove_diacritics", "2"};
    if (*rc == SQLITE_OK) *rc = holder->methods.xCreate(tokenizerData, arguments, 2, &holder->tokenizer);
    if (*rc != SQLITE_OK) {
        sqlite3_free(holder);
        return NULL;
    }
    return holder;
}

void chronicle_free_index_tokenizer(void *pointer) {
    IndexTokenizer *holder = pointer;
    if (holder->tokenizer) holder->methods.xDelete(holder->tokenizer);
    sqlite3_free(holder);
}

int chronicle_register_snippets(sqlite3 *db, fts5_api *fts) {
    int rc = SQLITE_OK;
    IndexTokenizer *holder = chronicle_index_tokenizer(fts, &rc);
    if (!holder) return rc;
    return sqlite3_create_function_v2(db, "chronicle_snippet", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, holder,
                                      chronicleSnippet, NULL, NULL, chronicle_free_index_tokenizer);
}
