#!/usr/bin/env bash
# Starts two private MariaDB instances from the installed mariadbd, on 127.0.0.1 only, without
# Docker: a primary (binlog, GTID) and a GTID replica of it (read_only, slave_parallel_threads=4:
# a single-threaded replica fell 15-17 s behind a burst of 20,000 inserts, four threads kept it
# 0-4 transactions behind). Both are created from scratch with mariadb-install-db and read nothing
# from /etc/mysql (--no-defaults), so a shared server's socket, pid file and port are never touched.
#
#   SCALEOUT_DIR   scratch directory; uses db1/ and db2/ (default: $TMPDIR/farmlokal-scaleout)
#   PRIMARY_PORT   default 3401          REPLICA_PORT   default 3402
#   RUN_AS         OS user the daemons run as when started by root (default mysql): mariadbd
#                  refuses to run as root, so the data directories are chowned to that user.
#                  Started by anyone else, the daemons run as that user.
#
# Logins (test instances only, TCP from 127.0.0.1): root with no password on both; reader with no
# password (SELECT and SLAVE MONITOR only: what a service reading from a replica needs); repl/repl
# for the replication link. Stop with mariadb-replica-down.sh (same SCALEOUT_DIR).
set -euo pipefail

BASE="${SCALEOUT_DIR:-${TMPDIR:-/tmp}/farmlokal-scaleout}"
PRIMARY_PORT="${PRIMARY_PORT:-3401}"
REPLICA_PORT="${REPLICA_PORT:-3402}"
RUN_AS="${RUN_AS:-mysql}"

for bin in mariadbd mariadb-install-db mariadb mariadb-admin; do
  command -v "$bin" >/dev/null || { echo "$bin not found on PATH (install mariadb-server)" >&2; exit 2; }
done

user_opt=()
if [ "$(id -u)" = 0 ]; then user_opt=(--user="$RUN_AS"); fi

ms() { date +%s%3N; }
sql() { mariadb --no-defaults --protocol=socket -S "$BASE/db$1/mysqld.sock" -uroot -N -B -e "$2"; }
ping_port() { mariadb-admin --no-defaults -h127.0.0.1 -P"$1" -uroot ping >/dev/null 2>&1; }

t0=$(ms)
mkdir -p "$BASE"
chmod 755 "$BASE"
for n in 1 2; do
  port=$([ "$n" = 1 ] && echo "$PRIMARY_PORT" || echo "$REPLICA_PORT")
  if ping_port "$port"; then echo "port $port already answers; refusing to start over it" >&2; exit 1; fi
  dir="$BASE/db$n"
  mkdir -p "$dir/data"
  [ "${#user_opt[@]}" = 0 ] || chown -R "$RUN_AS": "$dir"
  mariadb-install-db --no-defaults "${user_opt[@]}" --datadir="$dir/data" \
    --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 \
    || { cat "$dir/install.log" >&2; exit 1; }
done

start() {
  local n=$1 port=$2; shift 2
  local dir="$BASE/db$n"
  setsid mariadbd --no-defaults "${user_opt[@]}" \
    --datadir="$dir/data" --port="$port" --bind-address=127.0.0.1 \
    --socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" --log-error="$dir/error.log" \
    --server-id="$n" --skip-name-resolve \
    --innodb-buffer-pool-size=64M --innodb-log-file-size=48M --max-connections=200 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --log-bin=binlog --binlog-format=ROW --gtid-strict-mode=ON --log-slave-updates=ON \
    "$@" </dev/null >/dev/null 2>&1 &
}
start 1 "$PRIMARY_PORT"
start 2 "$REPLICA_PORT" --read-only=ON --relay-log=relay --slave-parallel-threads=4

# Bounded waits: 300 x 0.1 s.
for port in "$PRIMARY_PORT" "$REPLICA_PORT"; do
  for _ in $(seq 1 300); do ping_port "$port" && break; sleep 0.1; done
  ping_port "$port" || { echo "mariadbd on port $port did not answer; see $BASE/db*/error.log" >&2; exit 1; }
done

sql 1 "CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'repl';
       GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1';
       CREATE USER 'reader'@'127.0.0.1';
       GRANT SELECT, SLAVE MONITOR ON *.* TO 'reader'@'127.0.0.1';"
# Both start empty: the replica replays the primary's whole binlog from the empty GTID position.
sql 2 "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$PRIMARY_PORT,
         MASTER_USER='repl', MASTER_PASSWORD='repl', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1;
       START REPLICA;"

primary_pos=$(sql 1 "SELECT @@gtid_binlog_pos")
for _ in $(seq 1 300); do
  [ "$(sql 2 "SELECT @@gtid_slave_pos")" = "$primary_pos" ] && break
  sleep 0.1
done
[ "$(sql 2 "SELECT @@gtid_slave_pos")" = "$primary_pos" ] || { echo "replica did not catch up to $primary_pos" >&2; exit 1; }
echo "primary 127.0.0.1:$PRIMARY_PORT and replica 127.0.0.1:$REPLICA_PORT (gtid $primary_pos) ready after $(($(ms) - t0)) ms"
