#include <sqlite3.h>
#include <time.h>

/// Turns off SQLite's allocation statistics, which take a process-wide mutex on every
/// malloc and free; must run before the first connection opens. (sqlite3_config is variadic,
/// which Swift cannot call directly.)
static inline int csqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/// Seconds on the monotonic clock, as the deadline below is written.
static inline double csqlite_monotonic_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

static int csqlite_past_deadline(void *deadline) {
    return csqlite_monotonic_seconds() > *(const double *)deadline;
}

/// Makes every statement on `db` stop with SQLITE_INTERRUPT once the monotonic clock passes
/// `*deadline` (checked every thousand or so virtual-machine steps); the caller moves the
/// deadline, which must outlive the connection, and sets it to infinity for no limit. (The
/// callback is a C function so that no Swift closure runs inside SQLite's inner loop.)
static inline void csqlite_interrupt_after(sqlite3 *db, double *deadline) {
    sqlite3_progress_handler(db, 1000, csqlite_past_deadline, deadline);
}
