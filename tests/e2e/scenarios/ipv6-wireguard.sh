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
	local i seen want
	wg_star pgw6 "[$SRV1_IP6]:$WG_PORT" wireguard6 "[$SRV1_IP6]:$WG_PORT/udp" || return
	for i in 1 2; do
		seen=$(wg_star_seen "$i")
		want="[${LAN6_IP[$((i - 1))]}]:$WG_PORT"
		[[ $seen == "$want" ]] ||
			{ fail "server has lan$i's endpoint as '${seen:-none}', expected $want"; return; }
		report wireguard6 "$want" "[$SRV1_IP6]:$WG_PORT/udp" PASS "$seen"
	done
}
