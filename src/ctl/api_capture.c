/* SPDX-License-Identifier: MIT */
/*
 * api_capture.c - the capture endpoints (docs/API.md "Capture"): arm a
 * capture of what crosses the gateway, watch it, stop it, fetch the pcap.
 *
 * Everything here needs credentials, reads included: a capture holds
 * other people's packets. The capture itself lives in the data path
 * (src/dp/capture.c) and only the data path's thread touches it while it
 * runs: arming, stopping and reading the counts are jobs it runs between
 * two passes (dp/handoff.h), so they never race the hook. The slow parts
 * stay on the control thread: the filter is compiled with libpcap and the
 * buffer allocated before the job that arms it (a refused expression
 * answers 400 with field "filter" and libpcap's own words), a finished
 * capture's buffer is freed after the job that lets go of it, and the pcap
 * file is written from a finished capture, which the hook no longer
 * touches.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/api_internal.h"
#include "dp/capture.h"
#include "util/log.h"

#define DEFAULT_SECONDS 10 /* neither seconds nor packets given */

static const char *link_name(unsigned int links)
{
	switch (links) {
	case PG_CAPTURE_LINK_LAN:
		return "lan";
	case PG_CAPTURE_LINK_WAN:
		return "wan";
	default:
		return "any";
	}
}

static struct pg_capture *capture_of(struct pg_api *api, struct pg_api_resp *resp)
{
	if (!api->env.capture)
		pg_api_error(resp, 503, NULL, "capture needs the data path (not in this process)");
	return api->env.capture;
}

enum cap_op { CAP_READ, CAP_ARM, CAP_STOP, CAP_CLEAR };

/* One job on the data path's thread: do op, then copy the capture's state out. */
struct cap_job {
	struct pg_api *api;
	struct pg_capture *c;
	enum cap_op op;
	struct pg_capture_prep prep; /* CAP_ARM: in, then what c held; CAP_CLEAR: out */
	int r;
	struct pg_capture copy; /* pointers in it belong to c: read, never free */
};

static void cap_fn(void *arg)
{
	struct cap_job *j = arg;

	pg_capture_update(j->c, j->api->now_ms);
	switch (j->op) {
	case CAP_ARM:
		j->r = pg_capture_arm(j->c, &j->prep, j->api->now_ms);
		break;
	case CAP_STOP:
		pg_capture_stop(j->c, "stopped");
		break;
	case CAP_CLEAR:
		pg_capture_stop(j->c, "stopped");
		pg_capture_detach(j->c, &j->prep);
		break;
	case CAP_READ:
		break;
	}
	j->copy = *j->c;
}

/* Run op between two passes; j->copy holds the state after it. */
static void cap_run(struct pg_api *api, struct pg_capture *c, enum cap_op op, struct cap_job *j)
{
	j->api = api;
	j->c = c;
	j->op = op;
	j->r = 0;
	if (op != CAP_ARM)
		memset(&j->prep, 0, sizeof(j->prep));
	pg_api_on_dp(api, cap_fn, j);
}

static void answer_status(struct pg_api *api, const struct pg_capture *c, struct pg_api_resp *resp)
{
	struct json_object *o = json_object_new_object();
	bool held = c->state != PG_CAPTURE_IDLE;

	json_object_object_add(o, "state", json_object_new_string(pg_capture_state_name(c->state)));
	if (held) {
		json_object_object_add(o, "filter", json_object_new_string(c->filter));
		json_object_object_add(o, "link", json_object_new_string(link_name(c->links)));
		json_object_object_add(o, "linktype",
				       json_object_new_string(c->dlt == DLT_EN10MB ? "EN10MB"
										  : "LINUX_SLL2"));
		json_object_object_add(o, "started", json_object_new_int64(c->started_s));
		json_object_object_add(o, "seconds_left",
				       c->state == PG_CAPTURE_RUNNING && c->deadline_ms
					       ? json_object_new_uint64(
							 c->deadline_ms > api->now_ms
								 ? (c->deadline_ms - api->now_ms + 999) / 1000
								 : 0)
					       : NULL);
		json_object_object_add(o, "max_packets",
				       c->max_packets ? json_object_new_int64(c->max_packets) : NULL);
		json_object_object_add(o, "ended_by",
				       c->end_reason ? json_object_new_string(c->end_reason) : NULL);
	}
	json_object_object_add(o, "frames_seen", json_object_new_uint64(c->seen));
	json_object_object_add(o, "frames_matched", json_object_new_uint64(c->matched));
	json_object_object_add(o, "packets", json_object_new_int64(c->packets));
	json_object_object_add(o, "bytes", json_object_new_uint64(c->bytes));
	json_object_object_add(o, "no_room", json_object_new_uint64(c->no_room));
	json_object_object_add(o, "buffer_used", json_object_new_uint64(c->used));
	json_object_object_add(o, "buffer_size", json_object_new_int64(PG_CAPTURE_BUF_MAX));
	pg_api_json(resp, 200, o);
}

/* A whole number option; false with resp filled when present and not one. */
static bool uint_opt(struct json_object *body, const char *key, uint32_t max, uint32_t *out,
		     struct pg_api_resp *resp)
{
	struct json_object *v;
	int64_t n;

	*out = 0;
	if (!json_object_object_get_ex(body, key, &v) || !v)
		return true;
	if (!json_object_is_type(v, json_type_int)) {
		pg_api_error(resp, 400, key, "%s: expected a whole number", key);
		return false;
	}
	n = json_object_get_int64(v);
	if (n < 1 || n > max) {
		pg_api_error(resp, 400, key, "%s: expected a whole number from 1 to %u", key, max);
		return false;
	}
	*out = (uint32_t)n;
	return true;
}

/* Read the request's options into o; false with resp filled. */
static bool read_opts(struct json_object *body, struct pg_capture_opts *o,
		      struct pg_api_resp *resp)
{
	struct json_object *v;

	json_object_object_foreach(body, key, val) {
		(void)val;
		if (strcmp(key, "seconds") && strcmp(key, "packets") && strcmp(key, "filter") &&
		    strcmp(key, "link")) {
			pg_api_error(resp, 400, key,
				     "%.64s: unknown option (seconds, packets, filter, link)", key);
			return false;
		}
	}
	if (!uint_opt(body, "seconds", PG_CAPTURE_SECONDS_MAX, &o->seconds, resp) ||
	    !uint_opt(body, "packets", PG_CAPTURE_PACKETS_MAX, &o->packets, resp))
		return false;
	if (!o->seconds && !o->packets)
		o->seconds = DEFAULT_SECONDS;
	o->links = PG_CAPTURE_LINK_ANY;
	if (json_object_object_get_ex(body, "link", &v) && v) {
		const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v)
									  : "";

		if (!strcmp(s, "lan"))
			o->links = PG_CAPTURE_LINK_LAN;
		else if (!strcmp(s, "wan"))
			o->links = PG_CAPTURE_LINK_WAN;
		else if (strcmp(s, "any")) {
			pg_api_error(resp, 400, "link", "link: expected \"lan\", \"wan\" or \"any\"");
			return false;
		}
	}
	o->filter = NULL;
	if (json_object_object_get_ex(body, "filter", &v) && v) {
		if (!json_object_is_type(v, json_type_string)) {
			pg_api_error(resp, 400, "filter",
				     "filter: expected a pcap filter expression as a string");
			return false;
		}
		o->filter = json_object_get_string(v);
	}
	return true;
}

void pg_api_capture_post(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			 struct pg_api_resp *resp)
{
	struct pg_capture *c = capture_of(api, resp);
	struct pg_capture_opts o = {0};
	struct json_object *body;
	struct cap_job *j;
	const char *field;
	char err[PG_CAPTURE_FILTER_MAX + 128];
	int r;

	(void)rest;
	if (!c)
		return;
	body = req->body_len ? pg_api_body_object(req, resp) : json_object_new_object();
	if (!body)
		return;
	if (!read_opts(body, &o, resp)) {
		json_object_put(body);
		return;
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		json_object_put(body);
		pg_api_error(resp, 500, NULL, "out of memory");
		return;
	}
	/* The slow part here: compile the filter, allocate the buffer. */
	r = pg_capture_prepare(&j->prep, &o, err, sizeof(err), &field);
	json_object_put(body);
	if (r) {
		free(j);
		pg_api_error(resp, r == -EINVAL ? 400 : 500, field, "%s", err);
		return;
	}
	cap_run(api, c, CAP_ARM, j);
	/* Armed: what the capture held before. Refused: the prepared one. Both go. */
	pg_capture_prep_free(&j->prep);
	if (j->r == -EBUSY) {
		free(j);
		pg_api_error(resp, 409, NULL,
			     "a capture is already running: stop it first (POST /api/v1/capture/stop)");
		return;
	}
	pg_info("capture: started on %s link%s, filter '%s', %u s, %u packets",
		link_name(j->copy.links), j->copy.links == PG_CAPTURE_LINK_ANY ? "s" : "",
		j->copy.filter, o.seconds, o.packets);
	answer_status(api, &j->copy, resp);
	free(j);
}

/* A job of op, then its answer. */
static void cap_simple(struct pg_api *api, enum cap_op op, struct pg_api_resp *resp)
{
	struct pg_capture *c = capture_of(api, resp);
	struct cap_job *j;

	if (!c)
		return;
	j = calloc(1, sizeof(*j));
	if (!j) {
		pg_api_error(resp, 500, NULL, "out of memory");
		return;
	}
	cap_run(api, c, op, j);
	pg_capture_prep_free(&j->prep); /* CAP_CLEAR: the buffer, freed off the data path */
	answer_status(api, &j->copy, resp);
	free(j);
}

void pg_api_capture_get(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			struct pg_api_resp *resp)
{
	(void)rest;
	(void)req;
	cap_simple(api, CAP_READ, resp);
}

void pg_api_capture_stop(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			 struct pg_api_resp *resp)
{
	(void)rest;
	(void)req;
	cap_simple(api, CAP_STOP, resp);
}

void pg_api_capture_delete(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			   struct pg_api_resp *resp)
{
	(void)rest;
	(void)req;
	cap_simple(api, CAP_CLEAR, resp);
}

void pg_api_capture_pcap(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			 struct pg_api_resp *resp)
{
	struct pg_capture *c = capture_of(api, resp);
	struct cap_job *j;
	uint8_t *file;
	size_t len;
	int r;

	(void)rest;
	(void)req;
	if (!c)
		return;
	j = calloc(1, sizeof(*j));
	if (!j) {
		pg_api_error(resp, 500, NULL, "out of memory");
		return;
	}
	cap_run(api, c, CAP_READ, j);
	/*
	 * A finished capture is no longer touched by the hook, and only this
	 * thread re-arms or clears it: the copy's buffer is safe to read here.
	 */
	r = pg_capture_pcap(&j->copy, &file, &len);
	free(j);
	if (r == -EAGAIN) {
		pg_api_error(resp, 409, NULL,
			     "the capture is still running (wait, or POST /api/v1/capture/stop)");
		return;
	}
	if (r == -ENOENT) {
		pg_api_error(resp, 404, NULL, "no capture: start one with POST /api/v1/capture");
		return;
	}
	if (r) {
		pg_api_error(resp, 500, NULL, "out of memory writing the pcap");
		return;
	}
	resp->status = 200;
	resp->content_type = "application/vnd.tcpdump.pcap";
	resp->body = (char *)file;
	resp->len = len;
	pg_info("capture: pcap fetched, %zu bytes", len);
}
