# SPDX-License-Identifier: MIT
# ipsec: IKEv2 with a pre-shared key from two LAN hosts at once to one
# strongSwan responder on pgsrv1. No kernel ESP here: charon runs with
# kernel-libipsec (ESP in userspace over a TUN device), which always puts
# ESP in UDP 4500. Passes when each initiator logged that it is behind NAT
# (so NAT-T was negotiated because of the gateway, not assumed), a ping
# inside each tunnel is answered, and the responder saw each initiator at
# the gateway's public address.
#
# Each charon gets a private /run (its pid file path is fixed) by a bind
# mount in the mount namespace `ip netns exec` makes; swanctl reaches it
# through a vici socket in the run directory.

source "$E2E_DIR/lib/ipsec.sh"

scenario() {
	ipsec_start 2 || return
	# Both at once: the second's IKE (UDP 500, then 4500) collides with the
	# first's on the gateway.
	ipsec_initiate 2
	ipsec_check 2 ipsec
}
