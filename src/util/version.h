/* SPDX-License-Identifier: MIT */
/*
 * version.h - the version string every program prints (--version), and the
 * exit statuses their manual pages document.
 */
#ifndef PG_VERSION_H
#define PG_VERSION_H

/* A build may mark its version (the Makefile's second build of passgated,
 * build/next, that restart-keeps-flows upgrades onto). */
#ifndef PG_VERSION
#define PG_VERSION "0.1.0"
#endif

/* Exit statuses shared by passgated, passgatectl and passgate-probe. */
#define PG_EXIT_USAGE 2	  /* unknown option, missing or malformed argument */
#define PG_EXIT_CONFIG 78 /* the configuration file is unreadable or wrong (EX_CONFIG);
			   * the systemd unit does not restart after it */

#endif /* PG_VERSION_H */
