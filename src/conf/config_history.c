/* SPDX-License-Identifier: MIT */
/*
 * config_history.c - the configurations that ran, kept as plain files (config_history.h).
 *
 * Each is the exact text the daemon ran, so a rollback writes it back
 * byte for byte and `diff` works on it by hand too. A file is written to
 * a temporary name, synced and renamed, like the configuration itself
 * (config_write.c): a crash leaves either the old list or the new one.
 * Numbers only grow; the oldest files beyond the limit are removed after
 * the new one is in place, so the list never holds fewer than it should.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/config_history.h"

#define SEQ_DIGITS 8
#define LIST_MAX 1024 /* files looked at in the directory */

bool pg_cfghist_name_seq(const char *name, uint32_t *seq)
{
	uint32_t v = 0;

	for (int i = 0; i < SEQ_DIGITS; i++) {
		if (name[i] < '0' || name[i] > '9')
			return false;
		v = v * 10 + (uint32_t)(name[i] - '0');
	}
	if (strcmp(name + SEQ_DIGITS, ".conf"))
		return false;
	*seq = v;
	return true;
}

unsigned int pg_cfghist_excess(unsigned int n, unsigned int keep)
{
	return n > keep ? n - keep : 0;
}

int pg_cfghist_init(struct pg_cfghist *h, const char *state_dir, unsigned int keep)
{
	memset(h, 0, sizeof(*h));
	if (!state_dir || !keep)
		return 0;
	if (keep > PG_CFGHIST_MAX)
		keep = PG_CFGHIST_MAX;
	if (snprintf(h->dir, sizeof(h->dir), "%s/" PG_CFGHIST_SUBDIR, state_dir) >=
	    (int)sizeof(h->dir)) {
		h->dir[0] = '\0';
		return -ENAMETOOLONG;
	}
	if (mkdir(h->dir, 0700) && errno != EEXIST) {
		int r = -errno;

		h->dir[0] = '\0';
		return r;
	}
	h->keep = keep;
	return 0;
}

static int cmp_desc(const void *a, const void *b)
{
	const struct pg_cfghist_entry *x = a, *y = b;

	return x->seq < y->seq ? 1 : x->seq > y->seq ? -1 : 0;
}

/* Every revision file, newest first, into all[LIST_MAX]; returns how many. */
static unsigned int scan(const struct pg_cfghist *h, struct pg_cfghist_entry *all)
{
	unsigned int n = 0;
	struct dirent *de;
	DIR *d;

	if (!h->dir[0])
		return 0;
	d = opendir(h->dir);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < LIST_MAX) {
		struct stat st;
		uint32_t seq;

		if (!pg_cfghist_name_seq(de->d_name, &seq))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
			continue;
		all[n].seq = seq;
		all[n].mtime = st.st_mtime;
		all[n].size = (uint64_t)st.st_size;
		n++;
	}
	closedir(d);
	qsort(all, n, sizeof(all[0]), cmp_desc);
	return n;
}

unsigned int pg_cfghist_list(const struct pg_cfghist *h, struct pg_cfghist_entry *out,
			     unsigned int max)
{
	struct pg_cfghist_entry *all = calloc(LIST_MAX, sizeof(*all));
	unsigned int n;

	if (!all)
		return 0;
	n = scan(h, all);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(*out));
	free(all);
	return n;
}

int pg_cfghist_read_file(const char *path, size_t max, char **text, size_t *len)
{
	struct stat st;
	size_t off = 0;
	char *t;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		r = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
		goto out;
	}
	t = malloc((size_t)st.st_size + 1);
	if (!t) {
		r = -ENOMEM;
		goto out;
	}
	/* Stop at the size seen: a file growing meanwhile is read as it was. */
	while (off < (size_t)st.st_size) {
		ssize_t k = read(fd, t + off, (size_t)st.st_size - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k < 0) {
				r = -errno;
				free(t);
				goto out;
			}
			break;
		}
		off += (size_t)k;
	}
	t[off] = '\0';
	*text = t;
	*len = off;
out:
	close(fd);
	return r;
}

static void path_of(const struct pg_cfghist *h, uint32_t seq, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%0*u.conf", h->dir, SEQ_DIGITS, seq);
}

int pg_cfghist_get(const struct pg_cfghist *h, unsigned int k, char **text, size_t *len)
{
	struct pg_cfghist_entry *all;
	char path[4096 + 32];
	unsigned int n;
	uint32_t seq;

	if (!h->dir[0])
		return -ENOENT;
	all = calloc(LIST_MAX, sizeof(*all));
	if (!all)
		return -ENOMEM;
	n = scan(h, all);
	seq = k < n ? all[k].seq : 0;
	free(all);
	if (k >= n)
		return -ENOENT;
	path_of(h, seq, path, sizeof(path));
	/* A revision was a configuration the daemon accepted: PG_CONFIG_FILE_MAX. */
	return pg_cfghist_read_file(path, 1u << 20, text, len);
}

static int write_file(const char *path, const char *text, size_t len)
{
	char tmp[4096 + 64];
	size_t off = 0;
	int fd, r = 0;

	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	fchmod(fd, 0600);
	while (off < len) {
		ssize_t k = write(fd, text + off, len - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = -errno;
			break;
		}
		off += (size_t)k;
	}
	if (!r && fsync(fd))
		r = -errno;
	if (close(fd) && !r)
		r = -errno;
	if (!r && rename(tmp, path))
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}

int pg_cfghist_save(const struct pg_cfghist *h, const char *text, size_t len)
{
	struct pg_cfghist_entry *all;
	char path[4096 + 32];
	unsigned int n, drop;
	int r = 0;

	if (!h->dir[0])
		return 0;
	all = calloc(LIST_MAX, sizeof(*all));
	if (!all)
		return -ENOMEM;
	n = scan(h, all);
	if (n) {
		char *last = NULL;
		size_t last_len = 0;

		path_of(h, all[0].seq, path, sizeof(path));
		if (!pg_cfghist_read_file(path, 1u << 20, &last, &last_len) && last &&
		    last_len == len && !memcmp(last, text, len)) {
			free(last);
			goto out; /* the newest already is this text */
		}
		free(last);
	}
	if (n && all[0].seq >= 99999999u) {
		r = -EOVERFLOW;
		goto out;
	}
	path_of(h, n ? all[0].seq + 1 : 1, path, sizeof(path));
	r = write_file(path, text, len);
	if (r)
		goto out;
	/* The new file counts: n + 1 revisions, newest first, the new one ahead of all[]. */
	drop = pg_cfghist_excess(n + 1, h->keep);
	for (unsigned int i = 0; i < drop; i++) {
		path_of(h, all[n - 1 - i].seq, path, sizeof(path));
		unlink(path);
	}
out:
	free(all);
	return r;
}
