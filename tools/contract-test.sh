#!/usr/bin/env bash
# Validates openapi.yaml and fuzzes a live server against it with schemathesis (all checks).
# Usage: tools/contract-test.sh [path/to/chronicle]   (default: the debug build; it serves a
#        fresh SQLite database on a free port for the run)
#        tools/contract-test.sh --url URL --token TOKEN   (a server already running: the cluster
#        test runs it through nginx; TOKEN needs the admin scope)
set -euo pipefail
cd "$(dirname "$0")/.."
url= token= pid=
if [ "${1:-}" = --url ]; then
  url=${2:?--url needs a URL} token=${4:?--token needs a token}
  [ "${3:-}" = --token ] || { echo "usage: $0 --url URL --token TOKEN" >&2; exit 2; }
fi
binary=${1:-.build/debug/chronicle}
python3 -m pip install -q 'schemathesis>=4,<5' openapi-spec-validator >/dev/null 2>&1 || python3 -m pip install -q schemathesis openapi-spec-validator
openapi-spec-validator openapi.yaml

work=$(mktemp -d)
trap '[ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }; rm -rf "$work"' EXIT
if [ -z "$url" ]; then
  db="$work/contract.sqlite"
  "$binary" migrate --db "$db" >/dev/null
  token=$("$binary" token create --db "$db" --name schemathesis --scope admin 2>/dev/null)
  # Port 0: the kernel picks a free port and the server logs it. A guessed port can be taken
  # (it failed once when a random one fell on a socket of the test run before it).
  CHRONICLE_NO_ACCESS_LOG=1 "$binary" serve --db "$db" --port 0 >"$work/server.log" 2>&1 &
  pid=$!
  port=
  for _ in $(seq 1 100); do
    port=$(sed -n 's|.* serving .* on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$work/server.log")
    [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "the server did not start:"; cat "$work/server.log"; exit 1; }
  url=http://127.0.0.1:$port
fi

status=0
# Import files are NDJSON and CSV, which schemathesis writes through our serializer.
export SCHEMATHESIS_HOOKS=tools.schemathesis_hooks
PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" schemathesis run openapi.yaml --url "$url" --header "Authorization: Bearer $token" \
  --checks all --max-examples "${SCHEMATHESIS_EXAMPLES:-40}" --seed 1 --no-color || status=$?
if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
  echo "the server died during the contract test:"; tail -20 "$work/server.log"; exit 1
fi
exit $status
