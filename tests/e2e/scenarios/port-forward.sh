# SPDX-License-Identifier: MIT
# port-forward: servers inside the LAN reached from the WAN through port
# forwards (passgated's [forward] rules; nftables dnat on the Linux gateway):
#  - TCP 198.51.100.2:8080 -> lan1:7070, a TCP echo: 64 KB echoed byte for
#    byte to pgsrv1;
#  - UDP 198.51.100.2:5353 -> lan1:7007, a UDP echo: 10 datagrams from pgsrv2;
#  - a range, TCP 198.51.100.2:9000-9002 -> lan2, same ports: each port
#    echoed;
# each server must have seen the WAN client's own address (a forward
# translates the destination only). Before the UDP forward is used, lan3
# talks to a UDP echo on pgsrv1 from source port 5353 itself: its echoes
# must come back, and the public port it gets differs per gateway
# (lib/scenario-env.sh, judge): passgated reserves forwarded ports, so lan3
# gets another one ("other-port"); Linux masquerade keeps 5353, its
# conntrack telling the two apart by the remote end ("same-port"). The
# forward must still reach lan1 afterwards. Then the stranger (pgsrv2) tries ports
# next to them that nobody forwarded (TCP 8081, 9003, UDP 5354): they must
# stay shut (no answer), nothing may reach a LAN host, and the gateway must
# have counted the attempts as unsolicited.

source "$E2E_DIR/lib/forward.sh"
GW_FORWARDS=("${FWD_RULES[@]}")
EXPECT_PASSGATE=other-port
EXPECT_LINUX=same-port

scenario() {
	local port i n bad=() before after
	fwd_servers || return
	fwd_tcp tcp-8080 "$NS_SRV1" "$WAN_PUB" 8080 65536 ||
		{ fail "TCP $WAN_PUB:8080 -> lan1:7070: $FWD_LINE"; return; }
	[[ ${FWD_SEEN%%:*} == "$SRV1_IP" ]] ||
		{ fail "the TCP server inside saw '$FWD_SEEN', expected $SRV1_IP"; return; }
	report forward "$SRV1_IP -> $WAN_PUB:8080" "${LAN_IP[0]}:7070/tcp" PASS "$FWD_SEEN, 64 KB echoed"

	# lan3 uses the forwarded port as its own source port.
	spawn udp-echo-srv1 "$NS_SRV1" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-server 7007
	wait_listen "$NS_SRV1" udp 7007 || { fail "UDP echo server on pgsrv1 did not start"; return; }
	fwd_udp lan3-from-5353 "${NS_LAN[2]}" "$SRV1_IP" 7007 5353 5 ||
		{ fail "lan3's UDP from source port 5353 to $SRV1_IP:7007 was not echoed: $FWD_LINE"; return; }
	all_from_public "$FWD_SEEN" || { fail "pgsrv1 saw lan3 as '$FWD_SEEN', expected $WAN_PUB"; return; }
	report udp "${LAN_IP[2]}:5353" "$SRV1_IP:7007" PASS "$FWD_SEEN (5353 is forwarded)"
	if [[ ${FWD_SEEN#*:} == 5353 ]]; then
		judge same-port "lan3's own UDP from port 5353 went out as $FWD_SEEN, next to the forward" || return
	else
		judge other-port "lan3's own UDP from port 5353 went out as $FWD_SEEN: forwarded port reserved" || return
	fi
	fwd_udp udp-5353 "$NS_SRV2" "$WAN_PUB" 5353 41000 10 ||
		{ fail "UDP $WAN_PUB:5353 -> lan1:7007: $FWD_LINE"; return; }
	[[ $FWD_SEEN == "$SRV2_IP:41000" ]] ||
		{ fail "the UDP server inside saw '$FWD_SEEN', expected $SRV2_IP:41000"; return; }
	report forward "$SRV2_IP -> $WAN_PUB:5353" "${LAN_IP[0]}:7007/udp" PASS "$FWD_SEEN, 10 echoed"
	for port in 9000 9001 9002; do
		fwd_tcp "tcp-$port" "$NS_SRV1" "$WAN_PUB" "$port" 4096 ||
			{ fail "TCP $WAN_PUB:$port (range) -> lan2:$port: $FWD_LINE"; return; }
		grep -q " to $port bytes 4096" "$SCN_DIR/tcp-echo-lan2.log" ||
			{ fail "lan2's server did not log the connection on port $port"; return; }
	done
	report forward "$SRV1_IP -> $WAN_PUB:9000-9002" "${LAN_IP[1]}:9000-9002/tcp" PASS "3 ports echoed"

	# Ports nobody forwarded stay shut.
	for i in 0 1 2; do
		CAP_NOWAIT=1 capture_start "lan$((i + 1))" "${NS_LAN[$i]}" eth0 \
			"ip src $SRV2_IP" -Q in
	done
	for i in 1 2 3; do capture_ready "lan$i" || return; done
	read -r _ before < <(gateway_unsolicited_count)
	tnsx 10 "$NS_SRV2" "$PY" "$E2E_DIR/lib/netprobe.py" probe 2 \
		"tcp:$WAN_PUB:8081" "tcp:$WAN_PUB:9003" "udp:$WAN_PUB:5354" >"$SCN_DIR/probe.log" 2>&1
	capture_stop lan1 lan2 lan3
	read -r _ after < <(gateway_unsolicited_count)
	note "unsolicited counter: before $before after $after"
	(($(grep -c . "$SCN_DIR/probe.log") == 3)) ||
		{ fail "probe did not run: $(head -n 1 "$SCN_DIR/probe.log")"; return; }
	mapfile -t bad < <(grep -v ' silent$' "$SCN_DIR/probe.log")
	((${#bad[@]} == 0)) || { fail "unforwarded ports answered: ${bad[*]}"; return; }
	for i in 1 2 3; do
		capture_complete "lan$i" || { fail "the capture on lan$i lost packets"; return; }
		n=$(capture_count "lan$i")
		((n == 0)) || { fail "lan$i received $n packets for unforwarded ports: $(capture_read "lan$i" | head -n 1)"; return; }
	done
	[[ $before =~ ^[0-9]+$ && $after =~ ^[0-9]+$ ]] ||
		{ fail "cannot read the gateway's unsolicited counter"; return; }
	((after - before >= 3)) ||
		{ fail "the unsolicited counter grew by $((after - before)), expected at least 3"; return; }
	report forward "$SRV2_IP (stranger)" "$WAN_PUB:8081,9003/tcp 5354/udp" PASS \
		"silent, nothing inside, $((after - before)) counted"
}
