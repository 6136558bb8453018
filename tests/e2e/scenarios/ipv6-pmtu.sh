# SPDX-License-Identifier: MIT
# ipv6-pmtu: routers never fragment IPv6, so path MTU discovery must work
# through the gateway. The gateway's WAN link has MTU 1400 and the servers'
# segment behind the internet router 1280 (the IPv6 minimum). Passes when:
# - lan1's 1500-byte ping6 (don't fragment) gets "Packet too big: mtu=1400"
#   from the gateway itself;
# - a 1400-byte one then gets "Packet too big: mtu=1280" from the internet
#   router, let in by the gateway as an error about lan1's flow;
# - a 1 MB TCP upload from lan1 to srv1 is echoed byte for byte (the
#   segments shrink to the path's MTU instead of vanishing).

source "$E2E_DIR/lib/ipv6.sh"

GW_WAN_MTU=1400

scenario() {
	ipv6_scenario
	local rc=$?
	pmtu_restore
	return $rc
}

pmtu_restore() {
	ip -n "$NS_INET" link set s1 mtu 1500
	ip -n "$NS_INET" link set s2 mtu 1500
	ip -n "$NS_SRV1" link set eth0 mtu 1500
	ip -n "$NS_SRV2" link set eth0 mtu 1500
}

scenario6() {
	local out
	ip -n "$NS_INET" link set s1 mtu 1280 && ip -n "$NS_INET" link set s2 mtu 1280 &&
		ip -n "$NS_SRV1" link set eth0 mtu 1280 && ip -n "$NS_SRV2" link set eth0 mtu 1280 ||
		{ fail "cannot set the servers' segment to MTU 1280"; return; }

	out=$(tnsx 10 "${NS_LAN[0]}" ping -6 -n -c 2 -i 0.5 -W 1 -s 1452 -M do "$SRV1_IP6" 2>&1)
	echo "$out" >"$SCN_DIR/ping6-1500.log"
	grep -q "From $LAN6_GW .*[Pp]acket too big: mtu=1400" <<<"$out" ||
		{ fail "lan1 got no Packet Too Big (mtu 1400) from $LAN6_GW: $(head -c 300 <<<"$out")"; return; }
	report ptb6 "${LAN6_IP[0]}" "$SRV1_IP6" PASS "mtu 1400 from the gateway"

	out=$(tnsx 10 "${NS_LAN[0]}" ping -6 -n -c 2 -i 0.5 -W 1 -s 1352 -M do "$SRV1_IP6" 2>&1)
	echo "$out" >"$SCN_DIR/ping6-1400.log"
	grep -q "From $WAN6_NEXTHOP .*[Pp]acket too big: mtu=1280" <<<"$out" ||
		{ fail "lan1 got no Packet Too Big (mtu 1280) from $WAN6_NEXTHOP: $(head -c 300 <<<"$out")"; return; }
	report ptb6 "${LAN6_IP[0]}" "$SRV1_IP6" PASS "mtu 1280 from the internet router"

	# A fresh destination cache entry would be learnt again; this one keeps 1280.
	spawn tcpecho-srv1 "$NS_SRV1" python3 "$E2E_DIR/lib/tcpecho.py" server6 7070
	wait_until 5 grep -q listening "$SCN_DIR/tcpecho-srv1.log" || { fail "echo server on srv1 did not start"; return; }
	ip -n "${NS_LAN[0]}" -6 route flush cache 2>/dev/null
	out=$(tnsx 30 "${NS_LAN[0]}" python3 "$E2E_DIR/lib/tcpecho.py" client "$SRV1_IP6" 7070 1048576)
	note "lan1 -> srv1 1 MB: $out"
	[[ $out == *" ok" ]] || { fail "1 MB TCP upload over the 1280 path failed: $out"; return; }
	report tcp6-pmtu "${LAN6_IP[0]}" "[$SRV1_IP6]:7070" PASS "1 MB echoed"
}
