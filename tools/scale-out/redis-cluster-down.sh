#!/usr/bin/env bash
# Stops the nodes started by redis-cluster-up.sh, each by the PID in its own pidfile (never by
# name), waits (bounded) for each to exit, then removes the data unless KEEP_DATA=1.
set -uo pipefail

BASE="${SCALEOUT_DIR:-${TMPDIR:-/tmp}/farmlokal-scaleout}/redis-cluster"
[ -d "$BASE" ] || exit 0

# SIGTERM to every process first, then wait for each (bounded: 5 s): a node takes about 2 s to exit.
pids=()
for pidfile in "$BASE"/*/redis.pid; do
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -CONT "$pid" 2>/dev/null
    kill "$pid" && pids+=("$pid")
  fi
  rm -f "$pidfile"
done
for pid in "${pids[@]}"; do
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && { echo "pid $pid still running after 5 s; SIGKILL"; kill -9 "$pid"; }
done

[ "${KEEP_DATA:-0}" = 1 ] || rm -rf "$BASE"
