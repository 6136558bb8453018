/* SPDX-License-Identifier: MIT */
/*
 * wg_uapi.h - what passgated reads from its WireGuard tunnel: the
 * userspace API's "get" answer (the text wireguard-go serves on
 * /var/run/wireguard/DEV.sock, www.wireguard.com/xplatform) and the
 * liveness probe's DNS answer.
 */
#ifndef PG_WG_UAPI_H
#define PG_WG_UAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PG_WG_SOCK_DIR "/var/run/wireguard"
#define PG_WG_ANSWER_MAX 65536 /* a get answer with a few peers is a few hundred bytes */

struct pg_wg_stats {
	unsigned int peers;
	int64_t last_handshake_s; /* newest of the peers' (wall clock), 0: never */
	uint64_t rx_bytes, tx_bytes; /* summed over the peers */
	int err;		     /* the answer's errno= line */
};

/*
 * Parse a get answer of len bytes (not NUL-terminated). Returns 0, or -1
 * when it is not one: a line without '=', a number that is not one, no
 * errno= line, or a line longer than 4096 bytes.
 */
int pg_wg_uapi_parse(const char *buf, size_t len, struct pg_wg_stats *out);

/* Ask the tunnel dev's socket (dir/dev.sock) for its state. 0 or -errno. */
int pg_wg_uapi_get(const char *dir, const char *dev, struct pg_wg_stats *out);

/* The probe: a DNS query for the root's NS records with id into buf (>= 17 bytes); its length. */
size_t pg_wg_probe_query(uint8_t *buf, size_t cap, uint16_t id);

/* Is buf (len bytes) an answer (QR set) to the query with id? Any rcode counts. */
bool pg_wg_probe_answer(const uint8_t *buf, size_t len, uint16_t id);

#endif /* PG_WG_UAPI_H */
