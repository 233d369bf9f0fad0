#!/usr/bin/env bash
# Whole-process packets/sec of siplbd: siplbd on a net_memif server port, siplb-trafgen on the
# memif client end playing the SIP client (10.0.0.10) and four SIP servers (10.0.0.11..14).
# For each worker count: one run as fast as siplbd takes packets (throughput), then one at a
# fixed share of that rate (latency below saturation). Every process, socket and DPDK runtime
# folder it creates is removed on exit, also on Ctrl-C.
#
#   perf/whole_process.sh [-b BUILD] [-d SECONDS] [-w "1 2"] [-f] [-c CPUS] [-n REPEAT]
#                         [-l PERCENT] [-t ENTRIES] [-j FILE]
#
#   -b BUILD    meson build folder with siplbd and tools/siplb-trafgen (default: build, or
#               $SIPLB_BUILD)
#   -d SECONDS  measured seconds per run (default 10; a 1 s warm-up comes first)
#   -w LIST     siplbd worker counts to try (default "1 2"); a count the machine has too few
#               cores for is skipped with a note, unless -f
#   -f          run worker counts even without enough cores (threads share cores: the figures
#               then measure the scheduler more than siplbd)
#   -c CPUS     the cores to use, in layout order, e.g. "2,4,6,8,10" (default: every core the
#               script may run on); see the core layout below
#   -n REPEAT   runs per configuration (default 1); every run is printed, the summary keeps the
#               one with the highest forwarded rate
#   -l PERCENT  offered rate of the latency run, in percent of the measured throughput
#               (default 50; 0: no latency run)
#   -t ENTRIES  siplbd [tables] transactions (default: siplbd's default)
#   -j FILE     also write every run's trafgen JSON object, one per line, to FILE
#
# Environment: EAL_MEM (EAL memory options of both processes, default "--no-huge -m 512";
# e.g. "--socket-mem 1024" with hugepages), SIPLBD_EXTRA / TRAFGEN_EXTRA (more options after
# "--" of each). Needs root (memif socket in /run, DPDK runtime folders in /var/run/dpdk).
#
# Core layout for W workers on the N cores of CPUS = c0,c1,... (EAL --lcores): siplbd's main
# lcore on c0 (it sleeps most of the time), its workers on c1..cW, trafgen (W lcores, one memif
# queue pair per worker, since memif has no RSS) on cW+1..c2W. That needs 2W+1 cores; with W = 1
# on a 2-core machine trafgen shares c0 with siplbd's main lcore, which the output says.
#
# On a bigger machine: give -c cores of one NUMA node, no SMT siblings of each other, away from
# interrupts and other load (isolcpus/nohz_full help), e.g. -c 2,4,6,8,10,12,14 -w "1 2 3"; use
# hugepages (EAL_MEM="--socket-mem 2048,0" after reserving them) and -n 3. memif copies every
# packet once per direction on each side, so the figures include that cost; a real NIC setup
# (siplbd on a vfio-pci port, trafgen on a cabled port: TRAFGEN_EXTRA, its --port) avoids it.
#
# memif caveat (DPDK 22.11): when one end disconnects, the other end's PMD unmaps the rings while
# its lcores may still poll them (SIGSEGV in eth_memif_rx). So trafgen reports, then holds its
# port without polling (--hold) until siplbd has stopped, and is stopped last.
#
# Shared or virtual machines: other load lowers the wall-clock rates a lot from run to run; the
# ns/pkt column (worker CPU time per packet) is steadier. Use -n 3 or more.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SIPLB_BUILD:-$repo/build}
duration=10
warmup=1
drain=1
workers_list="1 2"
force=0
repeat=1
latency_pct=50
transactions=""
json_out=""
cpus=""
eal_mem=${EAL_MEM:---no-huge -m 512}

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }
while getopts "b:d:w:fc:n:l:t:j:h" opt; do
  case $opt in
    b) build=$OPTARG ;;
    d) duration=$OPTARG ;;
    w) workers_list=$OPTARG ;;
    f) force=1 ;;
    c) cpus=$OPTARG ;;
    n) repeat=$OPTARG ;;
    l) latency_pct=$OPTARG ;;
    t) transactions=$OPTARG ;;
    j) json_out=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

siplbd=$build/siplbd
trafgen=$build/tools/siplb-trafgen
for exe in "$siplbd" "$trafgen"; do
  [ -x "$exe" ] || { echo "whole_process.sh: $exe not found (build it: ninja -C $build siplbd tools/siplb-trafgen)" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "whole_process.sh: needs root (memif socket, /var/run/dpdk)" >&2; exit 2; }
if ! [[ $duration =~ ^[0-9]+(\.[0-9]+)?$ && $repeat =~ ^[1-9][0-9]*$ && $latency_pct =~ ^[0-9]+$ ]]; then
  echo "whole_process.sh: bad -d, -n or -l value" >&2
  exit 2
fi

# ---- Clean-up of everything this script starts ------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/siplb-whole.XXXXXX")
pids=()      # processes we started
sockets=()   # memif sockets
prefixes=()  # EAL --file-prefix values
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local pid p
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  for p in "${sockets[@]}"; do rm -f "$p"; done
  for p in "${prefixes[@]}"; do rm -rf "/var/run/dpdk/$p"; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "whole_process.sh: interrupted" >&2; exit 130' INT TERM

# ---- Machine ----------------------------------------------------------------------------------
# The cores, in layout order.
if [ -z "$cpus" ]; then
  cpus=$(taskset -pc $$ 2>/dev/null | sed 's/.*: *//') || cpus=""
  [ -n "$cpus" ] || cpus="0-$(($(nproc) - 1))"
fi
core=()
for part in ${cpus//,/ }; do
  if [[ $part =~ ^([0-9]+)-([0-9]+)$ ]]; then
    for c in $(seq "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"); do core+=("$c"); done
  elif [[ $part =~ ^[0-9]+$ ]]; then
    core+=("$part")
  else
    echo "whole_process.sh: bad -c list '$cpus'" >&2
    exit 2
  fi
done
ncpu=${#core[@]}
model=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
echo "== siplbd whole-process benchmark (siplbd <-> net_memif <-> siplb-trafgen)"
echo "machine: $model, $(nproc) core(s) online; using $ncpu: ${core[*]}; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
busy=$(ps -eo pcpu=,comm= --sort=-pcpu | awk '$1 >= 20 {printf "%s%s (%s%%)", sep, $2, $1; sep=", "}')
[ -n "$busy" ] && echo "note: other busy processes now: $busy -- they share the cores and lower the figures"
echo "mix: INVITE (643-octet frame, SDP) / ACK / BYE from 10.0.0.10, 200 OK to the BYE from 10.0.0.11..14; one call per 4 packets"
echo "memory: $eal_mem; measured $duration s per run after ${warmup} s warm-up"
echo

json_num() {  # json_num KEY FILE: the first number after "KEY": in FILE
  grep -o "\"$1\":[-0-9.e+]*" "$2" | head -1 | cut -d: -f2
}

write_config() {  # write_config FILE WORKERS
  {
    echo '[balancer]'
    echo 'sip_ports = [5060]'
    echo '[[interface]]'
    echo 'port = "net_memif0"'
    echo 'address = "10.0.0.1/24"'
    echo '[workers]'
    echo "count = $2"
    if [ -n "$transactions" ]; then echo '[tables]'; echo "transactions = $transactions"; fi
    echo '[probing]'
    echo 'enabled = false'
    # A stateless maglev set keeps nothing worth storing; the API socket and no metrics port stay
    # within this run.
    echo '[store]'
    echo 'durability = "memory"'
    echo '[api]'
    echo "socket = \"$(dirname "$1")/siplbd-$(basename "$1" .toml).sock\""
    echo '[metrics]'
    echo 'port = 0'
    echo '[[set]]'
    echo 'id = 1'
    echo 'algorithm = "maglev"'
    for i in 11 12 13 14; do
      echo '[[set.destination]]'
      echo "uri = \"sip:10.0.0.$i:5060\""
      echo 'probe = false'
    done
  } > "$1"
}

# run_once TAG WORKERS RATE LB_LCORES TG_LCORES: one siplbd + one trafgen run; leaves
# $work/TAG.json (trafgen JSON), $work/TAG.gen (trafgen summary), $work/TAG.lb (siplbd counters).
run_once() {
  local tag=$1 w=$2 rate=$3 lb_lcores=$4 tg_lcores=$5
  local sock=/run/siplb-whole-$tag.sock lbp=siplb-whole-lb-$tag tgp=siplb-whole-tg-$tag
  sockets+=("$sock"); prefixes+=("$lbp" "$tgp")
  rm -f "$sock"
  write_config "$work/$tag.toml" "$w"
  # shellcheck disable=SC2086
  "$siplbd" --lcores "$lb_lcores" $eal_mem --no-pci --no-telemetry --file-prefix "$lbp" \
    --log-level=lib.eal:warning --vdev "net_memif0,role=server,socket=$sock" \
    -- --config "$work/$tag.toml" ${SIPLBD_EXTRA:-} > "$work/$tag.lb" 2> "$work/$tag.lb.err" &
  local lb=$!
  pids+=("$lb")
  local up=0
  for _ in $(seq 150); do
    if grep -q "running with" "$work/$tag.lb" 2>/dev/null; then up=1; break; fi
    kill -0 "$lb" 2>/dev/null || break
    sleep 0.1
  done
  if [ $up = 0 ]; then
    echo "whole_process.sh: siplbd did not start ($tag):" >&2
    cat "$work/$tag.lb" "$work/$tag.lb.err" >&2
    return 1
  fi
  local limit rc=0
  limit=$(awk -v d="$duration" -v w="$warmup" 'BEGIN { printf "%d", d + w + 30 }')
  local rate_opt=()
  [ "$rate" != max ] && rate_opt=(--rate "$rate")
  # The memif end that stays connected must not be polling when the other leaves (the DPDK 22.11
  # memif PMD unmaps the rings under a polling lcore: SIGSEGV). So trafgen holds its port open
  # after its report (--hold) until siplbd has stopped, and is stopped last.
  # shellcheck disable=SC2086
  timeout -k 5 "$limit" "$trafgen" --lcores "$tg_lcores" $eal_mem --no-pci --no-telemetry \
    --file-prefix "$tgp" --log-level=lib.eal:warning --vdev "net_memif0,role=client,socket=$sock" \
    -- --queues "$w" --duration "$duration" --warmup "$warmup" --drain "$drain" "${rate_opt[@]}" --json \
    --hold 20 --observe-pid "$lb" ${TRAFGEN_EXTRA:-} > "$work/$tag.json" 2> "$work/$tag.gen" &
  local tg=$!
  pids+=("$tg")
  # Wait for the report (or trafgen's end); in the background so a signal interrupts the script.
  while kill -0 "$tg" 2>/dev/null && ! grep -q '^{' "$work/$tag.json"; do sleep 0.1; done
  kill -TERM "$lb" 2>/dev/null || true
  local stopped=0
  for _ in $(seq 100); do
    if ! kill -0 "$lb" 2>/dev/null; then stopped=1; break; fi
    sleep 0.1
  done
  [ $stopped = 1 ] || { echo "whole_process.sh: siplbd did not stop on SIGTERM ($tag); killed" >&2; kill -KILL "$lb" 2>/dev/null || true; }
  local lb_rc=0
  wait "$lb" 2>/dev/null || lb_rc=$?
  kill -TERM "$tg" 2>/dev/null || true
  wait "$tg" || rc=$?
  [ $lb_rc = 0 ] || echo "whole_process.sh: siplbd exited with status $lb_rc ($tag)" >&2
  rm -f "$sock"; rm -rf "/var/run/dpdk/$lbp" "/var/run/dpdk/$tgp"
  if [ $rc != 0 ] || ! grep -q '^{' "$work/$tag.json"; then
    echo "whole_process.sh: siplb-trafgen failed ($tag, exit $rc):" >&2
    cat "$work/$tag.gen" >&2
    return 1
  fi
  if [ -n "$json_out" ]; then
    awk -v tag="$tag" -v w="$w" -v cpu="$model" -v n="$ncpu" -v layout="$lb_lcores / $tg_lcores" \
      '/^\{/ { gsub(/["\\]/, "", cpu); printf "{\"tag\":\"%s\",\"workers\":%s,\"cpu\":\"%s\",\"cores\":%s,\"layout\":\"%s\",%s\n", tag, w, cpu, n, layout, substr($0, 2) }' \
      "$work/$tag.json" >> "$json_out"
  fi
  return 0
}

# Prints one run: the trafgen summary and siplbd's view of it.
show_run() {  # show_run TAG
  local tag=$1
  grep -v -e '^EAL' -e '^TELEMETRY' "$work/$tag.gen" | sed 's/^/    /'
  if [ "$(json_num forwarded "$work/$tag.json")" = 0 ]; then
    echo "    WARNING: nothing forwarded in the window (siplbd worker CPU in the window:" \
      "$(json_num worker_cpu_s "$work/$tag.json") s): the worker was not running or was stuck; not a throughput figure"
  fi
  printf '    siplbd: '
  awk '/^  (rx_packets|tx_packets|transaction_hits|transaction_misses) / {printf "%s %s, ", $1, $2}
       /^drops by reason:/ {d=1; next} d && /^  [a-z_]+ +[0-9]+/ {printf "drop %s %s, ", $1, $2}
       /^probes:/ {d=0}' "$work/$tag.lb" | sed 's/, $//'
  echo
}

summary=()
add_summary() {  # add_summary WORKERS KIND TAG OFFERED
  local f=$work/$3.json total short
  total=$(json_num tx_bursts "$f"); short=$(json_num tx_short_bursts "$f")
  local ns core
  ns=$(json_num cpu_ns_per_packet "$f")
  core=$(awk -v n="$ns" 'BEGIN { printf "%.0f", (n > 0 ? 1e9 / n : 0) }')
  summary+=("$(printf '%-7s %-7s %9s %10.0f %10.0f %8.4f %8.1f %8.1f %8.1f %8.1f %6.1f %7.0f %9s' \
    "$1" "$2" "$4" "$(json_num sent_pps "$f")" "$(json_num forwarded_pps "$f")" "$(json_num loss_pct "$f")" \
    "$(json_num p50 "$f")" "$(json_num p90 "$f")" "$(json_num p99 "$f")" "$(json_num p99_9 "$f")" \
    "$(awk -v t="$total" -v s="$short" 'BEGIN { print t ? 100 * s / t : 0 }')" "$ns" "$core")")
}

status=0
for w in $workers_list; do
  # Core layout (see the header).
  lb_lcores="0@${core[0]}" tg_lcores="" note=""
  if [ $((2 * w + 1)) -le "$ncpu" ]; then
    for i in $(seq 1 "$w"); do lb_lcores+=",$i@${core[i]}"; done
    for i in $(seq 0 $((w - 1))); do tg_lcores+="${tg_lcores:+,}$i@${core[w + 1 + i]}"; done
    note="siplbd main on core ${core[0]}, workers on cores ${core[*]:1:w}, trafgen on cores ${core[*]:w+1:w}"
  elif [ "$w" = 1 ] && [ "$ncpu" -ge 2 ]; then
    lb_lcores="0@${core[0]},1@${core[1]}" tg_lcores="0@${core[0]}"
    note="only $ncpu cores: siplbd worker alone on core ${core[1]}; trafgen shares core ${core[0]} with siplbd's main lcore"
  elif [ $force = 1 ] && [ "$ncpu" -ge 2 ]; then
    for i in $(seq 1 "$w"); do lb_lcores+=",$i@${core[(i - 1) % (ncpu - 1) + 1]}"; done
    for i in $(seq 0 $((w - 1))); do tg_lcores+="${tg_lcores:+,}$i@${core[i % ncpu]}"; done
    note="OVERSUBSCRIBED (-f): $w workers + $w generator lcores on $ncpu cores share them; not a siplbd figure"
  else
    echo "-- $w worker(s): skipped: needs $((2 * w + 1)) cores (siplbd main + $w workers + $w trafgen lcores), this machine has $ncpu (-f runs it anyway, oversubscribed)"
    echo
    continue
  fi
  echo "-- $w worker(s): $note"
  echo "   siplbd --lcores $lb_lcores; siplb-trafgen --lcores $tg_lcores --queues $w"
  best_tag="" best_pps=0
  for r in $(seq 1 "$repeat"); do
    tag=$$-w$w-max-$r
    echo "   run $r/$repeat, offered: as fast as siplbd takes (memif back-pressure)"
    if run_once "$tag" "$w" max "$lb_lcores" "$tg_lcores"; then
      show_run "$tag"
      pps=$(json_num forwarded_pps "$work/$tag.json")
      if awk -v a="$pps" -v b="$best_pps" 'BEGIN { exit !(a > b) }'; then best_pps=$pps best_tag=$tag; fi
    else
      status=1
    fi
  done
  [ -n "$best_tag" ] || continue
  add_summary "$w" max "$best_tag" max
  if [ "$latency_pct" -gt 0 ]; then
    rate=$(awk -v p="$best_pps" -v s="$latency_pct" 'BEGIN { printf "%d", p * s / 100 }')
    lbest_tag="" lbest=-1
    for r in $(seq 1 "$repeat"); do
      tag=$$-w$w-rate-$r
      echo "   run $r/$repeat, offered: $rate pps ($latency_pct % of the best throughput above)"
      if run_once "$tag" "$w" "$rate" "$lb_lcores" "$tg_lcores"; then
        show_run "$tag"
        # Keep the run with the lowest p99.
        p99=$(json_num p99 "$work/$tag.json")
        if [ "$lbest" = -1 ] || awk -v a="$p99" -v b="$lbest" 'BEGIN { exit !(a < b) }'; then lbest=$p99 lbest_tag=$tag; fi
      else
        status=1
      fi
    done
    [ -n "$lbest_tag" ] && add_summary "$w" "${latency_pct}%" "$lbest_tag" "$rate"
  fi
  echo
done

echo "== summary (best of $repeat; pps over the measured window; latency siplbd + memif both ways, from the TSC stamped at send)"
printf '%-7s %-7s %9s %10s %10s %8s %8s %8s %8s %8s %6s %7s %9s\n' workers offered "rate pps" "sent pps" "fwd pps" \
  "loss %" "p50 us" "p90 us" "p99 us" "p99.9 us" "bp %" "ns/pkt" "pps/core"
for line in "${summary[@]}"; do echo "$line"; done
cat <<'EOF'
sent/fwd pps: packets siplbd took from / forwarded to trafgen per second of the window (wall clock:
  lowered by whatever else runs on the cores). loss %: taken but not forwarded (siplbd drops,
  e.g. tx_full when trafgen is descheduled and its memif ring fills).
bp %: share of trafgen's transmit bursts the memif ring did not take whole (siplbd was behind).
ns/pkt: CPU time of siplbd's worker threads in the window (schedstat) per packet taken, and
  pps/core = 1e9 / ns/pkt, what one dedicated worker core would forward at that cost. It counts
  busy polling too: exact only while the worker always finds packets waiting (max rate, bp near
  100 %, generator never descheduled); otherwise ns/pkt is an upper bound and pps/core a lower one.
  Below saturation (the 50 % row) it mostly measures polling, not cost.
EOF
echo "machine: $model, $(nproc) core(s) online, $ncpu used; load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
