#!/usr/bin/env bash
# HTTP server benchmark: Chronicle's GET /healthz (access log on) against nginx with one worker
# answering the same JSON body from memory, with wrk -t2 -c64, interleaved over several rounds.
# Also measures idle RSS and RSS with 1,000 idle keep-alive connections.
# Usage: bench/http.sh [rounds] [seconds]     Loopback only; stops by itself. CHRONICLE_BIN=PATH: measure that binary.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
seconds=${2:-10}
command -v wrk >/dev/null && command -v nginx >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null
}
# The production build: release, Swift runtime linked statically (as in docker/Dockerfile), or
# the binary CHRONICLE_BIN names (to compare two builds).
if [ -z "${CHRONICLE_BIN:-}" ]; then
  swift build -c release --product chronicle --static-swift-stdlib --scratch-path .build-static 2>&1 | tail -1
fi
bin=${CHRONICLE_BIN:-.build-static/release/chronicle}

work=$(mktemp -d)
cleanup() { kill "$cpid" 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
cport=18181; nport=18182
body='{"status":"ok"}'
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000;
  server {
    listen 127.0.0.1:$nport;
    location / { default_type application/json; return 200 '$body'; }
  }
}
CONF
nginx -c "$work/nginx.conf"
"$bin" serve --db "$work/bench.sqlite" --port "$cport" > "$work/access.log" 2>&1 &
cpid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$cport/healthz" >/dev/null && break; sleep 0.1; done

rss() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
idle_rss=$(rss "$cpid")

# wrk prints "Requests/sec: N" and, with --latency, "50% 1.2ms" and "99% 3.4ms".
run() { wrk -t2 -c64 -d"${seconds}s" --latency "http://127.0.0.1:$1/healthz" > "$work/wrk.out"
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
  p50=$(awk '$1=="50%" {print $2}' "$work/wrk.out"); p99=$(awk '$1=="99%" {print $2}' "$work/wrk.out")
  echo "$rps $p50 $p99"; }
# A warm-up for each first (3 s, not reported): the first round otherwise measures start-up, page
# faults of a growing heap and log file, and cold caches, which hit whichever runs first.
wrk -t2 -c64 -d3s "http://127.0.0.1:$nport/healthz" > /dev/null; wrk -t2 -c64 -d3s "http://127.0.0.1:$cport/healthz" > /dev/null
: > "$work/chronicle.txt"; : > "$work/nginx.txt"
for round in $(seq 1 "$rounds"); do
  n=$(run $nport); c=$(run $cport)
  echo "round $round: nginx $n | chronicle $c"
  echo "$n" >> "$work/nginx.txt"; echo "$c" >> "$work/chronicle.txt"
done
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
crps=$(awk '{print $1}' "$work/chronicle.txt" | median); nrps=$(awk '{print $1}' "$work/nginx.txt" | median)
echo "median requests/s: chronicle $crps, nginx $nrps, ratio $(awk -v a="$crps" -v b="$nrps" 'BEGIN {printf "%.2f", a/b}')"
echo "chronicle p50/p99 per round: $(awk '{printf "%s/%s ", $2, $3}' "$work/chronicle.txt")"
echo "nginx     p50/p99 per round: $(awk '{printf "%s/%s ", $2, $3}' "$work/nginx.txt")"
echo "access log lines written: $(wc -l < "$work/access.log")"

# 1,000 idle keep-alive connections, each after one request.
python3 - "$cport" <<'PY' &
import socket, sys, time
port = int(sys.argv[1]); conns = []
for _ in range(1000):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: b\r\n\r\n"); s.recv(4096); conns.append(s)
open("/tmp/chronicle-bench-idle-ready", "w").close()
time.sleep(4)
PY
ppid=$!
for _ in $(seq 1 100); do [ -f /tmp/chronicle-bench-idle-ready ] && break; sleep 0.1; done
sleep 1
busy_rss=$(rss "$cpid")
rm -f /tmp/chronicle-bench-idle-ready
wait "$ppid" || true
echo "RSS: idle ${idle_rss} MB (target <= 16), with 1,000 idle keep-alive connections ${busy_rss} MB (target <= 24)"
