# SPDX-License-Identifier: MIT
# offload-vpn: with the XDP fast path on ([datapath] offload = on), the VPN
# tunnels' data goes around the daemon once the engine has decided them, and
# still works: the scenarios pptp, esp-raw and ipsec (NAT-T) run one after
# the other with their own checks, and each is followed by a measured stretch
# of tunnel traffic:
#
#   pptp     two pptp-linux clients' calls to pptpd (the stand-in PPP ends
#            send an LCP echo a second each way); over 6 s both clients keep
#            hearing their own server end, and of the frames the gateway
#            handled then, XDP forwarded at least three in four (GRE with the
#            call id written back inbound) and at least 12;
#   esp-raw  two clients' raw ESP (lib/espprobe.py stands in for IPsec
#            without NAT-T: nothing here emits real raw ESP); over the
#            scenario (IKE-like exchange, SPI learning, 20 ESP packets each
#            way per client) XDP forwarded more than the daemon received,
#            and at least 40;
#   ipsec    two strongSwan (kernel-libipsec) tunnels in UDP 4500 (NAT-T);
#            then 20 pings inside each tunnel, all answered, and XDP
#            forwarded at least 72 of their 80 ESP-in-UDP packets and at
#            least three in four of the frames the gateway handled meanwhile.
#
# "Frames the gateway handled" = XDP's offload_packets (given back to the
# engine each second) plus the frames the daemon's sockets received (l2 lan0
# and wan0 rx_frames). Only for --gateway passgate.

GW_OFFLOAD=on

source "$E2E_DIR/scenarios/pptp.sh"
eval "ov_pptp() $(declare -f scenario | tail -n +2)"
source "$E2E_DIR/scenarios/esp-raw.sh"
eval "ov_esp() $(declare -f scenario | tail -n +2)"
source "$E2E_DIR/scenarios/ipsec.sh"
eval "ov_ipsec() $(declare -f scenario | tail -n +2)"
unset -f scenario

OV_XDP=0
OV_RX=0

# ov_say TEXT - a note, also on the PASS line (the figures a reader wants).
ov_say() {
	note "$1"
	OV_SAID="${OV_SAID:+$OV_SAID; }$1"
}

# ov_counts - XDP's packets and the daemon's received frames now (OV_XDP, OV_RX).
ov_counts() {
	local lan wan
	sleep 1.5 # XDP's counts reach the engine once a second
	gateway_dump || return 1
	OV_XDP=$(dump_value offload_packets)
	lan=$(l2_daemon_frames lan0)
	wan=$(l2_daemon_frames wan0)
	OV_RX=$((lan + wan))
}

# ov_heard I - frames lanI's PPP stand-in received intact.
ov_heard() {
	grep -c 'fcs=ok' "$SCN_DIR/stub-lan$1.log" 2>/dev/null || echo 0
}

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "the XDP fast path is passgated's own"; return; }
	grep -q 'offload: on (' "$PG_LOG" ||
		{ fail "passgated did not turn the XDP fast path on: $(grep -m1 'offload:' "$PG_LOG")"; return; }
	local x0 r0 dx dr h1 h2 i ns
	OV_SAID=

	# PPTP: the calls, then 6 s of their GRE.
	ov_pptp
	[[ -n ${FAIL_REASON:-} ]] && { FAIL_REASON="pptp: $FAIL_REASON"; return; }
	ov_counts || { fail "no counter dump"; return; }
	x0=$OV_XDP r0=$OV_RX h1=$(ov_heard 1) h2=$(ov_heard 2)
	sleep 6
	ov_counts || { fail "no counter dump"; return; }
	dx=$((OV_XDP - x0)) dr=$((OV_RX - r0))
	ov_say "pptp: over 6 s XDP forwarded $dx packets, the daemon received $dr frames; lan1 heard $(($(ov_heard 1) - h1)) frames, lan2 $(($(ov_heard 2) - h2))"
	(($(ov_heard 1) > h1 && $(ov_heard 2) > h2)) ||
		{ fail "pptp: a client stopped hearing its server end with offload on"; return; }
	((dx >= 12 && dx * 4 >= (dx + dr) * 3)) ||
		{ fail "pptp: XDP forwarded $dx of $((dx + dr)) packets of the calls' GRE (want >= 75% and >= 12)"; return; }
	stop_scenario_procs

	# Raw ESP (the stand-in): measured over the whole exchange.
	ov_counts || { fail "no counter dump"; return; }
	x0=$OV_XDP r0=$OV_RX
	ov_esp
	[[ -n ${FAIL_REASON:-} ]] && { FAIL_REASON="esp-raw: $FAIL_REASON"; return; }
	ov_counts || { fail "no counter dump"; return; }
	dx=$((OV_XDP - x0)) dr=$((OV_RX - r0))
	ov_say "esp-raw: XDP forwarded $dx packets, the daemon received $dr frames"
	((dx >= 40 && dx > dr)) ||
		{ fail "esp-raw: XDP forwarded $dx packets, the daemon received $dr (want more than half and >= 40)"; return; }
	stop_scenario_procs

	# IPsec with NAT-T: the tunnels, then 20 pings inside each.
	ov_ipsec
	[[ -n ${FAIL_REASON:-} ]] && { FAIL_REASON="ipsec: $FAIL_REASON"; return; }
	ov_counts || { fail "no counter dump"; return; }
	x0=$OV_XDP r0=$OV_RX
	for i in 1 2; do
		ns=${NS_LAN[$((i - 1))]}
		tnsx 20 "$ns" ping -n -c 20 -i 0.1 -W 2 10.10.0.1 >"$SCN_DIR/ov-ping-lan$i.log" 2>&1 ||
			{ fail "ipsec: lan$i lost pings inside its tunnel with offload on ($(tail -n 2 "$SCN_DIR/ov-ping-lan$i.log" | head -n 1))"; return; }
	done
	ov_counts || { fail "no counter dump"; return; }
	dx=$((OV_XDP - x0)) dr=$((OV_RX - r0))
	ov_say "ipsec: 2 x 20 pings in the tunnels; XDP forwarded $dx packets, the daemon received $dr frames"
	((dx >= 72 && dx * 4 >= (dx + dr) * 3)) ||
		{ fail "ipsec: XDP forwarded $dx of $((dx + dr)) packets of the tunnels' pings (want >= 72 of 80 and >= 75%)"; return; }
	PASS_NOTE="$OV_SAID; ${PASS_NOTE:-}"
}
