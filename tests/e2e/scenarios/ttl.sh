# SPDX-License-Identifier: MIT
# ttl: a LAN host sends a ping with TTL 1. The gateway must not forward it
# and must answer "Time to live exceeded" from its LAN address 192.168.1.1,
# and nothing may reach the server.

scenario() {
	local out
	capture_start srv1 "$NS_SRV1" eth0 icmp || return
	out=$(tnsx 5 "${NS_LAN[0]}" ping -n -c 1 -t 1 -W 2 "$SRV1_IP" 2>&1)
	echo "$out" >"$SCN_DIR/ping-ttl1.log"
	capture_stop srv1
	grep -q "From $LAN_GW .*Time to live exceeded" <<<"$out" || {
		fail "no 'Time to live exceeded' from $LAN_GW: $(grep -m1 -E 'From|received' <<<"$out")"
		return
	}
	local n
	capture_complete srv1 || { fail "the capture on the server lost packets"; return; }
	n=$(capture_count srv1)
	((n == 0)) || { fail "a TTL 1 packet still reached the server ($n packets)"; return; }
	report icmp-ttl "${LAN_IP[0]}" "$SRV1_IP" PASS "time exceeded from $LAN_GW"
}
