/* SPDX-License-Identifier: MIT */
/*
 * icmp.c - ICMP messages the gateway originates: echo replies for its own
 * addresses and errors about packets it refuses to forward.
 *
 * Both rewrite the packet's own buffer, so nothing is allocated: a reply
 * swaps addresses in place; an error moves the offending packet back by a new
 * IPv4 and ICMP header and quotes as much of it as fits in 576 bytes (RFC 1812
 * 4.3.2.3) and in the buffer. Errors are rate-limited by a token bucket so a
 * flood of dying packets cannot make the gateway a flood source.
 */
#include <arpa/inet.h>
#include <string.h>

#include "engine/csum.h"
#include "engine/engine_internal.h"

#define IP_HDR 20
#define ICMP_HDR 8
#define GW_TTL 64

bool pg_icmp_checksum_ok(const struct pg_pkt *pkt, const struct pg_parsed *p)
{
	return pg_csum(pkt->l3 + p->ihl, p->l4_len) == 0;
}

static uint32_t route_next_hop(const struct pg_engine *e, int side, uint32_t dst)
{
	return side == PG_SIDE_LAN ? dst : pg_wan_next_hop(e, dst);
}

static void set_out(const struct pg_engine *e, struct pg_pkt *pkt, int side, uint32_t dst)
{
	pkt->verdict = side == PG_SIDE_LAN ? PG_VERDICT_TO_LAN : PG_VERDICT_TO_WAN;
	pkt->next_hop = route_next_hop(e, side, dst);
}

void pg_icmp_echo_reply(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p)
{
	uint8_t *ip = pkt->l3, *icmp = ip + p->ihl;
	uint16_t csum = pg_get16(icmp + PG_ICMP_OFF_CSUM);
	uint16_t old_word = pg_get16(icmp), new_word;

	icmp[PG_ICMP_OFF_TYPE] = PG_ICMP_ECHO_REPLY;
	new_word = pg_get16(icmp);
	pg_csum_replace16(&csum, old_word, new_word);
	pg_put16(icmp + PG_ICMP_OFF_CSUM, csum);
	pg_csum_icmp_fix(icmp, p->l4_len, PG_ICMP_OFF_CSUM);

	pg_put32(ip + PG_IP_OFF_SADDR, p->daddr);
	pg_put32(ip + PG_IP_OFF_DADDR, p->saddr);
	ip[PG_IP_OFF_TTL] = GW_TTL;
	pg_put16(ip + PG_IP_OFF_CSUM, 0);
	pg_put16(ip + PG_IP_OFF_CSUM, pg_csum(ip, p->ihl));
	set_out(e, pkt, pkt->side, p->saddr);
	pg_count(e, PG_CNT_ICMP_ECHO_REPLIED);
}

static bool rate_ok(struct pg_engine *e, uint64_t now_ms)
{
	uint64_t cap = (uint64_t)e->cfg.icmp_error_burst * 1000;
	uint64_t elapsed = now_ms - e->icmp_last_ms;

	e->icmp_last_ms = now_ms;
	e->icmp_tokens += elapsed * e->cfg.icmp_error_rate; /* milli-tokens */
	if (e->icmp_tokens > cap)
		e->icmp_tokens = cap;
	if (e->icmp_tokens < 1000)
		return false;
	e->icmp_tokens -= 1000;
	return true;
}

void pg_icmp_error(struct pg_engine *e, struct pg_pkt *pkt, uint8_t type, uint8_t code,
		   uint32_t rest, uint64_t now_ms)
{
	uint8_t *ip = pkt->l3, *icmp = ip + IP_HDR;
	uint32_t dst = pg_get32(ip + PG_IP_OFF_SADDR);
	uint32_t src = pkt->side == PG_SIDE_LAN ? e->cfg.lan_addr : e->cfg.wan_addr;
	uint32_t quote = pkt->len, ihl = pg_ip_hlen(ip);
	uint32_t total;

	if (!rate_ok(e, now_ms)) {
		pg_count(e, PG_CNT_ICMP_ERR_RATELIMITED);
		return;
	}
	if (quote > PG_ICMP_ERROR_MAX - IP_HDR - ICMP_HDR)
		quote = PG_ICMP_ERROR_MAX - IP_HDR - ICMP_HDR;
	if (pkt->cap < IP_HDR + ICMP_HDR || quote > pkt->cap - IP_HDR - ICMP_HDR)
		quote = pkt->cap > IP_HDR + ICMP_HDR ? pkt->cap - IP_HDR - ICMP_HDR : 0;
	/* RFC 792: the quote must hold the offending header and 8 bytes of data. */
	if (quote < ihl + 8 && quote < pkt->len)
		return;

	memmove(ip + IP_HDR + ICMP_HDR, ip, quote);
	total = IP_HDR + ICMP_HDR + quote;
	memset(ip, 0, IP_HDR + ICMP_HDR);
	ip[PG_IP_OFF_VIHL] = 0x45;
	pg_put16(ip + PG_IP_OFF_TOTLEN, htons((uint16_t)total));
	pg_put16(ip + PG_IP_OFF_ID, htons(e->ip_id++));
	ip[PG_IP_OFF_TTL] = GW_TTL;
	ip[PG_IP_OFF_PROTO] = PG_PROTO_ICMP;
	pg_put32(ip + PG_IP_OFF_SADDR, src);
	pg_put32(ip + PG_IP_OFF_DADDR, dst);
	pg_put16(ip + PG_IP_OFF_CSUM, pg_csum(ip, IP_HDR));
	icmp[PG_ICMP_OFF_TYPE] = type;
	icmp[PG_ICMP_OFF_CODE] = code;
	pg_put32(icmp + PG_ICMP_OFF_REST, htonl(rest));
	pg_put16(icmp + PG_ICMP_OFF_CSUM, pg_csum(icmp, ICMP_HDR + quote));

	pkt->len = total;
	set_out(e, pkt, pkt->side, dst);
	pg_count(e, PG_CNT_ICMP_ERR_SENT);
}
