#!/usr/bin/env bash
# Stops what mariadb-replica-up.sh started, each daemon by the PID in its own pid file (never by
# name), replica first; waits (bounded: 30 s each) for a clean shutdown, then removes the data
# unless KEEP_DATA=1.
set -uo pipefail

BASE="${SCALEOUT_DIR:-${TMPDIR:-/tmp}/farmlokal-scaleout}"

for n in 2 1; do
  pidfile="$BASE/db$n/mysqld.pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"   # SIGTERM: mariadbd shuts down cleanly
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { echo "db$n: pid $pid still running after 30 s; SIGKILL"; kill -9 "$pid"; }
    echo "db$n: stopped pid $pid"
  fi
done

[ "${KEEP_DATA:-0}" = 1 ] || rm -rf "$BASE/db1" "$BASE/db2"
