# SPDX-License-Identifier: MIT
# router-vpn-dns: a tunnelled host's DNS reaches a resolver only through
# the tunnel (no DNS leak). Topology: lib/vpnclient.sh; [tunnel] route =
# all, bypass = lan2, lan3, dns = 10.66.0.1 (srv1's resolver inside the tunnel, which alone
# knows inside.vpn.test and logs every query with its source).
#
# 1. lan1 asks the gateway (192.168.1.1) for inside.vpn.test: the answer
#    is 10.66.0.1, which only srv1's inside resolver gives, and that
#    resolver logged the query from the tunnel address 10.66.0.2.
# 2. lan1 asks a resolver on the internet directly (srv2, 203.0.113.20):
#    the query goes through the tunnel too (srv2's resolver logs it from
#    srv1's address, not the gateway's public one).
# 3. A capture on the WAN meanwhile holds no packet from the public address
#    but the tunnel's own UDP: no query left in the clear.
# 4. lan2 (not tunnelled) asking srv2's resolver is seen from the public
#    address: the capture would have shown a leak.
# Only for --gateway passgate.

source "$E2E_DIR/lib/vpnclient.sh"

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the tunnel is passgated's: run with --gateway passgate"; return; }
	need wireguard-go wg nft dnsmasq python3 tcpdump || return
	local ans tun leaked from
	vc_server_start || return
	spawn outside-dns "$NS_SRV2" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
		--no-hosts --listen-address="$SRV2_IP" --bind-interfaces --port=53 --user=root \
		--pid-file --log-facility=- --log-queries --address="/outside.vpn.test/192.0.2.53"
	wait_listen "$NS_SRV2" udp 53 10 || { fail "srv2's resolver did not start"; return; }
	vc_gateway all "${LAN_IP[1]}, ${LAN_IP[2]}" || return
	vc_wait_up 20 || { fail "the tunnel did not come up within 20 s (state $(vc_state))"; return; }
	vc_wan_capture wan || return

	# 1. Through the gateway's address: sent into the tunnel to srv1's resolver.
	ans=$(vc_dns "${NS_LAN[0]}" "$LAN_GW" "$VC_NAME")
	[[ $ans == "$VC_SRV" ]] || { fail "lan1 asked $LAN_GW for $VC_NAME: '${ans:-no answer}', expected $VC_SRV (from the resolver inside the tunnel)"; return; }
	wait_until 3 grep -q "query\[A\] $VC_NAME from $VC_GW" "$SCN_DIR/inside-dns.log" ||
		{ fail "srv1's inside resolver did not log lan1's query from the tunnel address $VC_GW"; return; }
	# 2. Straight to a resolver on the internet: through the tunnel as well.
	ans=$(vc_dns "${NS_LAN[0]}" "$SRV2_IP" outside.vpn.test)
	[[ $ans == 192.0.2.53 ]] || { fail "lan1 asked $SRV2_IP directly: '${ans:-no answer}'"; return; }
	from=$(grep -oE "query\[A\] outside.vpn.test from [0-9.]+" "$SCN_DIR/outside-dns.log" | awk '{print $NF}' | sort -u | tr '\n' ' ')
	[[ $from == "$SRV1_IP " ]] || { fail "srv2's resolver saw lan1's query from '${from:-nobody}', expected only $SRV1_IP (the tunnel's exit)"; return; }
	capture_stop wan
	read -r tun leaked < <(vc_wan_verdict wan)
	((tun > 0)) || { fail "the WAN capture saw none of the tunnel's packets: it proves nothing"; return; }
	((leaked == 0)) || { fail "$leaked packets left the public address outside the tunnel: $(capture_read wan "not udp port $VC_PORT" | head -n 3 | tr '\n' ' ')"; return; }

	# 4. The control: lan2's query is seen from the public address.
	ans=$(vc_dns "${NS_LAN[1]}" "$SRV2_IP" outside.vpn.test)
	[[ $ans == 192.0.2.53 ]] || { fail "lan2 asked $SRV2_IP: '${ans:-no answer}'"; return; }
	wait_until 3 grep -q "outside.vpn.test from $WAN_PUB" "$SCN_DIR/outside-dns.log" ||
		{ fail "srv2's resolver did not see lan2's query from $WAN_PUB"; return; }
	note "lan1 via the gateway: $VC_NAME = $VC_SRV from srv1's inside resolver (query from $VC_GW); lan1 direct: seen from $SRV1_IP; WAN: $tun tunnel packets, 0 others; lan2 direct: seen from $WAN_PUB"
	report router-vpn-dns "${LAN_IP[0]}" "$LAN_GW:53/udp" PASS "answered inside the tunnel; 0 queries in the clear"
}
