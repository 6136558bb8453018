/* SPDX-License-Identifier: MIT */
/*
 * statefile.c - the flow table across a restart (dp/statefile.h).
 *
 * The file is the engine's own record stream (engine/sync.h) behind a
 * header and followed by a SHA-256 of everything before it:
 *
 *   "PGSTATE1" | version u32 | config SHA-256 (32) | written, Unix seconds u64 |
 *   records length u64 | records | SHA-256 (32)
 *
 * Times in records are relative (seconds left, age), and the file's age is
 * taken off every flow at load, so a flow that would have expired while the
 * daemon was down stays gone. A file from another configuration is refused
 * whole: a changed public address or forward would make its mappings wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "dp/statefile.h"
#include "util/log.h"

#define MAGIC "PGSTATE1"
#define VERSION 1
#define HDR_LEN (8 + 4 + PG_CONFIG_HASH + 8 + 8)
#define CHUNK (256 * 1024)

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static int sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
	unsigned int n = 32;

	return EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) == 1 ? 0 : -EIO;
}

int pg_statefile_config_hash(const char *path, const char *builtin, uint8_t hash[PG_CONFIG_HASH])
{
	uint8_t *buf;
	size_t len = 0, cap = 65536;
	FILE *f;
	int r;

	if (!path)
		return sha256((const uint8_t *)builtin, strlen(builtin), hash);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + len, 1, cap - len, f);

		len += got;
		if (len < cap)
			break;
		cap *= 2;
		uint8_t *more = realloc(buf, cap);

		if (!more) {
			free(buf);
			buf = NULL;
		} else {
			buf = more;
		}
	}
	fclose(f);
	if (!buf)
		return -ENOMEM;
	r = sha256(buf, len, hash);
	free(buf);
	return r;
}

/* Every engine's walk, appended to one growing buffer after the header. */
static uint8_t *collect(struct pg_engines *set, uint64_t now_ms, size_t *len, long *flows)
{
	size_t cap = HDR_LEN + CHUNK + 32, off = HDR_LEN;
	uint8_t *buf = malloc(cap);

	*flows = 0;
	for (unsigned int i = 0; buf && i < set->n; i++) {
		uint32_t cursor = 0;

		while (!pg_sync_walk_done(set->e[i], cursor)) {
			size_t n;

			if (cap - off < CHUNK + 32) {
				uint8_t *more = realloc(buf, cap * 2);

				if (!more) {
					free(buf);
					return NULL;
				}
				buf = more;
				cap *= 2;
			}
			n = pg_sync_export_walk(set->e[i], &cursor, now_ms, buf + off, CHUNK);
			off += n;
		}
		*flows += pg_engine_flow_count(set->e[i]);
	}
	*len = off;
	return buf;
}

long pg_statefile_save(const char *dir, struct pg_engines *set, const uint8_t hash[PG_CONFIG_HASH],
		       uint64_t now_ms)
{
	char path[4096], tmp[4112];
	size_t len, done = 0;
	long flows;
	uint8_t *buf = collect(set, now_ms, &len, &flows);
	int fd, r = 0;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, MAGIC, 8);
	buf[8] = buf[9] = buf[10] = 0;
	buf[11] = VERSION;
	memcpy(buf + 12, hash, PG_CONFIG_HASH);
	put64(buf + 12 + PG_CONFIG_HASH, (uint64_t)time(NULL));
	put64(buf + 20 + PG_CONFIG_HASH, len - HDR_LEN);
	if (sha256(buf, len, buf + len)) {
		free(buf);
		return -EIO;
	}
	len += 32;
	snprintf(path, sizeof(path), "%s/%s", dir, PG_STATEFILE_NAME);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -errno;
		free(buf);
		return r;
	}
	while (done < len) {
		ssize_t w = write(fd, buf + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			r = w < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)w;
	}
	free(buf);
	if (!r && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
	return r ? r : flows;
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

int pg_statefile_load(const char *dir, struct pg_engines *set, const uint8_t hash[PG_CONFIG_HASH],
		      uint32_t max_age_s, uint64_t now_ms, struct pg_sync_import_stats *st,
		      uint32_t *age_s, const char **why)
{
	char path[4096];
	uint8_t digest[32], *buf;
	uint64_t written, body, now = (uint64_t)time(NULL);
	size_t len = 0;
	int r = -EINVAL;

	snprintf(path, sizeof(path), "%s/%s", dir, PG_STATEFILE_NAME);
	buf = read_all(path, &len);
	if (!buf) {
		if (errno == ENOENT)
			return 1;
		*why = "cannot read it";
		return -errno;
	}
	/* Read once: a start that fails after this must not bring old flows back. */
	unlink(path);
	*why = "damaged (length or digest)";
	if (len < HDR_LEN + 32 || memcmp(buf, MAGIC, 8))
		goto out;
	body = get64(buf + 20 + PG_CONFIG_HASH);
	if (body != len - HDR_LEN - 32 || sha256(buf, len - 32, digest) ||
	    memcmp(digest, buf + len - 32, 32))
		goto out;
	*why = "written by another version";
	if (buf[8] || buf[9] || buf[10] || buf[11] != VERSION)
		goto out;
	*why = "written with another configuration";
	if (memcmp(buf + 12, hash, PG_CONFIG_HASH))
		goto out;
	written = get64(buf + 12 + PG_CONFIG_HASH);
	*why = "older than the longest timeout";
	if (written > now + 60 || now - written > max_age_s)
		goto out;
	*age_s = written > now ? 0 : (uint32_t)(now - written);
	*why = "its records do not frame";
	if (pg_sync_import_set(set, buf + HDR_LEN, (size_t)body, now_ms, *age_s, st) < 0)
		goto out;
	r = 0;
out:
	free(buf);
	return r;
}

static uint32_t longest_timeout(const struct pg_timeouts *t)
{
	uint32_t v[] = { t->tcp_established,
			 t->tcp_transitory,
			 t->tcp_time_wait,
			 t->udp,
			 t->icmp,
			 t->gre,
			 t->esp,
			 t->other };
	uint32_t m = 0;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

void pg_statefile_startup(const char *dir, const char *cfg_path, const char *builtin,
			  struct pg_engines *set, const struct pg_engine_config *ec,
			  uint64_t now_ms)
{
	struct pg_sync_import_stats st = { 0 };
	uint8_t hash[PG_CONFIG_HASH];
	const char *why = "";
	uint64_t flows = 0;
	uint32_t age = 0;
	int r;

	if (!dir)
		return; /* no -s: every start begins with no flows */
	if (pg_statefile_config_hash(cfg_path, builtin, hash))
		return;
	r = pg_statefile_load(dir, set, hash, longest_timeout(&ec->timeouts), now_ms, &st, &age,
			      &why);
	if (r == 1)
		return; /* no state left: a first start, or the last stop did not write one */
	if (r < 0) {
		pg_warn("%s/%s not used: %s; starting with no flows", dir, PG_STATEFILE_NAME, why);
		return;
	}
	/*
	 * Flows, not records: a PPTP call's GRE travels in its control
	 * connection's record, and the save counted flows.
	 */
	for (unsigned int i = 0; i < set->n; i++)
		flows += pg_engine_flow_count(set->e[i]);
	pg_info("flows from the last run (%u s ago): %llu restored (%llu records), %llu records "
		"expired meanwhile, %llu refused (%llu conflicts, %llu table full, %llu malformed)",
		age, (unsigned long long)flows, (unsigned long long)st.applied,
		(unsigned long long)st.expired,
		(unsigned long long)(st.conflicts + st.full + st.malformed),
		(unsigned long long)st.conflicts, (unsigned long long)st.full,
		(unsigned long long)st.malformed);
}

void pg_statefile_shutdown(const char *dir, const char *cfg_path, const char *builtin,
			   struct pg_engines *set, uint64_t now_ms)
{
	uint8_t hash[PG_CONFIG_HASH];
	long n;

	if (!dir)
		return;
	/* The file as it is now: a reload since the start changed what flows mean. */
	if (pg_statefile_config_hash(cfg_path, builtin, hash)) {
		pg_warn("flows not saved: cannot read %s", cfg_path);
		return;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		pg_warn("flows not saved: %s: %s", dir, strerror(errno));
		return;
	}
	n = pg_statefile_save(dir, set, hash, now_ms);
	if (n < 0)
		pg_warn("flows not saved to %s/%s: %s", dir, PG_STATEFILE_NAME, strerror((int)-n));
	else
		pg_info("%ld flows saved to %s/%s for the next start", n, dir, PG_STATEFILE_NAME);
}
