#!/usr/bin/env bash
# e2e (m): siplbd as the registrar. Two sipp phones (alice in server namespace 1, bob in 2)
# register for example.com through siplbd with digest authentication (401, then credentials from
# a TOML subscriber list); sipp callers then call alice and bob at example.com and siplbd routes
# each call to the phone's binding (its received address), a call to an unknown user gets 404.
# siplbctl shows, adds, removes and imports bindings (a db_text location table), reloads the
# subscribers (a broken file refused, the running table kept); a 2-second binding expires; the
# metrics pass promtool.
# Restart: the bindings come back from the store.
# kill -9: sipp registers users of load.example.com at a steady rate under durability "sync";
# siplbd is killed with SIGKILL mid-way and restarted: every user whose REGISTER got a 200 OK is
# there, once; then half of them unregister, siplbd is killed again, and none of the acknowledged
# deletes comes back. The figures (acknowledged, found) are printed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init m "$@"
SCEN=$REPO/tests/e2e/scenarios
LOAD_USERS=${E2E_REG_USERS:-3000}
LOAD_RATE=${E2E_REG_RATE:-1000}

lab_up 2
E2E_STATE=active write_config "$WORK/m.toml" round-robin 1
cat >>"$WORK/m.toml" <<EOF

[registrar]
domains = [{ name = "example.com", auth = "register" }, "load.example.com"]
subscribers = "$WORK/subscribers.toml"
auth_algorithms = ["MD5"]  # sipp answers only MD5 challenges
aors = 65536
contacts = 65536
EOF
cat >"$WORK/subscribers.toml" <<EOF
[[subscriber]]
username = "alice"
domain = "example.com"
password = "alice-secret"

[[subscriber]]
username = "bob"
domain = "example.com"
password = "bob-secret"
EOF
start_siplbd "$WORK/m.toml"
ctl() { "$SIPLBCTL" --socket "$WORK/siplbd.sock" "$@"; }

# register_phone N USER PASSWORD: the phone of server namespace N registers (sipp, -m 1).
register_phone() {
  local n=$1 user=$2 password=$3 rc=0
  (cd "$WORK" && timeout -k 5 40 ip netns exec "$LAB-s$n" sipp -sf "$SCEN/phone_register.xml" "$LB_IP:5060" \
    -i "$(server_ip "$n")" -p 5060 -s "$user" -au "$user" -ap "$password" -m 1 -nostdin -timeout 30 ${E2E_SIPP_TRACE:+-trace_msg} \
    >"$WORK/register-$user.out" 2>&1) || rc=$?
  [ "$rc" -eq 0 ] || fail "$user did not register (sipp exit $rc)"
}
register_phone 1 alice alice-secret
register_phone 2 bob bob-secret
log "alice and bob registered with digest authentication"
[ "$(reply_count 401 < <(siplbd_counters))" -ge 2 ] || fail "no 401 challenges counted"
lookup=$(ctl reg lookup sip:alice@example.com) || fail "siplbctl reg lookup alice failed"
grep -q "$(server_ip 1):5060" <<<"$lookup" || fail "alice's binding does not name $(server_ip 1):5060: $lookup"
ctl --json reg count | grep -q '"aors": *2' || fail "reg count: $(ctl --json reg count)"

# The phones answer calls on the port they registered from.
start_uas 1
start_uas 2
call_user() {  # USER NAME: one call from the client to USER@example.com
  local user=$1 name=$2 rc=0
  (cd "$WORK" && timeout -k 5 60 ip netns exec "$LAB-c" sipp -sf "$SCEN/uac_user.xml" "$LB_IP:5060" \
    -i "$CLIENT_IP" -p 5060 -s "$user" -m 1 -d 500 -nostdin -timeout 40 -trace_logs \
    -log_file "$WORK/uac-$name.log" >"$WORK/uac-$name.out" 2>&1) || rc=$?
  [ "$rc" -eq 0 ] || fail "the call to $user failed (sipp exit $rc)"
}
call_user alice alice
grep -q " $(server_ip 1)\$" "$WORK/uac-alice.log" || fail "the call to alice was not answered by $(server_ip 1)"
call_user bob bob
grep -q " $(server_ip 2)\$" "$WORK/uac-bob.log" || fail "the call to bob was not answered by $(server_ip 2)"
log "calls to alice and bob reached their phones through their bindings"
cat >"$WORK/carol.sip" <<EOF
INVITE sip:carol@example.com SIP/2.0
Via: SIP/2.0/UDP $CLIENT_IP:5060;branch=z9hG4bK-carol-1
From: <sip:caller@$CLIENT_IP>;tag=c1
To: <sip:carol@example.com>
Call-ID: carol-1@$CLIENT_IP
CSeq: 1 INVITE
Max-Forwards: 70
Content-Length: 0

EOF
sed -i 's/$/\r/' "$WORK/carol.sip"
got=$(send_udp "$WORK/carol.sip" --wait 1000 --replies 1 | sed -n 's/^reply //p' | head -n 1)
case "$got" in "SIP/2.0 404"*) ;; *) fail "a call to unregistered carol: '$got', expected 404" ;; esac
log "a call to an unregistered user: 404"

# The operator's view and hands (siplbctl against the running siplbd).
ctl reg show sip:bob@example.com | grep -q "$(server_ip 2):5060" || fail "reg show bob: $(ctl reg show sip:bob@example.com)"
ctl reg add sip:zed@example.com "sip:zed@$(server_ip 2):5060" --expires 120 >/dev/null || fail "reg add zed"
ctl --json reg lookup zed@example.com | grep -q "sip:zed@$(server_ip 2):5060" || fail "zed not found after reg add"
ctl reg rm sip:zed@example.com >/dev/null || fail "reg rm zed"
ctl reg lookup sip:zed@example.com >/dev/null 2>&1 && fail "zed still found after reg rm"
# Expiry: a binding of 2 seconds is swept by the control thread (an expiry is persisted like any change).
ctl reg add sip:brief@example.com "sip:brief@$(server_ip 2):5060" --expires 2 >/dev/null || fail "reg add brief"
ctl --json reg count | grep -q '"aors": *3' || fail "reg count with brief: $(ctl --json reg count)"
wait_until 10 "the 2-second binding to expire" bash -c "\"$SIPLBCTL\" --socket \"$WORK/siplbd.sock\" --json reg count | grep -q '\"aors\": *2'"
ctl reg add sip:alice@other.org sip:a@10.0.0.1 >/dev/null 2>&1 && fail "reg add for a domain siplb does not serve was accepted"
now=$(date +%s)
cat >"$WORK/location" <<EOF
username(string) domain(string,null) contact(string) received(string,null) expires(int) q(double) callid(string) cseq(int)
yara:example.com:sip\:yara@$(server_ip 1)\:5060:null:$((now + 600)):1:imported-1:1
zoe:example.com:sip\:zoe@$(server_ip 2)\:5060:null:$((now - 600)):1:imported-2:1
EOF
ctl --json reg import "$WORK/location" >"$WORK/import.json" || fail "reg import: $(cat "$WORK/import.json")"
grep -q '"imported": *1' "$WORK/import.json" || fail "reg import: $(cat "$WORK/import.json")"
ctl reg lookup sip:yara@example.com >/dev/null || fail "imported yara not found"
cp "$WORK/subscribers.toml" "$WORK/subscribers.good"
printf '[[subscriber]]\nusername = "x"\n' >"$WORK/subscribers.toml"
out=$(ctl subscribers reload 2>&1) && fail "a broken subscriber file was reloaded"
grep -q "subscribers.toml:" <<<"$out" || fail "subscribers reload error does not name the file: $out"
cp "$WORK/subscribers.good" "$WORK/subscribers.toml"
ctl subscribers reload >/dev/null || fail "subscribers reload of the good file"
log "siplbctl: reg show/add/lookup/rm, a 2-second binding expired by the sweep, a db_text location table imported (1 live row, 1 expired), subscribers reload refused then applied"
ip netns exec "$LAB-lb" python3 -c 'import urllib.request; print(urllib.request.urlopen("http://127.0.0.1:9465/metrics", timeout=5).read().decode(), end="")' \
  >"$WORK/metrics.txt" || fail "no metrics at 127.0.0.1:9465"
if command -v promtool >/dev/null; then
  promtool check metrics <"$WORK/metrics.txt" >"$WORK/promtool.out" 2>&1 || fail "promtool: $(cat "$WORK/promtool.out")"
fi
grep -q '^siplb_registrar_aors 3$' "$WORK/metrics.txt" || fail "metrics: $(grep registrar_aors "$WORK/metrics.txt")"
grep -q '^siplb_auth_outcomes_total{outcome="ok"} [1-9]' "$WORK/metrics.txt" || fail "metrics: no auth ok counted"
log "metrics: 3 AoRs registered, auth outcomes counted (promtool accepts the text)"

# A clean restart: the bindings come back from the store before traffic.
stop_siplbd
start_siplbd "$WORK/m.toml"
grep -q "^siplbd: store: 3 binding(s) of 3 AoR(s) restored" "$SIPLBD_LOG" || fail "bindings not restored: $(grep binding "$SIPLBD_LOG")"
call_user alice alice2
log "restart: 3 bindings restored, alice called again"

# load_register NAME EXPIRES USERS: sipp registers u1..uUSERS of load.example.com at LOAD_RATE
# (EXPIRES 0: unregisters them).
load_register() {
  local name=$1 expires=$2 users=$3
  (cd "$WORK" && exec timeout -k 5 60 ip netns exec "$LAB-c" sipp -sf "$SCEN/register_load.xml" "$LB_IP:5060" \
    -i "$CLIENT_IP" -p 5070 -m "$users" -r "$LOAD_RATE" -key expires "$expires" \
    -nostdin -timeout 30 -recv_timeout 2000 -trace_logs -log_file "$WORK/load-$name.log" \
    >"$WORK/load-$name.out" 2>&1) &
  LOAD_PID=$!
  E2E_PIDS+=("$LOAD_PID")
}
acked() { sort -u "$WORK/load-$1.log" | awk '$1 == "acked" {print $2}'; }
found_users() {  # the users of load.example.com siplbd has, one per line (repeats kept)
  ctl --json reg list --domain load.example.com --limit 100000 |
    python3 -c 'import json,sys; d=json.load(sys.stdin); [print(a["aor"].split("@")[0].split(":")[-1]) for a in d["aors"] for c in a["contacts"]]'
}
kill_siplbd() {
  kill -KILL "$SIPLBD_PID"
  wait "$SIPLBD_PID" 2>/dev/null || true
  SIPLBD_PID=""
}

load_register add 3600 "$LOAD_USERS"
sleep $((LOAD_USERS / LOAD_RATE / 2 + 1))
kill_siplbd
wait "$LOAD_PID" 2>/dev/null || true
acked add | sort >"$WORK/acked-add"
start_siplbd "$WORK/m.toml"
found_users | sort >"$WORK/found-add"
n_acked=$(wc -l <"$WORK/acked-add")
n_found=$(wc -l <"$WORK/found-add")
n_unique=$(sort -u "$WORK/found-add" | wc -l)
missing=$(comm -23 "$WORK/acked-add" <(sort -u "$WORK/found-add") | wc -l)
log "kill -9 during registrations: acknowledged $n_acked, found $n_found after the restart ($missing acknowledged missing)"
[ "$n_acked" -gt 0 ] || fail "no REGISTER was acknowledged before the kill"
[ "$n_acked" -lt "$LOAD_USERS" ] || fail "the kill came after the last REGISTER: nothing was tested"
[ "$missing" -eq 0 ] || fail "$missing acknowledged bindings are missing after kill -9"
[ "$n_found" -eq "$n_unique" ] || fail "duplicated bindings after the restart ($n_found contacts, $n_unique users)"

# Deletes: the acknowledged users unregister (the first half of them); kill -9 mid-way again.
half=$((n_acked / 2))
load_register del 0 "$half"
sleep $((half / LOAD_RATE / 2 + 1))
kill_siplbd
wait "$LOAD_PID" 2>/dev/null || true
acked del | sort >"$WORK/acked-del"
start_siplbd "$WORK/m.toml"
found_users | sort -u >"$WORK/found-del"
n_del=$(wc -l <"$WORK/acked-del")
resurrected=$(comm -12 "$WORK/acked-del" "$WORK/found-del" | wc -l)
log "kill -9 during unregistrations: $n_del deletes acknowledged, $resurrected came back"
[ "$n_del" -gt 0 ] || fail "no unregistration was acknowledged before the kill"
[ "$resurrected" -eq 0 ] || fail "$resurrected acknowledged deletes came back after kill -9"
# Users that never unregistered (past the first half) are all still there.
kept=$(awk -v h="$half" '{ if (substr($1, 2) + 0 > h) print }' "$WORK/acked-add" | comm -23 - "$WORK/found-del" | wc -l)
[ "$kept" -eq 0 ] || fail "$kept registered users that never unregistered are missing"
log "acknowledged deletes stay deleted after kill -9; the users that did not unregister are all there"

stop_siplbd
log "PASS"
