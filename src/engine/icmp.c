/* SPDX-License-Identifier: MIT */
/*
 * icmp.c - ICMP messages the gateway originates: echo replies for its own
 * addresses and errors about packets it refuses to forward.
 *
 * Both rewrite the packet's own buffer, so nothing is allocated: a reply
 * swaps addresses in place; an error moves the offending packet back by a new
 * IPv4 and ICMP header and quotes as much of it as fits in 576 bytes (RFC 1812
 * 4.3.2.3) and in the buffer. Errors are rate-limited by a token bucket so a
 * flood of dying packets cannot make the gateway a flood source, and never
 * answer an ICMP error or a later fragment (RFC 1812 4.3.2.7). With
 * [icmp] refused_outbound, a LAN host's new flow the gateway cannot make is
 * answered with "communication administratively prohibited" (RFC 5508
 * REQ-8), so its application fails at once instead of retrying into
 * silence. For the same reason a LAN host's TCP segment of a connection the
 * gateway does not know (it restarted, or the flow expired) is answered
 * with a TCP reset from the remote end.
 */
#include <arpa/inet.h>
#include <string.h>

#include "engine/csum.h"
#include "engine/engine_internal.h"

#define IP_HDR 20
#define ICMP_HDR 8
#define GW_TTL 64
#define TCP_HDR 20
#define TCP_OFF_ACK 8

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

/*
 * RFC 1812 4.3.2.7: no ICMP error about an ICMP error (destination
 * unreachable, source quench, redirect, time exceeded, parameter problem)
 * nor about a fragment other than the first. The packet was parsed, so its
 * header and at least 8 ICMP bytes are there.
 */
static bool may_answer(const uint8_t *ip, uint32_t len)
{
	uint32_t ihl = pg_ip_hlen(ip);
	uint8_t type;

	if (ntohs(pg_get16(ip + PG_IP_OFF_FRAG)) & 0x1fff)
		return false;
	if (ip[PG_IP_OFF_PROTO] != PG_PROTO_ICMP || ihl >= len)
		return true;
	type = ip[ihl];
	return !(pg_icmp_is_error(type) || type == PG_ICMP_SOURCE_QUENCH || type == PG_ICMP_REDIRECT);
}

/*
 * Turn a LAN host's TCP segment that belongs to no flow into a reset from
 * its remote end (RFC 793 "Reset Generation"): with an ACK in the segment
 * the reset takes its sequence number from it, without, it acknowledges
 * the segment. Never for a reset or a fragment. Rate-limited with the
 * errors: it is the gateway's own packet all the same.
 */
static void tcp_reset(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
		      uint64_t now_ms)
{
	uint8_t *ip = pkt->l3, *tcp = ip + IP_HDR;
	const uint8_t *seg = ip + p->ihl;
	uint32_t seq = 0, ack = 0, seg_len;
	uint8_t flags = PG_TCP_RST;

	if ((p->tcp_flags & PG_TCP_RST) || p->frag_off || p->more_frags ||
	    pkt->cap < IP_HDR + TCP_HDR)
		return;
	if (!rate_ok(e, now_ms)) {
		pg_count(e, PG_CNT_ICMP_ERR_RATELIMITED);
		return;
	}
	seg_len = p->l4_len - pg_tcp_doff(seg) + !!(p->tcp_flags & PG_TCP_SYN) +
		  !!(p->tcp_flags & PG_TCP_FIN);
	if (p->tcp_flags & PG_TCP_ACK) {
		seq = pg_get32(seg + TCP_OFF_ACK);
	} else {
		ack = htonl(ntohl(pg_get32(seg + PG_TCP_OFF_SEQ)) + seg_len);
		flags |= PG_TCP_ACK;
	}
	/* Everything needed was read: the reset overwrites the segment's headers. */
	memset(ip, 0, IP_HDR + TCP_HDR);
	pg_put16(tcp + PG_L4_OFF_SPORT, p->dport);
	pg_put16(tcp + PG_L4_OFF_DPORT, p->sport);
	pg_put32(tcp + PG_TCP_OFF_SEQ, seq);
	pg_put32(tcp + TCP_OFF_ACK, ack);
	tcp[PG_TCP_OFF_DOFF] = (TCP_HDR / 4) << 4;
	tcp[PG_TCP_OFF_FLAGS] = flags; /* window 0, no urgent data */
	ip[PG_IP_OFF_VIHL] = 0x45;
	pg_put16(ip + PG_IP_OFF_TOTLEN, htons(IP_HDR + TCP_HDR));
	pg_put16(ip + PG_IP_OFF_ID, htons(e->ip_id++));
	ip[PG_IP_OFF_TTL] = GW_TTL;
	ip[PG_IP_OFF_PROTO] = PG_PROTO_TCP;
	pg_put32(ip + PG_IP_OFF_SADDR, p->daddr);
	pg_put32(ip + PG_IP_OFF_DADDR, p->saddr);
	pg_put16(ip + PG_IP_OFF_CSUM, pg_csum(ip, IP_HDR));
	pg_put16(tcp + PG_TCP_OFF_CSUM,
		 pg_csum_fold(pg_csum_partial(
			 tcp, TCP_HDR, pg_csum_pseudo(p->daddr, p->saddr, PG_PROTO_TCP, TCP_HDR))));
	pkt->len = IP_HDR + TCP_HDR;
	set_out(e, pkt, PG_SIDE_LAN, p->saddr);
	pg_count(e, PG_CNT_TCP_RESET_SENT);
}

void pg_icmp_refuse_new(struct pg_engine *e, struct pg_pkt *pkt, const struct pg_parsed *p,
			uint64_t now_ms)
{
	switch (pkt->drop_reason) {
	case PG_CNT_DROP_TCP_NO_FLOW:
		tcp_reset(e, pkt, p, now_ms);
		break;
	case PG_CNT_DROP_PORTS_EXHAUSTED:
	case PG_CNT_DROP_TABLE_FULL:
	case PG_CNT_DROP_HOST_LIMIT:
	case PG_CNT_DROP_PASSTHROUGH_OFF:
	case PG_CNT_DROP_PROTO:
		if (e->cfg.refuse_outbound)
			pg_icmp_error(e, pkt, PG_ICMP_DEST_UNREACH, PG_ICMP_ADMIN_PROHIBITED, 0,
				      now_ms);
		break;
	default:
		break;
	}
}

void pg_icmp_error(struct pg_engine *e, struct pg_pkt *pkt, uint8_t type, uint8_t code,
		   uint32_t rest, uint64_t now_ms)
{
	uint8_t *ip = pkt->l3, *icmp = ip + IP_HDR;
	uint32_t dst = pg_get32(ip + PG_IP_OFF_SADDR);
	uint32_t src = pkt->side == PG_SIDE_LAN ? e->cfg.lan_addr : e->cfg.wan_addr;
	uint32_t quote = pkt->len, ihl = pg_ip_hlen(ip);
	uint32_t total;

	if (!may_answer(ip, pkt->len))
		return;
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
