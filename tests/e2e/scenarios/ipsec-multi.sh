# SPDX-License-Identifier: MIT
# ipsec-multi: THREE LAN hosts start IKEv2 (PSK) tunnels to one strongSwan
# responder on pgsrv1 at the same moment, all from UDP port 500. Passes
# when every tunnel carries pings, every initiator itself detected the NAT
# (so NAT-T was negotiated because of the gateway), and the responder saw
# the three at the gateway's public address on three different ports.

source "$E2E_DIR/lib/ipsec.sh"

scenario() {
	local i j
	ipsec_start 3 || return
	ipsec_initiate 3
	ipsec_check 3 ipsec-multi || return
	for i in 1 2 3; do
		for j in 1 2 3; do
			((i < j)) || continue
			[[ ${IPSEC_SEEN[i]} != "${IPSEC_SEEN[j]}" ]] ||
				{ fail "lan$i and lan$j seen on one public port ${IPSEC_SEEN[i]}"; return; }
		done
	done
}
