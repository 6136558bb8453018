/* SPDX-License-Identifier: MIT */
/*
 * dnsmasq.h - DHCP and DNS for LAN hosts: passgated runs Debian's dnsmasq
 * as its child, bound to the LAN host device (the TAP carrying the gateway's
 * LAN address), with a configuration written from [dhcp] and [dns].
 *
 * dnsmasq_conf.c renders that configuration (pure, unit tested);
 * dnsmasq.c starts, watches, restarts and stops the process.
 */
#ifndef PG_DNSMASQ_H
#define PG_DNSMASQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf/config.h"

#define PG_DNSMASQ_BIN "/usr/sbin/dnsmasq"
/* Where the configuration and the lease file go without --run-dir. */
#define PG_DNSMASQ_RUN_DIR "/run/passgate" /* with the control socket */
/* Deaths in a row (each after less than PG_DNSMASQ_STABLE_MS) before giving up. */
#define PG_DNSMASQ_MAX_RESTARTS 5
#define PG_DNSMASQ_STABLE_MS (10u * 60 * 1000)
/* Enough for every host, name and upstream the config may hold. */
#define PG_DNSMASQ_CONF_MAX 32768
#define PG_DNSMASQ_PATH_MAX 240

struct pg_dnsmasq {
	char bin[PG_DNSMASQ_PATH_MAX];
	char run_dir[PG_DNSMASQ_PATH_MAX];
	char lease_dir[PG_DNSMASQ_PATH_MAX]; /* the lease file's: run_dir unless set */
	char lan_dev[16];	   /* the LAN host device dnsmasq binds to */
	pid_t pid;		   /* the running child, 0 when none */
	uint64_t started_ms;	   /* when it was started */
	uint64_t next_start_ms;	   /* not before: the back-off after a death */
	unsigned int deaths;	   /* deaths in a row, for the back-off and the limit */
	bool gave_up;		   /* too many deaths: wait for other settings */
	bool waiting_logged;	   /* "waiting for the device's address" said once */
	size_t conf_len;
	char conf[PG_DNSMASQ_CONF_MAX]; /* what the running child was started with */
};

/*
 * Write dnsmasq's configuration for cfg into buf: bound to lan_dev, lease
 * file under lease_dir. Returns its length, or -ENOSPC.
 */
int pg_dnsmasq_render(const struct pg_config *cfg, const char *lan_dev, const char *lease_dir,
		      char *buf, size_t len);

/*
 * Keep the lease file in dir (the state directory: leases outlive a reboot)
 * instead of the run directory; made when missing. 0, or -errno with err.
 */
int pg_dnsmasq_set_lease_dir(struct pg_dnsmasq *d, const char *dir, char *err, size_t errlen);

/*
 * Prepare d. When cfg asks for DHCP or DNS, checks that bin can be run and
 * makes run_dir: the daemon refuses to start otherwise. bin NULL means
 * PG_DNSMASQ_BIN. Returns 0 or -errno with a message in err.
 */
int pg_dnsmasq_init(struct pg_dnsmasq *d, const struct pg_config *cfg, const char *bin,
		    const char *run_dir, const char *lan_dev, char *err, size_t errlen);

/*
 * Called from the control thread's loop (at least once a second): starts dnsmasq
 * once lan_dev carries the LAN address, reaps and restarts it (with
 * back-off, at most PG_DNSMASQ_MAX_RESTARTS deaths in a row), and restarts
 * it when cfg (edited through the API) renders to another configuration,
 * or stops it when cfg no longer asks for it.
 */
void pg_dnsmasq_tick(struct pg_dnsmasq *d, const struct pg_config *cfg, uint64_t now_ms);

/* SIGTERM to the child's PID, wait for it (SIGKILL after 3 s). */
void pg_dnsmasq_stop(struct pg_dnsmasq *d);

/* Does device dev carry IPv4 address addr (network order)? */
bool pg_dnsmasq_dev_has_addr(const char *dev, uint32_t addr);

#endif /* PG_DNSMASQ_H */
