/* SPDX-License-Identifier: MIT */
/*
 * api_internal.h - what the api*.c and metrics.c files share: the API's
 * state, one request and one response as plain data (so that handlers are
 * tested without sockets), and the handlers.
 */
#ifndef PG_API_INTERNAL_H
#define PG_API_INTERNAL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl/api.h"
#include "ctl/auth.h"
#include "conf/confirm.h"
#include "conf/config_history.h"
#include "dp/dpstats.h"
#include "sync/session.h"
#include "engine/observe.h"
#include "l2/port.h"

#define PG_API_BODY_MAX 16384	 /* request bodies larger than this get 413 */
#define PG_API_HEADER_MEM 32768	 /* per connection: headers must fit (else 431) */
#define PG_API_CONNECTIONS 32	 /* open connections at once */
#define PG_API_PER_IP 8		 /* ... from one address */
#define PG_API_TIMEOUT_S 15	 /* idle connections closed after */
#define PG_API_MAX_ARGS 8	 /* query arguments looked at */
#define PG_API_FLOWS_PAGE 100	 /* flows per page by default */
#define PG_API_FLOWS_PAGE_MAX 1000
#define PG_API_LOG_LINES 256	 /* recent events kept for GET /api/v1/events */
#define PG_API_LOG_LINE_MAX 200
/*
 * A job copying flows or sessions on the data path's thread scans the table
 * in slices of this many slots and stops after PG_API_JOB_NS (api_dp.c).
 */
#define PG_API_SCAN_SLICE 512
#define PG_API_JOB_NS 200000

struct pg_api_log_line {
	uint64_t seq;	      /* 1, 2, ...: clients ask for lines after one they saw */
	int64_t time_s;	      /* wall clock, seconds since the epoch */
	char level[8];
	char text[PG_API_LOG_LINE_MAX];
};

/* api_safe.c: changes on probation and the configurations kept. */
struct pg_api_safe {
	bool started;		   /* the history was opened (first tick, after the drop) */
	struct pg_confirm pending; /* the change waiting for its confirmation */
	struct pg_cfghist history;
	int64_t rolled_back_at;	   /* wall clock of the last rollback, 0: none */
	char rolled_back[PG_CONFIRM_WHAT_SIZE + 64]; /* what it undid, and why */
};

struct pg_api {
	struct pg_api_env env;
	struct pg_api_safe safe;
	struct MHD_Daemon *mhd;
	struct MHD_Daemon *mhd_unix; /* the control socket, or NULL */
	int epfd;		     /* watches both servers' epoll descriptors, or -1 */
	char sock_path[PG_CONFIG_SOCKET_PATH_SIZE]; /* removed at exit */
	struct pg_auth auth;
	uint64_t now_ms;
	struct pg_api_log_line log[PG_API_LOG_LINES];
	uint64_t log_seq; /* sequence number of the newest line */
	struct pg_diag_job *diag; /* the diagnose runs (diag_job.h); NULL until the first */
	struct pg_shist *shist;	  /* per-session samples (api_shist.c); NULL until watched */
	uint64_t shist_until_ms;  /* sample until then: a client asked lately */
	uint64_t shist_last_ms;	  /* the last sample */
	uint64_t shist_since_ms;  /* sampling (re)started then */
};

struct pg_api_arg {
	const char *key, *value;
};

/* One request, after its body has been read. */
struct pg_api_req {
	const char *method;
	const char *path;
	struct pg_api_arg args[PG_API_MAX_ARGS];
	unsigned int nargs;
	bool args_cut;		   /* there were more than PG_API_MAX_ARGS */
	const char *authorization; /* the header, or NULL */
	const char *body;	   /* NUL-terminated */
	size_t body_len;
	uint32_t client;	   /* peer address, host order; IPv6: its /64 folded (api.c) */
	char client_text[48];	   /* the peer's address as text, for the log; "" if unknown */
	bool local;		   /* came on the control socket: its permissions authenticate */
};

/* One response. body is malloc'd unless body_static. */
struct pg_api_resp {
	unsigned int status;
	const char *content_type;
	char *body;
	size_t len;
	bool body_static;
	const char *www_authenticate; /* sent with 401 */
	unsigned int retry_after_s;   /* sent with 429 when nonzero */
};

/*
 * api_dp.c: what requests need from the data path, copied out (or swapped
 * in) by bounded jobs its thread runs between two passes (dp/handoff.h).
 * Everything else about a request stays on the control thread.
 */
struct pg_api_link_snap {
	bool present;
	char name[16];
	uint8_t mac[6];
	unsigned int neighbours;
	uint32_t addr, mask, gateway; /* the port's, network order (a DHCP WAN's lease) */
	uint64_t cnt[PG_L2_CNT__COUNT];
};

struct pg_api_snap {
	uint64_t cnt[PG_CNT__COUNT];
	uint32_t flows;
	uint32_t by_proto[PG_FP__COUNT];
	struct pg_api_link_snap link[2];
	bool has_dp;		/* dp below is filled */
	struct pg_dp_stats dp;	/* batch sizes and pass durations */
	bool has_sync;		/* [sync] is on: sync_role and sync below are filled */
	enum pg_sync_role sync_role;
	struct pg_sync_counters sync; /* the channel's (docs/HA.md) */
};

/* Run fn(arg) on the data path's thread between two passes (inline without one). */
void pg_api_on_dp(struct pg_api *api, void (*fn)(void *arg), void *arg);
/* Counters, flow counts, links and data path statistics, as of one moment. */
void pg_api_snapshot(struct pg_api *api, struct pg_api_snap *s);
/*
 * pg_engines_flows() / _vpn_sessions(), in jobs of at most PG_API_JOB_NS;
 * *total (may be NULL): flows in the table.
 */
unsigned int pg_api_flows(struct pg_api *api, const struct pg_flow_filter *f, uint32_t *cursor,
			  struct pg_flow_info *out, unsigned int max, uint32_t *total);
/* pg_engines_flows_clear() over the whole table, in jobs of at most PG_API_JOB_NS. */
unsigned int pg_api_flows_clear(struct pg_api *api, const struct pg_flow_filter *f);
unsigned int pg_api_sessions(struct pg_api *api, uint32_t *cursor, struct pg_vpn_session *out,
			     unsigned int max);
/* pg_engines_reconfigure() between two passes; *flows (may be NULL): the count after. */
int pg_api_reconfigure(struct pg_api *api, const struct pg_engine_config *ec, uint32_t *flows);

/* api_route.c: dispatch a request; always fills resp. */
void pg_api_handle(struct pg_api *api, const struct pg_api_req *req, struct pg_api_resp *resp);
const char *pg_api_arg(const struct pg_api_req *req, const char *key);

/* api_json.c: response helpers. */
void pg_api_json(struct pg_api_resp *resp, unsigned int status, struct json_object *obj);
void pg_api_error(struct pg_api_resp *resp, unsigned int status, const char *field,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
struct json_object *pg_api_addr(uint32_t addr_host);
/* An IPv6 address (16 bytes, network order) as a JSON string. */
struct json_object *pg_api_addr6(const uint8_t *a);
/* "pptp", "ike", "nat-t", "esp", "l2tp" (api_status.c). */
const char *pg_api_vpn_kind_name(uint8_t kind);
/* Parse a request body as a JSON object; NULL with resp filled (400) on failure. */
struct json_object *pg_api_body_object(const struct pg_api_req *req, struct pg_api_resp *resp);

/* api_status.c */
void pg_api_get_status(struct pg_api *api, const struct pg_api_req *req, struct pg_api_resp *resp);
/* {"up": {...} or null, "down": ...}: the shapers' rates, queues and counters (api_shaper.c). */
struct json_object *pg_api_shaper_json(struct pg_api *api);
/* Both shapers' figures, copied between two passes; false when neither is on. */
struct pg_shaper_stats;
bool pg_api_shaper_stats(struct pg_api *api, struct pg_shaper_stats *st, bool *on);
void pg_api_get_flows(struct pg_api *api, const struct pg_api_req *req, struct pg_api_resp *resp);
void pg_api_get_sessions(struct pg_api *api, const struct pg_api_req *req,
			 struct pg_api_resp *resp);

/*
 * api_flowq.c: the flow filter of a flows query; strict (DELETE) also
 * refuses unknown keys, a cut argument list and an empty filter. 0, or -1
 * with resp filled (400 naming the field).
 */
int pg_api_flow_query(const struct pg_api *api, const struct pg_api_req *req, bool strict,
		      struct pg_flow_filter *f, struct pg_api_resp *resp);
/* DELETE /api/v1/flows?...: end the matching flows (api_flowq.c). */
void pg_api_delete_flows(struct pg_api *api, const struct pg_api_req *req,
			 struct pg_api_resp *resp);

/* api_history.c: GET /api/v1/history, the graphs' samples. */
void pg_api_get_history(struct pg_api *api, const struct pg_api_req *req,
			struct pg_api_resp *resp);

/* api_settings.c */
void pg_api_get_config(struct pg_api *api, const struct pg_api_req *req, struct pg_api_resp *resp);
/* The [dhcp] and [dns] sections of GET /api/v1/config (api_dhcp.c). */
void pg_api_config_svc_json(struct json_object *o, const struct pg_config *cfg);
void pg_api_put_section(struct pg_api *api, const char *section, const struct pg_api_req *req,
			struct pg_api_resp *resp);

/*
 * The body of a PUT of settings to [section], for the live settings and
 * the ones that wait for a restart (api_restart.c) alike: a JSON object
 * with at least one setting, each a key known(section, key) accepts. NULL
 * with resp filled otherwise: a key refused is a 400 naming
 * "section.key", "[section] key: no such setting, or one that OTHER".
 */
struct json_object *pg_api_settings_body(const struct pg_api_req *req, struct pg_api_resp *resp,
					 const char *section,
					 bool (*known)(const char *section, const char *key),
					 const char *other);

/*
 * Every setting of a PUT body for [section] (JSON true/300/"text"/null
 * each) onto next through the file parser, for the live settings and the
 * ones that wait for a restart (api_restart.c) alike; what gets the log's
 * "[section] key = value, ..." text. 0, or -1 with resp filled (400)
 * naming "section.key"; next is then partly changed, for the caller to free.
 */
int pg_api_config_apply_body(struct pg_config *next, const char *section, struct json_object *body,
			     char *what, size_t whatlen, struct pg_api_resp *resp);

/*
 * api_restart.c: settings that wait for a restart, edited in the file
 * (GET/DELETE /api/v1/config/restart, PUT /api/v1/config/restart/SECTION).
 */
void pg_api_restart_get(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			struct pg_api_resp *resp);
void pg_api_restart_put(struct pg_api *api, const char *section, const struct pg_api_req *req,
			struct pg_api_resp *resp);
void pg_api_restart_discard(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			    struct pg_api_resp *resp);
/*
 * Write cfg (the running configuration, or what is about to be) to the
 * file, keeping the file's values of settings that wait for a restart.
 * 0 or -errno.
 */
int pg_api_config_save(struct pg_api *api, const struct pg_config *cfg);

/* api_portfwd.c */
void pg_api_get_forwards(struct pg_api *api, const struct pg_api_req *req,
			 struct pg_api_resp *resp);
void pg_api_add_forward(struct pg_api *api, const struct pg_api_req *req, struct pg_api_resp *resp);
void pg_api_del_forward(struct pg_api *api, const char *index, const struct pg_api_req *req,
			struct pg_api_resp *resp);
/*
 * api_shist.c: GET /api/v1/history/sessions (per-VPN-session throughput,
 * sampled once a second while a client watches); the sampler runs from
 * pg_api_tick(); JSON of a ring for a window of seconds ending at now_ms.
 */
struct pg_shist;
void pg_api_shist_get(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		      struct pg_api_resp *resp);
void pg_api_shist_tick(struct pg_api *api, uint64_t now_ms);
struct json_object *pg_api_shist_json(const struct pg_shist *h, unsigned int seconds);

/*
 * api_lists.c: the list keys [dhcp] host and [dns] name, rest naming one
 * ("dhcp.host"): GET lists, POST {"value"} adds, DELETE ?id=N removes.
 */
void pg_api_list_get(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		     struct pg_api_resp *resp);
void pg_api_list_add(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		     struct pg_api_resp *resp);
void pg_api_list_del(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		     struct pg_api_resp *resp);

/*
 * api_commit.c: make next the running configuration (engine, file, log);
 * req's ?confirm=SECS puts the change on probation (api_safe.c).
 */
void pg_api_commit(struct pg_api *api, struct pg_config *next, const char *what,
		   const struct pg_api_req *req, struct pg_api_resp *resp);
/* Copy the running configuration for editing; 0 or fills resp (500). */
int pg_api_config_copy(struct pg_api *api, struct pg_config *next, struct pg_api_resp *resp);
/* api_cfgedit.c: text edits the line-at-a-time pg_config_set() cannot do. */
int pg_api_config_remove_line(struct pg_config *cfg, unsigned int line, char *err, size_t errlen);
int pg_api_config_append(struct pg_config *cfg, const char *section, const char *key,
			 const char *value, char *err, size_t errlen);
/* Strip "FILE:LINE: " from a config error, leaving "[section] key: reason". */
const char *pg_api_config_reason(const char *err);

/* A copy of the DHCP WAN's state (taken between two passes); false without one. */
struct pg_wan_view;
bool pg_api_wan_snapshot(struct pg_api *api, struct pg_wan_view *out);

/* api_wan.c: GET /api/v1/wan, POST /api/v1/wan/renew and /release; the status part. */
struct json_object *pg_api_wan_json(struct pg_api *api);
/* The [tunnel] section of GET /api/v1/config (api_tunnel.c). */
void pg_api_config_tunnel_json(struct json_object *o, const struct pg_config *cfg);
void pg_api_tunnel_get(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		       struct pg_api_resp *resp);
struct pg_pd_view;
/* api_pd.c: the DHCPv6 delegation ([lan] address6 = pd), copied out between passes. */
bool pg_api_pd_snapshot(struct pg_api *api, struct pg_pd_view *out);
/* The "ipv6_pd" object of GET /api/v1/wan; NULL without PD. */
struct json_object *pg_api_pd_json(struct pg_api *api);
void pg_api_wan_get(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		    struct pg_api_resp *resp);
void pg_api_wan_post(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		     struct pg_api_resp *resp);

/*
 * api_safe.c: changes on probation (?confirm=SECS), rolled back by the
 * control thread's timer unless confirmed; the configurations kept.
 */
/* ?confirm=SECS of req in *secs (0 without); -1 with resp filled (400, or 409 while one waits). */
int pg_api_safe_begin(struct pg_api *api, const struct pg_api_req *req, uint32_t *secs,
		      struct pg_api_resp *resp);
/*
 * After a change made prev (the text before it) the past: record the new
 * running text in the history and, with secs, put the change on probation.
 * Logs either way; returns -errno when the probation could not be armed
 * (the change then stays, and the caller says so).
 */
int pg_api_safe_done(struct pg_api *api, const char *prev, size_t prev_len, uint32_t secs,
		     const char *what);
/* {"pending": {...} | null, "last_rollback": {...} | null} members added to o. */
void pg_api_safe_json(struct pg_api *api, struct json_object *o);
/* The settings of the change cur -> next that could lock the admin out, as a JSON array. */
struct json_object *pg_api_safe_risky(const struct pg_config *cur, const struct pg_config *next,
				      char *names, size_t len);
void pg_api_safe_confirm(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			 struct pg_api_resp *resp);
void pg_api_safe_pending(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			 struct pg_api_resp *resp);
void pg_api_safe_cancel(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			struct pg_api_resp *resp);
void pg_api_safe_diff(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		      struct pg_api_resp *resp);
void pg_api_safe_history(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			 struct pg_api_resp *resp);
void pg_api_safe_rollback(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			  struct pg_api_resp *resp);

/* The running configuration as GET /api/v1/config shows it (api_settings.c). */
struct json_object *pg_api_config_json(struct pg_api *api);

/* api_ha.c: GET /api/v1/ha, POST /api/v1/ha/ROLE; the status part (NULL: no data path). */
struct json_object *pg_api_ha_json(struct pg_api *api);
void pg_api_ha_get(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		   struct pg_api_resp *resp);
void pg_api_ha_post(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		    struct pg_api_resp *resp);

/* api_reload.c: POST /api/v1/reload. */
void pg_api_post_reload(struct pg_api *api, const struct pg_api_req *req,
			struct pg_api_resp *resp);

/* api_log.c */
void pg_api_log_add(struct pg_api *api, const char *level, const char *text);
void pg_api_get_events(struct pg_api *api, const struct pg_api_req *req, struct pg_api_resp *resp);

/* api_capture.c: capture endpoints, with the route table's signature. */
void pg_api_capture_post(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			 struct pg_api_resp *resp);
void pg_api_capture_get(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			struct pg_api_resp *resp);
void pg_api_capture_stop(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			 struct pg_api_resp *resp);
void pg_api_capture_delete(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			   struct pg_api_resp *resp);
void pg_api_capture_pcap(struct pg_api *api, const char *rest, const struct pg_api_req *req,
			 struct pg_api_resp *resp);

/* api_diag.c: POST /api/v1/diagnose {"host": ...}, GET /api/v1/diagnose. */
void pg_api_diag_post(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		      struct pg_api_resp *resp);
void pg_api_diag_get(struct pg_api *api, const char *rest, const struct pg_api_req *req,
		     struct pg_api_resp *resp);
/* The host of a diagnose request: a unicast IPv4 literal; 0, or -1 with why in err. */
int pg_api_diag_host(const char *s, size_t len, uint32_t *addr, char *err, size_t errlen);

/* metrics.c */
void pg_metrics_render(struct pg_api *api, struct pg_api_resp *resp);

/* api_web.c: the admin page's files, embedded in the binary. */
bool pg_api_web(const char *path, struct pg_api_resp *resp);

#endif /* PG_API_INTERNAL_H */
