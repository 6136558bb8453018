/* SPDX-License-Identifier: MIT */
/*
 * wire.h - reading and writing big-endian fields at any alignment (every
 * room's message code: the engine's sync records, the WAN clients, ARP,
 * capture files, passgate-probe's messages), and the Internet checksum's
 * one's-complement sum (RFC 1071) for the pure message code that may not
 * use the engine's csum.c (the WAN's DHCP and DHCPv6 clients: src/wan).
 */
#ifndef PG_UTIL_WIRE_H
#define PG_UTIL_WIRE_H

#include <stddef.h>
#include <stdint.h>

static inline uint16_t pg_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t pg_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void pg_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void pg_put_be32(uint8_t *p, uint32_t v)
{
	pg_put_be16(p, (uint16_t)(v >> 16));
	pg_put_be16(p + 2, (uint16_t)v);
}

/* Add len bytes as 16-bit words (an odd last byte padded with zero) to sum. */
static inline uint32_t pg_sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/* Fold the carries in and complement: the checksum field's value. */
static inline uint16_t pg_sum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#endif /* PG_UTIL_WIRE_H */
