#!/usr/bin/env bash
# e2e (f): the RFC 4475 torture messages against a running siplbd.
# Every rfc4475/*.dat of the test data ($SIPLB_TESTDATA, skipped when absent) is sent twice, byte
# for byte as one UDP datagram, from the client namespace to siplbd, which balances over one
# server: a UDP listener that answers siplbd's probes and records what is forwarded to it. The
# outcome of each send is what the client got back (the status line of a reply; replies go to the
# top Via's port, so 5060, 5050 and 5070 are listened on), whether the server received the
# message, and which of siplbd's drop counters went up (its counters are read after each send;
# the lab's background is left out: not_ethernet_ipv4_or_arp, ip_options (IGMP), icmp_unhandled,
# arp_unhandled, and ipv6_* / ndp_* (router and neighbour solicitations from the bridge
# namespace)). siplbd runs on net_tap (E2E_PMD overrides) so that the messages larger than one
# frame (longreq.dat) reach it as fragments: net_af_packet truncates them (see lib.sh).
# Each outcome must meet MANIFEST.tsv:
#   accept, request    forwarded to the server, or answered 200 (an OPTIONS for siplbd itself);
#                      dblreq.dat: the octets after Content-Length (a second request) not forwarded.
#                      A request whose own Route leads elsewhere goes there: mpart01.dat's Route
#                      <sip:127.0.0.1:5080> is off the lab subnet, so its drop as no_route counts as
#                      handled. NOTE, not failure: a Route whose host is a name (wsinv.dat) is
#                      dropped as sip_bad_next_hop, since siplbd does no DNS on its data path
#   reject, request    answered 4xx/5xx (the code named in the manifest, where it names one), or
#                      dropped with one sip_* drop counted; never forwarded
#   response           dropped, counted as sip_response_not_ours (accept, or a manifest text
#                      saying "not ours") or sip_malformed_response (reject)
#   either             anything but a crash, the same both times
# and every message must give the same outcome both times. A drop must raise exactly one drop
# counter, a forward or a reply none. At the end siplbd must still run and answer an OPTIONS.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init f "$@"

data=${SIPLB_TESTDATA:-}/rfc4475
[ -n "${SIPLB_TESTDATA:-}" ] && [ -f "$data/MANIFEST.tsv" ] ||
  skip "RFC 4475 test data not found: SIPLB_TESTDATA='${SIPLB_TESTDATA:-}' has no rfc4475/MANIFEST.tsv"

export E2E_PMD=${E2E_PMD_RFC4475:-tap}
lab_up 1
start_listener 1 "$WORK/received"
write_config "$WORK/f.toml" maglev 1
start_siplbd "$WORK/f.toml"
wait_all_active 1

forwarded_count() { find "$WORK/received" -name '*.msg' | wc -l; }
# sip_drops FILE -> "reason=count ..." of the drop counters in a counters block (no background)
sip_drops() {
  awk '/^drops by reason:/{s=1; next} /^[a-z]/{s=0}
       s && $1 !~ /^(not_ethernet_ipv4_or_arp|ip_options|icmp_unhandled|arp_unhandled|ipv6_.*|ndp_.*)$/ {printf "%s=%s ", $1, $2}' "$1"
}
# drop_delta OLD NEW -> the reasons that went up, "reason+N" each
drop_delta() {
  awk -v old="$(sip_drops "$1")" -v new="$(sip_drops "$2")" 'BEGIN {
    n = split(old, o, " "); for (i = 1; i <= n; i++) { split(o[i], kv, "="); before[kv[1]] = kv[2] }
    n = split(new, a, " "); out = ""
    for (i = 1; i <= n; i++) { split(a[i], kv, "="); d = kv[2] - before[kv[1]]; if (d) out = out (out ? "," : "") kv[1] "+" d }
    print out }'
}

# send_one FILE: sends it, sets OUTCOME ("reply NNN", "forwarded", "dropped", or a mix joined
# with "&"), DROPS (drop counters that went up) and FWD_FILE (what the server got, if anything).
# siplbd's own counters say when it has dealt with the datagram (a reply, a forward or a drop
# counted), so a slow moment on a busy machine is waited out instead of misread; they are read
# once more 0.2 s later (a read can fall between two counters of one packet: forwarded_requests,
# then a no_route drop), and the reply or the forward they announce is awaited at the client or
# the server (bounded).
siplbd_counters >"$WORK/counters.prev"
total_replies() { awk '/^replies sent by siplb:/{s=1; next} /^[a-z]/{s=0} s && NF {v += $2} END {print v + 0}' "$1"; }
send_one() {
  local file=$1 before replies codes after sender fwd=0 rep=0
  before=$(forwarded_count)
  : >"$WORK/replies"
  send_udp "$file" --wait 5000 --replies 1 --also-port 5050 --also-port 5070 >"$WORK/replies" &
  sender=$!
  local deadline=$((SECONDS + 8))
  DROPS=""
  while :; do
    siplbd_counters >"$WORK/counters.now"
    fwd=$(($(counter forwarded_requests <"$WORK/counters.now") - $(counter forwarded_requests <"$WORK/counters.prev")))
    rep=$(($(total_replies "$WORK/counters.now") - $(total_replies "$WORK/counters.prev")))
    DROPS=$(drop_delta "$WORK/counters.prev" "$WORK/counters.now")
    if [ "$fwd" -ne 0 ] || [ "$rep" -ne 0 ] || [ -n "$DROPS" ] || [ "$SECONDS" -ge "$deadline" ]; then break; fi
    sleep 0.05
  done
  sleep 0.2
  siplbd_counters >"$WORK/counters.now"
  fwd=$(($(counter forwarded_requests <"$WORK/counters.now") - $(counter forwarded_requests <"$WORK/counters.prev")))
  rep=$(($(total_replies "$WORK/counters.now") - $(total_replies "$WORK/counters.prev")))
  DROPS=$(drop_delta "$WORK/counters.prev" "$WORK/counters.now")
  mv "$WORK/counters.now" "$WORK/counters.prev"
  local wait_end=$((SECONDS + 3))
  if [ "$fwd" -gt 0 ]; then
    while [ "$(forwarded_count)" -lt $((before + fwd)) ] && [ "$SECONDS" -lt "$wait_end" ]; do sleep 0.05; done
  fi
  if [ "$rep" -gt 0 ]; then
    while [ ! -s "$WORK/replies" ] && kill -0 "$sender" 2>/dev/null && [ "$SECONDS" -lt "$wait_end" ]; do sleep 0.05; done
  fi
  sleep 0.05
  stop_pid "$sender"
  replies=$(sed -n 's/^reply //p' "$WORK/replies")
  after=$(forwarded_count)
  OUTCOME=""
  FWD_FILE=""
  if [ -n "$replies" ]; then
    codes=$(printf '%s\n' "$replies" | awk '{print $2}' | sort -u | tr '\n' ' ')
    OUTCOME="reply ${codes% }"
  fi
  if [ "$after" -gt "$before" ]; then
    OUTCOME="${OUTCOME:+$OUTCOME & }forwarded"
    FWD_FILE=$WORK/received/$after.msg
    [ "$((after - before))" -eq 1 ] || OUTCOME="$OUTCOME x$((after - before))"
  fi
  FWD_COUNTED=$fwd
  if [ -z "$OUTCOME" ]; then
    OUTCOME=dropped
    # Counted as a reply or a forward, yet nothing arrived and no drop counted: lost.
    [ -n "$DROPS" ] || { [ "$fwd" -eq 0 ] && [ "$rep" -eq 0 ]; } || OUTCOME="lost (siplbd counted forwards $fwd, replies $rep)"
  fi
}

# route_host FILE: the host of the message's first Route header (folded lines unfolded), or "".
route_host() {
  python3 - "$1" <<'PY'
import re, sys
head = open(sys.argv[1], 'rb').read().split(b'\r\n\r\n', 1)[0].decode('latin-1')
head = re.sub(r'\r\n[ \t]+', ' ', head)
for line in head.split('\r\n')[1:]:
    m = re.match(r'(?i)route[ \t]*:(.*)', line)
    if m:
        h = re.search(r'<sips?:([^;>:]+)', m.group(1))
        print(h.group(1) if h else '')
        break
PY
}

failures=()
notes=()
table=()
n_accept=0 n_reject=0 n_either=0 n_response=0
while IFS=$'\t' read -r file section title class expected; do
  [ "$file" = file ] && continue  # header
  [ -f "$data/$file" ] || { failures+=("$file: listed in MANIFEST.tsv but missing"); continue; }
  kind=${expected%% *}
  is_response=0
  [ "$(head -c 4 "$data/$file")" = "SIP/" ] && is_response=1
  send_one "$data/$file"
  out1=$OUTCOME drops1=$DROPS fwd1=$FWD_FILE
  send_one "$data/$file"
  out2=$OUTCOME drops2=$DROPS
  problem=""
  [ "$out1" = "$out2" ] || problem="not deterministic: '$out1' then '$out2'"
  [ "$drops1" = "$drops2" ] || problem="${problem:+$problem; }drop counters differ: '$drops1' then '$drops2'"
  # Drop accounting: one counter per drop, none otherwise.
  if [ "$out1" = dropped ]; then
    case "$drops1" in
      "" | *,* | *+[2-9]*) problem="${problem:+$problem; }dropped but the drop counters went up by '$drops1'" ;;
    esac
  elif [ -n "$drops1" ]; then
    problem="${problem:+$problem; }$out1 but drops went up: $drops1"
  fi
  # The host of the first Route header, if any.
  route_host=$(route_host "$data/$file")
  note=""
  codes_named=$(printf '%s' "$expected" | grep -o '\b[1-6][0-9][0-9]\b' | tr '\n' ' ' || true)
  if [ "$is_response" -eq 1 ]; then
    n_response=$((n_response + 1))
    want_reason=sip_malformed_response
    if [ "$kind" = accept ] || [[ "$expected" == *"not ours"* ]]; then want_reason=sip_response_not_ours; fi
    [ "$kind" = either ] && want_reason=""
    if [ "$out1" != dropped ]; then
      problem="${problem:+$problem; }a response must be dropped, got '$out1'"
    elif [ -n "$want_reason" ] && [ "$drops1" != "$want_reason+1" ]; then
      problem="${problem:+$problem; }dropped as '$drops1', want $want_reason"
    fi
  else
    case "$kind" in
      accept)
        n_accept=$((n_accept + 1))
        case "$out1/$drops1" in
          forwarded/ | "reply 200/") ;;
          dropped/no_route+1)
            [ -n "$route_host" ] && ! printf '%s' "$route_host" | grep -q '^10\.77\.0\.' ||
              problem="${problem:+$problem; }want forwarded (or 200), got '$out1' ($drops1)"
            note="routed by its Route to $route_host: off the lab subnet"
            if [ "$FWD_COUNTED" -gt 0 ]; then
              note="$note; NOTE: counted both as forwarded_requests and as a no_route drop"
              notes+=("$file: counted both as forwarded_requests (+$FWD_COUNTED) and as a no_route drop")
            fi
            ;;
          dropped/sip_bad_next_hop+1)
            if [ -n "$route_host" ] && ! printf '%s' "$route_host" | grep -qE '^[0-9.]+$'; then
              note="NOTE: valid, but its Route names host '$route_host' and siplbd does no DNS: dropped unanswered"
              notes+=("$file: $note")
            else
              problem="${problem:+$problem; }want forwarded (or 200), got '$out1' ($drops1)"
            fi
            ;;
          *) problem="${problem:+$problem; }want forwarded (or 200), got '$out1'${drops1:+ ($drops1)}" ;;
        esac
        if [ "$file" = dblreq.dat ] && [ -n "$fwd1" ] && grep -aq '^INVITE ' "$fwd1"; then
          problem="${problem:+$problem; }the octets after Content-Length were forwarded"
        fi
        ;;
      reject)
        n_reject=$((n_reject + 1))
        case "$out1" in
          dropped) ;;
          "reply "[45][0-9][0-9])
            code=${out1#reply }
            if [ -n "$codes_named" ] && [[ " $codes_named" != *" $code "* ]]; then
              # zeromf: an OPTIONS may be answered by the balancer itself (200) instead.
              problem="${problem:+$problem; }answered $code, the manifest names: $codes_named"
            fi
            ;;
          "reply 200")
            [[ "$expected" == *"answered by the balancer"* ]] || problem="${problem:+$problem; }want a 4xx/5xx reply or a drop, got '$out1'"
            ;;
          *) problem="${problem:+$problem; }want a 4xx/5xx reply or a drop, got '$out1'" ;;
        esac
        ;;
      either) n_either=$((n_either + 1)) ;;
      *) problem="unknown expectation '$expected'" ;;
    esac
  fi
  line=$(printf '%-14s %-7s -> %-22s %s' "$file" "$kind" "$out1" "${drops1:+($drops1)}")
  table+=("$line${note:+   ($note)}${problem:+   FAIL: $problem}")
  [ -z "$problem" ] || failures+=("$file ($class, $expected): $problem")
done <"$data/MANIFEST.tsv"

printf 'e2e:   %s\n' "${table[@]}"
siplbd_alive || fail "siplbd is no longer running after the torture messages"
printf 'OPTIONS sip:%s:5060 SIP/2.0\r\nVia: SIP/2.0/UDP %s:5060;branch=z9hG4bK-after\r\nMax-Forwards: 70\r\nFrom: <sip:t@%s>;tag=1\r\nTo: <sip:%s>\r\nCall-ID: after@x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n' \
  "$LB_IP" "$CLIENT_IP" "$CLIENT_IP" "$LB_IP" >"$WORK/options"
r=$(send_udp "$WORK/options" --wait 1000 --replies 1)
[ "${r#reply SIP/2.0 200}" != "$r" ] || fail "siplbd no longer answers OPTIONS after the torture messages (got '$r')"
stop_siplbd
log "siplbd's drops by reason at the end:"
last_counters | sed -n '/^drops by reason:/,/^probes:/p' | grep -v '^probes:'
[ "${#notes[@]}" -eq 0 ] || printf 'e2e: %s\n' "${notes[@]}"
log "messages: $n_accept accept, $n_reject reject, $n_either either (requests); $n_response responses; each sent twice"
if [ "${#failures[@]}" -gt 0 ]; then
  printf 'e2e: RFC 4475: %s\n' "${failures[@]}" >&2
  fail "${#failures[@]} of the RFC 4475 messages did not meet MANIFEST.tsv"
fi
log "PASS: every RFC 4475 message met MANIFEST.tsv, deterministically; siplbd still running"
