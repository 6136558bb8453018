/* SPDX-License-Identifier: MIT */
/*
 * version.h - the version string both programs print.
 */
#ifndef PG_VERSION_H
#define PG_VERSION_H

#define PG_VERSION "0.1.0"

#endif /* PG_VERSION_H */
