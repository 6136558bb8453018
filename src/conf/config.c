/* SPDX-License-Identifier: MIT */
/*
 * config.c - the configuration grammar of docs/CONFIG.md, parsed by hand.
 *
 * The grammar is line based and small: section headers, "key = value"
 * settings, "#" comments. Every key is described once in key_table below
 * (section, name, kind of value, where it lands in struct pg_config, limits),
 * so adding a key is one table row. The parser keeps the file's text and the
 * position of every key and value in it (struct pg_config_doc), which is what
 * lets config_write.c change one value and keep everything else as written.
 *
 * Failures name the file, the line and the reason; the first one stops the
 * parse. Checks that involve several keys run after the last line and are
 * reported on the line of the key that makes the combination wrong.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "conf/config.h"
#include "engine/engines.h"
#include "conf/config_internal.h"
#include "conf/config_history.h"
#include "util/names.h"
#include "util/inet.h"

const char pg_config_builtin[] = "# built-in configuration: the demo network\n"
				 "[lan]\n"
				 "interface = lan0\n"
				 "address = 192.168.1.1/24\n"
				 "\n"
				 "[wan]\n"
				 "interface = wan0\n"
				 "address = 198.51.100.2/24\n"
				 "gateway = 198.51.100.1\n";

enum kind {
	K_IFNAME,    /* char[PG_CONFIG_IFNAME_SIZE] at off */
	K_PREFIX,    /* uint32_t address at off, uint8_t prefix length at off2 */
	K_ADDR,	     /* uint32_t address at off */
	K_U32,	     /* uint32_t at off, min..max */
	K_DURATION,  /* uint32_t seconds at off, min..max */
	K_FILTERING, /* enum pg_filtering at off */
	K_LOGLEVEL,  /* enum pg_log_level at off */
	K_BOOL,      /* bool at off */
	K_REFUSE,    /* enum pg_refuse at off */
	K_BACKEND,   /* enum pg_backend at off */
	K_OFFLOAD,   /* enum pg_offload_mode at off */
	K_FORWARD,   /* one more engine.forwards[] rule */
	K_U16,       /* uint16_t at off, min..max */
	K_LISTEN,    /* [api] listen: "ADDR:PORT" or "off" */
	K_SOCKET,    /* [api] socket: an absolute path or "off" */
	K_HASH,      /* char[PG_CONFIG_VALUE_MAX + 1] at off: a crypt(3) hash */
	K_TLS,       /* [api] tls: enum pg_api_tls at off */
	K_PATH,      /* char[PG_CONFIG_VALUE_MAX + 1] at off: an absolute file path */
	K_SVC,       /* [dhcp] and [dns]: parsed by config_dhcp.c */
	K_IP6,       /* IPv6 keys of [lan] and [wan]: parsed by config_ipv6.c */
	K_INPUT_LAN, /* [input] lan: engine.lan_input */
	K_INPUT_WAN, /* [input] wan: wan_input, compiled into forwards later */
	K_ROUTES,    /* [host] routes: engine.host_routes */
	K_SYNC,      /* [sync]: parsed by config_sync.c */
	K_RATE,      /* uint64_t bits/s at off: [wan] shape_up, shape_down */
	K_TUNNEL,    /* [tunnel]: parsed by config_tunnel.c */
};

enum section {
	S_LAN,
	S_WAN,
	S_NAT,
	S_TIMEOUTS,
	S_ICMP,
	S_LOG,
	S_PASSTHROUGH,
	S_FORWARD,
	S_API,
	S_DATAPATH,
	S_DHCP,
	S_DNS,
	S_HOST,
	S_INPUT,
	S_TUNNEL,
	S_SYNC,
	S__COUNT,
};

static const char *const section_names[S__COUNT] = {
	[S_LAN] = "lan",	       [S_WAN] = "wan",	  [S_NAT] = "nat",
	[S_TIMEOUTS] = "timeouts", [S_ICMP] = "icmp", [S_LOG] = "log",
	[S_PASSTHROUGH] = "passthrough", [S_FORWARD] = "forward",
	[S_API] = "api", [S_DATAPATH] = "datapath",
	[S_DHCP] = "dhcp", [S_DNS] = "dns",
	[S_HOST] = "host", [S_INPUT] = "input",
	[S_TUNNEL] = "tunnel",
	[S_SYNC] = "sync",
};

struct key_def {
	enum section section;
	const char *name;
	enum kind kind;
	size_t off, off2;
	uint32_t min, max;
	bool required;
	bool list;	     /* may be given more than once */
	const char *why_min; /* names the rule behind min, for the message */
};

#define OFF(member) offsetof(struct pg_config, member)
#define EOFF(member) offsetof(struct pg_config, engine.member)

static const struct key_def key_table[] = {
	{S_LAN, "interface", K_IFNAME, OFF(lan_ifname), 0, 0, 0, true, false, NULL},
	{S_LAN, "address", K_PREFIX, EOFF(lan_addr), EOFF(lan_prefix), PG_LAN_PREFIX_MIN,
	 PG_LAN_PREFIX_MAX, true, false, NULL},
	{S_LAN, "mtu", K_U32, OFF(lan_mtu), 0, PG_CONFIG_MTU_MIN, PG_CONFIG_MTU_MAX, false, false,
	 NULL},
	{S_LAN, "address6", K_IP6, 0, 0, 0, 0, false, false, NULL},
	{S_LAN, "dns6", K_IP6, 0, 0, 0, 0, false, false, NULL},
	{S_LAN, "ra", K_IP6, 0, 0, 0, 0, false, false, NULL},
	{S_WAN, "address6", K_IP6, 0, 0, 0, 0, false, false, NULL},
	{S_WAN, "gateway6", K_IP6, 0, 0, 0, 0, false, false, NULL},
	{S_WAN, "ping6_inbound", K_IP6, 0, 0, 0, 0, false, false, NULL},
	{S_WAN, "interface", K_IFNAME, OFF(wan_ifname), 0, 0, 0, true, false, NULL},
	{S_WAN, "address", K_PREFIX, EOFF(wan_addr), EOFF(wan_prefix), 1, 31, true, false, NULL},
	{S_WAN, "gateway", K_ADDR, EOFF(wan_gateway), 0, 0, 0, true, false, NULL},
	{S_WAN, "mtu", K_U32, OFF(wan_mtu), 0, PG_CONFIG_MTU_MIN, PG_CONFIG_MTU_MAX, false, false,
	 NULL},
	{S_WAN, "shape_up", K_RATE, OFF(shape_up_bps), 0, 0, 0, false, false, NULL},
	{S_WAN, "shape_down", K_RATE, OFF(shape_down_bps), 0, 0, 0, false, false, NULL},
	{S_NAT, "filtering", K_FILTERING, EOFF(filtering), 0, 0, 0, false, false, NULL},
	{S_NAT, "max_flows", K_U32, EOFF(max_flows), 0, PG_MAX_FLOWS_MIN, PG_MAX_FLOWS_MAX, false, false, NULL},
	{S_NAT, "max_flows_per_host", K_U32, EOFF(max_flows_per_host), 0, 0, PG_MAX_FLOWS_PER_HOST_MAX, false, false,
	 NULL},
	{S_TIMEOUTS, "tcp_established", K_DURATION, EOFF(timeouts.tcp_established), 0,
	 PG_TCP_ESTABLISHED_MIN, UINT32_MAX,
	 false, false, "RFC 5382"},
	{S_TIMEOUTS, "tcp_transitory", K_DURATION, EOFF(timeouts.tcp_transitory), 0,
	 PG_TCP_TRANSITORY_MIN, UINT32_MAX,
	 false, false, "RFC 5382"},
	{S_TIMEOUTS, "tcp_time_wait", K_DURATION, EOFF(timeouts.tcp_time_wait), 0,
	 PG_TCP_TIME_WAIT_MIN, UINT32_MAX, false, false, "RFC 5382"},
	{S_TIMEOUTS, "udp", K_DURATION, EOFF(timeouts.udp), 0, PG_UDP_MIN, UINT32_MAX, false, false,
	 "RFC 4787"},
	{S_TIMEOUTS, "icmp", K_DURATION, EOFF(timeouts.icmp), 0, PG_ICMP_MIN, UINT32_MAX, false, false,
	 "RFC 5508"},
	{S_TIMEOUTS, "gre", K_DURATION, EOFF(timeouts.gre), 0, PG_TIMEOUT_MIN, UINT32_MAX, false, false, NULL},
	{S_TIMEOUTS, "esp", K_DURATION, EOFF(timeouts.esp), 0, PG_TIMEOUT_MIN, UINT32_MAX, false, false, NULL},
	{S_TIMEOUTS, "other", K_DURATION, EOFF(timeouts.other), 0, PG_TIMEOUT_MIN, UINT32_MAX, false, false, NULL},
	{S_ICMP, "error_rate", K_U32, EOFF(icmp_error_rate), 0, 0, 1000000, false, false, NULL},
	{S_ICMP, "error_burst", K_U32, EOFF(icmp_error_burst), 0, 0, 1000000, false, false, NULL},
	{S_ICMP, "refused", K_REFUSE, EOFF(refuse), 0, 0, 0, false, false, NULL},
	{S_ICMP, "refused_outbound", K_BOOL, EOFF(refuse_outbound), 0, 0, 0, false, false, NULL},
	{S_NAT, "mss_clamp", K_BOOL, EOFF(mss_clamp), 0, 0, 0, false, false, NULL},
	{S_NAT, "mss", K_U16, EOFF(mss_max), 0, PG_MSS_MIN, PG_MSS_MAX, false, false, NULL},
	{S_LOG, "level", K_LOGLEVEL, OFF(log_level), 0, 0, 0, false, false, NULL},
	{S_LOG, "syslog", K_BOOL, OFF(log_syslog), 0, 0, 0, false, false, NULL},
	{S_DATAPATH, "backend", K_BACKEND, OFF(backend), 0, 0, 0, false, false, NULL},
	{S_DATAPATH, "workers", K_U32, OFF(workers), 0, 1, PG_SHARDS_MAX, false, false, NULL},
	{S_DATAPATH, "offload", K_OFFLOAD, OFF(offload), 0, 0, 0, false, false, NULL},
	{S_PASSTHROUGH, "pptp", K_BOOL, EOFF(pptp_passthrough), 0, 0, 0, false, false, NULL},
	{S_PASSTHROUGH, "ipsec", K_BOOL, EOFF(ipsec_passthrough), 0, 0, 0, false, false, NULL},
	{S_PASSTHROUGH, "l2tp", K_BOOL, EOFF(l2tp_passthrough), 0, 0, 0, false, false, NULL},
	{S_PASSTHROUGH, "pptp_max_sessions", K_U32, EOFF(pptp_max_sessions), 0,
	 PG_PPTP_SESSIONS_MIN, PG_PPTP_SESSIONS_MAX, false,
	 false, NULL},
	{S_FORWARD, "rule", K_FORWARD, 0, 0, 0, 0, false, true, NULL},
	{S_FORWARD, "dmz", K_ADDR, EOFF(dmz_host), 0, 0, 0, false, false, NULL},
	{S_API, "listen", K_LISTEN, 0, 0, 0, 0, false, false, NULL},
	{S_API, "socket", K_SOCKET, 0, 0, 0, 0, false, false, NULL},
	{S_API, "password_hash", K_HASH, OFF(api.password_hash), 0, 0, 0, false, false, NULL},
	{S_API, "token_hash", K_HASH, OFF(api.token_hash), 0, 0, 0, false, false, NULL},
	{S_API, "tls", K_TLS, OFF(api.tls), 0, 0, 0, false, false, NULL},
	{S_API, "tls_cert", K_PATH, OFF(api.tls_cert), 0, 0, 0, false, false, NULL},
	{S_API, "tls_key", K_PATH, OFF(api.tls_key), 0, 0, 0, false, false, NULL},
	{S_API, "config_history", K_U32, OFF(api.config_history), 0, 0, PG_CFGHIST_MAX, false, false,
	 NULL},
	{S_DHCP, "enable", K_SVC, 0, 0, 0, 0, false, false, NULL},
	{S_DHCP, "range", K_SVC, 0, 0, 0, 0, false, false, NULL},
	{S_DHCP, "lease", K_SVC, 0, 0, 0, 0, false, false, NULL},
	{S_DHCP, "host", K_SVC, 0, 0, 0, 0, false, true, NULL},
	{S_DHCP, "dns", K_SVC, 0, 0, 0, 0, false, false, NULL},
	{S_DNS, "forward", K_SVC, 0, 0, 0, 0, false, false, NULL},
	{S_DNS, "upstream", K_SVC, 0, 0, 0, 0, false, false, NULL},
	{S_DNS, "name", K_SVC, 0, 0, 0, 0, false, true, NULL},
	{S_HOST, "path", K_BOOL, OFF(host.path), 0, 0, 0, false, false, NULL},
	{S_HOST, "lan_device", K_IFNAME, OFF(host.lan_dev), 0, 0, 0, false, false, NULL},
	{S_HOST, "wan_device", K_IFNAME, OFF(host.wan_dev), 0, 0, 0, false, false, NULL},
	{S_HOST, "routes", K_ROUTES, 0, 0, 0, 0, false, false, NULL},
	{S_INPUT, "lan", K_INPUT_LAN, 0, 0, 0, 0, false, false, NULL},
	{S_INPUT, "wan", K_INPUT_WAN, 0, 0, 0, 0, false, false, NULL},
	{S_TUNNEL, "type", K_TUNNEL, 0, 0, 0, 0, false, false, NULL},
	{S_TUNNEL, "device", K_TUNNEL, 0, 0, 0, 0, false, false, NULL},
	{S_TUNNEL, "wg_config", K_TUNNEL, 0, 0, 0, 0, false, false, NULL},
	{S_TUNNEL, "config", K_TUNNEL, 0, 0, 0, 0, false, false, NULL},
	{S_TUNNEL, "address", K_TUNNEL, 0, 0, 0, 0, false, false, NULL},
	{S_TUNNEL, "dns", K_TUNNEL, 0, 0, 0, 0, false, false, NULL},
	{S_TUNNEL, "mtu", K_TUNNEL, 0, 0, 0, 0, false, false, NULL},
	{S_TUNNEL, "table", K_TUNNEL, 0, 0, 0, 0, false, false, NULL},
	{S_TUNNEL, "killswitch", K_TUNNEL, 0, 0, 0, 0, false, false, NULL},
	{S_TUNNEL, "route", K_TUNNEL, 0, 0, 0, 0, false, false, NULL},
	{S_TUNNEL, "bypass", K_TUNNEL, 0, 0, 0, 0, false, false, NULL},
	{S_SYNC, "role", K_SYNC, 0, 0, 0, 0, false, false, NULL},
	{S_SYNC, "listen", K_SYNC, 0, 0, 0, 0, false, false, NULL},
	{S_SYNC, "peer", K_SYNC, 0, 0, 0, 0, false, false, NULL},
	{S_SYNC, "key_file", K_SYNC, 0, 0, 0, 0, false, false, NULL},
	{S_SYNC, "ha_start", K_SYNC, 0, 0, 0, 0, false, false, NULL},
};

#define N_KEYS (sizeof(key_table) / sizeof(key_table[0]))

/* Parser state for one text. */
struct parse {
	struct pg_config *cfg;
	char *err;
	size_t errlen;
	unsigned int key_line[N_KEYS];	     /* line a key was first set on, 0 = unset */
	unsigned int section_line[S__COUNT]; /* first header line of a section */
};

static int fail(struct parse *p, unsigned int line, int sec, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Format "NAME:LINE: [sec] key: reason" into p->err; returns -EINVAL. */
static int fail(struct parse *p, unsigned int line, int sec, const char *key, const char *fmt, ...)
{
	char reason[448];
	char where[64] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(where, sizeof(where), ":%u", line);
	if (sec >= 0 && key)
		snprintf(p->err, p->errlen, "%s%s: [%s] %s: %s", p->cfg->doc.name, where,
			 section_names[sec], key, reason);
	else if (sec >= 0)
		snprintf(p->err, p->errlen, "%s%s: [%s]: %s", p->cfg->doc.name, where,
			 section_names[sec], reason);
	else
		snprintf(p->err, p->errlen, "%s%s: %s", p->cfg->doc.name, where, reason);
	return -EINVAL;
}

/*
 * Two forwards claim the same traffic: name both rules by their text and
 * file:line, so whoever reads the error needs no second look at the file
 * (docs/CONFIG.md "[forward]"). Reported at the later rule's line.
 */
/*
 * Two forwards claim the same traffic: name both by text and file:line. Past
 * nforward_rules a forward is an [input] wan rule (its line holds the list).
 */
static int forward_clash(struct parse *p, unsigned int first, unsigned int second)
{
	const struct pg_config_line *a = &p->cfg->doc.lines[p->cfg->forward_line[first] - 1];
	const struct pg_config_line *b = &p->cfg->doc.lines[p->cfg->forward_line[second] - 1];
	const char *text = p->cfg->doc.text;
	bool input = second >= p->cfg->nforward_rules;

	if (input && first >= p->cfg->nforward_rules)
		return fail(p, p->cfg->forward_line[second], S_INPUT, "wan",
			    "two of its rules claim the same traffic");
	/* The rule texts are capped so both fit the message buffer. */
	return fail(p, p->cfg->forward_line[second], input ? S_INPUT : S_FORWARD,
		    input ? "wan" : "rule",
		    "'%.*s' claims traffic that '%.*s' (%s:%u) already forwards",
		    (int)(b->val_len > 60 ? 60 : b->val_len), text + b->val_off,
		    (int)(a->val_len > 60 ? 60 : a->val_len), text + a->val_off,
		    p->cfg->doc.name, p->cfg->forward_line[first]);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static bool is_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int pg_config_parse_u32(const char *s, uint32_t *value)
{
	uint64_t v = 0;

	if (!is_digits(s))
		return -EINVAL;
	for (; *s; s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -EINVAL;
	}
	*value = (uint32_t)v;
	return 0;
}

/*
 * "240", "240s", "4m", "2h4m", "1h30m15s": a bare number is seconds; otherwise
 * number-unit pairs with units h, m, s, each at most once and in that order,
 * so that "4m2h" (almost certainly a typo) is refused rather than summed.
 */
int pg_config_parse_duration(const char *s, uint32_t *seconds)
{
	static const struct {
		char unit;
		uint32_t mult;
	} units[] = {{'h', 3600}, {'m', 60}, {'s', 1}};
	unsigned int next_unit = 0;
	uint64_t total = 0;

	if (is_digits(s))
		return pg_config_parse_u32(s, seconds);
	if (!*s)
		return -EINVAL;
	while (*s) {
		uint64_t v = 0;
		unsigned int digits = 0;

		for (; *s >= '0' && *s <= '9'; s++, digits++) {
			v = v * 10 + (uint64_t)(*s - '0');
			if (v > UINT32_MAX)
				return -EINVAL;
		}
		if (!digits)
			return -EINVAL;
		while (next_unit < 3 && units[next_unit].unit != *s)
			next_unit++;
		if (next_unit == 3)
			return -EINVAL;
		total += v * units[next_unit].mult;
		if (total > UINT32_MAX)
			return -EINVAL;
		next_unit++;
		s++;
	}
	*seconds = (uint32_t)total;
	return 0;
}

int pg_config_parse_bool(const char *s, bool *value)
{
	if (!strcmp(s, "on") || !strcmp(s, "yes") || !strcmp(s, "true")) {
		*value = true;
		return 0;
	}
	if (!strcmp(s, "off") || !strcmp(s, "no") || !strcmp(s, "false")) {
		*value = false;
		return 0;
	}
	return -EINVAL;
}

int pg_config_parse_addr(const char *s, uint32_t *addr_be)
{
	struct in_addr a;

	/* inet_pton() takes only the four-part dotted quad, no octal or hex. */
	if (inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*addr_be = a.s_addr;
	return 0;
}

int pg_config_parse_prefix(const char *s, uint32_t *addr_be, uint8_t *prefix)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	size_t alen;
	uint32_t len;

	if (!slash)
		return -EINVAL;
	alen = (size_t)(slash - s);
	if (alen >= sizeof(buf) || strlen(slash + 1) > 2)
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (pg_config_parse_addr(buf, addr_be) || pg_config_parse_u32(slash + 1, &len) || len > 32)
		return -EINVAL;
	*prefix = (uint8_t)len;
	return 0;
}

static void format_duration(uint32_t s, char *buf, size_t len)
{
	if (s % 3600 == 0)
		snprintf(buf, len, "%uh", s / 3600);
	else if (s >= 3600 && (s % 3600) % 60 == 0)
		snprintf(buf, len, "%uh%um", s / 3600, (s % 3600) / 60);
	else if (s % 60 == 0)
		snprintf(buf, len, "%um", s / 60);
	else
		snprintf(buf, len, "%us", s);
}

const char *const pg_backend_names[] = {
	[PG_BACKEND_AUTO] = "auto",
	[PG_BACKEND_AFPACKET] = "afpacket",
	[PG_BACKEND_AFXDP] = "afxdp",
};
_Static_assert(PG_ARRAY_SIZE(pg_backend_names) == PG_BACKEND__COUNT, "a backend without a name");

const char *const pg_offload_names[] = {
	[PG_OFFLOAD_AUTO] = "auto",
	[PG_OFFLOAD_OFF] = "off",
	[PG_OFFLOAD_ON] = "on",
};
_Static_assert(PG_ARRAY_SIZE(pg_offload_names) == PG_OFFLOAD__COUNT, "an offload mode without a name");

/* Enums are stored as int: set_enum() writes one through base + k->off. */
_Static_assert(sizeof(enum pg_filtering) == sizeof(int) && sizeof(enum pg_refuse) == sizeof(int) &&
		       sizeof(enum pg_backend) == sizeof(int) &&
		       sizeof(enum pg_offload_mode) == sizeof(int) &&
		       sizeof(enum pg_api_tls) == sizeof(int) &&
		       sizeof(enum pg_log_level) == sizeof(int),
	       "an enum setting is not int-sized");

/* One of an enum's names (its table, next to the enum), stored as that enum. */
static int set_enum(struct parse *p, unsigned int line, const struct key_def *k, char *base,
		    const char *v, const char *const *names, size_t n)
{
	int i = pg_name_index(names, n, v);
	char choices[160];

	if (i < 0) {
		pg_name_choices(names, n, choices, sizeof(choices));
		return fail(p, line, (int)k->section, k->name, "expected %s", choices);
	}
	memcpy(base + k->off, &i, sizeof(i));
	return 0;
}

#define FAIL(...) fail(p, line, (int)k->section, k->name, __VA_ARGS__)

/* The kernel's dev_valid_name(): 1..15 bytes, no '/', ':' or blanks. */
static int set_ifname(struct parse *p, unsigned int line, const struct key_def *k, char *base,
		      const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n >= PG_CONFIG_IFNAME_SIZE || strpbrk(v, "/: \t") || !strcmp(v, ".") ||
	    !strcmp(v, ".."))
		return FAIL("expected an interface name of 1 to 15 bytes without '/', ':' or blanks");
	memcpy(base + k->off, v, n + 1);
	return 0;
}

/* A host address with its prefix length: neither the network nor the broadcast address. */
static int set_prefix(struct parse *p, unsigned int line, const struct key_def *k, char *base,
		      const char *v)
{
	uint32_t a;
	uint8_t len;

	if (k->section == S_WAN && !strcmp(v, "dhcp")) {
		/* Placeholders until a lease is bound: the engine ignores them. */
		p->cfg->wan_dhcp = true;
		p->cfg->engine.wan_down = true;
		p->cfg->engine.wan_addr = 0;
		p->cfg->engine.wan_prefix = 32;
		return 0;
	}
	if (pg_config_parse_prefix(v, &a, &len))
		return FAIL("expected %s", k->section == S_WAN
						   ? "'dhcp' or an address and prefix length such as "
						     "198.51.100.2/24"
						   : "an address and prefix length such as 192.168.1.1/24");
	if (len < k->min || len > k->max)
		return FAIL("prefix length must be between %u and %u", k->min, k->max);
	if (len <= 30 && (a & ~pg_prefix_mask(len)) == 0)
		return FAIL("%s is the network address of its prefix, not a host address", v);
	if (len <= 30 && (a | pg_prefix_mask(len)) == 0xffffffffu)
		return FAIL("%s is the broadcast address of its prefix, not a host address", v);
	memcpy(base + k->off, &a, sizeof(a));
	memcpy(base + k->off2, &len, sizeof(len));
	return 0;
}

/* An address, or a whole number of 32 or 16 bits within the key's range. */
static int set_number(struct parse *p, unsigned int line, const struct key_def *k, char *base,
		      const char *v)
{
	uint32_t u;
	uint16_t h;

	switch (k->kind) {
	case K_ADDR:
		if (pg_config_parse_addr(v, &u))
			return FAIL("expected an IPv4 address such as 198.51.100.1");
		memcpy(base + k->off, &u, sizeof(u));
		return 0;
	case K_U32:
		if (pg_config_parse_u32(v, &u) || u < k->min || u > k->max)
			return FAIL("expected a whole number between %u and %u", k->min, k->max);
		memcpy(base + k->off, &u, sizeof(u));
		return 0;
	default: /* K_U16 */
		if (pg_config_parse_u32(v, &u) || u < k->min || u > k->max)
			return FAIL("expected a whole number from %u to %u", k->min, k->max);
		h = (uint16_t)u;
		memcpy(base + k->off, &h, sizeof(h));
		return 0;
	}
}

/* A duration of at least the key's minimum, which the message names with its rule. */
static int set_duration(struct parse *p, unsigned int line, const struct key_def *k, char *base,
			const char *v)
{
	char min[32];
	uint32_t u;

	if (pg_config_parse_duration(v, &u))
		return FAIL("expected a duration such as 240, 240s, 4m or 2h4m");
	if (u < k->min) {
		format_duration(k->min, min, sizeof(min));
		if (k->why_min)
			return FAIL("%s requires at least %s (%u s)", k->why_min, min, k->min);
		return FAIL("must be at least %s", min);
	}
	memcpy(base + k->off, &u, sizeof(u));
	return 0;
}

static int set_bool(struct parse *p, unsigned int line, const struct key_def *k, char *base,
		    const char *v)
{
	bool b;

	if (pg_config_parse_bool(v, &b))
		return FAIL("expected 'on' or 'off' (or yes/no, true/false)");
	memcpy(base + k->off, &b, sizeof(b));
	return 0;
}

/*
 * "auto" or a boolean (on/off, yes/no, true/false), stored as the enum's
 * value for each: [api] tls, and [datapath] offload (a boolean before auto).
 */
static int set_auto_bool(struct parse *p, unsigned int line, const struct key_def *k, char *base,
			 const char *v, int is_auto, int is_on, int is_off)
{
	int m;
	bool b;

	if (!strcmp(v, "auto"))
		m = is_auto;
	else if (!pg_config_parse_bool(v, &b))
		m = b ? is_on : is_off;
	else
		return FAIL("expected 'auto', 'on' or 'off'");
	memcpy(base + k->off, &m, sizeof(m));
	return 0;
}

/* One more rule of a list: port forwards, input rules, host routes. */
static int set_rule(struct parse *p, unsigned int line, const struct key_def *k, const char *v)
{
	struct pg_engine_config *ec = &p->cfg->engine;
	const char *why = "invalid value";
	int r;

	switch (k->kind) {
	case K_FORWARD:
		if (ec->nforwards == PG_MAX_FORWARDS)
			return FAIL("more than %d rules", PG_MAX_FORWARDS);
		r = pg_config_parse_forward(v, &ec->forwards[ec->nforwards], &why);
		if (!r)
			p->cfg->forward_line[ec->nforwards++] = line;
		break;
	case K_INPUT_LAN:
		r = pg_config_parse_input(v, ec->lan_input, PG_MAX_INPUT_RULES, &ec->nlan_input,
					  &why);
		break;
	case K_INPUT_WAN:
		r = pg_config_parse_input(v, p->cfg->wan_input, PG_MAX_INPUT_RULES,
					  &p->cfg->nwan_input, &why);
		if (!r)
			p->cfg->wan_input_line = line;
		break;
	default: /* K_ROUTES */
		r = pg_config_parse_routes(v, ec->host_routes, PG_MAX_HOST_ROUTES,
					   &ec->nhost_routes, &why);
		break;
	}
	return r ? FAIL("%s", why) : 0;
}

/* [api]: where it listens, and the credentials' hashes. */
static int set_api(struct parse *p, unsigned int line, const struct key_def *k, char *base,
		   const char *v)
{
	switch (k->kind) {
	case K_LISTEN:
		if (pg_config_parse_listen(v, &p->cfg->api))
			return FAIL("expected 'off', or an address and port such as "
				    "127.0.0.1:8080 or [::1]:8080 (IPv6 in brackets)");
		return 0;
	case K_SOCKET:
		if (pg_config_parse_socket(v, &p->cfg->api))
			return FAIL("expected 'off' or an absolute path of at most %d bytes such as %s",
				    PG_CONFIG_SOCKET_PATH_SIZE - 1, PG_CONFIG_API_SOCKET);
		return 0;
	case K_TLS:
		return set_auto_bool(p, line, k, base, v, PG_API_TLS_AUTO, PG_API_TLS_ON,
				     PG_API_TLS_OFF);
	case K_PATH:
		/* Relative paths would depend on the daemon's working directory. */
		if (v[0] != '/' || strlen(v) > PG_CONFIG_VALUE_MAX)
			return FAIL("expected an absolute path of at most %d bytes",
				    PG_CONFIG_VALUE_MAX);
		snprintf(base + k->off, PG_CONFIG_VALUE_MAX + 1, "%s", v);
		return 0;
	default: /* K_HASH */
		if (!pg_config_hash_valid(v))
			return FAIL("expected a crypt(3) hash such as '$y$...' (make one with "
				    "'passgated --hash-password')");
		snprintf(base + k->off, PG_CONFIG_VALUE_MAX + 1, "%s", v);
		return 0;
	}
}

static int set_value(struct parse *p, unsigned int line, const struct key_def *k, const char *v)
{
	char *base = (char *)p->cfg;
	const char *why = "invalid value";

	switch (k->kind) {
	case K_IFNAME:
		return set_ifname(p, line, k, base, v);
	case K_PREFIX:
		return set_prefix(p, line, k, base, v);
	case K_ADDR:
	case K_U32:
	case K_U16:
		return set_number(p, line, k, base, v);
	case K_DURATION:
		return set_duration(p, line, k, base, v);
	case K_BOOL:
		return set_bool(p, line, k, base, v);
	case K_FILTERING:
		return set_enum(p, line, k, base, v, pg_filtering_names, PG_FILTER__COUNT);
	case K_REFUSE:
		return set_enum(p, line, k, base, v, pg_refuse_names, PG_REFUSE__COUNT);
	case K_BACKEND:
		return set_enum(p, line, k, base, v, pg_backend_names, PG_BACKEND__COUNT);
	case K_OFFLOAD:
		return set_auto_bool(p, line, k, base, v, PG_OFFLOAD_AUTO, PG_OFFLOAD_ON,
				     PG_OFFLOAD_OFF);
	case K_LOGLEVEL:
		return set_enum(p, line, k, base, v, pg_log_level_names, PG_LOG__COUNT);
	case K_FORWARD:
	case K_INPUT_LAN:
	case K_INPUT_WAN:
	case K_ROUTES:
		return set_rule(p, line, k, v);
	case K_LISTEN:
	case K_SOCKET:
	case K_HASH:
	case K_TLS:
	case K_PATH:
		return set_api(p, line, k, base, v);
	case K_RATE: {
		uint64_t bps;
		int r = pg_config_parse_rate(v, &bps);

		if (r)
			return FAIL("%s", pg_config_rate_why(r));
		memcpy(base + k->off, &bps, sizeof(bps));
		return 0;
	}
	case K_IP6:
		if (pg_config_ipv6_set(p->cfg, section_names[k->section], k->name, v, &why))
			return FAIL("%s", why);
		return 0;
	case K_SVC:
		if (pg_config_svc_set(p->cfg, section_names[k->section], k->name, v, line, &why))
			return FAIL("%s", why);
		return 0;
	case K_TUNNEL:
		if (pg_config_tunnel_set(p->cfg, k->name, v, &why))
			return FAIL("%s", why);
		return 0;
	case K_SYNC:
		if (pg_config_sync_set(p->cfg, k->name, v, &why))
			return FAIL("%s", why);
		return 0;
	}
	return FAIL("internal error: unknown kind");
}

#undef FAIL

const char *pg_config_section_name(int section)
{
	return section >= 0 && section < S__COUNT ? section_names[section] : NULL;
}

static int find_section(const char *s, size_t n)
{
	for (int i = 0; i < S__COUNT; i++)
		if (strlen(section_names[i]) == n && !memcmp(section_names[i], s, n))
			return i;
	return -1;
}

static int find_key(int sec, const char *s, size_t n)
{
	for (unsigned int i = 0; i < N_KEYS; i++)
		if ((int)key_table[i].section == sec && strlen(key_table[i].name) == n &&
			!memcmp(key_table[i].name, s, n))
			return (int)i;
	return -1;
}

/*
 * Split line ln (1-based number lineno) into its parts, record them in
 * doc.lines and apply a setting. *sec carries the current section.
 */
static int parse_line(struct parse *p, unsigned int lineno, int *sec)
{
	struct pg_config_doc *d = &p->cfg->doc;
	struct pg_config_line *ln = &d->lines[lineno - 1];
	const char *s = d->text + ln->off;
	size_t end = ln->len, b = 0, e;
	const char *hash = memchr(s, '#', ln->len);
	char name[64], value[PG_CONFIG_VALUE_MAX + 1];
	int k;

	ln->section = (int16_t)*sec;
	if (hash)
		end = (size_t)(hash - s);
	while (b < end && is_blank(s[b]))
		b++;
	e = end;
	while (e > b && is_blank(s[e - 1]))
		e--;
	if (b == e)
		return 0; /* blank or comment only */

	if (s[b] == '[') {
		size_t nb = b + 1, ne = nb;
		int found;

		while (ne < e && is_name_char(s[ne]))
			ne++;
		if (ne == nb || ne + 1 != e || s[ne] != ']')
			return fail(
				p, lineno, -1, NULL,
				"malformed section header: expected '[name]' with a-z, 0-9 and '_'");
		found = find_section(s + nb, ne - nb);
		if (found < 0) {
			snprintf(name, sizeof(name), "%.*s", (int)(ne - nb), s + nb);
			return fail(p, lineno, -1, NULL, "[%s]: unknown section", name);
		}
		if (!p->section_line[found])
			p->section_line[found] = lineno;
		*sec = found;
		ln->section = (int16_t)found;
		ln->is_section = true;
		return 0;
	}

	/* key = value */
	size_t kb = b, ke = b, vb, ve = e;

	while (ke < e && is_name_char(s[ke]))
		ke++;
	vb = ke;
	while (vb < e && is_blank(s[vb]))
		vb++;
	if (ke == kb || vb >= e || s[vb] != '=')
		return fail(p, lineno, -1, NULL,
				"expected '[section]' or 'key = value' (keys use a-z, 0-9 and '_')");
	vb++;
	while (vb < ve && is_blank(s[vb]))
		vb++;
	snprintf(name, sizeof(name), "%.*s", (int)(ke - kb), s + kb);
	if (*sec < 0)
		return fail(p, lineno, -1, NULL, "%s: setting before the first [section]", name);
	k = find_key(*sec, s + kb, ke - kb);
	if (k < 0)
		return fail(p, lineno, *sec, name, "unknown key");
	if (p->key_line[k] && !key_table[k].list)
		return fail(p, lineno, *sec, name, "given twice (first on line %u)",
				p->key_line[k]);
	if (vb == ve)
		return fail(p, lineno, *sec, name, "missing value");
	if (ve - vb > PG_CONFIG_VALUE_MAX)
		return fail(p, lineno, *sec, name, "value longer than %d bytes",
				PG_CONFIG_VALUE_MAX);
	memcpy(value, s + vb, ve - vb);
	value[ve - vb] = '\0';
	ln->key_off = (uint32_t)(ln->off + kb);
	ln->key_len = (uint32_t)(ke - kb);
	ln->val_off = (uint32_t)(ln->off + vb);
	ln->val_len = (uint32_t)(ve - vb);
	p->key_line[k] = lineno;
	return set_value(p, lineno, &key_table[k], value);
}

static bool same_net(uint32_t a, uint32_t b, uint8_t prefix)
{
	return ((a ^ b) & pg_prefix_mask(prefix)) == 0;
}

static int key_index(enum section sec, const char *name)
{
	return find_key((int)sec, name, strlen(name));
}

/* Checks that need the whole file: required keys and combinations. */
/* Every required key is there; reported at its section's header. */
static int check_required(struct parse *p)
{
	for (unsigned int i = 0; i < N_KEYS; i++) {
		const struct key_def *kd = &key_table[i];

		if (!kd->required || p->key_line[i])
			continue;
		/* A DHCP WAN learns its gateway from the lease. */
		if (p->cfg->wan_dhcp && kd->section == S_WAN && !strcmp(kd->name, "gateway"))
			continue;
		/* Report at the section header, or at the last line if there is none. */
		return fail(p,
				p->section_line[kd->section] ? p->section_line[kd->section]
							 : p->cfg->doc.n_lines,
				(int)kd->section, kd->name, "required key missing");
	}
	return 0;
}

/* [wan] against [lan] and itself: own link, no overlap, a usable gateway. */
static int check_wan(struct parse *p)
{
	const struct pg_engine_config *ec = &p->cfg->engine;
	char net[INET_ADDRSTRLEN];
	struct in_addr a;
	int k;

	k = key_index(S_WAN, "interface");
	if (!strcmp(p->cfg->lan_ifname, p->cfg->wan_ifname))
		return fail(p, p->key_line[k], S_WAN, "interface",
				"same interface as [lan] interface; the sides need their own links");
	k = key_index(S_WAN, "gateway");
	if (p->cfg->wan_dhcp && p->key_line[k])
		return fail(p, p->key_line[k], S_WAN, "gateway",
			    "with address = dhcp the gateway comes from the lease; remove this line");
	if (p->cfg->wan_dhcp)
		return 0; /* the lease is checked when it comes (src/wan/dhcp.c) */
	k = key_index(S_WAN, "address");
	if (same_net(ec->lan_addr, ec->wan_addr,
		     ec->lan_prefix < ec->wan_prefix ? ec->lan_prefix : ec->wan_prefix)) {
		a.s_addr = ec->lan_addr & pg_prefix_mask(ec->lan_prefix);
		inet_ntop(AF_INET, &a, net, sizeof(net));
		return fail(p, p->key_line[k], S_WAN, "address", "overlaps the LAN prefix %s/%u",
				net, ec->lan_prefix);
	}
	k = key_index(S_WAN, "gateway");
	if (!same_net(ec->wan_gateway, ec->wan_addr, ec->wan_prefix)) {
		a.s_addr = ec->wan_addr & pg_prefix_mask(ec->wan_prefix);
		inet_ntop(AF_INET, &a, net, sizeof(net));
		return fail(p, p->key_line[k], S_WAN, "gateway", "not inside the WAN prefix %s/%u",
				net, ec->wan_prefix);
	}
	if (ec->wan_gateway == ec->wan_addr)
		return fail(p, p->key_line[k], S_WAN, "gateway",
				"is the gateway's own WAN address");
	if (ec->wan_prefix <= 30 && ((ec->wan_gateway & ~pg_prefix_mask(ec->wan_prefix)) == 0 ||
				     (ec->wan_gateway | pg_prefix_mask(ec->wan_prefix)) == 0xffffffffu))
		return fail(p, p->key_line[k], S_WAN, "gateway",
				"is the network or broadcast address of the WAN prefix");
	return 0;
}

/* The host path, port forwards (and [input] wan rules compiled into them), the DMZ. */
static int check_rules(struct parse *p)
{
	const struct pg_engine_config *ec = &p->cfg->engine;
	const char *why = NULL;
	int k, r;

	k = key_index(S_NAT, "max_flows_per_host");
	if (ec->max_flows_per_host > ec->max_flows)
		return fail(p, p->key_line[k], S_NAT, "max_flows_per_host",
				"larger than max_flows (%u)", ec->max_flows);
	r = pg_config_host_finish(p->cfg, &why);
	if (r == -2)
		return fail(p, p->cfg->wan_input_line, S_INPUT, "wan", "%s", why);
	if (r)
		return fail(p, p->section_line[S_HOST] ? p->section_line[S_HOST] : 0, S_HOST, NULL,
			    "%s", why);
	for (unsigned int i = 0; i < ec->nforwards; i++) {
		unsigned int first, second;
		/* Past nforward_rules: an [input] wan rule, compiled into a forward. */
		bool input = i >= p->cfg->nforward_rules;

		if (ec->forwards[i].v6 && !ec->lan6_prefix && !p->cfg->ipv6.lan_pd)
			return fail(p, p->cfg->forward_line[i], S_FORWARD, "rule",
				    "an IPv6 host, but the LAN has no IPv6 ([lan] address6)");
		if (pg_portfwd_rule_check(ec, &ec->forwards[i], &why))
			return fail(p, p->cfg->forward_line[i], input ? S_INPUT : S_FORWARD,
				    input ? "wan" : "rule", "%s", why);
		if (pg_portfwd_conflict(ec, &first, &second))
			return forward_clash(p, first, second);
	}
	k = key_index(S_LAN, "dns6");
	if (p->cfg->ipv6.lan_dns_gw && (!p->cfg->host.path || !pg_config_dns_serves(p->cfg)))
		return fail(p, p->key_line[k], S_LAN, "dns6",
			    "'gateway' needs the gateway's resolver: [host] path = on and [dns] "
			    "answering");
	if (p->cfg->ipv6.lan_dns_gw && !ec->lan6_prefix && !p->cfg->ipv6.lan_pd)
		return fail(p, p->key_line[k], S_LAN, "dns6",
			    "'gateway', but the LAN has no IPv6 ([lan] address6)");
	if (pg_config_tunnel_finish(p->cfg, &why))
		return fail(p, p->section_line[S_TUNNEL], S_TUNNEL, NULL, "%s", why);
	k = key_index(S_FORWARD, "dmz");
	if (ec->dmz_host && (!same_net(ec->dmz_host, ec->lan_addr, ec->lan_prefix) ||
			     ec->dmz_host == ec->lan_addr))
		return fail(p, p->key_line[k], S_FORWARD, "dmz", "not a host of the LAN prefix");
	return 0;
}

static int check_all(struct parse *p)
{
	const struct pg_engine_config *ec = &p->cfg->engine;
	struct pg_config_svc_err svc;
	const char *why = NULL;
	int k, r;

	r = check_required(p);
	if (!r)
		r = check_wan(p);
	if (!r)
		r = check_rules(p);
	if (r)
		return r;
	/*
	 * Without a credential nobody can log in, so the API may only be
	 * reachable from this machine (docs/API.md "Authentication").
	 */
	k = key_index(S_API, "listen");
	if (p->cfg->api.enabled && !pg_config_api_has_credential(&p->cfg->api) &&
	    !pg_config_api_loopback(&p->cfg->api))
		return fail(p, p->key_line[k], S_API, "listen",
			    "not a loopback address, and no password_hash or token_hash is set");
	/* A certificate without its key (or the reverse) cannot be served. */
	if (!p->cfg->api.tls_cert[0] != !p->cfg->api.tls_key[0]) {
		k = key_index(S_API, p->cfg->api.tls_cert[0] ? "tls_cert" : "tls_key");
		return fail(p, p->key_line[k], S_API, p->cfg->api.tls_cert[0] ? "tls_cert" : "tls_key",
			    "tls_cert and tls_key are given together");
	}
	if (p->cfg->api.tls == PG_API_TLS_OFF && p->cfg->api.tls_cert[0]) {
		k = key_index(S_API, "tls");
		return fail(p, p->key_line[k], S_API, "tls",
			    "off, but tls_cert and tls_key are given");
	}
	if (pg_config_svc_check(p->cfg, &svc))
		return fail(p, svc.line, find_section(svc.section, strlen(svc.section)), svc.key,
			    "%s", svc.reason);
	k = key_index(S_SYNC, "role");
	if (pg_config_sync_check(p->cfg, &why))
		return fail(p, p->key_line[k], S_SYNC, "role", "%s", why);
	/* The engine needs the MTUs for frag-needed and MSS clamping. */
	p->cfg->engine.lan_mtu = (uint16_t)p->cfg->lan_mtu;
	p->cfg->engine.wan_mtu = (uint16_t)p->cfg->wan_mtu;
	/* The engine has the last word on what it can run with. */
	if (pg_engine_config_validate(ec, &why))
		return fail(p, 0, -1, NULL, "%s", why ? why : "invalid configuration");
	k = key_index(S_DATAPATH, "workers");
	if (pg_engines_validate(ec, p->cfg->workers, &why))
		return fail(p, p->key_line[k], S_DATAPATH, "workers", "%s (max_flows %u)", why,
			    ec->max_flows);
	return 0;
}

static void doc_free(struct pg_config_doc *d)
{
	free(d->text);
	free(d->lines);
	d->text = NULL;
	d->lines = NULL;
}

uint32_t pg_config_default_max_flows(const struct pg_engine_config *ec)
{
	uint64_t ram, flows = PG_CONFIG_FLOWS_MAX_DEFAULT;
	struct sysinfo si;

	/*
	 * A sixteenth of the memory, so that a 256 MB router starts with the
	 * defaults (131072 flows, about 19 MB) and leaves the rest to the
	 * system, dnsmasq and the page cache; a power of two, 65536 at least
	 * (what a small office needs) and 1048576 at most (the old default).
	 */
	if (!sysinfo(&si) && si.totalram) {
		ram = (uint64_t)si.totalram * (si.mem_unit ? si.mem_unit : 1);
		flows = ram / 16 / pg_engine_bytes_per_flow(ec);
	}
	if (flows < PG_CONFIG_FLOWS_MIN_DEFAULT)
		return PG_CONFIG_FLOWS_MIN_DEFAULT;
	if (flows > PG_CONFIG_FLOWS_MAX_DEFAULT)
		return PG_CONFIG_FLOWS_MAX_DEFAULT;
	while (flows & (flows - 1))
		flows &= flows - 1;
	return (uint32_t)flows;
}

int pg_config_parse(struct pg_config *cfg, const char *name, const char *text, size_t len,
			char *err, size_t errlen)
{
	struct pg_config c;
	struct parse p;
	unsigned int n = 1, i;
	size_t off = 0;
	int sec = -1, r;

	memset(&c, 0, sizeof(c));
	memset(&p, 0, sizeof(p));
	p.cfg = &c;
	p.err = err;
	p.errlen = errlen;
	snprintf(c.doc.name, sizeof(c.doc.name), "%s", name);
	pg_engine_config_defaults(&c.engine);
	c.engine.max_flows = pg_config_default_max_flows(&c.engine);
	c.lan_mtu = 1500;
	c.wan_mtu = 1500;
	c.log_level = PG_LOG_INFO;
	pg_config_api_defaults(&c.api);
	pg_config_svc_defaults(&c);
	pg_config_ipv6_defaults(&c);
	pg_config_tunnel_defaults(&c);
	c.host.path = true;
	c.workers = 1;

	if (len > PG_CONFIG_FILE_MAX)
		return fail(&p, 0, -1, NULL, "larger than %u bytes", PG_CONFIG_FILE_MAX);
	if (memchr(text, '\0', len))
		return fail(&p, 0, -1, NULL, "contains a NUL byte; not a text file");
	c.doc.text = malloc(len + 1);
	if (!c.doc.text) {
		fail(&p, 0, -1, NULL, "out of memory");
		return -ENOMEM;
	}
	memcpy(c.doc.text, text, len);
	c.doc.text[len] = '\0';
	c.doc.text_len = len;
	for (i = 0; i < len; i++)
		if (text[i] == '\n' && i + 1 < len)
			n++;
	c.doc.lines = calloc(n, sizeof(*c.doc.lines));
	if (!c.doc.lines) {
		doc_free(&c.doc);
		fail(&p, 0, -1, NULL, "out of memory");
		return -ENOMEM;
	}
	/* A final line without a newline still counts; an empty text has one empty line. */
	for (i = 0; i < n; i++) {
		const char *nl = memchr(c.doc.text + off, '\n', len - off);
		size_t l = nl ? (size_t)(nl - (c.doc.text + off)) : len - off;

		c.doc.lines[i].off = (uint32_t)off;
		c.doc.lines[i].len = (uint32_t)l;
		off += l + 1;
	}
	c.doc.n_lines = n;
	for (i = 0; i < n; i++) {
		r = parse_line(&p, i + 1, &sec);
		if (r)
			goto out_fail;
	}
	r = check_all(&p);
	if (r)
		goto out_fail;
	*cfg = c;
	return 0;

out_fail:
	doc_free(&c.doc);
	return r;
}

int pg_config_load(struct pg_config *cfg, const char *path, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return r;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > PG_CONFIG_FILE_MAX) {
		snprintf(err, errlen, "%s: not a regular file of at most %u bytes", path,
			 PG_CONFIG_FILE_MAX);
		close(fd);
		return -EINVAL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + got, (size_t)st.st_size - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	r = pg_config_parse(cfg, path, buf, got, err, errlen);
	free(buf);
	return r;
}

void pg_config_free(struct pg_config *cfg)
{
	doc_free(&cfg->doc);
}
