// Shared by this target's files only.
#ifndef CSEARCH_FUNCTIONS_H
#define CSEARCH_FUNCTIONS_H

#include "CSearch.h"

/// At most this many matches of a row are kept for its snippet.
enum { maxInstances = 256 };

/// One phrase match: token offsets [start, start + size) of `column`.
typedef struct {
    int phrase, column, start, size;
} Instance;

/// What chronicle_hit returns for a row among the best: its rank, then its matches (Instance
/// values) for chronicle_snippet. In the process's own byte order: it never leaves the query
/// that made it.
typedef struct {
    double rank;
} HitHeader;

int chronicle_register_rank(sqlite3 *db, fts5_api *fts);
int chronicle_register_snippets(sqlite3 *db, fts5_api *fts);

#endif
