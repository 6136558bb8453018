/* SPDX-License-Identifier: MIT */
/*
 * config_host.c - the values of [host] and [input] (docs/CONFIG.md):
 *
 *   [input] lan = tcp 22, udp 53, tcp 8000-8010, gre     (or: none)
 *   [input] wan = udp 51820, tcp 2222                   (or: none)
 *   [host] routes = 10.9.0.0/24, 10.10.0.0/16           (or: none)
 *
 * and what follows from them once the whole file is read: the host
 * devices' default names, and the WAN input rules compiled into port
 * forwards whose host is the WAN address (the engine's way of opening a
 * service of the gateway itself to the WAN).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/config.h"
#include "engine/parse.h"

/* Split s at commas into trimmed items; calls item() for each. An empty item is an error. */
static int each_item(const char *s, int (*item)(const char *, void *), void *ctx)
{
	char buf[PG_CONFIG_VALUE_MAX + 1];
	char *t = buf;

	snprintf(buf, sizeof(buf), "%s", s);
	for (;;) {
		char *comma = strchr(t, ','), *e;

		if (comma)
			*comma = '\0';
		while (*t == ' ' || *t == '\t')
			t++;
		e = t + strlen(t);
		while (e > t && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (!*t || item(t, ctx))
			return -1;
		if (!comma)
			return 0;
		t = comma + 1;
	}
}

/* What the item parsers of both lists share: room, items so far, why one was refused. */
struct list_ctx {
	unsigned int max, n;
	const char *why;
};

/* "none", or items separated by commas, each given to item(); 0, or -1 with *why. */
static int parse_list(const char *value, int (*item)(const char *, void *), struct list_ctx *c,
		      unsigned int *n, const char **why, const char *usage)
{
	if (!strcmp(value, "none")) {
		*n = 0;
		return 0;
	}
	if (each_item(value, item, c)) {
		*why = c->why ? c->why : usage;
		return -1;
	}
	*n = c->n;
	return 0;
}

struct rules_ctx {
	struct list_ctx l; /* first: parse_list() sees only this */
	struct pg_input_rule *rules;
};

static int rule_item(const char *s, void *vctx)
{
	struct rules_ctx *c = vctx;
	struct pg_input_rule r = {0};
	char proto[8];
	const char *sp = strpbrk(s, " \t");
	size_t pl = sp ? (size_t)(sp - s) : strlen(s);

	if (c->l.n == c->l.max) {
		c->l.why = "too many rules (at most 32)";
		return -1;
	}
	if (pl >= sizeof(proto)) {
		c->l.why = "protocol must be tcp, udp, gre or esp";
		return -1;
	}
	memcpy(proto, s, pl);
	proto[pl] = '\0';
	while (sp && (*sp == ' ' || *sp == '\t'))
		sp++;
	if (!strcmp(proto, "tcp") || !strcmp(proto, "udp")) {
		r.proto = proto[0] == 't' ? PG_PROTO_TCP : PG_PROTO_UDP;
		if (!sp || pg_config_parse_port_range(sp, &r.lo, &r.hi)) {
			c->l.why = "tcp and udp take a port or a range such as 8000-8010 (1..65535)";
			return -1;
		}
	} else if (!strcmp(proto, "gre") || !strcmp(proto, "esp")) {
		r.proto = proto[0] == 'g' ? PG_PROTO_GRE : PG_PROTO_ESP;
		if (sp && *sp) {
			c->l.why = "gre and esp have no ports";
			return -1;
		}
	} else {
		c->l.why = "protocol must be tcp, udp, gre or esp (ICMP is always let in)";
		return -1;
	}
	c->rules[c->l.n++] = r;
	return 0;
}

int pg_config_parse_input(const char *value, struct pg_input_rule *rules, unsigned int max,
			  unsigned int *n, const char **why)
{
	struct rules_ctx c = {.l = {.max = max}, .rules = rules};

	return parse_list(value, rule_item, &c.l, n, why,
			  "expected 'PROTO [PORT[-PORT]], ...' or 'none'");
}

struct routes_ctx {
	struct list_ctx l; /* first: parse_list() sees only this */
	struct pg_host_route *routes;
};

static int route_item(const char *s, void *vctx)
{
	struct routes_ctx *c = vctx;
	uint32_t addr;
	uint8_t len;

	if (c->l.n == c->l.max) {
		c->l.why = "too many routes (at most 8)";
		return -1;
	}
	if (pg_config_parse_prefix(s, &addr, &len)) {
		c->l.why = "expected prefixes such as 10.9.0.0/24, separated by commas";
		return -1;
	}
	c->routes[c->l.n].addr = addr;
	c->routes[c->l.n].prefix = len;
	c->l.n++;
	return 0;
}

int pg_config_parse_routes(const char *value, struct pg_host_route *routes, unsigned int max,
			   unsigned int *n, const char **why)
{
	struct routes_ctx c = {.l = {.max = max}, .routes = routes};

	return parse_list(value, route_item, &c.l, n, why, "expected 'PREFIX, ...' or 'none'");
}

/* "pgh-" and the link's name, cut to what a device name can hold. */
static void default_name(char *dst, const char *link)
{
	snprintf(dst, PG_CONFIG_IFNAME_SIZE, "pgh-%.11s", link);
}

int pg_config_host_finish(struct pg_config *cfg, const char **why)
{
	struct pg_config_host *h = &cfg->host;
	struct pg_engine_config *ec = &cfg->engine;

	*why = NULL;
	if (!h->lan_dev[0])
		default_name(h->lan_dev, cfg->lan_ifname);
	if (!h->wan_dev[0])
		default_name(h->wan_dev, cfg->wan_ifname);
	if (h->path && !strcmp(h->lan_dev, h->wan_dev)) {
		*why = "lan_device and wan_device have the same name (set them in [host])";
		return -1;
	}
	if (h->path && (!strcmp(h->lan_dev, cfg->lan_ifname) ||
			!strcmp(h->lan_dev, cfg->wan_ifname) ||
			!strcmp(h->wan_dev, cfg->lan_ifname) ||
			!strcmp(h->wan_dev, cfg->wan_ifname))) {
		*why = "a host device may not have a link's name";
		return -1;
	}
	if (!h->path && cfg->nwan_input) {
		*why = "opens services of the host path: needs [host] path = on";
		return -2;
	}
	cfg->nforward_rules = ec->nforwards;
	for (unsigned int i = 0; i < cfg->nwan_input; i++) {
		const struct pg_input_rule *r = &cfg->wan_input[i];
		struct pg_port_forward *f;

		if (ec->nforwards == PG_MAX_FORWARDS) {
			*why = "[forward] rules and [input] wan rules together exceed 64";
			return -2;
		}
		f = &ec->forwards[ec->nforwards];
		memset(f, 0, sizeof(*f));
		f->proto = r->proto;
		f->wan_lo = f->lan_lo = r->lo;
		f->wan_hi = f->lan_hi = r->hi;
		f->host = ec->wan_addr;
		cfg->forward_line[ec->nforwards++] = cfg->wan_input_line;
	}
	return 0;
}

void pg_config_format_input(const struct pg_input_rule *rules, unsigned int n, char *buf,
			    size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	if (!n)
		snprintf(buf, len, "none");
	for (unsigned int i = 0; i < n && off < len; i++) {
		const struct pg_input_rule *r = &rules[i];
		const char *sep = i ? ", " : "";
		const char *name = r->proto == PG_PROTO_TCP   ? "tcp"
				   : r->proto == PG_PROTO_UDP ? "udp"
				   : r->proto == PG_PROTO_GRE ? "gre"
							      : "esp";
		int w;

		if (r->proto != PG_PROTO_TCP && r->proto != PG_PROTO_UDP)
			w = snprintf(buf + off, len - off, "%s%s", sep, name);
		else if (r->lo == r->hi)
			w = snprintf(buf + off, len - off, "%s%s %u", sep, name, r->lo);
		else
			w = snprintf(buf + off, len - off, "%s%s %u-%u", sep, name, r->lo, r->hi);
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

void pg_config_format_routes(const struct pg_host_route *routes, unsigned int n, char *buf,
			     size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	if (!n)
		snprintf(buf, len, "none");
	for (unsigned int i = 0; i < n && off < len; i++) {
		char a[INET_ADDRSTRLEN];
		int w;

		inet_ntop(AF_INET, &routes[i].addr, a, sizeof(a));
		w = snprintf(buf + off, len - off, "%s%s/%u", i ? ", " : "", a, routes[i].prefix);
		if (w < 0)
			break;
		off += (size_t)w;
	}
}
