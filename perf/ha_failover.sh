#!/usr/bin/env bash
# Failover time of the HA pair, repeated: the outage a SIP client sees when the active siplbd is
# killed with SIGKILL, and when its link is cut. One pair lab (tools/lab.sh, LAB_PAIR=1; set up
# as in tests/e2e/ha.sh): A (namespace lb, priority 200) and B (lbb, priority 100) share the VIP
# 10.77.0.100 with the default HA timing (heartbeats every 5 ms, dead after 30 ms), workers
# idle = "adaptive". Each measurement is one siplb-options-prober run of ~2 s (an OPTIONS to the
# VIP every 5 ms): the prober starts, its first answer arrives, 0.5 s later the event, then the
# wait for the other node to be active, then the prober ends. The outage is its longest_gap_ms
# (the longest time between two answered probes); a run whose last answer came more than 100 ms
# before the prober's end (tail_gap_ms) failed: the VIP stopped answering.
#   kills: the active node (whichever it is) gets SIGKILL; once the other has taken over and the
#          prober has ended, the killed node is started again and rejoins as backup; the next
#          kill waits until it is backup and the pair has been stable ~1 s. The active side
#          alternates as it happens (no failback).
#   link cuts: the active's veth is set down on the lab bridge (ip -n LAB-fab link set p-lb
#          down, or p-lbb); once the other has taken over and the prober has ended, the link
#          comes back, both are active for a moment, and the pair settles (the higher priority,
#          A, stays active); the next cut waits for exactly one active, the other backup, ~1 s.
# Every outage is printed, then "kill: min X median Y max Z ms (N runs)" and the same for
# "link:", with the machine and the exact command. Exit status 1 when a run failed.
# Everything it makes (namespaces, processes, DPDK runtime folders, the work folder) is removed
# on exit, also on Ctrl-C (tests/e2e/lib.sh).
#
#   perf/ha_failover.sh [-b BUILD] [-k KILLS] [-l LINK_CUTS] [-p PROBE_MS]
#
#   -b BUILD      meson build folder with siplbd, tools/siplb-udp-send,
#                 tools/siplb-options-prober and tools/siplbctl/siplbctl (default: build, or
#                 $SIPLB_BUILD; $SIPLBCTL overrides siplbctl)
#   -k KILLS      kill -9 measurements (default 20; 0: none)
#   -l LINK_CUTS  link-cut measurements (default 20; 0: none)
#   -p PROBE_MS   each prober run's duration (default 2000)
#
# Environment: E2E_KEEP=1 keeps the work folder (siplbd logs, prober outputs). Needs root
# (namespaces, DPDK af_packet), sipp installed (tests/e2e/lib.sh checks for it), python3.
# The figures depend on the machine: on a 2-core VM the two siplbd, the prober and the
# namespaces' softirqs share the cores.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SIPLB_BUILD:-$repo/build}
kills=20
cuts=20
probe_ms=2000
command_line="$0 $*"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }
while getopts "b:k:l:p:h" opt; do
  case $opt in
    b) build=$OPTARG ;;
    k) kills=$OPTARG ;;
    l) cuts=$OPTARG ;;
    p) probe_ms=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { usage >&2; exit 2; }
for v in "$kills" "$cuts" "$probe_ms"; do
  [[ $v =~ ^[0-9]+$ ]] || { echo "ha_failover.sh: not a number: $v" >&2; exit 2; }
done
((probe_ms >= 1000)) || { echo "ha_failover.sh: -p must be at least 1000" >&2; exit 2; }
export SIPLBCTL=${SIPLBCTL:-$build/tools/siplbctl/siplbctl}
for exe in "$build/siplbd" "$build/tools/siplb-udp-send" "$build/tools/siplb-options-prober" "$SIPLBCTL"; do
  [ -x "$exe" ] || { echo "ha_failover.sh: $exe not found (ninja -C $build -j1 siplbd tools/siplb-udp-send tools/siplb-options-prober tools/siplbctl/siplbctl)" >&2; exit 2; }
done
command -v python3 >/dev/null || { echo "ha_failover.sh: needs python3" >&2; exit 2; }

# shellcheck source=../tests/e2e/lib.sh
source "$repo/tests/e2e/lib.sh"
export LAB_PAIR=1
e2e_init f "$build/siplbd" "$build/tools/siplb-udp-send" "$build/tools/siplb-options-prober"

cpu_model=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
machine="$(nproc) cores, ${cpu_model:-unknown CPU}, kernel $(uname -r)"
echo "ha_failover.sh: $command_line"
echo "ha_failover.sh: machine: $machine"

ha_private_executables
lab_up 1
ha_pair_configs
ha_start_pair
log "A active, B backup"

other() { if [ "$1" = A ]; then echo B; else echo A; fi; }
kill_node() {  # A|B: SIGKILL, reaped; its pid forgotten (the lib would stop it again)
  if [ "$1" = A ]; then
    kill -KILL "$SIPLBD_PID"; wait "$SIPLBD_PID" 2>/dev/null || true; SIPLBD_PID=""
    rm -rf "/var/run/dpdk/$LAB"
  else
    kill -KILL "$SIPLBD_B_PID"; wait "$SIPLBD_B_PID" 2>/dev/null || true; SIPLBD_B_PID=""
    rm -rf "/var/run/dpdk/${LAB}b"
  fi
}
node_alive() { if [ "$1" = A ]; then siplbd_alive; else siplbd_b_alive; fi; }
link_of() { if [ "$1" = A ]; then echo p-lb; else echo p-lbb; fi; }

now_ms() { date +%s%3N; }
# The pair as it should be between runs: exactly one active, the other backup, for ~1 s, and the
# VIP answering (a prober until its first answer; a VIP whose clients still send to the MAC of
# the node that stepped down stays silent until their ARP entry is renewed: reported).
settle() {
  local what=$1 first t0 waited
  wait_for 15 ha_active_node >/dev/null || fail "$what: the pair did not settle (A $(ha_role A), B $(ha_role B))"
  first=$(ha_active_node)
  sleep 1
  [ "$(ha_active_node || true)" = "$first" ] || fail "$what: the pair changed roles while settling (A $(ha_role A), B $(ha_role B))"
  CHECKS=$((CHECKS + 1))
  t0=$(now_ms)
  start_prober "check-$CHECKS" 30000
  wait_for 30 test -f "$WORK/prober-check-$CHECKS.ready" || true
  waited=$(($(now_ms) - t0))
  stop_prober "check-$CHECKS"
  [ -f "$WORK/prober-check-$CHECKS.ready" ] || fail "$what: the VIP does not answer (roles: $first active)"
  if ((waited > 1000)); then
    log "  $what: roles settled ($first active) but the VIP answered only after $waited ms"
    SILENT_VIPS=$((SILENT_VIPS + 1))
  fi
}
CHECKS=0
SILENT_VIPS=0

# measure NAME EVENT...: one prober run with EVENT 0.5 s after its first answer; sets OUTAGE,
# EVENT_MS, EVENT_DONE (0: the VIP did not answer before, the event was not made) and RUN_OK (0
# when the VIP stopped answering, no probe was answered, or EVENT failed) and RUN_NOTE.
measure() {
  local name=$1
  shift
  RUN_OK=1
  RUN_NOTE=""
  EVENT_DONE=0
  EVENT_MS=""
  OUTAGE=-1
  start_prober "$name" "$probe_ms"
  if ! wait_for 10 test -f "$WORK/prober-$name.ready"; then
    stop_prober "$name"
    RUN_OK=0
    RUN_NOTE="the VIP did not answer before the event (no event made)"
    return 0
  fi
  sleep 0.5
  EVENT_MS=$(now_ms)
  EVENT_DONE=1
  "$@" || { RUN_OK=0; RUN_NOTE="no takeover within 5 s"; }
  wait_prober "$name" 30
  local answered tail
  answered=$(prober_value "$name" answered)
  OUTAGE=$(prober_gap "$name")
  tail=$(prober_value "$name" tail_gap_ms)
  if [ "$answered" -le 0 ]; then RUN_OK=0; RUN_NOTE="no probe answered"
  elif [ "$tail" -ge 100 ]; then RUN_OK=0; RUN_NOTE="the VIP stopped answering (last answer $tail ms before the end)"
  fi
}

# Role changes since the previous report, from both nodes' ha status (at_ms), relative to the
# event: "B backup->active (peer_dead) +31". transitions_since SINCE_MS EVENT_MS; sets
# ROLE_LOG (one line) and EARLY (changes before the event) and COUNT_A / COUNT_B.
transitions_since() {
  local since=$1 event=$2 n json out
  ROLE_LOG=""
  EARLY=0
  COUNT_A=0
  COUNT_B=0
  for n in A B; do
    json=$(ha_status "$n") || continue
    out=$(python3 -c '
import json, sys
n, s, since, event = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ts = [t for t in s["transitions"] if t["at_ms"] >= since]
early = sum(1 for t in ts if t["at_ms"] < event and t["reason"] != "startup")
print(len(ts), early, "; ".join("%s %s->%s (%s) %+d ms" % (n, t["from"], t["to"], t["reason"], t["at_ms"] - event) for t in ts))' \
      "$n" "$json" "$since" "$event")
    local count early text
    read -r count early text <<<"$out"
    EARLY=$((EARLY + early))
    if [ "$n" = A ]; then COUNT_A=$count; else COUNT_B=$count; fi
    [ -z "$text" ] || ROLE_LOG="${ROLE_LOG:+$ROLE_LOG; }$text"
  done
}

kill_outages=()
link_outages=()
failed_runs=0
odd_runs=0

# report KIND I N ACTIVE WHAT MAX_ACTIVE_CHANGES MAX_OTHER_CHANGES: one line per run; a run with
# role changes before the event or more than expected is counted as odd and its changes printed.
report() {
  local kind=$1 i=$2 n=$3 act=$4 what=$5 max_act=$6 max_other=$7 odd="" act_count other_count
  transitions_since "$MARK_MS" "${EVENT_MS:-$(now_ms)}"
  if [ "$act" = A ]; then act_count=$COUNT_A; other_count=$COUNT_B; else act_count=$COUNT_B; other_count=$COUNT_A; fi
  if ((EARLY > 0 || act_count > max_act || other_count > max_other)); then
    odd=" [unexpected role changes: $ROLE_LOG]"
    odd_runs=$((odd_runs + 1))
  fi
  if ((RUN_OK)); then
    log "$kind $i/$n: $what: outage $OUTAGE ms$odd"
  else
    failed_runs=$((failed_runs + 1))
    log "$kind $i/$n: $what: FAILED: $RUN_NOTE (longest gap $OUTAGE ms)$odd"
    [ -n "$odd" ] || log "  role changes: ${ROLE_LOG:-none}"
  fi
  MARK_MS=$(now_ms)
}
MARK_MS=$(now_ms)

kill_event() {  # ACTIVE
  kill_node "$1"
  wait_for 5 ha_role_is "$(other "$1")" active
}
for ((i = 1; i <= kills; ++i)); do
  settle "before kill $i"
  act=$(ha_active_node)
  measure "kill-$i" kill_event "$act"
  if ((EVENT_DONE)); then
    ha_start_node "$act"
    wait_until 15 "$act to rejoin as backup" ha_role_is "$act" backup
  fi
  # Expected: the survivor backup->active (peer_dead); the restarted node joining->backup.
  ((RUN_OK)) && kill_outages+=("$OUTAGE")
  report kill "$i" "$kills" "$act" "$act killed, $(other "$act") took over" 1 1
done

cut_event() {  # ACTIVE
  ip -n "$LAB-fab" link set "$(link_of "$1")" down
  wait_for 5 ha_role_is "$(other "$1")" active
}
for ((i = 1; i <= cuts; ++i)); do
  settle "before link cut $i"
  act=$(ha_active_node)
  measure "link-$i" cut_event "$act"
  ip -n "$LAB-fab" link set "$(link_of "$act")" up
  node_alive A || fail "A exited during link cut $i (see its log)"
  node_alive B || fail "B exited during link cut $i (see its log)"
  wait_for 15 ha_active_node >/dev/null || true
  # Expected: the other backup->active (peer_dead), and after the heal the split brain settled:
  # one active->backup (split_brain_lost), the winner's active->active (split_brain_won).
  ((RUN_OK)) && link_outages+=("$OUTAGE")
  report link "$i" "$cuts" "$act" "$act's link cut, $(other "$act") took over" 2 2
done
((cuts == 0)) || settle "after the last link cut"

# summary NAME OUTAGES...: "NAME: min X median Y max Z ms (N runs)"
summary() {
  local name=$1
  shift
  if [ $# -eq 0 ]; then echo "$name: no successful run"; return; fi
  printf '%s\n' "$@" | sort -n | awk -v name="$name" '
    { v[NR] = $1 }
    END {
      med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%s: min %d median %g max %d ms (%d runs)\n", name, v[1], med, v[NR], NR
    }'
}
echo
echo "ha_failover.sh: $command_line"
echo "machine: $machine"
echo "outage = longest gap between answered OPTIONS to the VIP (one every 5 ms), default HA timing"
((kills == 0)) || { echo "kill outages (ms): ${kill_outages[*]:-}"; summary kill ${kill_outages[@]+"${kill_outages[@]}"}; }
((cuts == 0)) || { echo "link outages (ms): ${link_outages[*]:-}"; summary link ${link_outages[@]+"${link_outages[@]}"}; }
for n in A B; do ha_summary "$n"; done
echo "runs with unexpected role changes (false takeovers, flaps): $odd_runs; times the VIP stayed silent > 1 s after the roles settled: $SILENT_VIPS"
if ((failed_runs > 0 || odd_runs > 0)); then
  echo "ha_failover.sh: $failed_runs run(s) FAILED, $odd_runs with unexpected role changes (see above)"
  E2E_FAILED=1
  exit 1
fi
