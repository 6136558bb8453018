# SPDX-License-Identifier: MIT
# fwd-wireguard: a wireguard-go server inside the LAN, reached from the WAN
# through a UDP port forward:
#
#   pgsrv1 (10.9.0.2) ─┐                      ┌─ lan1: wireguard-go
#                      ├─► 198.51.100.2:51820 ─┤    listen 51820, 10.9.0.1
#   pgsrv2 (10.9.0.3) ─┘   "udp 51820 lan1"
#
# Both WAN peers have the public address as their endpoint; the server
# knows none and learns them from their handshakes. Passes when a ping
# inside each WAN peer's tunnel is answered, the server pings each peer
# back inside the tunnel (its packets go out from the forwarded port to the
# endpoints it learnt), and it learnt each peer at the peer's own address (a
# forward translates the destination only).

source "$E2E_DIR/lib/wireguard.sh"

WG_PORT=51820
GW_FORWARDS=("udp $WG_PORT ${LAN_IP[0]}")

scenario() {
	need wireguard-go wg || return
	local i ifs=() pubs=() ns=("${NS_LAN[0]}" "$NS_SRV1" "$NS_SRV2") ips=("" "$SRV1_IP" "$SRV2_IP") seen
	# Index 0 is the server on lan1, 1 and 2 the peers on pgsrv1, pgsrv2.
	for i in 0 1 2; do
		ifs[i]=pgwf$i-$SFX
		wg_peer_start "$i" "${ns[$i]}" "${ifs[$i]}" || return
		pubs[i]=$(wg_pub "$i")
	done
	wgx 0 "${ns[0]}" set "${ifs[0]}" listen-port "$WG_PORT" private-key "$SCN_DIR/wg0.key" \
		peer "${pubs[1]}" allowed-ips 10.9.0.2/32 \
		peer "${pubs[2]}" allowed-ips 10.9.0.3/32 || { fail "wg set on the server failed"; return; }
	ip -n "${ns[0]}" addr add 10.9.0.1/24 dev "${ifs[0]}"
	ip -n "${ns[0]}" link set "${ifs[0]}" up
	for i in 1 2; do
		wgx "$i" "${ns[$i]}" set "${ifs[$i]}" private-key "$SCN_DIR/wg$i.key" \
			peer "${pubs[0]}" endpoint "$WAN_PUB:$WG_PORT" allowed-ips 10.9.0.0/24 \
			persistent-keepalive 5 || { fail "wg set on wan peer $i failed"; return; }
		ip -n "${ns[$i]}" addr add "10.9.0.$((i + 1))/24" dev "${ifs[$i]}"
		ip -n "${ns[$i]}" link set "${ifs[$i]}" up
	done
	for i in 1 2; do
		if ! wait_until 10 nsx "${ns[$i]}" ping -n -c 1 -W 1 10.9.0.1; then
			report fwd-wireguard "${ips[$i]}" "$WAN_PUB:$WG_PORT -> ${LAN_IP[0]}" FAIL -
			fail "peer on ${ips[$i]}: no ping answered inside the tunnel within 10 s"
			return
		fi
		tnsx 10 "${ns[$i]}" ping -n -c 5 -i 0.2 -W 2 10.9.0.1 >"$SCN_DIR/tunnel-ping-$i.log" 2>&1 ||
			{ fail "peer on ${ips[$i]}: tunnel ping lost replies once up"; return; }
		tnsx 10 "${ns[0]}" ping -n -c 3 -i 0.2 -W 2 "10.9.0.$((i + 1))" >"$SCN_DIR/tunnel-ping-back-$i.log" 2>&1 ||
			{ fail "the server inside could not ping 10.9.0.$((i + 1)) (${ips[$i]}) inside the tunnel"; return; }
	done
	wgx 0 "${ns[0]}" show "${ifs[0]}" >"$SCN_DIR/wg-show-server.txt" 2>&1
	for i in 1 2; do
		seen=$(wgx 0 "${ns[0]}" show "${ifs[0]}" endpoints | awk -v k="${pubs[$i]}" '$1 == k {print $2}')
		[[ ${seen%%:*} == "${ips[$i]}" ]] ||
			{ fail "the server inside has the peer on ${ips[$i]} at '${seen:-none}'"; return; }
		report fwd-wireguard "${ips[$i]}" "$WAN_PUB:$WG_PORT -> ${LAN_IP[0]}:$WG_PORT/udp" PASS \
			"$seen, pings inside both ways"
	done
	if [[ $GATEWAY == passgate ]] && gateway_dump; then
		note "passgated: forwarded_flows $(dump_value forwarded_flows)"
	fi
}
