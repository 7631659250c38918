#!/usr/bin/env bash
# Chronicle as it scales out, tested over HTTP on this machine: a PostgreSQL 15 primary and a
# streaming replica (pg_basebackup -R), two `chronicle serve --database-url … --read-database-url …`
# instances, and nginx in front of both (Debian's nginx-light, installed when missing). Checks:
#   - the API through nginx, and the whole contract (tools/contract-test.sh: schemathesis against
#     openapi.yaml, CLUSTER_CONTRACT_EXAMPLES a route, 15 by default); write through one
#     instance, read through the other; the
#     cross-instance conflict (two same-version PATCHes: one 2xx, one 412); read-your-writes
#     through the replica (a write's Chronicle-Position header or cookie, sent back at once);
#   - `kill -9` of one instance under load from 20 clients loses no acknowledged write and fails
#     no GET (nginx retries GETs on the other instance: proxy_next_upstream error timeout http_502);
#   - the replica lagging past --max-replica-lag-ms (replay paused) is skipped: reads see new writes;
#   - the replica stopped under load: reads go to the primary and still succeed;
#   - the primary restarted: the pools reconnect and the next requests succeed.
# One PASS/FAIL line per check; exits non-zero on any failure. Everything lives under one
# temporary directory and is stopped (by PID) and removed on exit.
#
#   tools/cluster-test.sh [path/to/chronicle]   (default: builds and uses the debug build)
# Environment: CLUSTER_LOAD_SECONDS (10), CLUSTER_CLIENTS (20), KEEP=1 keeps the directory.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

if [ $# -ge 1 ]; then
  binary=$1
else
  swift build --product chronicle >&2
  binary=$(swift build --show-bin-path)/chronicle
fi
seconds=${CLUSTER_LOAD_SECONDS:-10}
clients=${CLUSTER_CLIENTS:-20}
bindir=/usr/lib/postgresql/15/bin

dir=$(mktemp -d "${TMPDIR:-/tmp}/chronicle-cluster.XXXXXX")
chmod 755 "$dir"  # the postgres user works in subdirectories of it
pids=()
nginx_pid=
cleanup() {
  local status=$?
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "$nginx_pid" ] && wait "$nginx_pid" 2>/dev/null || true
  tools/postgres-cluster.sh stop "$dir/replica" >/dev/null 2>&1 || true
  tools/postgres-cluster.sh stop "$dir/primary" >/dev/null 2>&1 || true
  if [ "${KEEP:-}" = 1 ]; then echo "kept $dir" >&2; else rm -rf "$dir"; fi
  exit $status
}
trap cleanup EXIT
trap "exit 130" INT
trap "exit 143" TERM

failed=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
# The checks' own lines come from cluster_test.py; its status is how many failed.
py() { python3 "$repo/tools/cluster_test.py" "$@" || failed=$((failed + $?)); }
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# --- PostgreSQL: a primary, and a streaming replica made from it ---
primary_url=$(tools/postgres-cluster.sh start "$dir/primary")
primary_port=${primary_url##*:}; primary_port=${primary_port%%/*}
psql -q "$primary_url" -c "CREATE DATABASE chronicle" >/dev/null
mkdir -p "$dir/replica"
[ "$(id -u)" -eq 0 ] && chown postgres: "$dir/replica"
# -R: standby.signal and primary_conninfo, so that it starts as a hot standby of the primary.
as_postgres "$bindir/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$dir/replica/data" -R -X stream -c fast \
  >"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log" >&2; exit 1; }
replica_url=$(tools/postgres-cluster.sh start "$dir/replica")
recovering=$(psql -Atq "$replica_url" -c "SELECT pg_is_in_recovery()")
[ "$recovering" = t ] && pass "replica: a hot standby streaming from the primary" || fail "replica: not in recovery ($recovering)"
primary_db=${primary_url%/postgres}/chronicle
replica_db=${replica_url%/postgres}/chronicle
echo "== primary $primary_db, replica $replica_db" >&2

# --- Two Chronicle instances on them ---
token=$("$binary" token create --database-url "$primary_db" --name cluster-test --scope admin 2>"$dir/token.log") \
  || { cat "$dir/token.log" >&2; exit 1; }
start_instance() {  # NAME; prints the port
  local name=$1 port=
  CHRONICLE_NO_ACCESS_LOG=1 "$binary" serve --database-url "$primary_db" --read-database-url "$replica_db" \
    --max-replica-lag-ms 1000 --port 0 --threads 2 --readers 8 >"$dir/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
  for _ in $(seq 1 300); do
    port=$(sed -n 's|.* serving .* on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$dir/$name.log")
    [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && { echo "$port"; return; }
    sleep 0.1
  done
  echo "instance $name did not start:" >&2; cat "$dir/$name.log" >&2; exit 1
}
# One at a time: the first migrates and seeds.
port1=$(start_instance one); pid1=$(cat "$dir/one.pid"); pids+=("$pid1")
port2=$(start_instance two); pid2=$(cat "$dir/two.pid"); pids+=("$pid2")
one=http://127.0.0.1:$port1
two=http://127.0.0.1:$port2

# --- nginx in front, with a config and pid of its own ---
if ! command -v nginx >/dev/null; then
  echo "installing nginx-light" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >&2
fi
nginx_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$dir/nginx"
cat >"$dir/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $dir/nginx/body;
    proxy_temp_path $dir/nginx/proxy;
    fastcgi_temp_path $dir/nginx/fastcgi;
    uwsgi_temp_path $dir/nginx/uwsgi;
    scgi_temp_path $dir/nginx/scgi;
    upstream chronicle {
        server 127.0.0.1:$port1 max_fails=1 fail_timeout=5s;
        server 127.0.0.1:$port2 max_fails=1 fail_timeout=5s;
        keepalive 32;
    }
    server {
        listen 127.0.0.1:$nginx_port;
        location / {
            proxy_pass http://chronicle;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_connect_timeout 1s;
            # GETs (idempotent) go to the other instance when one fails; POST and PATCH are
            # never sent twice (nginx leaves non-idempotent requests alone without non_idempotent).
            proxy_next_upstream error timeout http_502;
        }
        # nginx answers TRACE itself, with a 405 that lacks the Allow header HTTP requires; this
        # hands the refusal to Chronicle, which sends its own 405 with Allow.
        error_page 405 = @chronicle;
        location @chronicle {
            proxy_pass http://chronicle;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
        }
    }
}
EOF
nginx -c "$dir/nginx/nginx.conf" -p "$dir/nginx" -e "$dir/nginx/error.log" &
nginx_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$nginx_port/healthz" >/dev/null && break; sleep 0.1; done
proxy=http://127.0.0.1:$nginx_port
echo "== instances $one $two behind nginx $proxy" >&2

# --- The API, across instances, read-your-writes ---
py checks "$proxy" "$one" "$two" "$token"

# --- The whole API contract through nginx: openapi.yaml's every route, schemathesis's every
# check (tools/contract-test.sh), against the two instances, the primary and the replica ---
if SCHEMATHESIS_EXAMPLES=${CLUSTER_CONTRACT_EXAMPLES:-15} tools/contract-test.sh --url "$proxy" --token "$token" >"$dir/contract.log" 2>&1; then
  pass "the API contract through nginx ($(grep -Eo '[0-9,]+ (test cases|cases)[^,]*passed|[0-9]+ passed' "$dir/contract.log" | tail -1))"
else
  fail "the API contract through nginx:"; tail -40 "$dir/contract.log"
fi
sleep 0.5  # the standby monitors have seen the replica catch up
before=$(python3 tools/cluster_test.py standby-reads "$one" "$two")
for _ in 1 2 3 4 5; do curl -sf "$proxy/v1/events?limit=3" >/dev/null; done
after=$(python3 tools/cluster_test.py standby-reads "$one" "$two")
[ "$after" -gt "$before" ] && pass "reads without a position go to the replica ($((after - before)) of them)" \
  || fail "reads without a position did not go to the replica ($before then $after)"

# --- The replica lagging past the limit (its replay paused): skipped, reads see new writes ---
psql -Atq "$replica_url" -c "SELECT pg_wal_replay_pause()" >/dev/null
py lagging "$proxy" "$one" "$two" "$token"
psql -Atq "$replica_url" -c "SELECT pg_wal_replay_resume()" >/dev/null
sleep 0.5
before=$(python3 tools/cluster_test.py standby-reads "$one" "$two")
for _ in 1 2 3 4 5; do curl -sf "$proxy/v1/events?limit=3" >/dev/null; done
after=$(python3 tools/cluster_test.py standby-reads "$one" "$two")
[ "$after" -gt "$before" ] && pass "replay resumed: reads go to the replica again" || fail "replay resumed: reads did not go back to the replica"

# --- kill -9 of one instance under load ---
python3 tools/cluster_test.py load "$proxy" "$token" "$seconds" "$clients" "$dir/load-kill.json" &
load=$!
sleep "$(python3 -c "print($seconds / 3)")"
kill -9 "$pid1"
echo "== killed instance one (pid $pid1) under load" >&2
wait "$load"
py verify "kill -9 of one instance under $clients clients" "$proxy" "$dir/load-kill.json"
kill -0 "$pid2" 2>/dev/null && pass "the other instance still serves" || fail "the other instance died too"

# --- The replica stopped under load: reads fall back to the primary ---
python3 tools/cluster_test.py load "$proxy" "$token" "$(python3 -c "print(max(3, $seconds / 2))")" "$clients" "$dir/load-replica.json" &
load=$!
sleep 1.5
tools/postgres-cluster.sh stop "$dir/replica" >&2
echo "== stopped the replica under load" >&2
wait "$load"
py verify "replica stopped mid-run" "$proxy" "$dir/load-replica.json"
lag=$(curl -s "$two/metrics" | sed -n 's/^chronicle_standby_lag_seconds //p')
[ "$lag" = "-1.0" ] || [ "$lag" = "-1" ] && pass "the instance counts the replica as down (lag gauge $lag)" \
  || fail "the instance does not count the replica as down (lag gauge $lag)"

# --- The primary restarted: the pools reconnect ---
as_postgres "$bindir/pg_ctl" restart -D "$dir/primary/data" -m fast -w -t 60 -l "$dir/primary/postgres.log" >/dev/null
echo "== restarted the primary" >&2
py after-restart "$proxy" "$token"

if [ "$failed" -eq 0 ]; then echo "cluster test: all checks passed"; else echo "cluster test: $failed check(s) failed"; fi
[ "$failed" -eq 0 ]
