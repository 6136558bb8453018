# SPDX-License-Identifier: MIT
# icmp-errors: ICMP errors from beyond the gateway must reach the LAN
# host that caused them, translated back (outer destination and the embedded
# packet's source address, port or echo id). Two cases:
#  - a ping with TTL 2 expires at the internet router: the sender must see
#    "Time to live exceeded" from 198.51.100.1;
#  - UDP to a closed port on the server: the server's "port unreachable"
#    must reach the sending socket (ECONNREFUSED), which is how VPN clients
#    notice a dead server at once instead of after a timeout;
#  - a UDP traceroute from the LAN host shows every hop: the gateway's own
#    time exceeded (192.168.1.1), the internet router's translated back
#    (198.51.100.1) and the server's port unreachable (the destination).

scenario() {
	local out
	out=$(tnsx 5 "${NS_LAN[0]}" ping -n -c 1 -t 2 -W 2 "$SRV1_IP" 2>&1)
	echo "$out" >"$SCN_DIR/ping-ttl2.log"
	grep -q "From $WAN_NEXTHOP .*Time to live exceeded" <<<"$out" ||
		{ fail "no 'Time to live exceeded' from $WAN_NEXTHOP reached the LAN host"; return; }
	out=$(tnsx 5 "${NS_LAN[0]}" "$PY" "$E2E_DIR/lib/netprobe.py" probe 2 "udp:$SRV1_IP:9")
	echo "$out" >"$SCN_DIR/udp-closed.log"
	[[ $out == *" refused" ]] ||
		{ fail "UDP to a closed port: the server's port unreachable did not reach the LAN socket ($out)"; return; }
	out=$(tnsx 20 "${NS_LAN[0]}" traceroute -n -q 1 -w 2 -m 5 "$SRV1_IP" 2>&1)
	echo "$out" >"$SCN_DIR/traceroute.log"
	grep -Eq "^ *1 +$LAN_GW " <<<"$out" && grep -Eq "^ *2 +$WAN_NEXTHOP " <<<"$out" &&
		grep -Eq "^ *3 +$SRV1_IP " <<<"$out" ||
		{ fail "traceroute did not show the hops $LAN_GW, $WAN_NEXTHOP, $SRV1_IP: $(tr '\n' ' ' <<<"$out")"; return; }
	report icmp-errors "${LAN_IP[0]}" "$SRV1_IP" PASS "errors translated back; traceroute shows 3 hops"
}
