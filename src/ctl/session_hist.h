/* SPDX-License-Identifier: MIT */
/*
 * session_hist.h - per-second byte counts of the VPN sessions the helpers
 * follow, for the admin page's per-session graphs (GET
 * /api/v1/history/sessions). The control thread fills it once a second
 * from a sessions walk (api_dp.c's bounded jobs) while someone watches;
 * PG_SHIST_SLOTS sessions at a time, the busiest first; a session that
 * ends leaves its slot to the next one after PG_SHIST_ROWS seconds or
 * when a new session needs it. No allocation after pg_shist_create().
 */
#ifndef PG_SESSION_HIST_H
#define PG_SESSION_HIST_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/observe.h"

#define PG_SHIST_SLOTS 16
#define PG_SHIST_ROWS 600		 /* ten minutes at one a second */
#define PG_SHIST_ABSENT UINT64_MAX	 /* the session was not seen at that row */

/* What names a session across samples. */
struct pg_shist_key {
	uint8_t kind;
	uint32_t client, server;
	uint16_t client_port, server_port;
	uint32_t spi_out;
};

struct pg_shist_slot {
	bool used;
	struct pg_shist_key key;
	uint64_t seen; /* row number it was last seen at */
	uint64_t bytes[PG_SHIST_ROWS][2]; /* out, in as sampled; PG_SHIST_ABSENT */
};

struct pg_shist {
	uint64_t total; /* rows ever added; row s lives at s % PG_SHIST_ROWS */
	uint64_t t_ms[PG_SHIST_ROWS];
	struct pg_shist_slot slot[PG_SHIST_SLOTS];
};

struct pg_shist *pg_shist_create(void);
void pg_shist_destroy(struct pg_shist *h);

/* One row: the n sessions seen at now_ms (reorders s: busiest first). */
void pg_shist_add(struct pg_shist *h, uint64_t now_ms, struct pg_vpn_session *s, unsigned int n);

/* The key of a session as the ring names it. */
struct pg_shist_key pg_shist_key_of(const struct pg_vpn_session *s);

#endif /* PG_SESSION_HIST_H */
