# SPDX-License-Identifier: MIT
# wan-dhcp: the gateway starts with no WAN address, gets a lease from the
# ISP's dnsmasq, LAN hosts reach the servers from the leased address, and the
# renewal extends the lease with no flow lost. passgated: [wan] address =
# dhcp, T1 20 s (option 58), and [dns] upstream = dhcp checked too; Linux:
# busybox udhcpc on wan0 with masquerade (it renews at half the lease, 60 s).
#
#   pglan1-S                pggw-S                      pginet-S
#   192.168.1.10 ─ lan0 ─► gateway ─ wan0 ◄── DHCP ──── dnsmasq on eth0
#   ping every 0.2 s                   198.51.100.5x    198.51.100.1 ─► pgsrv1-S
#
# Passes when the lease is in the server's range with router 198.51.100.1,
# a TCP echo to srv1 is seen from the leased address, the lease is renewed
# (dnsmasq logs a second DHCPACK for the same address) while a ping runs every
# 0.2 s with at most one reply lost, and (passgated) no flow was ended
# (flow_ended_wan_change 0), the lease file holds the lease and the gateway's
# DNS forwarder asks the DNS server the lease names.

source "$E2E_DIR/lib/wandhcp.sh"

scenario() {
	wandhcp_run wan_dhcp
}

# wan_dhcp_passgate ADDR - what only passgated has: the lease file, and
# [dns] upstream = dhcp answered through the ISP's DNS server.
wan_dhcp_passgate() {
	local pub=$1 ans
	[[ -s $WANDHCP_RUN/wan.lease ]] || { fail "no lease file in $WANDHCP_RUN"; return; }
	grep -q "^address $pub$" "$WANDHCP_RUN/wan.lease" || { fail "the lease file does not hold $pub"; return; }
	wait_alive "$PG_PID" 10 listening "$NS_GW" udp 53 || { fail "passgated's dnsmasq does not listen"; return; }
	# passgated restarts its dnsmasq with the lease's servers within a
	# second or so of the lease (its once-a-second tick): until then the
	# forwarder has no upstream and refuses the name.
	wait_alive "$PG_PID" 10 lease_dns_answers
	ans=$(tnsx 15 "${NS_LAN[0]}" dig +time=3 +tries=3 +short @"$LAN_GW" "$WANDHCP_DNS_NAME" A 2>&1)
	[[ $ans == "$WANDHCP_DNS_ADDR" ]] ||
		{ fail "dig $WANDHCP_DNS_NAME @$LAN_GW answered '${ans//$'\n'/ }': the lease's DNS server not used"; return; }
	grep -q "query\[A\] $WANDHCP_DNS_NAME from $pub" "$SCN_DIR/isp-dhcp.log" ||
		{ fail "the ISP's DNS server did not see the query from $pub"; return; }
}

# lease_dns_answers - the gateway's forwarder answers the name only the
# lease's DNS server knows.
lease_dns_answers() {
	[[ $(tnsx 5 "${NS_LAN[0]}" dig +time=1 +tries=1 +short @"$LAN_GW" "$WANDHCP_DNS_NAME" A 2>/dev/null) == "$WANDHCP_DNS_ADDR" ]]
}

# renewed ADDR - the gateway says it renewed ADDR's lease.
renewed() {
	if [[ $GATEWAY == linux ]]; then
		grep -q " renew ip=$1 " "$SCN_DIR/wan-udhcpc-events.log"
	else
		grep -q "WAN: lease on $1 renewed" "$PG_LOG"
	fi
}

wan_dhcp() {
	need dnsmasq jq dig || return
	local pub seen tx rx ended acks wait_s=40 count=150
	wandhcp_dnsmasq 2m 20 35 || return
	# The gateway's DNS forwarder asks the servers the lease names.
	WANDHCP_EXTRA=$(printf '%s\n' '[dns]' 'forward  = on' 'upstream = dhcp')
	wandhcp_gateway || return
	pub=$(wandhcp_field address)
	[[ $GATEWAY == passgate ]] && note "lease: $(gateway_ctl wan)"
	wandhcp_in_range "$pub" || { fail "leased address '$pub' is not in $WANDHCP_LO-$WANDHCP_HI"; return; }
	[[ $(wandhcp_field gateway) == "$WAN_NEXTHOP" ]] ||
		{ fail "lease gateway '$(wandhcp_field gateway)', not $WAN_NEXTHOP"; return; }
	if [[ $GATEWAY == passgate ]]; then
		wan_dhcp_passgate "$pub" || return
	fi
	wandhcp_tcp_seen "${NS_LAN[0]}" 7200 || { fail "TCP echo from lan1 to srv1 failed"; return; }
	seen=$WD_SEEN
	[[ ${seen%:*} == "$pub" ]] || { fail "srv1 saw '$seen', not the leased $pub"; return; }
	report wan-dhcp "${LAN_IP[0]}" "$SRV1_IP:7200/tcp" PASS "$seen"

	# A ping every 0.2 s across the renewal: none may be lost to it (one is
	# allowed for the machine's own hiccups). udhcpc renews at half the lease.
	[[ $GATEWAY == linux ]] && wait_s=75 count=400
	spawn ping-t1 "${NS_LAN[0]}" ping -i 0.2 -W 1 -c "$count" "$SRV1_IP"
	wait_until "$wait_s" renewed "$pub" || { fail "no renewal within $wait_s s"; return; }
	wait_until 90 bash -c "grep -q 'packets transmitted' '$SCN_DIR/ping-t1.log'" ||
		{ fail "the ping across the renewal did not finish"; return; }
	tx=$(grep -oE '[0-9]+ packets transmitted' "$SCN_DIR/ping-t1.log" | grep -oE '^[0-9]+')
	rx=$(grep -oE '[0-9]+ received' "$SCN_DIR/ping-t1.log" | grep -oE '^[0-9]+')
	note "ping across the renewal: $tx sent, $rx answered"
	((tx - rx <= 1)) || { fail "ping across the renewal lost $((tx - rx)) of $tx"; return; }
	acks=$(grep -c "DHCPACK(eth0) $pub" "$SCN_DIR/isp-dhcp.log")
	((acks >= 2)) || { fail "dnsmasq logged $acks DHCPACK for $pub, expected the bind and a renewal"; return; }
	if [[ $GATEWAY == passgate ]]; then
		ended=$(gateway_counter flow_ended_wan_change)
		[[ $ended == 0 ]] || { fail "$ended flows ended at the renewal"; return; }
	fi
	[[ $(wandhcp_field address) == "$pub" ]] || { fail "the address changed at renewal"; return; }
	wandhcp_tcp_seen "${NS_LAN[1]}" 7200 || { fail "TCP echo from lan2 after the renewal failed"; return; }
	seen=$WD_SEEN
	[[ ${seen%:*} == "$pub" ]] || { fail "after the renewal srv1 saw '$seen'"; return; }
	PASS_NOTE="leased $pub from dnsmasq; TCP seen from it; renewed with $((tx - rx))/$tx pings lost"
	[[ $GATEWAY == passgate ]] && PASS_NOTE+="; DNS through the lease's server; no flow ended"
	return 0
}
