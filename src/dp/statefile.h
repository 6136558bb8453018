/* SPDX-License-Identifier: MIT */
/*
 * statefile.h - the flow table handed from a stopping passgated to the next
 * one (docs/HA.md "Restarts"): written on SIGTERM, read at start when it is
 * fresh, so TCP sessions and every mapping's public port survive a restart.
 */
#ifndef PG_DP_STATEFILE_H
#define PG_DP_STATEFILE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/engines.h"
#include "engine/sync.h"

#define PG_STATEFILE_NAME "flows.state"
#define PG_CONFIG_HASH 32

/* SHA-256 of the configuration file (path NULL: of the built-in text given). */
int pg_statefile_config_hash(const char *path, const char *builtin, uint8_t hash[PG_CONFIG_HASH]);

/*
 * Write every engine's flows to DIR/flows.state (through a temporary file
 * and a rename, mode 0600). Returns the flows written, or -errno.
 */
long pg_statefile_save(const char *dir, struct pg_engines *set, const uint8_t hash[PG_CONFIG_HASH],
		       uint64_t now_ms);

/*
 * Read DIR/flows.state into the engines if it was written by the same
 * configuration no longer ago than the longest timeout, then remove it (a
 * start that fails must not bring it back twice). Returns 0 with st
 * filled, 1 when there is none, or -errno with why set (stale, another
 * configuration, damaged: nothing imported).
 */
int pg_statefile_load(const char *dir, struct pg_engines *set, const uint8_t hash[PG_CONFIG_HASH],
		      uint32_t max_age_s, uint64_t now_ms, struct pg_sync_import_stats *st,
		      uint32_t *age_s, const char **why);

/*
 * The daemon's two calls, logged: at start, take DIR's state file if it is
 * fresh (the configuration as loaded from cfg_path, or the built-in text);
 * on stop, write one. dir NULL (no -s): neither.
 */
void pg_statefile_startup(const char *dir, const char *cfg_path, const char *builtin,
			  struct pg_engines *set, const struct pg_engine_config *ec,
			  uint64_t now_ms);
void pg_statefile_shutdown(const char *dir, const char *cfg_path, const char *builtin,
			   struct pg_engines *set, uint64_t now_ms);

#endif /* PG_DP_STATEFILE_H */
