#!/usr/bin/env bash
# API benchmark on a large generated dataset (50,000 actors, 200,000 events, 1,000,000 quotes,
# built through the repositories by bench/Sources/generate): GET one event (a random one of
# 20,000, whose rendered bodies fit the default 64 MB kept; then again with none kept), GET one actor (a
# single small record), a list page with a date filter, a full-text search (wrk -t2 -c64) and
# POST a quote (16 connections), with the access log on. Searches run with the phrases' matches
# and the best rows' hits kept between searches (the default; five rounds, SEARCH_ROUNDS) and
# again with nothing kept.
# Prints how steady the CPU is first (bench/jitter.sh), then requests/s, p50 and p99 of each,
# and checks that every acknowledged write is stored. Then two mixed runs with 50 writes/s flowing
# (bench/writer.py: quotes created and edited, one actor renamed each second): searches at 64
# connections, and 32 connections reading single events beside 32 searching (three alternating
# rounds, with medians), each against the
# same load with no writes in the same run; the server's memory; and how long retitling the one
# source (cited by every quote) and renaming the most-quoted actor take.
# Usage: bench/api.sh [seconds]   Loopback only; stops by itself.
# CHRONICLE_BIN=PATH measures that binary instead of building this checkout (to compare builds);
# SECTIONS="reads search posts mixed" picks what runs (all by default).
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-10}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }
if [ -z "${CHRONICLE_BIN:-}" ]; then
  (cd .. && swift build -c release --product chronicle --static-swift-stdlib --scratch-path .build-static 2>&1 | tail -1)
fi
bin=${CHRONICLE_BIN:-../.build-static/release/chronicle}
sections=${SECTIONS:-reads search posts mixed}
has() { [[ " $sections " == *" $1 "* ]]; }
mkdir -p out
# The generated dataset is kept apart, compacted once, and every run works on a fresh copy of
# it: a run's POSTs (30,000 quotes, each with its own number) would otherwise stay for the
# next run to search, and after 30 runs two in five search words were those numbers.
pristine=out/pristine.sqlite
if [ ! -f "$pristine.event-ids" ]; then
  swift build -c release 2>&1 | tail -1
  rm -f "$pristine" "$pristine-wal" "$pristine-shm"
  ./.build/release/generate "$pristine" "${ACTORS:-50000}" "${EVENTS:-200000}" "${QUOTES:-1000000}"
  "$bin" optimize --db "$pristine"
fi
db=out/large.sqlite
rm -f "$db" "$db-wal" "$db-shm"
cp "$pristine" "$db"
cp "$pristine.event-ids" "$db.event-ids"
token=$("$bin" token create --db "$db" --name bench --scope write 2>/dev/null)
echo "CPU steadiness, one core: $(bash jitter.sh 3 | sed -n 2p)"
port=18183
"$bin" serve --db "$db" --port "$port" --no-seed > out/access.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
echo "dataset: $(sqlite3 "$db" 'SELECT (SELECT count(*) FROM actors) || " actors, " || (SELECT count(*) FROM events) || " events, " || (SELECT count(*) FROM quotes) || " quotes"')"

report() {  # name, wrk output file
  awk -v name="$1" '/Requests\/sec/ {rps=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2} END {printf "%-28s %10s req/s   p50 %8s   p99 %8s\n", name, rps, p50, p99}' "$2"
}
# Search terms: words that occur in 50 to 2,000 of the 1.25 million indexed records, like the
# names and places a reporter searches for (the most common words match a third of everything).
sqlite3 "$db" "CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab(main, 'search_index', 'row');
  SELECT term FROM temp.vocabulary WHERE doc BETWEEN 50 AND 2000 ORDER BY random() LIMIT 2000;" > out/search-words.txt
echo "search terms: $(wc -l < out/search-words.txt) words matching 50 to 2,000 records each"
export EVENT_IDS="$PWD/$db.event-ids" SEARCH_WORDS="$PWD/out/search-words.txt" TOKEN="$token"
if has reads; then
# Steady state: a 5 s warm-up first (it fills the kept bodies and the OS cache), reported apart.
wrk -t2 -c64 -d5s --latency -s lua/get-event.lua "http://127.0.0.1:$port" > out/get-event-warmup.txt; report "GET /v1/events/{id} warm-up" out/get-event-warmup.txt
wrk -t2 -c64 -d"${seconds}s" --latency -s lua/get-event.lua "http://127.0.0.1:$port" > out/get-event.txt; report "GET /v1/events/{id}" out/get-event.txt
# The same reads with no rendered bodies kept: every request runs the event's five queries.
"$bin" serve --db "$db" --port $((port + 1)) --no-seed --rendered-cache-mb 0 > out/access-uncached.log 2>&1 &
uncached=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$((port + 1))/healthz" >/dev/null && break; sleep 0.1; done
wrk -t2 -c64 -d5s -s lua/get-event.lua "http://127.0.0.1:$((port + 1))" > /dev/null
wrk -t2 -c64 -d"${seconds}s" --latency -s lua/get-event.lua "http://127.0.0.1:$((port + 1))" > out/get-event-uncached.txt
kill $uncached; wait $uncached 2>/dev/null || true
report "GET /v1/events/{id} uncached" out/get-event-uncached.txt
wrk -t2 -c64 -d"${seconds}s" --latency -s lua/get-actor.lua "http://127.0.0.1:$port" > out/get-actor.txt; report "GET /v1/actors/{slug}" out/get-actor.txt
wrk -t2 -c64 -d"${seconds}s" --latency -s lua/list-page.lua "http://127.0.0.1:$port" > out/list-page.txt; report "GET /v1/events?from&to" out/list-page.txt
fi
if has search; then
# Like the event reads, searches are measured in steady state: a 5 s warm-up first, reported apart
# (it walks each search word once and keeps its matches, as a running server would have).
wrk -t2 -c64 -d5s --latency -s lua/search.lua "http://127.0.0.1:$port" > out/search-warmup.txt; report "GET /v1/search?q warm-up" out/search-warmup.txt
# Then several rounds: one run's p99 swings by a factor of two or three on this machine with
# the CPU time the host lends it (bench/jitter.sh), so each round is printed and the median too.
rounds=${SEARCH_ROUNDS:-5}
for round in $(seq 1 "$rounds"); do
  wrk -t2 -c64 -d"${seconds}s" --latency -s lua/search.lua "http://127.0.0.1:$port" > "out/search-round-$round.txt"
  report "GET /v1/search?q round $round" "out/search-round-$round.txt"
done
# wrk prints 950.00us, 12.34ms or 1.02s: each in ms, then the medians of the rounds.
for round in $(seq 1 "$rounds"); do
  awk '/Requests\/sec/ {rps=$2} $1=="99%" {v=$2; if (v ~ /us$/) v=v/1000; else if (v ~ /ms$/) v=v+0; else v=v*1000; p99=v} END {print rps, p99}' "out/search-round-$round.txt"
done > out/search-rounds.txt
middle=$(( (rounds + 1) / 2 ))
printf "%-28s %10s req/s   p99 %6sms   (median of %d rounds; p99 from %s to %s ms)\n" "GET /v1/search?q" \
  "$(sort -n -k1 out/search-rounds.txt | sed -n "${middle}p" | cut -d' ' -f1)" "$(sort -n -k2 out/search-rounds.txt | sed -n "${middle}p" | cut -d' ' -f2)" \
  "$rounds" "$(sort -n -k2 out/search-rounds.txt | head -1 | cut -d' ' -f2)" "$(sort -n -k2 out/search-rounds.txt | tail -1 | cut -d' ' -f2)"
# The same searches with nothing kept (--search-cache-mb 0): every search walks the index and reads its best rows.
"$bin" serve --db "$db" --port $((port + 1)) --no-seed --search-cache-mb 0 > out/access-search-uncached.log 2>&1 &
uncached=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$((port + 1))/healthz" >/dev/null && break; sleep 0.1; done
wrk -t2 -c64 -d5s -s lua/search.lua "http://127.0.0.1:$((port + 1))" > /dev/null
wrk -t2 -c64 -d"${seconds}s" --latency -s lua/search.lua "http://127.0.0.1:$((port + 1))" > out/search-uncached.txt
kill $uncached; wait $uncached 2>/dev/null || true
report "GET /v1/search?q uncached" out/search-uncached.txt
# The same searches one at a time: the cost of a query itself, without queueing behind 63 others.
wrk -t1 -c1 -d"${seconds}s" --latency -s lua/search.lua "http://127.0.0.1:$port" > out/search-1.txt; report "GET /v1/search?q (1 conn)" out/search-1.txt
fi
if has posts; then
before=$(sqlite3 "$db" "SELECT count(*) FROM quotes")
wrk -t2 -c16 -d"${seconds}s" --latency -s lua/post-quote.lua "http://127.0.0.1:$port" > out/post-quote.txt; report "POST /v1/quotes (16 conns)" out/post-quote.txt
after=$(sqlite3 "$db" "SELECT count(*) FROM quotes")
sent=$(awk '/requests in/ {print $1}' out/post-quote.txt)
failed=$(awk '/non-2xx or failed/ {print $NF}' out/post-quote.txt)
# wrk counts only the responses it read before stopping; requests still in flight may be stored too.
echo "writes: $((sent - failed)) acknowledged with 201, $failed not 2xx, $((after - before)) new rows stored (must be at least $((sent - failed)))"
[ $((after - before)) -ge $((sent - failed)) ] || { echo "LOST WRITES"; exit 1; }
fi

if has mixed; then
# Resident memory: all of it, and the part that is the process's own (anonymous: heap, caches),
# apart from the database's pages mapped from the file (the OS's page cache, shared and reclaimable).
rss() { awk '/VmRSS/ {t=$2} /RssAnon/ {a=$2} /RssFile/ {f=$2} END {printf "%.1f MB (own %.1f MB, mapped file %.1f MB)", t / 1024, a / 1024, f / 1024}' "/proc/$pid/status"; }
# What the writer edits and renames: a sample of the dataset's quotes, its most-quoted actor.
sqlite3 "$db" "SELECT id FROM quotes WHERE rowid % 400 = 0" > out/quote-ids.txt
actor=$(sqlite3 "$db" "SELECT speaker_id FROM quotes WHERE speaker_id IS NOT NULL GROUP BY speaker_id ORDER BY count(*) DESC LIMIT 1")
echo "mixed runs: 50 writes/s (quotes created and edited, actor $actor renamed each second); server RSS $(rss) before"
writer() { python3 writer.py "$port" "$token" "$1" 50 "$actor" out/quote-ids.txt out/search-words.txt; }
# Warm both caches and the page cache the way a running server would be.
wrk -t2 -c64 -d5s -s lua/search.lua "http://127.0.0.1:$port" > /dev/null
wrk -t2 -c64 -d5s -s lua/get-event.lua "http://127.0.0.1:$port" > /dev/null
# 1. Searches at 64 connections, without writes and then with them.
wrk -t2 -c64 -d"${seconds}s" --latency -s lua/search.lua "http://127.0.0.1:$port" > out/mixed-search-quiet.txt
report "search, no writes" out/mixed-search-quiet.txt
writer "$seconds" > out/mixed-writer-1.txt &
wpid=$!
wrk -t2 -c64 -d"${seconds}s" --latency -s lua/search.lua "http://127.0.0.1:$port" > out/mixed-search-writes.txt
wait $wpid
report "search, 50 writes/s" out/mixed-search-writes.txt
cat out/mixed-writer-1.txt
# 2. 32 connections reading single events beside 32 searching, without writes and then with them.
both() {  # label suffix
  wrk -t1 -c32 -d"${seconds}s" --latency -s lua/get-event.lua "http://127.0.0.1:$port" > "out/mixed-events-$1.txt" &
  local e=$!
  wrk -t1 -c32 -d"${seconds}s" --latency -s lua/search.lua "http://127.0.0.1:$port" > "out/mixed-searches-$1.txt"
  wait $e
}
# Alternating rounds (no writes, then writes; MIXED_ROUNDS of each), reported one by one and as
# medians: the machine drifts by ±20% over a minute, and one pair of runs is mostly that drift.
rounds=${MIXED_ROUNDS:-3}
for round in $(seq 1 "$rounds"); do
  both "quiet-$round"
  report "events beside searches" "out/mixed-events-quiet-$round.txt"; report "searches beside events" "out/mixed-searches-quiet-$round.txt"
  writer "$seconds" > "out/mixed-writer-2-$round.txt" &
  wpid=$!
  both "writes-$round"
  wait $wpid
  report "events beside, 50 writes/s" "out/mixed-events-writes-$round.txt"; report "searches beside, 50 writes/s" "out/mixed-searches-writes-$round.txt"
  cat "out/mixed-writer-2-$round.txt"
done
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
medians() { for round in $(seq 1 "$rounds"); do rps "out/mixed-$1-$2-$round.txt"; done | median; }
awk -v a="$(medians events writes)" -v b="$(medians events quiet)" -v c="$(medians searches writes)" -v d="$(medians searches quiet)" -v n="$rounds" \
  'BEGIN {printf "medians of %d rounds: events %.0f with writes, %.0f without (%.2fx); searches %.0f with, %.0f without (%.2fx) (target: at least 0.75x each)\n", n, a, b, a / b, c, d, c / d}'
echo "server RSS after the mixed runs: $(rss) (configured caches: 64 MB rendered bodies + 32 MB list rows, filled by the list pages above + 96 MB search = 192 MB)"
curl -s "http://127.0.0.1:$port/metrics" | grep -E '^chronicle_(rendered_records|rendered_rows|search_cache|search_hit_cache|search_index_changes)[a-z_]*(\{[^}]*\})? ' > out/mixed-metrics.txt || true
cat out/mixed-metrics.txt
# 3. A rename's cost: retitle the one source every quote cites, rename the most-quoted actor.
source=$(sqlite3 "$db" "SELECT id FROM sources LIMIT 1")
for round in 1 2 3; do
  curl -s -o /dev/null -w "%{time_total}\n" -X PATCH "http://127.0.0.1:$port/v1/sources/$source" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d "{\"title\":\"Benchmark source, retitled $round\"}" >> out/retitle-times.txt
  curl -s -o /dev/null -w "%{time_total}\n" -X PATCH "http://127.0.0.1:$port/v1/actors/$actor" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d "{\"name\":\"Most quoted, renamed $round\"}" >> out/rename-times.txt
done
echo "retitle the source: $(sort -n out/retitle-times.txt | sed -n 2p | awk '{printf "%.1f ms", $1 * 1000}') median of 3; rename the most-quoted actor: $(sort -n out/rename-times.txt | sed -n 2p | awk '{printf "%.1f ms", $1 * 1000}') median of 3 (target: under 50 ms)"
rm -f out/retitle-times.txt out/rename-times.txt
fi
