/* SPDX-License-Identifier: MIT */
/*
 * pktbuild6.c - IPv6 test packets (pktbuild6.h). Checksums through the test
 * library's own pgt_cksum(), never the engine's.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktbuild6.h"

void pgt6_addr(const char *text, uint8_t out[16])
{
	if (!text || inet_pton(AF_INET6, text, out) != 1) {
		fprintf(stderr, "pktbuild6: bad address '%s'\n", text ? text : "(null)");
		abort();
	}
}

/* The pseudo-header sum of RFC 8200 section 8.1. */
static uint32_t pseudo6(const uint8_t *src, const uint8_t *dst, uint8_t proto, uint32_t len)
{
	uint32_t sum = proto + (len >> 16) + (len & 0xffff);

	for (int i = 0; i < 16; i += 2)
		sum += (uint32_t)(src[i] << 8 | src[i + 1]) + (uint32_t)(dst[i] << 8 | dst[i + 1]);
	return sum;
}

static uint32_t ext_size(uint8_t type)
{
	return type == PGT6_EXT_AH ? 16 : 8;
}

static uint32_t upper(const struct pgt6_spec *s, const uint8_t *src, const uint8_t *dst,
		      uint8_t *l4, uint32_t room)
{
	uint32_t hl = 0, n, i;
	uint16_t c;

	switch (s->proto) {
	case PGT_P_TCP:
		hl = 20u + s->tcp_optlen;
		break;
	case PGT_P_UDP:
	case PGT_P_ICMP6:
	case PGT_P_ESP:
		hl = 8;
		break;
	default:
		break;
	}
	if (s->proto == PGT_P_ICMP6 && s->inner) {
		uint8_t q[PGT_BUF];
		uint32_t ql = pgt6_build(s->inner, q, sizeof(q));

		if (s->inner_quote && s->inner_quote < ql)
			ql = s->inner_quote;
		if (hl + ql > room)
			return 0;
		memcpy(l4 + hl, q, ql);
		n = hl + ql;
	} else {
		n = hl + s->paylen;
		if (n > room)
			return 0;
		for (i = hl; i < n; i++)
			l4[i] = (uint8_t)(i * 7 + 3);
	}
	memset(l4, 0, hl);
	switch (s->proto) {
	case PGT_P_TCP:
		pgt_put16(l4, s->sport);
		pgt_put16(l4 + 2, s->dport);
		pgt_put32(l4 + 4, s->seq);
		pgt_put32(l4 + 8, s->ack);
		l4[12] = (uint8_t)((hl / 4) << 4);
		l4[13] = s->tcp_flags;
		pgt_put16(l4 + 14, 65535);
		if (s->tcp_optlen)
			memcpy(l4 + 20, s->tcp_opts, s->tcp_optlen);
		pgt_put16(l4 + 16, pgt_cksum(l4, n, pseudo6(src, dst, PGT_P_TCP, n)));
		break;
	case PGT_P_UDP:
		pgt_put16(l4, s->sport);
		pgt_put16(l4 + 2, s->dport);
		pgt_put16(l4 + 4, (uint16_t)n);
		c = pgt_cksum(l4, n, pseudo6(src, dst, PGT_P_UDP, n));
		pgt_put16(l4 + 6, c ? c : 0xffff); /* RFC 8200 8.1: never 0 over IPv6 */
		break;
	case PGT_P_ICMP6:
		l4[0] = s->icmp_type;
		l4[1] = s->icmp_code;
		if (s->icmp_type >= 128) {
			pgt_put16(l4 + 4, s->icmp_id);
			pgt_put16(l4 + 6, s->icmp_seq);
		} else {
			pgt_put32(l4 + 4, s->icmp_rest);
		}
		pgt_put16(l4 + 2, pgt_cksum(l4, n, pseudo6(src, dst, PGT_P_ICMP6, n)));
		break;
	case PGT_P_ESP:
		pgt_put32(l4, s->spi);
		pgt_put32(l4 + 4, 1);
		break;
	default:
		break;
	}
	return n;
}

uint32_t pgt6_build(const struct pgt6_spec *s, uint8_t *buf, uint32_t cap)
{
	uint8_t src[16], dst[16];
	uint32_t off = 40, n;

	if (cap < 40 || s->next > PGT6_MAX_EXT)
		return 0;
	pgt6_addr(s->src, src);
	pgt6_addr(s->dst, dst);
	memset(buf, 0, 40);
	buf[0] = 0x60;
	buf[7] = s->hlim ? s->hlim : 64;
	memcpy(buf + 8, src, 16);
	memcpy(buf + 24, dst, 16);
	buf[6] = s->next ? s->ext[0] : s->proto;
	for (unsigned int i = 0; i < s->next; i++) {
		uint8_t t = s->ext[i], nh = i + 1 < s->next ? s->ext[i + 1] : s->proto;
		uint32_t sz = ext_size(t);

		if (off + sz > cap)
			return 0;
		memset(buf + off, 0, sz);
		buf[off] = nh;
		if (t == PGT6_EXT_FRAGMENT) {
			pgt_put16(buf + off + 2, (uint16_t)(s->frag_off | (s->frag_more ? 1 : 0)));
			pgt_put32(buf + off + 4, s->frag_id);
		} else if (t == PGT6_EXT_AH) {
			buf[off + 1] = (uint8_t)(sz / 4 - 2);
			pgt_put32(buf + off + 4, 0x1000);
		} else if (t == PGT6_EXT_ROUTING) {
			buf[off + 2] = 2; /* type 2 (RFC 6275), segments left 0 */
		} else {
			buf[off + 2] = 1; /* PadN over the option area */
			buf[off + 3] = 4;
		}
		off += sz;
	}
	if (s->next && s->ext[s->next - 1] == PGT6_EXT_FRAGMENT && s->frag_off) {
		/* A later fragment: payload only. */
		n = s->paylen;
		if (off + n > cap)
			return 0;
		for (uint32_t i = 0; i < n; i++)
			buf[off + i] = (uint8_t)i;
	} else {
		n = upper(s, src, dst, buf + off, cap - off);
		if (!n &&
		    (s->proto == PGT_P_TCP || s->proto == PGT_P_UDP || s->proto == PGT_P_ICMP6))
			return 0;
	}
	pgt_put16(buf + 4, (uint16_t)(off - 40 + n));
	return off + n;
}
