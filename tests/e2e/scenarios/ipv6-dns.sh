# SPDX-License-Identifier: MIT
# ipv6-dns: the gateway's own resolver over IPv6, through the host path.
# passgated runs with [lan] address6 and dns6 = gateway, and [dns]
# forwarding to a DNS server on the WAN (as host-dns); dnsmasq listens on
# the LAN host device, which now holds the gateway's IPv6 LAN address too.
#
#   pglan1-S                        pggw-S                           pgsrv1-S
#   rdisc6: RDNSS 2001:db8:1::1 ◄── passgated's RA
#   dig @2001:db8:1::1 ─► lan0 ► passgated ► pgh-lan0 ► dnsmasq ──► dnsmasq
#                                 (input policy)           (IPv4, through the NAT)
#
# Passes when:
# - lan1's rdisc6 (a router solicitation, the RA answering it) shows the
#   gateway's IPv6 LAN address as the Recursive DNS server (RFC 8106);
# - lan1 resolves a name only the WAN server knows by asking that address
#   (the answer checked), the WAN server saw the forwarder's query, and a
#   [dns] name is answered by the gateway itself;
# - the input policy holds over IPv6: 3 TCP SYNs from lan1 to the gateway's
#   IPv6 port 2222 (not in [input] lan) get no connection and
#   drop_gateway_policy grows by 3; srv2's DNS query to the gateway's WAN
#   IPv6 address gets no answer (nothing of the gateway answers the WAN).
# Only for --gateway passgate: the resolver is passgated's host path.

source "$E2E_DIR/lib/ipv6.sh"
source "$E2E_DIR/lib/hostsvc.sh"

DNS_NAME=vpn.example.test
DNS_ADDR=198.51.100.77
DNS_LOCAL=router.lan

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the resolver is passgated's host path: run with --gateway passgate"; return; }
	need dig dnsmasq rdisc6 || return
	hostsvc_wan_dns "$DNS_NAME" "$DNS_ADDR" || return
	# dnsmasq's files in the scenario's run directory, as hostsvc_restart does.
	PG_RESTART_ARGS=(-r "$SCN_DIR/gw-run" -s "$SCN_DIR/gw-run")
	IPV6_LAN_EXTRA="dns6 = gateway"
	IPV6_CONF_TAIL=$(printf '%s\n' '[dns]' 'forward = on' "upstream = $SRV1_IP" "name = $DNS_LOCAL $LAN_GW")
	ipv6_scenario
	local rc=$?
	unset IPV6_LAN_EXTRA IPV6_CONF_TAIL
	return $rc
}

scenario6() {
	local ra dns ans log=$SCN_DIR/wan-dns.log i out before after up=0
	wait_alive "$PG_PID" 15 bash -c "ip netns exec '$NS_GW' ss -Hlun 'sport = :53' | grep -qF '[$LAN6_GW]:53'" ||
		{ fail "dnsmasq does not listen on [$LAN6_GW]:53: $(nsx "$NS_GW" ss -Hlun 'sport = :53' | tr '\n' ' ')"; return 1; }

	# The resolver's address, as a host learns it: the RA's RDNSS option.
	ra=$(tnsx 10 "${NS_LAN[0]}" rdisc6 -1 -r 3 -w 1500 eth0 2>&1)
	printf '%s\n' "$ra" >"$SCN_DIR/rdisc6.txt"
	dns=$(sed -n 's/^ *Recursive DNS server *: *\([0-9a-f:]*\).*/\1/p' <<<"$ra" | head -n 1)
	[[ $dns == "$LAN6_GW" ]] ||
		{ fail "lan1's rdisc6 shows RDNSS '${dns:-none}', expected $LAN6_GW: $(tr '\n' ' ' <<<"$ra" | head -c 300)"; return 1; }
	note "rdisc6 on lan1: Recursive DNS server $dns"

	# A WAN name through the gateway's forwarder, asked over IPv6.
	ans=$(tnsx 15 "${NS_LAN[0]}" dig -6 +time=3 +tries=3 +short @"$dns" "$DNS_NAME" A 2>&1)
	[[ $ans == "$DNS_ADDR" ]] ||
		{ fail "dig $DNS_NAME @$dns answered '${ans//$'\n'/ }', expected $DNS_ADDR"; return 1; }
	wait_until 5 grep -q "query\[A\] $DNS_NAME from $WAN_PUB" "$log" ||
		{ fail "the WAN DNS server logged no query for $DNS_NAME from $WAN_PUB"; return 1; }
	ans=$(tnsx 15 "${NS_LAN[0]}" dig -6 +time=3 +tries=2 +short @"$dns" "$DNS_LOCAL" A 2>&1)
	[[ $ans == "$LAN_GW" ]] || { fail "dig $DNS_LOCAL @$dns answered '${ans//$'\n'/ }', expected $LAN_GW"; return 1; }
	report dns6 "[${LAN6_IP[0]}]" "[$dns]:53" PASS "$DNS_NAME = $DNS_ADDR"

	# The input policy over IPv6: port 2222 is not open to the LAN.
	before=$(gateway_counter drop_gateway_policy)
	for i in 1 2 3; do
		out=$(v6_tcp_try "${NS_LAN[0]}" "$LAN6_GW" 2222)
		[[ $out == connected ]] && up=$((up + 1))
	done
	after=$(gateway_counter drop_gateway_policy)
	((up == 0)) || { fail "lan1 connected to [$LAN6_GW]:2222 ($up of 3): not in the LAN policy"; return 1; }
	((after - before >= 3)) ||
		{ fail "lan1 tried [$LAN6_GW]:2222 3 times; drop_gateway_policy grew by $((after - before))"; return 1; }
	note "lan1 -> [$LAN6_GW]:2222: 3 tries refused, drop_gateway_policy +$((after - before))"

	# From the WAN, the gateway's IPv6 answers no DNS.
	ans=$(tnsx 10 "$NS_SRV2" dig -6 +time=2 +tries=1 +short @"$WAN6_PUB" "$DNS_LOCAL" A 2>&1)
	[[ $ans != "$LAN_GW" ]] || { fail "srv2 got a DNS answer from [$WAN6_PUB]:53"; return 1; }
	PASS_NOTE="RDNSS $dns from the RA; $DNS_NAME = $DNS_ADDR and $DNS_LOCAL = $LAN_GW over IPv6; [$LAN6_GW]:2222 refused (+$((after - before)) drop_gateway_policy); WAN: no answer"
}
