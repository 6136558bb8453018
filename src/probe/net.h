/* SPDX-License-Identifier: MIT */
/*
 * net.h - the prober's socket helpers: send a control message and wait for
 * its answer, read ICMP errors the kernel queued for a socket.
 */
#ifndef PG_PROBE_NET_H
#define PG_PROBE_NET_H

#include <netinet/in.h>
#include <stdint.h>

#include "probe/msg.h"

long long pg_now_ms(void);
int pg_udp_socket(uint16_t port);
struct sockaddr_in pg_sa(uint32_t addr, uint16_t port);
uint32_t pg_token(void);
int pg_send_msg(int fd, const struct sockaddr_in *to, const struct pg_msg *m, size_t pad);
int pg_wait_answer_len(int fd, uint32_t token, int timeout_ms, struct pg_msg *ans,
		       struct sockaddr_in *from, size_t *len);
int pg_wait_answer(int fd, uint32_t token, int timeout_ms, struct pg_msg *ans,
		   struct sockaddr_in *from);
int pg_udp_ask(int fd, const struct sockaddr_in *to, struct pg_msg *req, size_t pad,
	       int tries, int timeout_ms, struct pg_msg *ans);
int pg_tcp_connect(uint32_t addr, uint16_t port, int timeout_ms);
int pg_tcp_connect_err(uint32_t addr, uint16_t port, int timeout_ms, int *why);
/* Read exactly len bytes from a stream socket within its receive timeout; 0 or -1. */
int pg_read_full(int fd, uint8_t *buf, size_t len);

/*
 * A PPTP call set up on connected TCP socket @tcp (pptp_call.c): SCCRQ, then
 * OCRQ with our @call_id. Returns the server's call id, with the call id it
 * saw ours as in *seen (a PPTP helper on the path may rewrite it), or -1.
 */
int pg_pptp_call(int tcp, uint16_t call_id, uint16_t *seen);

/* An ICMP error read from a socket's error queue. */
struct pg_icmp_err {
	uint8_t type, code;
	uint32_t info;			/* the next-hop MTU for "fragmentation needed" */
	uint32_t offender;		/* the router that sent it, host order */
};
int pg_read_icmp_err(int fd, struct pg_icmp_err *e);

#endif /* PG_PROBE_NET_H */
