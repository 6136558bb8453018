/* SPDX-License-Identifier: MIT */
/*
 * ctlsock.h - the control socket's file ([api] socket): made root-only,
 * stale ones replaced, live ones left alone (ctlsock.c).
 */
#ifndef PG_CTLSOCK_H
#define PG_CTLSOCK_H

#include <stddef.h>
#include <sys/types.h>

#define PG_CTLSOCK_PATH_MAX 108 /* sizeof(sockaddr_un.sun_path) */

/*
 * Listen on a unix stream socket at path, mode 0600, its directory made
 * with mode 0700 when missing. Returns the non-blocking descriptor and the
 * file's inode in *ino, or -errno with a message in err.
 */
int pg_ctlsock_open(const char *path, ino_t *ino, char *err, size_t errlen);

/* Remove the socket file at path if it is still the one we made (ino). */
void pg_ctlsock_remove(const char *path, ino_t ino);

#endif /* PG_CTLSOCK_H */
