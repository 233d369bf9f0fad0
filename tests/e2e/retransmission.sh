#!/usr/bin/env bash
# e2e: a retransmitted request must go where the first copy went (KNOWN BUG: registered with
# should_fail: true in tests/e2e/meson.build).
#
# RFC 3261 16.11 (stateless proxy): "This choice MUST only rely on fields in the message and
# time-invariant properties of the server. In particular, a retransmitted request MUST be
# forwarded to the same destination each time it is processed. Furthermore, CANCEL and
# non-Routed ACK requests MUST generate the same choice as their associated INVITE."
#
# Three UDP listeners as servers (they answer siplbd's probes, record what they receive). One
# INVITE is sent three times, byte for byte (a UAC retransmitting it), then its CANCEL:
#   maglev (control): the three copies and the CANCEL at one server;
#   round-robin: the CANCEL follows the last copy (siplbd's transaction table: control), and the
#     three copies must reach one server. siplbd selects a destination again for every copy, so
#     round-robin (and random, weighted) send them to different servers, each with the same
#     branch: the known bug. Every other failure is an ERROR (exit 99).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init r "$@"
expect_known_bug "retransmitted requests are balanced again (round-robin, random, weighted)"

lab_up 3
for n in 1 2 3; do start_listener "$n" "$WORK/s$n"; done

# request FILE METHOD NAME: an INVITE or its CANCEL (same branch, Call-ID, CSeq number).
request() {
  {
    printf '%s sip:bob@example.com SIP/2.0\r\n' "$2"
    printf 'Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-%s\r\n' "$CLIENT_IP" "$3"
    printf 'Max-Forwards: 70\r\nFrom: <sip:alice@%s>;tag=%s\r\nTo: <sip:bob@example.com>\r\n' "$CLIENT_IP" "$3"
    printf 'Call-ID: %s@%s\r\nCSeq: 1 %s\r\nContent-Length: 0\r\n\r\n' "$3" "$CLIENT_IP" "$2"
  } >"$1"
}
# servers_with METHOD NAME: "s1:N s2:N s3:N" copies of that request received per server
servers_with() {
  local n out=""
  for n in 1 2 3; do
    out+="s$n:$(grep -l -s "^$1 sip:bob@example.com" "$WORK/s$n"/*.msg 2>/dev/null | xargs -r grep -l "^Call-ID: $2@" | wc -l) "
  done
  echo "${out% }"
}
copies() { servers_with "$1" "$2" | tr ' :' '\n\n' | awk 'NR % 2 == 0 {t += $1} END {print t + 0}'; }
used() { servers_with "$1" "$2" | tr ' ' '\n' | grep -vc ':0$' || true; }

# run ALGORITHM NAME: the three copies and the CANCEL; sets INVITES and CANCELS (per server).
run() {
  write_config "$WORK/$1.toml" "$1" 1 1 1
  start_siplbd "$WORK/$1.toml"
  wait_all_active 3
  local name=$2 k
  request "$WORK/$name.invite" INVITE "$name"
  request "$WORK/$name.cancel" CANCEL "$name"
  for k in 1 2 3; do
    send_udp "$WORK/$name.invite" --wait 200 >/dev/null
    have() { [ "$(copies INVITE "$name")" -ge "$k" ]; }  # (functions see the caller's locals)
    wait_until 10 "copy $k of the INVITE at a server ($1)" have
  done
  send_udp "$WORK/$name.cancel" --wait 200 >/dev/null
  have_cancel() { [ "$(copies CANCEL "$name")" -ge 1 ]; }
  wait_until 10 "the CANCEL at a server ($1)" have_cancel
  stop_siplbd
  INVITES=$(servers_with INVITE "$2")
  CANCELS=$(servers_with CANCEL "$2")
  log "$1: INVITE copies per server: $INVITES; CANCEL: $CANCELS"
}

run maglev rt-maglev
[ "$(used INVITE rt-maglev)" -eq 1 ] || fail "maglev: the copies of one INVITE reached several servers: $INVITES"
for n in 1 2 3; do
  if [[ " $INVITES " == *" s$n:3 "* ]]; then [[ " $CANCELS " == *" s$n:1 "* ]] || fail "maglev: the CANCEL did not follow its INVITE"; fi
done

run round-robin rt-rr
# The CANCEL goes where siplbd last sent its INVITE (the transaction table); check it went to a
# server that got a copy.
for n in 1 2 3; do
  if [[ " $CANCELS " == *" s$n:1 "* ]]; then [[ " $INVITES " != *" s$n:0 "* ]] || fail "round-robin: the CANCEL went to a server without its INVITE"; fi
done
servers=$(used INVITE rt-rr)
[ "$servers" -eq 1 ] ||
  known_bug_reproduced "round-robin sent 3 copies of one INVITE (same branch) to $servers servers ($INVITES)"
log "PASS: retransmissions and CANCEL reach the INVITE's server with maglev and round-robin"
