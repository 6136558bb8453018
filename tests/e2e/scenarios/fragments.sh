# SPDX-License-Identifier: MIT
# fragments: UDP datagrams larger than the MTU, so every one crosses
# the gateway as IP fragments, out and back (IKE with certificates and
# OpenVPN with a large tun MTU do this). Passes when each 3000-byte datagram
# comes back intact from the echo server.

scenario() {
	local line
	spawn udp-echo-srv "$NS_SRV1" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-server 7008
	wait_listen "$NS_SRV1" udp 7008 || { fail "UDP echo server did not start"; return; }
	line=$(tnsx 20 "${NS_LAN[0]}" "$PY" "$E2E_DIR/lib/netprobe.py" \
		udp-echo-client "$SRV1_IP" 7008 40002 5 3000)
	echo "$line" >"$SCN_DIR/udp-echo-lan1.log"
	[[ $line =~ echoed\ 5\  ]] ||
		{ fail "3000-byte datagrams did not make the round trip (${line:-no result})"; return; }
	report fragments "${LAN_IP[0]}:40002" "$SRV1_IP:7008" PASS "$(awk '{print $2}' <<<"$line")"
}
