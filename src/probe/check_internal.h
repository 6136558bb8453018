/* SPDX-License-Identifier: MIT */
/*
 * check_internal.h - the prober's steps shared between check.c (UDP/TCP)
 * and check_tunnel.c (raw ESP, the PPTP call and its GRE).
 */
#ifndef PG_PROBE_CHECK_INTERNAL_H
#define PG_PROBE_CHECK_INTERNAL_H

#include "probe/net.h"
#include "probe/probe.h"

void pg_probe_check_esp(const struct pg_probe_check_opts *o, struct pg_probe_obs *obs);
void pg_probe_check_pptp(const struct pg_probe_check_opts *o, struct pg_probe_obs *obs);

#endif /* PG_PROBE_CHECK_INTERNAL_H */
