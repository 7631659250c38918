#include <sqlite3.h>

/// Turns off SQLite's allocation statistics, which take a process-wide mutex on every
/// malloc and free; must run before the first connection opens. (sqlite3_config is variadic,
/// which Swift cannot call directly.)
static inline int csqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
