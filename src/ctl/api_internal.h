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

struct pg_api_log_line {
	uint64_t seq;	      /* 1, 2, ...: clients ask for lines after one they saw */
	int64_t time_s;	      /* wall clock, seconds since the epoch */
	char level[8];
	char text[PG_API_LOG_LINE_MAX];
};

struct pg_api {
	struct pg_api_env env;
	struct MHD_Daemon *mhd;
	struct MHD_Daemon *mhd_unix; /* the control socket, or NULL */
	int epfd;		     /* watches both servers' epoll descriptors, or -1 */
	char sock_path[PG_CONFIG_SOCKET_PATH_SIZE]; /* removed at exit */
	struct pg_auth auth;
	uint64_t now_ms;
	struct pg_api_log_line log[PG_API_LOG_LINES];
	uint64_t log_seq; /* sequence number of the newest line */
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
	const char *authorization; /* the header, or NULL */
	const char *body;	   /* NUL-terminated */
	size_t body_len;
	uint32_t client;	   /* peer address, host order */
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

/* api_route.c: dispatch a request; always fills resp. */
void pg_api_handle(struct pg_api *api, const struct pg_api_req *req, struct pg_api_resp *resp);
const char *pg_api_arg(const struct pg_api_req *req, const char *key);

/* api_json.c: response helpers. */
void pg_api_json(struct pg_api_resp *resp, unsigned int status, struct json_object *obj);
void pg_api_error(struct pg_api_resp *resp, unsigned int status, const char *field,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
struct json_object *pg_api_addr(uint32_t addr_host);
/* Parse a request body as a JSON object; NULL with resp filled (400) on failure. */
struct json_object *pg_api_body_object(const struct pg_api_req *req, struct pg_api_resp *resp);

/* api_status.c */
void pg_api_get_status(struct pg_api *api, const struct pg_api_req *req, struct pg_api_resp *resp);
/* {"up": {...} or null, "down": ...}: the shapers' rates, queues and counters (api_shaper.c). */
struct json_object *pg_api_shaper_json(const struct pg_api *api);
void pg_api_get_flows(struct pg_api *api, const struct pg_api_req *req, struct pg_api_resp *resp);
void pg_api_get_sessions(struct pg_api *api, const struct pg_api_req *req,
			 struct pg_api_resp *resp);

/* api_settings.c */
void pg_api_get_config(struct pg_api *api, const struct pg_api_req *req, struct pg_api_resp *resp);
/* The [dhcp] and [dns] sections of GET /api/v1/config (api_dhcp.c). */
void pg_api_config_svc_json(struct json_object *o, const struct pg_config *cfg);
void pg_api_put_section(struct pg_api *api, const char *section, const struct pg_api_req *req,
			struct pg_api_resp *resp);

/* api_portfwd.c */
void pg_api_get_forwards(struct pg_api *api, const struct pg_api_req *req,
			 struct pg_api_resp *resp);
void pg_api_add_forward(struct pg_api *api, const struct pg_api_req *req, struct pg_api_resp *resp);
void pg_api_del_forward(struct pg_api *api, const char *index, const struct pg_api_req *req,
			struct pg_api_resp *resp);

/* api_commit.c: make next the running configuration (engine, file, log). */
void pg_api_commit(struct pg_api *api, struct pg_config *next, const char *what,
		   struct pg_api_resp *resp);
/* Copy the running configuration for editing; 0 or fills resp (500). */
int pg_api_config_copy(struct pg_api *api, struct pg_config *next, struct pg_api_resp *resp);
/* api_cfgedit.c: text edits the line-at-a-time pg_config_set() cannot do. */
int pg_api_config_remove_line(struct pg_config *cfg, unsigned int line, char *err, size_t errlen);
int pg_api_config_append(struct pg_config *cfg, const char *section, const char *key,
			 const char *value, char *err, size_t errlen);
/* Strip "FILE:LINE: " from a config error, leaving "[section] key: reason". */
const char *pg_api_config_reason(const char *err);

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

/* metrics.c */
void pg_metrics_render(struct pg_api *api, struct pg_api_resp *resp);

/* api_web.c: the admin page's files, embedded in the binary. */
bool pg_api_web(const char *path, struct pg_api_resp *resp);

#endif /* PG_API_INTERNAL_H */
