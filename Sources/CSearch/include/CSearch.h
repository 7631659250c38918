#ifndef CSEARCH_H
#define CSEARCH_H

#include <sqlite3.h>

/// Registers Chronicle's search functions on one connection (FTS5 functions live per
/// connection): `chronicle_rank(table, weight...)` and `chronicle_matches(table)` for FTS5
/// queries, and the scalar `chronicle_snippet(matches, first_column, width, text...)`.
/// Returns an SQLite result code.
int chronicle_register_search_functions(sqlite3 *db);

#endif
