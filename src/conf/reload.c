/* SPDX-License-Identifier: MIT */
/*
 * reload.c - the rules of a reload (SIGHUP, passgatectl reload): which
 * settings can change under running flows and which need a restart, and
 * the list of what changed for the log.
 *
 * Theory of operation: everything the engine takes through
 * pg_engine_reconfigure() changes between two batches with the flow table
 * kept (passthrough switches, timeouts, MSS clamp, ICMP, forwards, DMZ,
 * log level, API credentials). What was fixed at start cannot: the links
 * (opened and checked once), the addresses every flow's mapping is built on,
 * the table size (memory allocated once), the I/O backend and the API's
 * sockets. Changing one of those is refused as a whole, naming the setting
 * and its line, and nothing is applied: a half-applied file would leave the
 * running state matching neither the old file nor the new one.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "conf/config_internal.h"
#include "conf/reload.h"

#define OFF(member) offsetof(struct pg_config, member)

struct fixed {
	const char *section, *key;
	size_t off, size; /* size 0: a NUL-terminated string at off */
	const char *why;
};

static const char why_link[] = "the links are opened and checked at start";
static const char why_addr[] = "every flow's mapping is built on the addresses";

static const struct fixed fixed[] = {
	{"lan", "interface", OFF(lan_ifname), 0, why_link},
	{"lan", "address", OFF(engine.lan_addr), sizeof(uint32_t), why_addr},
	{"lan", "address", OFF(engine.lan_prefix), sizeof(uint8_t), why_addr},
	{"lan", "mtu", OFF(lan_mtu), sizeof(uint32_t), why_link},
	{"wan", "interface", OFF(wan_ifname), 0, why_link},
	{"wan", "address", OFF(engine.wan_addr), sizeof(uint32_t), why_addr},
	{"wan", "address", OFF(engine.wan_prefix), sizeof(uint8_t), why_addr},
	{"wan", "gateway", OFF(engine.wan_gateway), sizeof(uint32_t),
	 "the next hop is resolved at start"},
	{"wan", "mtu", OFF(wan_mtu), sizeof(uint32_t), why_link},
	{"wan", "shape_up", OFF(shape_up_bps), sizeof(uint64_t), "the shaper is set up at start"},
	{"wan", "shape_down", OFF(shape_down_bps), sizeof(uint64_t),
	 "the shaper is set up at start"},
	{"nat", "max_flows", OFF(engine.max_flows), sizeof(uint32_t),
	 "the flow table's memory is allocated once at start"},
	{"datapath", "backend", OFF(backend), sizeof(enum pg_backend),
	 "the I/O backend is set up at start"},
	{"datapath", "workers", OFF(workers), sizeof(uint32_t),
	 "each worker's flow table is allocated at start"},
	{"datapath", "offload", OFF(offload), sizeof(enum pg_offload_mode),
	 "the XDP program is attached at start"},
	{"api", "listen", OFF(api.enabled), sizeof(bool), "the API's sockets are opened at start"},
	{"api", "listen", OFF(api.addr), sizeof(uint32_t), "the API's sockets are opened at start"},
	{"api", "listen", OFF(api.port), sizeof(uint16_t), "the API's sockets are opened at start"},
	{"api", "listen", OFF(api.v6), sizeof(bool), "the API's sockets are opened at start"},
	{"api", "listen", OFF(api.addr6), 16, "the API's sockets are opened at start"},
	{"api", "socket", OFF(api.socket_path), 0, "the API's sockets are opened at start"},
	{"api", "tls", OFF(api.tls), sizeof(enum pg_api_tls),
	 "the API's certificate is loaded at start"},
	{"api", "tls_cert", OFF(api.tls_cert), 0, "the API's certificate is loaded at start"},
	{"api", "tls_key", OFF(api.tls_key), 0, "the API's certificate is loaded at start"},
	{"host", "path", OFF(host.path), sizeof(bool), "the host path's devices are made at start"},
	{"host", "lan_device", OFF(host.lan_dev), 0, "the host path's devices are made at start"},
	{"host", "wan_device", OFF(host.wan_dev), 0, "the host path's devices are made at start"},
	{"log", "syslog", OFF(log_syslog), sizeof(bool), "the log's destination is opened at start"},
	{"tunnel", "type", OFF(tunnel.type), sizeof(enum pg_tunnel_type),
	 "the tunnel's programs are checked and its socket directory handed over at start"},
	{"sync", "role", OFF(sync), sizeof(struct pg_config_sync),
	 "the sync channel is opened at start"},
};

#define N_FIXED (sizeof(fixed) / sizeof(fixed[0]))

static bool line_is(const struct pg_config_doc *doc, unsigned int i, const char *section,
		    const char *key)
{
	const struct pg_config_line *ln = &doc->lines[i];
	const char *sec = pg_config_section_name(ln->section);

	return ln->key_len && sec && !strcmp(sec, section) && strlen(key) == ln->key_len &&
	       !memcmp(doc->text + ln->key_off, key, ln->key_len);
}

/* The line (1-based) that sets section/key in doc, or 0 when none does. */
static unsigned int line_of(const struct pg_config_doc *doc, const char *section, const char *key)
{
	for (unsigned int i = 0; i < doc->n_lines; i++)
		if (line_is(doc, i, section, key))
			return i + 1;
	return 0;
}

static bool same(const struct pg_config *a, const struct pg_config *b, const struct fixed *f)
{
	const char *pa = (const char *)a + f->off, *pb = (const char *)b + f->off;

	return f->size ? !memcmp(pa, pb, f->size) : !strcmp(pa, pb);
}

int pg_reload_check(const struct pg_config *cur, const struct pg_config *next, char *err,
		    size_t errlen)
{
	for (unsigned int i = 0; i < N_FIXED; i++) {
		const struct fixed *f = &fixed[i];
		unsigned int line;

		if (same(cur, next, f))
			continue;
		line = line_of(&next->doc, f->section, f->key);
		if (line)
			snprintf(err, errlen, "%s:%u: [%s] %s: cannot change without a restart (%s)",
				 next->doc.name, line, f->section, f->key, f->why);
		else
			snprintf(err, errlen, "%s: [%s] %s: removed, which changes it back to its "
				 "default; that needs a restart (%s)",
				 next->doc.name, f->section, f->key, f->why);
		return -EINVAL;
	}
	return 0;
}

/* Next line from *i on that sets section/key; its value in *v, *vlen. */
static bool next_value(const struct pg_config_doc *doc, const char *section, const char *key,
		       unsigned int *i, const char **v, size_t *vlen)
{
	for (; *i < doc->n_lines; (*i)++) {
		if (!line_is(doc, *i, section, key))
			continue;
		*v = doc->text + doc->lines[*i].val_off;
		*vlen = doc->lines[*i].val_len;
		(*i)++;
		return true;
	}
	return false;
}

/* Do a and b give section/key the same values, in the same order? */
static bool same_values(const struct pg_config_doc *a, const struct pg_config_doc *b,
			const char *section, const char *key)
{
	unsigned int ia = 0, ib = 0;
	const char *va = NULL, *vb = NULL;
	size_t la = 0, lb = 0;

	for (;;) {
		bool ha = next_value(a, section, key, &ia, &va, &la);
		bool hb = next_value(b, section, key, &ib, &vb, &lb);

		if (ha != hb)
			return false;
		if (!ha)
			return true;
		if (la != lb || memcmp(va, vb, la))
			return false;
	}
}

/* Is line i the first in doc that sets its section/key? */
static bool first_of_key(const struct pg_config_doc *doc, unsigned int i)
{
	const struct pg_config_line *ln = &doc->lines[i];

	for (unsigned int j = 0; j < i; j++) {
		const struct pg_config_line *o = &doc->lines[j];

		if (o->key_len == ln->key_len && o->section == ln->section &&
		    !memcmp(doc->text + o->key_off, doc->text + ln->key_off, ln->key_len))
			return false;
	}
	return true;
}

/* Record the key of line i of doc unless b (the other file) agrees on it. */
static void compare_key(const struct pg_config_doc *doc, unsigned int i,
			const struct pg_config_doc *other, struct pg_reload_diff *d)
{
	const struct pg_config_line *ln = &doc->lines[i];
	const char *sec = pg_config_section_name(ln->section);
	char key[64];

	if (!ln->key_len || !sec || !first_of_key(doc, i))
		return;
	snprintf(key, sizeof(key), "%.*s", (int)ln->key_len, doc->text + ln->key_off);
	if (same_values(doc, other, sec, key))
		return;
	if (d->n < PG_RELOAD_NAMES_MAX)
		snprintf(d->names[d->n], sizeof(d->names[d->n]), "[%.12s] %.63s", sec, key);
	d->n++;
}

void pg_reload_diff(const struct pg_config *cur, const struct pg_config *next,
		    struct pg_reload_diff *d)
{
	const struct pg_config_doc *a = &cur->doc, *b = &next->doc;

	memset(d, 0, sizeof(*d));
	/* Quadratic in lines: bounded so that a huge file cannot stall packets. */
	if (a->n_lines > PG_RELOAD_LINES_MAX || b->n_lines > PG_RELOAD_LINES_MAX) {
		d->too_long = true;
		return;
	}
	/* Keys the new file sets (changed or added), then keys only the old one set. */
	for (unsigned int i = 0; i < b->n_lines; i++)
		compare_key(b, i, a, d);
	for (unsigned int i = 0; i < a->n_lines; i++) {
		const struct pg_config_line *ln = &a->lines[i];
		const char *sec = pg_config_section_name(ln->section);
		char key[64];

		if (!ln->key_len || !sec)
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)ln->key_len, a->text + ln->key_off);
		if (!line_of(b, sec, key))
			compare_key(a, i, b, d);
	}
}

bool pg_reload_credentials_changed(const struct pg_config *cur, const struct pg_config *next)
{
	return strcmp(cur->api.password_hash, next->api.password_hash) ||
	       strcmp(cur->api.token_hash, next->api.token_hash);
}
