# SPDX-License-Identifier: MIT
# mss-clamp: the gateway's WAN link has MTU 1400 (both ends; passgated with
# "[wan] mtu = 1400", the Linux gateway with the usual
# "tcp flags syn tcp option maxseg size set rt mtu" rule). lan1's TCP SYNs to
# pgsrv1 must arrive there with an MSS of at most 1360 (captured on the
# server), and a bulk transfer must complete: 4 MB sent to a TCP echo on
# pgsrv1 and echoed back, byte for byte (full-size segments both ways).

source "$E2E_DIR/lib/forward.sh"
GW_WAN_MTU=1400
MSS_MAX=$((1400 - 40))

scenario() {
	mss_run
	local rc=$?
	# Forget any path MTU learnt here so later scenarios see a clean path.
	ip -n "${NS_LAN[0]}" route flush cache
	ip -n "$NS_SRV1" route flush cache
	return $rc
}

mss_run() {
	local syns mss big=() m ok=1
	spawn tcp-echo-srv1 "$NS_SRV1" "$PY" "$E2E_DIR/lib/tcpecho.py" server 5205
	wait_listen "$NS_SRV1" tcp 5205 || { fail "TCP echo server did not start"; return; }
	capture_start syn-srv1 "$NS_SRV1" eth0 \
		"tcp dst port 5205 and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn" -Q in || return
	fwd_tcp bulk "${NS_LAN[0]}" "$SRV1_IP" 5205 4194304 || ok=0
	capture_stop syn-srv1
	capture_complete syn-srv1 || { fail "the capture on pgsrv1 lost packets"; return; }
	syns=$(capture_count syn-srv1)
	((syns >= 1)) || { fail "pgsrv1 captured no SYN from lan1"; return; }
	mapfile -t mss < <(capture_read syn-srv1 | sed -n 's/.*options \[mss \([0-9]*\).*/\1/p')
	((${#mss[@]} == syns)) || { fail "$((syns - ${#mss[@]})) of $syns SYNs carried no MSS option"; return; }
	for m in "${mss[@]}"; do
		((m <= MSS_MAX)) && continue
		big+=("$m")
	done
	((${#big[@]} == 0)) ||
		{ fail "SYNs arrived with MSS ${big[*]}, above $MSS_MAX (not clamped)"; return; }
	((ok)) || { fail "the 4 MB echo through the 1400-byte link did not complete: $FWD_LINE"; return; }
	all_from_public "$FWD_SEEN" || { fail "the server saw '$FWD_SEEN', expected $WAN_PUB"; return; }
	if [[ $GATEWAY == passgate ]] && gateway_dump; then
		note "passgated mss_clamped $(dump_value mss_clamped)"
	fi
	report mss "${LAN_IP[0]}" "$SRV1_IP:5205 (WAN MTU 1400)" PASS \
		"$FWD_SEEN, SYN MSS ${mss[*]}, 4 MB echoed"
}
