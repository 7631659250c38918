#!/usr/bin/env bash
# Interchange benchmark: a generated file of 1,000,000 quotes (QUOTES) imported through
# POST /v1/import (NDJSON, best-effort, so other writes go on between batches) into a store
# holding the built-in dataset: once alone, then again into another store while wrk reads
# single events at 8 connections (on two cores the reads take about one) and a quote is posted
# every half second, each write timed; then the store
# exported through GET /v1/export?type=quote, three times, to a client that keeps up. Each is
# reported as records/s and the server's peak memory (a fresh server for each). The baseline,
# in the same run on the same rows: sqlite3's own .import of them as CSV into a plain table,
# and .mode json writing them out; then the floor for what a quote stores: the sqlite3 shell
# alone writing the same rows as Chronicle stores them (below).
# Usage: bench/interchange.sh   Loopback only; stops by itself.
# CHRONICLE_BIN=PATH measures that binary instead of building this checkout.
set -euo pipefail
cd "$(dirname "$0")"
count=${QUOTES:-1000000}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }
if [ -z "${CHRONICLE_BIN:-}" ]; then
  (cd .. && swift build -c release --product chronicle --static-swift-stdlib --scratch-path .build-static 2>&1 | tail -1)
fi
bin=${CHRONICLE_BIN:-../.build-static/release/chronicle}
mkdir -p out
echo "CPU steadiness, one core: $(bash jitter.sh 3 | sed -n 2p)"

# The file: one speaker and one source, then the quotes, each referring to them by slug and
# URL, with a date, a context and a citation excerpt (about 330 bytes a line).
file=out/quotes-$count.ndjson
csv=out/quotes-$count.csv
if [ ! -f "$file" ]; then
  python3 - "$count" "$file" "$csv" <<'PY'
import csv, json, random, sys
count, path, csv_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
random.seed(7)
words = "minister said talks border sanctions election treaty summit army union capital opposition press grain gas".split()
with open(path, "w") as out, open(csv_path, "w", newline="") as table:
    rows = csv.writer(table)
    rows.writerow(["text", "language", "speakerId", "said", "context", "verification", "citations"])
    out.write(json.dumps({"type": "actor", "slug": "bench-speaker", "kind": "person", "name": "Bench Speaker"}) + "\n")
    out.write(json.dumps({"type": "source", "url": "https://example.org/bench", "title": "Bench source"}) + "\n")
    for i in range(count):
        text = f"Quote {i}: " + " ".join(random.choice(words) for _ in range(18))
        said = f"{random.randint(1990, 2025)}-{random.randint(1, 12):02d}-{random.randint(1, 28):02d}"
        context = "Said at a briefing, " + " ".join(random.choice(words) for _ in range(8))
        excerpt = " ".join(random.choice(words) for _ in range(10))
        out.write(json.dumps({"type": "quote", "text": text, "language": "en", "speakerId": "bench-speaker", "said": said,
                              "context": context, "verification": "verified",
                              "citations": [{"sourceId": "https://example.org/bench", "excerpt": excerpt}]}) + "\n")
        rows.writerow([text, "en", "bench-speaker", said, context, "verified", "https://example.org/bench | " + excerpt])
PY
fi
echo "file: $count quotes, $(( $(stat -c %s "$file") / 1048576 )) MB of NDJSON"

calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }
# Memory: the server's own (anonymous) resident memory at its peak, sampled every 0.1 s, and
# VmHWM, which also counts the database file's pages mapped into it (the OS's page cache, shared
# and reclaimable, growing with what was read).
sample() {  # pid, file: the largest RssAnon seen, in kB, until the process ends or is told to stop
  local most=0 now
  while [ -e "/proc/$1/status" ] && [ ! -e "$2.stop" ]; do
    now=$(awk '/RssAnon/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0)
    [ "${now:-0}" -gt "$most" ] && most=$now && echo "$most" > "$2"
    sleep 0.1
  done
}
peak() {  # pid, sample file
  printf "own peak %.1f MB (VmHWM with mapped file pages %.1f MB)" "$(calc "$(cat "$2") / 1024")" "$(awk '/VmHWM/ {print $2 / 1024}' "/proc/$1/status")"
}
watch_memory() {  # pid, file; sets $sampler
  rm -f "$2" "$2.stop"; echo 0 > "$2"
  sample "$1" "$2" &
  sampler=$!
}
stop_watching() { touch "$1.stop"; wait "$sampler" 2>/dev/null || true; }
start() {  # database, port; sets $pid
  "$bin" serve --db "$1" --port "$2" --no-access-log > "out/interchange-$2.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$2/healthz" >/dev/null && break; sleep 0.1; done
}
trap 'kill ${pid:-} 2>/dev/null || true; kill ${reader:-} 2>/dev/null || true; kill ${writer:-} 2>/dev/null || true; rm -f out/interchange-floor.sqlite* out/interchange-staging.sqlite out/interchange-floor.sql' EXIT

fresh() {  # database: the built-in dataset and a write token ($token)
  rm -f "$1" "$1-wal" "$1-shm"
  "$bin" seed --db "$1" > /dev/null 2>&1
  token=$("$bin" token create --db "$1" --name bench --scope write 2>/dev/null)
}
port=18190

# The import alone first, into a store of its own: what the writer does with the machine to itself.
alone=out/interchange-alone.sqlite
fresh "$alone"
start "$alone" "$port"
watch_memory $pid out/interchange-alone.rss
began=$(date +%s.%N)
curl -sf -X POST "http://127.0.0.1:$port/v1/import?mode=best-effort" -H "Authorization: Bearer $token" \
  -H "Content-Type: application/x-ndjson" --data-binary @"$file" -o out/interchange-report.json
ended=$(date +%s.%N)
stop_watching out/interchange-alone.rss
created=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["created"], r["failed"])' out/interchange-report.json)
alone_rate=$(calc "($count + 2) / ($ended - $began)")
printf "import   alone: %s records in %.1f s: %.0f records/s, %s (created, failed: %s)\n" "$((count + 2))" "$(calc "$ended - $began")" \
  "$alone_rate" "$(peak $pid out/interchange-alone.rss)" "$created"
kill $pid; wait $pid 2>/dev/null || true
rm -f "$alone" "$alone-wal" "$alone-shm"

db=out/interchange.sqlite
fresh "$db"
sqlite3 "$db" "SELECT id FROM events" > "$db.event-ids"
start "$db" "$port"
watch_memory $pid out/interchange-import.rss
# Single-event reads beside the import, for its whole length.
EVENT_IDS="$PWD/$db.event-ids" wrk -t1 -c8 -d600s --latency -s lua/get-event.lua "http://127.0.0.1:$port" > out/interchange-reads.txt &
reader=$!
sleep 1
# And a newsroom's own writes: a quote posted every half second, each timed, for as long as the
# import runs (they wait for the writer between the import's batches).
rm -f out/interchange-writes.txt out/interchange-writes.stop
(
  n=0
  while [ ! -e out/interchange-writes.stop ]; do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -X POST "http://127.0.0.1:$port/v1/quotes" \
      -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
      -d "{\"text\": \"Said during the import, $n\", \"language\": \"en\"}" >> out/interchange-writes.txt || true
    n=$((n + 1))
    sleep 0.5
  done
) &
writer=$!
began=$(date +%s.%N)
curl -sf -X POST "http://127.0.0.1:$port/v1/import?mode=best-effort" -H "Authorization: Bearer $token" \
  -H "Content-Type: application/x-ndjson" --data-binary @"$file" -o out/interchange-report.json
ended=$(date +%s.%N)
kill -INT $reader; wait $reader 2>/dev/null || true
reader=
touch out/interchange-writes.stop; wait $writer 2>/dev/null || true
writer=
created=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["created"], r["failed"])' out/interchange-report.json)
stop_watching out/interchange-import.rss
seconds=$(calc "$ended - $began")
printf "import   beside reads and writes: %s records in %.1f s: %.0f records/s, %s (created, failed: %s)\n" "$((count + 2))" "$seconds" \
  "$(calc "($count + 2) / $seconds")" "$(peak $pid out/interchange-import.rss)" "$created"
awk '/Requests\/sec/ {rps=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2} END {printf "         GET /v1/events/{id} during it: %s req/s, p50 %s, p99 %s\n", rps, p50, p99}' out/interchange-reads.txt
python3 - out/interchange-writes.txt <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
took = sorted(float(t) * 1000 for code, t in rows if code == "201")
others = len(rows) - len(took)
pick = lambda q: took[min(len(took) - 1, int(q * len(took)))]
if took:
    print(f"         POST /v1/quotes during it, one every 0.5 s: {len(took)} written ({others} not), "
          f"p50 {pick(0.5):.1f} ms, p99 {pick(0.99):.1f} ms, max {took[-1]:.1f} ms")
else:
    print(f"         POST /v1/quotes during it: none written ({others} refused or failed)")
PY
kill $pid; wait $pid 2>/dev/null || true

# Export: three runs on one server (the first reads the file from disk into the OS's cache).
lines=$(sqlite3 "$db" "SELECT count(*) FROM quotes")
start "$db" "$port"
watch_memory $pid out/interchange-export.rss
for run in 1 2 3; do
  began=$(date +%s.%N)
  written=$(curl -sf "http://127.0.0.1:$port/v1/export?type=quote" -o /dev/null -w '%{size_download}')
  ended=$(date +%s.%N)
  seconds=$(calc "$ended - $began")
  printf "export   run %s: %s records in %.2f s: %.0f records/s\n" "$run" "$lines" "$seconds" "$(calc "$lines / $seconds")"
done
stop_watching out/interchange-export.rss
echo "         $(peak $pid out/interchange-export.rss); $(( written / 1048576 )) MB a run"
kill $pid; wait $pid 2>/dev/null || true
pid=

# The baseline: sqlite3 alone, the same rows as CSV into a plain table and out as JSON.
plain=out/interchange-plain.sqlite
rm -f "$plain"
began=$(date +%s.%N)
sqlite3 "$plain" ".mode csv" ".import $csv quotes"
ended=$(date +%s.%N)
printf "sqlite3 .import             %.0f records/s\n" "$(calc "$count / ($ended - $began)")"
began=$(date +%s.%N)
sqlite3 "$plain" ".mode json" "SELECT * FROM quotes" > /dev/null
ended=$(date +%s.%N)
printf "sqlite3 .mode json          %.0f records/s\n" "$(calc "$count / ($ended - $began)")"

rm -f "$plain" "$db" "$db-wal" "$db-shm" "$db.event-ids"

# The floor for what a quote stores: the sqlite3 shell alone writes the same rows into a store of
# the built-in dataset as Chronicle stores them, with the server's pragmas, in transactions of
# 10,000 (the import's batches), set-based (INSERT ... SELECT from a staging table): each quote's
# row and its indexes (and the revision trigger), its citation, its search index row and
# generation, and its revision with the state JSON. No HTTP, no parsing, no validation, and no
# sort of the revision queue: with these batches, pragmas and search index, no import of these
# rows can be faster. Ids and times sort after the built-in dataset's, as new records' do.
floor=out/interchange-floor.sqlite
staging=out/interchange-staging.sqlite
fresh "$floor"
rm -f "$staging"
sqlite3 -bail "$staging" "CREATE TABLE staging (text, language, speakerId, said, context, verification, citations)" \
  ".import --csv --skip 1 $csv staging"
actor=$(sqlite3 "$floor" "SELECT id FROM actors LIMIT 1")
source=$(sqlite3 "$floor" "SELECT id FROM sources LIMIT 1")
[ -n "$actor" ] && [ -n "$source" ] || { echo "the floor's store has no actor or source" >&2; exit 1; }
python3 - "$count" "$actor" "$source" "$staging" "$(date -u +%Y-%m-%dT%H:%M:%S.000Z)" > out/interchange-floor.sql <<'PY'
import sys
count, actor, source, staging, now = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], f"'{sys.argv[5]}'"
print("PRAGMA journal_mode = WAL; PRAGMA journal_size_limit = 67108864; PRAGMA wal_autocheckpoint = 200;")
print("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA mmap_size = 2147483648; PRAGMA temp_store = MEMORY;")
print(f"ATTACH '{staging}' AS st;")
for low in range(1, count + 1, 10_000):
    rows = f"st.staging s WHERE s.rowid BETWEEN {low} AND {min(count, low + 9_999)}"
    excerpt = "substr(s.citations, instr(s.citations, ' | ') + 3)"
    # citation_list holds [source id, excerpt] pairs (InlineDependents).
    print(f"""BEGIN IMMEDIATE;
INSERT INTO quotes (id, text, language, speaker_id, said_date, said_precision, said_earliest, said_latest, context,
                    verification, created_at, updated_at, citation_list)
  SELECT printf('quo_z%025d', s.rowid), s.text, s.language, '{actor}', s.said, 'day', s.said, s.said, s.context, s.verification,
         {now}, {now}, json_array(json_array('{source}', {excerpt})) FROM {rows};
INSERT INTO quote_citations (quote_id, position, source_id, excerpt) SELECT printf('quo_z%025d', s.rowid), 0, '{source}', {excerpt} FROM {rows};
INSERT INTO search_index_changes (generation, row)
  SELECT (SELECT value FROM search_index_generation) + row_number() OVER (ORDER BY q.seq), q.seq * 4 + 2
  FROM revision_queue r JOIN quotes q ON q.id = r.record_id;
UPDATE search_index_generation SET value = value + (SELECT count(*) FROM revision_queue);
DELETE FROM search_index_changes WHERE generation <= (SELECT value FROM search_index_generation) - 100000;
INSERT INTO search_index (rowid, kind, record_id, title, body)
  SELECT q.seq * 4 + 2, 'quote', q.id, q.text, coalesce(q.context, '') FROM revision_queue r JOIN quotes q ON q.id = r.record_id;
INSERT INTO revisions (kind, record_id, number, operation, at, author, note, state)
  SELECT 'quote', q.id, 1, 'create', {now}, 'bench', NULL,
         json_object('id', q.id, 'text', q.text, 'language', q.language, 'speakerID', q.speaker_id, 'speakerName', 'Bench Speaker',
                     'said', q.said_date, 'context', q.context, 'verification', q.verification, 'citations',
                     json_array(json_object('sourceID', '{source}', 'excerpt', json_extract(q.citation_list, '$[0][1]'),
                                            'sourceTitle', 'Bench source', 'sourceURL', 'https://example.org/bench')),
                     'createdAt', q.created_at, 'updatedAt', q.updated_at, 'version', 1)
  FROM revision_queue r JOIN quotes q ON q.id = r.record_id;
DELETE FROM revision_queue;
COMMIT;""")
PY
began=$(date +%s.%N)
sqlite3 -bail "$floor" < out/interchange-floor.sql > /dev/null
ended=$(date +%s.%N)
written=$(sqlite3 "$floor" "SELECT count(*) FROM quotes WHERE id LIKE 'quo_z%'")
[ "$written" -eq "$count" ] || { echo "the floor wrote $written quotes of $count" >&2; exit 1; }
floor_rate=$(calc "$count / ($ended - $began)")
printf "sqlite3 into Chronicle's schema  %.0f records/s: the floor for what a quote stores\n" "$floor_rate"
printf "         the import alone is %.2f of that floor\n" "$(calc "$alone_rate / $floor_rate")"
rm -f "$floor" "$floor-wal" "$floor-shm" "$staging" out/interchange-floor.sql
