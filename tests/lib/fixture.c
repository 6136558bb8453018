/* SPDX-License-Identifier: MIT */
/*
 * fixture.c - create the test engine and run packets through it.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "pktbuild6.h"

void pgt_config(struct pg_engine_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	pg_engine_config_defaults(cfg);
	cfg->lan_addr = htonl(pgt_addr(PGT_LAN_ADDR));
	cfg->lan_prefix = 24;
	cfg->wan_addr = htonl(pgt_addr(PGT_WAN_ADDR));
	cfg->wan_prefix = 24;
	cfg->wan_gateway = htonl(pgt_addr(PGT_WAN_NEXT_HOP));
	/*
	 * A small table: creating a default-sized (1M flow) engine per table row
	 * costs half a second under the sanitizers. Tests about sizes set it.
	 */
	cfg->max_flows = 4096;
	cfg->hash_seed[0] = PGT_SEED0;
	cfg->hash_seed[1] = PGT_SEED1;
}

void pgt_config6(struct pg_engine_config *cfg)
{
	pgt_config(cfg);
	pgt6_addr("2001:db8:1::1", cfg->lan6_addr);
	cfg->lan6_prefix = 64;
	pgt6_addr("2001:db8:ffff::2", cfg->wan6_addr);
	cfg->wan6_prefix = 64;
	pgt6_addr("2001:db8:ffff::1", cfg->wan6_gateway);
}

struct pg_engine *pgt_engine_default(void)
{
	struct pg_engine_config cfg;

	pgt_config(&cfg);
	return pgt_engine_new(&cfg);
}

struct pg_engine *pgt_engine_new(const struct pg_engine_config *cfg)
{
	const char *why = "?";
	struct pg_engine *e;

	if (pg_engine_config_validate(cfg, &why) != 0) {
		fprintf(stderr, "fixture: configuration refused: %s\n", why);
		return NULL;
	}
	e = pg_engine_create(cfg);
	if (!e)
		perror("fixture: pg_engine_create");
	return e;
}

const char *pgt_verdict_name(unsigned int v)
{
	static const char *const names[] = { "DROP", "TO_LAN", "TO_WAN", "TO_GW" };

	return v < 4 ? names[v] : "INVALID";
}

const char *pgt_counter(unsigned int c)
{
	return c < PG_CNT__COUNT ? pg_counter_name(c) : "?";
}

int pgt_run(struct pg_engine *e, struct pgt_pkt *pkts, unsigned int n, uint64_t now_ms, char *err,
	    size_t errlen)
{
	struct pg_pkt *pp = calloc(n ? n : 1, sizeof(*pp));
	uint8_t **bufs = calloc(n ? n : 1, sizeof(*bufs));
	int rc = 0;
	unsigned int i;

	if (!pp || !bufs) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
		goto out;
	}
	for (i = 0; i < n; i++) {
		uint32_t cap = pkts[i].cap ? pkts[i].cap : pkts[i].len + PG_PKT_ERROR_GROWTH;

		if (cap > PGT_BUF)
			cap = PGT_BUF;
		if (cap < pkts[i].len)
			cap = pkts[i].len;
		/* Exactly cap bytes, so the sanitizer sees any write beyond it. */
		bufs[i] = malloc(cap ? cap : 1);
		if (!bufs[i]) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
			goto out;
		}
		memcpy(bufs[i], pkts[i].buf, pkts[i].len);
		pp[i].l3 = bufs[i];
		pp[i].len = pkts[i].len;
		pp[i].cap = cap;
		pp[i].side = pkts[i].side;
		pp[i].verdict = 0xee;
		pp[i].drop_reason = 0xeeee;
	}
	pg_engine_run(e, pp, n, now_ms);
	for (i = 0; i < n; i++) {
		struct pgt_pkt *p = &pkts[i];

		if (pp[i].verdict > PG_VERDICT_TO_GW) {
			snprintf(err, errlen, "packet %u: verdict %u out of range", i,
				 pp[i].verdict);
			rc = -1;
			continue;
		}
		if (pp[i].verdict == PG_VERDICT_DROP && pp[i].drop_reason >= PG_CNT__COUNT) {
			snprintf(err, errlen, "packet %u: drop reason %u out of range", i,
				 pp[i].drop_reason);
			rc = -1;
			continue;
		}
		p->verdict = pp[i].verdict;
		p->drop_reason = pp[i].verdict == PG_VERDICT_DROP ? pp[i].drop_reason : 0;
		p->next_hop = ntohl(pp[i].next_hop);
		memcpy(p->next_hop6, pp[i].next_hop6, 16);
		if (pp[i].l3 < bufs[i] || pp[i].len > pp[i].cap ||
		    (size_t)(pp[i].l3 - bufs[i]) + pp[i].len > pp[i].cap) {
			snprintf(
			    err, errlen,
			    "packet %u: l3/len (offset %td, len %u) outside its %u-byte buffer", i,
			    pp[i].l3 - bufs[i], pp[i].len, pp[i].cap);
			rc = -1;
			continue;
		}
		memcpy(p->buf, pp[i].l3, pp[i].len);
		p->len = pp[i].len;
	}
out:
	if (bufs)
		for (i = 0; i < n; i++)
			free(bufs[i]);
	free(bufs);
	free(pp);
	return rc;
}
