#!/usr/bin/env bash
# How steady this machine's CPU is: one fixed piece of work timed over and over, on one core
# and then on both at once (as under a load test). Latency tails measured here (p99) include
# this spread; see bench/jitter/jitter.c. Usage: bench/jitter.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-8}
command -v cc >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc >/dev/null; }
mkdir -p out
cc -O2 -o out/jitter jitter/jitter.c
echo "one core:";  ./out/jitter "$seconds"
echo "two cores:"; ./out/jitter "$seconds" & ./out/jitter "$seconds"; wait
