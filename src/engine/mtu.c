/* SPDX-License-Identifier: MIT */
/*
 * mtu.c - the "connects but slow" fixes: tell senders the path MTU, and
 * keep TCP segments small enough for it in the first place.
 *
 * A packet larger than the egress link's MTU with DF set is answered with
 * ICMP fragmentation needed carrying that MTU (RFC 1191), so the sender's
 * path MTU discovery works through us. Without DF it is fragmented (RFC 791,
 * RFC 4787 REQ-13) after translation, as any router would: the packet's own
 * buffer keeps the first piece and the rest go out through
 * pg_engine_emitted(), from a pool of PG_FRAG_OUT buffers a batch may use
 * (drop_too_big when it runs dry). Fragmenting the translated packet rather
 * than the one received means every piece already carries the translated
 * addresses and the transport checksum fixed over the whole datagram; a
 * packet that was itself a fragment keeps its offset base and its MF bit on
 * the last piece, so a sender's fragments may be cut again. TCP SYNs
 * crossing the gateway in either direction have their MSS option lowered to
 * the configured value, or to the smaller MTU of the two links less 40
 * bytes of headers, so that neither end ever sends a segment that needs
 * fragmenting here.
 */
#include <arpa/inet.h>
#include <string.h>

#include "engine/csum.h"
#include "engine/engine_internal.h"

#define IP_DF 0x40 /* in the flags byte */
#define IP_FLAG_DF 0x4000
#define IP_FLAG_MF 0x2000
#define IP_OFFMASK 0x1fff
#define IPOPT_EOL 0
#define IPOPT_NOP 1
#define IPOPT_COPIED 0x80 /* RFC 791: the option goes into every fragment */
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2

bool pg_mtu_exceeded(struct pg_engine *e, struct pg_pkt *pkt, int to_side, uint64_t now_ms)
{
	uint32_t mtu = to_side == PG_SIDE_WAN ? e->cfg.wan_mtu : e->cfg.lan_mtu;

	/* Without DF it is translated, then fragmented (pg_mtu_fit()). */
	if (pkt->len <= mtu || !(pkt->l3[6] & IP_DF))
		return false;
	pg_drop(e, pkt, PG_CNT_DROP_FRAG_NEEDED);
	pg_icmp_error(e, pkt, PG_ICMP_DEST_UNREACH, 4, mtu, now_ms);
	return true;
}

/*
 * The header later fragments carry: the fixed header and the options whose
 * copied flag is set (RFC 791 section 3.1), padded to a multiple of four.
 * Malformed options end the copy; what was copied stays. Returns its length.
 */
static unsigned int later_header(const uint8_t *ip, unsigned int ihl, uint8_t *hdr)
{
	unsigned int i = 20, n = 20, len;

	memcpy(hdr, ip, 20);
	while (i < ihl && ip[i] != IPOPT_EOL) {
		if (ip[i] == IPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= ihl || (len = ip[i + 1]) < 2 || i + len > ihl)
			break;
		if (ip[i] & IPOPT_COPIED) {
			memcpy(hdr + n, ip + i, len);
			n += len;
		}
		i += len;
	}
	while (n & 3)
		hdr[n++] = IPOPT_EOL;
	hdr[PG_IP_OFF_VIHL] = (uint8_t)(0x40 | n / 4);
	return n;
}

/* Set a fragment's total length and flags and compute its header checksum. */
static void finish_piece(uint8_t *ip, unsigned int hlen, unsigned int len, uint16_t flags)
{
	pg_put16(ip + PG_IP_OFF_TOTLEN, htons((uint16_t)len));
	pg_put16(ip + PG_IP_OFF_FRAG, htons(flags));
	pg_put16(ip + PG_IP_OFF_CSUM, 0);
	pg_put16(ip + PG_IP_OFF_CSUM, pg_csum(ip, hlen));
}

/*
 * Cut pkt (translated, with a verdict) into fragments of at most mtu bytes:
 * the first stays in pkt, the others are appended to the engine's emitted
 * packets with the same verdict and next hop.
 */
static void fragment(struct pg_engine *e, struct pg_pkt *pkt, uint32_t mtu)
{
	uint8_t *ip = pkt->l3, hdr[60];
	unsigned int ihl = pg_ip_hlen(ip), hlen, data, first, step, off;
	uint16_t fl = ntohs(pg_get16(ip + PG_IP_OFF_FRAG));
	unsigned int base = (unsigned int)(fl & IP_OFFMASK) * 8, pieces;
	bool last_mf = (fl & IP_FLAG_MF) != 0;

	if (fl & IP_FLAG_DF) {
		/*
		 * DF packets that reach this far are later fragments and ICMP
		 * errors, which get no error about them (RFC 1812 4.3.2.7).
		 */
		pg_drop(e, pkt, PG_CNT_DROP_FRAG_NEEDED);
		return;
	}
	if (mtu > PG_FRAG_OUT_SIZE)
		mtu = PG_FRAG_OUT_SIZE; /* smaller pieces than the link takes: still right */
	hlen = later_header(ip, ihl, hdr);
	data = pkt->len - ihl;
	first = (mtu - ihl) & ~7u; /* every piece but the last carries 8-byte units */
	step = (mtu - hlen) & ~7u;
	pieces = 1 + (data - first + step - 1) / step;
	if (e->nfrag_out + pieces - 1 > PG_FRAG_OUT) {
		pg_drop(e, pkt, PG_CNT_DROP_TOO_BIG);
		return;
	}
	for (off = first; off < data; off += step) {
		unsigned int len = data - off < step ? data - off : step;
		bool last = off + len == data;
		uint8_t *q = e->frag_out[e->nfrag_out++] + PG_FRAG_HEADROOM;
		struct pg_pkt *out = &e->emit[e->nemit++];

		memcpy(q, hdr, hlen);
		memcpy(q + hlen, ip + ihl + off, len);
		finish_piece(q, hlen, hlen + len,
			     (uint16_t)((base + off) / 8) | (!last || last_mf ? IP_FLAG_MF : 0));
		out->l3 = q;
		out->len = hlen + len;
		out->cap = PG_FRAG_OUT_SIZE;
		out->side = pkt->side;
		out->verdict = pkt->verdict;
		out->drop_reason = PG_CNT_NONE;
		out->next_hop = pkt->next_hop;
	}
	finish_piece(ip, ihl, ihl + first, (uint16_t)(base / 8) | IP_FLAG_MF);
	pkt->len = ihl + first;
	pg_count(e, PG_CNT_FRAGMENTED);
}

void pg_mtu_fit(struct pg_engine *e, struct pg_pkt *pkt)
{
	uint32_t mtu;

	if (pkt->verdict == PG_VERDICT_TO_WAN)
		mtu = e->cfg.wan_mtu;
	else if (pkt->verdict == PG_VERDICT_TO_LAN)
		mtu = e->cfg.lan_mtu;
	else
		return;
	if (pkt->len > mtu)
		fragment(e, pkt, mtu);
}

void pg_mss_clamp(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p)
{
	uint8_t *tcp = pkt->l3 + p->ihl;
	unsigned int doff, i;
	uint16_t limit;

	if (!e->cfg.mss_clamp || p->frag_off)
		return;
	limit = e->cfg.mss_max;
	if (!limit)
		limit = (uint16_t)((e->cfg.lan_mtu < e->cfg.wan_mtu ? e->cfg.lan_mtu
								: e->cfg.wan_mtu) -
				   40);
	doff = pg_tcp_doff(tcp); /* parse checked 20..l4_len */
	for (i = 20; i < doff;) {
		unsigned int kind = tcp[i], len;

		if (kind == TCPOPT_EOL)
			return;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		/* A length that overruns the options ends the walk: leave them be. */
		if (i + 1 >= doff || (len = tcp[i + 1]) < 2 || i + len > doff)
			return;
		if (kind == TCPOPT_MSS && len == 4) {
			uint16_t mss = (uint16_t)(tcp[i + 2] << 8 | tcp[i + 3]);
			uint16_t csum = pg_get16(tcp + PG_TCP_OFF_CSUM);
			uint8_t v[2] = {(uint8_t)(limit >> 8), (uint8_t)limit};

			if (mss <= limit)
				return;
			pg_csum_write(&csum, tcp, p->l4_len, i + 2, v, sizeof(v));
			pg_put16(tcp + PG_TCP_OFF_CSUM, csum);
			pg_count(e, PG_CNT_MSS_CLAMPED);
			return;
		}
		i += len;
	}
}
