# SPDX-License-Identifier: MIT
# ipv6-hostpath: the gateway's own connections and services over IPv6 on
# the WAN side (docs/HOSTPATH.md "IPv6"). passgated runs with [lan] and
# [wan] address6 (lib/ipv6.sh), [dns] forwarding to an IPv6 upstream server
# and [input] wan = udp 51820, tcp 7070; the host path's WAN device holds
# 2001:db8:ffff::2 with a default route through passgated.
#
#   pggw-S host stack                    pginet-S              pgsrv1-S / pgsrv2-S
#   dnsmasq ─► pgh-wan0 ─► passgated ─► wan0 ──── eth0 (tcpdump) ─► dnsmasq [2001:db8:2::10]:53
#   ping -6, tcpecho ───────────┘                                   tcpecho [2001:db8:2::10]:7777
#   wireguard-go :51820, tcpecho :7070, :2222 ◄── passgated ◄─────── srv2 2001:db8:2::20
#                                  ([input] wan: 51820/udp, 7070/tcp open; 2222 refused)
#
# Passes when:
# - lan1 asks the gateway's resolver (192.168.1.1) for a name only the WAN
#   server knows and gets its address, and that server logged the query
#   from 2001:db8:ffff::2: dnsmasq's upstream query went out over IPv6;
# - the gateway's host namespace pings srv1 over IPv6 (5/5) and echoes
#   64 KB over TCP with it, srv1 seeing 2001:db8:ffff::2;
# - srv2 echoes 4 KB with the gateway's [2001:db8:ffff::2]:7070 (the
#   listener saw srv2's own address), and a WireGuard client on srv2
#   reaches the router's WireGuard server at [2001:db8:ffff::2]:51820: 5/5
#   pings inside the tunnel, the server has the peer at [2001:db8:2::20];
# - 3 connection tries to [2001:db8:ffff::2]:2222, where a listener waits,
#   get nothing and drop_gateway_policy grows by at least 3;
# - on the WAN wire (pginet's eth0) nothing of the host's link chatter:
#   no MLD report, router advertisement or redirect from the gateway's
#   MAC, each neighbour solicitation for 2001:db8:ffff::2 answered exactly
#   once, and passgated counted the host's dropped frames (drop_host_frame).
# Only for --gateway passgate: the host path is passgated's.

source "$E2E_DIR/lib/ipv6.sh"
source "$E2E_DIR/lib/hostpath.sh"
source "$E2E_DIR/lib/wireguard.sh"

V6H_NAME=v6only.example.test
V6H_ADDR=198.51.100.66
V6H_WG=51820
V6H_TCP=7070

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the host path is passgated's: run with --gateway passgate"; return; }
	need dig dnsmasq tcpdump wireguard-go wg python3 || return
	PG_RESTART_ARGS=(-r "$SCN_DIR/gw-run" -s "$SCN_DIR/gw-run")
	IPV6_CONF_TAIL=$(printf '%s\n' '[dns]' 'forward = on' "upstream = $SRV1_IP6" '' \
		'[input]' "wan = udp $V6H_WG, tcp $V6H_TCP")
	ipv6_scenario
	local rc=$?
	unset IPV6_CONF_TAIL
	return $rc
}

scenario6() {
	local out got n=5 before after i seen mac ns_n na_n bad frames
	# The WAN wire from now on, as the ISP's router sees it.
	spawn wan-wire "$NS_INET" tcpdump -l -n -e -i eth0 icmp6
	wait_until 5 grep -q 'listening on' "$SCN_DIR/wan-wire.log" || { fail "tcpdump on pginet did not start"; return 1; }
	wait_alive "$PG_PID" 10 listening "$NS_GW" udp 53 ||
		{ fail "dnsmasq does not listen in the gateway: $(grep dnsmasq "$PG_LOG" | tail -n 1)"; return 1; }
	nsx "$NS_GW" ip -6 route show default >"$SCN_DIR/gw-route6.txt"
	grep -q "dev $HP_WAN_DEV" "$SCN_DIR/gw-route6.txt" ||
		{ fail "the gateway host has no IPv6 default route on $HP_WAN_DEV: $(tr '\n' ' ' <"$SCN_DIR/gw-route6.txt")"; return 1; }

	# 1. dnsmasq's upstream over IPv6: a resolver on srv1's IPv6 address only.
	spawn wan-dns6 "$NS_SRV1" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
		--no-hosts --listen-address="$SRV1_IP6" --bind-interfaces --port=53 --user=root \
		--pid-file --log-facility=- --log-queries --address="/$V6H_NAME/$V6H_ADDR"
	wait_listen "$NS_SRV1" udp 53 10 || { fail "the WAN resolver did not start: $(tail -n 1 "$SCN_DIR/wan-dns6.log")"; return 1; }
	out=$(tnsx 15 "${NS_LAN[0]}" dig +time=3 +tries=3 +short @"$LAN_GW" "$V6H_NAME" A 2>&1)
	[[ $out == "$V6H_ADDR" ]] || { fail "dig $V6H_NAME @$LAN_GW answered '${out//$'\n'/ }', expected $V6H_ADDR"; return 1; }
	wait_until 5 grep -q "query\[A\] $V6H_NAME from $WAN6_PUB" "$SCN_DIR/wan-dns6.log" ||
		{ fail "the WAN resolver logged no query for $V6H_NAME from $WAN6_PUB: $(grep query "$SCN_DIR/wan-dns6.log" | tail -n 2 | tr '\n' ' ')"; return 1; }
	note "lan1: $V6H_NAME = $out through the gateway; srv1's resolver: $(grep -m 1 "query\[A\] $V6H_NAME" "$SCN_DIR/wan-dns6.log")"
	report dns6-upstream "$LAN_GW" "[$SRV1_IP6]:53" PASS "query from $WAN6_PUB"

	# 2. The host's own IPv6 out: ping and a TCP echo with srv1.
	out=$(tnsx 15 "$NS_GW" ping -6 -n -c "$n" -i 0.2 -W 2 "$SRV1_IP6" 2>&1)
	echo "$out" >"$SCN_DIR/gw-ping6.txt"
	got=$(grep -oE '[0-9]+ received' <<<"$out" | grep -oE '^[0-9]+')
	[[ ${got:-0} == "$n" ]] || { fail "the gateway host's ping -6 $SRV1_IP6: ${got:-0} of $n answered"; return 1; }
	spawn srv1-echo6 "$NS_SRV1" "$PY" "$E2E_DIR/lib/tcpecho.py" server6 7777
	wait_listen "$NS_SRV1" tcp 7777 5 || { fail "srv1's IPv6 echo server did not start"; return 1; }
	out=$(tnsx 15 "$NS_GW" "$PY" "$E2E_DIR/lib/tcpecho.py" client "$SRV1_IP6" 7777 65536)
	[[ $out == "seen $WAN6_PUB:"*" ok" ]] || { fail "the gateway host's TCP echo with [$SRV1_IP6]:7777: ${out:-no answer}"; return 1; }
	note "gateway host: ping -6 $SRV1_IP6 $got/$n; TCP echo: $out"

	# 3. The WAN to the gateway's services: what [input] wan opens.
	spawn gw-echo6 "$NS_GW" "$PY" "$E2E_DIR/lib/tcpecho.py" server6 "$V6H_TCP" 2222
	wait_listen "$NS_GW" tcp "$V6H_TCP" 5 || { fail "the gateway's IPv6 echo server did not start"; return 1; }
	out=$(tnsx 15 "$NS_SRV2" "$PY" "$E2E_DIR/lib/tcpecho.py" client "$WAN6_PUB" "$V6H_TCP" 4096)
	[[ $out == "seen $SRV2_IP6:"*" ok" ]] || { fail "srv2's TCP echo with [$WAN6_PUB]:$V6H_TCP: ${out:-no answer}"; return 1; }
	note "srv2 -> [$WAN6_PUB]:$V6H_TCP: $out"
	v6h_wireguard || return 1

	# 4. A port [input] wan does not open: refused, counted.
	before=$(gateway_counter drop_gateway_policy)
	for i in 1 2 3; do
		out=$(v6_tcp_try "$NS_SRV2" "$WAN6_PUB" 2222)
		[[ $out != connected ]] || { fail "srv2 connected to [$WAN6_PUB]:2222: not in [input] wan"; return 1; }
	done
	after=$(gateway_counter drop_gateway_policy)
	((after - before >= 3)) ||
		{ fail "srv2 tried [$WAN6_PUB]:2222 3 times; drop_gateway_policy grew by $((after - before))"; return 1; }
	note "srv2 -> [$WAN6_PUB]:2222: 3 tries refused, drop_gateway_policy +$((after - before))"

	# 5. The wire: one answer per solicitation, none of the host's chatter.
	ip -n "$NS_INET" -6 neigh flush dev eth0
	nsx "$NS_INET" ping -6 -n -c 2 -i 0.3 -W 1 "$WAN6_PUB" >/dev/null 2>&1
	sleep 1
	mac=$(nsx "$NS_GW" cat /sys/class/net/wan0/address)
	ns_n=$(grep -c "neighbor solicitation, who has $WAN6_PUB," "$SCN_DIR/wan-wire.log")
	na_n=$(grep -c "neighbor advertisement, tgt is $WAN6_PUB," "$SCN_DIR/wan-wire.log")
	((ns_n >= 1 && na_n == ns_n)) ||
		{ fail "the wire: $ns_n solicitations for $WAN6_PUB, $na_n advertisements (one answer each expected)"; return 1; }
	bad=$(grep "^[0-9:.]* $mac >" "$SCN_DIR/wan-wire.log" |
		grep -E 'multicast listener|router advertisement|redirect' | head -n 3)
	[[ -z $bad ]] || { fail "the host's link chatter reached the WAN: ${bad//$'\n'/ | }"; return 1; }
	frames=$(hp_counter wan0:drop_host_frame)
	((frames > 0)) || { fail "passgated counted no dropped frame of the host's WAN device (its MLD reports)"; return 1; }
	note "wire: $ns_n NS for $WAN6_PUB, $na_n NA; none of MLD/RA/redirect from $mac; wan0 drop_host_frame $frames"
	PASS_NOTE="dnsmasq upstream over IPv6 ($V6H_NAME = $V6H_ADDR, query from $WAN6_PUB); host ping -6 $n/$n and TCP echo; [$WAN6_PUB]:$V6H_TCP echo and WireGuard over IPv6 from srv2; :2222 refused (+$((after - before))); NS/NA $ns_n/$na_n, no host chatter (drop_host_frame $frames)"
}

# v6h_wireguard - the router's WireGuard server reached over IPv6 from srv2
# (peer 0 on the router, 1 on srv2: lib/wireguard.sh).
v6h_wireguard() {
	local i ifs=() ns out got n=5 seen
	for i in 0 1; do
		ifs[i]=pgw6h$i-$SFX
		ns=$NS_GW
		((i == 1)) && ns=$NS_SRV2
		wg_peer_start "$i" "$ns" "${ifs[$i]}" || return 1
	done
	wgx 0 "$NS_GW" set "${ifs[0]}" listen-port "$V6H_WG" private-key "$SCN_DIR/wg0.key" \
		peer "$(wg_pub 1)" allowed-ips 10.9.6.2/32 || { fail "wg set on the router failed"; return 1; }
	ip -n "$NS_GW" addr add 10.9.6.1/24 dev "${ifs[0]}"
	ip -n "$NS_GW" link set "${ifs[0]}" up
	wgx 1 "$NS_SRV2" set "${ifs[1]}" private-key "$SCN_DIR/wg1.key" \
		peer "$(wg_pub 0)" endpoint "[$WAN6_PUB]:$V6H_WG" allowed-ips 10.9.6.0/24 \
		persistent-keepalive 5 || { fail "wg set on srv2 failed"; return 1; }
	ip -n "$NS_SRV2" addr add 10.9.6.2/24 dev "${ifs[1]}"
	ip -n "$NS_SRV2" link set "${ifs[1]}" up
	wait_until 10 nsx "$NS_SRV2" ping -n -c 1 -W 1 10.9.6.1 ||
		{ fail "srv2: no answer from the router inside the tunnel over IPv6 within 10 s"; return 1; }
	out=$(tnsx 15 "$NS_SRV2" ping -n -c "$n" -i 0.2 -W 2 10.9.6.1 2>&1)
	echo "$out" >"$SCN_DIR/tunnel-ping.txt"
	got=$(grep -oE '[0-9]+ received' <<<"$out" | grep -oE '^[0-9]+')
	[[ ${got:-0} == "$n" ]] || { fail "srv2 -> 10.9.6.1 inside the tunnel: ${got:-0} of $n answered"; return 1; }
	seen=$(wgx 0 "$NS_GW" show "${ifs[0]}" endpoints | awk '{print $2}')
	[[ $seen == "[$SRV2_IP6]:"* ]] || { fail "the router's server has the client at '${seen:-nothing}', expected [$SRV2_IP6]"; return 1; }
	note "WireGuard over IPv6: srv2 -> 10.9.6.1 $got/$n in the tunnel; the router's server sees $seen"
	report wireguard6-router "[$SRV2_IP6]" "[$WAN6_PUB]:$V6H_WG/udp" PASS "$seen; tunnel pings $got/$n"
}
