# SPDX-License-Identifier: MIT
# tests/e2e/lib/gateway-linux.sh - the reference gateway: Linux forwarding,
# conntrack and nftables masquerade in pggw-S, set up the way a careful
# router would be. Every scenario must pass with it; it is the yardstick for
# passgated. Sourced; implements the gateway_* interface used by the harness.

# gateway_up - configure pggw-S as a NAT router. Prints a reason and returns
# 1 if the kernel refuses.
gateway_up() {
	ip -n "$NS_GW" addr add "$LAN_GW/24" dev lan0 || return 1
	ip -n "$NS_GW" addr add "$WAN_PUB/24" dev wan0 || return 1
	ip -n "$NS_GW" route add default via "$WAN_NEXTHOP" || return 1
	nsx "$NS_GW" sysctl -qw net.ipv4.ip_forward=1 >/dev/null || return 1
	# A router that sends LAN traffic back out of lan0 (hairpinning) must
	# not tell the LAN host to go direct with an ICMP redirect.
	nsx "$NS_GW" sysctl -qw net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.lan0.send_redirects=0 >/dev/null || return 1

	# - masquerade everything leaving wan0;
	# - connections a port forward redirected (table pgfwd, made by
	#   gateway_apply_settings for scenarios that ask) pass ("ct status dnat");
	# - the PPTP helper is attached explicitly to TCP 1723 (helpers are not
	#   automatic any more): it tracks call ids so GRE of two clients works;
	# - inbound from the WAN is accepted only when conntrack knows it
	#   (established or related); anything new is dropped silently and
	#   counted in the named counter "unsolicited", both when it is addressed
	#   to the gateway itself (input) and when it tries to pass (forward).
	nsx "$NS_GW" nft -f - <<-'EOF' || { echo "nft ruleset refused" >&2; return 1; }
		table inet pgnat {
			ct helper pptp {
				type "pptp" protocol tcp
				l3proto ip
			}
			counter unsolicited { }

			chain prerouting {
				type filter hook prerouting priority filter; policy accept;
				iifname "lan0" tcp dport 1723 ct helper set "pptp"
			}
			chain input {
				type filter hook input priority filter; policy accept;
				iifname "wan0" ct state established,related accept
				iifname "wan0" icmp type echo-request accept
				iifname "wan0" counter name "unsolicited" drop
			}
			chain forward {
				type filter hook forward priority filter; policy drop;
				ct state established,related accept
				ct state invalid drop
				ct status dnat accept
				iifname "lan0" oifname "wan0" accept
				iifname "wan0" counter name "unsolicited" drop
			}
			chain postrouting {
				type nat hook postrouting priority srcnat; policy accept;
				oifname "wan0" masquerade
			}
		}
	EOF
	wait_until 5 nsx "${NS_LAN[0]}" ping -c 1 -W 1 "$LAN_GW" ||
		{ echo "LAN host cannot ping $LAN_GW" >&2; return 1; }
}

# gateway_apply_settings - a scenario's forwards, DMZ and WAN MTU
# (lib/scenario-env.sh) the way a careful router does them, in a table of
# their own (ip pgfwd) that is replaced whenever the settings change:
#  - each forward is a dnat in prerouting for packets to the public address
#    (from either side, so LAN hosts reach it too: hairpinning), GRE and ESP
#    forwards by protocol from the WAN;
#  - LAN to LAN through the public address (a hairpinned forward) is
#    source-NATed to the public address, so the server answers through the
#    gateway;
#  - a TCP 1723 forward also gets the PPTP helper for control connections
#    from the WAN and, without a gre forward, GRE to the same host;
#  - the DMZ host is a catch-all dnat after them (TCP, UDP, GRE, ESP; pings
#    stay the gateway's);
#  - with a WAN MTU, SYNs get their MSS clamped to the route's MTU;
#  - a passthrough switch turned off (GW_PASSTHROUGH) drops that VPN type in
#    the forward path, both ways, counted in "passthrough_off": pptp GRE
#    (the PPTP helper still follows TCP 1723, which stays ordinary TCP),
#    ipsec ESP and UDP 500/4500, l2tp UDP 1701.
gateway_apply_settings() {
	local r pre=() helper=() fwd=() pptp_host= gre=0 dst kv
	nsx "$NS_GW" nft delete table ip pgfwd 2>/dev/null
	# New settings start from an empty connection table, as passgated's
	# restart does: no scenario inherits another's NAT state (a proto-50
	# entry, say, lives 10 minutes).
	nsx "$NS_GW" conntrack -F >/dev/null 2>&1
	ip -n "$NS_GW" link set wan0 mtu "${GW_WAN_MTU:-1500}" || return 1
	for r in "${GW_FORWARDS[@]}"; do
		gw_forward_parse "$r"
		case $FWD_PROTO in
		tcp | udp)
			if [[ $FWD_WLO != "$FWD_WHI" && $FWD_LLO != "$FWD_WLO" ]]; then
				echo "forward '$r': a shifted port range has no nftables equivalent here" >&2
				return 1
			fi
			dst=$FWD_HOST
			[[ $FWD_WLO == "$FWD_WHI" && $FWD_LLO != "$FWD_WLO" ]] && dst=$FWD_HOST:$FWD_LLO
			pre+=("ip daddr $WAN_PUB $FWD_PROTO dport $FWD_WLO-$FWD_WHI dnat ip to $dst")
			if [[ $FWD_PROTO == tcp ]] && ((FWD_WLO <= 1723 && 1723 <= FWD_WHI)); then
				pptp_host=$FWD_HOST
			fi
			;;
		gre | esp)
			[[ $FWD_PROTO == gre ]] && gre=1
			pre+=("iifname \"wan0\" ip daddr $WAN_PUB ip protocol $FWD_PROTO dnat ip to $FWD_HOST")
			;;
		*)
			echo "forward '$r': unknown protocol" >&2
			return 1
			;;
		esac
	done
	if [[ -n $pptp_host ]]; then
		helper+=("iifname \"wan0\" tcp dport 1723 ct helper set \"pptpin\"")
		((gre)) || pre+=("iifname \"wan0\" ip daddr $WAN_PUB ip protocol gre dnat ip to $pptp_host")
	fi
	[[ -n ${GW_DMZ:-} ]] &&
		pre+=("iifname \"wan0\" ip daddr $WAN_PUB meta l4proto { tcp, udp, gre, esp } dnat ip to $GW_DMZ")
	[[ -n ${GW_WAN_MTU:-} ]] && fwd+=("tcp flags syn tcp option maxseg size set rt mtu")
	for kv in ${GW_PASSTHROUGH:-}; do
		[[ ${kv#*=} == off ]] || continue
		case ${kv%%=*} in
		pptp) fwd+=("ip protocol gre counter name \"passthrough_off\" drop") ;;
		ipsec)
			fwd+=("ip protocol esp counter name \"passthrough_off\" drop")
			fwd+=("udp dport { 500, 4500 } counter name \"passthrough_off\" drop")
			fwd+=("udp sport { 500, 4500 } counter name \"passthrough_off\" drop")
			;;
		l2tp)
			fwd+=("udp dport 1701 counter name \"passthrough_off\" drop")
			fwd+=("udp sport 1701 counter name \"passthrough_off\" drop")
			;;
		*) echo "passthrough '$kv': unknown switch" >&2; return 1 ;;
		esac
	done
	{
		echo "table ip pgfwd {"
		echo "	ct helper pptpin { type \"pptp\" protocol tcp; l3proto ip; }"
		echo "	counter passthrough_off { }"
		echo "	chain helpers { type filter hook prerouting priority filter; policy accept;"
		printf '\t\t%s\n' "${helper[@]}"
		echo "	}"
		echo "	chain prerouting { type nat hook prerouting priority dstnat; policy accept;"
		printf '\t\t%s\n' "${pre[@]}"
		echo "	}"
		echo "	chain postrouting { type nat hook postrouting priority srcnat; policy accept;"
		echo "		iifname \"lan0\" oifname \"lan0\" ct status dnat snat ip to $WAN_PUB"
		echo "	}"
		echo "	chain forward { type filter hook forward priority mangle; policy accept;"
		printf '\t\t%s\n' "${fwd[@]}"
		echo "	}"
		echo "}"
	} >"$SCN_DIR/pgfwd.nft"
	nsx "$NS_GW" nft -f "$SCN_DIR/pgfwd.nft" || { echo "nft refused $SCN_DIR/pgfwd.nft" >&2; return 1; }
	gateway_shape wan0 "${GW_SHAPE_UP:-}" && gateway_shape lan0 "${GW_SHAPE_DOWN:-}"
}

# gateway_note_shaper - the HTB shapers' statistics (sent, dropped,
# overlimits, backlog) into the scenario's notes.
gateway_note_shaper() {
	local ifc
	for ifc in wan0 lan0; do
		nsx "$NS_GW" tc -s qdisc show dev "$ifc" 2>/dev/null | grep -A2 -E '^qdisc (htb|pfifo)' |
			tr -s ' \n' ' ' | while read -r l; do note "gateway $ifc: $l"; done
	done
}

# gateway_shape IF RATE - shape IF's egress to RATE (tc's units: 50mbit) or
# take the shaper off (empty RATE). This kernel has HTB and TBF but neither
# fq_codel nor cake (CONFIG_NET_SCH_FQ_CODEL, _CAKE, _CODEL not set): one
# HTB class with the default FIFO leaf, what such a router can do.
gateway_shape() {
	local ifc=$1 rate=$2
	nsx "$NS_GW" tc qdisc del dev "$ifc" root 2>/dev/null
	[[ -n $rate ]] || return 0
	nsx "$NS_GW" tc qdisc add dev "$ifc" root handle 1: htb default 10 &&
		nsx "$NS_GW" tc class add dev "$ifc" parent 1: classid 1:10 htb rate "$rate" ceil "$rate" ||
		{ echo "tc refused an HTB shaper of $rate on $ifc" >&2; return 1; }
}

# gateway_passthrough_dropped - packets a passthrough switch turned away.
gateway_passthrough_dropped() {
	nsx "$NS_GW" nft list counter ip pgfwd passthrough_off 2>/dev/null |
		awk '/packets/ { for (i = 1; i < NF; i++) if ($i == "packets") { print $(i + 1); exit } }'
}

# gateway_down - nothing runs in pggw-S for this role; the namespace goes
# with the world.
gateway_down() {
	return 0
}

# gateway_unsolicited_count - packets the gateway dropped as unsolicited,
# printed twice ("SUM UNSOLICITED", the interface passgate's role has): one
# nft counter covers every inbound packet conntrack did not know.
gateway_unsolicited_count() {
	nsx "$NS_GW" nft list counter inet pgnat unsolicited 2>/dev/null |
		awk '/packets/ { for (i = 1; i < NF; i++) if ($i == "packets") { print $(i + 1), $(i + 1); exit } }'
}

# gateway_diag - state worth reading when a scenario fails.
gateway_diag() {
	echo "  gateway (linux) state:"
	nsx "$NS_GW" nft list ruleset 2>&1 | grep -E 'counter|packets' | sed 's/^/    | /'
	nsx "$NS_GW" conntrack -L 2>/dev/null | tail -n 10 | sed 's/^/    | /'
}

# gateway_flows - a snapshot of the translation table, for the logs.
gateway_flows() {
	nsx "$NS_GW" conntrack -L 2>/dev/null
}
