/* SPDX-License-Identifier: MIT */
/*
 * ikev2.c - the IKE_SA_INIT request of check --ike, and the parser for its
 * answer (ikev2.h). The request is a real one a server will answer: one IKE
 * proposal offering common transforms (AES-CBC, SHA-2/SHA-1, Curve25519,
 * MODP 2048, ECP 256), a key exchange of the group asked for (random bytes:
 * we never finish the exchange, so no key is ever computed), a nonce and
 * the two NAT detection notifications. RFC 7296 section 2.23: each is
 * SHA-1(SPIi | SPIr | IP | port); the responder's NAT_DETECTION_DESTINATION
 * _IP hashes the address and port our packet arrived from, so comparing it
 * with our own address and port tells whether a NAT changed them.
 */
#include <stdlib.h>
#include <string.h>

#include "probe/ikev2.h"
#include "util/wire.h"

#define NP_NONE 0
#define NP_SA 33
#define NP_KE 34
#define NP_NONCE 40
#define NP_NOTIFY 41

/**
 * pg_ike_nat_hash() - a NAT detection hash (addresses host order).
 */
void pg_ike_nat_hash(const uint8_t spi_i[8], const uint8_t spi_r[8], uint32_t addr,
		     uint16_t port, uint8_t out[PG_SHA1_LEN])
{
	uint8_t a[4];

	pg_put_be32(a, addr);
	pg_ike_nat_hash_raw(spi_i, spi_r, a, sizeof(a), port, out);
}

/**
 * pg_ike_nat_hash_raw() - the same over an address as it is on the wire:
 * 4 bytes for IPv4, 16 for IPv6 (RFC 7296 2.23 hashes the address "as it
 * appears in the IP header").
 */
void pg_ike_nat_hash_raw(const uint8_t spi_i[8], const uint8_t spi_r[8], const uint8_t *addr,
			 size_t alen, uint16_t port, uint8_t out[PG_SHA1_LEN])
{
	uint8_t in[16 + 16 + 2];

	if (alen > 16)
		alen = 16;
	memcpy(in, spi_i, 8);
	memcpy(in + 8, spi_r, 8);
	memcpy(in + 16, addr, alen);
	pg_put_be16(in + 16 + alen, port);
	pg_sha1(in, 16 + alen + 2, out);
}

/* The transforms offered: type, id, key length attribute (0 none). */
static const struct {
	uint8_t type;
	uint16_t id, keylen;
} offer[] = {
	{1, 12, 128}, {1, 12, 256},	/* ENCR_AES_CBC */
	{2, 5, 0}, {2, 2, 0},		/* PRF_HMAC_SHA2_256, PRF_HMAC_SHA1 */
	{3, 12, 0}, {3, 2, 0},		/* AUTH_HMAC_SHA2_256_128, AUTH_HMAC_SHA1_96 */
	{4, 31, 0}, {4, 14, 0}, {4, 19, 0},	/* Curve25519, MODP 2048, ECP 256 */
};

/* Key exchange data length per Diffie-Hellman group. */
static size_t ke_len(uint16_t group)
{
	switch (group) {
	case 31:
		return 32;
	case 19:
		return 64;
	case 14:
		return 256;
	default:
		return 0;
	}
}

static void fill_random(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = (uint8_t)rand();
}

/**
 * pg_ike_sa_init() - an IKE_SA_INIT request from @src:@sport to @dst:@dport
 * with a key exchange payload for @group (31, 19 or 14).
 * Return: its length, or 0 when @len is too small or the group unknown.
 */
size_t pg_ike_sa_init(uint8_t *buf, size_t len, const uint8_t spi_i[8], uint16_t group,
		      uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
	uint8_t s[4], d[4];

	pg_put_be32(s, src);
	pg_put_be32(d, dst);
	return pg_ike_sa_init_raw(buf, len, spi_i, group, s, d, sizeof(s), sport, dport);
}

/**
 * pg_ike_sa_init_raw() - the same with addresses as on the wire, @alen
 * bytes each (4 or 16): the IPv6 probe's request (ike6.c).
 */
size_t pg_ike_sa_init_raw(uint8_t *buf, size_t len, const uint8_t spi_i[8], uint16_t group,
			  const uint8_t *src, const uint8_t *dst, size_t alen, uint16_t sport,
			  uint16_t dport)
{
	static const uint8_t zero[8];
	size_t kl = ke_len(group), n = 28, prop, i, nt = sizeof(offer) / sizeof(offer[0]);

	if (!kl || len < 28 + 4 + 8 + nt * 12 + 8 + kl + 4 + 32 + 2 * (8 + PG_SHA1_LEN))
		return 0;
	memset(buf, 0, 28);
	memcpy(buf, spi_i, 8);
	buf[16] = NP_SA;
	buf[17] = 0x20;			/* IKEv2 */
	buf[18] = 34;			/* IKE_SA_INIT */
	buf[19] = 0x08;			/* we are the original initiator */

	/* SA payload: one proposal. */
	buf[n] = NP_KE;
	buf[n + 1] = 0;
	prop = n + 4;
	buf[prop] = 0;			/* last proposal */
	buf[prop + 1] = 0;
	buf[prop + 4] = 1;		/* proposal 1 */
	buf[prop + 5] = 1;		/* protocol IKE */
	buf[prop + 6] = 0;		/* no SPI */
	buf[prop + 7] = (uint8_t)nt;
	n = prop + 8;
	for (i = 0; i < nt; i++) {
		size_t tl = offer[i].keylen ? 12 : 8;

		buf[n] = i + 1 < nt ? 3 : 0;
		buf[n + 1] = 0;
		pg_put_be16(buf + n + 2, (uint16_t)tl);
		buf[n + 4] = offer[i].type;
		buf[n + 5] = 0;
		pg_put_be16(buf + n + 6, offer[i].id);
		if (offer[i].keylen) {
			pg_put_be16(buf + n + 8, 0x800e);	/* key length, TV format */
			pg_put_be16(buf + n + 10, offer[i].keylen);
		}
		n += tl;
	}
	pg_put_be16(buf + prop + 2, (uint16_t)(n - prop));
	pg_put_be16(buf + 28 + 2, (uint16_t)(n - 28));

	/* KE payload. */
	buf[n] = NP_NONCE;
	buf[n + 1] = 0;
	pg_put_be16(buf + n + 2, (uint16_t)(8 + kl));
	pg_put_be16(buf + n + 4, group);
	pg_put_be16(buf + n + 6, 0);
	fill_random(buf + n + 8, kl);
	if (group == 14)
		buf[n + 8] &= 0x7f;	/* below the prime */
	n += 8 + kl;

	/* Nonce payload. */
	buf[n] = NP_NOTIFY;
	buf[n + 1] = 0;
	pg_put_be16(buf + n + 2, 4 + 32);
	fill_random(buf + n + 4, 32);
	n += 4 + 32;

	/* The two NAT detection notifications; SPIr is still zero. */
	for (i = 0; i < 2; i++) {
		buf[n] = i == 0 ? NP_NOTIFY : NP_NONE;
		buf[n + 1] = 0;
		pg_put_be16(buf + n + 2, 8 + PG_SHA1_LEN);
		buf[n + 4] = 0;		/* protocol: none */
		buf[n + 5] = 0;		/* SPI size */
		pg_put_be16(buf + n + 6, i == 0 ? PG_IKE_NAT_SRC : PG_IKE_NAT_DST);
		if (i == 0)
			pg_ike_nat_hash_raw(spi_i, zero, src, alen, sport, buf + n + 8);
		else
			pg_ike_nat_hash_raw(spi_i, zero, dst, alen, dport, buf + n + 8);
		n += 8 + PG_SHA1_LEN;
	}
	pg_put_be32(buf + 24, (uint32_t)n);
	return n;
}

/**
 * pg_ike_parse() - read an IKE_SA_INIT answer to our request @spi_i.
 * Return: 0, or -1 when it is not an answer to us or a payload lies about
 * its length.
 */
int pg_ike_parse(const uint8_t *buf, size_t len, const uint8_t spi_i[8], struct pg_ike_answer *a)
{
	size_t n = 28, total;
	uint8_t np;

	memset(a, 0, sizeof(*a));
	if (len < 28 || memcmp(buf, spi_i, 8) || buf[17] >> 4 != 2 || buf[18] != 34 ||
	    !(buf[19] & 0x20))
		return -1;
	total = (size_t)buf[24] << 24 | (size_t)buf[25] << 16 | (size_t)buf[26] << 8 | buf[27];
	if (total < 28 || total > len)
		return -1;
	memcpy(a->spi_r, buf + 8, 8);
	np = buf[16];
	while (np != NP_NONE) {
		size_t pl;

		if (n + 4 > total)
			return -1;
		pl = pg_be16(buf + n + 2);
		if (pl < 4 || n + pl > total)
			return -1;
		if (np == NP_NOTIFY && pl >= 8) {
			const uint8_t *d = buf + n + 8 + buf[n + 5];
			size_t dl = pl - 8 - buf[n + 5];
			uint16_t type = pg_be16(buf + n + 6);

			if (8 + (size_t)buf[n + 5] > pl)
				return -1;
			if (type == PG_IKE_NAT_SRC && dl == PG_SHA1_LEN) {
				a->has_nat_src = true;
				memcpy(a->nat_src, d, PG_SHA1_LEN);
			} else if (type == PG_IKE_NAT_DST && dl == PG_SHA1_LEN) {
				a->has_nat_dst = true;
				memcpy(a->nat_dst, d, PG_SHA1_LEN);
			} else if (type == PG_IKE_COOKIE) {
				a->cookie = true;
			} else if (type < 16384 && !a->error) {
				a->error = type;
				if (type == PG_IKE_INVALID_KE && dl == 2)
					a->want_group = pg_be16(d);
			}
		}
		np = buf[n];
		n += pl;
	}
	return 0;
}
