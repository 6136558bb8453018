# SPDX-License-Identifier: MIT
# ipv6-hostpath-slaac: the gateway's own IPv6 on the WAN side when the WAN
# address comes from the ISP's router advertisements ([wan] address6 =
# slaac, docs/HOSTPATH.md "IPv6 on the WAN device"), and moves when the ISP
# renumbers. passgated runs with [lan] address6 (lib/ipv6.sh), no gateway6,
# [dns] forwarding to an IPv6 upstream server; radvd on the internet
# router announces the WAN's /64 (a real RA sender, as an ISP's router).
#
#   pggw-S host stack                    pginet-S (radvd)       pgsrv1-S
#   dnsmasq ─► pgh-wan0 ─► passgated ─► wan0 ──── eth0 ─────────► dnsmasq [2001:db8:2::10]:53
#   ping -6, tcpecho ───────────┘  SLAAC: 2001:db8:ffff::EUI64     tcpecho [2001:db8:2::10]:7777
#                                  then  2001:db8:fffe::EUI64
#
# The LAN prefix is routed to the gateway's link-local address (the global
# one is whatever the RAs make of it). Passes when:
# - with radvd announcing 2001:db8:ffff::/64: the host device pgh-wan0
#   holds 2001:db8:ffff::EUI64(wan0) (the only global address there) and
#   has the default route via passgated's made-up router; srv2's ping -6
#   to that address is answered 3/3 (the engine knows it); lan1's query to
#   the gateway's resolver for a name only srv1's IPv6-only resolver knows
#   is answered, that resolver logged it from the SLAAC address; the
#   gateway host's ping -6 to srv1 is 5/5 and a 64 KB TCP echo comes back
#   byte for byte, srv1 seeing the SLAAC address;
# - radvd then announces 2001:db8:fffe::/64 and the old prefix with valid
#   and preferred lifetime 0 (the router also gets 2001:db8:fffe::1/64):
#   within 15 s pgh-wan0 holds 2001:db8:fffe::EUI64 and not the old
#   address, the default route is still there, passgated logged the old
#   address given up; then the same three checks (a second name, ping 5/5,
#   TCP echo) pass from the new address, and srv2's ping to it is answered.
# Only for --gateway passgate: the host path is passgated's. Everything
# added on the ISP side goes with lib/ipv6.sh's ipv6_down (IPv6 off there
# removes its addresses and routes); radvd is the scenario's child.

source "$E2E_DIR/lib/ipv6.sh"
source "$E2E_DIR/lib/hostpath.sh"

V6S_NAME=(v6slaac-a.example.test v6slaac-b.example.test)
V6S_ADDR=(198.51.100.71 198.51.100.72)
V6S_OLD=2001:db8:ffff::
V6S_NEW=2001:db8:fffe::
V6S_ROUTER6=fe80::70:67ff:fe00:1	# the host device's made-up router (dp/hostpath6.c)

# v6s_eui64 MAC - the interface identifier of MAC (RFC 4291 2.5.1), as the
# last four groups of an address.
v6s_eui64() {
	local -a b
	IFS=: read -ra b <<<"$1"
	printf '%x:%x:%x:%x' $(((0x${b[0]} ^ 2) << 8 | 0x${b[1]})) $((0x${b[2]} << 8 | 0xff)) \
		$((0xfe << 8 | 0x${b[3]})) $((0x${b[4]} << 8 | 0x${b[5]}))
}

# v6s_radvd_conf - radvd's config: the prefix in V6S_ANNOUNCE, and the one
# in V6S_WITHDRAW (if any) with lifetimes 0.
v6s_radvd_conf() {
	{
		printf 'interface eth0 {\n\tAdvSendAdvert on;\n\tMinRtrAdvInterval 3;\n\tMaxRtrAdvInterval 4;\n'
		printf '\tprefix %s/64 { AdvOnLink on; AdvAutonomous on; AdvValidLifetime 86400; AdvPreferredLifetime 14400; };\n' "$V6S_ANNOUNCE"
		[[ -z ${V6S_WITHDRAW:-} ]] ||
			printf '\tprefix %s/64 { AdvOnLink on; AdvAutonomous on; AdvValidLifetime 0; AdvPreferredLifetime 0; };\n' "$V6S_WITHDRAW"
		printf '};\n'
	} >"$SCN_DIR/radvd.conf"
}

# v6s_radvd_start - IPV6_HOOK_UP: the ISP's RA sender, before passgated starts.
v6s_radvd_start() {
	V6S_ANNOUNCE=$V6S_OLD V6S_WITHDRAW= v6s_radvd_conf
	spawn radvd "$NS_INET" radvd -n -m stderr -d 1 -C "$SCN_DIR/radvd.conf" -p "$SCN_DIR/radvd.pid"
	V6S_RADVD=$LAST_PID
	sleep 0.5
	kill -0 "$V6S_RADVD" 2>/dev/null ||
		{ fail "radvd did not start: $(tail -n 2 "$SCN_DIR/radvd.log" | tr '\n' ' ')"; return 1; }
}

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the host path is passgated's: run with --gateway passgate"; return; }
	need dig dnsmasq radvd python3 || return
	local mac rc
	mac=$(nsx "$NS_GW" cat /sys/class/net/wan0/address) || { fail "no wan0 MAC"; return; }
	V6S_IID=$(v6s_eui64 "$mac")
	PG_RESTART_ARGS=(-r "$SCN_DIR/gw-run" -s "$SCN_DIR/gw-run")
	IPV6_CONF_TAIL=$(printf '%s\n' '[dns]' 'forward = on' "upstream = $SRV1_IP6")
	IPV6_WAN_SLAAC=1
	IPV6_LAN_VIA=fe80::$V6S_IID
	IPV6_HOOK_UP=v6s_radvd_start
	ipv6_scenario
	rc=$?
	unset IPV6_CONF_TAIL IPV6_WAN_SLAAC IPV6_LAN_VIA IPV6_HOOK_UP
	return $rc
}

# v6s_global - the global IPv6 addresses pgh-wan0 holds, space-separated.
v6s_global() {
	ip -n "$NS_GW" -6 -o addr show dev "$HP_WAN_DEV" scope global |
		awk '{sub("/.*", "", $4); print $4}' | sort | tr '\n' ' ' | sed 's/ $//'
}

# v6s_holds ADDR - pgh-wan0's global addresses are ADDR alone (for wait_until).
v6s_holds() {
	[[ $(v6s_global) == "$1" ]]
}

# v6s_traffic I ADDR - from the gateway host with WAN address ADDR: name
# I through dnsmasq's IPv6 upstream, ping -6 5/5 and a 64 KB TCP echo with
# srv1, and srv2's ping to ADDR answered.
v6s_traffic() {
	local i=$1 addr=$2 out got n=5
	out=$(tnsx 15 "${NS_LAN[0]}" dig +time=3 +tries=3 +short @"$LAN_GW" "${V6S_NAME[$i]}" A 2>&1)
	[[ $out == "${V6S_ADDR[$i]}" ]] ||
		{ fail "dig ${V6S_NAME[$i]} @$LAN_GW answered '${out//$'\n'/ }', expected ${V6S_ADDR[$i]}"; return 1; }
	wait_until 5 grep -q "query\[A\] ${V6S_NAME[$i]} from $addr" "$SCN_DIR/wan-dns6.log" ||
		{ fail "srv1's resolver logged no query for ${V6S_NAME[$i]} from $addr: $(grep query "$SCN_DIR/wan-dns6.log" | tail -n 2 | tr '\n' ' ')"; return 1; }
	out=$(tnsx 15 "$NS_GW" ping -6 -n -c "$n" -i 0.2 -W 2 "$SRV1_IP6" 2>&1)
	got=$(grep -oE '[0-9]+ received' <<<"$out" | grep -oE '^[0-9]+')
	[[ ${got:-0} == "$n" ]] || { fail "from $addr: the gateway host's ping -6 $SRV1_IP6: ${got:-0} of $n answered"; return 1; }
	out=$(tnsx 15 "$NS_GW" "$PY" "$E2E_DIR/lib/tcpecho.py" client "$SRV1_IP6" 7777 65536)
	[[ $out == "seen $addr:"*" ok" ]] ||
		{ fail "the gateway host's TCP echo with [$SRV1_IP6]:7777 (expected from $addr): ${out:-no answer}"; return 1; }
	V6S_ECHO=$out
	got=$(tnsx 10 "$NS_SRV2" ping -6 -n -c 3 -i 0.2 -W 2 "$addr" 2>&1 | grep -oE '[0-9]+ received' | grep -oE '^[0-9]+')
	[[ ${got:-0} == 3 ]] || { fail "srv2's ping -6 to the gateway's $addr: ${got:-0} of 3 answered"; return 1; }
	note "from $addr: ${V6S_NAME[$i]} = ${V6S_ADDR[$i]} through srv1's resolver; ping -6 $n/$n; TCP echo: $V6S_ECHO; srv2 -> $addr 3/3"
}

# v6s_canon ADDR - ADDR as ip, inet_ntop and the servers print it (RFC 5952).
v6s_canon() {
	python3 -c 'import ipaddress, sys; print(ipaddress.IPv6Address(sys.argv[1]))' "$1"
}

scenario6() {
	local a_old a_new held route t0 moved_ms
	a_old=$(v6s_canon "${V6S_OLD}$V6S_IID")
	a_new=$(v6s_canon "${V6S_NEW}$V6S_IID")
	wait_alive "$PG_PID" 10 listening "$NS_GW" udp 53 ||
		{ fail "dnsmasq does not listen in the gateway: $(grep dnsmasq "$PG_LOG" | tail -n 1)"; return 1; }
	# 1. The address from radvd's prefix, on the host device with its route.
	wait_until 15 v6s_holds "$a_old" ||
		{ fail "pgh-wan0 holds '$(v6s_global)' 15 s after start, expected $a_old (SLAAC from $V6S_OLD/64)"; return 1; }
	route=$(ip -n "$NS_GW" -6 route show default)
	[[ $route == *"via $V6S_ROUTER6 dev $HP_WAN_DEV"* ]] ||
		{ fail "the gateway host's IPv6 default route: '${route//$'\n'/ }', expected via $V6S_ROUTER6 dev $HP_WAN_DEV"; return 1; }
	grep -q "IPv6 address $a_old/64 by SLAAC" "$PG_LOG" || { fail "passgated did not log the SLAAC address $a_old"; return 1; }
	spawn wan-dns6 "$NS_SRV1" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
		--no-hosts --listen-address="$SRV1_IP6" --bind-interfaces --port=53 --user=root \
		--pid-file --log-facility=- --log-queries \
		--address="/${V6S_NAME[0]}/${V6S_ADDR[0]}" --address="/${V6S_NAME[1]}/${V6S_ADDR[1]}"
	wait_listen "$NS_SRV1" udp 53 10 || { fail "the WAN resolver did not start: $(tail -n 1 "$SCN_DIR/wan-dns6.log")"; return 1; }
	spawn srv1-echo6 "$NS_SRV1" "$PY" "$E2E_DIR/lib/tcpecho.py" server6 7777
	wait_listen "$NS_SRV1" tcp 7777 5 || { fail "srv1's IPv6 echo server did not start"; return 1; }
	v6s_traffic 0 "$a_old" || return 1
	report dns6-upstream-slaac "$LAN_GW" "[$SRV1_IP6]:53" PASS "query from $a_old"

	# 2. The ISP renumbers: the new prefix announced, the old one at lifetime 0.
	ip -n "$NS_INET" -6 addr add "${V6S_NEW}1/64" dev eth0 nodad || { fail "inet: the new prefix's address"; return 1; }
	V6S_ANNOUNCE=$V6S_NEW V6S_WITHDRAW=$V6S_OLD v6s_radvd_conf
	t0=$EPOCHREALTIME
	kill -HUP "$V6S_RADVD" || { fail "radvd is gone"; return 1; }
	wait_until 15 v6s_holds "$a_new" ||
		{ fail "pgh-wan0 holds '$(v6s_global)' 15 s after the renumbering, expected only $a_new"; return 1; }
	moved_ms=$(elapsed_ms "$t0")
	held=$(v6s_global)
	route=$(ip -n "$NS_GW" -6 route show default)
	[[ $route == *"via $V6S_ROUTER6 dev $HP_WAN_DEV"* ]] ||
		{ fail "after the move, the IPv6 default route: '${route//$'\n'/ }'"; return 1; }
	grep -q "IPv6 address $a_old/64 deprecated by the ISP's RAs: given up" "$PG_LOG" ||
		{ fail "passgated did not log $a_old given up"; return 1; }
	v6s_traffic 1 "$a_new" || return 1
	note "renumbered: pgh-wan0 holds $held (was $a_old) $moved_ms ms after radvd's SIGHUP; route $route"
	PASS_NOTE="SLAAC $a_old on $HP_WAN_DEV (dnsmasq upstream, ping -6 5/5, 64 KB TCP echo, srv2's ping answered); renumbered by radvd: $a_old removed, $a_new used for the same checks, moved in $moved_ms ms"
}
