#!/usr/bin/env bash
# Runs the PostgreSQL tests against a throwaway PostgreSQL 15 cluster (tools/postgres-cluster.sh)
# in a temporary directory, stopped and removed however the tests end: the libpq wrapper's
# (PostgreSQLTests) and the PostgreSQL store's (ChroniclePostgreSQLTests: the repository
# conformance suite and the migrations, each test on a database of its own). Extra arguments go
# to `swift test` (e.g. --skip-build). Exits with the tests' status.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=$(mktemp -d "${TMPDIR:-/tmp}/chronicle-postgres.XXXXXX")
cleanup() {
  tools/postgres-cluster.sh stop "$dir" || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap "exit 130" INT
trap "exit 143" TERM

url=$(tools/postgres-cluster.sh start "$dir")
echo "== PostgreSQL at $url" >&2
export CHRONICLE_TEST_POSTGRES_URL=$url
status=0
swift test --filter '^PostgreSQLTests\.' --filter '^ChroniclePostgreSQLTests\.' "$@" || status=$?
exit $status
