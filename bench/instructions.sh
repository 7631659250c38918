#!/usr/bin/env bash
# User-space instructions per GET /healthz on the event loop, counted by callgrind: a figure
# that, unlike requests/s on a shared machine, does not move between runs, so a change to the
# HTTP path can be judged on its own. Also prints the functions that cost the most.
# Usage: bench/instructions.sh [seconds]     Loopback only; stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-8}
command -v valgrind >/dev/null && command -v wrk >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind wrk >/dev/null
}
swift build -c release --product chronicle --static-swift-stdlib --scratch-path .build-static 2>&1 | tail -1
work=$(mktemp -d)
cleanup() { pkill -f "chronicle-callgrind serve" 2>/dev/null || true; [ -n "${KEEP_CALLGRIND:-}" ] && cp "$work/callgrind.out" "$KEEP_CALLGRIND"; rm -rf "$work"; }
trap cleanup EXIT
# valgrind 3.19 cannot read the toolchain's DWARF 5; symbols are enough.
strip --strip-debug -o "$work/chronicle-callgrind" .build-static/release/chronicle
port=18197
# Count only inside the event loop (one thread): start-up, migrations and the log thread are left out.
CHRONICLE_MIGRATIONS="$PWD/migrations" valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
  --collect-atstart=no --toggle-collect='*EventLoopC3run*' \
  "$work/chronicle-callgrind" serve --db "$work/bench.sqlite" --port "$port" --threads 1 > "$work/server.log" 2>&1 &
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
wrk -t1 -c4 -d"${seconds}s" "http://127.0.0.1:$port/healthz" > "$work/wrk.out"
pkill -INT -f "chronicle-callgrind serve"
for _ in $(seq 1 100); do [ -s "$work/callgrind.out" ] && ! pgrep -f "chronicle-callgrind serve" >/dev/null && break; sleep 0.2; done
requests=$(awk '/requests in/ {print $1}' "$work/wrk.out")
total=$(callgrind_annotate "$work/callgrind.out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
echo "requests: $requests; instructions per request: $(awk -v t="$total" -v n="$requests" 'BEGIN {printf "%.0f", t / n}')"
echo "most expensive functions (instructions per request, own):"
callgrind_annotate "$work/callgrind.out" 2>/dev/null | awk -v n="$requests" '
  /^-+$/ { section++ } section >= 4 && $1 ~ /^[0-9,]+$/ { gsub(",", "", $1); name = $NF; if ($NF ~ /^\[/) name = $(NF-1); if (name == "TOTALS") next; printf "  %6.0f  %s\n", $1 / n, substr(name, 1, 110); if (++shown == 15) exit }'
