# SPDX-License-Identifier: MIT
# fwd-openvpn: an OpenVPN server inside the LAN, reached from the WAN
# through a UDP port forward:
#
#   pgsrv1 (wan1) ─┐                     ┌─ lan1: openvpn server
#                  ├─► 198.51.100.2:1194 ─┤    udp 1194, pool 10.8.0.0/24
#   pgsrv2 (wan2) ─┘   "udp 1194 lan1"
#
# Two clients (TLS, pinned self-signed EC certificates, lib/openvpn.sh) on
# the WAN dial the gateway's public address at once. Passes when a ping
# inside each client's tunnel is answered by the server (10.8.0.1) and the
# server saw each client at its own address and port (a forward translates
# the destination only).

source "$E2E_DIR/lib/openvpn.sh"
GW_FORWARDS=("udp $OVPN_PORT ${LAN_IP[0]}")

scenario() {
	need openvpn || return
	local i cn seen fps cns=("$NS_SRV1" "$NS_SRV2") cips=("$SRV1_IP" "$SRV2_IP")
	for cn in insidesrv wan1 wan2; do
		pki_selfsigned "$cn" || { fail "openssl could not make certificates"; return; }
	done
	fps=$(printf '%s\n' "$(pki_fingerprint wan1)" "$(pki_fingerprint wan2)")
	ovpn_server_conf "$SCN_DIR/server.conf" udp4 insidesrv "$fps"
	spawn openvpn-srv "${NS_LAN[0]}" openvpn --config "$SCN_DIR/server.conf"
	wait_listen "${NS_LAN[0]}" udp "$OVPN_PORT" 10 ||
		{ fail "openvpn server on lan1 did not start: $(tail -n 1 "$SCN_DIR/openvpn-srv.log")"; return; }
	for i in 0 1; do
		cn=wan$((i + 1))
		ovpn_client_conf "$SCN_DIR/client-$cn.conf" udp4 "$cn" "$WAN_PUB" insidesrv nobind
		spawn "openvpn-$cn" "${cns[$i]}" openvpn --config "$SCN_DIR/client-$cn.conf"
	done
	# Up when a ping inside the tunnel is answered, not when the log says so.
	for i in 0 1; do
		cn=wan$((i + 1))
		if ! wait_until 20 nsx "${cns[$i]}" ping -n -c 1 -W 1 10.8.0.1; then
			report fwd-openvpn "${cips[$i]}" "$WAN_PUB:$OVPN_PORT -> ${LAN_IP[0]}" FAIL -
			fail "$cn: no ping answered inside the tunnel within 20 s ($(ovpn_last_words "$cn"))"
			return
		fi
		tnsx 10 "${cns[$i]}" ping -n -c 5 -i 0.2 -W 2 10.8.0.1 >"$SCN_DIR/tunnel-ping-$cn.log" 2>&1 ||
			{ fail "$cn: tunnel ping lost replies once up"; return; }
	done
	for i in 0 1; do
		cn=wan$((i + 1))
		# "[wan1] Peer Connection Initiated with [AF_INET]203.0.113.10:39211"
		seen=$(grep -o "\[$cn\] Peer Connection Initiated with \[AF_INET\][0-9.]*:[0-9]*" \
			"$SCN_DIR/openvpn-srv.log" | tail -n 1 | sed 's/.*\]//')
		[[ ${seen%%:*} == "${cips[$i]}" ]] ||
			{ fail "the server inside saw $cn as '${seen:-nothing}', expected ${cips[$i]}"; return; }
		report fwd-openvpn "${cips[$i]} ($cn)" "$WAN_PUB:$OVPN_PORT -> ${LAN_IP[0]}:$OVPN_PORT/udp" PASS \
			"$seen, ping inside"
	done
	if [[ $GATEWAY == passgate ]] && gateway_dump; then
		note "passgated: forwarded_flows $(dump_value forwarded_flows)"
	fi
}
