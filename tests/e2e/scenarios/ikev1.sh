# SPDX-License-Identifier: MIT
# ikev1: IKEv1 (main mode, PSK) tunnel mode from two LAN hosts at once to one
# strongSwan responder on pgsrv1 through the gateway. Passes when each
# initiator detected the NAT (NAT-D payloads), moved to UDP 4500, and its
# tunnel carries pings, and the responder saw each at the public address.
# (IKEv1 transport mode, real L2TP/IPsec, cannot run here: kernel-libipsec
# refuses it.)

source "$E2E_DIR/lib/ipsec.sh"

scenario() {
	IPSEC_VERSION=1
	ipsec_start 2 || return
	ipsec_initiate 2
	ipsec_check 2 ikev1 || return
	grep -q 'IKE_SA gw\[[0-9]*\] established' "$SCN_DIR/ipsec1/charon.log" ||
		{ fail "lan1's log does not show its IKE SA established"; return; }
	grep -qE 'sending packet: .*ID_PROT|parsed ID_PROT' "$SCN_DIR/ipsec1/charon.log" ||
		{ fail "lan1 did not use IKEv1 main mode (no ID_PROT exchange in its log)"; return; }
}
