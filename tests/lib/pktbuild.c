/* SPDX-License-Identifier: MIT */
/*
 * pktbuild.c - test packet builder, checker and printer.
 *
 * Checksums here are summed byte pair by byte pair in host arithmetic, a
 * different technique from the engine's word-at-a-time code on purpose: the
 * two must agree only because both are right.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktbuild.h"

uint16_t pgt_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t pgt_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void pgt_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void pgt_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

uint16_t pgt_pptp_len(uint16_t type)
{
	/*
	 * By type: Start-Control-Connection-Request/Reply, Stop-..., Echo-...,
	 * Outgoing-Call-..., Incoming-Call-Request/Reply/Connected,
	 * Call-Clear-Request, Call-Disconnect-Notify, WAN-Error-Notify,
	 * Set-Link-Info.
	 */
	static const uint16_t lens[16] = {0,   156, 156, 16, 16, 16, 20,  168,
					  32,  220, 24,  28, 16, 148, 40, 24};

	return lens[type & 15];
}

uint16_t pgt_pptp_msg(uint8_t *b, uint16_t type, uint16_t f12, uint16_t f14, uint8_t b16)
{
	uint16_t n = pgt_pptp_len(type);

	memset(b, 0, n);
	pgt_put16(b, n);
	pgt_put16(b + 2, 1); /* a control message */
	pgt_put32(b + 4, 0x1a2b3c4d);
	pgt_put16(b + 8, type);
	pgt_put16(b + 12, f12);
	pgt_put16(b + 14, f14);
	b[16] = b16;
	for (unsigned int i = 20; i < n; i++)
		b[i] = (uint8_t)(i * 7);
	return n;
}

const char *pgt_dotted(uint32_t a)
{
	static char ring[8][16];
	static unsigned int next;
	char *s = ring[next++ % 8];

	snprintf(s, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return s;
}

uint32_t pgt_addr(const char *s)
{
	unsigned int a, b, c, d;
	char tail;

	if (!s || sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 || b > 255 ||
	    c > 255 || d > 255) {
		fprintf(stderr, "pktbuild: bad address '%s'\n", s ? s : "(null)");
		abort();
	}
	return a << 24 | b << 16 | c << 8 | d;
}

uint16_t pgt_cksum(const uint8_t *buf, uint32_t len, uint32_t initial)
{
	uint64_t sum = initial;
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(buf[i] << 8 | buf[i + 1]);
	if (len & 1)
		sum += (uint32_t)buf[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t pgt_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, uint32_t l4len)
{
	return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + l4len;
}

/* Resolve a field that may hold a variable; unbound ones read as 0. */
static uint32_t resolve(uint32_t v, const struct pgt_vars *vars, uint32_t flag, uint32_t *unbound)
{
	uint32_t n;

	if (v < PGT_VAR_BASE)
		return v;
	n = v - PGT_VAR_BASE;
	if (n < PGT_NVARS && vars && (vars->bound & (1u << n)))
		return vars->val[n];
	*unbound |= flag;
	return 0;
}

static void fill_payload(uint8_t *p, const struct pgt_spec *s)
{
	uint16_t i;

	if (s->payload) {
		memcpy(p, s->payload, s->paylen);
		return;
	}
	for (i = 0; i < s->paylen; i++)
		p[i] = (uint8_t)(0x41 + i % 26);
}

static uint32_t pad4(uint32_t n)
{
	return (n + 3) & ~3u;
}

/* Transport header and payload at l4 (room bytes); returns its length or 0. */
static uint32_t build_l4(const struct pgt_spec *s, const struct pgt_vars *vars, uint8_t *l4,
			 uint32_t room, uint16_t l4off, struct pgt_layout *lay)
{
	uint32_t n, hl;

	switch (s->proto) {
	case PGT_P_TCP:
		hl = 20 + pad4(s->tcp_optlen);
		n = hl + s->paylen;
		if (n > room || hl > 60)
			return 0;
		memset(l4, 0, hl);
		pgt_put16(l4, (uint16_t)resolve(s->sport, vars, PGT_F_SPORT, &lay->unbound));
		pgt_put16(l4 + 2, (uint16_t)resolve(s->dport, vars, PGT_F_DPORT, &lay->unbound));
		pgt_put32(l4 + 4, s->seq);
		pgt_put32(l4 + 8, s->ack);
		l4[12] = (uint8_t)(hl / 4 << 4);
		l4[13] = s->tcp_flags;
		pgt_put16(l4 + 14, s->win ? s->win : 65535);
		if (s->tcp_optlen)
			memcpy(l4 + 20, s->tcp_opts, s->tcp_optlen);
		fill_payload(l4 + hl, s);
		lay->sport = l4off;
		lay->dport = (uint16_t)(l4off + 2);
		return n;
	case PGT_P_UDP:
		n = 8 + s->paylen;
		if (n > room)
			return 0;
		pgt_put16(l4, (uint16_t)resolve(s->sport, vars, PGT_F_SPORT, &lay->unbound));
		pgt_put16(l4 + 2, (uint16_t)resolve(s->dport, vars, PGT_F_DPORT, &lay->unbound));
		pgt_put16(l4 + 4, (uint16_t)n);
		pgt_put16(l4 + 6, 0);
		fill_payload(l4 + 8, s);
		lay->sport = l4off;
		lay->dport = (uint16_t)(l4off + 2);
		return n;
	case PGT_P_ICMP:
		if (room < 8)
			return 0;
		l4[0] = s->icmp_type;
		l4[1] = s->icmp_code;
		pgt_put16(l4 + 2, 0);
		if (s->inner) {
			/* An error: 4 bytes of type-specific data, then the quote. */
			uint8_t tmp[PGT_BUF];
			struct pgt_layout il = { 0 };
			uint32_t ilen = pgt_build(s->inner, vars, tmp, sizeof(tmp), &il);

			if (!ilen)
				return 0;
			lay->unbound |= il.unbound;
			if (s->inner_quote && s->inner_quote < ilen)
				ilen = s->inner_quote;
			n = 8 + ilen;
			if (n > room)
				return 0;
			pgt_put32(l4 + 4, s->icmp_rest);
			memcpy(l4 + 8, tmp, ilen);
			return n;
		}
		n = 8 + s->paylen;
		if (n > room)
			return 0;
		pgt_put16(l4 + 4,
			  (uint16_t)resolve(s->icmp_id, vars, PGT_F_ICMP_ID, &lay->unbound));
		pgt_put16(l4 + 6, s->icmp_seq);
		fill_payload(l4 + 8, s);
		lay->icmp_id = (uint16_t)(l4off + 4);
		return n;
	case PGT_P_GRE: {
		uint16_t flags = s->gre_ver & 7;
		uint32_t off = 4;

		if (s->gre_ver == 1)
			flags |= 0x2000; /* K: PPTP GRE always carries the key */
		else if (s->gre_key)
			flags |= 0x2000;
		if (s->gre_seq)
			flags |= 0x1000;
		if (s->gre_ack && s->gre_ver == 1)
			flags |= 0x0080;
		hl = 4 + (flags & 0x2000 ? 4 : 0) + (flags & 0x1000 ? 4 : 0) +
		     (flags & 0x0080 ? 4 : 0);
		n = hl + s->paylen;
		if (n > room)
			return 0;
		pgt_put16(l4, flags);
		pgt_put16(l4 + 2,
			  s->gre_proto ? s->gre_proto : (s->gre_ver == 1 ? 0x880b : 0x0800));
		if (flags & 0x2000) {
			if (s->gre_ver == 1) {
				/* RFC 2637 4.1: payload length, then the peer's call id. */
				pgt_put16(l4 + off, s->paylen);
				pgt_put16(l4 + off + 2,
					  (uint16_t)resolve(s->call_id, vars, PGT_F_CALL_ID,
							    &lay->unbound));
				lay->call_id = (uint16_t)(l4off + off + 2);
			} else {
				pgt_put32(l4 + off, s->gre_keyval);
			}
			off += 4;
		}
		if (flags & 0x1000) {
			pgt_put32(l4 + off, s->gre_seqno);
			off += 4;
		}
		if (flags & 0x0080) {
			pgt_put32(l4 + off, s->gre_ackno);
			off += 4;
		}
		fill_payload(l4 + off, s);
		return n;
	}
	case PGT_P_ESP:
		n = 8 + s->paylen;
		if (n > room)
			return 0;
		pgt_put32(l4, s->spi);
		pgt_put32(l4 + 4, s->esp_seq);
		fill_payload(l4 + 8, s);
		return n;
	default:
		if (s->paylen > room)
			return 0;
		fill_payload(l4, s);
		return s->paylen;
	}
}

uint32_t pgt_build(const struct pgt_spec *s, const struct pgt_vars *vars, uint8_t *buf,
		   uint32_t cap, struct pgt_layout *lay)
{
	struct pgt_layout dummy;
	uint32_t hl = 20 + pad4(s->ip_optlen), l4len, src, dst;
	uint8_t *l4;
	uint16_t c;

	if (!lay)
		lay = &dummy;
	memset(lay, 0, sizeof(*lay));
	if (hl > 60 || hl > cap)
		return 0;
	memset(buf, 0, hl);
	l4 = buf + hl;
	lay->l4 = (uint16_t)hl;
	l4len = build_l4(s, vars, l4, cap - hl, (uint16_t)hl, lay);
	if (!l4len && (s->proto == PGT_P_TCP || s->proto == PGT_P_UDP || s->proto == PGT_P_ICMP ||
		       s->proto == PGT_P_GRE || s->proto == PGT_P_ESP || s->paylen))
		return 0;
	if (hl + l4len > 65535)
		return 0;
	src = pgt_addr(s->src);
	dst = pgt_addr(s->dst);

	buf[0] = (uint8_t)(0x40 | hl / 4);
	buf[1] = s->tos;
	pgt_put16(buf + 2, (uint16_t)(hl + l4len));
	pgt_put16(buf + 4, s->ip_id);
	pgt_put16(buf + 6, s->frag);
	buf[8] = s->ttl ? s->ttl : 64;
	buf[9] = s->proto;
	pgt_put32(buf + 12, src);
	pgt_put32(buf + 16, dst);
	if (s->ip_optlen)
		memcpy(buf + 20, s->ip_opts, s->ip_optlen);

	switch (s->proto) {
	case PGT_P_TCP:
		c = pgt_cksum(l4, l4len, pgt_pseudo_sum(src, dst, PGT_P_TCP, l4len));
		if (s->csum == PGT_CSUM_L4_BAD)
			c ^= 0x0100;
		pgt_put16(l4 + 16, c);
		break;
	case PGT_P_UDP:
		c = pgt_cksum(l4, l4len, pgt_pseudo_sum(src, dst, PGT_P_UDP, l4len));
		/* RFC 768: a computed 0 is sent as all ones; 0 means "none". */
		if (!c)
			c = 0xffff;
		if (s->csum == PGT_CSUM_L4_ZERO)
			c = 0;
		if (s->csum == PGT_CSUM_L4_BAD)
			c ^= 0x0100;
		pgt_put16(l4 + 6, c);
		break;
	case PGT_P_ICMP:
		c = pgt_cksum(l4, l4len, 0);
		if (s->csum == PGT_CSUM_L4_BAD)
			c ^= 0x0100;
		pgt_put16(l4 + 2, c);
		break;
	default:
		break;
	}
	c = pgt_cksum(buf, hl, 0);
	if (s->csum == PGT_CSUM_IP_BAD)
		c ^= 0x0100;
	pgt_put16(buf + 10, c);
	return hl + l4len;
}

uint32_t pgt_ip_src(const uint8_t *ip)
{
	return pgt_get32(ip + 12);
}

uint32_t pgt_ip_dst(const uint8_t *ip)
{
	return pgt_get32(ip + 16);
}

unsigned int pgt_ip_hlen(const uint8_t *ip)
{
	return (ip[0] & 0x0fu) * 4;
}

unsigned int pgt_ip_total(const uint8_t *ip)
{
	return pgt_get16(ip + 2);
}

uint8_t pgt_ip_proto(const uint8_t *ip)
{
	return ip[9];
}

uint8_t pgt_ip_ttl(const uint8_t *ip)
{
	return ip[8];
}

const uint8_t *pgt_l4(const uint8_t *ip)
{
	return ip + pgt_ip_hlen(ip);
}

bool pgt_check(const uint8_t *pkt, uint32_t len, char *why, size_t n)
{
	unsigned int hl, tot, l4len;
	const uint8_t *l4;
	uint32_t src, dst;

	if (len < 20 || pkt[0] >> 4 != 4) {
		snprintf(why, n, "not an IPv4 packet (len %u)", len);
		return false;
	}
	hl = pgt_ip_hlen(pkt);
	tot = pgt_ip_total(pkt);
	if (hl < 20 || hl > len) {
		snprintf(why, n, "IP header length %u with %u bytes", hl, len);
		return false;
	}
	if (tot != len) {
		snprintf(why, n, "IP total length %u but packet is %u bytes", tot, len);
		return false;
	}
	if (pgt_cksum(pkt, hl, 0) != 0) {
		snprintf(why, n, "bad IP header checksum 0x%04x", pgt_get16(pkt + 10));
		return false;
	}
	l4 = pkt + hl;
	l4len = tot - hl;
	src = pgt_ip_src(pkt);
	dst = pgt_ip_dst(pkt);
	/* A fragment's transport checksum covers bytes it does not carry. */
	if (pgt_get16(pkt + 6) & 0x3fff)
		return true;
	switch (pgt_ip_proto(pkt)) {
	case PGT_P_TCP:
		if (l4len < 20) {
			snprintf(why, n, "TCP header truncated");
			return false;
		}
		if (pgt_cksum(l4, l4len, pgt_pseudo_sum(src, dst, PGT_P_TCP, l4len)) != 0) {
			snprintf(why, n, "bad TCP checksum 0x%04x", pgt_get16(l4 + 16));
			return false;
		}
		break;
	case PGT_P_UDP:
		if (l4len < 8) {
			snprintf(why, n, "UDP header truncated");
			return false;
		}
		if (pgt_get16(l4 + 6) == 0)
			break;
		if (pgt_cksum(l4, l4len, pgt_pseudo_sum(src, dst, PGT_P_UDP, l4len)) != 0) {
			snprintf(why, n, "bad UDP checksum 0x%04x", pgt_get16(l4 + 6));
			return false;
		}
		break;
	case PGT_P_ICMP:
		if (l4len < 8) {
			snprintf(why, n, "ICMP header truncated");
			return false;
		}
		if (pgt_cksum(l4, l4len, 0) != 0) {
			snprintf(why, n, "bad ICMP checksum 0x%04x", pgt_get16(l4 + 2));
			return false;
		}
		if ((l4[0] == 3 || l4[0] == 11 || l4[0] == 12) && l4len >= 28) {
			const uint8_t *q = l4 + 8;
			unsigned int qhl = pgt_ip_hlen(q);

			/* A quote cut inside its own header cannot be checked. */
			if (q[0] >> 4 == 4 && qhl >= 20 && qhl <= l4len - 8 &&
			    pgt_cksum(q, qhl, 0) != 0) {
				snprintf(why, n, "bad quoted IP header checksum");
				return false;
			}
		}
		break;
	default:
		break;
	}
	return true;
}

static const char *proto_name(uint8_t p)
{
	switch (p) {
	case PGT_P_TCP:
		return "TCP";
	case PGT_P_UDP:
		return "UDP";
	case PGT_P_ICMP:
		return "ICMP";
	case PGT_P_GRE:
		return "GRE";
	case PGT_P_ESP:
		return "ESP";
	default:
		return "IP";
	}
}

static void addr_str(uint32_t a, char *out, size_t n)
{
	snprintf(out, n, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

void pgt_describe(const uint8_t *pkt, uint32_t len, char *out, size_t n)
{
	char s[16], d[16], fl[8] = "";
	unsigned int hl, i = 0;
	const uint8_t *l4;

	if (len < 20 || pkt[0] >> 4 != 4 || pgt_ip_hlen(pkt) < 20 || pgt_ip_hlen(pkt) > len) {
		snprintf(out, n, "(unparsable, %u bytes)", len);
		return;
	}
	hl = pgt_ip_hlen(pkt);
	l4 = pkt + hl;
	addr_str(pgt_ip_src(pkt), s, sizeof(s));
	addr_str(pgt_ip_dst(pkt), d, sizeof(d));
	if ((pkt[9] == PGT_P_TCP && len >= hl + 20) || (pkt[9] == PGT_P_UDP && len >= hl + 8)) {
		if (pkt[9] == PGT_P_TCP) {
			const char *names = "FSRPAU";
			unsigned int b;

			for (b = 0; b < 6; b++)
				if (l4[13] & (1u << b))
					fl[i++] = names[b];
			fl[i] = 0;
		}
		snprintf(out, n, "%s %s:%u > %s:%u%s%s%s ttl %u len %u", proto_name(pkt[9]), s,
			 pgt_get16(l4), d, pgt_get16(l4 + 2), pkt[9] == PGT_P_TCP ? " [" : "", fl,
			 pkt[9] == PGT_P_TCP ? "]" : "", pkt[8], len);
	} else if (pkt[9] == PGT_P_ICMP && len >= hl + 8) {
		snprintf(out, n, "ICMP %s > %s type %u code %u id %u ttl %u len %u", s, d, l4[0],
			 l4[1], pgt_get16(l4 + 4), pkt[8], len);
	} else {
		snprintf(out, n, "%s %s > %s proto %u ttl %u len %u", proto_name(pkt[9]), s, d,
			 pkt[9], pkt[8], len);
	}
}

/* Name the field a byte offset falls into, for readable diffs. */
static const char *field_name(const uint8_t *pkt, uint32_t len, uint32_t off)
{
	static const char *const ipf[20] = {
		"IP version/IHL", "IP TOS",	    "IP total length", "IP total length",
		"IP id",	  "IP id",	    "IP flags/offset", "IP flags/offset",
		"IP TTL",	  "IP protocol",    "IP checksum",     "IP checksum",
		"IP source",	  "IP source",	    "IP source",       "IP source",
		"IP destination", "IP destination", "IP destination",  "IP destination"
	};
	unsigned int hl;

	if (off < 20)
		return ipf[off];
	if (len < 20)
		return "?";
	hl = pgt_ip_hlen(pkt);
	if (off < hl)
		return "IP options";
	off -= hl;
	switch (pkt[9]) {
	case PGT_P_TCP:
		if (off < 2)
			return "TCP source port";
		if (off < 4)
			return "TCP destination port";
		if (off < 8)
			return "TCP sequence";
		if (off < 12)
			return "TCP ack";
		if (off == 13)
			return "TCP flags";
		if (off == 16 || off == 17)
			return "TCP checksum";
		return off < 20 ? "TCP header" : "TCP options/payload";
	case PGT_P_UDP:
		if (off < 2)
			return "UDP source port";
		if (off < 4)
			return "UDP destination port";
		if (off < 6)
			return "UDP length";
		if (off < 8)
			return "UDP checksum";
		return "UDP payload";
	case PGT_P_ICMP:
		if (off < 2)
			return "ICMP type/code";
		if (off < 4)
			return "ICMP checksum";
		if (off < 6)
			return "ICMP identifier";
		if (off < 8)
			return "ICMP sequence";
		return "ICMP payload";
	default:
		return "payload";
	}
}

bool pgt_diff(const uint8_t *got, uint32_t glen, const uint8_t *want, uint32_t wlen, char *out,
	      size_t n)
{
	char g[160], w[160];
	uint32_t i, m = glen < wlen ? glen : wlen;

	for (i = 0; i < m; i++)
		if (got[i] != want[i])
			break;
	if (i == m && glen == wlen)
		return false;
	pgt_describe(got, glen, g, sizeof(g));
	pgt_describe(want, wlen, w, sizeof(w));
	if (i < m)
		snprintf(out, n,
			 "byte %u (%s): got 0x%02x want 0x%02x\n      got:  %s\n      want: %s", i,
			 field_name(want, wlen, i), got[i], want[i], g, w);
	else
		snprintf(out, n, "length: got %u want %u\n      got:  %s\n      want: %s", glen,
			 wlen, g, w);
	return true;
}
