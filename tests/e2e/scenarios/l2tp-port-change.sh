# SPDX-License-Identifier: MIT
# l2tp-port-change: an L2TP server that answers from another port than the
# one the client called (RFC 2661 8.1 lets it: the reply's source port is
# the tunnel's from then on). xl2tpd cannot be told to do that, so both
# ends are crafted (lib/l2tpprobe.py): lan1 sends a Start-Control-
# Connection-Request from UDP 1701 to pgsrv1:1701; the server answers from
# UDP 1702; lan1 sends the Connected message to 1702 and the server
# acknowledges it. Passes when the reply from the new port reached lan1,
# the server got the Connected message from the same public address:port
# that called it, and lan1 got the acknowledgement.
#
# Expected per gateway: passgated passes (address-dependent filtering
# admits any port of a server the mapping already talks to). Linux
# conntrack knows the flow by both ports: the reply from 1702 is a new,
# unsolicited connection and is dropped, so lan1 gets nothing.

EXPECT_PASSGATE=pass
EXPECT_LINUX=no-reply

scenario() {
	local line call scccn
	spawn lns "$NS_SRV1" "$PY" -u "$E2E_DIR/lib/l2tpprobe.py" lns 1702
	wait_listen "$NS_SRV1" udp 1702 || { fail "the crafted LNS did not start"; return; }
	tnsx 15 "${NS_LAN[0]}" "$PY" "$E2E_DIR/lib/l2tpprobe.py" lac "$SRV1_IP" >"$SCN_DIR/lac.log" 2>&1
	line=$(head -n 1 "$SCN_DIR/lac.log")
	call=$(sed -n 's/^sccrq from \([0-9.:]*\) .*/\1/p' "$SCN_DIR/lns.log" | head -n 1)
	all_from_public "$call" || { fail "the LNS saw no request from $WAN_PUB (${call:-nothing})"; return; }
	if [[ $line != "sccrp from $SRV1_IP:1702 "* ]]; then
		judge no-reply "the server's reply from port 1702 never reached lan1 ($line)"
		return
	fi
	scccn=$(sed -n 's/^scccn from \([0-9.:]*\) .*/\1/p' "$SCN_DIR/lns.log" | head -n 1)
	[[ $scccn == "$call" ]] ||
		{ fail "lan1's Connected message reached port 1702 from '${scccn:-nothing}', not from $call"; return; }
	grep -q "^ack from $SRV1_IP:1702" "$SCN_DIR/lac.log" ||
		{ fail "the server's acknowledgement from 1702 did not reach lan1"; return; }
	report l2tp-port-change "${LAN_IP[0]}:1701" "$SRV1_IP:1701, answers from 1702" PASS "$call"
	judge pass "the reply from 1702 reached lan1, the tunnel continued on 1702 from $call"
}
