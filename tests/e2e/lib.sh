# Shared setup and teardown of the siplbd end-to-end tests; sourced by each test script.
#
# A test script is run (by meson, tests/e2e/meson.build) as
#   bash tests/e2e/TEST.sh SIPLBD SIPLB_UDP_SEND [SIPLB_OPTIONS_PROBER]
# as root, with SIPLB_TESTDATA in its environment. It calls `e2e_init TAG "$@"` first, which
#   - skips the test (exit 77, meson's SKIP) when it cannot run here (not root, no sipp, ...);
#   - picks a lab name unique to this run ("e" TAG PID, at most 8 characters), used for the
#     namespaces (tools/lab.sh) and as siplbd's DPDK --file-prefix;
#   - makes a work folder for configurations, logs and traces;
#   - installs a trap that, on any exit (success, failure, error, SIGINT/SIGTERM), stops every
#     process the test started, removes the lab's namespaces and /var/run/dpdk/<lab>, prints the
#     logs when the test failed, and removes the work folder. On SIGTERM (meson's timeout: it
#     sends SIGTERM to the test's process group and SIGKILL 0.5 s later) the teardown also runs
#     in a process of its own session, which the SIGKILL does not reach.
# E2E_KEEP=1 keeps the work folder (logs, traces) for a look afterwards. Every wait is bounded; a
# wait that runs out fails the test with a message saying what was awaited.
#
# Lab addresses (tools/lab.sh): siplbd 10.77.0.1, client 10.77.0.10, servers 10.77.0.11, .12, ...
# A test that exports LAB_TWO_ARMED=1 before e2e_init gets the servers on a network of their own
# (10.78.0.11, ...) and siplbd on both: its second port (net_<pmd>1 on the veth "lb2") 10.78.0.1.
# A test that exports LAB_PAIR=1 before lab_up gets an HA pair (tools/lab.sh): a second siplbd
# namespace "lbb" (start_siplbd_b; its DPDK address 10.77.0.2, LBB_IP), the pair's kernel
# addresses LBK_IP (on lb) and LBBK_IP (on lbb), and the virtual IP VIP. The third argument
# (siplb-options-prober, tools/options_prober.cpp) measures an outage: start_prober, prober_gap.

set -euo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$E2E_DIR/../.." && pwd)
LAB_SH=$REPO/tools/lab.sh
UAS_XML=$REPO/tools/demo/uas.xml
UAC_XML=$REPO/tools/demo/uac.xml
LB_IP=10.77.0.1
# siplbd's DPDK port (E2E_PMD):
#   af_packet (default)  net_af_packet on the lab veth "lb", as in tools/lab.sh. The PMD joins a
#                        PACKET_FANOUT group with PACKET_FANOUT_FLAG_DEFRAG: the kernel reassembles
#                        IP fragments before siplbd sees them, and a datagram whose frame exceeds
#                        the PMD's 2048-octet ring frame arrives truncated.
#   tap                  net_tap: a tap device "dtap0" in the lb namespace, bridged there to the
#                        veth "lb" (set up by start_siplbd). Fragments reach siplbd as they are, and
#                        it transmits chained mbufs (its own fragments) correctly.
#   af_xdp               net_af_xdp on the veth "lb": fragments reach siplbd as they are, but see
#                        tests/e2e/fragments.sh for what happens to the fragments siplbd sends.
E2E_PMD=${E2E_PMD:-af_packet}
CLIENT_IP=10.77.0.10
LBB_IP=10.77.0.2      # LAB_PAIR=1: the second balancer's DPDK port
VIP=10.77.0.100       # LAB_PAIR=1: the pair's virtual IP
LBK_IP=10.77.0.201    # LAB_PAIR=1: kernel address on lb (heartbeats, replication)
LBBK_IP=10.77.0.202   # LAB_PAIR=1: kernel address on lbb

SIPLBD=""
UDP=""
LAB=""
WORK=""
SIPLBD_PID=""
SIPLBD_LOG=""
SIPLBD_RUNS=0
PROBER=""
SIPLBD_B_PID=""
SIPLBD_B_LOG=""
SIPLBD_B_RUNS=0
declare -A PROBER_PID=()  # prober name -> pid
PROBER_PORT=5090          # the next prober's source port in the client namespace
E2E_PIDS=()           # background processes started by the test (sipp, listeners)
declare -A UAS_PID=()  # server number -> sipp pid
E2E_LAB_UP=0
E2E_FAILED=0

E2E_FAIL_CODE=1

log() { printf 'e2e: %s\n' "$*"; }
fail() {
  printf 'e2e: FAIL: %s\n' "$*" >&2
  E2E_FAILED=1
  exit "$E2E_FAIL_CODE"
}
# Tests of a known siplbd bug are registered with should_fail: true. In them, expect_known_bug
# makes every other failure exit 99 (meson: ERROR, whatever should_fail says), and
# known_bug_reproduced exits 1 (meson: EXPECTEDFAIL). Once the bug is fixed the test passes and
# meson reports UNEXPECTEDPASS: then drop should_fail from tests/e2e/meson.build.
expect_known_bug() {
  E2E_KNOWN_BUG=$1
  E2E_FAIL_CODE=99
  log "known bug under test: $1"
}
known_bug_reproduced() {
  printf 'e2e: KNOWN BUG REPRODUCED (%s): %s\n' "${E2E_KNOWN_BUG:-?}" "$*" >&2
  E2E_FAILED=1
  exit 1
}
skip() {
  printf 'e2e: SKIP: %s\n' "$*"
  exit 77
}

SERVER_SUBNET=10.77.0
[ "${LAB_TWO_ARMED:-0}" = 1 ] && SERVER_SUBNET=10.78.0
LB2_IP=$SERVER_SUBNET.1
server_ip() { echo "$SERVER_SUBNET.$((10 + $1))"; }
server_uri() { echo "sip:$(server_ip "$1"):5060"; }

e2e_init() {
  local tag=$1
  shift
  SIPLBD=${1:-}
  UDP=${2:-}
  PROBER=${3:-}  # siplb-options-prober; optional (start_prober fails without it)
  [ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, DPDK af_packet)"
  [ -x "$SIPLBD" ] || fail "siplbd executable '$SIPLBD' not found (argument 1)"
  [ -x "$UDP" ] || fail "siplb-udp-send executable '$UDP' not found (argument 2)"
  command -v ip >/dev/null || skip "iproute2 (ip) not installed"
  command -v sipp >/dev/null || skip "sipp not installed (Debian package sip-tester; tools/install-deps.sh)"
  LAB="e${tag}$(($$ % 100000))"
  LAB=${LAB:0:8}
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/siplb-e2e-$LAB.XXXXXX")
  trap e2e_cleanup EXIT
  trap 'exit 130' INT
  trap e2e_terminated TERM
  log "lab $LAB, work folder $WORK"
}

source "$REPO/tools/stop_pid.sh"

e2e_cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || E2E_FAILED=1
  if [ -n "$SIPLBD_PID" ]; then stop_pid "$SIPLBD_PID" INT; fi
  if [ -n "$SIPLBD_B_PID" ]; then stop_pid "$SIPLBD_B_PID" INT; fi
  local pid
  for pid in "${E2E_PIDS[@]}"; do stop_pid "$pid"; done
  if [ -n "$LAB" ]; then
    [ "$E2E_LAB_UP" -eq 1 ] && "$LAB_SH" down "$LAB" >/dev/null 2>&1
    rm -rf "/var/run/dpdk/$LAB" "/var/run/dpdk/${LAB}b"
  fi
  if [ "$E2E_FAILED" -eq 1 ] && [ -n "$WORK" ] && [ -d "$WORK" ]; then
    local f
    for f in "$WORK"/siplbd.*.log; do
      [ -f "$f" ] || continue
      echo "---- $(basename "$f") (last 80 lines)"
      tail -n 80 "$f"
    done
    for f in "$WORK"/siplbd-b.*.log; do
      [ -f "$f" ] || continue
      echo "---- $(basename "$f") (last 80 lines)"
      tail -n 80 "$f"
    done
    for f in "$WORK"/*.out; do
      [ -f "$f" ] || continue
      echo "---- $(basename "$f") (last 25 lines)"
      tail -n 25 "$f"
    done
  fi
  if [ -n "${E2E_KEEP:-}" ]; then
    echo "e2e: work folder kept (E2E_KEEP): $WORK"
  elif [ -n "$WORK" ]; then
    rm -rf "$WORK"
  fi
  exit "$rc"
}

# SIGTERM: meson's timeout SIGKILLs the process group 0.5 s later, too soon for e2e_cleanup, so
# a detached process (its own session) removes the lab, the DPDK folder and the work folder once
# the test's processes are gone.
e2e_terminated() {
  trap - TERM
  echo "e2e: terminated (meson timeout?): the lab is removed in the background" >&2
  if [ -n "$SIPLBD_LOG" ] && [ -f "$SIPLBD_LOG" ]; then tail -n 40 "$SIPLBD_LOG" >&2; fi
  if [ -n "$SIPLBD_B_LOG" ] && [ -f "$SIPLBD_B_LOG" ]; then tail -n 40 "$SIPLBD_B_LOG" >&2; fi
  if [ -n "$LAB" ]; then
    local keep=${E2E_KEEP:+1}
    setsid bash -c 'sleep 1; "$0" down "$1" >/dev/null 2>&1; rm -rf "/var/run/dpdk/$1" "/var/run/dpdk/$1b"; [ -n "$3" ] || rm -rf "$2"' \
      "$LAB_SH" "$LAB" "$WORK" "$keep" </dev/null >/dev/null 2>&1 &
  fi
  exit 143
}

# lab_up SERVERS: the namespaces of tools/lab.sh.
lab_up() {
  E2E_LAB_UP=1
  "$LAB_SH" up "$LAB" "$1"
}

# wait_for SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds (status 0) or SECONDS
# have passed (status 1).
wait_for() {
  local seconds=$1
  shift
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}
# wait_until SECONDS WHAT COMMAND...: wait_for, failing the test with WHAT when time runs out.
wait_until() {
  local seconds=$1 what=$2
  shift 2
  wait_for "$seconds" "$@" || fail "timed out after ${seconds}s waiting for $what"
}

# write_config FILE ALGORITHM WEIGHT... : one set over servers 1..N (N = number of weights), all
# starting "inactive" (E2E_STATE overrides) so that the probes bring them in. Probing: every
# 500 ms, 450 ms to answer, 4 failures in a row take a server out (about 2 s), one answer brings
# it back; lenient enough that a busy 2-core machine does not make servers flap.
write_config() {
  local file=$1 algorithm=$2
  shift 2
  cat >"$file" <<EOF
[balancer]
sip_ports = [5060]
retry_after = ${E2E_RETRY_AFTER:-5}

[[interface]]
port = "net_${E2E_PMD}0"
address = "$LB_IP/24"
$(second_interface)

[tables]
transaction_ttl_ms = ${E2E_TRANSACTION_TTL_MS:-32000}

[probing]
enabled = true
interval_ms = ${E2E_PROBE_INTERVAL_MS:-500}
timeout_ms = ${E2E_PROBE_TIMEOUT_MS:-450}
failure_threshold = ${E2E_PROBE_FAILURES:-4}
recovery_threshold = 1

[[set]]
id = 1
algorithm = "$algorithm"
EOF
  local i=1 w
  for w in "$@"; do
    printf '\n[[set.destination]]\nuri = "%s"\nweight = %s\nstate = "%s"\n' \
      "$(server_uri "$i")" "$w" "${E2E_STATE:-inactive}" >>"$file"
    i=$((i + 1))
  done
}

# The [[interface]] of siplbd's second port in a two-armed lab; nothing otherwise.
second_interface() {
  [ "${LAB_TWO_ARMED:-0}" = 1 ] || return 0
  printf '\n[[interface]]\nport = "net_%s1"\naddress = "%s/24"\n' "$E2E_PMD" "$LB2_IP"
}

siplbd_alive() { [ -n "$SIPLBD_PID" ] && kill -0 "$SIPLBD_PID" 2>/dev/null; }
siplbd_running() {
  siplbd_alive || fail "siplbd exited early (see its log)"
  grep -qs "^siplbd: running" "$SIPLBD_LOG"
}

# with_control_sections CONFIG: adds to CONFIG a [store] and an [api] of this test's own (in
# $WORK) when it has none, so that no test touches /var/lib/siplb or /run/siplb. (A reload that
# rewrites the file without them changes nothing: [store] and [api] are read at start only.)
with_control_sections() {
  grep -q '^\[store\]' "$1" || printf '\n[store]\ndir = "%s"\ndurability = "sync"\n' "$WORK/store" >>"$1"
  grep -q '^\[api\]' "$1" || printf '\n[api]\nsocket = "%s"\n' "$WORK/siplbd.sock" >>"$1"
}

# start_siplbd CONFIG: siplbd in the lb namespace, its output in $SIPLBD_LOG; waits until it runs.
start_siplbd() {
  local config=$1
  with_control_sections "$config"
  SIPLBD_RUNS=$((SIPLBD_RUNS + 1))
  SIPLBD_LOG=$WORK/siplbd.$SIPLBD_RUNS.log
  rm -rf "/var/run/dpdk/$LAB"
  local vdevs=(--vdev "net_${E2E_PMD}0,iface=lb")
  [ "$E2E_PMD" = tap ] && vdevs=(--vdev "net_tap0,iface=dtap0")
  if [ "${LAB_TWO_ARMED:-0}" = 1 ]; then
    [ "$E2E_PMD" != tap ] || fail "a two-armed lab needs E2E_PMD af_packet or af_xdp"
    vdevs+=(--vdev "net_${E2E_PMD}1,iface=lb2")
  fi
  ip netns exec "$LAB-lb" "$SIPLBD" -l 0-1 --no-huge -m 512 --no-pci --file-prefix "$LAB" \
    "${vdevs[@]}" -- --config "$config" >"$SIPLBD_LOG" 2>&1 &
  SIPLBD_PID=$!
  wait_until 30 "siplbd to start" siplbd_running
  if [ "$E2E_PMD" = tap ]; then bridge_tap; fi
}

# net_tap: bridge the tap siplbd made ("dtap0") to the lab veth "lb" inside the lb namespace. The
# bridge and the kernel side of the tap get MACs of their own: a bridge delivers frames for its
# ports' MACs locally, and the tap's kernel side starts with the MAC siplbd uses.
bridge_tap() {
  local ns=$LAB-lb
  ip -n "$ns" link show br0 >/dev/null 2>&1 || {
    ip -n "$ns" link add br0 address 02:00:00:77:00:01 type bridge
    ip -n "$ns" link set lb master br0
    ip -n "$ns" link set br0 up
  }
  ip -n "$ns" link set dtap0 address 02:00:00:77:00:02
  ip -n "$ns" link set dtap0 master br0
  ip -n "$ns" link set dtap0 up
  ip netns exec "$ns" ethtool -K dtap0 tx off rx off >/dev/null 2>&1 || true
}

# stop_siplbd: SIGINT (siplbd prints its counters at exit), bounded; removes its DPDK folder.
# The final counters stay in $SIPLBD_LOG.
stop_siplbd() {
  [ -n "$SIPLBD_PID" ] || return 0
  siplbd_alive || fail "siplbd is no longer running (crashed?)"
  stop_pid "$SIPLBD_PID" INT
  SIPLBD_PID=""
  rm -rf "/var/run/dpdk/$LAB"
  grep -q '^probes: sent' "$SIPLBD_LOG" || fail "siplbd did not print its counters at exit"
}

# --- the HA pair (LAB_PAIR=1): the second siplbd, "B", in the lbb namespace ---------------------
# start_siplbd_b CONFIG: siplbd B (its DPDK port net_<pmd>0 on the veth "lbb", --file-prefix
# ${LAB}b), its output in $SIPLBD_B_LOG ($WORK/siplbd-b.N.log); waits until it runs. CONFIG gets
# a [store] and an [api] of B's own ($WORK/store-b, $WORK/siplbd-b.sock) when it has none.
siplbd_b_alive() { [ -n "$SIPLBD_B_PID" ] && kill -0 "$SIPLBD_B_PID" 2>/dev/null; }
siplbd_b_running() {
  siplbd_b_alive || fail "siplbd B exited early (see its log)"
  grep -qs "^siplbd: running" "$SIPLBD_B_LOG"
}
start_siplbd_b() {
  local config=$1
  [ "$E2E_PMD" != tap ] || fail "start_siplbd_b needs E2E_PMD af_packet or af_xdp"
  [ "${LAB_TWO_ARMED:-0}" != 1 ] || fail "start_siplbd_b: the second balancer has no lb2 (LAB_TWO_ARMED)"
  ip netns list | grep -q "^$LAB-lbb\b" || fail "start_siplbd_b: no namespace $LAB-lbb (export LAB_PAIR=1 before lab_up)"
  grep -q '^\[store\]' "$config" || printf '\n[store]\ndir = "%s"\ndurability = "sync"\n' "$WORK/store-b" >>"$config"
  grep -q '^\[api\]' "$config" || printf '\n[api]\nsocket = "%s"\n' "$WORK/siplbd-b.sock" >>"$config"
  SIPLBD_B_RUNS=$((SIPLBD_B_RUNS + 1))
  SIPLBD_B_LOG=$WORK/siplbd-b.$SIPLBD_B_RUNS.log
  rm -rf "/var/run/dpdk/${LAB}b"
  ip netns exec "$LAB-lbb" "$SIPLBD" -l 0-1 --no-huge -m 512 --no-pci --file-prefix "${LAB}b" \
    --vdev "net_${E2E_PMD}0,iface=lbb" -- --config "$config" >"$SIPLBD_B_LOG" 2>&1 &
  SIPLBD_B_PID=$!
  wait_until 30 "siplbd B to start" siplbd_b_running
}
# stop_siplbd_b: as stop_siplbd, for B (its counters stay in $SIPLBD_B_LOG).
stop_siplbd_b() {
  [ -n "$SIPLBD_B_PID" ] || return 0
  siplbd_b_alive || fail "siplbd B is no longer running (crashed?)"
  stop_pid "$SIPLBD_B_PID" INT
  SIPLBD_B_PID=""
  rm -rf "/var/run/dpdk/${LAB}b"
  grep -q '^probes: sent' "$SIPLBD_B_LOG" || fail "siplbd B did not print its counters at exit"
}

# start_prober NAME DURATION_MS [PROBER ARGS...]: siplb-options-prober in the client namespace,
# in the background, an OPTIONS every 5 ms to "$VIP:5060" (PROBER_TO overrides) from a port of
# its own (5090, 5091, ...), gaps over 50 ms listed; its output in $WORK/prober-NAME.out. It ends
# by itself after DURATION_MS (or on SIGTERM: stop_prober NAME) and then prints its results.
start_prober() {
  local name=$1 duration=$2
  shift 2
  [ -n "$PROBER" ] && [ -x "$PROBER" ] || fail "siplb-options-prober executable '$PROBER' not found (argument 3)"
  local port=$PROBER_PORT
  PROBER_PORT=$((PROBER_PORT + 1))
  rm -f "$WORK/prober-$name.ready"
  ip netns exec "$LAB-c" "$PROBER" --from "$CLIENT_IP:$port" --to "${PROBER_TO:-$VIP:5060}" \
    --duration-ms "$duration" --gaps-over-ms 50 --ready-file "$WORK/prober-$name.ready" "$@" \
    >"$WORK/prober-$name.out" 2>&1 &
  PROBER_PID[$name]=$!
  E2E_PIDS+=("$!")
}
# wait_prober_ready NAME [SECONDS]: until the prober's first answer.
wait_prober_ready() {
  wait_until "${2:-15}" "the first answer to prober $1" test -f "$WORK/prober-$1.ready"
}
# wait_prober NAME [SECONDS]: until the prober has ended (its duration, plus its 300 ms linger).
wait_prober() {
  wait_pid "${PROBER_PID[$1]}" "${2:-60}" "prober $1 to end"
}
# stop_prober NAME: ends it now (SIGTERM); it still prints its results.
stop_prober() {
  stop_pid "${PROBER_PID[$1]}"
}
# prober_value NAME KEY: a value the ended prober printed (sent, answered, longest_gap_ms,
# gap_start_ms, tail_gap_ms, ...; tools/options_prober.cpp); fails the test when it is missing.
prober_value() {
  local v
  v=$(awk -v k="$2" '$1 == k {print $2}' "$WORK/prober-$1.out" 2>/dev/null)
  [ -n "$v" ] || fail "prober $1 printed no $2 (still running? see $WORK/prober-$1.out)"
  echo "$v"
}
# prober_gap NAME: its longest_gap_ms (ms between consecutive answered probes; -1: no answer).
# An outage still going on at its end is not in it but in tail_gap_ms: check that too.
prober_gap() { prober_value "$1" longest_gap_ms; }

# The current state of every destination: the last line siplbd printed for each.
destination_state() {  # URI -> state ("" when never printed)
  grep -F "siplbd: destination $1 is " "$SIPLBD_LOG" | tail -n 1 | awk '{print $NF}'  # -F: IPv6 URIs have [ ]
}
all_active() {  # N
  siplbd_alive || fail "siplbd exited (see its log)"
  local i
  for i in $(seq 1 "$1"); do
    [ "$(destination_state "$(server_uri "$i")")" = active ] || return 1
  done
}
state_is() {  # URI STATE
  siplbd_alive || fail "siplbd exited (see its log)"
  [ "$(destination_state "$1")" = "$2" ]
}
wait_all_active() {  # N [SECONDS]
  wait_until "${2:-30}" "the probes to mark all $1 destinations active" all_active "$1"
  log "all $1 destinations active"
}

# Counters: the last block siplbd printed (SIGUSR1 or exit) -> stdout.
last_counters() {
  awk '/^=== siplb counters/{buf=""; on=1} on{buf=buf $0 "\n"} /^probes: sent/{if (on) last=buf; on=0} END{printf "%s", last}' "$SIPLBD_LOG"
}
# siplbd_counters: asks a running siplbd for its counters (SIGUSR1), waits for them, prints them.
siplbd_counters() {
  local before
  before=$(grep -c '^probes: sent' "$SIPLBD_LOG" || true)
  kill -USR1 "$SIPLBD_PID"
  counters_after() { [ "$(grep -c '^probes: sent' "$SIPLBD_LOG" || true)" -gt "$before" ]; }
  wait_until 10 "siplbd's counters (SIGUSR1)" counters_after
  last_counters
}
# In a counters block (stdin):
counter() { awk -v k="$1" '$1 == k {v = $2} END {print v + 0}'; }
dest_count() { awk -v u="$1" '$1 == "set" && $3 == u {v = $NF} END {print v + 0}'; }
reply_count() {
  awk -v c="$1" '/^replies sent by siplb:/{s=1; next} /^[a-z]/{s=0} s && $1 == c {v = $2} END {print v + 0}'
}
drop_count() {
  awk -v r="$1" '/^drops by reason:/{s=1; next} /^[a-z]/{s=0} s && $1 == r {v = $2} END {print v + 0}'
}
sip_drops_total() {  # every drop whose reason starts with sip_
  awk '/^drops by reason:/{s=1; next} /^[a-z]/{s=0} s && $1 ~ /^sip_/ {v += $2} END {print v + 0}'
}

# start_uas N [SIPP ARGS...]: a sipp UAS (tools/demo/uas.xml, or the scenario in UAS_SCENARIO;
# -aa answers probes) on server N.
start_uas() {
  local n=$1
  shift
  (cd "$WORK" && exec ip netns exec "$LAB-s$n" sipp -sf "${UAS_SCENARIO:-$UAS_XML}" -i "$(server_ip "$n")" -p 5060 \
    -aa -nostdin "$@" >"$WORK/uas$n.screen" 2>&1) &
  UAS_PID[$n]=$!
  E2E_PIDS+=("$!")
}
stop_uas() {  # N: kills the UAS at once (a crashed server)
  stop_pid "${UAS_PID[$1]}" KILL
}

# start_listener N DIR: siplb-udp-send --listen on server N, answering probes; saves to DIR.
start_listener() {
  local n=$1 dir=$2
  mkdir -p "$dir"
  ip netns exec "$LAB-s$n" "$UDP" --listen "$(server_ip "$n"):5060" --dir "$dir" --answer-probes \
    >"$WORK/listener$n.out" 2>&1 &
  E2E_PIDS+=("$!")
}

# run_uac NAME CALLS RATE HOLD_MS [SIPP ARGS...]: the sipp UAC (tools/demo/uac.xml) in the client
# namespace, bounded in time; sets UAC_OK and UAC_FAILED (sipp's successful and failed calls) and
# UAC_RC. Its screen goes to $WORK/uac-NAME.out; with -trace_logs its log to $WORK/uac-NAME.log.
run_uac() {
  local name=$1 calls=$2 rate=$3 hold=$4
  shift 4
  local limit=$((calls / rate + hold / 1000 + 30))
  UAC_RC=0
  (cd "$WORK" && timeout -k 5 $((limit + 10)) ip netns exec "$LAB-c" sipp -sf "$UAC_XML" "$LB_IP:5060" \
    -i "$CLIENT_IP" -p 5060 -m "$calls" -r "$rate" -d "$hold" -nostdin -timeout "$limit" \
    -log_file "$WORK/uac-$name.log" "$@" >"$WORK/uac-$name.out" 2>&1) || UAC_RC=$?
  UAC_OK=$(awk -F'|' '/Successful call/ {gsub(/ /, "", $3); v = $3} END {print v + 0}' "$WORK/uac-$name.out")
  UAC_FAILED=$(awk -F'|' '/Failed call/ {gsub(/ /, "", $3); v = $3} END {print v + 0}' "$WORK/uac-$name.out")
  UAC_OK=${UAC_OK:-0}
  UAC_FAILED=${UAC_FAILED:-0}
}

# send_udp FILE [ARGS...]: sends FILE as one datagram from the client (port 5060) to siplbd and
# prints the replies (siplb-udp-send).
send_udp() {
  local file=$1
  shift
  ip netns exec "$LAB-c" "$UDP" --from "$CLIENT_IP:5060" --to "$LB_IP:5060" "$@" "$file"
}

# share A TOTAL -> "0.333" (three decimals)
share() { awk -v a="$1" -v t="$2" 'BEGIN { printf "%.3f", (t > 0 ? a / t : 0) }'; }
# within X LO HI: LO <= X <= HI (decimals)
within() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x >= lo && x <= hi) }'; }

# --- least-loaded sets (tests/e2e/least_loaded.sh, restart.sh) ------------------------------------
# least_loaded_config FILE MODE CAPACITY1 CAPACITY2 CAPACITY3 (dialogs end after LIFETIME_S)
least_loaded_config() {
  local file=$1 mode=$2
  shift 2
  E2E_STATE=inactive write_config "$file" least-loaded 1 1 1
  # write_config writes one set; add the least-loaded keys after its "algorithm" line and a
  # capacity to each destination (after its weight line), and the dialog timers.
  awk -v mode="$mode" -v c1="$1" -v c2="$2" -v c3="$3" '
    /^algorithm = / { print; print "resources = [\"calls\"]"; print "load_mode = \"" mode "\""; next }
    /^weight = / { n++; print; print "capacity = " (n == 1 ? c1 : n == 2 ? c2 : c3); next }
    { print }' "$file" >"$file.tmp"
  printf '\n[dialogs]\ncapacity = 4096\nearly_timeout_s = 6\nmax_lifetime_s = %s\n' "${LIFETIME_S:-14400}" >>"$file.tmp"
  mv "$file.tmp" "$file"
}

# loads: "U1 U2 U3", the calls each server holds, from a counters block (stdin).
loads() {
  awk '/^load \(least-loaded/{s=1; next} /^[a-z]/{s=0}
       s && $1 == "set" { for (i = 1; i <= NF; i++) if ($i ~ /^calls=/) { split(substr($i, 7), a, "/"); printf "%s%s", sep, a[1]; sep = " " } }
       END { print "" }'
}
live_dialogs() { awk '$1 == "dialogs:" && $2 == "live" {print $3}'; }
ended() { awk -v r="$1" '$1 == "ended" && $2 == r {v = $3} END {print v + 0}'; }

# uac_in_background NAME PORT CALLS HOLD_MS [SCENARIO]: sipp callers from the client namespace
# (a port of their own, so that several run at once); sets BG_PID.
uac_in_background() {
  local name=$1 port=$2 calls=$3 hold=$4 scenario=${5:-$UAC_XML}
  (cd "$WORK" && exec timeout -k 5 $((hold / 1000 + 60)) ip netns exec "$LAB-c" sipp -sf "$scenario" "$LB_IP:5060" \
    -i "$CLIENT_IP" -p "$port" -m "$calls" -r 20 -d "$hold" -nostdin -timeout $((hold / 1000 + 50)) \
    >"$WORK/uac-$name.out" 2>&1) &
  BG_PID=$!
  E2E_PIDS+=("$BG_PID")
}
# calls_ok NAME / calls_failed NAME: sipp's final tallies.
calls_ok() { awk -F'|' '/Successful call/ {gsub(/ /, "", $3); v = $3} END {print v + 0}' "$WORK/uac-$1.out"; }
calls_failed() { awk -F'|' '/Failed call/ {gsub(/ /, "", $3); v = $3} END {print v + 0}' "$WORK/uac-$1.out"; }
wait_pid() {  # PID SECONDS WHAT
  local pid=$1
  gone() { ! kill -0 "$pid" 2>/dev/null; }
  wait_until "$2" "$3" gone
  wait "$pid" 2>/dev/null || true
}
loads_are() {  # "U1 U2 U3"
  [ "$(siplbd_counters | loads)" = "$1" ]
}
expect_loads() {  # "U1 U2 U3" WHAT
  wait_for 10 loads_are "$1" || fail "$2: loads $(siplbd_counters | loads), expected $1"
  log "$2: loads $1"
}

# --- HA pair helpers (perf/ha_failover.sh, perf/ha_soak.sh, tests/e2e/ha_soak.sh) --------------
# ha_pair_configs: $WORK/peer.key (private) and the configurations of the two nodes, as in
# tests/e2e/ha.sh: $WORK/a.toml (A: node 1, priority 200, on lb) and $WORK/b.toml (B: node 2,
# priority 100, on lbb), the VIP on their DPDK port, probing off, adaptive idle workers (two
# siplbd share the cores), one set over server 1, [peer] with the default HA timing. The text
# in HA_EXTRA_CONFIG (e.g. a [registrar]) is appended to both.
ha_pair_configs() {
  head -c 32 /dev/urandom | base64 >"$WORK/peer.key"
  chmod 600 "$WORK/peer.key"
  ha_pair_config "$WORK/a.toml" "$LB_IP" 1 200 "$LBK_IP" "$LBBK_IP"
  ha_pair_config "$WORK/b.toml" "$LBB_IP" 2 100 "$LBBK_IP" "$LBK_IP"
}
# ha_pair_config FILE ADDRESS NODE PRIORITY OWN_KERNEL PEER_KERNEL
ha_pair_config() {
  cat >"$1" <<EOC
[[interface]]
port = "net_${E2E_PMD}0"
address = "$2/24"
vip = "$VIP"

[probing]
enabled = false

[workers]
idle = "adaptive"

[[set]]
id = 1
[[set.destination]]
uri = "$(server_uri 1)"
state = "active"

[peer]
node_id = $3
priority = $4
address = "$5"
peer_address = "$6"
key_file = "$WORK/peer.key"
${HA_EXTRA_CONFIG:-}
EOC
  # A siplbd that wants the peer's node id named (peer_node_id, with the replication channel)
  # gets it; one that does not know the key is not given it.
  local check
  check=$("$SIPLBD" -- --check-config --config "$1" 2>&1) || true
  if grep -q 'peer_node_id is required' <<<"$check"; then
    sed -i "/^node_id = /a peer_node_id = $((3 - $3))" "$1"
  fi
}
# ha_private_executables: copies SIPLBD, UDP, PROBER and SIPLBCTL into $WORK/bin and uses those
# copies, so that a rebuild of the build folder during a long run does not mix versions.
ha_private_executables() {
  mkdir -p "$WORK/bin"
  cp "$SIPLBD" "$WORK/bin/siplbd"
  cp "$UDP" "$WORK/bin/siplb-udp-send"
  cp "$PROBER" "$WORK/bin/siplb-options-prober"
  cp "$SIPLBCTL" "$WORK/bin/siplbctl"
  log "executables copied to $WORK/bin: siplbd of $(date -r "$SIPLBD" '+%F %T') ($SIPLBD)"
  SIPLBD=$WORK/bin/siplbd
  UDP=$WORK/bin/siplb-udp-send
  PROBER=$WORK/bin/siplb-options-prober
  SIPLBCTL=$WORK/bin/siplbctl
}
# ha_sock A|B: the node's API socket.
ha_sock() { if [ "$1" = A ]; then echo "$WORK/siplbd.sock"; else echo "$WORK/siplbd-b.sock"; fi; }
# ha_status A|B: siplbctl --json ha status of the node (SIPLBCTL must be set); status 1 when it
# does not answer.
ha_status() {
  [ -n "${SIPLBCTL:-}" ] && [ -x "$SIPLBCTL" ] || fail "siplbctl executable not found (SIPLBCTL='${SIPLBCTL:-}')"
  "$SIPLBCTL" --socket "$(ha_sock "$1")" --json ha status 2>/dev/null
}
# ha_role A|B: the node's role ("" when it does not answer).
ha_role() {
  ha_status "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["role"])' 2>/dev/null || true
}
ha_role_is() { [ "$(ha_role "$1")" = "$2" ]; }
# ha_active_node: prints A or B when exactly one node is active and the other backup; status 1
# otherwise.
ha_active_node() {
  local a b
  a=$(ha_role A)
  b=$(ha_role B)
  if [ "$a" = active ] && [ "$b" = backup ]; then echo A
  elif [ "$a" = backup ] && [ "$b" = active ]; then echo B
  else return 1
  fi
}
# ha_start_node A|B: starts the node (start_siplbd / start_siplbd_b with its configuration).
ha_start_node() {
  if [ "$1" = A ]; then start_siplbd "$WORK/a.toml"; else start_siplbd_b "$WORK/b.toml"; fi
}
# ha_start_pair: A alone until it is active, then B until it is backup.
ha_start_pair() {
  ha_start_node A
  wait_until 15 "A to take the VIP" ha_role_is A active
  ha_start_node B
  wait_until 15 "B to join as backup" ha_role_is B backup
}
# ha_summary A|B: one line: the node's role, heartbeat counters and the HA thread's largest
# wake-up delay (since the node started), from siplbctl --json ha status.
ha_summary() {
  local json
  json=$(ha_status "$1") || { echo "$1: no answer to ha status"; return 0; }
  python3 -c '
import json, sys
n, s = sys.argv[1], json.loads(sys.argv[2])
c = s["counters"]
print("%s: role %s, heartbeats sent %d received %d lost %d refused %d, split brains %d, send errors %d, HA thread max wake-up delay %d us"
      % (n, s["role"], c["heartbeats_sent"], c["heartbeats_received"], c["heartbeats_lost"],
         c["heartbeats_refused"], c["split_brains"], c["send_errors"], c["max_wakeup_delay_us"]))' "$1" "$json"
}
