#!/usr/bin/env bash
# The explorer on the benchmark dataset (50,000 actors, 200,000 events, 1,000,000 quotes): how
# long each view takes to become interactive in headless Chromium (bench/explorer.py), cold and
# warm. Uses the dataset bench/api.sh generates (out/pristine.sqlite), on a copy.
# Usage: bench/explorer.sh [rounds]   Loopback only; stops by itself.
# CHRONICLE_BIN=PATH measures that binary instead of building this checkout.
set -euo pipefail
cd "$(dirname "$0")"
rounds=${1:-7}
command -v chromium >/dev/null && command -v chromedriver >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }
python3 -c 'import selenium' 2>/dev/null || python3 -m pip install -q selenium
command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }
if [ -z "${CHRONICLE_BIN:-}" ]; then
  (cd .. && swift build -c release --product chronicle --static-swift-stdlib --scratch-path .build-static 2>&1 | tail -1)
fi
bin=${CHRONICLE_BIN:-../.build-static/release/chronicle}
pristine=out/pristine.sqlite
[ -f "$pristine.event-ids" ] || { echo "no benchmark dataset: run bench/api.sh once to generate out/pristine.sqlite"; exit 1; }
db=out/explorer.sqlite
rm -f "$db" "$db-wal" "$db-shm"
cp "$pristine" "$db"
echo "CPU steadiness, one core: $(bash jitter.sh 3 | sed -n 2p)"
port=18190
"$bin" serve --db "$db" --port "$port" --no-seed --no-access-log > out/explorer-server.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$db" "$db-wal" "$db-shm"' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
echo "dataset: $(sqlite3 "$db" 'SELECT (SELECT count(*) FROM actors) || " actors, " || (SELECT count(*) FROM events) || " events, " || (SELECT count(*) FROM quotes) || " quotes"')"
sqlite3 "$db" "CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab(main, 'search_index', 'row');
  SELECT term FROM temp.vocabulary WHERE doc BETWEEN 50 AND 2000 ORDER BY random() LIMIT 500;" > out/explorer-words.txt
python3 explorer.py --base-url "http://127.0.0.1:$port" --event-ids "$pristine.event-ids" --search-words out/explorer-words.txt --rounds "$rounds"
