/* SPDX-License-Identifier: MIT */
/*
 * tunnel.h - the router's own VPN client ([tunnel], docs/HOSTPATH.md "The
 * tunnel"): passgated runs wireguard-go (configured with `wg setconf`) or
 * openvpn (tunnel_ovpn.c) on the host side as its child, routes tunnelled LAN hosts into it
 * (tunnel_host.c), watches whether it carries traffic, and tells the
 * engines (kill switch) and the log when that changes.
 */
#ifndef PG_TUNNEL_H
#define PG_TUNNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf/config.h"
#include "ctl/wg_uapi.h"

#define PG_TUNNEL_WG_GO "/usr/bin/wireguard-go"
#define PG_TUNNEL_WG "/usr/bin/wg"
#define PG_TUNNEL_IP "/usr/sbin/ip"
#define PG_TUNNEL_NFT "/usr/sbin/nft"
#define PG_TUNNEL_OPENVPN_BIN "/usr/sbin/openvpn"
#define PG_TUNNEL_OVPN_ARGV 16	     /* words of openvpn's command line, NULL included */
#define PG_TUNNEL_RULE_PRIO 5182u /* the host's two policy rules: this and the next */
#define PG_TUNNEL_TICK_MS 500
#define PG_TUNNEL_PROBE_MS 1000	     /* a liveness query into the tunnel this often */
#define PG_TUNNEL_DOWN_MS 5000	     /* no answer for this long: down */
#define PG_TUNNEL_START_MS 10000     /* wireguard-go's socket must appear within */
#define PG_TUNNEL_MAX_RESTARTS 8     /* deaths in a row (quick ones) before giving up */
#define PG_TUNNEL_STABLE_MS (10u * 60 * 1000)
#define PG_TUNNEL_SIG_MAX 2048

/* What the status API shows (api_tunnel.c). */
struct pg_tunnel_status {
	bool configured;	/* [tunnel] type is not off */
	bool running;		/* the child runs and its device is configured */
	bool up;		/* its peer answers: selected hosts go through */
	int64_t since;		/* wall clock of the last up/down change, 0: never */
	uint64_t changes;	/* up/down changes since start */
	unsigned int restarts;	/* the child's deaths */
	pid_t pid;
	bool have_stats;
	struct pg_wg_stats stats;
};

struct pg_tunnel {
	enum pg_tunnel_type type; /* fixed at start (the privilege drop) */
	char lan_dev[16], wan_dev[16];
	/* the engines' kill switch: called with the new state (on this thread) */
	void (*set_up)(void *arg, bool up);
	void *arg;

	/* the child */
	pid_t pid;
	uint64_t started_ms, next_start_ms;
	unsigned int deaths;
	bool gave_up;
	bool dev_ready;		/* wg setconf, address, route done for this child */
	unsigned int dev_ifindex; /* openvpn: the device dev_ready was for */
	char sig[PG_TUNNEL_SIG_MAX]; /* the settings the running tunnel was built from */

	/* the host's rules (tunnel_host.c) */
	bool host_set;
	char host_dev[16];
	uint32_t host_table;
	bool lan_forwarding_set;
	char lan_forwarding_old;

	/* liveness */
	int probe_fd;
	uint16_t probe_id;
	uint64_t probe_sent_ms, last_answer_ms;

	uint64_t next_tick_ms;
	struct pg_tunnel_status st;
};

/*
 * Prepare t. With a tunnel configured, checks that wireguard-go, wg, ip and
 * nft can be run and that the socket directory exists (made if not).
 * Returns 0 or -errno with a message in err.
 */
int pg_tunnel_init(struct pg_tunnel *t, const struct pg_config *cfg, char *err, size_t errlen);

/* From the control thread's loop: start, configure, watch, restart, stop. */
void pg_tunnel_tick(struct pg_tunnel *t, const struct pg_config *cfg, uint64_t now_ms);

/* Stop the child and remove everything added to the host (at exit). */
void pg_tunnel_stop(struct pg_tunnel *t);

/* tunnel_host.c */
int pg_tunnel_nft_render(const struct pg_config *cfg, const char *lan_dev, const char *wan_dev,
			 char *buf, size_t len);
int pg_tunnel_host_setup(struct pg_tunnel *t, const struct pg_config *cfg);
void pg_tunnel_host_teardown(struct pg_tunnel *t, bool quiet);
int pg_tunnel_host_dev_up(const struct pg_config *cfg);

/* tunnel_ovpn.c */
/*
 * openvpn's command line into argv (n words, NULL included), pointing into
 * cfg and dir (dirlen bytes: filled with the config file's directory).
 * The count of words, or -ENOSPC.
 */
int pg_tunnel_ovpn_argv(const struct pg_config *cfg, char **argv, size_t n, char *dir,
			size_t dirlen);
/* dev's ifindex and whether it is up, from /sys/class/net. 0 or -errno (-ENOENT: no dev). */
int pg_tunnel_dev_state(const char *dev, unsigned int *ifindex, bool *up);
/* dev's byte counters (rx: from the tunnel, tx: into it) as one peer's. 0 or -errno. */
int pg_tunnel_dev_stats(const char *dev, struct pg_wg_stats *out);

#endif /* PG_TUNNEL_H */
