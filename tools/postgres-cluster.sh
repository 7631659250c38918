#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests, from Debian's server binaries.
#
#   tools/postgres-cluster.sh start DIR   # prints postgres://postgres@127.0.0.1:PORT/postgres
#   tools/postgres-cluster.sh stop DIR    # stops it by the PID in DIR/data/postmaster.pid
#
# Data, log and unix socket live under DIR, which is owned by the postgres user (the server
# refuses to run as root); it listens on a free port on 127.0.0.1 only, with trust auth, so it
# is for tests, never for data anyone keeps. Only the URL goes to stdout (so that
# `url=$(tools/postgres-cluster.sh start "$dir")` works); progress goes to stderr. Installs
# postgresql-15 and libpq-dev with apt-get when they are missing.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
command=$1
dir=$2
bindir=/usr/lib/postgresql/15/bin  # `pg_config --bindir` names the client's, without initdb
data=$dir/data

# As root, the server's commands run as postgres; as anyone else, as that user.
as_server_user() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The PID in DIR/data/postmaster.pid if a postgres process by that number runs (the file
# outlives a crash, and its number may since have gone to another process); fails otherwise.
running_pid() {
  local pid
  [ -f "$data/postmaster.pid" ] || return 1
  pid=$(head -1 "$data/postmaster.pid")
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = postgres ] || return 1
  echo "$pid"
}

install_if_missing() {
  local need=()
  [ -x "$bindir/initdb" ] || need+=(postgresql-15)
  dpkg -s libpq-dev >/dev/null 2>&1 || need+=(libpq-dev)
  [ ${#need[@]} -eq 0 ] && return
  echo "installing ${need[*]}" >&2
  # Debian's package would otherwise create and start a cluster of its own on port 5432.
  mkdir -p /etc/postgresql-common
  grep -qs '^create_main_cluster *= *false' /etc/postgresql-common/createcluster.conf \
    || echo 'create_main_cluster = false' >>/etc/postgresql-common/createcluster.conf
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
}

# A port nothing on 127.0.0.1 listens on. Another process may take it before the server binds
# it; start retries with another port when that happens.
free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

start() {
  install_if_missing
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  data=$dir/data
  if running_pid >/dev/null; then
    echo "a cluster is already running in $data (stop it first)" >&2
    exit 1
  fi
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  if ! as_server_user test -w "$dir"; then
    echo "the postgres user cannot write to $dir (is a parent directory closed to it?)" >&2
    exit 1
  fi
  if [ ! -e "$data/PG_VERSION" ]; then
    # C.UTF-8: UTF-8 character semantics with byte-order collation, the same order on every
    # machine (and SQLite's BINARY order).
    as_server_user "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  local attempt port
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    rm -f "$dir/postgres.log"  # the log of this attempt only, for the check below
    # Settings on the command line: a retry with another port leaves no stale line behind.
    if as_server_user "$bindir/pg_ctl" start -D "$data" -w -t 60 -l "$dir/postgres.log" -o \
        "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$dir' -c fsync=on" \
        >/dev/null 2>&1; then
      echo "postgres://postgres@127.0.0.1:$port/postgres" | tee "$dir/url"
      return
    fi
    grep -q "could not bind\|Address already in use" "$dir/postgres.log" 2>/dev/null || break
    echo "port $port was taken; trying another" >&2
  done
  echo "PostgreSQL did not start; its log ($dir/postgres.log) ends:" >&2
  tail -20 "$dir/postgres.log" >&2 || true
  exit 1
}

# Fast shutdown (SIGINT: running transactions are rolled back, clients disconnected), then an
# immediate one (SIGQUIT) if it has not exited within 30 s.
stop() {
  local pid
  if ! pid=$(running_pid); then
    echo "no cluster running in $data" >&2
    return 0
  fi
  kill -INT "$pid" 2>/dev/null || return 0
  for _ in $(seq 300); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "PostgreSQL (pid $pid) did not stop in 30 s; sending SIGQUIT" >&2
  kill -QUIT "$pid" 2>/dev/null || true
}

case $command in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
