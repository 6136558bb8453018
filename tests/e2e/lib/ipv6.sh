# SPDX-License-Identifier: MIT
# tests/e2e/lib/ipv6.sh - IPv6 next to IPv4 in the test world, for the
# ipv6-* scenarios. Sourced by them.
#
#   lan1..3 2001:db8:1::10..12/64 ── switch ── gateway ── inet router ── srv1 2001:db8:2::10
#            default via 2001:db8:1::1     2001:db8:1::1 | 2001:db8:ffff::2   srv2 2001:db8:2::20
#                                                         2001:db8:ffff::1
#                                                         2001:db8:2::1, route to
#                                                         2001:db8:1::/64 via ::2
#
# The LAN prefix is routed to the gateway's WAN address, as an ISP routes a
# customer's prefix: no NAT anywhere, a server sees each LAN host's own
# address. The world is IPv4-only between scenarios (lib/world.sh turns
# IPv6 off everywhere), so ipv6_up turns it on for one scenario and
# ipv6_down turns it off again, which also removes every IPv6 address and
# route it added.
#
# The gateway:
# - passgate: passgated restarted with the run's config plus [lan] address6,
#   [wan] address6 and gateway6 (docs/CONFIG.md "IPv6"); its links keep IPv6
#   off in the kernel: passgated answers neighbour discovery itself.
# - linux: IPv6 forwarding with an RFC 6092-style nftables filter (chain
#   fw6 of the IPv4 gateway's inet table): outbound opens state, inbound
#   only established/related,
#   except ESP, AH, IKE (UDP 500/4500) and echo requests (RFC 6092
#   REC-22..26, RFC 4890); refusals counted in "unsolicited6".
#
# bench/lib/netns.sh sources this file too: its ipv6_1k case uses the
# addresses, v6on/v6off and ipv6_linux_fw6 (the same filter, not a copy),
# with nsx and fail of its own: keep those functions to nsx and fail.

LAN6_PREFIX=2001:db8:1::
LAN6_GW=2001:db8:1::1
LAN6_IP=(2001:db8:1::10 2001:db8:1::11 2001:db8:1::12)
WAN6_PUB=2001:db8:ffff::2
WAN6_NEXTHOP=2001:db8:ffff::1
SRV1_IP6=2001:db8:2::10
SRV2_IP6=2001:db8:2::20

# v6on NS [IF...] - turn IPv6 on in a namespace (and on the links named).
v6on() {
	local ns=$1 ifc
	shift
	nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 >/dev/null
	for ifc in "$@"; do
		nsx "$ns" sysctl -qw "net.ipv6.conf.$ifc.disable_ipv6=0" >/dev/null
	done
}

# v6off NS - IPv6 off again: its addresses and routes go with it.
v6off() {
	nsx "$1" sh -c 'for f in /proc/sys/net/ipv6/conf/*/disable_ipv6; do echo 1 >"$f"; done' 2>/dev/null
}

# ipv6_up - IPv6 on the hosts, the router, the servers and the gateway.
ipv6_up() {
	local i ns
	# Multicast snooping would forward neighbour solicitations only to ports
	# whose hosts sent MLD reports; passgated sends none (nor would a router
	# that answers by itself), so the switch floods multicast instead.
	ip -n "$NS_SW" link set br0 type bridge mcast_snooping 0 || { fail "switch: mcast_snooping"; return 1; }
	for i in 0 1 2; do
		ns=${NS_LAN[$i]}
		v6on "$ns" eth0
		# Router advertisements give a default route; no SLAAC address, so
		# each host's source address is its own static one.
		nsx "$ns" sysctl -qw net.ipv6.conf.eth0.accept_ra=1 net.ipv6.conf.eth0.autoconf=0 >/dev/null
		ip -n "$ns" -6 addr add "${LAN6_IP[$i]}/64" dev eth0 nodad || { fail "lan$((i + 1)): address"; return 1; }
		ip -n "$ns" -6 route add default via "$LAN6_GW" metric 2048 ||
			{ fail "lan$((i + 1)): route"; return 1; }
	done
	v6on "$NS_INET" eth0 br0 s1 s2
	nsx "$NS_INET" sysctl -qw net.ipv6.conf.all.forwarding=1 >/dev/null
	ip -n "$NS_INET" -6 addr add "$WAN6_NEXTHOP/64" dev eth0 nodad || { fail "inet: address"; return 1; }
	ip -n "$NS_INET" -6 addr add 2001:db8:2::1/64 dev br0 nodad || { fail "inet: address"; return 1; }
	# IPV6_LAN_VIA: the LAN prefix routed to another of the gateway's
	# addresses (ipv6-hostpath-slaac: its link-local one, the WAN address
	# being whatever the RAs give).
	ip -n "$NS_INET" -6 route add "$LAN6_PREFIX/64" via "${IPV6_LAN_VIA:-$WAN6_PUB}" dev eth0 ||
		{ fail "inet: route to the LAN prefix"; return 1; }
	# IPV6_HOOK_UP: a function run once the ISP side has IPv6, before the
	# gateway starts (ipv6-hostpath-slaac's RA sender).
	[[ -z ${IPV6_HOOK_UP:-} ]] || "$IPV6_HOOK_UP" || return 1
	for i in 1 2; do
		ns=$NS_SRV1
		((i == 2)) && ns=$NS_SRV2
		v6on "$ns" eth0
		ip -n "$ns" -6 addr add "2001:db8:2::$((i * 10))/64" dev eth0 nodad || { fail "srv$i: address"; return 1; }
		ip -n "$ns" -6 route add default via 2001:db8:2::1 || { fail "srv$i: route"; return 1; }
	done
	ipv6_gateway_up || return 1
	# Ready when lan1 reaches srv1 over IPv6 (neighbours resolved both sides).
	wait_until 10 nsx "${NS_LAN[0]}" ping -6 -n -c 1 -W 1 "$SRV1_IP6" ||
		{ fail "lan1 cannot ping $SRV1_IP6 within 10 s after IPv6 came up"; return 1; }
}

# ipv6_down - back to the IPv4-only world, and the gateway to the harness's settings.
ipv6_down() {
	local ns
	ipv6_gateway_down
	for ns in "${NS_LAN[@]}" "$NS_INET" "$NS_SRV1" "$NS_SRV2"; do
		v6off "$ns"
	done
	ip -n "$NS_SW" link set br0 type bridge mcast_snooping 1
	return 0
}

ipv6_gateway_up() {
	if [[ $GATEWAY == passgate ]]; then
		local conf=$SCN_DIR/passgated-ipv6.conf
		{
			# IPV6_WAN_SLAAC=1: the WAN address and router from the ISP's RAs.
			local wan6="address6 = $WAN6_PUB/64\ngateway6 = $WAN6_NEXTHOP"
			[[ -z ${IPV6_WAN_SLAAC:-} ]] || wan6="address6 = slaac"
			sed -e "/^\[lan\]/a address6 = $LAN6_GW/64${IPV6_LAN_EXTRA:+\n$IPV6_LAN_EXTRA}" \
				-e "/^\[wan\]/a $wan6${IPV6_WAN_EXTRA:+\n$IPV6_WAN_EXTRA}" \
				"$RUN_DIR/passgated.conf"
			# Whole sections a scenario adds (ipv6-dns: [dns]).
			[[ -z ${IPV6_CONF_TAIL:-} ]] || printf '\n%s\n' "$IPV6_CONF_TAIL"
		} >"$conf"
		# The next scenario gets the harness's own config back.
		GW_SETTINGS_APPLIED=unknown
		gateway_restart_with "$conf" || { fail "passgated with IPv6 did not come up"; return 1; }
		return 0
	fi
	v6on "$NS_GW" lan0 wan0
	nsx "$NS_GW" sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv6.conf.wan0.accept_ra=0 >/dev/null
	ip -n "$NS_GW" -6 addr add "$LAN6_GW/64" dev lan0 nodad || { fail "gateway: LAN address"; return 1; }
	ip -n "$NS_GW" -6 addr add "$WAN6_PUB/64" dev wan0 nodad || { fail "gateway: WAN address"; return 1; }
	ip -n "$NS_GW" -6 route add default via "$WAN6_NEXTHOP" || { fail "gateway: route"; return 1; }
	ipv6_linux_fw6 || return 1
	# The IPv4 MSS clamp of mss-clamp has its IPv6 twin here when asked for.
	return 0
}

# ipv6_linux_fw6 - (linux) the RFC 6092-style IPv6 filter in the gateway's
# inet table; IPV6_LINUX_PINHOLES: more accept rules for fw6 (ipv6-pd's).
ipv6_linux_fw6() {
	# The IPv4 gateway's table is "inet": its input and forward chains would
	# drop neighbour discovery and inbound IPv6 and its masquerade would NAT
	# IPv6 too. So the IPv6 rules go into that table: neighbour discovery
	# accepted for the gateway, no NAT for IPv6, and the forward chain jumps
	# to fw6 for IPv6 first; the ISP's DHCPv6 server's answers to the
	# gateway's client (ipv6-pd; link-local, as OpenWrt's Allow-DHCPv6 rule).
	# Made once per world, emptied between scenarios.
	if ! nsx "$NS_GW" nft list chain inet pgnat fw6 >/dev/null 2>&1; then
		nsx "$NS_GW" nft -f - <<-'EOF' || { fail "gateway: ip6 rules refused"; return 1; }
			add chain inet pgnat fw6
			add counter inet pgnat unsolicited6
			insert rule inet pgnat forward meta nfproto ipv6 jump fw6
			insert rule inet pgnat input meta nfproto ipv6 icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } accept
			insert rule inet pgnat input meta nfproto ipv6 iifname "wan0" ip6 saddr fe80::/10 udp sport 547 udp dport 546 accept
			insert rule inet pgnat postrouting meta nfproto ipv6 accept
		EOF
	fi
	nsx "$NS_GW" nft -f - >/dev/null <<-EOF || { fail "gateway: ip6 ruleset refused"; return 1; }
		flush chain inet pgnat fw6
		reset counter inet pgnat unsolicited6
		add rule inet pgnat fw6 ct state established,related accept
		add rule inet pgnat fw6 ct state invalid drop
		add rule inet pgnat fw6 iifname "lan0" oifname "wan0" accept
		add rule inet pgnat fw6 iifname "wan0" meta l4proto { esp, ah } ${IPV6_LINUX_IPSEC:-accept}
		add rule inet pgnat fw6 iifname "wan0" udp dport { 500, 4500 } ${IPV6_LINUX_IPSEC:-accept}
		${IPV6_LINUX_PINHOLES:-}
		add rule inet pgnat fw6 iifname "wan0" icmpv6 type echo-request accept
		add rule inet pgnat fw6 iifname "wan0" counter name "unsolicited6" drop
	EOF
}

ipv6_gateway_down() {
	if [[ $GATEWAY == passgate ]]; then
		return 0 # the next scenario restarts it with the harness's config
	fi
	nsx "$NS_GW" nft flush chain inet pgnat fw6 2>/dev/null
	v6off "$NS_GW"
	return 0
}

# ipv6_unsolicited - inbound IPv6 the gateway refused: passgated's
# drop_unsolicited, the Linux ruleset's counter.
ipv6_unsolicited() {
	if [[ $GATEWAY == passgate ]]; then
		gateway_counter drop_unsolicited
		return
	fi
	nsx "$NS_GW" nft list counter inet pgnat unsolicited6 | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

# ipv6_scenario - run scenario6 between ipv6_up and ipv6_down.
ipv6_scenario() {
	local rc
	ipv6_up || { ipv6_down; return 1; }
	scenario6
	rc=$?
	ipv6_down
	return $rc
}

# ipv6_ipsec_probe DST - srv2 sends what an IPsec peer opens with to DST:
# IKE on UDP 500 and 4500 and one raw ESP packet (RFC 6092 REC-22..26 say
# which of these the firewall lets in). Log (appended): SCN_DIR/ipsec-in.log.
ipv6_ipsec_probe() {
	tnsx 10 "$NS_SRV2" python3 - "$1" <<-'EOF' >>"$SCN_DIR/ipsec-in.log" 2>&1
		import socket, sys
		dst = sys.argv[1]
		for port in (500, 4500):
		    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
		    s.sendto(b"\x00" * 8 + b"ike-probe", (dst, port))
		esp = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 50)
		esp.sendto(b"\x00\x00\x12\x34\x00\x00\x00\x01" + b"esp-probe" * 4, (dst, 0))
		print("sent")
	EOF
}

# v6_tcp_try NS HOST PORT - one TCP connection attempt from NS, 2 s at most:
# prints "connected", "timeout" or "refused" (or "error ..."); for checks
# that a firewall let a connection in or not, without tcpecho's 5 s wait.
v6_tcp_try() {
	tnsx 5 "$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.settimeout(2)
try:
    s.connect((sys.argv[1], int(sys.argv[2])))
    print("connected")
except socket.timeout:
    print("timeout")
except ConnectionRefusedError:
    print("refused")
except OSError as e:
    print("error", e)' "$2" "$3"
}

# v6_udp_send NS HOST PORT TEXT - one UDP datagram from NS.
v6_udp_send() {
	tnsx 5 "$1" python3 -c '
import socket, sys
socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))' \
		"$2" "$3" "$4"
}

# ipv6_fw6_insert TAG RULE... - (linux) a rule at the head of the Linux
# gateway's fw6 chain, commented TAG (ipv6_gateway_up empties fw6 again).
ipv6_fw6_insert() {
	local tag=$1
	shift
	nsx "$NS_GW" nft insert rule inet pgnat fw6 "$@" comment "\"$tag\""
}

# ipv6_fw6_count TAG - (linux) packets the fw6 rules commented TAG counted.
ipv6_fw6_count() {
	nsx "$NS_GW" nft list chain inet pgnat fw6 | grep -F "comment \"$1\"" |
		sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | awk '{n += $1} END {print n + 0}'
}

# ipv6_fw6_delete PATTERN - (linux) delete the fw6 rules whose listing has PATTERN.
ipv6_fw6_delete() {
	local h
	for h in $(nsx "$NS_GW" nft -a list chain inet pgnat fw6 | grep -F -- "$1" |
		sed -n 's/.*# handle \([0-9]*\)$/\1/p'); do
		nsx "$NS_GW" nft delete rule inet pgnat fw6 handle "$h" || return 1
	done
}
