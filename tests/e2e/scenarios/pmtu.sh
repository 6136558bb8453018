# SPDX-License-Identifier: MIT
# pmtu: path MTU discovery through the gateway. The servers' segment
# gets MTU 1400 for the duration while the server itself keeps 1500, so the
# server's MSS does not save the LAN host: its full-size DF segments reach
# the internet router, which answers "fragmentation needed". That ICMP error
# must come back through the gateway to the LAN host, or the upload stalls
# (a PMTU black hole, the classic VPN-over-NAT failure). lan1 checks the
# error itself with a DF ping; lan2, whose path MTU cache is still empty,
# checks that a TCP upload gets through.

scenario() {
	need iperf3 || return
	local out sent rcvd
	source "$E2E_DIR/lib/iperf.sh"
	ip -n "$NS_INET" link set s1 mtu 1400
	ip -n "$NS_INET" link set br0 mtu 1400
	out=$(tnsx 5 "${NS_LAN[0]}" ping -n -c 1 -M "do" -s 1450 -W 2 "$SRV1_IP" 2>&1)
	echo "$out" >"$SCN_DIR/ping-df.log"
	spawn iperf3-srv "$NS_SRV1" iperf3 -s -1 -p 5204 --forceflush
	if wait_listen "$NS_SRV1" tcp 5204; then
		tnsx 15 "${NS_LAN[1]}" iperf3 -c "$SRV1_IP" -p 5204 -t 2 -J \
			>"$SCN_DIR/iperf3-up.log" 2>&1
	fi
	ip -n "$NS_INET" link set s1 mtu 1500
	ip -n "$NS_INET" link set br0 mtu 1500
	# Forget the learnt path MTU so later scenarios see a clean path.
	ip -n "${NS_LAN[0]}" route flush cache
	ip -n "${NS_LAN[1]}" route flush cache
	grep -q "From $WAN_NEXTHOP .*Frag needed" <<<"$out" ||
		{ fail "'Frag needed' from $WAN_NEXTHOP did not reach the LAN host"; return; }
	read -r sent rcvd < <(iperf_bytes "$SCN_DIR/iperf3-up.log")
	if ! [[ $rcvd =~ ^[0-9]+$ ]] || ((rcvd < 1000000)); then
		fail "TCP upload over the 1400-byte path stalled (received ${rcvd:-nothing}: $(iperf_error "$SCN_DIR/iperf3-up.log"))"
		return
	fi
	report pmtu "${LAN_IP[1]}" "$SRV1_IP:5204" PASS "$((rcvd / 1000000)) MB over MTU 1400"
}
