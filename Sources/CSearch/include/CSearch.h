#ifndef CSEARCH_H
#define CSEARCH_H

#include <sqlite3.h>

/// Registers Chronicle's search functions on one connection (FTS5 functions live per
/// connection): `chronicle_hit(table, limit, weight...)` for FTS5 queries, and the scalars
/// `chronicle_hit_rank(hit)` and `chronicle_snippet(hit, first_column, width, text...)`.
/// Returns an SQLite result code.
int chronicle_register_search_functions(sqlite3 *db);

#endif
