/* SPDX-License-Identifier: MIT */
/*
 * history.c - the rings of per-second samples behind the admin page's
 * graphs (history.h): filled on the data path's thread once a second,
 * read by jobs from the control thread. No allocation after init.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp/history.h"

static const char *const link_col_names[PG_HC_FLOWS] = {
	[PG_HC_LAN_RX_BYTES] = "lan.rx_bytes",	 [PG_HC_LAN_TX_BYTES] = "lan.tx_bytes",
	[PG_HC_WAN_RX_BYTES] = "wan.rx_bytes",	 [PG_HC_WAN_TX_BYTES] = "wan.tx_bytes",
	[PG_HC_LAN_RX_FRAMES] = "lan.rx_frames", [PG_HC_LAN_TX_FRAMES] = "lan.tx_frames",
	[PG_HC_WAN_RX_FRAMES] = "wan.rx_frames", [PG_HC_WAN_TX_FRAMES] = "wan.tx_frames",
	[PG_HC_LAN_L2_DROPS] = "lan.drops",	 [PG_HC_WAN_L2_DROPS] = "wan.drops",
};

static bool is_drop_name(const char *name)
{
	return name && !strncmp(name, "drop_", 5);
}

void pg_history_columns(struct pg_history *h)
{
	memset(h, 0, sizeof(*h));
	for (unsigned int c = 1; c < PG_CNT__COUNT; c++)
		if (is_drop_name(pg_counter_name(c)))
			h->drop_cnt[h->ndrops++] = (uint16_t)c;
	for (unsigned int c = 0; c < PG_L2_CNT__COUNT; c++)
		h->l2_drop[c] = is_drop_name(pg_l2_counter_name(c));
	h->cols = PG_HC_DROPS + h->ndrops;
}

int pg_history_init(struct pg_history *h)
{
	pg_history_columns(h);
	h->ring[PG_HIST_FINE].rows = PG_HIST_FINE_ROWS;
	h->ring[PG_HIST_COARSE].rows = PG_HIST_COARSE_ROWS;
	for (int t = 0; t < 2; t++) {
		struct pg_hist_ring *r = &h->ring[t];

		r->t_ms = calloc(r->rows, sizeof(*r->t_ms));
		r->v = calloc((size_t)r->rows * h->cols, sizeof(*r->v));
		if (!r->t_ms || !r->v) {
			pg_history_fini(h);
			return -ENOMEM;
		}
	}
	return 0;
}

void pg_history_fini(struct pg_history *h)
{
	for (int t = 0; t < 2; t++) {
		free(h->ring[t].t_ms);
		free(h->ring[t].v);
		h->ring[t].t_ms = NULL;
		h->ring[t].v = NULL;
	}
}

bool pg_history_is_gauge(unsigned int c)
{
	return c >= PG_HC_FLOWS && c < PG_HC_DROPS;
}

const char *pg_history_col_name(const struct pg_history *h, unsigned int c, char *buf,
				unsigned int len)
{
	if (c < PG_HC_FLOWS)
		snprintf(buf, len, "%s", link_col_names[c]);
	else if (c == PG_HC_FLOWS)
		snprintf(buf, len, "flows");
	else if (c < PG_HC_DROPS)
		snprintf(buf, len, "flows.%s", pg_flow_proto_slot_name(c - PG_HC_FLOWS_PROTO));
	else if (c < h->cols)
		/* "drop_ttl_exceeded" becomes "drop.ttl_exceeded" */
		snprintf(buf, len, "drop.%s", pg_counter_name(h->drop_cnt[c - PG_HC_DROPS]) + 5);
	else
		snprintf(buf, len, "?");
	return buf;
}

void pg_history_row(const struct pg_history *h, const uint64_t *engine_cnt, uint32_t flows,
		    const uint32_t by_proto[PG_FP__COUNT], const uint64_t *l2_cnt[2],
		    uint64_t *row)
{
	memset(row, 0, h->cols * sizeof(*row));
	for (int s = 0; s < 2; s++) {
		const uint64_t *l = l2_cnt[s];
		/* enum pg_side: LAN 0, WAN 1, as the columns are ordered */
		unsigned int off = (unsigned int)s * 2;

		if (!l)
			continue;
		row[PG_HC_LAN_RX_BYTES + off] = l[PG_L2_CNT_RX_BYTES];
		row[PG_HC_LAN_TX_BYTES + off] = l[PG_L2_CNT_TX_BYTES];
		row[PG_HC_LAN_RX_FRAMES + off] = l[PG_L2_CNT_RX_FRAMES];
		row[PG_HC_LAN_TX_FRAMES + off] = l[PG_L2_CNT_TX_FRAMES];
		for (unsigned int c = 0; c < PG_L2_CNT__COUNT; c++)
			if (h->l2_drop[c])
				row[PG_HC_LAN_L2_DROPS + (unsigned int)s] += l[c];
	}
	row[PG_HC_FLOWS] = flows;
	for (unsigned int p = 0; p < PG_FP__COUNT; p++)
		row[PG_HC_FLOWS_PROTO + p] = by_proto[p];
	for (unsigned int d = 0; d < h->ndrops; d++)
		row[PG_HC_DROPS + d] = engine_cnt[h->drop_cnt[d]];
}

static void push(const struct pg_history *h, struct pg_hist_ring *r, uint64_t now_ms,
		 const uint64_t *row)
{
	unsigned int k = (unsigned int)(r->total % r->rows);

	r->t_ms[k] = now_ms;
	memcpy(&r->v[(size_t)k * h->cols], row, h->cols * sizeof(*row));
	r->total++;
}

void pg_history_add(struct pg_history *h, uint64_t now_ms, const uint64_t *row)
{
	if (!h->ring[PG_HIST_FINE].v)
		return;
	push(h, &h->ring[PG_HIST_FINE], now_ms, row);
	if (h->fine_n++ % PG_HIST_COARSE_EVERY == 0)
		push(h, &h->ring[PG_HIST_COARSE], now_ms, row);
}

uint64_t pg_history_total(const struct pg_history *h, enum pg_hist_tier tier)
{
	return h->ring[tier].total;
}

unsigned int pg_history_read(const struct pg_history *h, enum pg_hist_tier tier, uint64_t first,
			     unsigned int n, uint64_t *t_ms, uint64_t *v)
{
	const struct pg_hist_ring *r = &h->ring[tier];
	uint64_t held_from = r->total > r->rows ? r->total - r->rows : 0;

	if (!r->v || first < held_from || first >= r->total)
		return 0;
	if (n > r->total - first)
		n = (unsigned int)(r->total - first);
	for (unsigned int i = 0; i < n; i++) {
		unsigned int k = (unsigned int)((first + i) % r->rows);

		t_ms[i] = r->t_ms[k];
		memcpy(&v[(size_t)i * h->cols], &r->v[(size_t)k * h->cols], h->cols * sizeof(*v));
	}
	return n;
}
