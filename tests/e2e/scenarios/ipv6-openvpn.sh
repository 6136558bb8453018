# SPDX-License-Identifier: MIT
# ipv6-openvpn: OpenVPN over UDP on IPv6 through the gateway: one server on
# srv1 ([2001:db8:2::10]:1194, TLS with pinned certificates as in
# openvpn-udp) and two LAN clients, both binding local port 1194. Passes when
# a ping inside each client's tunnel is answered and the server saw each
# client at its own IPv6 address and port 1194 (no NAT on the way).

source "$E2E_DIR/lib/ipv6.sh"
source "$E2E_DIR/lib/openvpn.sh"

scenario() {
	need openvpn || return
	ipv6_scenario
}

scenario6() {
	local i cn seen fps
	if ! pki_selfsigned pgsrv1 || ! pki_selfsigned lan1 || ! pki_selfsigned lan2; then
		fail "openssl could not make certificates"
		return
	fi
	fps=$(printf '%s\n' "$(pki_fingerprint lan1)" "$(pki_fingerprint lan2)")
	ovpn_server_conf "$SCN_DIR/server.conf" udp6 pgsrv1 "$fps"
	spawn openvpn-srv "$NS_SRV1" openvpn --config "$SCN_DIR/server.conf"
	wait_until 10 grep -q "Initialization Sequence Completed" "$SCN_DIR/openvpn-srv.log" ||
		{ fail "openvpn server did not start: $(tail -n 1 "$SCN_DIR/openvpn-srv.log")"; return; }
	for i in 0 1; do
		cn=lan$((i + 1))
		ovpn_client_conf "$SCN_DIR/client-$cn.conf" udp6 "$cn" "$SRV1_IP6" pgsrv1 "lport $OVPN_PORT"
		spawn "openvpn-$cn" "${NS_LAN[$i]}" openvpn --config "$SCN_DIR/client-$cn.conf"
	done
	for i in 0 1; do
		cn=lan$((i + 1))
		if ! wait_until 20 nsx "${NS_LAN[$i]}" ping -n -c 1 -W 1 10.8.0.1; then
			report openvpn6 "[${LAN6_IP[$i]}]:$OVPN_PORT" "[$SRV1_IP6]:$OVPN_PORT/udp" FAIL -
			fail "$cn: no ping answered inside the tunnel within 20 s ($(ovpn_last_words "$cn"))"
			return
		fi
		tnsx 10 "${NS_LAN[$i]}" ping -n -c 3 -i 0.2 -W 2 10.8.0.1 >"$SCN_DIR/tunnel-ping-$cn.log" 2>&1 ||
			{ fail "$cn: tunnel ping lost replies once up"; return; }
	done
	for i in 0 1; do
		cn=lan$((i + 1))
		# "[lan1] Peer Connection Initiated with [AF_INET6]2001:db8:1::10:1194"
		seen=$(grep -o "\[$cn\] Peer Connection Initiated with \[AF_INET6\][0-9a-f:]*" \
			"$SCN_DIR/openvpn-srv.log" | tail -n 1 | sed 's/.*\]//')
		[[ $seen == "${LAN6_IP[$i]}:$OVPN_PORT" ]] ||
			{ fail "server saw $cn as '${seen:-nothing}', expected ${LAN6_IP[$i]}:$OVPN_PORT"; return; }
		report openvpn6 "[${LAN6_IP[$i]}]:$OVPN_PORT" "[$SRV1_IP6]:$OVPN_PORT/udp" PASS "$seen"
	done
}
