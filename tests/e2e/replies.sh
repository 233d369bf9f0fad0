#!/usr/bin/env bash
# e2e (e): the replies siplbd sends itself. Crafted requests are sent from the client namespace
# as single UDP datagrams (siplb-udp-send) while no server is up (the only destination stays
# inactive), and the status line of the reply is checked:
#   new INVITE, every destination down     -> 503 Service Unavailable with Retry-After (configured 7)
#   Max-Forwards: 0 (INVITE, OPTIONS)      -> 483 Too Many Hops
#   OPTIONS for siplbd itself              -> 200 OK
#   SIP/3.0 request                        -> 505
#   ACK when every destination is down     -> no reply (ACKs are never answered), counted
#   rport (RFC 3581)                       -> the reply goes to the source port; without rport to
#                                             the Via port
# and siplbd's reply counters must match. (513 for an oversized request: fragments.sh.)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init e "$@"

lab_up 1
E2E_RETRY_AFTER=7 write_config "$WORK/e.toml" maglev 1
start_siplbd "$WORK/e.toml"

# request FILE METHOD REQUEST-URI [VIA-PARAMS] [EXTRA-HEADER-LINE] [BODY-LENGTH]
n=0
request() {
  local file=$1 method=$2 ruri=$3 via_params=${4:-} extra=${5:-} body_len=${6:-0}
  n=$((n + 1))
  {
    printf '%s %s SIP/2.0\r\n' "$method" "$ruri"
    printf 'Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-e2e-%d%s\r\n' "$CLIENT_IP" "$n" "$via_params"
    printf 'From: <sip:alice@%s>;tag=a%d\r\n' "$CLIENT_IP" "$n"
    printf 'To: <%s>\r\n' "$ruri"
    printf 'Call-ID: e2e-%d@%s\r\n' "$n" "$CLIENT_IP"
    printf 'CSeq: 1 %s\r\n' "$method"
    [ -n "$extra" ] && printf '%s\r\n' "$extra"
    printf 'Content-Length: %d\r\n\r\n' "$body_len"
    [ "$body_len" -eq 0 ] || head -c "$body_len" /dev/zero | tr '\0' 'x'
  } >"$file"
}
# expect NAME FILE WANT [SEND ARGS...]: sends, the first reply's status line must start with WANT
# ("none": no reply within 1 s).
expect() {
  local name=$1 file=$2 want=$3
  shift 3
  local got
  got=$(send_udp "$file" --wait 1000 --replies 1 "$@" | sed -n 's/^reply //p' | head -n 1)
  if [ "$want" = none ]; then
    [ -z "$got" ] || fail "$name: want no reply, got '$got'"
    log "$name: no reply, as wanted"
  else
    case "$got" in
      "SIP/2.0 $want"*) log "$name: $got" ;;
      "") fail "$name: no reply (want $want)" ;;
      *) fail "$name: got '$got', want '$want'" ;;
    esac
  fi
}

request "$WORK/invite" INVITE sip:bob@example.com
expect "INVITE, all destinations down" "$WORK/invite" "503 "
send_udp "$WORK/invite" --wait 1000 --replies 1 --full >"$WORK/503.txt"
grep -q $'^Retry-After: 7\r$' "$WORK/503.txt" || fail "503 without 'Retry-After: 7': $(cat -A "$WORK/503.txt")"
log "503 carries Retry-After: 7"

request "$WORK/mf0-invite" INVITE "sip:bob@$(server_ip 1):5060" "" "Max-Forwards: 0"
expect "INVITE with Max-Forwards 0" "$WORK/mf0-invite" "483 "
request "$WORK/mf0-options" OPTIONS sip:bob@example.com "" "Max-Forwards: 0"
expect "OPTIONS with Max-Forwards 0" "$WORK/mf0-options" "483 "

request "$WORK/options-lb" OPTIONS "sip:$LB_IP:5060" "" "Max-Forwards: 70"
expect "OPTIONS for siplbd" "$WORK/options-lb" "200 "

request "$WORK/v3" OPTIONS sip:bob@example.com
sed -i '1s|SIP/2.0|SIP/3.0|' "$WORK/v3"
expect "SIP/3.0 request" "$WORK/v3" "505 "

request "$WORK/ack" ACK sip:bob@example.com
expect "ACK, all destinations down" "$WORK/ack" none

# rport: the reply goes to the source port (5099); without rport to the Via port (5060).
request "$WORK/rport" INVITE sip:bob@example.com ";rport"
got=$(ip netns exec "$LAB-c" "$UDP" --from "$CLIENT_IP:5099" --to "$LB_IP:5060" --wait 1000 --replies 1 "$WORK/rport")
[ "${got#reply SIP/2.0 503}" != "$got" ] || fail "rport: no 503 at the source port 5099 (got '$got')"
request "$WORK/norport" INVITE sip:bob@example.com
got=$(ip netns exec "$LAB-c" "$UDP" --from "$CLIENT_IP:5099" --to "$LB_IP:5060" --wait 1000 --replies 1 \
  --also-port 5060 "$WORK/norport")
[ "${got#reply SIP/2.0 503}" != "$got" ] || fail "no rport: no 503 at the Via port 5060 (got '$got')"
log "rport honoured (reply to 5099), Via port used without it (reply to 5060)"

stop_siplbd
last_counters >"$WORK/e.counters"
for want in "503 4" "483 2" "200 1" "505 1"; do
  set -- $want
  got=$(reply_count "$1" <"$WORK/e.counters")
  [ "$got" -eq "$2" ] || fail "siplbd counted $got replies $1, want $2"
done
[ "$(drop_count sip_ack_unanswered <"$WORK/e.counters")" -eq 1 ] || fail "the unanswered ACK was not counted (sip_ack_unanswered)"
log "reply counters: 503 x4, 483 x2, 200 x1, 505 x1; sip_ack_unanswered 1"
log "PASS: 503 with Retry-After, 483, 200, 505, no reply to ACK, rport"
