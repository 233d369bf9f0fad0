#!/usr/bin/env bash
# e2e (a): calls complete through siplbd with every balancing algorithm.
# For each algorithm: siplbd over three sipp servers, 30 calls from a sipp caller; all must
# succeed, siplbd must have forwarded each call's INVITE to a server (per-destination counters sum
# to the calls, or more when an INVITE was retransmitted), and the spread must fit the algorithm: hash-from-uri puts every call (one From
# URI) on one server, the others use all three.
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
log "PASS: every algorithm completed $calls calls"
