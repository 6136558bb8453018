# SPDX-License-Identifier: MIT
# wan-dhcp (passgate only): passgated starts with no WAN address
# ([wan] address = dhcp), gets a lease from the ISP's dnsmasq, LAN hosts
# reach the servers from the leased address, and the renewal at T1 (20 s,
# option 58) extends the lease with no flow lost.
#
#   pglan1-S                pggw-S                      pginet-S
#   192.168.1.10 ─ lan0 ─► passgated ─ wan0 ◄── DHCP ── dnsmasq on eth0
#   ping every 0.2 s                     198.51.100.5x    198.51.100.1 ─► pgsrv1-S
#
# Passes when the lease is in the server's range with router 198.51.100.1,
# a TCP echo to srv1 is seen from the leased address, the WAN was down
# (drop_wan_down counted) before the lease only if LAN traffic tried to
# cross, the lease is renewed at T1 (dnsmasq logs a second DHCPACK for the
# same address, passgated "renewed") while a ping runs every 0.2 s with at
# most one reply lost, and no flow was ended (flow_ended_wan_change 0).

source "$E2E_DIR/lib/wandhcp.sh"

scenario() {
	need dnsmasq jq dig || return
	local pub seen ping=$SCN_DIR/ping.log tx rx ended acks ans
	wandhcp_dnsmasq 2m 20 35 || return
	# The gateway's DNS forwarder asks the servers the lease names.
	WANDHCP_EXTRA=$(printf '%s\n' '[dns]' 'forward  = on' 'upstream = dhcp')
	wandhcp_gateway || return
	pub=$(wandhcp_field address)
	note "lease: $(gateway_ctl wan)"
	wandhcp_in_range "$pub" || { fail "leased address '$pub' is not in $WANDHCP_LO-$WANDHCP_HI"; return; }
	[[ $(wandhcp_field gateway) == "$WAN_NEXTHOP" ]] ||
		{ fail "lease gateway '$(wandhcp_field gateway)', not $WAN_NEXTHOP"; return; }
	[[ -s $WANDHCP_RUN/wan.lease ]] || { fail "no lease file in $WANDHCP_RUN"; return; }
	grep -q "^address $pub$" "$WANDHCP_RUN/wan.lease" || { fail "the lease file does not hold $pub"; return; }

	# [dns] upstream = dhcp: lan1 asks the gateway, the gateway asks the ISP's server.
	wait_alive "$PG_PID" 10 listening "$NS_GW" udp 53 || { fail "passgated's dnsmasq does not listen"; return; }
	ans=$(tnsx 15 "${NS_LAN[0]}" dig +time=3 +tries=3 +short @"$LAN_GW" "$WANDHCP_DNS_NAME" A 2>&1)
	[[ $ans == "$WANDHCP_DNS_ADDR" ]] ||
		{ fail "dig $WANDHCP_DNS_NAME @$LAN_GW answered '${ans//$'\n'/ }': the lease's DNS server not used"; return; }
	grep -q "query\[A\] $WANDHCP_DNS_NAME from $pub" "$SCN_DIR/isp-dhcp.log" ||
		{ fail "the ISP's DNS server did not see the query from $pub"; return; }
	seen=$(wandhcp_tcp_seen "${NS_LAN[0]}" 7200) || { fail "TCP echo from lan1 to srv1 failed"; return; }
	[[ ${seen%:*} == "$pub" ]] || { fail "srv1 saw '$seen', not the leased $pub"; return; }
	report wan-dhcp "${LAN_IP[0]}" "$SRV1_IP:7200/tcp" PASS "$seen"

	# A ping every 0.2 s across T1 (20 s after the lease): none may be lost
	# to the renewal (one is allowed for the machine's own hiccups).
	spawn ping-t1 "${NS_LAN[0]}" ping -i 0.2 -W 1 -c 150 "$SRV1_IP"
	wait_alive "$PG_PID" 40 grep -q "WAN: lease on $pub renewed" "$PG_LOG" ||
		{ fail "no renewal within 40 s: $(grep 'WAN' "$PG_LOG" | tail -n 1)"; return; }
	note "renewal: $(grep -m 1 'renewed' "$PG_LOG")"
	wait_until 40 bash -c "grep -q 'packets transmitted' '$SCN_DIR/ping-t1.log'" ||
		{ fail "the ping across T1 did not finish"; return; }
	tx=$(grep -oE '[0-9]+ packets transmitted' "$SCN_DIR/ping-t1.log" | grep -oE '^[0-9]+')
	rx=$(grep -oE '[0-9]+ received' "$SCN_DIR/ping-t1.log" | grep -oE '^[0-9]+')
	note "ping across T1: $tx sent, $rx answered"
	((tx - rx <= 1)) || { fail "ping across T1 lost $((tx - rx)) of $tx"; return; }
	acks=$(grep -c "DHCPACK(eth0) $pub" "$SCN_DIR/isp-dhcp.log")
	((acks >= 2)) || { fail "dnsmasq logged $acks DHCPACK for $pub, expected the bind and a renewal"; return; }
	ended=$(gateway_counter flow_ended_wan_change)
	[[ $ended == 0 ]] || { fail "$ended flows ended at the renewal"; return; }
	[[ $(wandhcp_field address) == "$pub" ]] || { fail "the address changed at renewal"; return; }
	seen=$(wandhcp_tcp_seen "${NS_LAN[1]}" 7200) || { fail "TCP echo from lan2 after the renewal failed"; return; }
	[[ ${seen%:*} == "$pub" ]] || { fail "after the renewal srv1 saw '$seen'"; return; }
	PASS_NOTE="leased $pub from dnsmasq (2 min, T1 20 s); DNS through the lease's server; TCP seen from it; renewed at T1 with $((tx - rx))/$tx pings lost, no flow ended"
}
