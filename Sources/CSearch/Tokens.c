// chronicle_token_hashes(text...): the distinct tokens of the texts, as the index's tokenizer
// makes them (unicode61, diacritics removed, case folded), each hashed to 64 bits, sorted: a
// blob of int64 values. A write's changed rows and a kept phrase are compared by these: a
// phrase whose every token is among a row's may match it, one with a token missing cannot.

#include "SearchFunctions.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    sqlite3_uint64 *hashes;
    int count, capacity;
} Hashes;

static int hashToken(void *context, int flags, const char *token, int length, int start, int end) {
    (void)flags;
    (void)start;
    (void)end;
    Hashes *hashes = context;
    if (hashes->count == hashes->capacity) {
        int capacity = hashes->capacity ? hashes->capacity * 2 : 64;
        sqlite3_uint64 *grown = sqlite3_realloc64(hashes->hashes, sizeof(sqlite3_uint64) * (sqlite3_uint64)capacity);
        if (!grown) return SQLITE_NOMEM;
        hashes->hashes = grown;
        hashes->capacity = capacity;
    }
    sqlite3_uint64 hash = 0xcbf29ce484222325ull;  // FNV-1a
    for (int index = 0; index < length; index++) hash = (hash ^ (unsigned char)token[index]) * 0x100000001b3ull;
    hashes->hashes[hashes->count++] = hash;
    return SQLITE_OK;
}

static int compareHashes(const void *a, const void *b) {
    sqlite3_uint64 x = *(const sqlite3_uint64 *)a, y = *(const sqlite3_uint64 *)b;
    return x < y ? -1 : x > y;
}

static void chronicleTokenHashes(sqlite3_context *context, int argc, sqlite3_value **argv) {
    IndexTokenizer *holder = sqlite3_user_data(context);
    Hashes hashes = {0};
    int rc = SQLITE_OK;
    for (int index = 0; index < argc && rc == SQLITE_OK; index++) {
        const char *text = (const char *)sqlite3_value_text(argv[index]);
        int length = sqlite3_value_bytes(argv[index]);
        if (!text || length == 0) continue;
        rc = holder->methods.xTokenize(holder->tokenizer, &hashes, FTS5_TOKENIZE_DOCUMENT, text, length, hashToken);
    }
    if (rc != SQLITE_OK) {
        sqlite3_free(hashes.hashes);
        sqlite3_result_error_code(context, rc);
        return;
    }
    qsort(hashes.hashes, (size_t)hashes.count, sizeof(sqlite3_uint64), compareHashes);
    int distinct = 0;
    for (int index = 0; index < hashes.count; index++) {
        if (distinct == 0 || hashes.hashes[distinct - 1] != hashes.hashes[index]) hashes.hashes[distinct++] = hashes.hashes[index];
    }
    if (distinct == 0) {
        sqlite3_free(hashes.hashes);
        sqlite3_result_zeroblob(context, 0);
        return;
    }
    sqlite3_result_blob64(context, hashes.hashes, sizeof(sqlite3_uint64) * (sqlite3_uint64)distinct, sqlite3_free);
}

int chronicle_register_tokens(sqlite3 *db, fts5_api *fts) {
    int rc = SQLITE_OK;
    IndexTokenizer *holder = chronicle_index_tokenizer(fts, &rc);
    if (!holder) return rc;
    return sqlite3_create_function_v2(db, "chronicle_token_hashes", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, holder, chronicleTokenHashes,
                                      NULL, NULL, chronicle_free_index_tokenizer);
}
