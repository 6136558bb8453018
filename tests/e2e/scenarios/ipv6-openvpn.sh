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
	local i cn seen
	ovpn_star udp6 udp6 "$SRV1_IP6" "lport $OVPN_PORT" "openvpn6 [$SRV1_IP6]:$OVPN_PORT/udp" || return
	for i in 0 1; do
		cn=lan$((i + 1))
		seen=$(ovpn_seen "$cn" AF_INET6)
		[[ $seen == "${LAN6_IP[$i]}:$OVPN_PORT" ]] ||
			{ fail "server saw $cn as '${seen:-nothing}', expected ${LAN6_IP[$i]}:$OVPN_PORT"; return; }
		report openvpn6 "[${LAN6_IP[$i]}]:$OVPN_PORT" "[$SRV1_IP6]:$OVPN_PORT/udp" PASS "$seen"
	done
}
