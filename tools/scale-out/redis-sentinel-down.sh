#!/usr/bin/env bash
# Stops what redis-sentinel-up.sh started, each process by the PID in its own pidfile (never by
# name), then removes the data unless KEEP_DATA=1.
set -uo pipefail

BASE="${SCALEOUT_DIR:-${TMPDIR:-/tmp}/farmlokal-scaleout}/sentinel"
[ -d "$BASE" ] || exit 0

# shellcheck source=stop-by-pidfiles.sh
source "$(dirname "$0")/stop-by-pidfiles.sh"
stop_by_pidfiles "$BASE"/*/sentinel.pid "$BASE"/*/redis.pid

[ "${KEEP_DATA:-0}" = 1 ] || rm -rf "$BASE"
