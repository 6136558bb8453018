/* SPDX-License-Identifier: MIT */
/*
 * xdp_fast.h - the XDP fast path's program on one link (bpf/xdp_fast.bpf.c),
 * loaded with libbpf: its flow map (entries the daemon puts and takes away),
 * the counters per entry (memory-mapped), the other link it redirects to,
 * and the AF_XDP socket everything else goes to.
 */
#ifndef PG_XDP_FAST_H
#define PG_XDP_FAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/xdp_fast.h"

struct bpf_object;

struct pg_xdp_fast {
	struct bpf_object *obj;
	int prog_fd, flows_fd, flows6_fd, stats_fd, egress_fd, xsks_fd;
	int link_fd;		   /* the attachment; -1 while not attached */
	struct pg_xf_stats *stats; /* PG_XF_MAX_ENTRIES, mapped from the array map */
	bool native;		   /* driver mode (else generic) */
};

/* The program's object file: next to the daemon, else in ../lib/passgate/ from it. */
#define PG_XDP_FAST_OBJ "xdp_fast.bpf.o"

/*
 * Find the object file for the program at path (PATH_MAX bytes): beside the
 * executable (the build directory) or in PREFIX/lib/passgate when installed.
 * Returns 0 or -ENOENT with the places looked in err.
 */
int pg_xdp_fast_find(char *path, size_t len, char *err, size_t errlen);

/*
 * Nothing loaded, every descriptor -1: safe to close. Every fd the struct
 * gains is set here once (load and close start from it too).
 */
void pg_xdp_fast_init(struct pg_xdp_fast *x);

/* Load the object at path (maps and program; nothing attached). 0 or -errno with err. */
int pg_xdp_fast_load(struct pg_xdp_fast *x, const char *path, char *err, size_t errlen);

/*
 * Put xsk_fds[i] in the socket map for receive queue i (n <=
 * PG_XF_QUEUES_MAX) and attach the program to ifindex (driver mode where
 * offered, else generic). 0 or -errno with err.
 */
int pg_xdp_fast_attach(struct pg_xdp_fast *x, unsigned int ifindex, const char *ifname,
		       const int *xsk_fds, unsigned int n, char *err, size_t errlen);

/* The link the program redirects translated frames to. 0 or -errno. */
int pg_xdp_fast_set_egress(struct pg_xdp_fast *x, unsigned int ifindex);

/* Put (create or replace) one entry, or take it out. 0 or -errno (-ENOENT: none). */
int pg_xdp_fast_put(struct pg_xdp_fast *x, const struct pg_xf_key *k, const struct pg_xf_val *v);
int pg_xdp_fast_del(struct pg_xdp_fast *x, const struct pg_xf_key *k);
/* Read one entry: 0 or -errno. */
int pg_xdp_fast_lookup(struct pg_xdp_fast *x, const struct pg_xf_key *k, struct pg_xf_val *v);
/* Take an entry out and say what it held (its counter slot): 0 or -errno. */
int pg_xdp_fast_take(struct pg_xdp_fast *x, const struct pg_xf_key *k, struct pg_xf_val *v);

/* The same for the IPv6 flows' map (flows6): 0 or -errno. */
int pg_xdp_fast_put6(struct pg_xdp_fast *x, const struct pg_xf_key6 *k, const struct pg_xf_val *v);
int pg_xdp_fast_del6(struct pg_xdp_fast *x, const struct pg_xf_key6 *k);
int pg_xdp_fast_lookup6(struct pg_xdp_fast *x, const struct pg_xf_key6 *k, struct pg_xf_val *v);
int pg_xdp_fast_take6(struct pg_xdp_fast *x, const struct pg_xf_key6 *k, struct pg_xf_val *v);

/* Take every entry out (both maps). */
void pg_xdp_fast_clear(struct pg_xdp_fast *x);

/* Detach, unmap, close. Safe on a zeroed or half-loaded struct (fds -1). */
void pg_xdp_fast_close(struct pg_xdp_fast *x);

#endif /* PG_XDP_FAST_H */
