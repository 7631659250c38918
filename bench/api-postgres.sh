#!/usr/bin/env bash
# The API benchmark on PostgreSQL beside SQLite, in the same run, on the same data: a generated
# dataset (bench/Sources/generate; smaller than bench/api.sh's by default: 5,000 actors, 20,000
# events, 100,000 quotes) in a SQLite file, exported and imported into a throwaway PostgreSQL 15
# (tools/postgres-cluster.sh, synchronous_commit=on, fsync on). Then, on each engine in turn,
# with the access log on and a warm-up first: GET one event (rendered bodies kept, the default;
# the warm-up reads every event once), the same with no bodies kept,
# a list page with a date filter, a full-text search (wrk -t2 -c64), and POST a quote from 16
# connections (every acknowledged write checked as stored). Prints requests/s, p50 and p99 of
# each, and PostgreSQL's requests/s as a ratio of SQLite's.
# Usage: bench/api-postgres.sh [seconds]   (5 by default; loopback only; stops by itself)
# CHRONICLE_BIN=PATH measures that binary instead of building this checkout;
# ACTORS, EVENTS, QUOTES size the dataset (generated once, kept in bench/out/).
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-5}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }
if [ -z "${CHRONICLE_BIN:-}" ]; then
  (cd .. && swift build -c release --product chronicle --static-swift-stdlib --scratch-path .build-static 2>&1 | tail -1)
fi
bin=$(realpath "${CHRONICLE_BIN:-../.build-static/release/chronicle}")
mkdir -p out
actors=${ACTORS:-5000} events=${EVENTS:-20000} quotes=${QUOTES:-100000}
pristine=out/pg-compare-$actors-$events-$quotes.sqlite
if [ ! -f "$pristine.event-ids" ]; then
  swift build -c release 2>&1 | tail -1
  rm -f "$pristine" "$pristine-wal" "$pristine-shm"
  ./.build/release/generate "$pristine" "$actors" "$events" "$quotes"
  "$bin" optimize --db "$pristine"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/chronicle-bench-pg.XXXXXX")
chmod 755 "$work"  # the postgres user works in a subdirectory of it
pids=()
cleanup() {
  for file in "$work"/*.pid; do [ -f "$file" ] && pids+=("$(cat "$file")"); done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  ../tools/postgres-cluster.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

db=$work/sqlite.sqlite
cp "$pristine" "$db"
[ -f "$pristine-wal" ] && cp "$pristine-wal" "$db-wal"
url=$(../tools/postgres-cluster.sh start "$work/pg")
psql -q "$url" -c "CREATE DATABASE chronicle" >/dev/null
pg=${url%/postgres}/chronicle
echo "PostgreSQL: $(psql -Atq "$pg" -c "SELECT version()" | cut -d' ' -f1,2), synchronous_commit=$(psql -Atq "$pg" -c "SHOW synchronous_commit"), fsync=$(psql -Atq "$pg" -c "SHOW fsync")"
"$bin" export --db "$db" > "$work/all.ndjson"
started=$(date +%s.%N)
"$bin" migrate --database-url "$pg" >/dev/null
"$bin" import --database-url "$pg" "$work/all.ndjson" >/dev/null
echo "dataset: $(sqlite3 "$db" 'SELECT (SELECT count(*) FROM actors) || " actors, " || (SELECT count(*) FROM events) || " events, " || (SELECT count(*) FROM quotes) || " quotes"'); imported into PostgreSQL in $(python3 -c "import time; print(f'{time.time() - $started:.1f}')") s"
psql -q "$pg" -c "VACUUM ANALYZE" >/dev/null

sqlite_token=$("$bin" token create --db "$db" --name bench --scope write 2>/dev/null)
pg_token=$("$bin" token create --database-url "$pg" --name bench --scope write 2>/dev/null)
serve() {  # name, then the database options; prints the port
  local name=$1 port=
  shift
  "$bin" serve "$@" --port 0 --no-seed > "$work/$name.log" 2>&1 &
  echo $! > "$work/$name.pid"  # run in a subshell ($(serve …)): cleanup finds it by this file
  for _ in $(seq 1 300); do
    port=$(sed -n 's|.* serving .* on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$work/$name.log")
    [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && { echo "$port"; return; }
    sleep 0.1
  done
  echo "the $name server did not start:" >&2; cat "$work/$name.log" >&2; exit 1
}
sqlite_port=$(serve sqlite --db "$db")
pg_port=$(serve postgres --database-url "$pg")

sqlite3 "$db" "CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab(main, 'search_index', 'row');
  SELECT term FROM temp.vocabulary WHERE doc BETWEEN 50 AND 2000 ORDER BY random() LIMIT 2000;" > "$work/search-words.txt"
export EVENT_IDS="$PWD/$pristine.event-ids" SEARCH_WORDS="$work/search-words.txt"

rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
line() {  # label, wrk output file
  awk -v name="$1" '/Requests\/sec/ {rps=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2} END {printf "  %-10s %10s req/s   p50 %8s   p99 %8s\n", name, rps, p50, p99}' "$2"
}
summary=()
measure() {  # name, wrk connections, lua script, [warm-up script, warm-up seconds, server suffix]
  local name=$1 connections=$2 script=$3 warmup=${4:-$3} warmupSeconds=${5:-3} suffix=${6:-} engine port token out
  echo "$name"
  for engine in sqlite postgres; do
    if [ $engine = sqlite ]; then port=$sqlite_port token=$sqlite_token; else port=$pg_port token=$pg_token; fi
    [ -n "$suffix" ] && { if [ $engine = sqlite ]; then port=$sqlite_port2; else port=$pg_port2; fi; }
    out="$work/$script$suffix.$engine.txt"
    TOKEN=$token wrk -t2 -c"$connections" -d"${warmupSeconds}s" -s "lua/$warmup" "http://127.0.0.1:$port" > /dev/null  # warm-up
    TOKEN=$token wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "lua/$script" "http://127.0.0.1:$port" > "$out"
    line "$engine" "$out"
  done
  local ratio
  ratio=$(awk -v a="$(rps "$work/$script$suffix.postgres.txt")" -v b="$(rps "$work/$script$suffix.sqlite.txt")" 'BEGIN {printf "%.2f", a / b}')
  echo "  PostgreSQL / SQLite: ${ratio}x"
  summary+=("$(printf "%-28s %10s %10s %8sx" "$name" "$(rps "$work/$script$suffix.sqlite.txt")" "$(rps "$work/$script$suffix.postgres.txt")" "$ratio")")
}
# The warm-up reads every event once (on PostgreSQL a first read takes about seven round
# trips), so that both engines serve kept bodies, as a newsroom's readers mostly get.
measure "GET /v1/events/{id}" 64 get-event.lua walk-events.lua 10
# Every read rendered, with no bodies kept: a server on each engine started for it.
sqlite_port2=$(serve sqlite-unkept --db "$db" --rendered-cache-mb 0)
pg_port2=$(serve postgres-unkept --database-url "$pg" --rendered-cache-mb 0)
measure "GET /v1/events/{id} unkept" 64 get-event.lua get-event.lua 3 .unkept
kill "$(cat "$work/sqlite-unkept.pid")" "$(cat "$work/postgres-unkept.pid")" 2>/dev/null || true
measure "GET /v1/events?from&to" 64 list-page.lua
measure "GET /v1/search?q" 64 search.lua
sqlite_before=$(sqlite3 "$db" "SELECT count(*) FROM quotes")
pg_before=$(psql -Atq "$pg" -c "SELECT count(*) FROM quotes")
measure "POST /v1/quotes (16 conns)" 16 post-quote.lua
sqlite_after=$(sqlite3 "$db" "SELECT count(*) FROM quotes")
pg_after=$(psql -Atq "$pg" -c "SELECT count(*) FROM quotes")
lost=0
for engine in sqlite postgres; do
  # wrk counts the responses it read (warm-up included below); requests in flight may be stored too.
  sent=$(awk '/requests in/ {print $1}' "$work/post-quote.lua.$engine.txt")
  failed=$(awk '/non-2xx or failed/ {print $NF}' "$work/post-quote.lua.$engine.txt")
  if [ $engine = sqlite ]; then stored=$((sqlite_after - sqlite_before)); else stored=$((pg_after - pg_before)); fi
  echo "  $engine writes: $((sent - failed)) acknowledged in the measured run (the warm-up's come on top), $failed not 2xx, $stored new rows stored in all"
  [ "$stored" -ge $((sent - failed)) ] || { echo "  LOST WRITES on $engine"; lost=1; }
done
echo
printf "%-28s %10s %10s %9s\n" "req/s" "SQLite" "PostgreSQL" "ratio"
printf "%s\n" "${summary[@]}"
exit $lost
