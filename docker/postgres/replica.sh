#!/bin/bash
# The replica's entrypoint: on first start, clone the primary (pg_basebackup -R writes
# standby.signal and primary_conninfo), then run as a hot standby streaming from it.
set -euo pipefail
export PGPASSWORD=$REPLICATION_PASSWORD
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA"
  until pg_basebackup -h "$PRIMARY_HOST" -U replicator -D "$PGDATA" -R -X stream -c fast; do
    echo "waiting for the primary at $PRIMARY_HOST" >&2
    rm -rf "${PGDATA:?}"/*
    sleep 2
  done
fi
exec postgres -c hot_standby=on -c hot_standby_feedback=on
