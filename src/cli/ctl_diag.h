/* SPDX-License-Identifier: MIT */
/*
 * ctl_diag.h - `passgatectl diagnose HOST`: the gateway probes a VPN
 * server on every protocol it can ask without credentials; print one row
 * per protocol with what answered and what to do.
 */
#ifndef PG_CTL_DIAG_H
#define PG_CTL_DIAG_H

#include <stdbool.h>

/* argv[0] is "diagnose". Returns the exit status (0 done, 1 refused, 2 usage). */
int pg_ctl_diagnose(int argc, char **argv, const char *url, const char *token, bool json);

#endif /* PG_CTL_DIAG_H */
