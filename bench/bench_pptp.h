/* SPDX-License-Identifier: MIT */
/*
 * bench_pptp.h - opens a PPTP call through the engine the way a client and
 * server do (TCP handshake, Start-Control-Connection, Outgoing-Call), so the
 * benchmark's GRE is call-id keyed by the PPTP helper, not address tracked.
 */
#ifndef PG_BENCH_PPTP_H
#define PG_BENCH_PPTP_H

#include <stdint.h>

#include "engine/engine.h"

/*
 * Client (LAN) to server (remote), addresses in host order; the client picks
 * pns_cid, the server pac_cid. wan_addr is the gateway's public address.
 * buf holds at least 256 bytes with PG_PKT_ERROR_GROWTH spare. On success
 * *pub_cid is the call id the server sees for the client (host order).
 * Returns 0, or -1 after printing which step the engine refused.
 */
int pg_bench_pptp_call(struct pg_engine *e, uint8_t *buf, uint32_t client, uint32_t server,
		       uint32_t wan_addr, uint16_t pns_cid, uint16_t pac_cid, uint16_t *pub_cid);

#endif /* PG_BENCH_PPTP_H */
