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

	# - masquerade everything leaving wan0;
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
