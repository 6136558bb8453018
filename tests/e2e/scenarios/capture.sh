# SPDX-License-Identifier: MIT
# capture: `passgatectl capture --filter gre` on the gateway while a real
# PPTP call crosses it, and the pcap read back with tshark.
#
#   lan1 (pptp + PPP stand-in) ──lan0─► passgated ─wan0──► srv1 (pptpd + stand-in)
#                                          ▲
#              passgatectl capture --filter gre -w gre.pcap (control socket, in pggw-S)
#
# 1. passgated is restarted with credentials in [api] (scenarios/api.sh).
# 2. passgatectl arms a capture of both links (Linux cooked v2 frames: the
#    interface and the direction of each are in the file) and waits.
# 3. lan1 calls pptpd on srv1 (lib/pptp.sh); the call runs until both ends
#    have heard several PPP echoes through GRE; then Ctrl-C (SIGINT) makes
#    passgatectl stop the capture and write the pcap.
# 4. The helper's log line gives the call ids: client X, public Y, server Z.
#    Passes when tshark opens the pcap, every frame in it is enhanced GRE
#    (IP protocol 47, GRE version 1), and the call's GRE is there on both
#    links with the ids the NAT must put on it: in on lan0 and out on wan0
#    keyed Z (the server's id), in on wan0 keyed Y, out on lan0 keyed X.
# Only for --gateway passgate: the capture is passgated's own.

source "$E2E_DIR/lib/pptp.sh"
# api_restart, api_get, API_TOKEN: the api scenario's helpers.
source "$E2E_DIR/scenarios/api.sh"

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the capture is passgated's own: run with --gateway passgate"; return; }
	need pptpd pptp socat tshark curl python3 || return
	local pcap=$SCN_DIR/gre.pcap cap_pid rc ids lan_if wan_if
	api_restart || return
	pptp_server || return
	# Over the root-only control socket (no token), as an administrator on
	# the router would; status and sessions below go over HTTP with the token.
	spawn passgatectl-capture "$NS_GW" "$REPO/build/passgatectl" --socket "$PG_SOCK" \
		capture --seconds 120 --filter gre -w "$pcap"
	cap_pid=$LAST_PID
	wait_alive "$cap_pid" 10 capture_running ||
		{ fail "passgatectl capture did not arm a capture: $(tail -n 1 "$SCN_DIR/passgatectl-capture.log")"; return; }
	pptp_client 1
	wait_alive "$LAST_PID" 5 pptp_ctl_count 1 ||
		{ fail "lan1: no PPTP control connection reached the server"; return; }
	wait_until 15 pptp_server_heard lan1 3 ||
		{ fail "lan1's PPP frames did not reach the server through GRE ($(pptp_why 1))"; return; }
	wait_until 10 pptp_client_heard 1 3 ||
		{ fail "the server's PPP frames did not reach lan1 through GRE ($(pptp_why 1))"; return; }
	# What an administrator would look at meanwhile (kept as evidence).
	local ctl=("$REPO/build/passgatectl" --url "$API" --token "$API_TOKEN")
	tnsx 8 "$NS_GW" "${ctl[@]}" status >"$SCN_DIR/ctl-status.txt" 2>&1 ||
		{ fail "passgatectl status failed: $(tail -n 1 "$SCN_DIR/ctl-status.txt")"; return; }
	tnsx 8 "$NS_GW" "${ctl[@]}" sessions >"$SCN_DIR/ctl-sessions.txt" 2>&1 ||
		{ fail "passgatectl sessions failed: $(tail -n 1 "$SCN_DIR/ctl-sessions.txt")"; return; }
	grep -q "^pptp .*${LAN_IP[0]}" "$SCN_DIR/ctl-sessions.txt" ||
		{ fail "passgatectl sessions does not list lan1's PPTP session"; return; }
	# Ctrl-C: passgatectl stops the capture, fetches the pcap, writes it.
	kill -INT "$cap_pid" 2>/dev/null
	wait_until 20 capture_exited "$cap_pid" ||
		{ fail "passgatectl capture did not finish after SIGINT"; return; }
	wait "$cap_pid"
	rc=$?
	((rc == 0)) || { fail "passgatectl capture failed ($rc): $(tail -n 1 "$SCN_DIR/passgatectl-capture.log")"; return; }
	note "passgatectl: $(tail -n 1 "$SCN_DIR/passgatectl-capture.log")"
	ids=$(call_ids) || { fail "the gateway logged no 'pptp: call up' with call ids"; return; }
	lan_if=$(ifindex lan0) && wan_if=$(ifindex wan0) ||
		{ fail "cannot read the gateway's interface indexes"; return; }
	# shellcheck disable=SC2086
	capture_check "$pcap" "$lan_if" "$wan_if" $ids || return
	report capture "${LAN_IP[0]}" "$SRV1_IP/gre" PASS "$CAPTURE_NOTE"
}

# capture_running - the daemon says a capture is running.
capture_running() {
	api_get /api/v1/capture | grep -q '"state":"running"'
}

capture_exited() {
	! alive "$1"
}

# call_ids - "X Y Z" (client, public, server call id) of the call the
# gateway's PPTP helper saw come up, from its event log.
call_ids() {
	api_get /api/v1/events | python3 -c '
import json, re, sys
body = sys.stdin.read().split(" ", 1)[1]
for e in json.loads(body)["events"]:
    m = re.search(r"call up .*client call id (\d+), public (\d+), server (\d+)", e["text"])
    if m:
        print(*m.groups())
        sys.exit(0)
sys.exit(1)'
}

# ifindex IF - the kernel's index of the gateway's link IF.
ifindex() {
	local i
	i=$(ip -n "$NS_GW" -o link show "$1" | cut -d: -f1)
	[[ $i =~ ^[0-9]+$ ]] && echo "$i"
}

# capture_check PCAP LAN-IFINDEX WAN-IFINDEX X Y Z - the pcap holds only
# enhanced GRE, and the call's packets on both links in both directions
# with the call ids NAT must give them. Sets CAPTURE_NOTE.
capture_check() {
	local pcap=$1 lan=$2 wan=$3 x=$4 y=$5 z=$6 fields n bad
	[[ -s $pcap ]] || { fail "passgatectl wrote no pcap"; return 1; }
	fields=$(timeout 60 tshark -n -r "$pcap" -T fields -E separator=' ' -e sll.ifindex \
		-e sll.pkttype -e ip.proto -e gre.flags.version -e gre.key.call_id 2>"$SCN_DIR/tshark.err") ||
		{ fail "tshark cannot read the pcap: $(head -n 1 "$SCN_DIR/tshark.err")"; return 1; }
	echo "$fields" >"$SCN_DIR/tshark.txt"
	n=$(grep -c . <<<"$fields")
	((n > 0)) || { fail "the pcap is empty"; return 1; }
	# Every frame: IP protocol 47, GRE version 1 (enhanced, RFC 2637).
	bad=$(awk '$3 != 47 || $4 != 1' <<<"$fields" | grep -c .)
	((bad == 0)) || { fail "$bad of $n frames in the pcap are not enhanced GRE"; return 1; }
	# sll.pkttype: 0 received by the gateway, 4 sent by it.
	local want=("$lan 0 47 1 $z:in on lan0 keyed $z" "$wan 4 47 1 $z:out on wan0 keyed $z"
		"$wan 0 47 1 $y:in on wan0 keyed $y" "$lan 4 47 1 $x:out on lan0 keyed $x") w c counts=()
	for w in "${want[@]}"; do
		c=$(grep -cxF "${w%%:*}" <<<"$fields")
		((c > 0)) || { fail "no GRE ${w#*:} in the pcap (call ids client $x, public $y, server $z)"; return 1; }
		counts+=("${w#*:} $c")
	done
	note "pcap: $n frames, all enhanced GRE; $(IFS=,; echo "${counts[*]}")"
	CAPTURE_NOTE="pcap: $n GRE frames, call ids $x/$y/$z on both links"
}
