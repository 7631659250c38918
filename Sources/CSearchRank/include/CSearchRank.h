#ifndef CSEARCHRANK_H
#define CSEARCHRANK_H

#include <sqlite3.h>

/// Registers the FTS5 ranking function `chronicle_rank(table, weight...)` on one connection
/// (FTS5 functions live per connection). Returns an SQLite result code.
int chronicle_register_rank(sqlite3 *db);

#endif
