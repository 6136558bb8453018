/* SPDX-License-Identifier: MIT */
/*
 * csum.h - the Internet checksum (RFC 1071) and its incremental update
 * (RFC 1624). Values are kept exactly as they sit on the wire, so callers
 * pass header fields without byte swapping.
 */
#ifndef PG_CSUM_H
#define PG_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Add len bytes at buf to a running 32-bit one's complement sum. */
uint32_t pg_csum_partial(const void *buf, size_t len, uint32_t sum);

/*
 * Fold a running sum to 16 bits and complement it: the value to store.
 * Inline: the fast lane folds every packet's header sum (fastpath.c).
 */
static inline uint16_t pg_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Checksum of a buffer, ready to store (wire order). */
uint16_t pg_csum(const void *buf, size_t len);

/* Running sum of the IPv4 pseudo-header for TCP/UDP (addresses as on the wire). */
uint32_t pg_csum_pseudo(uint32_t saddr, uint32_t daddr, uint8_t proto, uint16_t l4_len);

/*
 * RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). Update *csum (wire order, stored
 * in a header) after a 16-bit field changed from old_val to new_val, both as
 * they sit on the wire. The result equals a full recomputation except when
 * the data becomes all zeros: then it is 0x0000 where a full sum gives 0xffff
 * (RFC 1624 section 3). Only ICMP can be all zeros; pg_csum_icmp_fix() mends it.
 */
void pg_csum_replace16(uint16_t *csum, uint16_t old_val, uint16_t new_val);

/*
 * After an incremental update of an ICMP checksum: an all-zero message must
 * carry 0xffff, the only value that verifies (RFC 1071: the sum must be -0).
 */
void pg_csum_icmp_fix(uint8_t *icmp, size_t len, size_t csum_off);

/* The same for a 32-bit field (an IPv4 address). */
void pg_csum_replace32(uint16_t *csum, uint32_t old_val, uint32_t new_val);

/*
 * Write n bytes at area + off and update *csum, which covers area (area_len
 * bytes, summed from its first byte: so off may be odd). Bytes past area_len
 * count as the zero padding of an odd-length sum.
 */
void pg_csum_write(uint16_t *csum, uint8_t *area, size_t area_len, size_t off, const void *src,
		   size_t n);

#endif /* PG_CSUM_H */
