# SPDX-License-Identifier: MIT
# openvpn-tcp: two LAN clients at once to one OpenVPN server over TCP; passes
# when a ping inside each client's tunnel is answered by the server and the
# server saw each client at the gateway's public address (lib/openvpn.sh).

source "$E2E_DIR/lib/openvpn.sh"

scenario() {
	openvpn_scenario tcp
}
