#!/usr/bin/env bash
# e2e (d): failover. maglev (Call-ID hashing) over three sipp servers; a fixed list of Call-IDs
# (sipp -cid_str fo-%u@e2e: fo-1@e2e .. fo-150@e2e) is called three times, and the caller logs
# which server answered each Call-ID (tools/demo/uac.xml with -trace_logs):
#   1. all three servers up: the calls spread over the three;
#   2. server 3 killed: siplbd's probes must mark it inactive (watched in its output, bounded);
#      then every call must still succeed, none may reach server 3, and the Call-IDs that were on
#      servers 1 and 2 must stay where they were: only server 3's keys move. The share of
#      Call-IDs that moved is printed;
#   3. server 3 restarted: the probes bring it back, and every Call-ID returns to its server of
#      round 1 (the Maglev table is a function of the live destinations only).
# Maglev does not promise that no key of a surviving server moves, only that few do: over a
# million Call-IDs fo-N@e2e, removing one of these three destinations moves 62 of the 666,718 keys
# of the two others (0.009 %; the first is fo-1274@e2e), none among fo-1..fo-150, so the strict
# check below holds for this list (siplb::balance::Selector::select_by_hash, computed offline).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init d "$@"

calls=150
lab_up 3
# A sipp server absorbs requests of a finished Call-ID for -deadcall_wait (default 33 s); the
# rounds reuse Call-IDs, so keep that short.
uas_args=(-deadcall_wait 500)
for n in 1 2 3; do start_uas "$n" "${uas_args[@]}"; done
# The rounds call the same Call-IDs with the same CSeq numbers; within the transaction TTL siplbd
# rightly takes such a request for a retransmission and sends it where the first copy went. The
# rounds are at least 6 s apart (wait_timewait), so a 2 s TTL makes every round new calls.
E2E_TRANSACTION_TTL_MS=2000
write_config "$WORK/d.toml" maglev 1 1 1
start_siplbd "$WORK/d.toml"
wait_all_active 3

# round NAME: the calls, all of which must succeed; then $WORK/NAME.map holds "Call-ID server-IP".
round() {
  run_uac "$1" "$calls" 50 0 -cid_str "fo-%u@e2e" -trace_logs
  [ "$UAC_OK" -eq "$calls" ] && [ "$UAC_FAILED" -eq 0 ] ||
    fail "round $1: $UAC_OK of $calls calls succeeded ($UAC_FAILED failed, sipp status $UAC_RC)"
  sort -u "$WORK/uac-$1.log" | sort -k1,1 >"$WORK/$1.map"
  [ "$(wc -l <"$WORK/$1.map")" -eq "$calls" ] || fail "round $1: the caller logged $(wc -l <"$WORK/$1.map") answers for $calls calls"
  ROUND_END=$SECONDS
}
per_server() { awk '{n[$2]++} END {for (s in n) printf "%s:%d ", s, n[s]}' "$1" | tr ' ' '\n' | sort | tr '\n' ' '; }
# The servers keep a finished call for 4 s (timewait of tools/demo/uas.xml) and then 0.5 s as a
# dead call; the same Call-IDs are called again only after that.
wait_timewait() {
  local left=$((ROUND_END + 6 - SECONDS))
  if [ "$left" -gt 0 ]; then sleep "$left"; fi
}

round before
log "round 1 (3 servers): $(per_server "$WORK/before.map")"
for n in 1 2 3; do
  grep -q " $(server_ip "$n")\$" "$WORK/before.map" || fail "round 1: server $n got no call"
done

down_uri=$(server_uri 3)
stop_uas 3
killed_at=$SECONDS
wait_until 20 "siplbd to mark $down_uri inactive" state_is "$down_uri" inactive
log "server 3 killed; siplbd marked it inactive within $((SECONDS - killed_at + 1)) s"
siplbd_counters >"$WORK/mid.counters"
to3_before=$(dest_count "$down_uri" <"$WORK/mid.counters")
wait_timewait

round after
log "round 2 (server 3 down): $(per_server "$WORK/after.map")"
siplbd_counters >"$WORK/after.counters"
to3_after=$(dest_count "$down_uri" <"$WORK/after.counters")
[ "$to3_after" -eq "$to3_before" ] || fail "siplbd sent $((to3_after - to3_before)) INVITEs to the inactive server 3"
join "$WORK/before.map" "$WORK/after.map" >"$WORK/joined"
[ "$(wc -l <"$WORK/joined")" -eq "$calls" ] || fail "the two rounds did not use the same Call-IDs"
s3=$(server_ip 3)
on3=$(awk -v s="$s3" '$2 == s' "$WORK/joined" | wc -l)
moved=$(awk '$2 != $3' "$WORK/joined" | wc -l)
survivors_moved=$(awk -v s="$s3" '$2 != s && $2 != $3' "$WORK/joined" | wc -l)
still3=$(awk -v s="$s3" '$3 == s' "$WORK/joined" | wc -l)
[ "$still3" -eq 0 ] || fail "$still3 calls reached the killed server 3"
log "failover: $moved of $calls Call-IDs moved ($(share "$moved" "$calls")); $on3 were on server 3;" \
  "$survivors_moved of $((calls - on3)) Call-IDs of the surviving servers moved"
[ "$survivors_moved" -eq 0 ] || fail "$survivors_moved Call-IDs of surviving servers moved: $(awk -v s="$s3" '$2 != s && $2 != $3' "$WORK/joined" | head -n 5 | tr '\n' ' ')"
[ "$moved" -eq "$on3" ] || fail "$moved Call-IDs moved but $on3 were on server 3"
# Server 3's keys are shared out over both survivors.
moved_to=$(awk -v s="$s3" '$2 == s {print $3}' "$WORK/joined" | sort -u | wc -l)
log "server 3's Call-IDs went to $moved_to surviving server(s)"

start_uas 3 "${uas_args[@]}"
wait_until 20 "siplbd to mark $down_uri active again" state_is "$down_uri" active
log "server 3 restarted and active again"
wait_timewait
round again
log "round 3 (server 3 back): $(per_server "$WORK/again.map")"
cmp -s "$WORK/before.map" "$WORK/again.map" ||
  fail "after recovery $(join "$WORK/before.map" "$WORK/again.map" | awk '$2 != $3' | wc -l) Call-IDs are not on their first server"
stop_siplbd
log "PASS: failover moved $moved of $calls Call-IDs ($(share "$moved" "$calls")), only those of the failed server; all returned after recovery"
