#!/usr/bin/env bash
# Restart time of siplbd with N live dialogs in its store: fills a temporary store with N
# confirmed least-loaded dialogs (perf/siplb-store-fill), starts siplbd on it (one net_null port,
# a least-loaded set of the same destinations, no probing, no metrics, API socket in the temporary
# folder), waits for its "siplbd: store: N dialog(s) restored in X s" line, prints it with the
# process's resident memory, and stops siplbd with SIGINT. Everything it makes (store, config,
# socket, log, DPDK runtime folder) is removed on exit, also on Ctrl-C.
# With -r, the same with N registrar bindings instead: N AoRs u0..u<N-1>@reg.example.com with one
# live contact each (siplb-store-fill --bindings), siplbd with [registrar] domains =
# ["reg.example.com"] and a binding table of CAPACITY AoRs and contacts (a maglev set, no dialog
# table), its "siplbd: store: N binding(s) of M AoR(s) restored in X s" line.
#
#   perf/restart_load.sh [-r] [-b BUILD] [-n DIALOGS] [-d DESTINATIONS] [-m MEGABYTES] [-c CAPACITY]
#                        [-t SECONDS]
#
#   -r               registrar bindings instead of dialogs: -n is the AoRs (one contact each), -c
#                    the binding table's aors and contacts (default 2 x N, at least 1024), -m by
#                    default ~1450 B per unit of that capacity plus 384 MB: 3149 for 1M AoRs (a
#                    table of 2M AoRs and 2M contacts needs more than 2145 MB, fits in 3072; its
#                    creation at start, --no-huge, takes ~13 s on a 2-core VM before the restore)
#
#   -b BUILD         meson build folder with siplbd and perf/siplb-store-fill (default: build, or
#                    $SIPLB_BUILD)
#   -n DIALOGS       dialogs in the store (default 1000000)
#   -d DESTINATIONS  destinations of the set, sip:10.0.0.11:5060 and up (default 4); the dialogs
#                    are spread over them round robin
#   -m MEGABYTES     EAL memory (--no-huge -m; default 1024; 512 is enough for 2M slots): the
#                    dialog table takes about 120 B per dialog of capacity, plus the mbuf pools
#                    and rings
#   -c CAPACITY      [dialogs] capacity (default: 2097152, or the next power of two >= 2 x N)
#   -t SECONDS       how long to wait for the restore line (default 600)
#
# The restore time siplbd prints covers reading the dialogs from RocksDB, decoding them and
# putting them into the dialog table and onto the load board (control/dialog_persistence.cpp).
# Opening the store (with its WAL replay) and EAL start-up come before it; "start to restored"
# below is the wall-clock time from launching siplbd to that line, all of them included. On a
# machine shared with other work the wall-clock times vary with the load: the script also prints
# the CPU time siplbd spent during the restore (its threads' utime + stime from /proc, sampled
# when the "dialog table for" line and the restore line appear; siplbd's output is line-buffered
# through stdbuf for that), which varies much less.
# Needs root (DPDK runtime folder in /var/run/dpdk) and 2 cores (main lcore, one worker).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SIPLB_BUILD:-$repo/build}
dialogs=1000000
ndest=4
memory=1024
capacity=""
timeout_s=600
registrar=0
memory_given=0

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }
while getopts "rb:n:d:m:c:t:h" opt; do
  case $opt in
    r) registrar=1 ;;
    b) build=$OPTARG ;;
    n) dialogs=$OPTARG ;;
    d) ndest=$OPTARG ;;
    m) memory=$OPTARG; memory_given=1 ;;
    c) capacity=$OPTARG ;;
    t) timeout_s=$OPTARG ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
for v in "$dialogs" "$ndest" "$memory" "$timeout_s" ${capacity:+"$capacity"}; do
  [[ $v =~ ^[0-9]+$ ]] || { echo "restart_load.sh: not a number: $v" >&2; exit 2; }
done
((ndest >= 1 && ndest <= 200)) || { echo "restart_load.sh: -d must be 1..200" >&2; exit 2; }

siplbd=$build/siplbd
fill=$build/perf/siplb-store-fill
for exe in "$siplbd" "$fill"; do
  [ -x "$exe" ] || { echo "restart_load.sh: $exe not found (build it: ninja -C $build siplbd perf/siplb-store-fill)" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "restart_load.sh: needs root (/var/run/dpdk)" >&2; exit 2; }

if ((registrar)); then
  [ -n "$capacity" ] || capacity=$((2 * dialogs > 1024 ? 2 * dialogs : 1024))
  ((memory_given)) || memory=$(((capacity * 1450 + 1048575) / 1048576 + 384))
  free_mb=$(awk '/^MemAvailable/ {print int($2 / 1024)}' /proc/meminfo)
  if ((memory > free_mb)); then
    echo "restart_load.sh: -m $memory MB but only $free_mb MB available" >&2
    exit 2
  fi
elif [ -z "$capacity" ]; then
  capacity=2097152
  while ((capacity < 2 * dialogs)); do capacity=$((capacity * 2)); done
fi
# Every destination takes all the calls: the restore takes their units whatever the capacity
# says, but new calls would be refused by a full set.
dest_capacity=$((dialogs + 1000))

# ---- Clean-up of everything this script makes -------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/siplb-restart.XXXXXX")
prefix=siplb-restart-$$
siplbd_pid=""
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  if [ -n "$siplbd_pid" ] && kill -0 "$siplbd_pid" 2>/dev/null; then
    kill -INT "$siplbd_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$siplbd_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$siplbd_pid" 2>/dev/null || true
    wait "$siplbd_pid" 2>/dev/null || true
  fi
  rm -rf "$work" "/var/run/dpdk/$prefix"
}
trap cleanup EXIT
trap 'echo "restart_load.sh: interrupted" >&2; exit 130' INT TERM

# ---- The store --------------------------------------------------------------------------------
destinations=()
for ((i = 0; i < ndest; ++i)); do destinations+=("sip:10.0.0.$((11 + i)):5060"); done
dest_list=$(IFS=,; echo "${destinations[*]}")
if ((registrar)); then
  echo "restart_load.sh: filling a store with $dialogs binding(s) (AoRs of reg.example.com, one contact each)"
  "$fill" --dir "$work/store" --bindings "$dialogs" --domain reg.example.com
else
  echo "restart_load.sh: filling a store with $dialogs dialog(s) over $ndest destination(s)"
  "$fill" --dir "$work/store" --dialogs "$dialogs" --set 1 --destinations "$dest_list"
fi
echo "restart_load.sh: store on disk: $(du -sh "$work/store" | cut -f1)"

# ---- The configuration ------------------------------------------------------------------------
config=$work/siplbd.toml
if ((registrar)); then
  {
    cat <<EOF
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"

[probing]
enabled = false

[registrar]
domains = ["reg.example.com"]
aors = $capacity
contacts = $capacity

[store]
dir = "$work/store"
durability = "async"

[api]
socket = "$work/siplbd.sock"

[metrics]
port = 0

[[set]]
id = 1
algorithm = "maglev"
EOF
    for d in "${destinations[@]}"; do
      printf '\n[[set.destination]]\nuri = "%s"\nprobe = false\n' "$d"
    done
  } > "$config"
else
{
  cat <<EOF
[[interface]]
port = "net_null0"
address = "10.0.0.1/24"

[probing]
enabled = false

[dialogs]
capacity = $capacity

[store]
dir = "$work/store"
durability = "async"

[api]
socket = "$work/siplbd.sock"

[metrics]
port = 0

[[set]]
id = 1
algorithm = "least-loaded"
resources = ["calls"]
EOF
  for d in "${destinations[@]}"; do
    printf '\n[[set.destination]]\nuri = "%s"\nprobe = false\ncapacity = "calls=%d"\n' "$d" "$dest_capacity"
  done
} > "$config"
fi
# The line waited for, and the one just before the restore that the CPU time is counted from
# (with -r, the dialog restore, which finds nothing, runs just before the bindings').
if ((registrar)); then
  restored_pattern='binding\(s\) of .* restored in'
  before_pattern='dialog\(s\) restored in'
else
  restored_pattern='restored in'
  before_pattern='dialog table for'
fi

# ---- siplbd -----------------------------------------------------------------------------------
log=$work/siplbd.log
echo "restart_load.sh: siplbd -l 0-1 --no-huge -m $memory --no-pci --vdev net_null0 --file-prefix $prefix -- --config $config"
start_ns=$(date +%s%N)
stdbuf -oL "$siplbd" -l 0-1 --no-huge -m "$memory" --no-pci --vdev net_null0 --file-prefix "$prefix" \
  -- --config "$config" > "$log" 2>&1 &
siplbd_pid=$!

# CPU time (clock ticks) of the whole process so far: utime + stime, fields 14 and 15 of its stat
# (the command name, field 2, holds no space here).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$siplbd_pid/stat" 2>/dev/null || echo 0; }
line=""
cpu_at_table=""
deadline=$((SECONDS + timeout_s))
while [ -z "$line" ]; do
  line=$(grep -m1 -E "$restored_pattern" "$log" || true)
  if [ -n "$line" ]; then
    cpu_at_restored=$(cpu_ticks)
    break
  fi
  if [ -z "$cpu_at_table" ] && grep -q -E "$before_pattern" "$log"; then cpu_at_table=$(cpu_ticks); fi
  if ! kill -0 "$siplbd_pid" 2>/dev/null; then
    echo "restart_load.sh: siplbd exited before restoring; its output:" >&2
    cat "$log" >&2
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    echo "restart_load.sh: no 'restored in' line after $timeout_s s; siplbd's output so far:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.01
done
end_ns=$(date +%s%N)
# Resident memory once the workers run (the table's pages are touched by then).
for _ in $(seq 100); do grep -q 'siplbd: running' "$log" && break; sleep 0.05; done
rss=$(awk '/^VmRSS/ {print $2 / 1024 " MiB"}' "/proc/$siplbd_pid/status")
hwm=$(awk '/^VmHWM/ {print $2 / 1024 " MiB"}' "/proc/$siplbd_pid/status")

echo "$line"
grep -E 'dialog table for|^siplbd: store[ :]' "$log" | grep -v -F "$line" || true
awk -v ns=$((end_ns - start_ns)) \
  'BEGIN { printf "restart_load.sh: start to restored: %.2f s (launch of siplbd to the restore line)\n", ns / 1e9 }'
if [ -n "$cpu_at_table" ]; then
  awk -v t=$((cpu_at_restored - cpu_at_table)) -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "restart_load.sh: CPU time of siplbd during the restore: %.2f s\n", t / hz }'
fi
echo "restart_load.sh: siplbd resident memory: $rss (peak $hwm)"

# SIGINT again every 2 s: a background job of a script starts with SIGINT ignored, and siplbd
# installs its handler only as its control loop starts, just after the "running" line.
for i in $(seq 0 299); do
  ((i % 20 == 0)) && { kill -INT "$siplbd_pid" 2>/dev/null || true; }
  kill -0 "$siplbd_pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$siplbd_pid" 2>/dev/null; then
  echo "restart_load.sh: siplbd did not stop within 30 s of SIGINT" >&2
  exit 1
fi
wait "$siplbd_pid" || echo "restart_load.sh: siplbd exited with status $?" >&2
siplbd_pid=""
