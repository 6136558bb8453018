/* SPDX-License-Identifier: MIT */
/*
 * passgatectl.c - the command-line tool: a table of subcommands, each a
 * function taking its own arguments. check-config, hash-password and
 * version work offline; the others talk to passgated's HTTP API
 * (docs/API.md) and print readable tables, or the API's JSON with --json.
 *
 * Global options come before the subcommand:
 *   --socket P   the daemon's control socket (default /run/passgate/
 *                passgated.sock, or $PASSGATE_SOCKET): used when it exists
 *                and no URL is given; root-only, so no token is needed
 *   --url URL    the API (default http://127.0.0.1:8080, or $PASSGATE_URL)
 *   --token T    a token or session for changes (or $PASSGATE_TOKEN)
 *   --token-file F  the same, read from F (not visible to ps)
 *   --cacert F   trust an https API whose certificate is (or is signed by) F
 *   --pin P      trust an https API whose public key has pin P; without
 *                either, an API the system's CAs do not vouch for is pinned
 *                on first use (~/.config/passgate/pins) and checked after
 *   --json       print the API's answer as it came
 * Exit status: 0 done, 1 refused or unreachable, 2 usage error.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/api_client.h"
#include "util/passwd.h"
#include "conf/config.h"
#include "cli/ctl_capture.h"
#include "cli/ctl_diag.h"
#include "cli/ctl_reply.h"
#include "cli/ctl_safe.h"
#include "util/version.h"

#define TIMEOUT_MS 10000

static const char *opt_url = "http://127.0.0.1:8080";
static char sock_url[PG_CONFIG_SOCKET_PATH_SIZE + 8]; /* "unix:PATH" when the socket is used */
static const char *opt_token;
static bool opt_json;

struct subcommand {
	const char *name;
	const char *args;
	const char *help;
	int (*run)(int argc, char **argv); /* argv[0] is the subcommand */
};

/*
 * One API call. Returns the parsed JSON answer of a 2xx, or NULL after
 * printing the reason (the API's own error message with its field).
 */
static struct json_object *call(const char *method, const char *path, const char *body)
{
	struct pg_http_reply r;
	struct json_object *o;

	if (pg_http_request(opt_url, method, path, opt_token, body, TIMEOUT_MS, &r)) {
		/* A refused certificate is not a daemon that is down: say which. */
		if (strstr(r.err, "SSL") || strstr(r.err, "certificate") || strstr(r.err, "pinned"))
			fprintf(stderr,
				"passgatectl: %s (the API's certificate is not trusted: give "
				"--cacert or --pin, or see ~/.config/passgate/pins)\n",
				r.err);
		else
			fprintf(stderr, "passgatectl: %s (is passgated running with [api] %s on?)\n",
				r.err, strncmp(opt_url, "unix:", 5) ? "listen" : "socket");
		return NULL;
	}
	o = json_tokener_parse(r.body);
	if (r.status / 100 != 2) {
		pg_ctl_print_refusal(r.status, o);
		if (r.status == 401 && !opt_token)
			fprintf(stderr, "passgatectl: give --token (or set PASSGATE_TOKEN)\n");
		json_object_put(o);
		pg_http_reply_free(&r);
		return NULL;
	}
	if (!o)
		fprintf(stderr, "passgatectl: the answer is not JSON\n");
	else if (opt_json)
		printf("%s\n", r.body);
	pg_http_reply_free(&r);
	return o;
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);

	return v ? json_object_get_string(v) : "-";
}

static long long num(struct json_object *o, const char *key)
{
	return (long long)json_object_get_int64(get(o, key));
}

/* "IPv6 prefix: 2001:db8:100::/56 delegated, LAN 2001:db8:100::/64, bound, renews in 9 s" */
static void print_pd_line(struct json_object *pd)
{
	struct json_object *l = get(pd, "lease");

	if (!pd || json_object_is_type(pd, json_type_null))
		return;
	if (!l || json_object_is_type(l, json_type_null)) {
		printf("IPv6 prefix: none yet (DHCPv6-PD %s, %lld tries)\n", str(pd, "state"),
		       num(pd, "tries"));
		return;
	}
	printf("IPv6 prefix: %s delegated, LAN %s, %s, renews in %llds, expires in %llds\n",
	       str(l, "prefix"), str(l, "lan_prefix"), str(pd, "state"), num(l, "renews_in_s"),
	       num(l, "expires_in_s"));
}

/* "WAN: dhcp, bound, 198.51.100.50/24 via 198.51.100.1, renews in 12 s" */
static void print_wan_line(struct json_object *w)
{
	struct json_object *l = get(w, "lease");

	print_pd_line(get(w, "ipv6_pd"));
	if (!w || strcmp(str(w, "mode"), "dhcp"))
		return;
	if (!l || json_object_is_type(l, json_type_null)) {
		printf("WAN: %s\n", str(w, "status"));
		return;
	}
	printf("WAN: dhcp, %s, %s/%lld via %s from %s, renews in %llds, expires in %llds\n",
	       str(w, "state"), str(l, "address"), num(l, "prefix"), str(l, "gateway"),
	       str(l, "server"), num(l, "renews_in_s"), num(l, "expires_in_s"));
}

static int cmd_wan(int argc, char **argv)
{
	struct json_object *o;
	const char *path = "/api/v1/wan", *method = "GET";

	if (argc == 2 && !strcmp(argv[1], "renew"))
		path = "/api/v1/wan/renew", method = "POST";
	else if (argc == 2 && !strcmp(argv[1], "release"))
		path = "/api/v1/wan/release", method = "POST";
	else if (argc != 1) {
		fprintf(stderr, "usage: passgatectl wan [renew|release]\n");
		return 1;
	}
	o = call(method, path, NULL);
	if (!o)
		return 1;
	if (!opt_json) {
		if (strcmp(str(o, "mode"), "dhcp"))
			printf("WAN: static ([wan] address)\n");
		else
			print_wan_line(o);
	}
	json_object_put(o);
	return 0;
}

/*
 * The VRRP role (docs/HA.md "Failover"): show it, or set it, as keepalived's
 * notify scripts do (notify_master "passgatectl ha master", ...). Shown, it
 * is keepalived's health check: exit 1 while the box is not ready to
 * forward (a standby still waiting for its bulk, docs/HA.md "Rejoin"), so a
 * returning box does not take over with an empty table.
 */
static int cmd_ha(int argc, char **argv)
{
	struct json_object *o, *ready;
	char path[64];
	int rc = 0;

	if (argc == 2 && (!strcmp(argv[1], "master") || !strcmp(argv[1], "backup") ||
			  !strcmp(argv[1], "fault"))) {
		snprintf(path, sizeof(path), "/api/v1/ha/%s", argv[1]);
		o = call("POST", path, NULL);
	} else if (argc == 1) {
		o = call("GET", "/api/v1/ha", NULL);
	} else {
		fprintf(stderr, "usage: passgatectl ha [master|backup|fault]\n");
		return 1;
	}
	if (!o)
		return 1;
	ready = get(o, "ready");
	if (argc == 1 && ready && !json_object_get_boolean(ready))
		rc = 1;
	if (!opt_json)
		printf("HA: %s (%lld changes)%s%s\n", str(o, "role"), num(o, "changes"),
		       get(o, "sync_role") ? ", sync " : "",
		       get(o, "sync_role") ? str(o, "sync_role") : "");
	if (!opt_json && rc)
		printf("not ready: waiting for the master's state (a bulk sync)\n");
	json_object_put(o);
	return rc;
}

/* The WAN shaper's line per shaped direction ([wan] shape_up, shape_down). */
static void print_shaper(struct json_object *sh)
{
	static const char *const dirs[] = {"up", "down"};

	for (int i = 0; i < 2; i++) {
		struct json_object *d = get(sh, dirs[i]), *c;

		if (!d)
			continue;
		c = get(d, "counters");
		printf("shaper %-4s %.1f Mbit/s, sending %.1f Mbit/s, queued %lld packets, "
		       "dropped %lld (CoDel) + %lld (full), ECN marked %lld\n",
		       dirs[i], (double)num(d, "rate_bps") / 1e6, (double)num(d, "sent_bps") / 1e6,
		       num(d, "backlog_packets"), num(c, "drop_codel"), num(c, "drop_overlimit"),
		       num(c, "ecn_marked"));
	}
	if (get(sh, "up") || get(sh, "down"))
		printf("\n");
}

/* The XDP fast path: "offload: on (lan0, wan0 accept XDP redirect)" or off with why. */
static void print_offload(struct json_object *off)
{
	if (!off || !json_object_is_type(off, json_type_object))
		return;
	printf("offload: %s (%s)\n\n", json_object_get_boolean(get(off, "active")) ? "on" : "off",
	       str(off, "reason"));
}

static int cmd_status(int argc, char **argv)
{
	struct json_object *o, *links, *c, *pt;
	bool all = argc == 2 && !strcmp(argv[1], "--all");

	if (argc != 1 && !all) {
		fprintf(stderr, "usage: passgatectl status [--all]\n");
		return PG_EXIT_USAGE;
	}
	o = call("GET", "/api/v1/status", NULL);
	if (!o)
		return 1;
	if (opt_json)
		goto out;
	printf("passgated %s, up %llds, %lld of %lld flows\n", str(o, "version"), num(o, "uptime_s"),
	       num(o, "flows"), num(o, "max_flows"));
	pt = get(o, "passthrough");
	print_wan_line(get(o, "wan"));
	{
		struct json_object *p = get(o, "pending"), *rb = get(o, "last_rollback");

		if (p && json_object_is_type(p, json_type_object))
			printf("CHANGE WAITING FOR CONFIRMATION: %s (rolled back in %llds unless "
			       "'passgatectl confirm')\n",
			       str(p, "what"), num(p, "seconds_left"));
		if (rb && json_object_is_type(rb, json_type_object))
			printf("last rollback: %s\n", str(rb, "what"));
	}
	printf("passthrough: pptp %s, ipsec %s, l2tp %s\n\n",
	       json_object_get_boolean(get(pt, "pptp")) ? "on" : "off",
	       json_object_get_boolean(get(pt, "ipsec")) ? "on" : "off",
	       json_object_get_boolean(get(pt, "l2tp")) ? "on" : "off");
	print_offload(get(o, "offload"));
	pg_ctl_print_passes(o);
	print_shaper(get(o, "shaper"));
	printf("%-4s %-10s %-20s %-18s %12s %12s\n", "SIDE", "INTERFACE", "ADDRESS", "MAC",
	       "RX FRAMES", "TX FRAMES");
	links = get(o, "interfaces");
	for (size_t i = 0; i < json_object_array_length(links); i++) {
		struct json_object *l = json_object_array_get_idx(links, i), *lc = get(l, "counters");

		printf("%-4s %-10s %-20s %-18s %12lld %12lld\n", str(l, "side"), str(l, "name"),
		       str(l, "address"), str(l, "mac"), num(lc, "rx_frames"), num(lc, "tx_frames"));
	}
	printf("\ncounters%s:\n", all ? "" : " (nonzero; --all for every one)");
	c = get(o, "counters");
	json_object_object_foreach(c, k, v) {
		if (all || json_object_get_int64(v))
			printf("  %-28s %lld\n", k, (long long)json_object_get_int64(v));
	}
	for (size_t i = 0; i < json_object_array_length(links); i++) {
		struct json_object *l = json_object_array_get_idx(links, i);

		printf("\n%s link counters%s:\n", str(l, "name"), all ? "" : " (nonzero)");
		json_object_object_foreach(get(l, "counters"), lk, lv) {
			if (all || json_object_get_int64(lv))
				printf("  %-28s %lld\n", lk, (long long)json_object_get_int64(lv));
		}
	}
out:
	json_object_put(o);
	return 0;
}

static void endpoint(char *buf, size_t len, struct json_object *o, const char *addr,
		     const char *port)
{
	const char *a = str(o, addr);

	/* RFC 5952 section 6: an IPv6 address with a port goes in brackets. */
	if (num(o, port) && strchr(a, ':'))
		snprintf(buf, len, "[%s]:%lld", a, num(o, port));
	else if (num(o, port))
		snprintf(buf, len, "%s:%lld", a, num(o, port));
	else
		snprintf(buf, len, "%s", str(o, addr));
}

/*
 * flows clear --host A | --rule N | --port P | --proto P ...: end the
 * matching flows (DELETE /api/v1/flows; at least one filter). --family 6
 * (or an IPv6 --host) ends IPv6 flows; the daemon refuses --family alone.
 */
static int flows_clear(int argc, char **argv)
{
	static const char *const opts[] = {"--host", "--rule", "--port", "--proto", "--lan",
					   "--remote", "--helper", "--family"};
	char path[256] = "/api/v1/flows";
	struct json_object *o;
	size_t off = strlen(path);
	int given = 0;

	for (int i = 2; i < argc; i++) {
		bool known = false;

		for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++)
			known |= !strcmp(argv[i], opts[k]);
		if (known && i + 1 < argc) {
			off += (size_t)snprintf(path + off, off < sizeof(path) ? sizeof(path) - off : 0,
						"%c%s=%s", given++ ? '&' : '?', argv[i] + 2,
						argv[i + 1]);
			i++;
			continue;
		}
		given = 0;
		break;
	}
	if (!given) {
		fprintf(stderr, "usage: passgatectl flows clear [--host A] [--rule N] [--port P] "
				"[--proto P] [--lan A] [--remote A] [--helper H] [--family 4|6] "
				"(at least one filter besides --family)\n");
		return PG_EXIT_USAGE;
	}
	if (off >= sizeof(path) || strpbrk(path, " #\r\n")) {
		fprintf(stderr, "passgatectl: filter values must be plain words\n");
		return 1;
	}
	o = call("DELETE", path, NULL);
	if (!o)
		return 1;
	if (!opt_json)
		printf("%lld flows ended\n", num(o, "ended"));
	json_object_put(o);
	return 0;
}

static int cmd_flows(int argc, char **argv)
{
	char path[256] = "/api/v1/flows?limit=1000", a[64], b[64];
	struct json_object *o, *arr;
	size_t off = strlen(path);

	if (argc > 1 && !strcmp(argv[1], "clear"))
		return flows_clear(argc, argv);
	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && (!strcmp(argv[i], "--proto") || !strcmp(argv[i], "--host") ||
				     !strcmp(argv[i], "--port") || !strcmp(argv[i], "--family"))) {
			off += (size_t)snprintf(path + off, sizeof(path) - off, "&%s=%s",
						argv[i] + 2, argv[i + 1]);
			i++;
			continue;
		}
		fprintf(stderr, "usage: passgatectl flows [--family 4|6] [--proto tcp|udp|icmp|gre|esp] "
				"[--host ADDRESS] [--port P]\n       passgatectl flows clear "
				"[--host A] [--rule N] [--port P] [--proto P]\n");
		return PG_EXIT_USAGE;
	}
	if (off >= sizeof(path) || strpbrk(path, " #\r\n")) {
		fprintf(stderr, "passgatectl: filter values must be plain words\n");
		return 1;
	}
	o = call("GET", path, NULL);
	if (!o)
		return 1;
	if (opt_json)
		goto out;
	/* IPv6 rows are wider than the columns; they stay one line each. */
	printf("%-5s %-12s %-8s %-21s %-21s %6s %6s %10s %10s\n", "PROTO", "STATE", "HELPER",
	       "LAN", "REMOTE", "PUBLIC", "IDLE", "BYTES OUT", "BYTES IN");
	arr = get(o, "flows");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *f = json_object_array_get_idx(arr, i), *by = get(f, "bytes");

		endpoint(a, sizeof(a), f, "lan", "lan_port");
		endpoint(b, sizeof(b), f, "remote", "remote_port");
		printf("%-5s %-12s %-8s %-21s %-21s %6lld %5llds %10lld %10lld\n", str(f, "proto"),
		       get(f, "state") ? str(f, "state") : "", get(f, "helper") ? str(f, "helper") : "",
		       a, b, num(f, "public_port"), num(f, "idle_s"),
		       (long long)json_object_get_int64(json_object_array_get_idx(by, 0)),
		       (long long)json_object_get_int64(json_object_array_get_idx(by, 1)));
	}
	printf("%zu shown of %lld flows%s\n", json_object_array_length(arr), num(o, "total"),
	       get(o, "next") ? " (more: use --json and the API's cursor)" : "");
out:
	json_object_put(o);
	return 0;
}

static int cmd_sessions(int argc, char **argv)
{
	struct json_object *o, *arr;
	char a[32], b[32];

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: passgatectl sessions\n");
		return PG_EXIT_USAGE;
	}
	o = call("GET", "/api/v1/sessions", NULL);
	if (!o)
		return 1;
	if (opt_json)
		goto out;
	printf("%-6s %-21s %-21s %6s %-16s %7s %10s %10s\n", "KIND", "CLIENT", "SERVER", "PUBLIC",
	       "STATE", "SINCE", "BYTES OUT", "BYTES IN");
	arr = get(o, "sessions");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *s = json_object_array_get_idx(arr, i), *by = get(s, "bytes");

		endpoint(a, sizeof(a), s, "client", "client_port");
		endpoint(b, sizeof(b), s, "server", "server_port");
		printf("%-6s %-21s %-21s %6lld %-16s %6llds %10lld %10lld\n", str(s, "kind"), a, b,
		       num(s, "public_port"), str(s, "state"), num(s, "since_s"),
		       (long long)json_object_get_int64(json_object_array_get_idx(by, 0)),
		       (long long)json_object_get_int64(json_object_array_get_idx(by, 1)));
	}
	if (!json_object_array_length(arr))
		printf("(no VPN sessions)\n");
out:
	json_object_put(o);
	return 0;
}

static int cmd_events(int argc, char **argv)
{
	struct json_object *o, *arr;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: passgatectl events\n");
		return PG_EXIT_USAGE;
	}
	o = call("GET", "/api/v1/events", NULL);
	if (!o)
		return 1;
	arr = get(o, "events");
	for (size_t i = 0; !opt_json && i < json_object_array_length(arr); i++)
		printf("%s\n", str(json_object_array_get_idx(arr, i), "text"));
	json_object_put(o);
	return 0;
}

/*
 * PUT one setting; value is the file's text ("on", "5m", "192.168.1.50");
 * query: "" or "?confirm=SECS" (ctl_safe.c).
 */
static int put_setting(const char *section, const char *key, const char *value,
		       const char *query)
{
	struct json_object *body = json_object_new_object(), *o;
	char path[160];

	if (!strcmp(value, "default"))
		json_object_object_add(body, key, NULL);
	else
		json_object_object_add(body, key, json_object_new_string(value));
	snprintf(path, sizeof(path), "/api/v1/config/%.64s%s", section, query);
	o = call("PUT", path, json_object_to_json_string(body));
	json_object_put(body);
	if (!o)
		return 1;
	if (!opt_json) {
		printf("[%s] %s = %s: applied\n", section, key, value);
		pg_ctl_print_probation(o);
	}
	json_object_put(o);
	return 0;
}

static int cmd_passthrough(int argc, char **argv)
{
	struct json_object *o, *pt;

	if (argc == 3 && (!strcmp(argv[1], "pptp") || !strcmp(argv[1], "ipsec") ||
			  !strcmp(argv[1], "l2tp")) &&
	    (!strcmp(argv[2], "on") || !strcmp(argv[2], "off")))
		return put_setting("passthrough", argv[1], argv[2], "");
	if (argc != 1) {
		fprintf(stderr, "usage: passgatectl passthrough [pptp|ipsec|l2tp on|off]\n");
		return PG_EXIT_USAGE;
	}
	o = call("GET", "/api/v1/config", NULL);
	if (!o)
		return 1;
	pt = get(o, "passthrough");
	if (!opt_json)
		printf("pptp  %s\nipsec %s\nl2tp  %s\n",
		       json_object_get_boolean(get(pt, "pptp")) ? "on" : "off",
		       json_object_get_boolean(get(pt, "ipsec")) ? "on" : "off",
		       json_object_get_boolean(get(pt, "l2tp")) ? "on" : "off");
	json_object_put(o);
	return 0;
}

/*
 * Save a setting that needs a restart into the file only (docs/API.md
 * "Settings that wait for a restart"); the running daemon keeps its value.
 */
static int put_at_restart(const char *section, const char *key, const char *value)
{
	struct json_object *body = json_object_new_object(), *o, *p;
	char path[160];

	json_object_object_add(body, key,
			       strcmp(value, "default") ? json_object_new_string(value) : NULL);
	snprintf(path, sizeof(path), "/api/v1/config/restart/%.64s", section);
	o = call("PUT", path, json_object_to_json_string(body));
	json_object_put(body);
	if (!o)
		return 1;
	if (!opt_json) {
		printf("[%s] %s = %s: saved to %s, pending until passgated restarts\n", section, key,
		       value, json_object_get_string(get(o, "saved_to")));
		p = get(o, "pending");
		printf("pending:");
		for (size_t i = 0; i < json_object_array_length(p); i++)
			printf(" %s", json_object_get_string(json_object_array_get_idx(p, i)));
		printf("\n");
		p = get(o, "lockout_risk");
		if (json_object_array_length(p))
			printf("warning: could cut you off after the restart (no rollback "
			       "applies): %s\n",
			       json_object_get_string(json_object_array_get_idx(p, 0)));
	}
	json_object_put(o);
	return 0;
}

static int cmd_set(int argc, char **argv)
{
	char q[32] = "";
	int i = 1, r = 0;

	if (argc == 5 && !strcmp(argv[1], "--at-restart"))
		return put_at_restart(argv[2], argv[3], argv[4]);
	if (argc > 1)
		r = pg_ctl_confirm_opt(argc, argv, &i, q, sizeof(q));
	if (r < 0 || argc - i != 3) {
		fprintf(stderr, "usage: passgatectl set [--confirm SECS] SECTION KEY VALUE|default\n"
				"       passgatectl set --at-restart SECTION KEY VALUE|default\n"
				"  e.g. passgatectl set timeouts udp 5m\n"
				"  --confirm SECS: rolled back unless 'passgatectl confirm' comes in "
				"time\n"
				"  --at-restart: links, addresses, MTUs, max_flows...: saved to the "
				"file, applied when passgated restarts\n");
		return PG_EXIT_USAGE;
	}
	return put_setting(argv[i], argv[i + 1], argv[i + 2], q);
}

static int cmd_apply(int argc, char **argv)
{
	struct pg_ctl_target t = {opt_url, opt_token, opt_json};

	return pg_ctl_apply(&t, argc, argv);
}

static int cmd_confirm(int argc, char **argv)
{
	struct pg_ctl_target t = {opt_url, opt_token, opt_json};

	return pg_ctl_confirm(&t, argc, argv);
}

static int cmd_cancel(int argc, char **argv)
{
	struct pg_ctl_target t = {opt_url, opt_token, opt_json};

	return pg_ctl_cancel(&t, argc, argv);
}

static int cmd_config(int argc, char **argv)
{
	struct pg_ctl_target t = {opt_url, opt_token, opt_json};

	return pg_ctl_config(&t, argc, argv);
}

static int forward_list(void)
{
	struct json_object *o = call("GET", "/api/v1/forwards", NULL), *arr;

	if (!o)
		return 1;
	if (!opt_json) {
		arr = get(o, "rules");
		printf("%-3s %s\n", "ID", "RULE");
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			struct json_object *r = json_object_array_get_idx(arr, i);

			printf("%-3lld %s\n", num(r, "id"), str(r, "rule"));
		}
		printf("dmz %s\n", get(o, "dmz") ? str(o, "dmz") : "none");
	}
	json_object_put(o);
	return 0;
}

static int cmd_forward(int argc, char **argv)
{
	struct json_object *o = NULL, *body;
	char rule[PG_CONFIG_VALUE_MAX + 1] = "", path[64];
	size_t off = 0;

	if (argc == 1 || (argc == 2 && !strcmp(argv[1], "list")))
		return forward_list();
	if (argc >= 3 && !strcmp(argv[1], "add")) {
		for (int i = 2; i < argc && off < sizeof(rule); i++)
			off += (size_t)snprintf(rule + off, sizeof(rule) - off, "%s%s",
						i > 2 ? " " : "", argv[i]);
		body = json_object_new_object();
		json_object_object_add(body, "rule", json_object_new_string(rule));
		o = call("POST", "/api/v1/forwards", json_object_to_json_string(body));
		json_object_put(body);
	} else if (argc == 3 && !strcmp(argv[1], "del") && strspn(argv[2], "0123456789") ==
								  strlen(argv[2])) {
		snprintf(path, sizeof(path), "/api/v1/forwards/%.20s", argv[2]);
		o = call("DELETE", path, NULL);
	} else {
		fprintf(stderr, "usage: passgatectl forward [list]\n"
				"       passgatectl forward add PROTO WAN-PORTS HOST [PORT]\n"
				"       passgatectl forward del ID\n");
		return PG_EXIT_USAGE;
	}
	if (!o)
		return 1;
	json_object_put(o);
	return opt_json ? 0 : forward_list();
}

static int cmd_reload(int argc, char **argv)
{
	struct json_object *o;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: passgatectl reload\n");
		return PG_EXIT_USAGE;
	}
	o = call("POST", "/api/v1/reload", NULL);
	if (!o)
		return 1;
	if (!opt_json)
		printf("%s\n", str(o, "message"));
	json_object_put(o);
	return 0;
}

static int cmd_check_config(int argc, char **argv)
{
	struct pg_config cfg;
	char err[PG_CONFIG_ERR_SIZE];

	if (argc != 2) {
		fprintf(stderr, "usage: passgatectl check-config FILE\n");
		return PG_EXIT_USAGE;
	}
	if (pg_config_load(&cfg, argv[1], err, sizeof(err))) {
		printf("%s\n", err);
		return 1;
	}
	pg_config_free(&cfg);
	printf("ok\n");
	return 0;
}

static int cmd_hash_password(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: passgatectl hash-password < password\n");
		return PG_EXIT_USAGE;
	}
	return pg_passwd_prompt("passgatectl");
}

static int cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: passgatectl version\n");
		return PG_EXIT_USAGE;
	}
	printf("passgatectl %s\n", PG_VERSION);
	return 0;
}

static int cmd_capture(int argc, char **argv)
{
	return pg_ctl_capture(argc, argv, opt_url, opt_token, opt_json);
}

static int cmd_diagnose(int argc, char **argv)
{
	return pg_ctl_diagnose(argc, argv, opt_url, opt_token, opt_json);
}

static int cmd_help(int argc, char **argv);

static const struct subcommand subcommands[] = {
	{"status", "[--all]", "uptime, links, passthrough switches, counters (nonzero)",
	 cmd_status},
	{"wan", "[renew|release]", "the WAN's DHCP lease; renew or give it back now", cmd_wan},
	{"ha", "[master|backup|fault]", "the VRRP role; keepalived's notify scripts set it",
	 cmd_ha},
	{"flows", "[--family 6] [--proto P] [--host A] [...]",
	 "the flow table (first 1000; also --port N; IPv6 with --family 6 or an IPv6 --host)",
	 cmd_flows},
	{"flows clear", "--host A|--rule N|...", "end those flows (pfSense's reset states)",
	 cmd_flows},
	{"sessions", "", "VPN sessions the helpers follow", cmd_sessions},
	{"events", "", "recent VPN events (IKE, ESP, NAT-T, PPTP calls)", cmd_events},
	{"passthrough", "[pptp|ipsec|l2tp on|off]", "show or switch VPN passthrough",
	 cmd_passthrough},
	{"forward", "[list|add RULE|del ID]", "port forwards ([forward] rule syntax)", cmd_forward},
	{"capture", "-w FILE [--filter F] [...]", "a pcap of what crosses the gateway (-h: options)",
	 cmd_capture},
	{"diagnose", "HOST", "the gateway probes a VPN server on each protocol; what to do",
	 cmd_diagnose},
	{"set", "[--confirm SECS|--at-restart] SECTION KEY VALUE",
	 "change one setting (docs/API.md lists them)",
	 cmd_set},
	{"reload", "", "re-read the daemon's config file (as SIGHUP); errors name the line",
	 cmd_reload},
	{"apply", "[--confirm SECS]", "reload; with --confirm, rolled back unless confirmed in time",
	 cmd_apply},
	{"confirm", "", "keep the change that waits for its confirmation", cmd_confirm},
	{"cancel", "", "roll back the change that waits for its confirmation now", cmd_cancel},
	{"config", "diff|history|rollback|pending",
	 "diff with the file or a kept configuration; list, roll back to one", cmd_config},
	{"check-config", "FILE", "parse FILE as passgated would; print ok or the error",
	 cmd_check_config},
	{"hash-password", "", "read a password, print the [api] line with its hash",
	 cmd_hash_password},
	{"version", "", "print the version", cmd_version},
	{"help", "", "list the subcommands", cmd_help},
};

#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: passgatectl [--socket PATH | --url URL] [--token TOKEN] [--json] COMMAND "
		   "[ARGS]\n\n"
		   "  --socket PATH  the control socket (default " PG_CONFIG_API_SOCKET ",\n"
		   "                 or $PASSGATE_SOCKET); used when it exists and no URL is given\n"
		   "  --url URL      the API (default http://127.0.0.1:8080, or $PASSGATE_URL)\n"
		   "  --token TOKEN  password, token or session (or $PASSGATE_TOKEN)\n"
		   "  --token-file FILE  the token from FILE's first line (ps cannot see it)\n"
		   "  --cacert FILE  trust an https API whose certificate is or is signed by FILE\n"
		   "  --pin sha256//BASE64  trust an https API with this public key; without\n"
		   "                 --cacert or --pin, an API no system CA vouches for is\n"
		   "                 pinned on first use (~/.config/passgate/pins)\n"
		   "  --json         print the API's JSON answer\n"
		   "  -h, --help     this help; -V, --version: the version\n"
		   "exit status: 0 done, 1 refused or unreachable, 2 usage error\n\ncommands:\n");
	for (unsigned int i = 0; i < N_SUBCOMMANDS; i++) {
		char left[64];

		snprintf(left, sizeof(left), "%s %s", subcommands[i].name, subcommands[i].args);
		fprintf(f, "  %-38s %s\n", left, subcommands[i].help);
	}
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return 0;
}

/*
 * The control socket when asked for, or when no URL was given and it
 * exists (it is root-only: the usual way for root on the gateway); else
 * HTTP. Returns 0 or 1 after a message.
 */
static int pick_transport(const char *url, const char *sock, bool sock_given)
{
	struct stat st;

	if (url && sock_given) {
		fprintf(stderr, "passgatectl: give --socket or --url, not both\n");
		return 1;
	}
	if (url) {
		opt_url = url;
		return 0;
	}
	if (!sock_given && (stat(sock, &st) || !S_ISSOCK(st.st_mode)))
		return 0; /* no socket here: HTTP on the default URL */
	if (strlen(sock) >= PG_CONFIG_SOCKET_PATH_SIZE) {
		fprintf(stderr, "passgatectl: %s: socket path too long\n", sock);
		return 1;
	}
	snprintf(sock_url, sizeof(sock_url), "unix:%s", sock);
	opt_url = sock_url;
	return 0;
}

/* The token from the first line of path, into buf; 0, or 1 after a message. */
static int read_token_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f) {
		fprintf(stderr, "passgatectl: %s: %m\n", path);
		return 1;
	}
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	buf[ok ? strcspn(buf, "\r\n") : 0] = '\0';
	if (!buf[0]) {
		fprintf(stderr, "passgatectl: %s: no token on its first line\n", path);
		return 1;
	}
	return 0;
}

/*
 * Where pins taken on first use are kept: one "URL PIN" line per API,
 * in $XDG_CONFIG_HOME/passgate/pins or ~/.config/passgate/pins.
 */
static int pins_path(char *buf, size_t len, bool make_dir)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char dir[512];

	if (xdg && *xdg)
		snprintf(dir, sizeof(dir), "%s/passgate", xdg);
	else if (home && *home)
		snprintf(dir, sizeof(dir), "%s/.config/passgate", home);
	else
		return -1;
	if (make_dir) {
		char parent[512];

		snprintf(parent, sizeof(parent), "%s", dir);
		*strrchr(parent, '/') = '\0';
		mkdir(parent, 0700);
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -1;
	}
	snprintf(buf, len, "%s/pins", dir);
	return 0;
}

/* The pin kept for url, into pin; false when there is none. */
static bool pin_lookup(const char *url, char *pin, size_t len)
{
	char path[600], line[1024], *sp;
	bool found = false;
	FILE *f;

	if (pins_path(path, sizeof(path), false) || !(f = fopen(path, "re")))
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		sp = strchr(line, ' ');
		if (sp && (size_t)(sp - line) == strlen(url) && !strncmp(line, url, strlen(url))) {
			snprintf(pin, len, "%s", sp + 1);
			found = true;
		}
	}
	fclose(f);
	return found;
}

/*
 * Trust on first use, as ssh does with host keys: an https API the system's
 * CAs do not vouch for (a router's self-signed certificate) is pinned the
 * first time, with its pin printed so that it can be compared with the one
 * passgated logged; afterwards a different key is refused. Returns 0 with
 * the pin to use in pin (or "" to rely on the system's CAs), 1 after a
 * message.
 */
static int trust_on_first_use(const char *url, char *pin, size_t len)
{
	char path[600], err[256];
	struct pg_http_reply r;
	FILE *f;

	if (pin_lookup(url, pin, len))
		return 0;
	pin[0] = '\0';
	/* A certificate the system's CAs vouch for needs no pin (and is then
	 * free to change key when it is renewed). */
	if (!pg_http_request(url, "GET", "/api/v1/auth", NULL, NULL, TIMEOUT_MS, &r)) {
		pg_http_reply_free(&r);
		return 0;
	}
	if (pg_http_peer_pin(url, TIMEOUT_MS, pin, len, err, sizeof(err))) {
		fprintf(stderr, "passgatectl: %s\n", err);
		return 1;
	}
	if (pins_path(path, sizeof(path), true) || !(f = fopen(path, "ae"))) {
		fprintf(stderr, "passgatectl: cannot keep the pin of %s; give --pin %s\n", url, pin);
		return 1;
	}
	fprintf(f, "%s %s\n", url, pin);
	fclose(f);
	fprintf(stderr,
		"passgatectl: first contact with %s: its public key %s is now pinned in %s;\n"
		"passgatectl: compare it with passgated's log line 'api: certificate ... pin'\n",
		url, pin, path);
	return 0;
}

int main(int argc, char **argv)
{
	const char *url = NULL, *sock = NULL, *token_file = NULL;
	static char token_buf[PG_CONFIG_VALUE_MAX + 1], pin_buf[PG_TLS_PIN_SIZE];
	struct pg_http_tls tls = {0};
	bool sock_given;
	int i = 1;

	opt_token = getenv("PASSGATE_TOKEN");
	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--json")) {
			opt_json = true;
		} else if (!strcmp(argv[i], "--help")) {
			return cmd_help(0, NULL);
		} else if (!strcmp(argv[i], "--version")) {
			printf("passgatectl %s\n", PG_VERSION);
			return 0;
		} else if (i + 1 < argc && !strcmp(argv[i], "--url")) {
			url = argv[++i];
		} else if (i + 1 < argc && !strcmp(argv[i], "--socket")) {
			sock = argv[++i];
		} else if (i + 1 < argc && !strcmp(argv[i], "--token")) {
			opt_token = argv[++i];
		} else if (i + 1 < argc && !strcmp(argv[i], "--token-file")) {
			token_file = argv[++i];
		} else if (i + 1 < argc && !strcmp(argv[i], "--cacert")) {
			tls.cacert = argv[++i];
		} else if (i + 1 < argc && !strcmp(argv[i], "--pin")) {
			tls.pin = argv[++i];
		} else {
			fprintf(stderr, "passgatectl: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return PG_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return PG_EXIT_USAGE;
	}
	if (!strcmp(argv[i], "-V")) {
		printf("passgatectl %s\n", PG_VERSION);
		return 0;
	}
	if (token_file) {
		if (read_token_file(token_file, token_buf, sizeof(token_buf)))
			return 1;
		opt_token = token_buf;
	}
	if (tls.pin && strncmp(tls.pin, "sha256//", 8)) {
		fprintf(stderr, "passgatectl: --pin takes sha256//BASE64, as passgated logs it\n");
		return PG_EXIT_USAGE;
	}
	/* The command line first; the environment only when it says nothing. */
	if (!url && !sock) {
		url = getenv("PASSGATE_URL");
		sock = getenv("PASSGATE_SOCKET");
		if (url && !*url)
			url = NULL;
		if (sock && !*sock)
			sock = NULL;
		if (url && sock)
			sock = NULL;
	}
	sock_given = sock != NULL;
	if (!sock)
		sock = PG_CONFIG_API_SOCKET;
	if (pick_transport(url, sock, sock_given))
		return PG_EXIT_USAGE;
	if (!strcmp(argv[i], "-h"))
		return cmd_help(0, NULL);
	/* Offline commands need no transport, and no first contact. */
	if (!strncmp(opt_url, "https://", 8) && !tls.cacert && !tls.pin &&
	    strcmp(argv[i], "check-config") && strcmp(argv[i], "hash-password") &&
	    strcmp(argv[i], "version") && strcmp(argv[i], "help")) {
		if (trust_on_first_use(opt_url, pin_buf, sizeof(pin_buf)))
			return 1;
		if (pin_buf[0])
			tls.pin = pin_buf;
	}
	pg_http_set_tls(&tls);
	for (unsigned int k = 0; k < N_SUBCOMMANDS; k++)
		if (!strcmp(argv[i], subcommands[k].name))
			return subcommands[k].run(argc - i, argv + i);
	fprintf(stderr, "passgatectl: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return PG_EXIT_USAGE;
}
