#!/usr/bin/env bash
# The siplb demo: run `tools/demo.sh` as root on a fresh Debian 12 machine (any cwd).
#
#  1. tools/install-deps.sh (Debian packages; does nothing when all are present)
#  2. builds siplbd in build/ (`meson setup build` when it is not configured yet)
#  3. makes a lab of network namespaces (tools/lab.sh) with a unique name: siplbd on a DPDK
#     net_af_packet port (10.77.0.1), a sipp caller (10.77.0.10), three sipp servers (10.77.0.11-13)
#  4. starts the servers and siplbd (tools/demo/demo.toml: maglev over the three, OPTIONS probes)
#     and waits until the probes have marked all three servers active
#  5. places calls through siplbd with sipp (default 300 calls at 50 per second, each held 500 ms;
#     ACK and BYE follow siplbd's Record-Route, tools/demo/uac.xml)
#  6. shows the destinations as siplbctl sees them on the running siplbd (its API socket and store
#     are in the demo's work folder), stops siplbd (SIGINT: it prints its counters) and prints a
#     summary: the caller's successful
#     and failed calls, and siplbd's calls per server, the replies it sent itself and its drops
#
# Everything it made is removed when it ends, however it ends (success, failure, Ctrl-C):
# processes, namespaces, /var/run/dpdk/<lab>, temporary files. Exits 0 when every call
# succeeded, 1 when a call failed, 2 when the demo could not run.
#
# Environment: SIPLB_DEMO_CALLS (300), SIPLB_DEMO_RATE (calls per second, 50), SIPLB_DEMO_HOLD_MS
# (500), SIPLB_DEMO_CONFIG (a siplbd configuration for the same lab addresses, default
# tools/demo/demo.toml), SIPLB_DEMO_WAIT (seconds to wait for the probes, 60), SIPLB_DEMO_BUILD
# (build folder, default build/), SIPLB_DEMO_JOBS (ninja -j), SIPLB_DEMO_KEEP=1 (keep the logs, in a folder it names).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
calls=${SIPLB_DEMO_CALLS:-300}
rate=${SIPLB_DEMO_RATE:-50}
hold_ms=${SIPLB_DEMO_HOLD_MS:-500}
config=${SIPLB_DEMO_CONFIG:-$repo/tools/demo/demo.toml}
probe_wait=${SIPLB_DEMO_WAIT:-60}
build=${SIPLB_DEMO_BUILD:-$repo/build}
servers=3

say() { printf '\n==== %s\n' "$*"; }
die() {
  echo "demo: $*" >&2
  exit 2
}

for v in calls rate probe_wait; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, got '${!v}'"
done
[[ "$hold_ms" =~ ^[0-9]+$ ]] || die "SIPLB_DEMO_HOLD_MS must be a number of milliseconds, got '$hold_ms'"
[ "$(id -u)" -eq 0 ] || die "run me as root (network namespaces, DPDK): sudo $0"
[ -f "$config" ] || die "configuration $config not found"
[ "$(nproc)" -ge 2 ] || die "siplbd needs 2 CPU cores (a main lcore and a worker), this machine has $(nproc)"

# ---- state for the cleanup
lab="dm$(($$ % 100000))"  # at most 8 characters (tools/lab.sh)
work=""
lab_made=0
siplbd_pid=""
pids=()

source "$(dirname "${BASH_SOURCE[0]}")/stop_pid.sh"

cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  [ -n "$siplbd_pid" ] && stop_pid "$siplbd_pid" INT
  local pid
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  [ "$lab_made" -eq 1 ] && "$repo/tools/lab.sh" down "$lab"
  rm -rf "/var/run/dpdk/$lab"
  if [ -n "$work" ]; then
    if [ -n "${SIPLB_DEMO_KEEP:-}" ]; then
      echo "demo: logs kept in $work"
    else
      rm -rf "$work"
    fi
  fi
  [ "$lab_made" -eq 1 ] && echo "demo: lab $lab removed"
  exit "$rc"
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted"; exit 130' INT
trap 'exit 143' TERM

# ---- 1. dependencies
say "install-deps"
"$repo/tools/install-deps.sh" || die "tools/install-deps.sh failed"

# ---- 2. build
say "build siplbd in $build"
if [ ! -f "$build/meson-private/coredata.dat" ]; then
  meson setup "$build" "$repo" || meson setup --wipe "$build" "$repo" || die "meson setup $build failed"
fi
ninja -C "$build" ${SIPLB_DEMO_JOBS:+-j "$SIPLB_DEMO_JOBS"} siplbd tools/siplbctl/siplbctl || die "building siplbd failed"
siplbd=$build/siplbd
[ -x "$siplbd" ] || die "$siplbd was not built"
"$siplbd" -- --config "$config" --check-config || die "siplbd rejects $config"

work=$(mktemp -d "${TMPDIR:-/tmp}/siplb-demo-$lab.XXXXXX")
log=$work/siplbd.log
# The demo's store and API socket live in its work folder (removed at the end), unless the
# configuration names its own.
run_config=$work/siplbd.toml
cp "$config" "$run_config"
grep -q '^\[store\]' "$config" || printf '\n[store]\ndir = "%s"\n' "$work/store" >>"$run_config"
grep -q '^\[api\]' "$config" || printf '\n[api]\nsocket = "%s"\n' "$work/siplbd.sock" >>"$run_config"
siplbctl() { "$build/tools/siplbctl/siplbctl" --socket "$(sed -n 's/^socket = "\(.*\)"/\1/p' "$run_config" | tail -n 1)" "$@"; }

# ---- 3. lab
say "lab $lab: siplbd 10.77.0.1, caller 10.77.0.10, servers 10.77.0.11-13"
ip netns list | grep -q "^$lab-" && die "namespaces of a lab named $lab exist already"
lab_made=1
"$repo/tools/lab.sh" up "$lab" "$servers"

# ---- 4. servers and siplbd
say "start $servers sipp servers and siplbd"
for i in $(seq 1 "$servers"); do
  (cd "$work" && exec ip netns exec "$lab-s$i" sipp -sf "$repo/tools/demo/uas.xml" -i "10.77.0.1$i" -p 5060 \
    -aa -nostdin >"$work/server$i.out" 2>&1) &
  pids+=("$!")
done
ip netns exec "$lab-lb" "$siplbd" -l 0-1 --no-huge -m 512 --no-pci --file-prefix "$lab" \
  --vdev net_af_packet0,iface=lb -- --config "$run_config" >"$log" 2>&1 &
siplbd_pid=$!

# Prints siplbd's new output lines about destinations as they come.
shown=0
show_progress() {
  local lines
  lines=$(grep -c '' "$log" 2>/dev/null || true)
  if [ "${lines:-0}" -gt "$shown" ]; then
    sed -n "$((shown + 1)),${lines}p" "$log" | grep -E '^siplbd: (interface|running|destination)' | sed 's/^/  /' || true
    shown=$lines
  fi
}
siplbd_failed() {
  echo "demo: siplbd stopped unexpectedly; its output:" >&2
  sed 's/^/  /' "$log" >&2
  exit 2
}
# The destinations' current states: the last line siplbd printed for each.
all_active() {
  local i state
  for i in $(seq 1 "$servers"); do
    state=$(grep "^siplbd: destination sip:10.77.0.1$i:5060 is " "$log" | tail -n 1 | awk '{print $NF}')
    [ "$state" = active ] || return 1
  done
}
echo "waiting (at most ${probe_wait}s) for siplbd's probes to mark the $servers servers active"
deadline=$((SECONDS + probe_wait))
until all_active; do
  kill -0 "$siplbd_pid" 2>/dev/null || siplbd_failed
  show_progress
  if [ "$SECONDS" -ge "$deadline" ]; then
    show_progress
    echo "demo: the servers were not all active after ${probe_wait}s; siplbd's output:" >&2
    sed 's/^/  /' "$log" >&2
    exit 2
  fi
  sleep 0.2
done
show_progress
echo "all $servers servers active"

# ---- 5. calls
say "$calls calls at $rate per second, each held ${hold_ms} ms"
call_limit=$((calls / rate + hold_ms / 1000 + 60))  # seconds; sipp gives up on calls after that
(cd "$work" && exec ip netns exec "$lab-c" sipp -sf "$repo/tools/demo/uac.xml" 10.77.0.1:5060 -i 10.77.0.10 \
  -p 5060 -m "$calls" -r "$rate" -d "$hold_ms" -nostdin -timeout "$call_limit" -timeout_error \
  -trace_stat -stf "$work/caller.csv" -fd 1 >"$work/caller.out" 2>&1) &
caller_pid=$!
pids+=("$caller_pid")
stat_of() {  # NAME: the cumulative value of a sipp statistic in the caller's final screen
  awk -F'|' -v k="$1" '$1 ~ k {gsub(/ /, "", $3); v = $3} END {print v + 0}' "$work/caller.out" 2>/dev/null || echo 0
}
progress() {  # the caller's statistics file (-trace_stat, one line a second)
  awk -F';' 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
    {o = $c["OutgoingCall(C)"]; s = $c["SuccessfulCall(C)"]; f = $c["FailedCall(C)"]}
    END {printf "%d placed, %d successful, %d failed", o, s, f}' "$work/caller.csv" 2>/dev/null || true
}
sipp_rc=0
last=""
while kill -0 "$caller_pid" 2>/dev/null; do
  kill -0 "$siplbd_pid" 2>/dev/null || siplbd_failed
  now=$(progress)
  if [ -n "$now" ] && [ "$now" != "$last" ]; then
    echo "  calls: $now"
    last=$now
  fi
  sleep 1
done
wait "$caller_pid" || sipp_rc=$?
ok=$(stat_of 'Successful call')
failed=$(stat_of 'Failed call')
placed=$(stat_of 'Outgoing calls created')
echo "  calls: $placed placed, $ok successful, $failed failed (sipp exit status $sipp_rc)"
say "siplbctl dest list (the operator's view of the running siplbd)"
siplbctl dest list | sed 's/^/  /' || echo "  (siplbctl could not reach siplbd)"

# ---- 6. stop siplbd, summary
kill -0 "$siplbd_pid" 2>/dev/null || siplbd_failed
stop_pid "$siplbd_pid" INT
siplbd_pid=""
rm -rf "/var/run/dpdk/$lab"
counters=$(awk '/^=== siplb counters/{buf=""; on=1} on{buf=buf $0 "\n"} /^probes: sent/{if (on) last=buf; on=0} END{printf "%s", last}' "$log")
[ -n "$counters" ] || { echo "demo: siplbd printed no counters at exit" >&2; siplbd_failed; }
value() { printf '%s\n' "$counters" | awk -v k="$1" '$1 == k {print $2 + 0}'; }

say "summary"
algorithm=$(sed -n 's/^algorithm *= *"\{0,1\}\([^" ]*\)"\{0,1\}.*/\1/p' "$config" | head -n 1)
echo "sipp caller:  $placed calls placed, $ok successful, $failed failed (wanted $calls)"
echo "siplbd (${algorithm:-maglev} over $servers servers), new calls per server (requests forwarded by selection):"
printf '%s\n' "$counters" | awk '
  $1 == "set" { uri[++n] = $3; st[n] = $4; c[n] = $NF; total += $NF }
  END { for (i = 1; i <= n; i++) printf "  %-22s %s  %6d  (%5.1f%%)\n", uri[i], st[i], c[i], total ? 100 * c[i] / total : 0 }'
echo "  requests forwarded $(value forwarded_requests), responses forwarded $(value forwarded_responses)," \
  "probes sent $(value probes_sent), answered $(value probe_answers)"
replies=$(printf '%s\n' "$counters" | awk '/^replies sent by siplb:/{s=1; next} /^[a-z]/{s=0} s && NF {printf "%s x%s  ", $1, $2}')
echo "replies siplbd sent itself: ${replies:-none}"
echo "drops by reason:"
drops=$(printf '%s\n' "$counters" | sed -n '/^drops by reason:/,/^probes:/p' | grep -v '^drops by reason:\|^probes:' || true)
if [ -n "$drops" ]; then printf '%s\n' "$drops"; else echo "  none"; fi
echo "  (not_ethernet_ipv4_or_arp, ipv6_*/ndp_*, ip_options and icmp_unhandled are the lab's own" \
  "background: IPv6 router and neighbour solicitations, IGMP, ICMP port unreachable)"
if [ "$ok" -eq "$calls" ] && [ "$failed" -eq 0 ]; then
  echo
  echo "demo: PASS: all $calls calls succeeded through siplbd"
  exit 0
fi
echo
echo "demo: FAIL: $ok of $calls calls succeeded, $failed failed (sipp exit status $sipp_rc)"
echo "---- the caller's last screen"
tail -n 40 "$work/caller.out"
exit 1
