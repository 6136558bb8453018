/* SPDX-License-Identifier: MIT */
/*
 * fuzz_engine.c - libFuzzer target for pg_engine_run(), state carried over.
 *
 * One engine lives for the whole run, so flows, mappings, the table-full and
 * expiry paths built up by earlier inputs are exercised by later ones; so
 * does a gateway of two workers' engines sharing their public ports
 * (engines.h), fed through pg_shard_of() as the daemon feeds them, which
 * some batches go to instead. Input format (every field optional; a short
 * input is just a shorter batch):
 *
 *   byte 0      time step: < 0x80 -> step * 7 ms; else (step & 0x7f) * 13 s
 *   byte 1      bit 0: reconfigure with the other filtering mode first
 *               bit 1: run pg_engine_tick() before the batch
 *               bit 2: the batch goes to the two workers, not the one engine
 *   records     [flags][len hi][len lo][len bytes of packet], up to 16
 *               flags bit 0: side (0 LAN, 1 WAN)
 *               flags bit 3 (with bit 0 clear): from the host stack
 *               flags bit 1: fix the IP header checksum and total length
 *               flags bit 2: fix the TCP/UDP/ICMP checksum
 *               flags bits 4-7: headroom given after the packet, * 8 bytes
 *
 * The fix-up bits let the fuzzer get past the checksum checks cheaply, so it
 * spends its time in the NAT rather than guessing checksums.
 *
 * Invariants checked after every batch (a violation aborts):
 *  - each verdict is in range; a DROP names a counter (not "none");
 *  - l3/len stay inside the buffer and len <= cap;
 *  - a forwarded packet has a valid IP header checksum and total length; if
 *    its input had every checksum right, so does the output (incremental
 *    updates, rewritten PPTP messages and generated ICMP errors included);
 *  - packets released besides the batch (pg_engine_emitted()) are valid too;
 *  - rx counters rise by the batch size, tx/to_gateway by the verdicts (of
 *    the batch and the released packets), each
 *    drop reason by at least the packets dropped for it;
 *  - the flow count never exceeds max_flows.
 */
#include <stdbool.h>
#include <stddef.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engines.h"
#include "fixture.h"

#define MAX_BATCH 16

static struct pg_engines one, two; /* one engine; two workers' engines */
static struct pg_engine_config cfg, cfg2; /* cfg2: two, with the table for both */
static uint64_t now_ms = 1000;

static void die(const char *what, unsigned int i, const uint8_t *pkt, uint32_t len)
{
	char d[200];

	pgt_describe(pkt, len, d, sizeof(d));
	fprintf(stderr, "fuzz_engine: invariant broken: %s (packet %u: %s)\n", what, i, d);
	abort();
}

/* A port forward for the fuzzer to find (inbound, hairpin). */
static void forward(uint8_t proto, uint16_t lo, uint16_t hi, const char *host, uint16_t lan)
{
	struct pg_port_forward *r = &cfg.forwards[cfg.nforwards++];

	r->proto = proto;
	r->wan_lo = lo;
	r->wan_hi = hi;
	r->lan_lo = r->lan_hi = lan;
	r->host = htonl(pgt_addr(host));
}

static void setup(void)
{
	pgt_config(&cfg);
	cfg.max_flows = 1024;
	cfg.max_flows_per_host = 200;
	cfg.icmp_error_burst = 4;
	/* Every inbound path: forwards of each kind, a PPTP server, the DMZ. */
	forward(PGT_P_TCP, 1723, 1723, PGT_H12, 1723);
	forward(PGT_P_TCP, 8000, 8100, PGT_H11, 80);
	forward(PGT_P_UDP, 500, 500, PGT_H12, 500);
	forward(PGT_P_ESP, 0, 0, PGT_H12, 0);
	/* The gateway's own services: a WAN port open to the host, a host route. */
	forward(PGT_P_UDP, 51820, 51820, PGT_WAN_ADDR, 51820);
	cfg.host_routes[0] = (struct pg_host_route){htonl(pgt_addr("10.9.0.0")), 24};
	cfg.nhost_routes = 1;
	cfg.dmz_host = htonl(pgt_addr("192.168.1.50"));
	cfg.wan_mtu = 1400;
	cfg2 = cfg;
	cfg2.max_flows = 2048;
	if (pg_engines_create(&one, &cfg, 1) || pg_engines_create(&two, &cfg2, 2))
		abort();
}

/* Run the batch on set: each packet on its worker's engine, in batch order. */
static void run(struct pg_engines *set, struct pg_pkt *pk, unsigned int n)
{
	struct pg_pkt part[MAX_BATCH];
	unsigned int idx[MAX_BATCH], owner[MAX_BATCH];

	if (set->n == 1) {
		pg_engine_run(set->e[0], pk, n, now_ms);
		return;
	}
	/* All steered first: a worker rewrites its packets (an ICMP error in place). */
	for (unsigned int i = 0; i < n; i++)
		owner[i] = pg_shard_of(&set->map, pk[i].l3, pk[i].len, pk[i].side);
	for (unsigned int w = 0; w < set->n; w++) {
		unsigned int k = 0;

		for (unsigned int i = 0; i < n; i++)
			if (owner[i] == w) {
				idx[k] = i;
				part[k++] = pk[i];
			}
		pg_engine_run(set->e[w], part, k, now_ms);
		for (unsigned int j = 0; j < k; j++)
			pk[idx[j]] = part[j];
	}
}

/* Recompute the transport checksum of a well-formed packet. */
static void fix_l4(uint8_t *b, uint32_t len)
{
	unsigned int hl = pgt_ip_hlen(b), l4len;
	uint8_t *l4 = b + hl;
	uint16_t c;

	if (len < 20 || hl < 20 || hl > len || (pgt_get16(b + 6) & 0x3fff))
		return;
	l4len = len - hl;
	switch (b[9]) {
	case PGT_P_TCP:
		if (l4len < 20)
			return;
		pgt_put16(l4 + 16, 0);
		pgt_put16(l4 + 16, pgt_cksum(l4, l4len,
					     pgt_pseudo_sum(pgt_ip_src(b), pgt_ip_dst(b), PGT_P_TCP,
							    l4len)));
		break;
	case PGT_P_UDP:
		if (l4len < 8)
			return;
		pgt_put16(l4 + 4, (uint16_t)l4len);
		pgt_put16(l4 + 6, 0);
		c = pgt_cksum(l4, l4len,
			      pgt_pseudo_sum(pgt_ip_src(b), pgt_ip_dst(b), PGT_P_UDP, l4len));
		pgt_put16(l4 + 6, c ? c : 0xffff);
		break;
	case PGT_P_ICMP:
		if (l4len < 8)
			return;
		pgt_put16(l4 + 2, 0);
		pgt_put16(l4 + 2, pgt_cksum(l4, l4len, 0));
		break;
	default:
		break;
	}
}

static void fix_ip(uint8_t *b, uint32_t len)
{
	unsigned int hl;

	if (len < 20)
		return;
	b[0] = (uint8_t)(0x40 | (b[0] & 0x0f));
	hl = pgt_ip_hlen(b);
	if (hl < 20 || hl > len)
		return;
	pgt_put16(b + 2, (uint16_t)len);
	pgt_put16(b + 10, 0);
	pgt_put16(b + 10, pgt_cksum(b, hl, 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pg_pkt pk[MAX_BATCH];
	uint8_t *bufs[MAX_BATCH];
	bool whole_ok[MAX_BATCH];
	uint64_t before[PG_CNT__COUNT], after[PG_CNT__COUNT];
	struct pg_engines *set;
	unsigned int n = 0, i, c, drops[PG_CNT__COUNT] = { 0 }, nv[4] = { 0 }, rx[2] = { 0 };
	size_t off = 2;

	if (!one.n)
		setup();
	set = size >= 2 && (data[1] & 4) ? &two : &one;
	if (size >= 1)
		now_ms += data[0] < 0x80 ? data[0] * 7u : (data[0] & 0x7fu) * 13000u;
	if (size >= 2 && (data[1] & 1)) {
		cfg.filtering = cfg.filtering == PG_FILTER_ADDRESS_DEPENDENT
				    ? PG_FILTER_ENDPOINT_INDEPENDENT
				    : PG_FILTER_ADDRESS_DEPENDENT;
		cfg2.filtering = cfg.filtering;
		if (pg_engines_reconfigure(&one, &cfg) != 0 ||
		    pg_engines_reconfigure(&two, &cfg2) != 0)
			abort();
	}
	if (size >= 2 && (data[1] & 2))
		pg_engines_tick(set, now_ms);

	while (n < MAX_BATCH && off + 3 <= size) {
		uint8_t fl = data[off];
		uint32_t len = (uint32_t)data[off + 1] << 8 | data[off + 2], cap;

		off += 3;
		if (len > size - off)
			len = (uint32_t)(size - off);
		if (len > PGT_BUF - 256)
			len = PGT_BUF - 256;
		cap = len + (fl >> 4) * 8u;
		bufs[n] = malloc(cap ? cap : 1);
		if (!bufs[n])
			abort();
		memcpy(bufs[n], data + off, len);
		off += len;
		if (fl & 2)
			fix_ip(bufs[n], len);
		if (fl & 4) {
			fix_l4(bufs[n], len);
			if (fl & 2)
				fix_ip(bufs[n], len);
		}
		{
			char why[64];

			whole_ok[n] = pgt_check(bufs[n], len, why, sizeof(why));
		}
		pk[n].l3 = bufs[n];
		pk[n].len = len;
		pk[n].cap = cap;
		pk[n].side = (fl & 1) ? PG_SIDE_WAN : (fl & 8) ? PG_SIDE_HOST : PG_SIDE_LAN;
		pk[n].verdict = 0xee;
		pk[n].drop_reason = 0xeeee;
		pk[n].next_hop = 0;
		rx[fl & 1]++;
		n++;
	}

	pg_engines_counters(set, before);
	run(set, pk, n);
	pg_engines_counters(set, after);

	for (i = 0; i < n; i++) {
		struct pg_pkt *p = &pk[i];

		if (p->verdict > PG_VERDICT_TO_GW)
			die("verdict out of range", i, bufs[i], 0);
		nv[p->verdict]++;
		if (p->l3 < bufs[i] || p->len > p->cap ||
		    (size_t)(p->l3 - bufs[i]) + p->len > p->cap)
			die("l3/len outside the buffer", i, bufs[i], 0);
		if (p->verdict == PG_VERDICT_DROP) {
			/* Usually a drop_* counter; a fragment held for later names frag_held. */
			if (p->drop_reason >= PG_CNT__COUNT || p->drop_reason == PG_CNT_NONE)
				die("DROP without a valid reason", i, p->l3, p->len);
			drops[p->drop_reason]++;
			continue;
		}
		if (p->verdict == PG_VERDICT_TO_GW)
			continue;
		{
			char why[200];

			if (p->len < 20 || pgt_ip_hlen(p->l3) < 20 || pgt_ip_hlen(p->l3) > p->len ||
			    pgt_ip_total(p->l3) != p->len ||
			    pgt_cksum(p->l3, pgt_ip_hlen(p->l3), 0))
				die("forwarded packet with a broken IP header", i, p->l3, p->len);
			if (whole_ok[i] && !pgt_check(p->l3, p->len, why, sizeof(why))) {
				fprintf(stderr, "fuzz_engine: %s\n", why);
				die("valid input became an invalid output", i, p->l3, p->len);
			}
		}
	}

	/* Released held fragments: valid packets with verdicts of their own. */
	for (unsigned int w = 0; w < set->n; w++) {
		struct pg_pkt *em = NULL;
		unsigned int ne = pg_engine_emitted(set->e[w], &em), k;

		for (k = 0; k < ne; k++) {
			struct pg_pkt *p = &em[k];

			if (p->verdict > PG_VERDICT_TO_GW || p->len > p->cap)
				die("emitted packet with a bad verdict or length", k, NULL, 0);
			nv[p->verdict]++;
			if (p->verdict == PG_VERDICT_DROP) {
				if (p->drop_reason >= PG_CNT__COUNT ||
				    p->drop_reason == PG_CNT_NONE)
					die("emitted DROP without a valid reason", k, p->l3,
					    p->len);
				drops[p->drop_reason]++;
				continue;
			}
			if (p->verdict == PG_VERDICT_TO_GW)
				continue;
			if (p->len < 20 || pgt_ip_hlen(p->l3) < 20 || pgt_ip_hlen(p->l3) > p->len ||
			    pgt_ip_total(p->l3) != p->len ||
			    pgt_cksum(p->l3, pgt_ip_hlen(p->l3), 0))
				die("emitted packet with a broken IP header", k, p->l3, p->len);
		}
	}

	if (after[PG_CNT_RX_LAN] - before[PG_CNT_RX_LAN] != rx[0] ||
	    after[PG_CNT_RX_WAN] - before[PG_CNT_RX_WAN] != rx[1])
		die("rx counters do not match the batch", 0, NULL, 0);
	if (after[PG_CNT_TX_LAN] - before[PG_CNT_TX_LAN] != nv[PG_VERDICT_TO_LAN] ||
	    after[PG_CNT_TX_WAN] - before[PG_CNT_TX_WAN] != nv[PG_VERDICT_TO_WAN] ||
	    after[PG_CNT_TO_GW] - before[PG_CNT_TO_GW] != nv[PG_VERDICT_TO_GW])
		die("tx/to_gateway counters do not match the verdicts", 0, NULL, 0);
	for (c = 0; c < PG_CNT__COUNT; c++)
		if (after[c] - before[c] < drops[c])
			die("a drop reason's counter rose less than its drops", c, NULL, 0);
	if (pg_engines_flow_count(set) > (set == &two ? cfg2 : cfg).max_flows)
		die("more flows than max_flows", 0, NULL, 0);

	for (i = 0; i < n; i++)
		free(bufs[i]);
	return 0;
}
