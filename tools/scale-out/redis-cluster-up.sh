#!/usr/bin/env bash
# Starts a private 6-node Redis Cluster (3 primaries + 3 replicas) from the installed redis-server
# 7, on 127.0.0.1 only, without Docker. Bounded waits throughout.
#
#   SCALEOUT_DIR   scratch directory; uses redis-cluster/ (default: $TMPDIR/farmlokal-scaleout)
#   FIRST_PORT     first client port (default 7100; nodes use FIRST_PORT .. FIRST_PORT+5)
#   BUS_OFFSET     cluster-bus port = client port + BUS_OFFSET (default 50, so 7150..7155, instead
#                  of Redis' +10000, which would leave the port range the caller chose)
#   NODE_TIMEOUT   cluster-node-timeout in ms (default 2000; Redis' default 15000). A replica is
#                  promoted about this long after its primary stops answering.
#
# Stop with redis-cluster-down.sh (same SCALEOUT_DIR), which kills each node by its pidfile.
set -euo pipefail

BASE="${SCALEOUT_DIR:-${TMPDIR:-/tmp}/farmlokal-scaleout}/redis-cluster"
FIRST_PORT="${FIRST_PORT:-7100}"
BUS_OFFSET="${BUS_OFFSET:-50}"
NODE_TIMEOUT="${NODE_TIMEOUT:-2000}"
PORTS=()
for i in 0 1 2 3 4 5; do PORTS+=("$((FIRST_PORT + i))"); done

for bin in redis-server redis-cli; do
  command -v "$bin" >/dev/null || { echo "$bin not found on PATH (install redis-server)" >&2; exit 2; }
done
ms() { date +%s%3N; }
t0=$(ms)

for port in "${PORTS[@]}"; do
  if redis-cli -p "$port" ping >/dev/null 2>&1; then echo "port $port already answers; refusing to start over it" >&2; exit 1; fi
  dir="$BASE/$port"
  mkdir -p "$dir"
  # repl-diskless-sync-delay 0: Redis' default 5 makes each replica wait 5 s for its first sync.
  # shutdown-timeout 0: SIGTERM does not wait (up to 10 s) for replicas to catch up; the data is scratch.
  redis-server --port "$port" --bind 127.0.0.1 \
    --cluster-enabled yes --cluster-port "$((port + BUS_OFFSET))" \
    --cluster-config-file "nodes-$port.conf" --cluster-node-timeout "$NODE_TIMEOUT" \
    --repl-diskless-sync-delay 0 --shutdown-timeout 0 --dir "$dir" --save '' --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
done

for port in "${PORTS[@]}"; do
  for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -p "$port" ping >/dev/null
done

hosts=()
for port in "${PORTS[@]}"; do hosts+=("127.0.0.1:$port"); done
redis-cli --cluster create "${hosts[@]}" --cluster-replicas 1 --cluster-yes >"$BASE/create.log"

for port in "${PORTS[@]}"; do
  for _ in $(seq 1 100); do redis-cli -p "$port" cluster info | grep -q '^cluster_state:ok' && break; sleep 0.1; done
  redis-cli -p "$port" cluster info | grep -q '^cluster_state:ok' || { echo "node $port not ok" >&2; exit 1; }
done

# cluster_state:ok does not mean the replicas hold a copy yet.
for port in "${PORTS[@]}"; do
  redis-cli -p "$port" role | head -1 | grep -q slave || continue
  for _ in $(seq 1 200); do redis-cli -p "$port" info replication | grep -q '^master_link_status:up' && break; sleep 0.1; done
  redis-cli -p "$port" info replication | grep -q '^master_link_status:up' || { echo "replica $port not linked" >&2; exit 1; }
done

# Gossip: every node must know the 3 replicas as such before a failover can be tested.
for port in "${PORTS[@]}"; do
  for _ in $(seq 1 100); do
    [ "$(redis-cli -p "$port" cluster nodes | awk '$3 ~ /slave/' | wc -l)" -eq 3 ] && break
    sleep 0.1
  done
done
echo "redis cluster on 127.0.0.1:${PORTS[0]}-${PORTS[5]} ready after $(($(ms) - t0)) ms"
