#!/usr/bin/env bash
# e2e (l): the operator's hands on a running siplbd: every siplbctl command against the real API
# socket, with bad arguments and bad requests refused naming the field, changes taking effect on
# live traffic (sipp calls), surviving a restart (the store), the Prometheus endpoint checked by
# promtool, `stats --watch` in a terminal (tmux), and a second siplbd refused on the same socket.
#   set 1: least-loaded over servers 1-3 (capacity 4 each), INVITEs only
#   set 2: maglev over the same servers, everything else
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init l "$@"
CTL=${SIPLBCTL:-}
[ -x "$CTL" ] || fail "siplbctl executable not found (SIPLBCTL='$CTL')"
command -v python3 >/dev/null || skip "python3 is needed to read siplbctl's JSON"

lab_up 4
for n in 1 2 3 4; do start_uas "$n"; done

S1=$(server_uri 1)
S2=$(server_uri 2)
S3=$(server_uri 3)
S4=$(server_uri 4)  # not in the file: added and removed at run time
CONFIG=$WORK/l.toml
write_control_config() {
  least_loaded_config "$CONFIG" absolute 4 4 4
  # Set 1 takes INVITEs only; set 2 (maglev, the same servers) takes the rest.
  awk '/^algorithm = "least-loaded"/ { print; print "methods = [\"INVITE\"]"; next } { print }' "$CONFIG" >"$CONFIG.tmp"
  mv "$CONFIG.tmp" "$CONFIG"
  printf '\n[[set]]\nid = 2\nname = "rest"\nalgorithm = "maglev"\n' >>"$CONFIG"
  for uri in "$S1" "$S2" "$S3"; do printf '\n[[set.destination]]\nuri = "%s"\nstate = "inactive"\n' "$uri" >>"$CONFIG"; done
}
write_control_config
# Adaptive idle workers: everything below runs through workers that sleep when idle.
printf '\n[workers]\nidle = "adaptive"\n' >>"$CONFIG"
start_siplbd "$CONFIG"
wait_all_active 3
SOCK=$WORK/siplbd.sock
export SIPLB_SOCKET=$SOCK

# ctl ARGS...: siplbctl's output; its exit code in CTL_RC.
ctl() {
  CTL_RC=0
  CTL_OUT=$("$CTL" "$@" 2>&1) || CTL_RC=$?
  printf '%s\n' "$CTL_OUT"
}
ctl_ok() {  # ARGS...: must succeed
  ctl "$@" >/dev/null
  [ "$CTL_RC" -eq 0 ] || fail "siplbctl $*: exit $CTL_RC: $CTL_OUT"
  printf '%s\n' "$CTL_OUT"
}
ctl_fails() {  # EXIT_CODE PATTERN ARGS...: must fail with that code and say PATTERN
  local code=$1 pattern=$2
  shift 2
  ctl "$@" >/dev/null
  [ "$CTL_RC" -eq "$code" ] || fail "siplbctl $*: exit $CTL_RC, expected $code: $CTL_OUT"
  grep -qiE -- "$pattern" <<<"$CTL_OUT" || fail "siplbctl $*: expected /$pattern/ in: $CTL_OUT"
  log "refused as expected (exit $code): siplbctl $* -> $(echo "$CTL_OUT" | head -n 1)"
}
# ctl_says GREP_OPTIONS PATTERN ARGS...: siplbctl ARGS succeeds and prints a line matching
# PATTERN (grep reads the whole output: an early exit of grep -q would break the pipe).
ctl_says() {
  local opts=$1 pattern=$2
  shift 2
  local out
  out=$(ctl_ok "$@") || return 1
  grep $opts -- "$pattern" <<<"$out"
}
# json EXPR: evaluates a Python expression over the JSON on stdin (bound to j).
json() { python3 -c "import json, sys; j = json.load(sys.stdin); print($1)"; }

# --- adaptive idle: with no traffic but the probes, the worker's core is mostly free ---------------
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SIPLBD_PID/stat"; }
t0=$(cpu_ticks)
sleep 3
used=$(( ($(cpu_ticks) - t0) * 100 / $(getconf CLK_TCK) / 3 ))  # percent of one core
[ "$used" -lt 60 ] || fail "adaptive idle: siplbd used ${used}% of a core with no traffic (a polling worker uses 100%)"
log "adaptive idle: siplbd used ${used}% of a core over 3 s with only probes"

# --- status, stats ----------------------------------------------------------------------------------
ctl_says -q "net_${E2E_PMD}0" status || fail "status does not list the port: $CTL_OUT"
st=$(ctl_ok --json status)
[ "$(echo "$st" | json 'j["ports"][0]["ipackets"] > 0')" = True ] || fail "status: the NIC counted no packet: $st"
for k in imissed ierrors oerrors rx_nombuf; do
  [ "$(echo "$st" | json "'$k' in j['ports'][0]")" = True ] || fail "status: no NIC counter $k"
done
[ "$(echo "$st" | json 'j["store"]["durability"]')" = sync ] || fail "status: store: $st"
log "status: $(echo "$st" | json '"port %s ipackets %d, %d worker(s), snapshot %d, store %s" % (j["ports"][0]["interface"], j["ports"][0]["ipackets"], len(j["lcores"]["workers"]), j["snapshot_generation"], j["store"]["state"])')"
[ "$(ctl_ok --json stats | json 'j["totals"]["probe_answers"] > 0')" = True ] || fail "stats: no probe answers counted"
ctl_says -q . stats || fail "stats printed nothing"

# --- dest list / show ------------------------------------------------------------------------------
list=$(ctl_ok --json dest list)
[ "$(echo "$list" | json 'sum(len(s["destinations"]) for s in j["sets"])')" -eq 6 ] || fail "dest list: $list"
ctl_says -qF "$S1" dest list || fail "dest list (table) does not show $S1"
[ "$(ctl_ok --json dest list --set 2 | json 'len(j["sets"])')" -eq 1 ] || fail "dest list --set 2"
ctl_fails 1 "several sets|set" dest show "$S1"
[ "$(ctl_ok --json dest show "$S1" --set 1 | json 'j["capacity"]["calls"]')" -eq 4 ] || fail "dest show: capacity"
ctl_says -q "CALLS" dest list || fail "dest list has no CALLS column"
ctl_fails 1 "no destination|not_found" dest show sip:10.99.0.1:5060 --set 1
ctl_fails 1 "no set|not_found" dest list --set 9

# --- changes on live traffic -------------------------------------------------------------------------
ctl_ok dest set-capacity "$S1" 0 --set 1 >/dev/null
[ "$(ctl_ok --json dest show "$S1" --set 1 | json 'j["capacity"]["calls"]')" -eq 0 ] || fail "set-capacity did not apply"
uac_in_background held 5070 6 45000
CALLERS=$BG_PID
expect_loads "0 3 3" "6 calls with server 1's capacity at 0 (siplbctl dest set-capacity)"
[ "$(ctl_ok --json dest list --set 1 | json '[d["dialogs"] for d in j["sets"][0]["destinations"]]')" = "[0, 3, 3]" ] ||
  fail "dest list: live calls per destination"
count=$(ctl_ok --json dialogs count)
[ "$(echo "$count" | json 'j["live"]')" -eq 6 ] || fail "dialogs count: $count"
dl=$(ctl_ok --json dialogs list --limit 100)
[ "$(echo "$dl" | json 'len(j["dialogs"])')" -eq 6 ] || fail "dialogs list: $dl"
[ "$(ctl_ok --json dialogs list --destination "$S2" | json 'len(j["dialogs"])')" -eq 3 ] || fail "dialogs list --destination"
[ "$(ctl_ok --json dialogs list --limit 2 | json 'j["truncated"]')" = True ] || fail "dialogs list --limit 2 not truncated"
id=$(echo "$dl" | json 'j["dialogs"][0]["id"]')
on=$(echo "$dl" | json 'j["dialogs"][0]["destination"]')
[ "$(ctl_ok --json dialogs show "$id" | json 'j["phase"]')" = confirmed ] || fail "dialogs show $id"
ctl_says -qi "BYE" dialogs end "$id" || fail "dialogs end does not say that no BYE was sent: $CTL_OUT"
[ "$(ctl_ok --json dialogs count | json 'j["live"]')" -eq 5 ] || fail "dialogs end: still 6 live"
ctl_fails 1 "no live dialog|not_found" dialogs show "$id"
ctl_fails 1 "hex|bad_argument" dialogs show not-an-id
log "dialogs: 6 live, $id on $on ended by the operator, 5 left"

ctl_ok dest drain "$S2" --set 1 >/dev/null
[ "$(ctl_ok --json dest show "$S2" --set 1 | json 'j["drained"]')" = True ] || fail "drain did not show"
ctl_ok dest set-weight "$S1" 5 --set 2 >/dev/null
ctl_ok dest set-state "$S3" d --set 2 >/dev/null
[ "$(ctl_ok --json dest show "$S3" --set 2 | json 'j["state"]')" = disabled ] || fail "set-state d"
ctl_fails 2 "weight|number|integer|convert" dest set-weight "$S1" heavy --set 2
ctl_fails 1 "65535|weight" dest set-weight "$S1" 70000 --set 2
ctl_fails 2 "state|active" dest set-state "$S1" sleepy --set 2
# --- add and remove at run time ---------------------------------------------------------------------
ctl_fails 1 "already" dest add 1 "$S1"
ctl_fails 1 "no set|not_found" dest add 7 "$S4"
ctl_fails 1 "not a sip: URI|args.uri" dest add 1 http://10.77.0.14/
ctl_fails 1 "no resource|args.capacity" dest add 1 "$S4" --capacity pstn=3
added=$(ctl_ok --json dest add 1 "$S4" --capacity calls=4)
[ "$(echo "$added" | json 'j["origin"]')" = api ] || fail "dest add: $added"
wait_for 10 bash -c "$CTL --json dest show $S4 --set 1 | grep -q '\"state\": \"active\"'" ||
  fail "the added destination did not become active (probes)"
uac_in_background more 5071 2 20000
MORE=$BG_PID
wait_for 10 bash -c "$CTL --json dest show $S4 --set 1 | grep -q '\"calls\": 2'" ||
  fail "2 new calls did not go to the added destination (most capacity free): $("$CTL" --json dest show "$S4" --set 1)"
log "added $S4 to set 1 at run time: the next 2 calls went to it"
removed=$(ctl_ok --json dest remove "$S4" --set 1)
[ "$(echo "$removed" | json 'j["calls_in_progress"]')" -eq 2 ] || fail "dest remove: $removed"
ctl_fails 1 "no destination|not_found" dest show "$S4" --set 1
ctl_ok dest remove "$S3" --set 2 >/dev/null
wait_pid "$MORE" 60 "the calls on the removed destination to end"
[ "$(calls_ok more)" -eq 2 ] || fail "calls on the removed destination: $(calls_ok more) of 2 completed (BYE)"
log "removed $S4 with 2 calls on it: both ended by their BYE through siplbd"
diff=$(ctl_ok --json dest diff)
[ "$(echo "$diff" | json 'sorted(c["field"] for c in j["changes"])')" = "['capacity.calls', 'drained', 'removed', 'weight']" ] ||
  fail "dest diff: $diff"
ctl_says -q "^2 $S1 0 0 weight=5" dest export --format dispatcher.list || fail "export (dispatcher.list): $CTL_OUT"
ctl_says -q '^weight = 5' dest export || fail "export (toml): $CTL_OUT"
h=$(ctl_ok --json hash some-call-id@example --set 2 | json 'j["destination"]')
case "$h" in "$S1" | "$S2") ;; *) fail "hash: '$h' (server 3 is out of set 2)" ;; esac
log "hash some-call-id@example in set 2 -> $h"
ctl_says -qF "$S2" ds_list || fail "ds_list (OpenSIPS) does not list $S2"
ctl_says -qF "$S2" dispatcher.list || fail "dispatcher.list (Kamailio) does not list $S2"

# --- reload: a broken file is refused naming file, line and reason; the running state stays -----------
cp "$CONFIG" "$CONFIG.good"
sed -i 's/^capacity = 4$/capacity = "lots"/' "$CONFIG"
ctl_fails 1 "l.toml:[0-9]+: .*capacity" reload
[ "$(ctl_ok --json dest show "$S1" --set 2 | json 'j["weight"]')" -eq 5 ] || fail "a refused reload changed the weights"
cp "$CONFIG.good" "$CONFIG"
[ "$(ctl_ok --json reload | json 'j["generation"] > 0')" = True ] || fail "reload of the good file"
[ "$(ctl_ok --json dest show "$S1" --set 2 | json 'j["weight"]')" -eq 5 ] || fail "a reload dropped the operator's weight"
[ "$(ctl_ok --json log-level debug | json 'j["level"]')" = debug ] || fail "log-level debug"
[ "$(ctl_ok --json log-level | json 'j["level"]')" = debug ] || fail "log-level (read)"

# --- raw protocol: bad requests get an error naming what is wrong ------------------------------------
raw() {
  python3 - "$SOCK" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode() + b"\n")
print(s.makefile().readline().strip())
PY
}
grep -q '"code":"bad_request"' <<<"$(raw 'this is not json')" || fail "bad JSON"
grep -q '"code":"unsupported_version"' <<<"$(raw '{"version":9,"command":"status"}')" || fail "unknown version"
grep -q '"field":"args.weight"' <<<"$(raw '{"version":1,"command":"dest.set_weight","args":{"uri":"x","weight":"y"}}')" ||
  fail "bad argument type not named"
grep -q '"field":"args.verbose"' <<<"$(raw '{"version":1,"command":"status","args":{"verbose":true}}')" || fail "unknown argument"
log "raw requests: bad JSON, version 9, a string weight and an unknown argument refused with their field"

# --- metrics ------------------------------------------------------------------------------------------
scrape() {
  ip netns exec "$LAB-lb" python3 -c 'import urllib.request; print(urllib.request.urlopen("http://127.0.0.1:9465/metrics", timeout=5).read().decode(), end="")'
}
scrape >"$WORK/metrics.txt" || fail "no metrics at 127.0.0.1:9465 in siplbd's namespace"
if command -v promtool >/dev/null; then
  promtool check metrics <"$WORK/metrics.txt" >"$WORK/promtool.out" 2>&1 || fail "promtool: $(cat "$WORK/promtool.out")"
  log "promtool check metrics: $(wc -l <"$WORK/metrics.txt") lines accepted"
else
  log "promtool not installed: the metrics format check is skipped"
fi
grep -q "^siplb_destination_state{set=\"1\",destination=\"$S2\",state=\"drained\"} 1" "$WORK/metrics.txt" ||
  fail "metrics: the drained destination"
# Server 2's load (LoadBoard) and its live dialogs (table slots) agree in one scrape.
load2=$(sed -n "s/^siplb_destination_load{set=\"1\",destination=\"$S2\",resource=\"calls\"} //p" "$WORK/metrics.txt")
dialogs2=$(sed -n "s/^siplb_destination_dialogs{set=\"1\",destination=\"$S2\"} //p" "$WORK/metrics.txt")
[ -n "$load2" ] && [ "$load2" = "$dialogs2" ] || fail "metrics: server 2's load '$load2' and dialogs '$dialogs2'"
grep -q '^siplb_port_rx_packets_total{interface=' "$WORK/metrics.txt" || fail "metrics: NIC counters"
grep -q '^siplb_store_batches_total ' "$WORK/metrics.txt" || fail "metrics: store counters"

# --- stats --watch in a terminal -------------------------------------------------------------------------
if command -v tmux >/dev/null; then
  TMUX_SESSION=siplb-$LAB
  tmux new-session -d -s "$TMUX_SESSION" -x 160 -y 60 "SIPLB_SOCKET=$SOCK $CTL stats --watch --interval 0.3 --count 20; sleep 5"
  on_screen() { tmux capture-pane -p -t "$TMUX_SESSION" >"$WORK/watch.txt" 2>&1 && grep -q PACKETS "$WORK/watch.txt"; }
  wait_for 10 on_screen ||
    { tmux kill-session -t "$TMUX_SESSION" 2>/dev/null; fail "stats --watch showed no counters in tmux: $(cat "$WORK/watch.txt")"; }
  tmux capture-pane -p -t "$TMUX_SESSION" >"$WORK/watch.txt"
  tmux kill-session -t "$TMUX_SESSION" 2>/dev/null || true
  log "stats --watch in tmux: $(grep -c . "$WORK/watch.txt") lines on screen"
else
  log "tmux not installed: the --watch check is skipped"
fi

# --- a second siplbd on the same socket is refused -------------------------------------------------------
sed "s|^dir = .*|dir = \"$WORK/store2\"|" "$CONFIG" >"$WORK/second.toml"
out=$(ip netns exec "$LAB-lb" "$SIPLBD" -l 0-1 --no-huge -m 512 --no-pci --file-prefix "$LAB-second" \
  -- --config "$WORK/second.toml" 2>&1) && fail "a second siplbd on the same API socket started"
rm -rf "/var/run/dpdk/$LAB-second" "$WORK/store2"
grep -q "in use by another siplbd" <<<"$out" || fail "second siplbd: $out"
log "a second siplbd on the same socket: $out"

# --- the operator's changes survive a restart ---------------------------------------------------------------
wait_pid "$CALLERS" 60 "the held calls to hang up"
stop_siplbd
start_siplbd "$CONFIG"
after=$(ctl_ok --json dest list)
[ "$(echo "$after" | json '[(d["uri"], d["weight"]) for s in j["sets"] if s["id"] == 2 for d in s["destinations"]][0][1]')" -eq 5 ] ||
  fail "weight 5 lost in the restart: $after"
[ "$(echo "$after" | json '[d["drained"] for s in j["sets"] if s["id"] == 1 for d in s["destinations"]]')" = "[False, True, False]" ] ||
  fail "drain lost in the restart: $after"
[ "$(echo "$after" | json '[d["capacity"]["calls"] for s in j["sets"] if s["id"] == 1 for d in s["destinations"]]')" = "[0, 4, 4]" ] ||
  fail "capacity lost in the restart: $after"
[ "$(echo "$after" | json '[d["uri"] for s in j["sets"] if s["id"] == 2 for d in s["destinations"]]')" = "['$S1', '$S2']" ] ||
  fail "set 2 after the restart (server 3 removed): $after"
[ "$(echo "$after" | json 'len([d for s in j["sets"] if s["id"] == 1 for d in s["destinations"]])')" -eq 3 ] ||
  fail "set 1 after the restart (server 4 added, then removed): $after"
log "after a restart: weight 5, drain, capacity 0 and the removal kept (store)"
ctl_ok dest undrain "$S2" --set 1 >/dev/null
[ "$(ctl_ok --json dest diff | json 'len([c for c in j["changes"] if c["field"] == "drained"])')" -eq 0 ] || fail "undrain still in the diff"
stop_siplbd
ctl_fails 3 "cannot connect|$SOCK" status
log "PASS"
