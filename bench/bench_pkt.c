/* SPDX-License-Identifier: MIT */
/*
 * bench_pkt.c - builders for the engine benchmark's packets. Every header is
 * valid (IPv4 and UDP checksums computed, TTL 64) so the engine takes its
 * normal forwarding path and no packet is dropped for being malformed.
 */
#include <arpa/inet.h>
#include <string.h>

#include "bench_pkt.h"
#include "engine/csum.h"

#define IP_HLEN 20

static void ip_header_len(uint8_t *p, uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
	uint16_t tot = htons(len);
	uint32_t s = htonl(src), d = htonl(dst);
	uint16_t c;

	memset(p, 0, IP_HLEN);
	p[0] = 0x45;
	memcpy(p + 2, &tot, 2);
	p[6] = 0x40; /* DF: what most senders set */
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, &s, 4);
	memcpy(p + 16, &d, 4);
	c = pg_csum(p, IP_HLEN);
	memcpy(p + 10, &c, 2);
}

static void ip_header(uint8_t *p, uint32_t src, uint32_t dst, uint8_t proto)
{
	memset(p, 0, PG_BENCH_STRIDE);
	ip_header_len(p, src, dst, proto, PG_BENCH_L3_LEN);
}

void pg_bench_udp(uint8_t *p, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	uint8_t *u = p + IP_HLEN;
	uint16_t ulen = PG_BENCH_L3_LEN - IP_HLEN;
	uint16_t v, c;
	uint32_t sum;

	ip_header(p, src, dst, 17);
	v = htons(sport);
	memcpy(u, &v, 2);
	v = htons(dport);
	memcpy(u + 2, &v, 2);
	v = htons(ulen);
	memcpy(u + 4, &v, 2);
	for (unsigned int i = 8; i < ulen; i++)
		u[i] = (uint8_t)i;
	sum = pg_csum_pseudo(htonl(src), htonl(dst), 17, htons(ulen));
	c = pg_csum_fold(pg_csum_partial(u, ulen, sum));
	if (!c)
		c = 0xffff; /* RFC 768: zero means "no checksum" */
	memcpy(u + 6, &c, 2);
}

void pg_bench_gre(uint8_t *p, uint32_t src, uint32_t dst, uint16_t call_id)
{
	uint8_t *g = p + IP_HLEN;
	uint16_t plen = htons(PG_BENCH_L3_LEN - IP_HLEN - 8), cid = htons(call_id);

	ip_header(p, src, dst, 47);
	g[0] = 0x20; /* K: the key field carries payload length and call id */
	g[1] = 0x01; /* version 1: enhanced GRE (RFC 2637) */
	g[2] = 0x88;
	g[3] = 0x0b; /* PPP */
	memcpy(g + 4, &plen, 2);
	memcpy(g + 6, &cid, 2);
}

void pg_bench_gre0(uint8_t *p, uint32_t src, uint32_t dst)
{
	uint8_t *g = p + IP_HLEN;

	ip_header(p, src, dst, 47);
	g[0] = 0x00; /* no checksum, key or sequence number */
	g[1] = 0x00; /* version 0: plain GRE (RFC 2784) */
	g[2] = 0x08;
	g[3] = 0x00; /* carrying IPv4 */
}

void pg_bench_esp(uint8_t *p, uint32_t src, uint32_t dst, uint32_t spi, uint32_t seq)
{
	uint32_t v;

	ip_header(p, src, dst, 50);
	v = htonl(spi);
	memcpy(p + IP_HLEN, &v, 4);
	v = htonl(seq);
	memcpy(p + IP_HLEN + 4, &v, 4);
}

uint32_t pg_bench_tcp(uint8_t *p, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
		      uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *payload,
		      uint32_t plen)
{
	uint8_t *t = p + IP_HLEN;
	uint16_t tlen = (uint16_t)(20 + plen), v, c;
	uint32_t w;

	ip_header_len(p, src, dst, 6, (uint16_t)(IP_HLEN + tlen));
	memset(t, 0, 20);
	v = htons(sport);
	memcpy(t, &v, 2);
	v = htons(dport);
	memcpy(t + 2, &v, 2);
	w = htonl(seq);
	memcpy(t + 4, &w, 4);
	w = htonl(ack);
	memcpy(t + 8, &w, 4);
	t[12] = 5 << 4; /* no options */
	t[13] = flags;
	v = htons(65535);
	memcpy(t + 14, &v, 2);
	if (plen)
		memcpy(t + 20, payload, plen);
	c = pg_csum_fold(pg_csum_partial(t, tlen, pg_csum_pseudo(htonl(src), htonl(dst), 6,
								 htons(tlen))));
	memcpy(t + 16, &c, 2);
	return IP_HLEN + tlen;
}

uint16_t pg_bench_udp_sport(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p + (p[0] & 0x0f) * 4, 2);
	return ntohs(v);
}
