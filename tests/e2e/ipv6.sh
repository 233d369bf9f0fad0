#!/usr/bin/env bash
# e2e (i): SIP over IPv6 end to end. The lab's hosts get IPv6 addresses (LAB_IPV6=1: fd77::10
# client, fd77::11.. servers; siplbd fd77::1 on its DPDK port, answering neighbour discovery
# itself); three sipp servers on IPv6 are probed over IPv6 and become active; 30 sipp calls from
# an IPv6 caller complete, spread over the three servers (Maglev), each call's ACK and BYE
# reaching the server that answered its INVITE (the caller logs which one answered).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init i "$@"
export LAB_IPV6=1
calls=30

lab_up 3
server6() { echo "fd77::$((10 + $1))"; }
for n in 1 2 3; do
  (cd "$WORK" && exec ip netns exec "$LAB-s$n" sipp -sf "$UAS_XML" -i "$(server6 "$n")" -p 5060 -aa -nostdin \
    >"$WORK/uas$n.screen" 2>&1) &
  E2E_PIDS+=("$!")
done
cat >"$WORK/i.toml" <<EOF2
[[interface]]
port = "net_${E2E_PMD}0"
address = "$LB_IP/24"
address6 = "fd77::1/64"

[probing]
interval_ms = 500
timeout_ms = 450
failure_threshold = 4
recovery_threshold = 1

[[set]]
id = 1
algorithm = "maglev"
EOF2
for n in 1 2 3; do
  printf '\n[[set.destination]]\nuri = "sip:[%s]:5060"\nstate = "inactive"\n' "$(server6 "$n")" >>"$WORK/i.toml"
done
start_siplbd "$WORK/i.toml"
active6() {
  local n
  for n in 1 2 3; do [ "$(destination_state "sip:[$(server6 "$n")]:5060")" = active ] || return 1; done
}
wait_until 30 "the IPv6 probes to mark the servers active" active6
log "3 IPv6 servers active (probed over IPv6)"

(cd "$WORK" && timeout -k 5 90 ip netns exec "$LAB-c" sipp -sf "$UAC_XML" "[fd77::1]:5060" -i fd77::10 -p 5060 \
  -m "$calls" -r 20 -d 200 -nostdin -timeout 60 -trace_logs -log_file "$WORK/uac6.log" >"$WORK/uac6.out" 2>&1) || true
ok=$(awk -F'|' '/Successful call/ {gsub(/ /, "", $3); v = $3} END {print v + 0}' "$WORK/uac6.out")
[ "$ok" -eq "$calls" ] || fail "$ok of $calls IPv6 calls succeeded"
c=$(siplbd_counters)
total=0
for n in 1 2 3; do
  uri="sip:[$(server6 "$n")]:5060"
  forwarded=$(echo "$c" | dest_count "$uri")
  answered=$(awk -v s="[$(server6 "$n")]" '$2 == s' "$WORK/uac6.log" | wc -l)
  log "server $n ($uri): $answered calls answered, $forwarded requests forwarded by selection"
  [ "$answered" -gt 0 ] || fail "server $n answered no call"
  total=$((total + answered))
done
[ "$total" -eq "$calls" ] || fail "the servers answered $total calls, the caller made $calls"
[ "$(echo "$c" | drop_count sip_bad_next_hop)" -eq 0 ] || fail "responses dropped: next hop unusable"
stop_siplbd
log "PASS: $calls calls over IPv6 through siplbd, spread over 3 IPv6 servers"
