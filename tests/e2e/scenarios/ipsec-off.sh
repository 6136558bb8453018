# SPDX-License-Identifier: MIT
# ipsec-off: the gateway's IPsec passthrough switch is off (passgated:
# [passthrough] ipsec = off; Linux: ESP and UDP 500/4500 dropped in the
# forward path). lan1's IKEv2 initiator must not get a tunnel: no ping
# inside it within 6 s, the responder never logged an IKE packet from the
# gateway's address, and the gateway counted what it turned away
# (passgated: drop_passthrough_off; Linux: the passthrough_off counter).

GW_PASSTHROUGH="ipsec=off"

source "$E2E_DIR/lib/ipsec.sh"

scenario() {
	local before after
	ipsec_start 1 || return
	before=$(gateway_passthrough_dropped)
	[[ $before =~ ^[0-9]+$ ]] || { fail "cannot read the gateway's passthrough counter"; return; }
	ipsec_initiate 1
	# IKE_SA_INIT at once, its first retransmission after 4 s.
	if ipsec_tunnel_up 1 6; then
		fail "lan1's tunnel came up with IPsec passthrough off"
		return
	fi
	after=$(gateway_passthrough_dropped)
	note "passthrough drops $before -> $after"
	if grep -q "received packet: from $WAN_PUB" "$SCN_DIR/ipsec0/charon.log"; then
		fail "the responder received IKE from $WAN_PUB with IPsec passthrough off"
		return
	fi
	[[ $after =~ ^[0-9]+$ ]] || { fail "cannot read the gateway's passthrough counter afterwards"; return; }
	((after - before >= 2)) ||
		{ fail "the gateway counted $((after - before)) IKE packets turned away, expected the first and its retransmission"; return; }
	report ipsec-off "${LAN_IP[0]}:500" "$SRV1_IP:500/udp" PASS "no tunnel, $((after - before)) dropped"
}
