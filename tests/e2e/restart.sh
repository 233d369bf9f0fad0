#!/usr/bin/env bash
# e2e (k): restart persistency. sipp calls held on a least-loaded set (capacities 10/10/10, store
# durability "sync"); siplbd is killed with SIGKILL while they go on, and started again on the
# same store: every call comes back into the dialog table and onto the LoadBoard before the
# ports take traffic (loads 4/4/4 at once, while the destinations are still being probed), the
# calls' BYEs reach their servers through the restarted siplbd, each BYE ends its restored dialog
# and every load returns to 0. Then a second siplbd on the same store is refused with one line
# naming the store and the cause (the RocksDB lock), exit code 1.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init k "$@"
CALLS=12
HOLD_MS=25000

lab_up 3
for n in 1 2 3; do start_uas "$n"; done
least_loaded_config "$WORK/k.toml" absolute 10 10 10
start_siplbd "$WORK/k.toml"
wait_all_active 3

uac_in_background held 5070 "$CALLS" "$HOLD_MS"
CALLERS=$BG_PID
expect_loads "4 4 4" "$CALLS calls held"
# Under sync a dialog is on disk once its batch is: a batch takes milliseconds; give it a second.
sleep 1
kill -KILL "$SIPLBD_PID"
wait "$SIPLBD_PID" 2>/dev/null || true
log "siplbd killed (SIGKILL) with $CALLS calls up"
SIPLBD_PID=""

start_siplbd "$WORK/k.toml"
restored=$(sed -n 's/^siplbd: store: \([0-9]*\) dialog(s) restored in \([0-9.]*\) s.*/\1 \2/p' "$SIPLBD_LOG")
[ -n "$restored" ] || fail "siplbd did not report restored dialogs"
set -- $restored
[ "$1" -eq "$CALLS" ] || fail "restored $1 dialogs, expected $CALLS (every acknowledged call)"
log "restarted: $1 dialogs restored in $2 s"
c=$(siplbd_counters)
[ "$(echo "$c" | loads)" = "4 4 4" ] || fail "loads after the restart: $(echo "$c" | loads), expected 4 4 4"
[ "$(echo "$c" | live_dialogs)" -eq "$CALLS" ] || fail "live dialogs after the restart: $(echo "$c" | live_dialogs)"
log "loads after the restart: 4 4 4, $CALLS live dialogs"

wait_pid "$CALLERS" $((HOLD_MS / 1000 + 60)) "the calls to hang up"
# A caller counts a call as successful only once its BYE got the server's 200 OK.
[ "$(calls_ok held)" -eq "$CALLS" ] || fail "$(calls_ok held) of $CALLS calls completed (BYE answered)"
expect_loads "0 0 0" "every BYE ended its restored dialog"
c=$(siplbd_counters)
[ "$(echo "$c" | ended bye_caller)" -eq "$CALLS" ] ||
  fail "dialogs ended by the caller's BYE after the restart: $(echo "$c" | ended bye_caller), expected $CALLS"
# A second siplbd on the same store: refused before EAL, naming the store and the lock.
out=$(ip netns exec "$LAB-lb" "$SIPLBD" -l 0-1 --no-huge -m 512 --no-pci --file-prefix "$LAB-second" \
  -- --config "$WORK/k.toml" 2>&1) && fail "a second siplbd on the same store started"
rc=$?
rm -rf "/var/run/dpdk/$LAB-second"
[ "$rc" -eq 1 ] || fail "second siplbd: exit code $rc, expected 1 ($out)"
grep -q "^siplbd: store $WORK/store: .*in use by another siplbd" <<<"$out" ||
  fail "second siplbd: expected one line naming the store and the lock, got: $out"
log "a second siplbd on the same store: '$out' (exit $rc)"

stop_siplbd
log "PASS"
