/* SPDX-License-Identifier: MIT */
/*
 * xdp_prog.h - the XDP program in front of the AF_XDP sockets: it hands every
 * frame to the socket its map holds for the frame's receive queue.
 */
#ifndef PG_XDP_PROG_H
#define PG_XDP_PROG_H

#include <stdbool.h>
#include <stddef.h>

struct pg_xdp_prog {
	int map_fd;  /* XSKMAP: queue index -> AF_XDP socket */
	int prog_fd;
	int link_fd; /* the attachment; closing it detaches the program */
	bool native; /* driver mode (else generic, skb mode) */
};

/*
 * Create the map and load the program, put xsk_fds[i] in the map for queue i
 * (n <= PG_XF_QUEUES_MAX) and attach to ifindex, in driver mode where the driver offers it, else in
 * generic mode. The attachment lives as long as the returned link: it goes
 * away with the process, so a crash never leaves a program behind. Returns 0
 * or -errno with a message in err.
 */
int pg_xdp_prog_attach(struct pg_xdp_prog *x, unsigned int ifindex, const char *ifname,
		       const int *xsk_fds, unsigned int n, char *err, size_t errlen);
void pg_xdp_prog_detach(struct pg_xdp_prog *x);

#endif /* PG_XDP_PROG_H */
