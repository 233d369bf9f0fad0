#!/usr/bin/env bash
# e2e (a): calls complete through siplbd with every balancing algorithm.
# For each algorithm: siplbd over three sipp servers, 30 calls from a sipp caller; all must
# succeed, siplbd must have forwarded each call's INVITE to a server (per-destination counters sum
# to the calls, or more when an INVITE was retransmitted), and the spread must fit the algorithm: hash-from-uri puts every call (one From
# URI) on one server, the others use all three. Then maglev once more with the set read from an
# OpenSIPS db_text dispatcher table.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init a "$@"

calls=30
lab_up 3
for n in 1 2 3; do start_uas "$n"; done

for algorithm in maglev hash-call-id hash-from-uri round-robin random weighted; do
  write_config "$WORK/$algorithm.toml" "$algorithm" 1 1 1
  start_siplbd "$WORK/$algorithm.toml"
  wait_all_active 3
  run_uac "$algorithm" "$calls" 30 100
  stop_siplbd
  last_counters >"$WORK/$algorithm.counters"
  c=()
  for n in 1 2 3; do c+=("$(dest_count "$(server_uri "$n")" <"$WORK/$algorithm.counters")"); done
  log "$algorithm: $UAC_OK successful, $UAC_FAILED failed calls; INVITEs per server ${c[*]}"
  [ "$UAC_OK" -eq "$calls" ] && [ "$UAC_FAILED" -eq 0 ] ||
    fail "$algorithm: $UAC_OK of $calls calls succeeded ($UAC_FAILED failed, sipp status $UAC_RC)"
  total=$((c[0] + c[1] + c[2]))
  # One selection per INVITE; a retransmitted INVITE is selected again (see e2e-retransmission).
  [ "$total" -ge "$calls" ] || fail "$algorithm: siplbd selected a server $total times for $calls calls"
  [ "$total" -eq "$calls" ] || log "$algorithm: $((total - calls)) INVITE retransmission(s) selected again"
  used=0
  for x in "${c[@]}"; do [ "$x" -gt 0 ] && used=$((used + 1)); done
  if [ "$algorithm" = hash-from-uri ]; then
    [ "$used" -eq 1 ] || fail "hash-from-uri: one From URI spread over $used servers"
  else
    [ "$used" -eq 3 ] || fail "$algorithm: only $used of 3 servers got calls"
  fi
done
# Once more with the set's destinations from an OpenSIPS db_text `dispatcher` table (escaped
# colons, a socket naming siplbd's address, state 1: inactive until the probes answer).
{
  echo "id(int,auto) setid(int) destination(string) socket(string,null) state(int) probe_mode(int) weight(string) priority(int) attrs(string) description(string)"
  for n in 1 2 3; do
    echo "$n:1:$(server_uri "$n" | sed 's/:/\\:/g'):udp\\:$LB_IP\\:5060:1:1:1:0::server $n"
  done
} >"$WORK/dispatcher"
write_config "$WORK/db_text.toml" maglev
printf 'dispatcher_list = "dispatcher"\n' >>"$WORK/db_text.toml"
start_siplbd "$WORK/db_text.toml"
wait_all_active 3
run_uac db_text "$calls" 30 100
stop_siplbd
last_counters >"$WORK/db_text.counters"
c=()
for n in 1 2 3; do c+=("$(dest_count "$(server_uri "$n")" <"$WORK/db_text.counters")"); done
log "maglev from a db_text table: $UAC_OK successful, $UAC_FAILED failed calls; INVITEs per server ${c[*]}"
[ "$UAC_OK" -eq "$calls" ] && [ "$UAC_FAILED" -eq 0 ] || fail "db_text table: $UAC_OK of $calls calls succeeded"
for x in "${c[@]}"; do [ "$x" -gt 0 ] || fail "db_text table: a server got no call (${c[*]})"; done
log "PASS: every algorithm completed $calls calls, and maglev with its set from a db_text table"
