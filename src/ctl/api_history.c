/* SPDX-License-Identifier: MIT */
/*
 * api_history.c - GET /api/v1/history: the graphs' samples (dp/history.h)
 * as JSON, counters turned into rates per second, gauges as they were.
 *
 * The rows are copied out of the data path's ring by jobs of at most
 * PG_API_HIST_JOB_ROWS rows each (a few hundred kilobytes of memcpy at the
 * most), naming rows by number so that a row added between two jobs does
 * not shift the window. Rates and JSON are made here, on the control thread.
 *
 * Query (hostile input, bounds-checked; tests/fuzz/fuzz_api.c): step=1
 * (the last hour, default) or step=60 (the last day); seconds=N, the
 * window (default 300; at most what the tier holds); series=a,b,... (at
 * most PG_API_HIST_SERIES_MAX names, each a known column; default all).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/api_internal.h"
#include "dp/history.h"

#define PG_API_HIST_JOB_ROWS 256
#define PG_API_HIST_SERIES_MAX 64
#define PG_API_HIST_NAME_MAX 48

struct hist_query {
	enum pg_hist_tier tier;
	unsigned int step_s, points;
	bool want[PG_HC_DROPS + PG_CNT__COUNT]; /* by column; all when none named */
};

struct hist_job {
	struct pg_history *h;
	enum pg_hist_tier tier;
	uint64_t first, total;
	unsigned int n, got;
	uint64_t *t_ms, *v;
};

static void hist_fn(void *arg)
{
	struct hist_job *j = arg;

	j->total = pg_history_total(j->h, j->tier);
	j->got = j->n ? pg_history_read(j->h, j->tier, j->first, j->n, j->t_ms, j->v) : 0;
}

/* A column by name, or -1. */
static int col_of(const struct pg_history *cols, const char *name, size_t len)
{
	char buf[PG_API_HIST_NAME_MAX];

	for (unsigned int c = 0; c < cols->cols; c++) {
		pg_history_col_name(cols, c, buf, sizeof(buf));
		if (strlen(buf) == len && !memcmp(buf, name, len))
			return (int)c;
	}
	return -1;
}

static int parse(const struct pg_api_req *req, const struct pg_history *cols,
		 struct hist_query *q, struct pg_api_resp *resp)
{
	const char *v = pg_api_arg(req, "step"), *s;
	uint32_t n, max_s, secs = 300;
	unsigned int named = 0;

	memset(q, 0, sizeof(*q));
	for (unsigned int i = 0; i < req->nargs; i++)
		for (unsigned int j = 0; j < i; j++)
			if (!strcmp(req->args[i].key, req->args[j].key)) {
				pg_api_error(resp, 400, req->args[i].key, "%s: given twice",
					     req->args[i].key);
				return -1;
			}
	q->tier = PG_HIST_FINE;
	q->step_s = 1;
	if (v && (pg_config_parse_u32(v, &n) || (n != 1 && n != PG_HIST_COARSE_EVERY))) {
		pg_api_error(resp, 400, "step", "step: expected 1 or %u (seconds)",
			     PG_HIST_COARSE_EVERY);
		return -1;
	}
	if (v && n == PG_HIST_COARSE_EVERY) {
		q->tier = PG_HIST_COARSE;
		q->step_s = PG_HIST_COARSE_EVERY;
	}
	max_s = q->step_s * (q->tier == PG_HIST_FINE ? PG_HIST_FINE_ROWS : PG_HIST_COARSE_ROWS);
	if ((v = pg_api_arg(req, "seconds")) &&
	    (pg_config_parse_u32(v, &secs) || secs < q->step_s || secs > max_s)) {
		pg_api_error(resp, 400, "seconds", "seconds: expected %u to %u for step %u",
			     q->step_s, max_s, q->step_s);
		return -1;
	}
	q->points = secs / q->step_s;
	if (!(s = pg_api_arg(req, "series"))) {
		for (unsigned int c = 0; c < cols->cols; c++)
			q->want[c] = true;
		return 0;
	}
	for (;;) {
		size_t len = strcspn(s, ",");
		int c = len ? col_of(cols, s, len) : -1; /* "a,,b", "a," and "" name nothing */

		if (c < 0 || ++named > PG_API_HIST_SERIES_MAX) {
			pg_api_error(resp, 400, "series",
				     "series: expected at most %u known names, comma-separated "
				     "(wan.rx_bytes, flows, drop.ttl_exceeded, ...)",
				     PG_API_HIST_SERIES_MAX);
			return -1;
		}
		q->want[c] = true;
		if (!s[len])
			return 0;
		s += len + 1;
	}
}

/* Copy rows [first, first + n) out, a job at a time; returns the rows got. */
static unsigned int copy_rows(struct pg_api *api, struct hist_job *j, uint64_t first,
			      unsigned int n)
{
	unsigned int got = 0, cols = j->h->cols;
	uint64_t *t_ms = j->t_ms, *v = j->v;

	while (got < n) {
		j->first = first + got;
		j->n = n - got < PG_API_HIST_JOB_ROWS ? n - got : PG_API_HIST_JOB_ROWS;
		j->t_ms = t_ms + got;
		j->v = v + (size_t)got * cols;
		pg_api_on_dp(api, hist_fn, j);
		if (!j->got)
			break; /* overwritten meanwhile (cannot be for an hour's ring) */
		got += j->got;
	}
	j->t_ms = t_ms;
	j->v = v;
	return got;
}

static struct json_object *series_json(const struct pg_history *h, unsigned int c,
				       const uint64_t *t_ms, const uint64_t *v, unsigned int rows,
				       bool have_before)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();
	bool gauge = pg_history_is_gauge(c);
	unsigned int cols = h->cols;

	/* Row 0 is the one before the window when have_before: it only starts the first rate. */
	for (unsigned int i = have_before ? 1 : 0; i < rows; i++) {
		uint64_t cur = v[(size_t)i * cols + c], prev, dt;

		if (gauge) {
			json_object_array_add(a, json_object_new_int64((int64_t)cur));
			continue;
		}
		if (!i) {
			json_object_array_add(a, NULL); /* no earlier row: no rate */
			continue;
		}
		prev = v[(size_t)(i - 1) * cols + c];
		dt = t_ms[i] - t_ms[i - 1];
		json_object_array_add(a, json_object_new_int64(
						 cur >= prev && dt ? (int64_t)((cur - prev) * 1000 / dt)
								   : 0));
	}
	json_object_object_add(o, "kind", json_object_new_string(gauge ? "gauge" : "rate"));
	json_object_object_add(o, "values", a);
	json_object_object_add(o, "last", rows ? json_object_new_uint64(v[(size_t)(rows - 1) * cols + c])
					       : NULL);
	return o;
}

void pg_api_get_history(struct pg_api *api, const struct pg_api_req *req,
			struct pg_api_resp *resp)
{
	static struct pg_history cols; /* names only: the query is checked before any job */
	struct hist_job j = {.h = api->env.history};
	struct hist_query q;
	struct json_object *o, *t, *ser;
	uint64_t first, want;
	unsigned int rows;
	bool have_before;
	char name[PG_API_HIST_NAME_MAX];

	if (!cols.cols)
		pg_history_columns(&cols);
	if (parse(req, &cols, &q, resp))
		return;
	if (!j.h) {
		pg_api_error(resp, 503, NULL, "no history: the data path keeps it");
		return;
	}
	j.tier = q.tier;
	pg_api_on_dp(api, hist_fn, &j); /* j.n 0: only the row count */
	want = (uint64_t)q.points + 1;	/* one more: the first point's rate */
	first = j.total > want ? j.total - want : 0;
	have_before = j.total > q.points;
	j.t_ms = calloc((size_t)want, sizeof(*j.t_ms));
	j.v = calloc((size_t)want * j.h->cols, sizeof(*j.v));
	if (!j.t_ms || !j.v) {
		free(j.t_ms);
		free(j.v);
		pg_api_error(resp, 500, NULL, "out of memory");
		return;
	}
	rows = copy_rows(api, &j, first, (unsigned int)(j.total - first));
	if (rows < 2)
		have_before = false;
	o = json_object_new_object();
	json_object_object_add(o, "step_s", json_object_new_int((int)q.step_s));
	json_object_object_add(o, "now_ms", json_object_new_uint64(api->now_ms));
	t = json_object_new_array();
	for (unsigned int i = have_before ? 1 : 0; i < rows; i++)
		json_object_array_add(t, json_object_new_uint64(j.t_ms[i]));
	json_object_object_add(o, "t_ms", t);
	ser = json_object_new_object();
	for (unsigned int c = 0; c < j.h->cols; c++)
		if (q.want[c])
			json_object_object_add(ser, pg_history_col_name(j.h, c, name, sizeof(name)),
					       series_json(j.h, c, j.t_ms, j.v, rows, have_before));
	json_object_object_add(o, "series", ser);
	free(j.t_ms);
	free(j.v);
	pg_api_json(resp, 200, o);
}
