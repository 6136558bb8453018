/* SPDX-License-Identifier: MIT */
/*
 * csum.c - Internet checksum and RFC 1624 incremental updates.
 *
 * Sums are computed over 16-bit words in memory order. The one's complement
 * sum is byte-order independent (RFC 1071 section 2(B)), so a checksum summed
 * this way and stored as-is is correct on the wire on any host.
 */
#include <string.h>

#include "engine/csum.h"

uint32_t pg_csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t acc = sum;

	while (len >= 8) {
		uint32_t a, b;

		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		acc += (uint64_t)a + b;
		p += 8;
		len -= 8;
	}
	while (len >= 2) {
		uint16_t w;

		memcpy(&w, p, 2);
		acc += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* The odd byte is the high-order byte of a word padded with zero. */
		uint16_t w = 0;

		memcpy(&w, p, 1);
		acc += w;
	}
	/* Fold 64 -> 32 bits keeping the end-around carries. */
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t pg_csum(const void *buf, size_t len)
{
	return pg_csum_fold(pg_csum_partial(buf, len, 0));
}

uint32_t pg_csum_pseudo(uint32_t saddr, uint32_t daddr, uint8_t proto, uint16_t l4_len)
{
	uint8_t ph[12];

	memcpy(ph, &saddr, 4);
	memcpy(ph + 4, &daddr, 4);
	ph[8] = 0;
	ph[9] = proto;
	ph[10] = (uint8_t)(l4_len >> 8);
	ph[11] = (uint8_t)l4_len;
	return pg_csum_partial(ph, sizeof(ph), 0);
}

void pg_csum_replace16(uint16_t *csum, uint16_t old_val, uint16_t new_val)
{
	uint32_t sum = (uint16_t)~*csum;

	sum += (uint16_t)~old_val;
	sum += new_val;
	*csum = pg_csum_fold(sum);
}

void pg_csum_replace32(uint16_t *csum, uint32_t old_val, uint32_t new_val)
{
	pg_csum_replace16(csum, (uint16_t)old_val, (uint16_t)new_val);
	pg_csum_replace16(csum, (uint16_t)(old_val >> 16), (uint16_t)(new_val >> 16));
}

/* The 16-bit word of a sum starting at an even offset, zero-padded at the end. */
static uint16_t word_at(const uint8_t *area, size_t area_len, size_t even)
{
	uint8_t w[2] = {area[even], even + 1 < area_len ? area[even + 1] : 0};
	uint16_t v;

	memcpy(&v, w, sizeof(v));
	return v;
}

void pg_csum_write(uint16_t *csum, uint8_t *area, size_t area_len, size_t off, const void *src,
		   size_t n)
{
	const uint8_t *in = src;
	size_t w, end = off + n;

	/* Word by word, so a field at an odd offset updates both words it touches. */
	for (w = off & ~(size_t)1; w < end; w += 2) {
		uint16_t old = word_at(area, area_len, w);

		if (w >= off && w < end)
			area[w] = in[w - off];
		if (w + 1 >= off && w + 1 < end)
			area[w + 1] = in[w + 1 - off];
		pg_csum_replace16(csum, old, word_at(area, area_len, w));
	}
}

void pg_csum_icmp_fix(uint8_t *icmp, size_t len, size_t csum_off)
{
	if (icmp[csum_off] || icmp[csum_off + 1])
		return;
	for (size_t i = 0; i < len; i++)
		if (icmp[i])
			return;
	icmp[csum_off] = 0xff;
	icmp[csum_off + 1] = 0xff;
}
