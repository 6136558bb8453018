/* SPDX-License-Identifier: MIT */
/*
 * mtu.c - the "connects but slow" fixes: tell senders the path MTU, and
 * keep TCP segments small enough for it in the first place.
 *
 * A packet larger than the egress link's MTU with DF set is answered with
 * ICMP fragmentation needed carrying that MTU (RFC 1191), so the sender's
 * path MTU discovery works through us; without DF it is dropped and counted
 * (drop_too_big): the engine translates one packet into one packet and does
 * not fragment. TCP SYNs crossing the gateway in either direction have their
 * MSS option lowered to the configured value, or to the smaller MTU of the
 * two links less 40 bytes of headers, so that neither end ever sends a
 * segment that needs fragmenting here.
 */
#include <arpa/inet.h>

#include "engine/csum.h"
#include "engine/engine_internal.h"

#define IP_DF 0x40 /* in the flags byte */
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2

bool pg_mtu_exceeded(struct pg_engine *e, struct pg_pkt *pkt, int to_side, uint64_t now_ms)
{
	uint32_t mtu = to_side == PG_SIDE_WAN ? e->cfg.wan_mtu : e->cfg.lan_mtu;

	if (pkt->len <= mtu)
		return false;
	if (!(pkt->l3[6] & IP_DF)) {
		pg_drop(e, pkt, PG_CNT_DROP_TOO_BIG);
		return true;
	}
	pg_drop(e, pkt, PG_CNT_DROP_FRAG_NEEDED);
	pg_icmp_error(e, pkt, PG_ICMP_DEST_UNREACH, 4, mtu, now_ms);
	return true;
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
