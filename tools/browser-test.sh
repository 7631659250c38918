#!/usr/bin/env bash
# Real-browser acceptance tests of the explorer (issue 21): headless Chromium driven by Selenium
# against a live server with the built-in dataset, axe-core for accessibility.
# Usage: tools/browser-test.sh [path/to/chronicle]   (default: the debug build)
#   EXPLORER_DIR=DIR                 serve the explorer from DIR (--explorer-dir) instead of the binary
#   BROWSER_TEST_SCREENSHOTS=DIR     where the screenshots go (default: a new temporary folder, kept)
#   BROWSER_TEST_ONLY=a,b            run only these tests (names or numbers, see browser_test.py --list)
set -euo pipefail
binary=${1:-.build/debug/chronicle}
# A relative path given by the caller is relative to where it was called from.
case $binary in /*) ;; *) [ -e "$binary" ] && binary="$PWD/$binary" ;; esac
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
fi
if ! python3 -c 'import selenium, axe_selenium_python' >/dev/null 2>&1; then
  python3 -m pip install -q -r tools/browser_test_requirements.txt
fi

[ -x "$binary" ] || { echo "no chronicle binary at $binary"; exit 1; }
shots=${BROWSER_TEST_SCREENSHOTS:-$(mktemp -d -t chronicle-browser-shots.XXXXXX)}
mkdir -p "$shots"
work=$(mktemp -d -t chronicle-browser-test.XXXXXX)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  [ -f "$work/server.log" ] && cp "$work/server.log" "$shots/server.log"
  rm -rf "$work"
}
trap cleanup EXIT
db="$work/browser.sqlite"
token=$("$binary" token create --db "$db" --name browser-test --scope write 2>/dev/null)
[ -n "$token" ] || { echo "could not create a token"; exit 1; }
serve=("$binary" serve --db "$db" --port 0)
[ -n "${EXPLORER_DIR:-}" ] && serve+=(--explorer-dir "$EXPLORER_DIR")
"${serve[@]}" >"$work/server.log" 2>&1 &
pid=$!
port=
for _ in $(seq 1 100); do
  port=$(sed -n 's|.* serving .* on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$work/server.log")
  [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  kill -0 "$pid" 2>/dev/null || break
  port=
  sleep 0.1
done
[ -n "$port" ] || { echo "the server did not start:"; cat "$work/server.log"; exit 1; }

status=0
only=()
[ -n "${BROWSER_TEST_ONLY:-}" ] && only=(--only "$BROWSER_TEST_ONLY")
timeout 600 python3 tools/browser_test.py --base-url "http://127.0.0.1:$port" --token "$token" \
  --screenshots "$shots" "${only[@]}" || status=$?
if ! kill -0 "$pid" 2>/dev/null; then
  echo "the server died during the browser tests:"; tail -20 "$work/server.log"; status=1
fi
echo "screenshots (and the server's log): $shots"
exit $status
