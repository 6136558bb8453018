# SPDX-License-Identifier: MIT
# mtu-mismatch: the LAN at 1500 behind a WAN link of 1400 (the gateway's
# wan0 and the internet router's end; a PPPoE or tunnelled uplink), the
# "error 809" case. Nothing on the LAN knows the smaller MTU, so what leaves
# a LAN host without DF at 1500 bytes must be fragmented by the gateway
# (RFC 791, RFC 4787 REQ-13) or it is lost:
#
#   lan1 (MTU 1500) ── gw ══ MTU 1400 ══ router ── pgsrv1 (MTU 1500)
#        1500-byte fragments  cut to <= 1400    whole datagrams, fragmented
#        without DF           by the gateway    at 1500, cut by the router
#
# Passes when
#  - IKEv2 with certificates and IKE fragmentation off (IKE_AUTH several
#    kilobytes, IP-fragmented by lan1 at 1500 bytes without DF) brings a
#    tunnel up that carries pings; lan1 sent fragments above 1400 bytes and
#    every fragment pgsrv1 got from the public address is 1400 bytes or less;
#  - five 3000-byte UDP datagrams without DF are echoed intact;
#  - a TCP echo of 1 MB completes, its SYN reaching pgsrv1 with an MSS of at
#    most 1360 (clamped).

source "$E2E_DIR/lib/ipsec.sh"
source "$E2E_DIR/lib/forward.sh"
GW_WAN_MTU=1400

scenario() {
	mtu_run
	local rc=$?
	# Forget any path MTU learnt here so later scenarios see a clean path.
	ip -n "${NS_LAN[0]}" route flush cache
	ip -n "$NS_SRV1" route flush cache
	return $rc
}

mtu_run() {
	local big over frags line mss syns m
	IPSEC_AUTH=cert
	IPSEC_FRAG=no
	ipsec_start 1 || return
	CAP_NOWAIT=1 capture_start lan1-big "${NS_LAN[0]}" eth0 \
		"src ${LAN_IP[0]} and ip[6:2] & 0x3fff != 0 and ip[2:2] > 1400" || return
	CAP_NOWAIT=1 capture_start srv1-frags "$NS_SRV1" eth0 "ip[6:2] & 0x3fff != 0" -Q in || return
	CAP_NOWAIT=1 capture_start srv1-syn "$NS_SRV1" eth0 \
		"tcp dst port 5206 and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn" -Q in || return
	capture_ready lan1-big && capture_ready srv1-frags && capture_ready srv1-syn || return
	ipsec_initiate 1
	ipsec_check 1 mtu-mismatch || return

	spawn udp-echo-srv "$NS_SRV1" "$PY" "$E2E_DIR/lib/netprobe.py" udp-echo-server 7009
	wait_listen "$NS_SRV1" udp 7009 || { fail "UDP echo server did not start"; return; }
	line=$(tnsx 20 "${NS_LAN[0]}" "$PY" "$E2E_DIR/lib/netprobe.py" \
		udp-echo-client "$SRV1_IP" 7009 40009 5 3000)
	echo "$line" >"$SCN_DIR/udp-echo-lan1.log"

	spawn tcp-echo-srv "$NS_SRV1" "$PY" "$E2E_DIR/lib/tcpecho.py" server 5206
	wait_listen "$NS_SRV1" tcp 5206 || { fail "TCP echo server did not start"; return; }
	fwd_tcp bulk "${NS_LAN[0]}" "$SRV1_IP" 5206 1048576
	local tcp_ok=$?
	capture_stop lan1-big srv1-frags srv1-syn

	big=$(capture_count lan1-big)
	frags=$(capture_count srv1-frags "src $WAN_PUB")
	over=$(capture_count srv1-frags "src $WAN_PUB and ip[2:2] > 1400")
	note "lan1 sent $big fragments above 1400 bytes; pgsrv1 got $frags fragments from $WAN_PUB, $over above 1400"
	((big >= 1)) || { fail "lan1 sent no fragment above 1400 bytes: the check proves nothing"; return; }
	((frags >= 2)) || { fail "no fragments from $WAN_PUB reached pgsrv1 ($frags)"; return; }
	((over == 0)) || { fail "$over fragments above the 1400-byte MTU reached pgsrv1"; return; }
	[[ $line =~ echoed\ 5\  ]] ||
		{ fail "3000-byte UDP datagrams did not make the round trip (${line:-no result})"; return; }
	((tcp_ok == 0)) || { fail "the 1 MB TCP echo did not complete: $FWD_LINE"; return; }
	syns=$(capture_count srv1-syn)
	mapfile -t mss < <(capture_read srv1-syn | sed -n 's/.*options \[mss \([0-9]*\).*/\1/p')
	((syns >= 1 && ${#mss[@]} == syns)) || { fail "pgsrv1 saw $syns SYNs, ${#mss[@]} with an MSS"; return; }
	for m in "${mss[@]}"; do
		((m <= 1360)) || { fail "a SYN arrived with MSS $m, above 1360 (not clamped)"; return; }
	done
	if [[ $GATEWAY == passgate ]] && gateway_dump; then
		note "passgated fragmented $(dump_value fragmented), drop_too_big $(dump_value drop_too_big)"
	fi
	report mtu-mismatch "${LAN_IP[0]}:40009" "$SRV1_IP:7009 (WAN MTU 1400)" PASS \
		"$(awk '{print $2}' <<<"$line"), 3000-byte datagrams echoed"
	PASS_NOTE="IKE_AUTH up over MTU 1400 ($frags fragments at pgsrv1, none above 1400), UDP 3000 x5, TCP 1 MB, MSS ${mss[*]}"
}
