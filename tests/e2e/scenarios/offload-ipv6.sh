# SPDX-License-Identifier: MIT
# offload-ipv6: the XDP fast path ([datapath] offload = on) carries the IPv6
# firewall's established flows (routed, no NAT) without the daemon, and the
# engine still knows them exactly. lib/ipv6.sh draws the addresses.
#
#   lan1 2001:db8:1::10 --UDP echo, 400 x 200 bytes--\            /-- srv1 [2001:db8:2::10]:7008 echo
#                                                     passgated: XDP
#   lan2 2001:db8:1::11 --TCP echo, 1 MiB each way---/ lan0 <-> wan0 \-- srv1 [2001:db8:2::10]:7071 echo
#                                                     (hop limit, MACs, devmap redirect)
#
# Passes when every datagram came back byte for byte, the TCP echo returned
# its 1 MiB byte for byte, and srv1 saw each host's own address; the
# engine's offload_packets (what XDP forwarded, given back every second)
# covers at least 90% of the echo's 800 packets and at least 90% of the
# packets the engine counted for the TCP transfer (rx_lan + rx_wan, which
# include XDP's); the AF_XDP sockets of both links together received fewer
# frames than a tenth of what XDP forwarded; and `passgatectl flows
# --family 6` lists the echo's flow with at least the bytes the echo sent
# each way (the counters came back from the XDP map). Pings (an ICMPv6
# echo flow, offered once a request and its reply went through): every
# reply received, all but at most 6 of the 400 echo packets through XDP and
# their bytes on the ping's flow. Only for --gateway
# passgate; the links' veth peers have GRO on (lib/world.sh
# gw_peer_gro_on): a veth delivers a redirected frame only then.

source "$E2E_DIR/lib/ipv6.sh"
source "$E2E_DIR/lib/offload.sh"

GW_OFFLOAD=on
OFF6_N=400	  # echo datagrams
OFF6_SIZE=200	  # their payload: IPv6 length 248
OFF6_PORT=7008
OFF6_SPORT=40200
OFF6_TCP=1048576  # bytes the TCP echo sends (and gets back)
OFF6_PINGS=200	  # echo requests, 10 ms apart
OFF6_PING_SIZE=100 # their data: IPv6 length 148

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the XDP fast path is passgated's own"; return; }
	ipv6_scenario
}

# off6_engine_rx - the engine's rx_lan + rx_wan in PG_DUMP.
off6_engine_rx() {
	echo $(($(dump_value rx_lan) + $(dump_value rx_wan)))
}

scenario6() {
	local line out xdp xdp0 rx0 rx1 tcp_xdp tcp_all fr_lan fr_wan fl o i min
	grep -q 'offload: on (' "$PG_LOG" ||
		{ fail "passgated did not turn the XDP fast path on: $(grep -m1 'offload:' "$PG_LOG")"; return 1; }

	# UDP: 400 datagrams echoed, each checked.
	spawn off6-echo-srv "$NS_SRV1" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-server6 "$OFF6_PORT"
	wait_listen "$NS_SRV1" udp "$OFF6_PORT" || { fail "UDP echo server did not start"; return 1; }
	tnsx 60 "${NS_LAN[0]}" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-client "$SRV1_IP6" \
		"$OFF6_PORT" "$OFF6_SPORT" "$OFF6_N" "$OFF6_SIZE" >"$SCN_DIR/off6-echo.log" 2>&1
	line=$(grep '^seen ' "$SCN_DIR/off6-echo.log")
	[[ $line =~ echoed\ $OFF6_N\  ]] || { fail "not every datagram echoed (${line:-no result})"; return 1; }
	[[ $line == "seen ${LAN6_IP[0]}:$OFF6_SPORT "* ]] ||
		{ fail "srv1 did not see lan1's own address and port: $line"; return 1; }

	sleep 1.5 # the data path gives XDP's counts to the engine once a second
	gateway_dump || { fail "no counter dump"; return 1; }
	xdp0=$(dump_value offload_packets)
	rx0=$(off6_engine_rx)
	note "after the UDP echo: offload_packets $xdp0"
	((xdp0 >= OFF6_N * 2 * 9 / 10)) ||
		{ fail "XDP forwarded $xdp0 packets, fewer than 90% of the echo's $((OFF6_N * 2))"; return 1; }

	# The pings, from this dump on.
	xdp_pings 6 "$OFF6_PINGS" "$OFF6_PING_SIZE" "$SRV1_IP6" "$xdp0" || return 1

	# TCP: 1 MiB echoed, byte for byte (counted from xdp_pings' last dump).
	xdp0=$(dump_value offload_packets)
	rx0=$(off6_engine_rx)
	spawn off6-tcp-srv "$NS_SRV1" "$PY" "$E2E_DIR/lib/tcpecho.py" server6 7071
	wait_until 5 grep -q listening "$SCN_DIR/off6-tcp-srv.log" || { fail "TCP echo server did not start"; return 1; }
	out=$(tnsx 30 "${NS_LAN[1]}" "$PY" "$E2E_DIR/lib/tcpecho.py" client "$SRV1_IP6" 7071 "$OFF6_TCP")
	note "lan2 -> srv1 tcp: $out"
	[[ $out == "seen ${LAN6_IP[1]}:"*" ok" ]] || { fail "TCP echo over IPv6: $out"; return 1; }

	sleep 1.5
	gateway_dump || { fail "no counter dump"; return 1; }
	xdp=$(dump_value offload_packets)
	rx1=$(off6_engine_rx)
	tcp_xdp=$((xdp - xdp0))
	tcp_all=$((rx1 - rx0))
	fr_lan=$(l2_daemon_frames lan0)
	fr_wan=$(l2_daemon_frames wan0)
	note "TCP: $tcp_xdp of $tcp_all packets through XDP; offload_packets $xdp; frames the daemon received: lan0 $fr_lan wan0 $fr_wan"
	((tcp_all > 0 && tcp_xdp * 10 >= tcp_all * 9)) ||
		{ fail "XDP forwarded $tcp_xdp of the TCP transfer's $tcp_all packets, under 90%"; return 1; }
	(((fr_lan + fr_wan) * 10 < xdp)) ||
		{ fail "the daemon still received $((fr_lan + fr_wan)) frames for $xdp by XDP"; return 1; }

	# The echo's flow, with the bytes XDP carried.
	gateway_ctl flows --family 6 --proto udp --port "$OFF6_SPORT" >"$SCN_DIR/flows6.txt" 2>&1
	fl=$(grep -F "[${LAN6_IP[0]}]:$OFF6_SPORT [$SRV1_IP6]:$OFF6_PORT " "$SCN_DIR/flows6.txt" | head -n 1)
	[[ -n $fl ]] || { fail "passgatectl flows --family 6 does not list the echo's flow: $(cat "$SCN_DIR/flows6.txt")"; return 1; }
	read -r o i < <(awk '{print $(NF-1), $NF}' <<<"$fl")
	min=$((OFF6_N * (OFF6_SIZE + 48)))
	note "flow: $fl"
	[[ $o =~ ^[0-9]+$ && $i =~ ^[0-9]+$ ]] && ((o >= min && i >= min)) ||
		{ fail "the flow shows $o bytes out, $i in; the echo moved at least $min each way"; return 1; }
	return 0
}
