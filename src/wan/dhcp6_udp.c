/* SPDX-License-Identifier: MIT */
/*
 * dhcp6_udp.c - the IPv6 and UDP headers around DHCPv6 messages: built with
 * their checksum for what the client sends (from its link-local address),
 * checked on what arrives before the message reaches the reader. The
 * engine never sees these packets: they are the gateway's own.
 */
#include <string.h>

#include "util/wire.h"
#include "wan/dhcp6_msg.h"

#define IP6_HLEN 40
#define UDP_HLEN 8
#define NH_UDP 17

/* RFC 8200 8.1: addresses, upper-layer length, next header, then the datagram. */
static uint16_t udp_csum(const uint8_t *ip, const uint8_t *udp, size_t ulen)
{
	uint32_t sum = pg_sum16(ip + 8, 32, 0);

	sum += (uint32_t)(ulen >> 16) + (uint32_t)(ulen & 0xffff) + NH_UDP;
	return pg_sum_fold(pg_sum16(udp, ulen, sum));
}

size_t pg_dhcp6_udp_build(uint8_t *buf, size_t cap, const uint8_t src[16], const uint8_t dst[16],
			  const uint8_t *msg, size_t len)
{
	size_t total = IP6_HLEN + UDP_HLEN + len;
	uint8_t *udp = buf + IP6_HLEN;
	uint16_t c;

	if (total > cap || total > 0xffff)
		return 0;
	memset(buf, 0, IP6_HLEN + UDP_HLEN);
	buf[0] = 0x60;
	pg_put_be16(buf + 4, (uint32_t)(UDP_HLEN + len));
	buf[6] = NH_UDP;
	buf[7] = 1; /* to servers on the link: never routed */
	memcpy(buf + 8, src, 16);
	memcpy(buf + 24, dst, 16);
	pg_put_be16(udp, PG_DHCP6_CLIENT_PORT);
	pg_put_be16(udp + 2, PG_DHCP6_SERVER_PORT);
	pg_put_be16(udp + 4, (uint32_t)(UDP_HLEN + len));
	memcpy(udp + UDP_HLEN, msg, len);
	c = udp_csum(buf, udp, UDP_HLEN + len);
	pg_put_be16(udp + 6, c ? c : 0xffff); /* zero is "no checksum", forbidden in IPv6 */
	return total;
}

bool pg_dhcp6_udp_match(const uint8_t *ip, size_t len)
{
	return len >= IP6_HLEN + UDP_HLEN && ip[0] >> 4 == 6 && ip[6] == NH_UDP &&
	       pg_be16(ip + IP6_HLEN + 2) == PG_DHCP6_CLIENT_PORT;
}

enum pg_dhcp6_drop pg_dhcp6_udp_unwrap(const uint8_t *ip, size_t len, const uint8_t **msg,
				       size_t *msg_len)
{
	const uint8_t *udp = ip + IP6_HLEN;
	size_t plen, ulen;

	if (len < IP6_HLEN + UDP_HLEN || ip[0] >> 4 != 6 || ip[6] != NH_UDP)
		return PG_DHCP6_DROP_NOT_UDP;
	plen = pg_be16(ip + 4);
	if (plen > len - IP6_HLEN)
		return PG_DHCP6_DROP_NOT_UDP; /* claims more than arrived */
	ulen = pg_be16(udp + 4);
	if (ulen < UDP_HLEN || ulen > plen || pg_be16(udp) != PG_DHCP6_SERVER_PORT ||
	    pg_be16(udp + 2) != PG_DHCP6_CLIENT_PORT)
		return PG_DHCP6_DROP_NOT_UDP;
	if (pg_be16(udp + 6) == 0 || udp_csum(ip, udp, ulen) != 0)
		return PG_DHCP6_DROP_UDP_CSUM;
	*msg = udp + UDP_HLEN;
	*msg_len = ulen - UDP_HLEN;
	return PG_DHCP6_OK;
}
