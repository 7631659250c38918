#!/usr/bin/env bash
# Change-feed benchmark on the embedded default (the built-in dataset, a fresh database):
# 1. writes with revisions: POST /v1/quotes from 16 connections (wrk), then a check that every
#    acknowledged write is stored and has its revision;
# 2. 1,000 server-sent-event subscribers at once (bench/sse.py): 40 writes at 5 a second, the
#    delay from each write's acknowledgement to its arrival at each subscriber, and the server's
#    resident memory with everyone connected and after the writes.
# Usage: bench/feed.sh [seconds]   Loopback only; stops by itself.
# CHRONICLE_BIN=PATH measures that binary instead of building this checkout; BASE_BIN=PATH also
# measures the writes of another build (say, the one before revisions) in the same run.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-10}
subscribers=${SUBSCRIBERS:-1000}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }
if [ -z "${CHRONICLE_BIN:-}" ]; then
  (cd .. && swift build -c release --product chronicle --static-swift-stdlib --scratch-path .build-static 2>&1 | tail -1)
fi
bin=${CHRONICLE_BIN:-../.build-static/release/chronicle}
mkdir -p out
ulimit -n 8192
echo "CPU steadiness, one core: $(bash jitter.sh 3 | sed -n 2p)"
port=18190
rss() { awk '/VmRSS/ {t=$2} /RssAnon/ {a=$2} END {printf "%.1f MB (own %.1f MB)", t / 1024, a / 1024}' "/proc/$1/status"; }

# Starts a server on a fresh database; sets pid, token.
start() {  # binary
  local db=out/feed.sqlite
  rm -f "$db" "$db-wal" "$db-shm"
  token=$("$1" token create --db "$db" --name bench --scope write 2>/dev/null)
  "$1" serve --db "$db" --port "$port" --no-access-log > out/feed.log 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
}
stop() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap 'stop' EXIT

writes() {  # label binary
  start "$2"
  local db=out/feed.sqlite
  export TOKEN=$token
  local before; before=$(sqlite3 "$db" "SELECT count(*) FROM quotes")
  wrk -t2 -c16 -d2s -s lua/post-quote.lua "http://127.0.0.1:$port" > /dev/null  # warm-up
  before=$(sqlite3 "$db" "SELECT count(*) FROM quotes")
  wrk -t2 -c16 -d"${seconds}s" --latency -s lua/post-quote.lua "http://127.0.0.1:$port" > out/feed-writes.txt
  local after; after=$(sqlite3 "$db" "SELECT count(*) FROM quotes")
  awk -v name="$1" '/Requests\/sec/ {rps=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2} END {printf "%-34s %10s writes/s   p50 %8s   p99 %8s\n", name, rps, p50, p99}' out/feed-writes.txt
  local sent; sent=$(awk '/requests in/ {print $1}' out/feed-writes.txt)
  local failed; failed=$(awk '/non-2xx or failed/ {print $NF}' out/feed-writes.txt)
  echo "  acknowledged $((sent - failed)), stored $((after - before)) new quotes$(sqlite3 "$db" "SELECT name FROM sqlite_master WHERE name = 'revisions'" | grep -q revisions && echo ", $(sqlite3 "$db" "SELECT count(*) FROM quotes q WHERE EXISTS (SELECT 1 FROM revisions r WHERE r.kind = 'quote' AND r.record_id = q.id)") of $after quotes with a revision")"
  stop
}

writes "POST /v1/quotes, 16 conns" "$bin"
if [ -n "${BASE_BIN:-}" ]; then writes "  the same, base build" "$BASE_BIN"; writes "POST /v1/quotes again" "$bin"; fi

start "$bin"
echo "server RSS before subscribers: $(rss "$pid")"
python3 -u sse.py "$port" "$token" "$subscribers" 40 5 | while IFS= read -r line; do
  if [ "$line" = "RSS-MARK connected" ]; then echo "server RSS with $subscribers subscribers: $(rss "$pid")"; else echo "$line"; fi
done
echo "server RSS after the writes: $(rss "$pid")"
curl -s "http://127.0.0.1:$port/metrics" | grep -E '^chronicle_change_(stream|streams)[a-z_]* ' || true
