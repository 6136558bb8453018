# SPDX-License-Identifier: MIT
# ipsec-natt: the name issue 5 gives the ipsec scenario (IKEv2 through the
# NAT, NAT-T detected by the initiators, ESP in UDP 4500, a ping inside
# each tunnel). The same scenario, see scenarios/ipsec.sh.

source "$E2E_DIR/scenarios/ipsec.sh"
