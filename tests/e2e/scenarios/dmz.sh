# SPDX-License-Identifier: MIT
# dmz: lan3 is the DMZ host ([forward] dmz; a catch-all dnat after the
# specific rules on the Linux gateway). The stranger (pgsrv2) reaches it
# unsolicited at arbitrary ports of the public address:
#  - TCP 198.51.100.2:4444: 16 KB echoed by lan3;
#  - UDP 198.51.100.2:6666: 10 datagrams echoed by lan3;
# each server seeing the stranger's own address. A ping to the public address
# is still the gateway's to answer (lan3 sees no ICMP).
#
# Then lan1 holds a live UDP mapping to pgsrv1 and the stranger sends to its
# public port. lan1 must not get it (address-dependent filtering; conntrack
# on Linux). Whether the DMZ host gets it differs per gateway
# (lib/scenario-env.sh, judge):
#  - passgate: traffic towards a LAN host's mapping that filtering refuses is
#    not handed to the DMZ (docs/ENGINE.md "Inbound"): "kept";
#  - linux: conntrack knows no connection from the stranger to that port,
#    so the catch-all dnat sends it to the DMZ host: "to-dmz".

source "$E2E_DIR/lib/forward.sh"
GW_DMZ=${LAN_IP[2]}
EXPECT_PASSGATE=kept
EXPECT_LINUX=to-dmz

scenario() {
	local line pub n_udp n_icmp n_lan1 i
	spawn tcp-echo-dmz "${NS_LAN[2]}" "$PY" "$E2E_DIR/lib/tcpecho.py" server 4444
	spawn udp-echo-dmz "${NS_LAN[2]}" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-server 6666
	spawn udp-echo-srv "$NS_SRV1" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-server 7007
	wait_listen "${NS_LAN[2]}" tcp 4444 && wait_listen "${NS_LAN[2]}" udp 6666 &&
		wait_listen "$NS_SRV1" udp 7007 || { fail "the servers did not start"; return; }

	fwd_tcp dmz-tcp-4444 "$NS_SRV2" "$WAN_PUB" 4444 16384 ||
		{ fail "TCP $WAN_PUB:4444 did not reach the DMZ host: $FWD_LINE"; return; }
	[[ ${FWD_SEEN%%:*} == "$SRV2_IP" ]] ||
		{ fail "the DMZ host's TCP server saw '$FWD_SEEN', expected $SRV2_IP"; return; }
	report dmz "$SRV2_IP -> $WAN_PUB:4444" "${LAN_IP[2]}:4444/tcp (DMZ)" PASS "$FWD_SEEN, 16 KB echoed"
	fwd_udp dmz-udp-6666 "$NS_SRV2" "$WAN_PUB" 6666 43000 10 ||
		{ fail "UDP $WAN_PUB:6666 did not reach the DMZ host: $FWD_LINE"; return; }
	[[ $FWD_SEEN == "$SRV2_IP:43000" ]] ||
		{ fail "the DMZ host's UDP server saw '$FWD_SEEN', expected $SRV2_IP:43000"; return; }
	report dmz "$SRV2_IP -> $WAN_PUB:6666" "${LAN_IP[2]}:6666/udp (DMZ)" PASS "$FWD_SEEN, 10 echoed"

	# lan1's live mapping, and its public port.
	line=$(tnsx 10 "${NS_LAN[0]}" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-client "$SRV1_IP" 7007 40001 1)
	pub=$(awk '$1 == "seen" {print $2}' <<<"$line")
	[[ ${pub%%:*} == "$WAN_PUB" ]] || { fail "lan1 could not open a UDP mapping ($line)"; return; }
	CAP_NOWAIT=1 capture_start dmz "${NS_LAN[2]}" eth0 "ip src $SRV2_IP and (udp port ${pub#*:} or icmp)" -Q in
	CAP_NOWAIT=1 capture_start lan1 "${NS_LAN[0]}" eth0 "ip src $SRV2_IP" -Q in
	for i in dmz lan1; do capture_ready "$i" || return; done
	tnsx 10 "$NS_SRV2" "$PY" "$E2E_DIR/lib/netprobe.py" probe 2 "udp:$pub" >"$SCN_DIR/probe.log" 2>&1
	tnsx 5 "$NS_SRV2" ping -n -c 1 -W 2 "$WAN_PUB" >"$SCN_DIR/ping-public.log" 2>&1 ||
		{ capture_stop dmz lan1; fail "a ping to $WAN_PUB from the WAN was not answered"; return; }
	capture_stop dmz lan1
	for i in dmz lan1; do
		capture_complete "$i" || { fail "the capture on $i lost packets"; return; }
	done
	n_udp=$(capture_count dmz udp)
	n_icmp=$(capture_count dmz icmp)
	n_lan1=$(capture_count lan1)
	note "stranger -> $pub: probe '$(cat "$SCN_DIR/probe.log")', DMZ got $n_udp, lan1 got $n_lan1"
	((n_icmp == 0)) || { fail "the DMZ host got the ping to $WAN_PUB ($n_icmp ICMP packets)"; return; }
	((n_lan1 == 0)) ||
		{ fail "lan1 got $n_lan1 packets from the stranger on its mapping $pub (filtering)"; return; }
	if ((n_udp == 0)); then
		judge kept "the stranger's UDP to lan1's mapping $pub reached nobody"
	else
		judge to-dmz "the stranger's UDP to lan1's mapping $pub went to the DMZ host"
	fi
	report dmz "$SRV2_IP -> $pub (lan1's mapping)" "-" PASS "DMZ got $n_udp, lan1 got $n_lan1"
}
