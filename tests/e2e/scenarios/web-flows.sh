# SPDX-License-Identifier: MIT
# web-flows: the flow table of the admin page, and ending flows ("reset
# states") checked on live traffic.
#
#   Chromium ──http──► passgated's page (127.0.0.1:8080 in pggw-S)
#   lan1 ── UDP every 0.2 s ──► passgated ──► srv1:7011 (echo)
#   srv1 ── UDP every 0.1 s ──► 198.51.100.2:7012 ──forward──► lan1, then lan2
#
# 1. Page (tests/web/flows.js): log in, search lan1's UDP flows, see the
#    busy one count up, press "End these flows"; the page says how many
#    ended and the table then shows that connection as a new flow (a lower
#    packet count); flow_cleared went up, and srv1 still gets lan1's
#    datagrams afterwards (the next packet made a new flow).
# 2. The forward story: udp 7012 forwarded to lan1 while srv1 sends to it;
#    the rule is changed to lan2, and the existing flow keeps delivering to
#    lan1 (lan2 gets nothing); `passgatectl flows clear --rule N` ends it,
#    and srv1's next datagrams reach lan2.
# Screenshot: build/web-flows.png. Only for --gateway passgate.

# api_restart, api_get, expect, counter, API*: the api scenario's helpers.
source "$E2E_DIR/scenarios/api.sh"

FLOWS_ECHO=7011
FLOWS_FWD=7012

# flows_lines FILE - how many datagrams a listener logged.
flows_lines() {
	local n
	n=$(grep -c '^from ' "$1" 2>/dev/null)
	echo "${n:-0}"
}

# flows_atleast FILE N - FILE logged at least N datagrams (for wait_until).
flows_atleast() {
	(($(flows_lines "$1") >= $2))
}

# flows_rule_id HOST - the id of the udp FLOWS_FWD forward to HOST.
flows_rule_id() {
	api_get /api/v1/forwards | cut -d' ' -f2- | python3 -c '
import json, sys
for r in json.load(sys.stdin)["rules"]:
    if r["rule"].split()[:3] == ["udp", sys.argv[1], sys.argv[2]]:
        print(r["id"])' "$FLOWS_FWD" "$1"
}

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the admin page is passgated's own: run with --gateway passgate"; return; }
	need node chromium curl python3 || return
	api_restart || return
	flows_page || return
	flows_rule || return
	report web-flows "${LAN_IP[0]}" "$SRV1_IP:$FLOWS_ECHO" PASS "$FLOWS_SEEN"
}

flows_page() {
	local c0 c1 n0 n1 said
	spawn flows-echo "$NS_SRV1" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-server "$FLOWS_ECHO"
	wait_listen "$NS_SRV1" udp "$FLOWS_ECHO" || { fail "srv1's UDP echo did not start"; return; }
	spawn flows-lan1 "${NS_LAN[0]}" timeout 120 "$PY" -u -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 40711))
while True:
    s.sendto(b"flow", (sys.argv[1], int(sys.argv[2])))
    time.sleep(0.2)' "$SRV1_IP" "$FLOWS_ECHO"
	c0=$(counter flow_cleared)
	tnsx 100 "$NS_GW" node "$REPO/tests/web/flows.js" "$API/" "$API_PASSWORD" "${LAN_IP[0]}" \
		"$REPO/build/web-flows.png" >>"$SCN_DIR/browser.log" 2>&1 ||
		{ fail "flow table: $(grep -v Warning "$SCN_DIR/browser.log" | tail -n 1)"; return; }
	said=$(grep '^flows: ' "$SCN_DIR/browser.log" | tail -n 1)
	c1=$(counter flow_cleared)
	((c1 > c0)) || { fail "the page said '$said' but flow_cleared stayed at $c1"; return; }
	n0=$(flows_lines "$SCN_DIR/flows-echo.log")
	sleep 1
	n1=$(flows_lines "$SCN_DIR/flows-echo.log")
	((n1 >= n0 + 3)) || { fail "srv1 got $((n1 - n0)) datagrams from lan1 in the second after the flows were ended"; return; }
	grep -q "from $WAN_PUB:" "$SCN_DIR/flows-echo.log" ||
		{ fail "srv1 did not see lan1 as $WAN_PUB"; return; }
	note "page: $said; flow_cleared $c0 -> $c1; srv1 got $((n1 - n0)) datagrams in 1 s after"
	FLOWS_SEEN="page ended lan1's flows ($said)"
}

flows_rule() {
	local id a0 b0 a1 b1 ctl=("$REPO/build/passgatectl" --url "$API" --token "$API_TOKEN")
	local i
	for i in 0 1; do
		spawn "flows-fwd-lan$((i + 1))" "${NS_LAN[$i]}" "$PY" -u -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
while True:
    d, a = s.recvfrom(2048)
    print("from %s:%d" % a, flush=True)' "$FLOWS_FWD"
		wait_listen "${NS_LAN[$i]}" udp "$FLOWS_FWD" || { fail "lan$((i + 1)) listener did not start"; return; }
	done
	expect 200 POST /api/v1/forwards "{\"rule\": \"udp $FLOWS_FWD ${LAN_IP[0]}\"}" "Bearer $API_TOKEN" || return
	id=$(flows_rule_id "${LAN_IP[0]}")
	[[ -n $id ]] || { fail "the forward to lan1 is not listed"; return; }
	scn_undo flows_drop_rule
	spawn flows-wan "$NS_SRV1" timeout 60 "$PY" -u -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 40712))
while True:
    s.sendto(b"in", (sys.argv[1], int(sys.argv[2])))
    time.sleep(0.1)' "$WAN_PUB" "$FLOWS_FWD"
	wait_until 5 flows_atleast "$SCN_DIR/flows-fwd-lan1.log" 5 ||
		{ fail "the forward did not deliver srv1's datagrams to lan1"; return; }
	# Point the rule at lan2: the flow to lan1 lives on.
	expect 200 DELETE "/api/v1/forwards/$id" "" "Bearer $API_TOKEN" || return
	expect 200 POST /api/v1/forwards "{\"rule\": \"udp $FLOWS_FWD ${LAN_IP[1]}\"}" "Bearer $API_TOKEN" || return
	id=$(flows_rule_id "${LAN_IP[1]}")
	[[ -n $id ]] || { fail "the forward to lan2 is not listed"; return; }
	a0=$(flows_lines "$SCN_DIR/flows-fwd-lan1.log")
	sleep 1.5
	a1=$(flows_lines "$SCN_DIR/flows-fwd-lan1.log")
	b0=$(flows_lines "$SCN_DIR/flows-fwd-lan2.log")
	((b0 == 0 && a1 > a0)) ||
		{ fail "after changing the forward, lan1 got $((a1 - a0)) and lan2 $b0: expected the old flow to keep lan1's (the case clearing is for)"; return; }
	tnsx 8 "$NS_GW" "${ctl[@]}" flows clear --rule "$id" >"$SCN_DIR/clear.out" 2>&1 ||
		{ fail "passgatectl flows clear --rule $id: $(tail -n 1 "$SCN_DIR/clear.out")"; return; }
	grep -q '^[1-9][0-9]* flows ended' "$SCN_DIR/clear.out" ||
		{ fail "passgatectl flows clear said: $(cat "$SCN_DIR/clear.out")"; return; }
	wait_until 3 flows_atleast "$SCN_DIR/flows-fwd-lan2.log" 5 ||
		{ fail "after clearing rule $id's flows, lan2 got $(flows_lines "$SCN_DIR/flows-fwd-lan2.log") datagrams"; return; }
	a0=$(flows_lines "$SCN_DIR/flows-fwd-lan1.log")
	sleep 1
	a1=$(flows_lines "$SCN_DIR/flows-fwd-lan1.log")
	((a1 == a0)) || { fail "lan1 still got $((a1 - a0)) datagrams after the rule's flows were ended"; return; }
	grep -q "from $SRV1_IP:40712" "$SCN_DIR/flows-fwd-lan2.log" ||
		{ fail "lan2 did not see srv1's address"; return; }
	note "rule: $(cat "$SCN_DIR/clear.out"); lan2 gets srv1's datagrams, lan1 none"
}

# Remove the scenario's forward (whichever host it points at).
flows_drop_rule() {
	local id
	for h in "${LAN_IP[0]}" "${LAN_IP[1]}"; do
		id=$(flows_rule_id "$h")
		[[ -n $id ]] && api_call DELETE "/api/v1/forwards/$id" "" "Bearer $API_TOKEN" >/dev/null
	done
	return 0
}
