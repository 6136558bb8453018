/* SPDX-License-Identifier: MIT */
/*
 * history.h - the gateway's recent past for the admin page's graphs: a
 * row of counter and gauge values sampled every second on the data path's
 * timer, kept in two fixed rings (the last hour at 1 s, the last day at
 * 1 min). Memory is allocated once at start and never grows.
 *
 * A row holds cumulative counters as they were (bytes and frames per link,
 * drops by reason) and gauges (flows): a rate is the difference of two
 * rows, so a coarse row is simply every 60th fine one and nothing is
 * summed or lost between tiers. The ring is pure data: the data path fills
 * it (datapath.c), the control thread copies rows out through a job
 * (api_history.c), and tests drive it directly.
 */
#ifndef PG_HISTORY_H
#define PG_HISTORY_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/counters.h"
#include "engine/observe.h"
#include "l2/l2_counters.h"

#define PG_HIST_FINE_ROWS 3600	 /* 1 s apart: one hour */
#define PG_HIST_COARSE_ROWS 1440 /* PG_HIST_COARSE_EVERY fine rows apart: one day */
#define PG_HIST_COARSE_EVERY 60

/* The columns of a row. Link columns first, then gauges, then drops. */
enum pg_hist_col {
	PG_HC_LAN_RX_BYTES,
	PG_HC_LAN_TX_BYTES,
	PG_HC_WAN_RX_BYTES,
	PG_HC_WAN_TX_BYTES,
	PG_HC_LAN_RX_FRAMES,
	PG_HC_LAN_TX_FRAMES,
	PG_HC_WAN_RX_FRAMES,
	PG_HC_WAN_TX_FRAMES,
	PG_HC_LAN_L2_DROPS, /* the link's drops, all layer 2 reasons together */
	PG_HC_WAN_L2_DROPS,
	PG_HC_FLOWS,	      /* gauge: flows in the table */
	PG_HC_FLOWS_PROTO,    /* gauges: PG_FP__COUNT columns, flows by protocol */
	PG_HC_DROPS = PG_HC_FLOWS_PROTO + PG_FP__COUNT, /* engine drops: one per reason */
};

enum pg_hist_tier { PG_HIST_FINE, PG_HIST_COARSE };

struct pg_history {
	unsigned int ndrops;			 /* engine drop reasons */
	uint16_t drop_cnt[PG_CNT__COUNT];	 /* their counter ids */
	bool l2_drop[PG_L2_CNT__COUNT];		 /* layer 2 counters that count drops */
	unsigned int cols;			 /* PG_HC_DROPS + ndrops */
	unsigned int fine_n;			 /* rows since start, for the coarse tier */
	/*
	 * Row number s (0, 1, ... since start) lives at index s % rows while
	 * total - rows <= s < total: readers name rows by number, so a row
	 * added between two of their jobs does not shift what they read.
	 */
	struct pg_hist_ring {
		unsigned int rows;
		uint64_t total;	/* rows ever added */
		uint64_t *t_ms; /* rows: the sample's clock */
		uint64_t *v;	/* rows x cols */
	} ring[2];
};

/* The columns only (names, count), no rings: enough to parse a query. */
void pg_history_columns(struct pg_history *h);
/* The columns, and both rings allocated (a few megabytes). 0 or -ENOMEM. */
int pg_history_init(struct pg_history *h);
void pg_history_fini(struct pg_history *h);

/* Is column c a gauge (shown as is) rather than a counter (shown as a rate)? */
bool pg_history_is_gauge(unsigned int c);

/*
 * The name of column c of h ("wan.rx_bytes", "flows.udp", "drop.ttl_exceeded"...)
 * written to buf. Returns buf.
 */
const char *pg_history_col_name(const struct pg_history *h, unsigned int c, char *buf,
				unsigned int len);

/*
 * Fill row (h->cols values) from the engines' summed counters, the flow
 * counts and the two links' layer 2 counters.
 */
void pg_history_row(const struct pg_history *h, const uint64_t *engine_cnt, uint32_t flows,
		    const uint32_t by_proto[PG_FP__COUNT], const uint64_t *l2_cnt[2],
		    uint64_t *row);

/* Append a row taken at now_ms (every PG_HIST_COARSE_EVERY-th also to the coarse tier). */
void pg_history_add(struct pg_history *h, uint64_t now_ms, const uint64_t *row);

/* Rows ever added to tier; those still held are the last min(total, rows). */
uint64_t pg_history_total(const struct pg_history *h, enum pg_hist_tier tier);

/*
 * Copy rows number first .. first + n - 1 of tier into t_ms[] and v[]
 * (n x h->cols). Returns the rows copied: fewer when the last ones were
 * not added yet; 0 when first is no longer held (overwritten) or beyond.
 */
unsigned int pg_history_read(const struct pg_history *h, enum pg_hist_tier tier, uint64_t first,
			     unsigned int n, uint64_t *t_ms, uint64_t *v);

#endif /* PG_HISTORY_H */
