# SPDX-License-Identifier: MIT
# offload: the XDP fast path ([datapath] offload = auto, the default, which
# the kernel's xdp_features allow here) carries established flows without
# the daemon, and the engine still knows them exactly.
#
#   lan1 --UDP echo, 400 x 200 bytes--\                    /-- srv1:7007 echo
#   lan1 --ping, 200 x 100 bytes-------- passgated: XDP     --- srv1 (its kernel answers)
#   lan2 --iperf3 TCP upload, 2 s-----/  lan0 <-> wan0      \-- srv1:5204 iperf3
#                                       (devmap redirect)
#
# Passes when passgated logged that auto turned it on because both links
# accept XDP redirect; every datagram came back byte for byte and iperf3 delivered;
# the engine's counter offload_packets (packets XDP forwarded, given back to
# the engine every second) covers at least 90% of the echo's 800 packets;
# the AF_XDP sockets of both links together received fewer frames than a
# tenth of that (so the packets really went around the daemon); and
# `passgatectl flows` lists the echo's flow with at least the bytes the echo
# sent each way (the counters came back from the XDP map). The pings (an
# ICMP echo flow, offered once a request and its reply went through the
# engine, the identifier translated in XDP): every reply received, XDP
# forwarded all but at most 6 of the 400 echo packets (offload_packets
# before and after: the first request and reply are the engine's), and the ping's flow shows at least their bytes each way.
# Only for --gateway passgate. The links' veth peers have GRO on (see
# lib/world.sh gw_peer_gro_on): a veth delivers a redirected frame only then.

source "$E2E_DIR/lib/iperf.sh"
source "$E2E_DIR/lib/offload.sh"

GW_OFFLOAD=auto		# whatever PG_E2E_OFFLOAD says: this tests the default
OFF_N=400		# echo datagrams
OFF_SIZE=200		# their payload: IP length 228
OFF_PORT=7007
OFF_SPORT=40100
OFF_PINGS=200		# echo requests, 10 ms apart
OFF_PING_SIZE=100	# their data: IP length 128

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the XDP fast path is passgated's own"; return; }
	need iperf3 || return
	grep -q 'offload: on (lan0, wan0 accept XDP redirect)' "$PG_LOG" ||
		{ fail "offload = auto did not turn the XDP fast path on: $(grep -m1 'offload:' "$PG_LOG")"; return; }
	local line sent rcvd xdp rx_lan rx_wan fl out in min
	spawn off-echo-srv "$NS_SRV1" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-server "$OFF_PORT"
	wait_listen "$NS_SRV1" udp "$OFF_PORT" || { fail "UDP echo server did not start"; return; }
	tnsx 60 "${NS_LAN[0]}" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-client "$SRV1_IP" \
		"$OFF_PORT" "$OFF_SPORT" "$OFF_N" "$OFF_SIZE" >"$SCN_DIR/off-echo.log" 2>&1
	line=$(grep '^seen ' "$SCN_DIR/off-echo.log")
	[[ $line =~ echoed\ $OFF_N\  ]] || { fail "not every datagram echoed (${line:-no result})"; return; }
	off_pings || return

	spawn iperf3-srv "$NS_SRV1" iperf3 -s -p 5204 --forceflush
	wait_listen "$NS_SRV1" tcp 5204 || { fail "iperf3 server did not start"; return; }
	tnsx 20 "${NS_LAN[1]}" iperf3 -c "$SRV1_IP" -p 5204 -t 2 -J >"$SCN_DIR/iperf3.log" 2>&1
	read -r sent rcvd < <(iperf_bytes "$SCN_DIR/iperf3.log")
	[[ $rcvd =~ ^[0-9]+$ ]] && ((rcvd > 0)) ||
		{ fail "iperf3 TCP: receiver got nothing ($(iperf_error "$SCN_DIR/iperf3.log"))"; return; }
	note "iperf3 tcp up: sent $sent received $rcvd"

	sleep 1.5 # the data path gives XDP's counts to the engine once a second
	gateway_dump || { fail "no counter dump"; return; }
	xdp=$(dump_value offload_packets)
	rx_lan=$(l2_daemon_frames lan0)
	rx_wan=$(l2_daemon_frames wan0)
	note "offload_packets $xdp; frames the daemon received: lan0 $rx_lan wan0 $rx_wan"
	((xdp >= OFF_N * 2 * 9 / 10)) ||
		{ fail "XDP forwarded $xdp packets, fewer than 90% of the echo's $((OFF_N * 2))"; return; }
	(((rx_lan + rx_wan) * 10 < xdp)) ||
		{ fail "the daemon still received $((rx_lan + rx_wan)) frames for $xdp by XDP"; return; }

	# The flow's byte counters include what XDP carried.
	gateway_ctl flows --proto udp --host "${LAN_IP[0]}" >"$SCN_DIR/flows.txt" 2>&1
	fl=$(grep ":$OFF_SPORT " "$SCN_DIR/flows.txt" | head -n 1)
	[[ -n $fl ]] || { fail "passgatectl flows does not list the echo's flow"; return; }
	read -r out in < <(awk '{print $(NF-1), $NF}' <<<"$fl")
	min=$((OFF_N * (OFF_SIZE + 28)))
	note "flow: $fl"
	[[ $out =~ ^[0-9]+$ && $in =~ ^[0-9]+$ ]] && ((out >= min && in >= min)) ||
		{ fail "the flow shows $out bytes out, $in in; the echo moved at least $min each way"; return; }
}

# off_pings - lan1 pings srv1; the echo flow must ride XDP, every reply back.
off_pings() {
	sleep 1.5 # the UDP echo's XDP counts reach the engine first
	gateway_dump || { fail "no counter dump"; return 1; }
	xdp_pings 4 "$OFF_PINGS" "$OFF_PING_SIZE" "$SRV1_IP" "$(dump_value offload_packets)"
}
