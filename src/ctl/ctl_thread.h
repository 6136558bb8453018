/* SPDX-License-Identifier: MIT */
/*
 * ctl_thread.h - the control thread: everything of the control plane that
 * may take time runs here, never on the data path's thread. It serves the
 * HTTP API and the control socket (password checks included), writes the
 * configuration file, logs the engines' events, re-reads the file on
 * SIGHUP, logs the status on SIGUSR1, and keeps dnsmasq running. What it
 * needs from the engine it asks the data path for (dp/handoff.h).
 */
#ifndef PG_CTL_THREAD_H
#define PG_CTL_THREAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf/config.h"
#include "ctl/api.h"
#include "ctl/dnsmasq.h"
#include "dp/handoff.h"
#include "engine/engines.h"

/* What other threads ask of the control thread (pg_ctl_post()), as bits. */
#define PG_CTL_RELOAD 1u /* SIGHUP: re-read the configuration file */
#define PG_CTL_STATUS 2u /* SIGUSR1: log counters and links */
#define PG_CTL_STOP 4u	 /* leave the loop (pg_ctl_stop()) */

struct pg_ctl {
	pthread_t thread;
	struct pg_api *api;
	struct pg_dnsmasq *dnsmasq;   /* NULL: none */
	const struct pg_config *cfg;  /* the running configuration (the API replaces it) */
	struct pg_engines *engines;
	struct pg_handoff *handoff;
	int wake_fd;		       /* eventfd: something was posted */
	_Atomic unsigned int posted;   /* PG_CTL_* bits not yet handled */
	atomic_bool exited;
};

/*
 * Start the control thread over api (and dnsmasq, may be NULL) with jobs
 * for the data path going through handoff. From here on only the control
 * thread touches api, dnsmasq and cfg. Returns 0 or -errno with a message
 * in err.
 */
int pg_ctl_start(struct pg_ctl *c, struct pg_api *api, struct pg_dnsmasq *dnsmasq,
		 const struct pg_config *cfg, struct pg_engines *engines,
		 struct pg_handoff *handoff, char *err, size_t errlen);

/* Ask the control thread for what (PG_CTL_* bits); never blocks. */
void pg_ctl_post(struct pg_ctl *c, unsigned int what);

/*
 * From the data path's thread: stop the control thread (dnsmasq stops with
 * it) and wait for it, still running the jobs it posts meanwhile so that
 * it can finish what it was doing.
 */
void pg_ctl_stop(struct pg_ctl *c);

#endif /* PG_CTL_THREAD_H */
