/* SPDX-License-Identifier: MIT */
/*
 * rows.h - short names for writing scenario tables (struct pgt_step rows):
 * sides, verdicts, the test addresses, counter expectations.
 */
#ifndef PGT_ROWS_H
#define PGT_ROWS_H

#include "cmtable.h"

#define LAN PG_SIDE_LAN
#define WAN PG_SIDE_WAN
#define TO_WAN PG_VERDICT_TO_WAN
#define TO_LAN PG_VERDICT_TO_LAN
#define TO_GW PG_VERDICT_TO_GW
#define DROP PG_VERDICT_DROP
#define DROPPED(r) .verdict = PG_VERDICT_DROP, .drop = PG_CNT_##r
/* Dropped for reason r and answered with a TCP reset to the LAN host. */
#define RESET(r) .verdict = PG_VERDICT_TO_LAN, .drop = PG_CNT_##r, .check = pgt_check_reset
#define H10 PGT_H10
#define H11 PGT_H11
#define H12 PGT_H12
#define S1 PGT_S1
#define S2 PGT_S2
#define S3 PGT_S3
#define WANA PGT_WAN_ADDR
#define LANA PGT_LAN_ADDR
#define V PGT_VAR
#define SYN PGT_SYN
#define ACK PGT_ACK
#define SA (PGT_SYN | PGT_ACK)
#define PA (PGT_PSH | PGT_ACK)
#define FA (PGT_FIN | PGT_ACK)
#define RA (PGT_RST | PGT_ACK)
/* What a packet looks like one hop later. */
#define UDP_OUT(s, sp, d, dp, n) PGT_UDP_TTL(s, sp, d, dp, n, 63)
#define TCP_OUT(s, sp, d, dp, fl, sq, ak) PGT_TCP_TTL(s, sp, d, dp, fl, sq, ak, 63)
#define CNT(c, d)                                                                                  \
	{                                                                                          \
		PG_CNT_##c, d                                                                      \
	}
#define END                                                                                        \
	{                                                                                          \
		0                                                                                  \
	}

/* One test case per scenario, run as a cmocka group named `group`. */
#define PGT_MAIN(group, scenarios)                                                                 \
	int main(void)                                                                             \
	{                                                                                          \
		struct CMUnitTest t[PGT_ARRAY_SIZE(scenarios)];                                    \
		size_t k = pgt_cm_add(t, scenarios, PGT_ARRAY_SIZE(scenarios));                    \
                                                                                                   \
		return _cmocka_run_group_tests(group, t, k, NULL, NULL);                          \
	}

#endif /* PGT_ROWS_H */
