/* SPDX-License-Identifier: MIT */
/*
 * ctlsock.c - the control socket's file: a listening unix stream socket at
 * [api] socket, only for root (docs/API.md "Control socket").
 *
 * Whoever can connect is trusted with every API call, so the permissions
 * are the authentication: the socket is bound under umask 0177 (mode 0600
 * from the start, no window in which others could connect) in a directory
 * we create with mode 0700 when it is missing. A directory that exists is
 * left as the administrator made it, unless anyone may write to it, which
 * would let them replace our socket: then we refuse.
 *
 * A socket file left behind by a daemon that died is replaced; one a live
 * daemon still answers on is not, so a second passgated with the same
 * path stops with a clear message instead of stealing the first one's.
 * The same test decides, at exit, whether the file is still ours to remove.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/ctlsock.h"

static int make_addr(const char *path, struct sockaddr_un *sun, char *err, size_t errlen)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (path[0] != '/' || strlen(path) >= sizeof(sun->sun_path)) {
		snprintf(err, errlen, "control socket %s: expected an absolute path of at most %zu "
			 "bytes", path, sizeof(sun->sun_path) - 1);
		return -EINVAL;
	}
	memcpy(sun->sun_path, path, strlen(path) + 1);
	return 0;
}

/* Create the socket's directory (one level) with mode 0700, or check it. */
static int check_dir(const char *path, char *err, size_t errlen)
{
	char dir[PG_CTLSOCK_PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (slash == path)
		return 0; /* directly in "/" */
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (mkdir(dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "control socket: cannot create %s: %s", dir, strerror(errno));
		return -errno;
	}
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "control socket: %s is not a directory", dir);
		return -ENOTDIR;
	}
	if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)) {
		snprintf(err, errlen, "control socket: anyone may write to %s; use a directory "
			 "only root can change", dir);
		return -EPERM;
	}
	return 0;
}

/* Remove path if it is a socket nobody answers on; -EADDRINUSE if one does. */
static int clear_stale(const struct sockaddr_un *sun, char *err, size_t errlen)
{
	struct stat st;
	int fd, r;

	if (lstat(sun->sun_path, &st)) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "control socket %s: %s", sun->sun_path, strerror(errno));
		return -errno;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "control socket %s: exists and is not a socket; not touching it",
			 sun->sun_path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		return -errno;
	}
	r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (r == 0) {
		snprintf(err, errlen, "control socket %s: another passgated answers there; give this "
			 "one its own [api] socket (or socket = off)", sun->sun_path);
		return -EADDRINUSE;
	}
	if (unlink(sun->sun_path) && errno != ENOENT) {
		snprintf(err, errlen, "control socket %s: cannot remove the stale socket: %s",
			 sun->sun_path, strerror(errno));
		return -errno;
	}
	return 0;
}

int pg_ctlsock_open(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd, r;

	r = make_addr(path, &sun, err, errlen);
	if (r)
		return r;
	r = check_dir(path, err, errlen);
	if (r)
		return r;
	r = clear_stale(&sun, err, errlen);
	if (r)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		return -errno;
	}
	old = umask(0177);
	r = bind(fd, (const struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r || listen(fd, 16)) {
		r = -errno;
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		close(fd);
		return r;
	}
	return fd;
}

void pg_ctlsock_remove(const char *path)
{
	struct sockaddr_un sun;
	char err[256];

	/*
	 * Our listening socket is closed by now, so our file answers no more:
	 * the stale check removes it, and leaves alone a socket some other
	 * daemon took the path for meanwhile (it answers). Comparing inodes
	 * would not do: a new file may get the inode number just freed.
	 */
	if (!make_addr(path, &sun, err, sizeof(err)))
		clear_stale(&sun, err, sizeof(err));
}
