#!/usr/bin/env bash
# e2e (h): least-loaded balancing on live dialogs, with sipp calls of chosen durations.
#   1. absolute mode, capacities 4/8/12: 12 held calls leave the servers at 0/4/8 (each new call
#      took the most calls left); 12 more fill them (4/8/12); 3 more get 503 with Retry-After;
#      when the calls hang up (BYE) every load is back to 0.
#   2. a reload (SIGHUP) to relative mode with server 3's capacity doubled (24): 18 held calls
#      leave 2/4/12 (each new call took the largest share left; a change of capacity applies at
#      once); they hang up, loads back to 0.
#   3. calls that end otherwise: rejected (486), cancelled while ringing, and answered calls whose
#      BYE never comes (ended by max_lifetime_s). Afterwards every load and the table are at 0,
#      and the ends are counted by reason.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init h "$@"
SCENARIOS=$E2E_DIR/scenarios
LIFETIME_S=12

lab_up 3
for n in 1 2 3; do start_uas "$n"; done

# --- 1. absolute ----------------------------------------------------------------------------------
least_loaded_config "$WORK/h.toml" absolute 4 8 12
start_siplbd "$WORK/h.toml"
wait_all_active 3
uac_in_background first 5070 12 9000
FIRST_PID=$BG_PID
expect_loads "0 4 8" "12 calls, absolute, capacities 4/8/12"
uac_in_background second 5071 12 7000
SECOND_PID=$BG_PID
expect_loads "4 8 12" "24 calls: every server at capacity"
uac_in_background extra 5072 3 1000
wait_pid "$BG_PID" 40 "the callers beyond capacity"
[ "$(calls_failed extra)" -eq 3 ] || fail "calls beyond capacity: $(calls_failed extra) of 3 failed (expected all: 503)"
c=$(siplbd_counters)
[ "$(echo "$c" | reply_count 503)" -ge 3 ] || fail "siplbd answered $(echo "$c" | reply_count 503) 503s, expected at least 3"
[ "$(echo "$c" | counter least_loaded_full)" -ge 3 ] || fail "least_loaded_full $(echo "$c" | counter least_loaded_full)"
log "3 calls beyond capacity: 503 ($(echo "$c" | reply_count 503) sent)"
wait_pid "$FIRST_PID" 60 "the first callers to hang up"
wait_pid "$SECOND_PID" 60 "the second callers to hang up"
for name in first second; do
  [ "$(calls_ok "$name")" -eq 12 ] || fail "$name callers: $(calls_ok "$name") of 12 calls succeeded"
done
expect_loads "0 0 0" "all 24 calls hung up (BYE)"

# --- 2. reload: relative mode, server 3 doubled ---------------------------------------------------
least_loaded_config "$WORK/h.toml" relative 4 8 24
kill -HUP "$SIPLBD_PID"
wait_until 10 "siplbd to reload" grep -q "^siplbd: reloaded" "$SIPLBD_LOG"
uac_in_background relative 5073 18 6000
expect_loads "2 4 12" "18 calls, relative, capacities 4/8/24 (reloaded)"
wait_pid "$BG_PID" 60 "the relative-mode callers"
[ "$(calls_ok relative)" -eq 18 ] || fail "relative-mode callers: $(calls_ok relative) of 18 succeeded"
expect_loads "0 0 0" "18 calls hung up"

# A reload with an error is refused with the file, line and reason; the running tables stay.
cp "$WORK/h.toml" "$WORK/h.good"
sed -i 's/^capacity = 24$/capacity = "calls=lots"/' "$WORK/h.toml"
kill -HUP "$SIPLBD_PID"
wait_until 10 "siplbd to refuse the broken reload" grep -q "^siplbd: reload refused, keeping the running configuration: .*h.toml:[0-9]*: .*capacity" "$SIPLBD_LOG"
log "$(grep '^siplbd: reload refused' "$SIPLBD_LOG" | tail -n 1)"
siplbd_counters | grep -q "calls=0/24" || fail "a refused reload changed the running capacities"
mv "$WORK/h.good" "$WORK/h.toml"

# --- 3. calls that end without a BYE of theirs ----------------------------------------------------
# calls_with NAME PORT CALLS UAS_SCENARIO UAC_SCENARIO FLOW: restarts the servers with the given
# scenario, runs the callers to the end and checks that every call went through FLOW.
calls_with() {
  local name=$1 port=$2 calls=$3 uas=$4 uac=$5 flow=$6 n
  for n in 1 2 3; do stop_pid "${UAS_PID[$n]}" TERM; UAS_SCENARIO=$uas start_uas "$n"; done
  sleep 1
  uac_in_background "$name" "$port" "$calls" 0 "$uac"
  wait_pid "$BG_PID" 40 "the $name callers"
  [ "$(calls_ok "$name")" -eq "$calls" ] || fail "$name calls: $(calls_ok "$name") of $calls went through $flow"
}
calls_with rejected 5074 10 "$SCENARIOS/uas_reject.xml" "$SCENARIOS/uac_reject.xml" INVITE/486/ACK
expect_loads "0 0 0" "10 calls rejected with 486"
calls_with cancelled 5075 10 "$SCENARIOS/uas_cancel.xml" "$SCENARIOS/uac_cancel.xml" INVITE/180/CANCEL/487/ACK
expect_loads "0 0 0" "10 calls cancelled while ringing"
calls_with no_bye 5076 6 "$UAS_XML" "$SCENARIOS/uac_no_bye.xml" INVITE/200/ACK
held=$(siplbd_counters | loads)
[ "$held" != "0 0 0" ] || fail "calls without BYE hold no load"
log "6 answered calls whose BYE never comes hold: $held"
wait_for $((LIFETIME_S + 10)) loads_are "0 0 0" || fail "calls without BYE still hold $(siplbd_counters | loads) after their lifetime"
log "calls without BYE released by max_lifetime_s ($LIFETIME_S s)"

c=$(siplbd_counters)
[ "$(echo "$c" | live_dialogs)" -eq 0 ] || fail "$(echo "$c" | live_dialogs) dialogs left in the table"
for r in bye_caller rejected cancel lifetime; do
  log "ended by $r: $(echo "$c" | ended "$r")"
done
[ "$(echo "$c" | ended bye_caller)" -ge 42 ] || fail "ended by BYE: $(echo "$c" | ended bye_caller), expected 42"
[ "$(echo "$c" | ended rejected)" -ge 10 ] || fail "ended by rejection: $(echo "$c" | ended rejected), expected 10"
[ "$(echo "$c" | ended cancel)" -ge 10 ] || fail "ended by CANCEL: $(echo "$c" | ended cancel), expected 10"
[ "$(echo "$c" | ended lifetime)" -ge 6 ] || fail "ended by lifetime: $(echo "$c" | ended lifetime), expected 6"
grep -q "load underflows" "$SIPLBD_LOG" && fail "siplbd reported load underflows"
stop_siplbd
log "PASS: choices follow free capacity (absolute and relative), 503 when full, reload applies, every load back to 0"
