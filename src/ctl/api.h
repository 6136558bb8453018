/* SPDX-License-Identifier: MIT */
/*
 * api.h - the HTTP API and admin page, as the daemon's main loop sees it.
 *
 * The server (libmicrohttpd) runs without threads of its own: its epoll
 * descriptor sits in the daemon's poll set and pg_api_run() serves whatever
 * is ready, between two passes of the data path. The engine has no locks,
 * and this way every engine read and every reconfiguration happens on the
 * one thread that runs packets, never in the middle of a batch.
 */
#ifndef PG_API_H
#define PG_API_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/config.h"
#include "engine/engine.h"
#include "engine/engines.h"

struct pg_api;
struct pg_port;
struct pg_capture;
struct pg_dp_stats;
struct pg_shaper;

/* What the API works on; all borrowed, owned by the daemon. */
struct pg_api_env {
	struct pg_engines *engines; /* one per worker; PG_ENGINES_ONE() for one */
	struct pg_config *cfg;	  /* the running configuration; the API replaces it */
	const char *cfg_path;	  /* where changes are saved; NULL: not saved */
	struct pg_port *ports[2]; /* per side, for interface status; may be NULL */
	uint64_t start_ms;	  /* monotonic time the daemon started */
	struct pg_capture *capture; /* the data path's (capture.h); NULL: none */
	const struct pg_dp_stats *dp_stats; /* batch sizes (dpstats.h); NULL: none */
	const struct pg_shaper *shapers[2]; /* egress shapers by side (shaper.h); NULL: off */
};

/*
 * Create the API for env and, when [api] is on, start listening. Returns
 * NULL with a message in err on failure (address in use, ...).
 */
struct pg_api *pg_api_create(const struct pg_api_env *env, char *err, size_t errlen);
void pg_api_destroy(struct pg_api *api);

/*
 * Also serve the API on the control socket, [api] socket (nothing when it
 * is off). Requests there are trusted without a password: the socket is
 * root-only (ctlsock.c). Returns 0, or -errno with a message in err.
 */
int pg_api_listen_unix(struct pg_api *api, char *err, size_t errlen);

/*
 * Re-read the configuration file and apply it (SIGHUP, POST /api/v1/reload;
 * rules in reload.c and docs/CONFIG.md "Reload"). Returns 0 with a summary
 * of what changed in msg, or -errno with "FILE:LINE: reason" in msg; on an
 * error the running configuration stays. Both outcomes are logged.
 */
int pg_api_reload(struct pg_api *api, char *msg, size_t msglen);

/* The descriptor to poll for input, or -1 when the API does not listen. */
int pg_api_fd(const struct pg_api *api);

/* Milliseconds until pg_api_run() is due even without input (-1: none). */
int pg_api_timeout_ms(const struct pg_api *api);

/* Serve what is ready. now_ms: the daemon's monotonic clock. */
void pg_api_run(struct pg_api *api, uint64_t now_ms);

/*
 * Take the engines' events, log each at info level and keep the latest
 * for GET /api/v1/events. Call after every pass; api may be NULL.
 */
void pg_api_drain_events(struct pg_api *api, struct pg_engines *engines, uint64_t now_ms);

#endif /* PG_API_H */
