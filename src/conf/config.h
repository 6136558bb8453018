/* SPDX-License-Identifier: MIT */
/*
 * config.h - the daemon's configuration: docs/CONFIG.md's line grammar parsed
 * into a struct pg_config, and the parsed file kept line by line (comments
 * and blank lines included) so that one value can later be changed and the
 * file written back the way the user wrote it.
 */
#ifndef PG_CONFIG_H
#define PG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/config_dhcp.h"
#include "conf/config_sync.h"
#include "conf/config_ipv6.h"
#include "engine/engine.h"
#include "util/log.h"

/* IFNAMSIZ, including the terminating NUL: names are at most 15 bytes. */
#define PG_CONFIG_IFNAME_SIZE 16
/* Smallest and largest link MTU; the largest fits a 2 KiB frame buffer. */
#define PG_CONFIG_MTU_MIN PG_MTU_MIN
#define PG_CONFIG_MTU_MAX 1956
/* Longest value, longest file. */
#define PG_CONFIG_VALUE_MAX 255
#define PG_CONFIG_FILE_MAX (1u << 20)
/* Room for "FILE:LINE: [section] key: reason". */
#define PG_CONFIG_ERR_SIZE 512

/*
 * One line of the file. Offsets are into pg_config_doc.text; a line that is
 * not a setting has key_len 0. section indexes the section table in config.c
 * (-1 before the first section header).
 */
struct pg_config_line {
	uint32_t off, len;	   /* the line without its newline */
	uint32_t key_off, key_len; /* the key, when the line is a setting */
	uint32_t val_off, val_len; /* the trimmed value, when the line is a setting */
	int16_t section;	   /* section this line belongs to */
	bool is_section;	   /* the line is a section header */
};

/* The file as read: its text and where each line's parts are. */
struct pg_config_doc {
	char name[256]; /* file name used in messages */
	char *text;	/* the whole file, NUL-terminated */
	size_t text_len;
	struct pg_config_line *lines;
	unsigned int n_lines;
};

/* [api]: where the HTTP API listens and who may change things (docs/API.md). */
#define PG_CONFIG_API_PORT 8080
/* The control socket passgatectl uses by default; sun_path holds 107 bytes. */
#define PG_CONFIG_API_SOCKET "/run/passgate/passgated.sock"
#define PG_CONFIG_SOCKET_PATH_SIZE 108
/* [api] tls: auto serves HTTPS on any address but loopback. */
enum pg_api_tls {
	PG_API_TLS_AUTO = 0,
	PG_API_TLS_ON = 1,
	PG_API_TLS_OFF = 2,
};

struct pg_config_api {
	bool enabled;	/* listen = off turns the API (and the admin page) off */
	bool v6;	/* listens on addr6, not addr ("[ADDR6]:PORT") */
	uint32_t addr;	/* network order; default 127.0.0.1 */
	uint8_t addr6[16]; /* when v6: "[::]" listens on every address of both families */
	uint16_t port;	/* host order; default 8080 */
	char socket_path[PG_CONFIG_SOCKET_PATH_SIZE]; /* unix socket; "" = socket off */
	char password_hash[PG_CONFIG_VALUE_MAX + 1]; /* crypt(3) hash, or "" */
	char token_hash[PG_CONFIG_VALUE_MAX + 1];    /* crypt(3) hash, or "" */
	enum pg_api_tls tls;
	char tls_cert[PG_CONFIG_VALUE_MAX + 1]; /* PEM files, or "": self-signed made at start */
	char tls_key[PG_CONFIG_VALUE_MAX + 1];
	uint32_t config_history; /* configurations kept in the state directory (history.h) */
};

/* The I/O backend moving frames on both links ([datapath] backend). */
enum pg_backend {
	PG_BACKEND_AUTO = 0,	 /* default: AF_XDP where the link takes it, else AF_PACKET */
	PG_BACKEND_AFPACKET = 1, /* works on every link */
	PG_BACKEND_AFXDP = 2,	 /* AF_XDP with our XDP program; faster, needs XDP */
	PG_BACKEND__COUNT
};

/* The config file's names of the backends (config.c). */
extern const char *const pg_backend_names[PG_BACKEND__COUNT];

/* [datapath] offload: the XDP fast path (docs/CONFIG.md "The XDP fast path"). */
enum pg_offload_mode {
	PG_OFFLOAD_AUTO = 0, /* default: on where both links' drivers take redirected frames */
	PG_OFFLOAD_OFF = 1,
	PG_OFFLOAD_ON = 2, /* forced: even where the kernel says a link does not take them */
	PG_OFFLOAD__COUNT
};

/* The config file's names of the offload modes (config.c). */
extern const char *const pg_offload_names[PG_OFFLOAD__COUNT];

/* [host]: the host path's devices (docs/HOSTPATH.md). */
#include "conf/config_tunnel.h"

struct pg_config_host {
	bool path;				 /* default on */
	char lan_dev[PG_CONFIG_IFNAME_SIZE];	 /* default "pgh-" + [lan] interface */
	char wan_dev[PG_CONFIG_IFNAME_SIZE];	 /* default "pgh-" + [wan] interface */
};

struct pg_config {
	struct pg_engine_config engine;
	enum pg_backend backend;
	uint32_t workers; /* [datapath] workers: engines the flows are sharded over */
	enum pg_offload_mode offload; /* [datapath] offload: established flows forwarded in XDP */
	char lan_ifname[PG_CONFIG_IFNAME_SIZE];
	char wan_ifname[PG_CONFIG_IFNAME_SIZE];
	/*
	 * [wan] address = dhcp: the address, prefix and gateway come from the
	 * ISP's DHCP server (src/wan/, dp/wan.c); engine.wan_down is set and
	 * engine.wan_addr is 0 here, the data path fills in the lease.
	 */
	bool wan_dhcp;
	uint32_t lan_mtu;
	uint32_t wan_mtu;
	uint64_t shape_up_bps, shape_down_bps; /* [wan] shape_up/down, bits/s; 0 = off */
	enum pg_log_level log_level;
	bool log_syslog; /* [log] syslog: lines to syslog(3) instead of stderr */
	unsigned int forward_line[PG_MAX_FORWARDS]; /* where each [forward] rule stands */
	/*
	 * engine.forwards[] holds the [forward] rules first, then the [input]
	 * wan rules compiled into forwards to the WAN address (their
	 * forward_line is the [input] wan line).
	 */
	unsigned int nforward_rules;
	struct pg_input_rule wan_input[PG_MAX_INPUT_RULES]; /* [input] wan as written */
	unsigned int nwan_input;
	unsigned int wan_input_line;
	struct pg_config_host host;
	struct pg_config_tunnel tunnel; /* [tunnel] (config_tunnel.h) */
	struct pg_config_api api;
	struct pg_config_dhcp dhcp; /* [dhcp] (config_dhcp.h) */
	struct pg_config_dns dns;   /* [dns] */
	struct pg_config_sync sync; /* [sync] (config_sync.h) */
	struct pg_config_ipv6 ipv6; /* IPv6 keys of [lan] and [wan] for layer 2 (config_ipv6.h) */
	struct pg_config_doc doc;
};

/*
 * The configuration passgated runs without -c: the demo network (LAN lan0
 * 192.168.1.1/24, WAN wan0 198.51.100.2/24 via 198.51.100.1).
 */
extern const char pg_config_builtin[];

/*
 * The default [nat] max_flows for this machine: a sixteenth of its memory
 * in flows, rounded down to a power of two, within these bounds.
 */
#define PG_CONFIG_FLOWS_MIN_DEFAULT 65536u
#define PG_CONFIG_FLOWS_MAX_DEFAULT 1048576u
uint32_t pg_config_default_max_flows(const struct pg_engine_config *ec);

/*
 * Parse len bytes of text named name (used in messages) into cfg.
 * Returns 0, or -EINVAL with "NAME:LINE: [section] key: reason" in err,
 * or -ENOMEM. On failure cfg holds nothing to free.
 */
int pg_config_parse(struct pg_config *cfg, const char *name, const char *text, size_t len,
			char *err, size_t errlen);

/* Read and parse a file. Returns 0 or -errno with a message in err. */
int pg_config_load(struct pg_config *cfg, const char *path, char *err, size_t errlen);

/* Release what a successful parse allocated. */
void pg_config_free(struct pg_config *cfg);

/*
 * Change one setting (adding it to its section if absent), re-parse and
 * re-validate the whole text; cfg is replaced only if the result is valid.
 * Returns 0 or -errno with a message in err.
 */
int pg_config_set(struct pg_config *cfg, const char *section, const char *key, const char *value,
		  char *err, size_t errlen);

/*
 * Write the document to path atomically (temporary file in the same
 * directory, fsync, rename): readers see the old file or the new one.
 */
int pg_config_write(const struct pg_config *cfg, const char *path);

/* Value parsers, shared with later API code. 0 or -EINVAL. */
/* Parse a [forward] rule value; 0, or -1 with *why set. */
int pg_config_parse_forward(const char *value, struct pg_port_forward *r, const char **why);

/* [input] and [host] values (config_host.c): 0, or -1 with *why set. */
int pg_config_parse_input(const char *value, struct pg_input_rule *rules, unsigned int max,
			  unsigned int *n, const char **why);
int pg_config_parse_routes(const char *value, struct pg_host_route *routes, unsigned int max,
			   unsigned int *n, const char **why);
/*
 * After the whole file: default device names, [input] wan compiled into
 * forwards (nforward_rules set). 0, or with *why set -1 ([host] is at
 * fault) or -2 ([input] wan is).
 */
int pg_config_host_finish(struct pg_config *cfg, const char **why);

/* The text of input rules or host routes as the file would say it ("none" if empty). */
void pg_config_format_input(const struct pg_input_rule *rules, unsigned int n, char *buf,
			    size_t len);
void pg_config_format_routes(const struct pg_host_route *routes, unsigned int n, char *buf,
			     size_t len);

/* [api] helpers (config_api.c). */
void pg_config_api_defaults(struct pg_config_api *api);
/* "off", "A.B.C.D:PORT" or "[IPV6]:PORT" (port 1..65535) into api; 0 or -EINVAL. */
int pg_config_parse_listen(const char *s, struct pg_config_api *api);
/* "off" or an absolute path that fits a unix socket address; 0 or -EINVAL. */
int pg_config_parse_socket(const char *s, struct pg_config_api *api);
/* Does s look like a crypt(3) hash ("$id$...", hash alphabet only)? */
bool pg_config_hash_valid(const char *s);
/* Is a password or token hash set? */
bool pg_config_api_has_credential(const struct pg_config_api *api);

/* Does the API's TCP listener speak TLS ([api] tls, docs/CONFIG.md)? */
bool pg_config_api_tls(const struct pg_config_api *api);
/* Is the API's listen address a loopback one (127.0.0.0/8 or ::1)? */
bool pg_config_api_loopback(const struct pg_config_api *api);
/* The listen address as written in URLs ("192.0.2.1", "[2001:db8::1]"); out holds 48. */
void pg_config_api_host(const struct pg_config_api *api, char *out, size_t len);

int pg_config_parse_duration(const char *s, uint32_t *seconds);
int pg_config_parse_bool(const char *s, bool *value);
int pg_config_parse_u32(const char *s, uint32_t *value);
/* "off", or a rate "40mbit" (bit, kbit, mbit, gbit) into bits/s (config_shape.c); 0 or -errno. */
int pg_config_parse_rate(const char *s, uint64_t *bps);
/* The message for a pg_config_parse_rate() error. */
const char *pg_config_rate_why(int r);
/* A rate as the file writes it ("40mbit", "off"). */
void pg_config_format_rate(uint64_t bps, char *buf, size_t len);

/* "PORT" or "LO-HI" (1..65535, low to high) into *lo, *hi; 0, or -1. */
int pg_config_parse_port_range(const char *s, uint16_t *lo, uint16_t *hi);
int pg_config_parse_addr(const char *s, uint32_t *addr_be);
int pg_config_parse_prefix(const char *s, uint32_t *addr_be, uint8_t *prefix);

#endif /* PG_CONFIG_H */
