/* SPDX-License-Identifier: MIT */
/*
 * api.h - the HTTP API and admin page, as the control thread sees it.
 *
 * The server (libmicrohttpd) runs without threads of its own: its epoll
 * descriptor is polled by the control thread (ctl_thread.c), which calls
 * pg_api_run() to serve whatever is ready. Parsing, password checks, JSON
 * and file writes happen there. The engine has no locks: whatever a request
 * needs from it (a page of flows, the counters, a new configuration) is a
 * bounded job the data path's thread runs between two batches
 * (dp/handoff.h), so packets never wait for a request.
 */
#ifndef PG_API_H
#define PG_API_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/config.h"
#include "ctl/tls.h"
#include "engine/engine.h"
#include "engine/engines.h"

struct pg_api;
struct pg_port;
struct pg_capture;
struct pg_dp_stats;
struct pg_tunnel_status;
struct pg_history;
struct pg_datapath;
struct pg_handoff;
struct pg_shaper;
struct pg_syncchan;

/* What the API works on; all borrowed, owned by the daemon. */
struct pg_api_env {
	struct pg_engines *engines; /* one per worker; PG_ENGINES_ONE() for one */
	struct pg_config *cfg;	  /* the running configuration; the API replaces it */
	const char *cfg_path;	  /* where changes are saved; NULL: not saved */
	struct pg_port *ports[2]; /* per side, for interface status; may be NULL */
	uint64_t start_ms;	  /* monotonic time the daemon started */
	struct pg_capture *capture; /* the data path's (capture.h); NULL: none */
	const struct pg_dp_stats *dp_stats; /* batch sizes (dpstats.h); NULL: none */
	struct pg_datapath *dp; /* the DHCP WAN (dp/wan.h): lease, renew; NULL: none */
	const struct pg_tls *tls; /* the listener's certificate (tls.h); NULL: plain HTTP */
	struct pg_handoff *handoff; /* jobs for the data path's thread; NULL: run inline */
	const struct pg_shaper *shapers[2]; /* egress shapers by side (shaper.h); NULL: off */
	const struct pg_tunnel_status *tunnel; /* the VPN client's (tunnel.h); NULL: none */
	const char *state_dir; /* configurations kept in STATE/config.d (conf/config_history.h); NULL: none */
	struct pg_history *history; /* the graphs' samples (dp/history.h), read by jobs; NULL: none */
	struct pg_syncchan *sync; /* the sync channel (dp/syncchan.h), read in jobs; NULL: none */
	bool diagnose; /* POST /api/v1/diagnose may send probes (ctl/diag_job.h); off: 503 */
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
 * for GET /api/v1/events; api may be NULL. Without a handoff (one thread)
 * straight from the engines, after every pass; with one, from the ring the
 * data path fills (dp/handoff.h), on the control thread.
 */
void pg_api_drain_events(struct pg_api *api, struct pg_engines *engines, uint64_t now_ms);

/*
 * The control thread's timer, called at least every 100 ms: opens the kept
 * configurations on the first call (after the privilege drop) and rolls a
 * change back when its confirmation did not come in time (api_safe.c).
 */
void pg_api_tick(struct pg_api *api, uint64_t now_ms);

/* Log the counters and links (SIGUSR1), from a copy taken between two passes. */
void pg_api_log_status(struct pg_api *api);

/*
 * dnsmasq's view of cfg: [dns] upstream = dhcp takes the DNS servers of the
 * WAN's lease in use (copied between two passes); otherwise cfg itself.
 * Control thread only.
 */
const struct pg_config *pg_api_dnsmasq_view(struct pg_api *api, const struct pg_config *cfg);

#endif /* PG_API_H */
