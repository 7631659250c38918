#include <libpq-fe.h>

// libpq names the fields of an error (PQresultErrorField) with character-literal macros,
// which Swift does not import; these constants carry the same values under importable names.
static const int CPQ_DIAG_SEVERITY = PG_DIAG_SEVERITY_NONLOCALIZED;
static const int CPQ_DIAG_SQLSTATE = PG_DIAG_SQLSTATE;
static const int CPQ_DIAG_MESSAGE_PRIMARY = PG_DIAG_MESSAGE_PRIMARY;
static const int CPQ_DIAG_MESSAGE_DETAIL = PG_DIAG_MESSAGE_DETAIL;
static const int CPQ_DIAG_MESSAGE_HINT = PG_DIAG_MESSAGE_HINT;
static const int CPQ_DIAG_STATEMENT_POSITION = PG_DIAG_STATEMENT_POSITION;
static const int CPQ_DIAG_CONSTRAINT_NAME = PG_DIAG_CONSTRAINT_NAME;
