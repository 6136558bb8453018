# SPDX-License-Identifier: MIT
# wireguard: wireguard-go (userspace; no kernel module here) on pgsrv1 and on
# two LAN hosts, both LAN peers listening on UDP 51820 like the server, all
# at once. Passes when a ping inside each LAN peer's tunnel is answered and
# the server learnt each peer's endpoint at the gateway's public address.
#
# Each peer has a private /run (lib/wireguard.sh).

source "$E2E_DIR/lib/wireguard.sh"

WG_PORT=51820

scenario() {
	need wireguard-go wg || return
	local i seen
	# Index 0 is the server, 1 and 2 the LAN peers on lan1 and lan2.
	wg_star pgwg "$SRV1_IP:$WG_PORT" wireguard "$SRV1_IP:$WG_PORT/udp" || return
	for i in 1 2; do
		seen=$(wg_star_seen "$i")
		all_from_public "$seen" ||
			{ fail "server has lan$i's endpoint as '${seen:-none}', expected $WAN_PUB"; return; }
		report wireguard "${LAN_IP[$((i - 1))]}:$WG_PORT" "$SRV1_IP:$WG_PORT/udp" PASS "$seen"
	done
}
