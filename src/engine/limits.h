/* SPDX-License-Identifier: MIT */
/*
 * limits.h - the engine's numeric limits, in one table: its own validation
 * (pg_engine_config_validate) and the config parser's ranges and messages
 * (src/conf/config.c) both read these, so the two cannot disagree.
 */
#ifndef PG_LIMITS_H
#define PG_LIMITS_H

#define PG_MAX_FLOWS_MIN 1024u
#define PG_MAX_FLOWS_MAX (1u << 24)
#define PG_MAX_FLOWS_PER_HOST_MAX (1u << 24)
#define PG_PPTP_SESSIONS_MIN 1u
#define PG_PPTP_SESSIONS_MAX (1u << 20)
#define PG_MTU_MIN 576u /* RFC 791: every host takes 576 */
#define PG_MSS_MIN 536u /* RFC 879's default MSS */
#define PG_MSS_MAX 65495u
#define PG_LAN_PREFIX_MIN 1u
#define PG_LAN_PREFIX_MAX 30u /* room for the gateway and one host */

/* Shortest idle timeouts the RFCs allow, in seconds. */
#define PG_TCP_ESTABLISHED_MIN 7440u /* RFC 5382 REQ-5: 2 h 4 min */
#define PG_TCP_TRANSITORY_MIN 240u   /* RFC 5382 REQ-5: 4 min */
#define PG_TCP_TIME_WAIT_MIN 240u    /* closing is transitory too (RFC 7857 2.1) */
#define PG_UDP_MIN 120u		     /* RFC 4787 REQ-5: 2 min */
#define PG_ICMP_MIN 60u		     /* RFC 5508 REQ-1: 60 s */
#define PG_TIMEOUT_MIN 1u	     /* every other timeout */

#endif /* PG_LIMITS_H */
