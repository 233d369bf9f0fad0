#!/usr/bin/env bash
# e2e (j): siplbd between two networks (two DPDK ports): callers on 10.77.0.0/24 reach it at
# 10.77.0.1, the servers sit on 10.78.0.0/24, which the callers cannot reach, behind its 10.78.0.1.
# Calls complete only through siplbd's double Record-Route (RFC 5658): each INVITE reaches its
# server with siplbd's private address on top and its public one under it, and the caller's ACK
# and BYE (tools/demo/uac.xml: Route set from the 200 OK, sent to the server's Contact, which only
# siplbd can reach) come back with both Routes, which siplbd pops before forwarding.
export LAB_TWO_ARMED=1
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init j "$@"

calls=20
lab_up 2
for n in 1 2; do start_uas "$n" -trace_msg -message_file "$WORK/uas$n.msg"; done
write_config "$WORK/j.toml" round-robin 1 1
start_siplbd "$WORK/j.toml"
wait_all_active 2  # the probes leave by the private port
run_uac two-armed "$calls" 20 200
[ "$UAC_OK" -eq "$calls" ] && [ "$UAC_FAILED" -eq 0 ] ||
  fail "$UAC_OK of $calls calls succeeded across the two networks ($UAC_FAILED failed, sipp status $UAC_RC)"
counters=$(siplbd_counters)
stop_siplbd
for n in 1 2; do stop_pid "${UAS_PID[$n]}" TERM; done

# Each request as the server got it: "METHOD RR=<Record-Route values> R=<Route values> V=<top Via
# sent-by and params> F=<From name-addr, up to the first space>".
requests_seen() {
  awk '
    function flush() { if (method != "" && method !~ /^SIP\//) print method, "RR=" rr, "R=" r, "V=" v, "F=" f; method = "" }
    /message received \[[0-9]+\] bytes/ { flush(); inmsg = 1; method = ""; rr = ""; r = ""; v = ""; f = ""; next }
    inmsg && method != "" && f == "" && tolower($1) ~ /^(from|f):$/ { f = $2; next }
    inmsg && method != "" && v == "" && tolower($1) ~ /^(via|v):$/ { v = $3; next }
    inmsg && method == "" && NF > 0 { method = $1; next }
    inmsg && tolower($1) == "record-route:" { sub(/^[^:]*: */, ""); sub(/\r$/, ""); rr = rr (rr == "" ? "" : ",") $0; next }
    inmsg && tolower($1) == "route:" { sub(/^[^:]*: */, ""); sub(/\r$/, ""); r = r (r == "" ? "" : ",") $0; next }
    inmsg && method != "" && NF == 0 { flush(); inmsg = 0 }
    END { flush() }
  ' "$1"
}
both='<sip:10.78.0.1:5060;lr>,<sip:10.77.0.1:5060;lr>'
invites=0
in_dialog=0
probes=0
for n in 1 2; do
  [ -f "$WORK/uas$n.msg" ] || fail "server $n wrote no message trace"
  requests_seen "$WORK/uas$n.msg" >"$WORK/uas$n.requests"
  while read -r method rr route via from; do
    case "$method" in
      OPTIONS)
        # siplbd's probes leave by the private port and must name it, where the answers go.
        [ "$via" = "V=10.78.0.1:5060;branch=${via#*;branch=}" ] || fail "server $n: a probe came with Via ${via#V=}, not siplbd's private address 10.78.0.1:5060"
        case "$from" in "F=<sip:siplb@10.78.0.1>;tag="*) ;; *) fail "server $n: a probe came From ${from#F=}, not siplbd's private address" ;; esac
        probes=$((probes + 1)) ;;
      INVITE)
        [ "$rr" = "RR=$both" ] || fail "server $n: an INVITE came with ${rr#RR=} instead of siplbd's two Record-Routes $both"
        invites=$((invites + 1)) ;;
      ACK | BYE)
        [ "$route" = "R=" ] || fail "server $n: a $method still carries Route ${route#R=} (siplbd must pop both of its own)"
        in_dialog=$((in_dialog + 1)) ;;
    esac
  done <"$WORK/uas$n.requests"
done
[ "$probes" -gt 0 ] || fail "the servers' traces hold no probe"
log "servers got $probes probes naming 10.78.0.1 (Via and From), $invites INVITEs with both Record-Routes, $in_dialog ACKs and BYEs with siplbd's Routes popped"
[ "$invites" -ge "$calls" ] || fail "the servers got $invites INVITEs for $calls calls"
[ "$in_dialog" -eq $((2 * calls)) ] || fail "the servers got $in_dialog ACKs and BYEs, expected $((2 * calls))"
drops=$(sip_drops_total <<<"$counters")
[ "$drops" -eq 0 ] || fail "siplbd dropped $drops SIP messages: $(grep -A30 '^drops by reason' <<<"$counters" | head -n 12 | tr '\n' ' ')"
log "PASS: $calls calls from one network to servers on another, through siplbd's two ports"
