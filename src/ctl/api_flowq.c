/* SPDX-License-Identifier: MIT */
/*
 * api_flowq.c - the query string of GET and DELETE /api/v1/flows turned
 * into a flow filter (proto, helper, lan, remote, host, port, rule; family=6
 * or an IPv6 host for the IPv6 table), and DELETE itself: the matching
 * flows, of either table, ended through a data path job.
 *
 * The query is hostile input. MHD has already split and decoded it into at
 * most PG_API_MAX_ARGS key/value strings; here each value is read whole by
 * a strict parser (digits only, within range; dotted-quad addresses only),
 * a key given twice is refused rather than one copy silently winning, and
 * for DELETE every key must be known and the list must not have been cut
 * short: an ignored or misspelt filter would widen what a DELETE ends, up
 * to the whole table. tests/fuzz/fuzz_api.c drives this through
 * pg_api_handle().
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ctl/api_internal.h"
#include "engine/observe.h"
#include "engine/parse.h"
#include "util/inet.h"
#include "util/log.h"

static const char *const known_keys[] = {"proto", "helper", "lan",   "remote", "host",
					 "port",  "rule",   "family", "limit", "cursor"};

#define N_KNOWN (sizeof(known_keys) / sizeof(known_keys[0]))
/* The keys before "family" filter; family, limit and cursor only shape a GET. */
#define N_FILTER_KEYS 7

static uint8_t proto_parse(const char *s)
{
	static const struct {
		const char *name;
		uint8_t num;
	} names[] = {{"icmp", PG_PROTO_ICMP}, {"tcp", PG_PROTO_TCP}, {"udp", PG_PROTO_UDP},
		     {"gre", PG_PROTO_GRE},   {"esp", PG_PROTO_ESP}};
	uint32_t n;

	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name))
			return names[i].num;
	if (!pg_config_parse_u32(s, &n) && n >= 1 && n <= 255)
		return (uint8_t)n;
	return 0;
}

static uint8_t alg_parse(const char *s)
{
	for (uint8_t a = 1; a <= 3; a++)
		if (!strcmp(s, pg_alg_name(a)))
			return a;
	return 0;
}

/*
 * family=6, or host= an IPv6 address: the IPv6 table, where only proto,
 * port and host apply (no NAT: no public side, no helpers; rule= only as an
 * IPv6 pinhole's id, set by rule_arg()). The IPv4-only keys are refused
 * rather than ignored, for GET and DELETE alike: an ignored filter would
 * widen what a DELETE ends. false (resp filled) when refused.
 */
static bool family_arg(const struct pg_api_req *req, struct pg_flow_filter *f,
		       struct pg_api_resp *resp)
{
	const char *v = pg_api_arg(req, "family"), *h = pg_api_arg(req, "host");
	static const char *const v4only[] = {"helper", "lan", "remote", "rule"};

	if (v && strcmp(v, "4") && strcmp(v, "6")) {
		pg_api_error(resp, 400, "family", "family: expected 4 or 6");
		return false;
	}
	if (h && strchr(h, ':')) {
		/* inet_pton reads the whole string strictly; MHD bounded its length. */
		if (inet_pton(AF_INET6, h, f->host6) != 1) {
			pg_api_error(resp, 400, "host", "host: expected an IPv4 or IPv6 address");
			return false;
		}
		if (v && !strcmp(v, "4")) {
			pg_api_error(resp, 400, "host", "host: an IPv6 address with family=4");
			return false;
		}
		v = "6";
	}
	if (!v || strcmp(v, "6"))
		return true;
	for (unsigned int i = 0; i < sizeof(v4only) / sizeof(v4only[0]); i++) {
		if (pg_api_arg(req, v4only[i])) {
			pg_api_error(resp, 400, v4only[i], "%s: IPv4 flows only (not with family=6)",
				     v4only[i]);
			return false;
		}
	}
	if (h && !strchr(h, ':')) {
		pg_api_error(resp, 400, "host", "host: expected an IPv6 address with family=6");
		return false;
	}
	f->family = 6;
	return true;
}

/* Read an address argument into host order; false (resp filled) when malformed. */
static bool addr_arg(const struct pg_api_req *req, const char *key, uint32_t *out,
		     struct pg_api_resp *resp)
{
	const char *v = pg_api_arg(req, key);
	uint32_t be;

	*out = 0;
	if (!v)
		return true;
	if (pg_config_parse_addr(v, &be) || !be) {
		pg_api_error(resp, 400, key, "%s: expected an IPv4 address", key);
		return false;
	}
	*out = ntohl(be);
	return true;
}

/* Refuse keys given twice, and (strict) unknown keys or a list cut short. */
static bool keys_check(const struct pg_api_req *req, bool strict, struct pg_api_resp *resp)
{
	if (strict && req->args_cut) {
		pg_api_error(resp, 400, NULL, "too many query arguments (at most %u)",
			     PG_API_MAX_ARGS);
		return false;
	}
	for (unsigned int i = 0; i < req->nargs; i++) {
		const char *k = req->args[i].key;
		bool known = false;

		for (unsigned int j = 0; j < N_KNOWN; j++)
			known |= !strcmp(k, known_keys[j]);
		if (strict && !known) {
			pg_api_error(resp, 400, k, "%s: not a flow filter (proto, helper, lan, "
						   "remote, host, port, rule)",
				     k);
			return false;
		}
		for (unsigned int j = 0; j < i; j++) {
			if (known && !strcmp(k, req->args[j].key)) {
				pg_api_error(resp, 400, k, "%s: given twice", k);
				return false;
			}
		}
	}
	return true;
}

/*
 * rule=N: the flows on forward N's public side, whatever LAN host they
 * reach. That is what goes stale when a forward is changed to another
 * host: the old host's flows keep the public port and are kept alive by
 * their own retransmissions (IKE), so the new rule never sees a packet.
 */
static bool rule_arg(const struct pg_api *api, const struct pg_api_req *req, const char *v,
		     struct pg_flow_filter *f, struct pg_api_resp *resp)
{
	const char *fam = pg_api_arg(req, "family");
	const struct pg_config *cfg = api->env.cfg;
	const struct pg_port_forward *r;
	uint32_t n;

	if (pg_config_parse_u32(v, &n) || n >= cfg->nforward_rules) {
		pg_api_error(resp, 400, "rule", "rule: expected a forward's id (0 to %d)",
			     (int)cfg->nforward_rules - 1);
		return false;
	}
	r = &cfg->engine.forwards[n];
	if (f->proto && f->proto != r->proto) {
		pg_api_error(resp, 400, "proto", "proto: rule %u forwards %s", n,
			     pg_proto_name(r->proto));
		return false;
	}
	f->proto = r->proto;
	if (r->v6) {
		/* A pinhole: the host's flows (on its ports, when it opens one). */
		if (f->lan_addr || f->remote_addr || f->alg) {
			pg_api_error(resp, 400, "rule",
				     "rule: %u is an IPv6 pinhole; lan, remote and helper are IPv4 "
				     "only", n);
			return false;
		}
		/* A filter that contradicts the rule is refused, never replaced by it. */
		if ((fam && !strcmp(fam, "4")) ||
		    (f->port && r->wan_lo == r->wan_hi && f->port != r->wan_lo)) {
			pg_api_error(resp, 400, "rule",
				     "rule: %u is an IPv6 pinhole on port %u; family or port "
				     "contradict it", n, r->wan_lo);
			return false;
		}
		f->family = 6;
		/* A suffix's host depends on the prefix of the moment: its ports only. */
		if (!pg_portfwd_is_suffix6(r->host6))
			memcpy(f->host6, r->host6, 16);
		if (r->wan_lo == r->wan_hi)
			f->port = r->wan_lo;
	} else if (r->wan_hi) {
		f->pub_lo = r->wan_lo;
		f->pub_hi = r->wan_hi;
	} else if (!f->lan_addr) {
		/* A whole protocol (GRE, ESP) forwarded: its flows are the host's. */
		f->lan_addr = ntohl(r->host);
	}
	return true;
}

int pg_api_flow_query(const struct pg_api *api, const struct pg_api_req *req, bool strict,
		      struct pg_flow_filter *f, struct pg_api_resp *resp)
{
	const struct pg_engine_config *ec = &api->env.cfg->engine;
	const char *v;
	uint32_t host, n;

	memset(f, 0, sizeof(*f));
	if (!keys_check(req, strict, resp))
		return -1;
	if ((v = pg_api_arg(req, "proto")) && !(f->proto = proto_parse(v))) {
		pg_api_error(resp, 400, "proto",
			     "proto: expected tcp, udp, icmp, gre, esp or a protocol number");
		return -1;
	}
	if ((v = pg_api_arg(req, "helper")) && !(f->alg = alg_parse(v))) {
		pg_api_error(resp, 400, "helper", "helper: expected pptp, ipsec or l2tp");
		return -1;
	}
	if (!family_arg(req, f, resp))
		return -1;
	host = 0;
	if (!addr_arg(req, "lan", &f->lan_addr, resp) ||
	    !addr_arg(req, "remote", &f->remote_addr, resp) ||
	    (f->family != 6 && !addr_arg(req, "host", &host, resp)))
		return -1;
	/* host= is either side: a LAN address filters the LAN end, any other the remote end. */
	if (host) {
		uint32_t mask = ntohl(pg_prefix_mask(ec->lan_prefix));

		if ((host & mask) == (ntohl(ec->lan_addr) & mask))
			f->lan_addr = host;
		else
			f->remote_addr = host;
	}
	if ((v = pg_api_arg(req, "port"))) {
		if (pg_config_parse_u32(v, &n) || n < 1 || n > 65535) {
			pg_api_error(resp, 400, "port", "port: expected a port from 1 to 65535");
			return -1;
		}
		f->port = (uint16_t)n;
	}
	if ((v = pg_api_arg(req, "rule")) && !rule_arg(api, req, v, f, resp))
		return -1;
	if (strict) {
		bool any = false;

		for (unsigned int j = 0; j < N_FILTER_KEYS; j++)
			any |= pg_api_arg(req, known_keys[j]) != NULL;
		if (!any) {
			pg_api_error(resp, 400, NULL,
				     "name the flows to end: host=, rule=, port=, proto=, lan=, "
				     "remote= or helper=");
			return -1;
		}
	}
	return 0;
}

/* "host=192.168.1.10&port=500" for the log: the arguments as given, cut to fit. */
static void describe(const struct pg_api_req *req, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < req->nargs && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%.40s=%.40s", i ? "&" : "",
				 req->args[i].key, req->args[i].value);

		if (w < 0)
			break;
		off += (size_t)w;
	}
}

void pg_api_delete_flows(struct pg_api *api, const struct pg_api_req *req,
			 struct pg_api_resp *resp)
{
	struct pg_flow_filter f;
	struct json_object *o;
	char what[PG_API_LOG_LINE_MAX - 48], line[PG_API_LOG_LINE_MAX];
	unsigned int ended;

	if (pg_api_flow_query(api, req, true, &f, resp))
		return;
	ended = pg_api_flows_clear(api, &f);
	describe(req, what, sizeof(what));
	snprintf(line, sizeof(line), "flows cleared: %u ended (%s)", ended, what);
	pg_api_log_add(api, "info", line);
	pg_info("api: %s", line);
	o = json_object_new_object();
	json_object_object_add(o, "ended", json_object_new_int64(ended));
	pg_api_json(resp, 200, o);
}
