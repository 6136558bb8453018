/* SPDX-License-Identifier: MIT */
/*
 * api_diag.c - "diagnose a VPN server" over the API (docs/API.md
 * "Diagnose"): POST /api/v1/diagnose {"host": "A.B.C.D"} starts a run on
 * its own thread (diag_job.c) and answers 202 at once; GET
 * /api/v1/diagnose shows the last run, its results and advice once done.
 * Nothing here waits for the network.
 *
 * The host is hostile input: a JSON string of at most 15 bytes that must
 * read as a dotted-quad unicast IPv4 address (no names: resolving one
 * would block, and passgatectl resolves names itself), not 0/8, loopback,
 * multicast or reserved, and not one of the gateway's own addresses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl/api_internal.h"
#include "ctl/diag_job.h"
#include "engine/parse.h"
#include "util/log.h"

#define HOST_MAX 15	/* "255.255.255.255" */

int pg_api_diag_host(const char *s, size_t len, uint32_t *addr, char *err, size_t errlen)
{
	char buf[HOST_MAX + 1];
	struct in_addr a;
	uint32_t h;

	if (len == 0 || len > HOST_MAX || memchr(s, '\0', len)) {
		snprintf(err, errlen, "expected an IPv4 address such as 203.0.113.10");
		return -1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1) {
		snprintf(err, errlen, "'%s' is not an IPv4 address (names are resolved by passgatectl)",
			 buf);
		return -1;
	}
	h = ntohl(a.s_addr);
	if (h >> 24 == 0 || h >> 24 == 127 || h >> 28 >= 14) {
		snprintf(err, errlen, "%s is not a unicast address of a server", buf);
		return -1;
	}
	*addr = h;
	return 0;
}

/* The gateway as the advice needs it: WAN address and MTU, switches, forwards. */
static void gateway_view(struct pg_api *api, struct pg_diag_gw *gw)
{
	const struct pg_engine_config *ec = &api->env.cfg->engine;

	memset(gw, 0, sizeof(*gw));
	gw->wan_addr = ntohl(ec->wan_addr);
	gw->wan_mtu = ec->wan_mtu;
	for (int p = 0; p < PG_DIAG__COUNT; p++) {
		uint8_t ipproto;
		uint16_t port;

		pg_diag_proto_port((enum pg_diag_proto)p, &ipproto, &port);
		gw->switched_off[p] = p <= PG_DIAG_IKEV1 ? !ec->ipsec_passthrough :
				      p == PG_DIAG_PPTP ? !ec->pptp_passthrough :
				      p == PG_DIAG_L2TP ? !ec->l2tp_passthrough : false;
		for (unsigned int i = 0; i < ec->nforwards && i < PG_MAX_FORWARDS; i++) {
			const struct pg_port_forward *f = &ec->forwards[i];

			if (f->proto == ipproto && port >= f->wan_lo && port <= f->wan_hi &&
			    f->host != ec->wan_addr)
				gw->forward_host[p] = ntohl(f->host);
		}
		/* PPTP's GRE forwarded to a LAN host takes the server's GRE too. */
		if (p == PG_DIAG_PPTP)
			for (unsigned int i = 0; i < ec->nforwards && i < PG_MAX_FORWARDS; i++)
				if (ec->forwards[i].proto == PG_PROTO_GRE)
					gw->forward_host[p] = ntohl(ec->forwards[i].host);
	}
	if (!gw->wan_addr) {		/* a DHCP WAN: the lease's address */
		struct pg_api_snap snap;

		pg_api_snapshot(api, &snap);
		gw->wan_addr = ntohl(snap.link[1].addr);
	}
}

void pg_api_diag_post(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		      struct pg_api_resp *resp)
{
	struct json_object *body, *host, *o;
	const struct pg_engine_config *ec = &api->env.cfg->engine;
	struct pg_diag_view v;
	struct pg_diag_gw gw;
	char err[128];
	uint32_t addr;
	int r;

	(void)rest;
	body = pg_api_body_object(req, resp);
	if (!body)
		return;
	if (!json_object_object_get_ex(body, "host", &host) ||
	    !json_object_is_type(host, json_type_string)) {
		json_object_put(body);
		pg_api_error(resp, 400, "host", "expected {\"host\": \"A.B.C.D\"}");
		return;
	}
	r = pg_api_diag_host(json_object_get_string(host), (size_t)json_object_get_string_len(host),
			     &addr, err, sizeof(err));
	json_object_put(body);
	if (r) {
		pg_api_error(resp, 400, "host", "%s", err);
		return;
	}
	if (htonl(addr) == ec->wan_addr || htonl(addr) == ec->lan_addr) {
		pg_api_error(resp, 400, "host", "that is the gateway's own address");
		return;
	}
	if (!api->env.cfg->host.path) {
		pg_api_error(resp, 409, NULL, "the probes leave from the gateway's own stack: "
			     "diagnose needs the host path ([host] path = on)");
		return;
	}
	if (!api->env.diagnose) {
		pg_api_error(resp, 503, NULL, "this passgated does not run diagnoses");
		return;
	}
	if (!api->diag && !(api->diag = pg_diag_job_create())) {
		pg_api_error(resp, 500, NULL, "out of memory");
		return;
	}
	gateway_view(api, &gw);
	r = pg_diag_job_start(api->diag, addr, &gw);
	if (r == -EBUSY) {
		pg_api_error(resp, 409, NULL, "a diagnosis is running; wait for its result "
			     "(GET /api/v1/diagnose)");
		return;
	}
	if (r) {
		pg_api_error(resp, 500, NULL, "cannot start the diagnosis: %s", strerror(-r));
		return;
	}
	pg_diag_job_view(api->diag, &v);
	pg_info("diagnose: run %u against %u.%u.%u.%u started", v.id, addr >> 24,
		(addr >> 16) & 255, (addr >> 8) & 255, addr & 255);
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(v.id));
	json_object_object_add(o, "state", json_object_new_string("running"));
	json_object_object_add(o, "host", pg_api_addr(addr));
	pg_api_json(resp, 202, o);
}

static const char *const job_states[] = {"idle", "running", "done"};

static struct json_object *item_json(const struct pg_diag_result *res, const struct pg_diag_advice *adv,
				     enum pg_diag_proto p)
{
	const struct pg_diag_item *it = &res->item[p];
	struct json_object *o = json_object_new_object();
	uint8_t ipproto;
	uint16_t port;

	pg_diag_proto_port(p, &ipproto, &port);
	json_object_object_add(o, "protocol", json_object_new_string(pg_diag_proto_name(p)));
	json_object_object_add(o, "title", json_object_new_string(pg_diag_proto_title(p)));
	json_object_object_add(o, "transport", json_object_new_string(ipproto == 6 ? "tcp" : "udp"));
	json_object_object_add(o, "port", json_object_new_int(port));
	json_object_object_add(o, "state", json_object_new_string(pg_diag_state_name(it->state)));
	json_object_object_add(o, "reachable", json_object_new_boolean(it->state == PG_DIAG_ANSWERED));
	json_object_object_add(o, "answer", json_object_new_string(it->answer));
	json_object_object_add(o, "verdict", json_object_new_string(pg_diag_verdict_name(adv->verdict)));
	json_object_object_add(o, "advice", json_object_new_string(adv->text));
	json_object_object_add(o, "ms", json_object_new_int64(it->ms));
	if (p == PG_DIAG_IKE500 || p == PG_DIAG_IKE4500)
		json_object_object_add(o, "nat_detected",
				       it->state == PG_DIAG_ANSWERED ? json_object_new_boolean(it->nat) : NULL);
	if (p == PG_DIAG_PPTP)
		json_object_object_add(o, "gre", it->gre < 0 ? NULL : json_object_new_boolean(it->gre));
	return o;
}

void pg_api_diag_get(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		     struct pg_api_resp *resp)
{
	struct json_object *o = json_object_new_object(), *arr;
	struct pg_diag_advice adv[PG_DIAG__COUNT];
	struct pg_diag_view v;

	(void)rest;
	(void)req;
	if (!api->diag) {
		json_object_object_add(o, "state", json_object_new_string("idle"));
		pg_api_json(resp, 200, o);
		return;
	}
	pg_diag_job_view(api->diag, &v);
	json_object_object_add(o, "id", json_object_new_int64(v.id));
	json_object_object_add(o, "state", json_object_new_string(job_states[v.state]));
	json_object_object_add(o, "host", pg_api_addr(v.res.server));
	json_object_object_add(o, "elapsed_ms",
			       json_object_new_int64((int64_t)(v.finished_ms - v.started_ms)));
	if (v.state != PG_DIAG_JOB_DONE) {
		pg_api_json(resp, 200, o);
		return;
	}
	json_object_object_add(o, "wan_address", pg_api_addr(v.gw.wan_addr));
	json_object_object_add(o, "double_nat",
			       json_object_new_boolean(pg_diag_double_nat(&v.gw)));
	json_object_object_add(o, "local_address", v.res.local ? pg_api_addr(v.res.local) : NULL);
	pg_diag_advise(&v.gw, &v.res, adv);
	arr = json_object_new_array();
	for (int p = 0; p < PG_DIAG__COUNT; p++)
		json_object_array_add(arr, item_json(&v.res, &adv[p], (enum pg_diag_proto)p));
	json_object_object_add(o, "results", arr);
	pg_api_json(resp, 200, o);
}
