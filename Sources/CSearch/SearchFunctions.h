// Shared by this target's files only.
#ifndef CSEARCH_FUNCTIONS_H
#define CSEARCH_FUNCTIONS_H

#include "CSearch.h"

int chronicle_register_rank(fts5_api *fts);
int chronicle_register_snippets(sqlite3 *db, fts5_api *fts);

#endif
