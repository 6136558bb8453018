# SPDX-License-Identifier: MIT
# host-dns: a LAN host resolves a name only a DNS server on the WAN knows,
# asking the gateway's forwarder (dnsmasq on passgated's LAN host device,
# [dns] upstream = the WAN server); the forwarder's query leaves through the
# host path's WAN device and passgated's NAT.
#
#   pglan1-S                 pggw-S                                   pgsrv1-S
#   dig @192.168.1.1 ─► lan0 ► passgated ► pgh-lan0 ► dnsmasq         dnsmasq
#                                  NAT ◄─ pgh-wan0 ◄── query ─┘   (vpn.example.test)
#                                   └──── wan0 ── 198.51.100.2 ──────► 203.0.113.10:53
#
# Passes when dig gets the WAN server's answer for vpn.example.test, the
# WAN server logged that query as coming from the gateway's public address,
# a name from [dns] name is answered by the gateway itself (the WAN server
# never sees it), a name nobody serves gets no address, and after its
# dnsmasq is killed passgated starts another that answers again.

source "$E2E_DIR/lib/hostsvc.sh"

DNS_NAME=vpn.example.test
DNS_ADDR=198.51.100.77
DNS_LOCAL=router.lan

scenario() {
	need dig dnsmasq || return
	local ans q log=$SCN_DIR/wan-dns.log
	hostsvc_wan_dns "$DNS_NAME" "$DNS_ADDR" || return
	hostsvc_restart "$(printf '%s\n' '[dns]' 'forward  = on' "upstream = $SRV1_IP" \
		"name     = $DNS_LOCAL $LAN_GW")" || return

	# The WAN server's own answer, through the forwarder.
	ans=$(tnsx 15 "${NS_LAN[0]}" dig +time=3 +tries=3 +short @"$LAN_GW" "$DNS_NAME" A 2>&1)
	note "dig $DNS_NAME @$LAN_GW: $ans"
	[[ $ans == "$DNS_ADDR" ]] || { fail "dig $DNS_NAME @$LAN_GW answered '${ans//$'\n'/ }', expected $DNS_ADDR"; return; }
	# dnsmasq logs "query[A] NAME from ADDR"; the source must be our public address.
	wait_until 5 grep -q "query\[A\] $DNS_NAME from " "$log" ||
		{ fail "the WAN DNS server logged no query for $DNS_NAME"; return; }
	q=$(grep -m 1 "query\[A\] $DNS_NAME from " "$log")
	note "WAN DNS server: $q"
	[[ $q == *" from $WAN_PUB" ]] ||
		{ fail "the WAN DNS server saw the query from '${q##* from }', not $WAN_PUB"; return; }
	report host-dns "${LAN_IP[0]} → $LAN_GW:53" "$SRV1_IP:53/udp" PASS "$WAN_PUB"

	# A local name: answered by the gateway, never asked upstream.
	ans=$(tnsx 15 "${NS_LAN[0]}" dig +time=3 +tries=2 +short @"$LAN_GW" "$DNS_LOCAL" A 2>&1)
	[[ $ans == "$LAN_GW" ]] || { fail "dig $DNS_LOCAL answered '${ans//$'\n'/ }', expected $LAN_GW"; return; }
	! grep -q "$DNS_LOCAL" "$log" || { fail "$DNS_LOCAL was asked upstream"; return; }

	# A name nobody serves: no address (the WAN server says NXDOMAIN).
	ans=$(tnsx 15 "${NS_LAN[0]}" dig +time=3 +tries=2 +short @"$LAN_GW" nothing.example.test A 2>&1)
	[[ -z $ans ]] || { fail "nothing.example.test resolved to '${ans//$'\n'/ }'"; return; }
	dns_restart_after_death || return
	PASS_NOTE="$DNS_NAME = $DNS_ADDR via $LAN_GW, asked upstream from $WAN_PUB; dnsmasq killed: restarted, answers again"
}

# dns_restart_after_death - kill passgated's dnsmasq (its PID from the log,
# checked to be passgated's child): passgated logs the death, starts a new
# one after its back-off, and names resolve again.
dns_restart_after_death() {
	local pid ppid ans
	pid=$(grep 'dnsmasq: started pid' "$PG_LOG" | tail -n 1 | sed 's/.*started pid \([0-9]*\).*/\1/')
	ppid=$(awk '/^PPid:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
	[[ -n $pid && $ppid == "$PG_PID" ]] || { fail "dnsmasq pid '$pid' is not passgated's child"; return; }
	kill -KILL "$pid"
	wait_alive "$PG_PID" 10 grep -q "dnsmasq: killed by signal 9 (Killed); restart 1 of 5" "$PG_LOG" ||
		{ fail "passgated did not notice its dnsmasq died"; return; }
	wait_alive "$PG_PID" 10 bash -c "grep 'dnsmasq: started pid' '$PG_LOG' | tail -n 1 | grep -vq 'pid $pid:'" ||
		{ fail "passgated did not start dnsmasq again"; return; }
	wait_alive "$PG_PID" 10 listening "$NS_GW" udp 53 || { fail "the new dnsmasq does not listen"; return; }
	note "dnsmasq $pid killed; $(grep 'dnsmasq: started pid' "$PG_LOG" | tail -n 1 | sed 's/.*\(started pid [0-9]*\).*/\1/')"
	ans=$(tnsx 15 "${NS_LAN[0]}" dig +time=3 +tries=3 +short @"$LAN_GW" "$DNS_NAME" A 2>&1)
	[[ $ans == "$DNS_ADDR" ]] || { fail "after the restart, dig answered '${ans//$'\n'/ }'"; return; }
}
