/* SPDX-License-Identifier: MIT */
/*
 * vrrp.c - VRRP adverts recognised by their Ethernet and IPv4 headers
 * (l2/vrrp.h). A VLAN tag is not looked through: passgated drops tagged
 * frames before anything else reads them.
 */
#include "l2/eth.h"
#include "l2/vrrp.h"
#include "util/wire.h"

bool pg_vrrp_frame(const uint8_t *frame, uint32_t len)
{
	const uint8_t *ip = frame + PG_ETH_HLEN;
	uint32_t ihl;

	if (len < PG_ETH_HLEN + 20 || pg_be16(frame + 12) != PG_ETH_P_IP)
		return false;
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	/* Not IPv4, or a header longer than the frame: nobody's advert. */
	if (ip[0] >> 4 != 4 || ihl < 20 || ihl > len - PG_ETH_HLEN)
		return false;
	return ip[9] == PG_VRRP_PROTO && pg_be32(ip + 16) == PG_VRRP_GROUP;
}
