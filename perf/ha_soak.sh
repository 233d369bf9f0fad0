#!/usr/bin/env bash
# False-takeover soak of the HA pair: nothing fails, yet a node that misses the peer's heartbeats
# for the dead time (30 ms by default) takes over on its own. This runs the pair for a while on
# saturated cores and counts the role changes, which must be none.
# One pair lab (tools/lab.sh, LAB_PAIR=1; set up as in tests/e2e/ha.sh): A (namespace lb,
# priority 200) and B (lbb, priority 100) share the VIP 10.77.0.100 with the default HA timing
# (heartbeats every 5 ms, dead after 30 ms), workers idle = "adaptive", and a [registrar] domain
# load.example.com. Once A is active and B backup, for SECONDS:
#   - every core is kept busy by other work: stress-ng --cpu when installed, otherwise busy
#     loops (yes >/dev/null), two per core by default, outside the namespaces at normal priority;
#   - siplb-options-prober sends an OPTIONS to the VIP every 5 ms (its longest gap is printed);
#   - sipp registers users of load.example.com through the VIP at RATE REGISTER/s
#     (tests/e2e/scenarios/register_load.xml, Expires 60: the bindings also expire), which keeps
#     the active's dataplane, control threads and store busy.
# Every ~10% of the run the roles are printed. At the end: the role changes of each node after
# the startup ones ("siplbd: ha: X -> Y" lines in its log, and the ha status transitions since
# the soak began), the heartbeats sent, received and lost during the soak, the HA thread's
# largest wake-up delay (max_wakeup_delay_us, since the node started), how idle the cores were,
# the prober's figures and sipp's. Exit status 1 when a node changed role, a node exited, or the
# VIP stopped answering.
# Everything it makes (namespaces, processes, the busy loops, DPDK runtime folders, the work
# folder) is removed on exit, also on Ctrl-C (tests/e2e/lib.sh).
#
#   perf/ha_soak.sh [-b BUILD] [-d SECONDS] [-r RATE] [-j LOADERS] [SIPLBD UDP_SEND PROBER]
#
#   -b BUILD     meson build folder with siplbd, tools/siplb-udp-send,
#                tools/siplb-options-prober and tools/siplbctl/siplbctl (default: build, or
#                $SIPLB_BUILD; $SIPLBCTL overrides siplbctl)
#   -d SECONDS   the soak's length (default 600)
#   -r RATE      REGISTER/s of the sipp load (default 50; 0: no sipp load)
#   -j LOADERS   busy processes (default two per core: 2 x nproc; 0: no CPU load)
#   SIPLBD UDP_SEND PROBER   the executables, as the e2e tests take them (tests/e2e/ha_soak.sh
#                runs this script so, for 30 s); without them, those of BUILD
#
# Environment: E2E_KEEP=1 keeps the work folder (siplbd logs, prober and sipp outputs). Needs
# root (namespaces, DPDK af_packet), sipp, python3.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SIPLB_BUILD:-$repo/build}
duration=600
rate=50
loaders=$((2 * $(nproc)))
command_line="$0 $*"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }
while getopts "b:d:r:j:h" opt; do
  case $opt in
    b) build=$OPTARG ;;
    d) duration=$OPTARG ;;
    r) rate=$OPTARG ;;
    j) loaders=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
for v in "$duration" "$rate" "$loaders"; do
  [[ $v =~ ^[0-9]+$ ]] || { echo "ha_soak.sh: not a number: $v" >&2; exit 2; }
done
((duration >= 5)) || { echo "ha_soak.sh: -d must be at least 5" >&2; exit 2; }
if [ $# -eq 3 ]; then
  exes=("$1" "$2" "$3")
  export SIPLBCTL=${SIPLBCTL:-$(dirname "$1")/tools/siplbctl/siplbctl}
elif [ $# -eq 0 ]; then
  exes=("$build/siplbd" "$build/tools/siplb-udp-send" "$build/tools/siplb-options-prober")
  export SIPLBCTL=${SIPLBCTL:-$build/tools/siplbctl/siplbctl}
else
  usage >&2
  exit 2
fi
for exe in "${exes[@]}" "$SIPLBCTL"; do
  [ -x "$exe" ] || { echo "ha_soak.sh: $exe not found (ninja -C $build -j1 siplbd tools/siplb-udp-send tools/siplb-options-prober tools/siplbctl/siplbctl)" >&2; exit 2; }
done
command -v python3 >/dev/null || { echo "ha_soak.sh: needs python3" >&2; exit 2; }

# shellcheck source=../tests/e2e/lib.sh
source "$repo/tests/e2e/lib.sh"
export LAB_PAIR=1
e2e_init s "${exes[@]}"

cpu_model=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
machine="$(nproc) cores, ${cpu_model:-unknown CPU}, kernel $(uname -r)"
log "$command_line"
log "machine: $machine"

ha_private_executables
lab_up 1
HA_EXTRA_CONFIG='
[registrar]
domains = ["load.example.com"]
aors = 65536
contacts = 65536'
ha_pair_configs
ha_start_pair
sleep 1
ha_active_node >/dev/null || fail "the pair is not settled: A $(ha_role A), B $(ha_role B)"
log "A active, B backup; the soak starts: ${duration} s"

# Role changes so far: the startup ones (A joining -> active, B joining -> backup).
role_lines() { grep -c 'siplbd: ha: [a-z_]* -> ' "$1" || true; }
a_lines0=$(role_lines "$SIPLBD_LOG")
b_lines0=$(role_lines "$SIPLBD_B_LOG")
a_status0=$(ha_status A) || fail "A does not answer ha status"
b_status0=$(ha_status B) || fail "B does not answer ha status"
soak_start_ms=$(date +%s%3N)
cpu_times() { awk '/^cpu / {idle = $5 + $6; total = 0; for (i = 2; i <= NF; i++) total += $i; print idle, total}' /proc/stat; }
cpu0=$(cpu_times)

# Other work on every core.
loaders_pids=()
if ((loaders > 0)); then
  if command -v stress-ng >/dev/null; then
    stress-ng --cpu "$loaders" --timeout "$((duration + 30))s" --quiet >/dev/null 2>&1 &
    loaders_pids+=("$!")
    log "CPU load: stress-ng --cpu $loaders"
  else
    for ((i = 0; i < loaders; ++i)); do
      yes >/dev/null &
      loaders_pids+=("$!")
    done
    log "CPU load: $loaders busy loops (yes >/dev/null; stress-ng is not installed)"
  fi
fi
E2E_PIDS+=(${loaders_pids[@]+"${loaders_pids[@]}"})

start_prober soak $((duration * 1000))
register_pid=""
if ((rate > 0)); then
  users=$((rate * duration))
  (cd "$WORK" && exec timeout -k 5 $((duration + 60)) ip netns exec "$LAB-c" sipp \
    -sf "$repo/tests/e2e/scenarios/register_load.xml" "$VIP:5060" -i "$CLIENT_IP" -p 5070 \
    -m "$users" -r "$rate" -key expires 60 -nostdin -timeout $((duration + 50)) -recv_timeout 2000 \
    >"$WORK/uac-register.out" 2>&1) &
  register_pid=$!
  E2E_PIDS+=("$register_pid")
  log "SIP load: OPTIONS to the VIP every 5 ms, $rate REGISTER/s ($users users of load.example.com, Expires 60)"
else
  log "SIP load: OPTIONS to the VIP every 5 ms"
fi
wait_prober_ready soak 15

step=$((duration / 10 < 10 ? 10 : duration / 10))
next=$((SECONDS + step))
start_s=$SECONDS
while kill -0 "${PROBER_PID[soak]}" 2>/dev/null; do
  siplbd_alive || fail "A exited during the soak (see its log)"
  siplbd_b_alive || fail "B exited during the soak (see its log)"
  if ((SECONDS >= next)); then
    log "$((SECONDS - start_s)) s: A $(ha_role A), B $(ha_role B)"
    next=$((SECONDS + step))
  fi
  sleep 1
done
wait_prober soak 30
cpu1=$(cpu_times)
if [ -n "$register_pid" ]; then wait_for 30 bash -c "! kill -0 $register_pid 2>/dev/null" || true; fi
for pid in ${loaders_pids[@]+"${loaders_pids[@]}"} ${register_pid:+"$register_pid"}; do stop_pid "$pid"; done
siplbd_alive || fail "A exited during the soak (see its log)"
siplbd_b_alive || fail "B exited during the soak (see its log)"

# ---- Results ----------------------------------------------------------------------------------
a_changes=$(($(role_lines "$SIPLBD_LOG") - a_lines0))
b_changes=$(($(role_lines "$SIPLBD_B_LOG") - b_lines0))
a_status1=$(ha_status A) || fail "A does not answer ha status"
b_status1=$(ha_status B) || fail "B does not answer ha status"
# soak_figures BEFORE AFTER: "TRANSITIONS SENT RECEIVED LOST" during the soak, and the HA
# thread's largest wake-up delay before the soak and at its end.
soak_figures() {
  python3 -c '
import json, sys
a, b, since = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
t = sum(1 for x in b["transitions"] if x["at_ms"] >= since)
d = lambda k: b["counters"][k] - a["counters"][k]
print(t, d("heartbeats_sent"), d("heartbeats_received"), d("heartbeats_lost"),
      a["counters"]["max_wakeup_delay_us"], b["counters"]["max_wakeup_delay_us"])' "$1" "$2" "$soak_start_ms"
}
read -r a_trans a_sent a_recv a_lost a_wake0 a_wake1 < <(soak_figures "$a_status0" "$a_status1")
read -r b_trans b_sent b_recv b_lost b_wake0 b_wake1 < <(soak_figures "$b_status0" "$b_status1")
idle_pct=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%.1f", 100 * (y[1] - x[1]) / (y[2] - x[2]) }')

echo
echo "ha_soak.sh: $command_line"
echo "machine: $machine; cores idle during the soak: $idle_pct% (load: $loaders busy processes)"
echo "soak: ${duration} s, default HA timing (heartbeats every 5 ms, dead after 30 ms)"
echo "role changes after startup: A $a_changes, B $b_changes (log lines); ha status transitions during the soak: A $a_trans, B $b_trans"
echo "heartbeats during the soak: A sent $a_sent received $a_recv lost $a_lost; B sent $b_sent received $b_recv lost $b_lost"
echo "HA thread max wake-up delay: A $a_wake0 us before the soak, $a_wake1 us at its end; B $b_wake0 us before, $b_wake1 us at the end"
for n in A B; do ha_summary "$n"; done
sent=$(prober_value soak sent)
answered=$(prober_value soak answered)
gap=$(prober_gap soak)
gap_at=$(prober_value soak gap_start_ms)
tail_gap=$(prober_value soak tail_gap_ms)
gaps_over=$(grep -c '^gap ' "$WORK/prober-soak.out" || true)
echo "prober: sent $sent answered $answered, longest gap $gap ms (at $gap_at ms), $gaps_over gap(s) over 50 ms, tail gap $tail_gap ms"
if [ -n "$register_pid" ]; then
  echo "sipp REGISTER load: $(calls_ok register) registered, $(calls_failed register) failed (of $users)"
fi
grep -h 'siplbd: ha: [a-z_]* -> ' "$SIPLBD_LOG" | tail -n +$((a_lines0 + 1)) | sed 's/^/A: /'
grep -h 'siplbd: ha: [a-z_]* -> ' "$SIPLBD_B_LOG" | tail -n +$((b_lines0 + 1)) | sed 's/^/B: /'

status=0
if ((a_changes + b_changes + a_trans + b_trans > 0)); then
  echo "ha_soak.sh: FAIL: a node changed role during the soak (a false takeover)"
  status=1
fi
ha_active_node >/dev/null || { echo "ha_soak.sh: FAIL: at the end: A $(ha_role A), B $(ha_role B)"; status=1; }
if ((answered == 0)) || ((tail_gap >= 500)); then
  echo "ha_soak.sh: FAIL: the VIP stopped answering (answered $answered, last answer $tail_gap ms before the end)"
  status=1
fi
if ((status == 0)); then
  log "PASS: no role change in ${duration} s on saturated cores"
else
  E2E_FAILED=1
fi
exit "$status"
