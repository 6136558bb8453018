# SPDX-License-Identifier: MIT
# pptp-slipstream: NAT Slipstreaming against the PPTP helper. lan1 opens TCP
# connections to a web port (80) on pgsrv1 whose streams carry well-formed
# PPTP Start-Control-Connection-Request and Outgoing-Call-Request messages,
# each at a segment boundary: once as the connection's first bytes, once
# after an HTTP POST header. Then pgsrv1 sends enhanced GRE to the gateway's
# public address with the call id those requests announced, as a PPTP
# server answering that call would. Passes when both streams crossed the
# gateway byte for byte (echoed back unchanged: no call id was rewritten),
# no GRE reaches any LAN host (captures on their links), and the gateway
# counted the GRE as unsolicited.

SLIP_CALL_ID=17185	# 0x4321

scenario() {
	local i mode line before after n sent sent2
	spawn web "$NS_SRV1" "$PY" "$E2E_DIR/lib/tcpecho.py" server 80
	wait_listen "$NS_SRV1" tcp 80 || { fail "the web port's echo server did not start"; return; }
	for i in 0 1 2; do
		CAP_NOWAIT=1 capture_start "gre-lan$((i + 1))" "${NS_LAN[$i]}" eth0 "ip proto gre" -Q in
	done
	for i in 1 2 3; do capture_ready "gre-lan$i" || return; done
	for mode in start body; do
		line=$(tnsx 10 "${NS_LAN[0]}" "$PY" "$E2E_DIR/lib/pptpslip.py" \
			client "$SRV1_IP" 80 "$SLIP_CALL_ID" "$mode" 2>&1)
		echo "$mode: $line" >>"$SCN_DIR/slip-client.log"
		[[ $line == *" ok" ]] ||
			{ fail "the web stream ($mode) did not cross the gateway unchanged: ${line:-no result}"; return; }
		all_from_public "$(awk '{print $2}' <<<"$line")" ||
			{ fail "the web server saw lan1 as '$line'"; return; }
	done
	read -r before _ < <(gateway_unsolicited_count)
	[[ $before =~ ^[0-9]+$ ]] || { fail "cannot read the gateway's unsolicited counter"; return; }
	# While the web connections' state is fresh, the "server" answers the
	# announced call and call id 0 (pptpd hands it out: it is real).
	sent=$(tnsx 10 "$NS_SRV1" "$PY" "$E2E_DIR/lib/pptpslip.py" gre "$WAN_PUB" "$SLIP_CALL_ID" 10)
	sent2=$(tnsx 10 "$NS_SRV1" "$PY" "$E2E_DIR/lib/pptpslip.py" gre "$WAN_PUB" 0 5)
	note "gre: $sent; call id 0: $sent2"
	sleep 0.5
	read -r after _ < <(gateway_unsolicited_count)
	capture_stop gre-lan1 gre-lan2 gre-lan3
	for i in 1 2 3; do
		capture_complete "gre-lan$i" || { fail "the capture on lan$i lost packets"; return; }
		n=$(capture_count "gre-lan$i")
		((n == 0)) ||
			{ fail "lan$i received $n GRE packets: the slipstreamed call was opened"; return; }
	done
	[[ $after =~ ^[0-9]+$ ]] || { fail "cannot read the gateway's unsolicited counter afterwards"; return; }
	((after - before >= 15)) ||
		{ fail "the gateway counted $((after - before)) of 15 GRE packets as unsolicited"; return; }
	report pptp-slipstream "${LAN_IP[0]} (web page)" "$SRV1_IP:80/tcp, GRE back" PASS \
		"15 GRE dropped, counted $((after - before))"
}
