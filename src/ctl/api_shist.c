/* SPDX-License-Identifier: MIT */
/*
 * api_shist.c - GET /api/v1/history/sessions: throughput per VPN session
 * for the admin page's graphs, from the ring of per-second samples in
 * session_hist.c.
 *
 * Sessions live in the flow table, so a sample is a walk of it (the same
 * bounded jobs as GET /api/v1/sessions, api_dp.c). That walk is only worth
 * its cost while someone looks: each request keeps the sampler running for
 * PG_SHIST_WATCH_MS more, and pg_api_tick() takes a sample once a second
 * until then. The first request after a quiet spell starts an empty ring
 * ("sampling_since_ms" says when): the page fills within seconds.
 *
 * Query (hostile input, bounds-checked; tests/fuzz/fuzz_api.c): seconds=N,
 * the window, 2..600 (300).
 */
#include <stdlib.h>
#include <string.h>

#include "ctl/api_internal.h"
#include "ctl/session_hist.h"

#define PG_SHIST_WATCH_MS (10 * 60 * 1000)
#define PG_SHIST_MAX_SESSIONS 256 /* walked per sample: the busiest PG_SHIST_SLOTS are kept */

void pg_api_shist_tick(struct pg_api *api, uint64_t now_ms)
{
	struct pg_vpn_session *buf;
	uint32_t cursor = 0;
	unsigned int n;

	if (!api->shist || now_ms >= api->shist_until_ms || now_ms < api->shist_last_ms + 1000)
		return;
	buf = calloc(PG_SHIST_MAX_SESSIONS, sizeof(*buf));
	if (!buf)
		return;
	n = pg_api_sessions(api, &cursor, buf, PG_SHIST_MAX_SESSIONS);
	pg_shist_add(api->shist, now_ms, buf, n);
	free(buf);
	/* On the second's grid, not drifting by the walk's time. */
	api->shist_last_ms = now_ms - (now_ms - api->shist_last_ms) % 1000;
	if (now_ms - api->shist_last_ms >= 1000)
		api->shist_last_ms = now_ms;
}

static struct json_object *series(const struct pg_shist *h, const struct pg_shist_slot *sl,
				  int dir, uint64_t first, uint64_t total)
{
	struct json_object *o = json_object_new_object(), *vals = json_object_new_array();
	uint64_t last = PG_SHIST_ABSENT;

	for (uint64_t r = first; r < total; r++) {
		unsigned int at = (unsigned int)(r % PG_SHIST_ROWS), pa;
		uint64_t v = sl->bytes[at][dir], pv, dt;

		if (v != PG_SHIST_ABSENT)
			last = v;
		/* The row before, while the ring still holds it (even before the window). */
		pa = (unsigned int)((r + PG_SHIST_ROWS - 1) % PG_SHIST_ROWS);
		pv = r > 0 && r - 1 + PG_SHIST_ROWS >= total ? sl->bytes[pa][dir] : PG_SHIST_ABSENT;
		dt = r > 0 ? h->t_ms[at] - h->t_ms[pa] : 0;
		if (v == PG_SHIST_ABSENT || pv == PG_SHIST_ABSENT || v < pv || !dt)
			json_object_array_add(vals, NULL);
		else
			json_object_array_add(vals,
					      json_object_new_double((double)(v - pv) * 1000.0 / (double)dt));
	}
	json_object_object_add(o, "kind", json_object_new_string("rate"));
	json_object_object_add(o, "values", vals);
	json_object_object_add(o, "last", last == PG_SHIST_ABSENT ? NULL : json_object_new_uint64(last));
	return o;
}

struct json_object *pg_api_shist_json(const struct pg_shist *h, unsigned int seconds)
{
	struct json_object *o = json_object_new_object(), *t = json_object_new_array(),
			   *arr = json_object_new_array();
	uint64_t total = h ? h->total : 0, first;

	first = total > seconds ? total - seconds : 0;
	for (uint64_t r = first; r < total; r++)
		json_object_array_add(t, json_object_new_uint64(h->t_ms[r % PG_SHIST_ROWS]));
	for (unsigned int i = 0; h && i < PG_SHIST_SLOTS; i++) {
		const struct pg_shist_slot *sl = &h->slot[i];
		struct json_object *s;

		/* Only sessions seen in the window. */
		if (!sl->used || !total || sl->seen < first)
			continue;
		s = json_object_new_object();
		json_object_object_add(s, "kind",
				       json_object_new_string(pg_api_vpn_kind_name(sl->key.kind)));
		json_object_object_add(s, "client", pg_api_addr(sl->key.client));
		json_object_object_add(s, "client_port", json_object_new_int(sl->key.client_port));
		json_object_object_add(s, "server", pg_api_addr(sl->key.server));
		json_object_object_add(s, "server_port", json_object_new_int(sl->key.server_port));
		if (sl->key.spi_out)
			json_object_object_add(s, "spi_out", json_object_new_int64(sl->key.spi_out));
		json_object_object_add(s, "out", series(h, sl, 0, first, total));
		json_object_object_add(s, "in", series(h, sl, 1, first, total));
		json_object_array_add(arr, s);
	}
	json_object_object_add(o, "step_s", json_object_new_int(1));
	json_object_object_add(o, "t_ms", t);
	json_object_object_add(o, "sessions", arr);
	return o;
}

void pg_api_shist_get(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		      struct pg_api_resp *resp)
{
	const char *v = pg_api_arg(req, "seconds");
	struct json_object *o;
	uint32_t secs = 300;

	(void)rest;
	for (unsigned int i = 0; i < req->nargs; i++)
		if (strcmp(req->args[i].key, "seconds")) {
			pg_api_error(resp, 400, req->args[i].key, "unknown argument '%s' (seconds)",
				     req->args[i].key);
			return;
		}
	if (v && (pg_config_parse_u32(v, &secs) || secs < 2 || secs > PG_SHIST_ROWS)) {
		pg_api_error(resp, 400, "seconds", "seconds: a whole number from 2 to %u",
			     PG_SHIST_ROWS);
		return;
	}
	if (!api->shist) {
		api->shist = pg_shist_create();
		if (!api->shist) {
			pg_api_error(resp, 500, NULL, "out of memory");
			return;
		}
	}
	if (api->now_ms >= api->shist_until_ms) {
		/* Quiet since the last look: what the ring holds is old. */
		struct pg_shist *h = api->shist;

		memset(h, 0, sizeof(*h));
		api->shist_since_ms = api->now_ms;
		api->shist_last_ms = 0;
	}
	api->shist_until_ms = api->now_ms + PG_SHIST_WATCH_MS;
	o = pg_api_shist_json(api->shist, secs);
	json_object_object_add(o, "now_ms", json_object_new_uint64(api->now_ms));
	json_object_object_add(o, "sampling_since_ms", json_object_new_uint64(api->shist_since_ms));
	pg_api_json(resp, 200, o);
}
