#include "SearchFunctions.h"
#include <stddef.h>

int chronicle_register_search_functions(sqlite3 *db) {
    // The FTS5 API is reached through a pointer that `SELECT fts5(?)` writes (SQLite's documented way).
    fts5_api *fts = NULL;
    sqlite3_stmt *statement = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &statement, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_pointer(statement, 1, (void *)&fts, "fts5_api_ptr", NULL);
    sqlite3_step(statement);
    rc = sqlite3_finalize(statement);
    if (rc != SQLITE_OK) return rc;
    if (!fts || fts->iVersion < 2) return SQLITE_ERROR;
    rc = chronicle_register_rank(db, fts);
    if (rc == SQLITE_OK) rc = chronicle_register_snippets(db, fts);
    if (rc == SQLITE_OK) rc = chronicle_register_top(db, fts);
    if (rc == SQLITE_OK) rc = chronicle_register_tokens(db, fts);
    return rc;
}
