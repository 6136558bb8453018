/* SPDX-License-Identifier: MIT */
/*
 * dhcp_udp.c - the IPv4 and UDP headers around DHCP messages: building them
 * with their checksums for what the client sends, and checking them on what
 * arrives before the message reaches the reader. The WAN has no address yet
 * when most of these packets pass, so the engine never sees them.
 */
#include <string.h>

#include "util/wire.h"
#include "wan/dhcp_msg.h"

#define IP_HLEN 20
#define UDP_HLEN 8
#define IPPROTO_UDP_NUM 17

/* The UDP checksum over the pseudo-header, header and payload. */
static uint16_t udp_csum(const uint8_t *ip, const uint8_t *udp, size_t ulen)
{
	uint32_t sum = pg_sum16(ip + 12, 8, 0);

	sum += IPPROTO_UDP_NUM + (uint32_t)ulen;
	return pg_sum_fold(pg_sum16(udp, ulen, sum));
}

size_t pg_dhcp_udp_build(uint8_t *buf, size_t cap, uint32_t src, uint32_t dst, uint16_t sport,
			 uint16_t dport, const uint8_t *msg, size_t len)
{
	size_t total = IP_HLEN + UDP_HLEN + len;
	uint8_t *udp = buf + IP_HLEN;
	uint16_t c;

	if (total > cap || total > 0xffff)
		return 0;
	memset(buf, 0, IP_HLEN + UDP_HLEN);
	buf[0] = 0x45;
	pg_put_be16(buf + 2, (uint16_t)total);
	buf[8] = 64; /* TTL */
	buf[9] = IPPROTO_UDP_NUM;
	memcpy(buf + 12, &src, 4);
	memcpy(buf + 16, &dst, 4);
	pg_put_be16(buf + 10, pg_sum_fold(pg_sum16(buf, IP_HLEN, 0)));
	pg_put_be16(udp, sport);
	pg_put_be16(udp + 2, dport);
	pg_put_be16(udp + 4, (uint16_t)(UDP_HLEN + len));
	memmove(udp + UDP_HLEN, msg, len);
	c = udp_csum(buf, udp, UDP_HLEN + len);
	/* A computed zero is sent as all ones: zero means "no checksum". */
	pg_put_be16(udp + 6, c ? c : 0xffff);
	return total;
}

bool pg_dhcp_udp_match(const uint8_t *ip, size_t len)
{
	size_t ihl;

	if (len < IP_HLEN || ip[0] >> 4 != 4 || ip[9] != IPPROTO_UDP_NUM)
		return false;
	/* Neither more fragments nor an offset: a first and only fragment. */
	if (pg_be16(ip + 6) & 0x3fff)
		return false;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	if (ihl < IP_HLEN || len < ihl + UDP_HLEN)
		return false;
	return pg_be16(ip + ihl + 2) == PG_DHCP_CLIENT_PORT;
}

enum pg_dhcp_drop pg_dhcp_udp_unwrap(const uint8_t *ip, size_t len, const uint8_t **msg,
				     size_t *msg_len)
{
	size_t ihl, total, ulen;
	const uint8_t *udp;

	if (!pg_dhcp_udp_match(ip, len))
		return PG_DHCP_DROP_NOT_UDP;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	total = pg_be16(ip + 2);
	/* The total length covers the headers and lies inside what arrived. */
	if (total < ihl + UDP_HLEN || total > len)
		return PG_DHCP_DROP_NOT_UDP;
	if (pg_sum_fold(pg_sum16(ip, ihl, 0)) != 0)
		return PG_DHCP_DROP_UDP_CSUM;
	udp = ip + ihl;
	ulen = pg_be16(udp + 4);
	if (ulen < UDP_HLEN || ulen > total - ihl)
		return PG_DHCP_DROP_NOT_UDP;
	if (pg_be16(udp) != PG_DHCP_SERVER_PORT)
		return PG_DHCP_DROP_NOT_UDP;
	if (pg_be16(udp + 6) && udp_csum(ip, udp, ulen) != 0)
		return PG_DHCP_DROP_UDP_CSUM;
	*msg = udp + UDP_HLEN;
	*msg_len = ulen - UDP_HLEN;
	return PG_DHCP_OK;
}
