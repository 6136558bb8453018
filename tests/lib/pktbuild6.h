/* SPDX-License-Identifier: MIT */
/*
 * pktbuild6.h - build IPv6 test packets from a description.
 *
 * The IPv6 counterpart of pktbuild.h: addresses as text, extension headers
 * by type, TCP/UDP/ICMPv6 with every checksum computed by full
 * recomputation in the test library's own code (pgt_cksum), so a packet the
 * engine forwards byte-equal to a freshly built one proves it touched only
 * what it should.
 */
#ifndef PGT_PKTBUILD6_H
#define PGT_PKTBUILD6_H

#include <stdbool.h>
#include <stdint.h>

#include "pktbuild.h"

#define PGT_P_ICMP6 58
#define PGT_P_AH 51

/* Extension headers pgt6_build() can put in, in the order listed. */
#define PGT6_EXT_HOPOPTS 0
#define PGT6_EXT_ROUTING 43 /* type 2, no segments left: harmless */
#define PGT6_EXT_FRAGMENT 44
#define PGT6_EXT_DSTOPTS 60
#define PGT6_EXT_AH 51

#define PGT6_MAX_EXT 12

struct pgt6_spec {
	uint8_t proto; /* PGT_P_TCP, _UDP, _ICMP6, _ESP, or any: payload only */
	const char *src, *dst;
	uint16_t sport, dport;
	uint8_t hlim; /* 0: 64 */
	uint8_t ext[PGT6_MAX_EXT];
	uint8_t next;	   /* extension headers used from ext[] */
	uint16_t frag_off; /* fragment header: offset in bytes, more, id */
	bool frag_more;
	uint32_t frag_id;

	uint8_t tcp_flags;
	uint32_t seq, ack;
	const uint8_t *tcp_opts;
	uint8_t tcp_optlen; /* a multiple of 4 */

	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id, icmp_seq; /* echo */
	uint32_t icmp_rest;	    /* errors: the 4 bytes after the checksum */
	const struct pgt6_spec *inner;
	uint16_t inner_quote; /* bytes of it to quote, 0 = all */

	uint32_t spi;
	uint16_t paylen; /* pattern bytes after the transport header */
};

/* "2001:db8::1" into 16 bytes; aborts on a typo. */
void pgt6_addr(const char *text, uint8_t out[16]);

/* Build spec into buf (cap bytes). Returns the length, 0 if it does not fit. */
uint32_t pgt6_build(const struct pgt6_spec *spec, uint8_t *buf, uint32_t cap);

#endif /* PGT_PKTBUILD6_H */
