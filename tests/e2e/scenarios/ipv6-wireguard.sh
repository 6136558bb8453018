# SPDX-License-Identifier: MIT
# ipv6-wireguard: wireguard-go over IPv6 endpoints through the gateway: a
# server on srv1 ([2001:db8:2::10]:51820) and two LAN peers, both on port
# 51820. Passes when a ping inside each peer's tunnel is answered and the
# server learnt each peer at the LAN host's own IPv6 address and port (no
# NAT on the way).

source "$E2E_DIR/lib/ipv6.sh"
source "$E2E_DIR/lib/wireguard.sh"

WG_PORT=51820

scenario() {
	need wireguard-go wg || return
	ipv6_scenario
}

scenario6() {
	local i ifs=() pubs=() ns seen
	for i in 0 1 2; do
		ifs[i]=pgw6$i-$SFX
		ns=$NS_SRV1
		((i > 0)) && ns=${NS_LAN[$((i - 1))]}
		wg_peer_start "$i" "$ns" "${ifs[$i]}" || return
		pubs[i]=$(wg_pub "$i")
	done
	wgx 0 "$NS_SRV1" set "${ifs[0]}" listen-port "$WG_PORT" private-key "$SCN_DIR/wg0.key" \
		peer "${pubs[1]}" allowed-ips 10.9.0.2/32 \
		peer "${pubs[2]}" allowed-ips 10.9.0.3/32 || { fail "wg set on the server failed"; return; }
	ip -n "$NS_SRV1" addr add 10.9.0.1/24 dev "${ifs[0]}"
	ip -n "$NS_SRV1" link set "${ifs[0]}" up
	for i in 1 2; do
		ns=${NS_LAN[$((i - 1))]}
		wgx "$i" "$ns" set "${ifs[$i]}" listen-port "$WG_PORT" private-key "$SCN_DIR/wg$i.key" \
			peer "${pubs[0]}" endpoint "[$SRV1_IP6]:$WG_PORT" allowed-ips 10.9.0.0/24 \
			persistent-keepalive 5 || { fail "wg set on lan$i failed"; return; }
		ip -n "$ns" addr add "10.9.0.$((i + 1))/24" dev "${ifs[$i]}"
		ip -n "$ns" link set "${ifs[$i]}" up
	done
	for i in 1 2; do
		ns=${NS_LAN[$((i - 1))]}
		if ! wait_until 10 nsx "$ns" ping -n -c 1 -W 1 10.9.0.1; then
			report wireguard6 "[${LAN6_IP[$((i - 1))]}]:$WG_PORT" "[$SRV1_IP6]:$WG_PORT/udp" FAIL -
			fail "lan$i: no ping answered inside the tunnel within 10 s"
			return
		fi
		tnsx 10 "$ns" ping -n -c 3 -i 0.2 -W 2 10.9.0.1 >"$SCN_DIR/tunnel-ping-lan$i.log" 2>&1 ||
			{ fail "lan$i: tunnel ping lost replies once up"; return; }
	done
	wgx 0 "$NS_SRV1" show "${ifs[0]}" >"$SCN_DIR/wg-show-server.txt" 2>&1
	for i in 1 2; do
		seen=$(wgx 0 "$NS_SRV1" show "${ifs[0]}" endpoints | awk -v k="${pubs[$i]}" '$1 == k {print $2}')
		[[ $seen == "[${LAN6_IP[$((i - 1))]}]:$WG_PORT" ]] ||
			{ fail "server has lan$i's endpoint as '${seen:-none}', expected [${LAN6_IP[$((i - 1))]}]:$WG_PORT"; return; }
		report wireguard6 "[${LAN6_IP[$((i - 1))]}]:$WG_PORT" "[$SRV1_IP6]:$WG_PORT/udp" PASS "$seen"
	done
}
