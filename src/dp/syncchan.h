/* SPDX-License-Identifier: MIT */
/*
 * syncchan.h - the daemon's end of the sync channel (docs/HA.md): a UDP
 * socket on the sync link, connected to the peer, driven between passes on
 * the data path's thread (the engines are idle then, as the API relies on).
 * A primary streams its engine's changes; a standby applies them to its own.
 * With keepalived the roles follow the VRRP role (docs/HA.md "Rejoin"):
 * the master is the primary, a backup the standby, so a returning box
 * follows the box that took over and can take over again from its state.
 */
#ifndef PG_DP_SYNCCHAN_H
#define PG_DP_SYNCCHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/config.h"
#include "engine/engines.h"
#include "sync/session.h"

struct pg_syncchan {
	enum pg_sync_role role; /* now: [sync] role, ha_start, then the VRRP role */
	int fd;			/* -1: sync off */
	struct pg_sync_primary primary; /* both ends kept: the role can move */
	struct pg_sync_standby standby;
	uint64_t standby_since_ms; /* when we last began following (0: at the next run) */
	uint64_t role_changes;
	uint64_t send_errors;
	struct pg_sync_counters merged; /* both ends' counters, for the API */
	uint8_t buf[PG_SYNC_MSG_MAX + 1];
};

/*
 * Open the channel [sync] describes (nothing when role is off): read the
 * key, bind listen, connect to peer, turn the engine's change ring on for
 * a primary. ha_start = backup starts a standby whatever role says (a
 * silent box has nothing to stream). 0, or -1 with err filled.
 */
int pg_syncchan_open(struct pg_syncchan *c, const struct pg_config_sync *cfg,
		     struct pg_engines *set, uint64_t epoch, char *err, size_t errlen);
void pg_syncchan_close(struct pg_syncchan *c);

/* Between passes: read what the peer sent, apply or answer it, send what is due. */
void pg_syncchan_run(struct pg_syncchan *c, struct pg_engines *set, uint64_t now_ms);

/*
 * The VRRP role moved (dp/ha.h; on the data path's thread): master turns
 * the channel primary with a fresh epoch (a bulk to the peer first),
 * backup or fault turns it standby (it asks the master for a bulk). Told
 * the role it already plays, nothing happens (keepalived repeats itself).
 * now_us: the real clock, for the epoch. Nothing when sync is off.
 */
void pg_syncchan_follow(struct pg_syncchan *c, struct pg_engines *set, bool master,
			uint64_t now_ms, uint64_t now_us);

/* Whether this box may forward from its state (sync/roles.h); true when sync is off. */
bool pg_syncchan_ready(const struct pg_syncchan *c, uint64_t now_ms);

/*
 * The channel's counters (NULL when sync is off or c is NULL). The channel
 * is the data path thread's: the API copies them in a job (ctl/api_dp.c).
 */
const struct pg_sync_counters *pg_syncchan_counters(struct pg_syncchan *c);

#endif /* PG_DP_SYNCCHAN_H */
