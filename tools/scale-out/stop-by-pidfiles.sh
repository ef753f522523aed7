# Sourced by the *-down.sh scripts. stop_by_pidfiles FILE...: SIGTERM to every process named by a
# pid file (never by name; SIGCONT first, in case a test froze it), then waits for each (bounded:
# 5 s, a Redis node takes about 2 s to exit) and SIGKILLs what is still running.
stop_by_pidfiles() {
  local pidfile pid pids=()
  for pidfile in "$@"; do
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
  return 0
}
