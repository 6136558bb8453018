# SPDX-License-Identifier: MIT
# fragments-ike: IKEv2 with certificates and IKE fragmentation off
# (strongSwan `fragmentation = no`): each side's IKE_AUTH carries an RSA 2048
# certificate padded with subjectAltNames, several kilobytes, so it crosses
# the gateway as IP fragments both ways (the "error 809" case: routers that
# drop fragments break IKE with certificates). Passes when the tunnel from
# lan1 to the responder on pgsrv1 comes up and carries pings, the
# initiator detected the NAT, and the capture on pgsrv1 shows IP fragments
# from the gateway's public address and to it.

source "$E2E_DIR/lib/ipsec.sh"

scenario() {
	local out in
	IPSEC_AUTH=cert
	IPSEC_FRAG=no
	ipsec_start 1 || return
	capture_start srv1-frags "$NS_SRV1" eth0 "udp or (ip[6:2] & 0x1fff != 0)" || return
	ipsec_initiate 1
	ipsec_check 1 fragments-ike || return
	capture_stop srv1-frags
	# Fragments: MF set or a nonzero offset.
	out=$(tcpdump -r "$SCN_DIR/srv1-frags.pcap" -n "src $WAN_PUB and ip[6:2] & 0x3fff != 0" 2>/dev/null | grep -c .)
	in=$(tcpdump -r "$SCN_DIR/srv1-frags.pcap" -n "dst $WAN_PUB and ip[6:2] & 0x3fff != 0" 2>/dev/null | grep -c .)
	note "IP fragments at pgsrv1: $out from $WAN_PUB, $in to it"
	((out >= 2)) || { fail "no IP-fragmented IKE from the gateway reached the responder ($out fragments)"; return; }
	((in >= 2)) || { fail "the responder sent no IP-fragmented IKE back ($in fragments)"; return; }
	if grep -q 'IKE fragment' "$SCN_DIR/ipsec1/charon.log"; then
		fail "IKE fragmentation was used although it is off"
		return
	fi
	PASS_NOTE="IKE_AUTH in $out IP fragments out, $in back"
}
