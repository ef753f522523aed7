#!/usr/bin/env bash
# Stops the nodes started by redis-cluster-up.sh, each by the PID in its own pidfile (never by
# name), waits (bounded) for each to exit, then removes the data unless KEEP_DATA=1.
set -uo pipefail

BASE="${SCALEOUT_DIR:-${TMPDIR:-/tmp}/farmlokal-scaleout}/redis-cluster"
[ -d "$BASE" ] || exit 0

# shellcheck source=stop-by-pidfiles.sh
source "$(dirname "$0")/stop-by-pidfiles.sh"
stop_by_pidfiles "$BASE"/*/redis.pid

[ "${KEEP_DATA:-0}" = 1 ] || rm -rf "$BASE"
