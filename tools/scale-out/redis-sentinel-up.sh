#!/usr/bin/env bash
# Starts a private Redis primary + replica watched by 3 Sentinels (quorum 2) from the installed
# redis-server 7, on 127.0.0.1 only, without Docker.
#
#   SCALEOUT_DIR   scratch directory; uses sentinel/ (default: $TMPDIR/farmlokal-scaleout)
#   PRIMARY_PORT   default 7110 (replica: +1)      SENTINEL_PORT   default 7120 (+0, +1, +2)
#   DOWN_AFTER_MS  sentinel down-after-milliseconds (default 2000; Redis' example config 30000):
#                  a failover starts about this long after the primary stops answering
#   MASTER_NAME    default farmlokal
#
# Stop with redis-sentinel-down.sh (same SCALEOUT_DIR), which kills each process by its pidfile.
set -euo pipefail

BASE="${SCALEOUT_DIR:-${TMPDIR:-/tmp}/farmlokal-scaleout}/sentinel"
PRIMARY_PORT="${PRIMARY_PORT:-7110}"
REPLICA_PORT="$((PRIMARY_PORT + 1))"
SENTINEL_PORT="${SENTINEL_PORT:-7120}"
DOWN_AFTER_MS="${DOWN_AFTER_MS:-2000}"
MASTER_NAME="${MASTER_NAME:-farmlokal}"

for bin in redis-server redis-cli; do
  command -v "$bin" >/dev/null || { echo "$bin not found on PATH (install redis-server)" >&2; exit 2; }
done
ms() { date +%s%3N; }
t0=$(ms)
mkdir -p "$BASE"

for port in "$PRIMARY_PORT" "$REPLICA_PORT" "$SENTINEL_PORT" "$((SENTINEL_PORT + 1))" "$((SENTINEL_PORT + 2))"; do
  if redis-cli -p "$port" ping >/dev/null 2>&1; then echo "port $port already answers" >&2; exit 1; fi
done

data() {
  local port=$1; shift
  mkdir -p "$BASE/$port"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$BASE/$port" --save '' --appendonly no \
    --repl-diskless-sync-delay 0 --shutdown-timeout 0 --daemonize yes --pidfile "$BASE/$port/redis.pid" --logfile "$BASE/$port/redis.log" "$@"
}
data "$PRIMARY_PORT"
data "$REPLICA_PORT" --replicaof 127.0.0.1 "$PRIMARY_PORT"

for i in 0 1 2; do
  port=$((SENTINEL_PORT + i))
  mkdir -p "$BASE/$port"
  # Sentinel rewrites its own config file (replicas, other sentinels, failovers).
  cat >"$BASE/$port/sentinel.conf" <<CONF
port $port
bind 127.0.0.1
dir $BASE/$port
daemonize yes
pidfile $BASE/$port/sentinel.pid
logfile $BASE/$port/sentinel.log
sentinel monitor $MASTER_NAME 127.0.0.1 $PRIMARY_PORT 2
sentinel down-after-milliseconds $MASTER_NAME $DOWN_AFTER_MS
sentinel failover-timeout $MASTER_NAME 10000
sentinel parallel-syncs $MASTER_NAME 1
CONF
  redis-server "$BASE/$port/sentinel.conf" --sentinel
done

# Bounded waits: the replica link, then every sentinel knowing 1 replica and 2 other sentinels.
for _ in $(seq 1 200); do
  redis-cli -p "$REPLICA_PORT" info replication 2>/dev/null | grep -q '^master_link_status:up' && break
  sleep 0.1
done
for i in 0 1 2; do
  port=$((SENTINEL_PORT + i))
  for _ in $(seq 1 200); do
    redis-cli -p "$port" sentinel master "$MASTER_NAME" 2>/dev/null | tr '\n' ' ' | grep -q 'num-slaves 1 .*num-other-sentinels 2' && break
    sleep 0.1
  done
  redis-cli -p "$port" sentinel master "$MASTER_NAME" | tr '\n' ' ' | grep -q 'num-slaves 1 .*num-other-sentinels 2' \
    || { echo "sentinel $port does not see the replica and the other sentinels" >&2; exit 1; }
done
echo "primary $PRIMARY_PORT, replica $REPLICA_PORT, sentinels $SENTINEL_PORT-$((SENTINEL_PORT + 2)) ready after $(($(ms) - t0)) ms"
