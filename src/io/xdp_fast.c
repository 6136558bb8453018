/* SPDX-License-Identifier: MIT */
/*
 * xdp_fast.c - loads the XDP fast path (bpf/xdp_fast.bpf.c) with libbpf,
 * attaches it in front of a link's AF_XDP socket in place of xdp_prog.c's
 * program, and edits its flow map for the data path (dp/offload.c).
 *
 * The program is compiled with clang for the BPF target at build time (the
 * Makefile's build/xdp_fast.bpf.o) and read from a file at start; the
 * attachment is a BPF link as in xdp_prog.c, so it ends with the process
 * and never replaces someone else's program. The counters array is mapped
 * into our memory (BPF_F_MMAPABLE): reading every entry's counters each
 * second costs no system call. Editing the flow map does (one bpf() per
 * entry put or taken out), which happens once per flow and direction.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "io/xdp_fast.h"

static int fail(char *err, size_t errlen, const char *what, int e)
{
	snprintf(err, errlen, "%s: %s", what, strerror(e));
	return -e;
}

int pg_xdp_fast_find(char *path, size_t len, char *err, size_t errlen)
{
	static const char *const rel[] = {"/" PG_XDP_FAST_OBJ, "/../lib/passgate/" PG_XDP_FAST_OBJ};
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return fail(err, errlen, "finding the daemon's own path (/proc/self/exe)", errno);
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		if ((size_t)snprintf(path, len, "%s%s", exe, rel[i]) < len && !access(path, R_OK))
			return 0;
	}
	snprintf(err, errlen, "no %s in %s or %s/../lib/passgate (make builds it)", PG_XDP_FAST_OBJ,
		 exe, exe);
	return -ENOENT;
}

static int map_fd(struct pg_xdp_fast *x, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(x->obj, name);

	return m ? bpf_map__fd(m) : -1;
}

void pg_xdp_fast_init(struct pg_xdp_fast *x)
{
	memset(x, 0, sizeof(*x));
	x->prog_fd = x->flows_fd = x->flows6_fd = x->stats_fd = -1;
	x->egress_fd = x->xsks_fd = x->link_fd = -1;
}

int pg_xdp_fast_load(struct pg_xdp_fast *x, const char *path, char *err, size_t errlen)
{
	struct bpf_program *prog;
	void *m;
	int r;

	pg_xdp_fast_init(x);
	libbpf_set_print(NULL); /* its messages are not ours to print; errors come back here */
	x->obj = bpf_object__open_file(path, NULL);
	if (!x->obj) {
		r = fail(err, errlen, path, errno);
		goto out;
	}
	r = bpf_object__load(x->obj);
	if (r) {
		r = fail(err, errlen, "loading the XDP fast path (needs CAP_BPF or CAP_SYS_ADMIN)", -r);
		goto out;
	}
	prog = bpf_object__find_program_by_name(x->obj, "pg_xdp_fast");
	x->prog_fd = prog ? bpf_program__fd(prog) : -1;
	x->flows_fd = map_fd(x, "flows");
	x->flows6_fd = map_fd(x, "flows6");
	x->stats_fd = map_fd(x, "stats");
	x->egress_fd = map_fd(x, "egress");
	x->xsks_fd = map_fd(x, "xsks");
	if (x->prog_fd < 0 || x->flows_fd < 0 || x->flows6_fd < 0 || x->stats_fd < 0 ||
	    x->egress_fd < 0 || x->xsks_fd < 0) {
		r = fail(err, errlen, "the XDP fast path's object lacks a map or its program", ENOENT);
		goto out;
	}
	m = mmap(NULL, sizeof(struct pg_xf_stats) * PG_XF_MAX_ENTRIES, PROT_READ | PROT_WRITE,
		 MAP_SHARED, x->stats_fd, 0);
	if (m == MAP_FAILED) {
		r = fail(err, errlen, "mapping the XDP fast path's counters", errno);
		goto out;
	}
	x->stats = m;
	return 0;
out:
	pg_xdp_fast_close(x);
	return r;
}

static int attach(int prog_fd, unsigned int ifindex, unsigned int flags)
{
	struct bpf_link_create_opts o;

	/* LIBBPF_OPTS() spelt out: the analysers in make lint cannot expand it. */
	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.flags = flags;
	return bpf_link_create(prog_fd, (int)ifindex, BPF_XDP, &o);
}

int pg_xdp_fast_attach(struct pg_xdp_fast *x, unsigned int ifindex, const char *ifname,
		       const int *xsk_fds, unsigned int n, char *err, size_t errlen)
{
	uint32_t key, val;
	char what[96];

	for (key = 0; key < n && key < PG_XF_QUEUES_MAX; key++) {
		val = (uint32_t)xsk_fds[key];
		if (bpf_map_update_elem(x->xsks_fd, &key, &val, BPF_ANY)) {
			snprintf(what, sizeof(what), "%s: putting an AF_XDP socket in the map",
				 ifname);
			return fail(err, errlen, what, errno);
		}
	}
	x->link_fd = attach(x->prog_fd, ifindex, XDP_FLAGS_DRV_MODE);
	if (x->link_fd >= 0) {
		x->native = true;
		return 0;
	}
	if (errno == EBUSY) {
		snprintf(what, sizeof(what), "%s: another XDP program is attached", ifname);
		return fail(err, errlen, what, EBUSY);
	}
	x->link_fd = attach(x->prog_fd, ifindex, XDP_FLAGS_SKB_MODE);
	if (x->link_fd >= 0)
		return 0;
	snprintf(what, sizeof(what), "%s: attaching the XDP fast path", ifname);
	return fail(err, errlen, what, errno);
}

int pg_xdp_fast_set_egress(struct pg_xdp_fast *x, unsigned int ifindex)
{
	uint32_t key = 0, val = ifindex;

	return bpf_map_update_elem(x->egress_fd, &key, &val, BPF_ANY) ? -errno : 0;
}

int pg_xdp_fast_put(struct pg_xdp_fast *x, const struct pg_xf_key *k, const struct pg_xf_val *v)
{
	return bpf_map_update_elem(x->flows_fd, k, v, BPF_ANY) ? -errno : 0;
}

int pg_xdp_fast_del(struct pg_xdp_fast *x, const struct pg_xf_key *k)
{
	return bpf_map_delete_elem(x->flows_fd, k) ? -errno : 0;
}

int pg_xdp_fast_lookup(struct pg_xdp_fast *x, const struct pg_xf_key *k, struct pg_xf_val *v)
{
	return bpf_map_lookup_elem(x->flows_fd, k, v) ? -errno : 0;
}

int pg_xdp_fast_take(struct pg_xdp_fast *x, const struct pg_xf_key *k, struct pg_xf_val *v)
{
	return bpf_map_lookup_and_delete_elem(x->flows_fd, k, v) ? -errno : 0;
}

int pg_xdp_fast_put6(struct pg_xdp_fast *x, const struct pg_xf_key6 *k, const struct pg_xf_val *v)
{
	return bpf_map_update_elem(x->flows6_fd, k, v, BPF_ANY) ? -errno : 0;
}

int pg_xdp_fast_del6(struct pg_xdp_fast *x, const struct pg_xf_key6 *k)
{
	return bpf_map_delete_elem(x->flows6_fd, k) ? -errno : 0;
}

int pg_xdp_fast_lookup6(struct pg_xdp_fast *x, const struct pg_xf_key6 *k, struct pg_xf_val *v)
{
	return bpf_map_lookup_elem(x->flows6_fd, k, v) ? -errno : 0;
}

int pg_xdp_fast_take6(struct pg_xdp_fast *x, const struct pg_xf_key6 *k, struct pg_xf_val *v)
{
	return bpf_map_lookup_and_delete_elem(x->flows6_fd, k, v) ? -errno : 0;
}

/* Every key of one map out; key: room for one. */
static void clear_map(int fd, void *key)
{
	if (fd < 0)
		return;
	/* Always the first key: deleting while walking would skip entries. */
	while (!bpf_map_get_next_key(fd, NULL, key))
		if (bpf_map_delete_elem(fd, key))
			break;
}

void pg_xdp_fast_clear(struct pg_xdp_fast *x)
{
	struct pg_xf_key k;
	struct pg_xf_key6 k6;

	clear_map(x->flows_fd, &k);
	clear_map(x->flows6_fd, &k6);
}

void pg_xdp_fast_close(struct pg_xdp_fast *x)
{
	if (x->link_fd >= 0)
		close(x->link_fd);
	if (x->stats)
		munmap(x->stats, sizeof(struct pg_xf_stats) * PG_XF_MAX_ENTRIES);
	if (x->obj)
		bpf_object__close(x->obj); /* closes the program's and maps' fds */
	pg_xdp_fast_init(x);
}
