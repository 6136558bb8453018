/* SPDX-License-Identifier: MIT */
/*
 * ctlsock.h - the control socket's file ([api] socket): made root-only,
 * stale ones replaced, live ones left alone (ctlsock.c).
 */
#ifndef PG_CTLSOCK_H
#define PG_CTLSOCK_H

#include <stddef.h>

#define PG_CTLSOCK_PATH_MAX 108 /* sizeof(sockaddr_un.sun_path) */

/*
 * Listen on a unix stream socket at path, mode 0600, its directory made
 * with mode 0700 when missing. Returns the non-blocking descriptor, or
 * -errno with a message in err.
 */
int pg_ctlsock_open(const char *path, char *err, size_t errlen);

/*
 * After our listening socket is closed: remove the file at path unless a
 * live daemon answers there (another passgated took the path meanwhile).
 */
void pg_ctlsock_remove(const char *path);

#endif /* PG_CTLSOCK_H */
