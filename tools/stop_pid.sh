# Sourced by tools/demo.sh and tests/e2e/lib.sh.
# stop_pid PID [SIGNAL]: sends SIGNAL (default TERM), waits up to 5 s, then SIGKILL; reaps it.
stop_pid() {
  local pid=$1 sig=${2:-TERM} i
  [ -n "$pid" ] || return 0
  kill -"$sig" "$pid" 2>/dev/null || return 0
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
