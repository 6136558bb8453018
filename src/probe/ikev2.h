/* SPDX-License-Identifier: MIT */
/*
 * ikev2.h - just enough IKEv2 (RFC 7296) for check --ike: build an
 * IKE_SA_INIT request with NAT detection notifications, and read the
 * answer's SPI, notifications and NAT detection hashes.
 */
#ifndef PG_PROBE_IKEV2_H
#define PG_PROBE_IKEV2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/sha1.h"

#define PG_IKE_NAT_SRC 16388		/* NAT_DETECTION_SOURCE_IP */
#define PG_IKE_NAT_DST 16389		/* NAT_DETECTION_DESTINATION_IP */
#define PG_IKE_INVALID_KE 17
#define PG_IKE_NO_PROPOSAL 14
#define PG_IKE_COOKIE 16390

/* What an IKE_SA_INIT answer told us. */
struct pg_ike_answer {
	uint8_t spi_r[8];
	bool has_nat_src, has_nat_dst;
	uint8_t nat_src[PG_SHA1_LEN], nat_dst[PG_SHA1_LEN];
	uint16_t error;			/* an error notification's type, 0 none */
	uint16_t want_group;		/* INVALID_KE_PAYLOAD: the group asked for */
	bool cookie;			/* COOKIE: the server is busy with half-open SAs */
};

void pg_ike_nat_hash(const uint8_t spi_i[8], const uint8_t spi_r[8], uint32_t addr,
		     uint16_t port, uint8_t out[PG_SHA1_LEN]);
void pg_ike_nat_hash_raw(const uint8_t spi_i[8], const uint8_t spi_r[8], const uint8_t *addr,
			 size_t alen, uint16_t port, uint8_t out[PG_SHA1_LEN]);
size_t pg_ike_sa_init(uint8_t *buf, size_t len, const uint8_t spi_i[8], uint16_t group,
		      uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport);
size_t pg_ike_sa_init_raw(uint8_t *buf, size_t len, const uint8_t spi_i[8], uint16_t group,
			  const uint8_t *src, const uint8_t *dst, size_t alen, uint16_t sport,
			  uint16_t dport);
int pg_ike_parse(const uint8_t *buf, size_t len, const uint8_t spi_i[8],
		 struct pg_ike_answer *a);

/* One IKE_SA_INIT exchange with a server (ike_ask.c). Addresses host order. */
struct pg_ike_result {
	bool answered;
	bool from_ike_port;		/* our source port was 500 (4500) */
	uint32_t local;			/* our address and port towards it */
	uint16_t sport;
	struct pg_ike_answer a;
	bool nat;			/* its NAT_DETECTION_DESTINATION_IP is not ours */
	bool server_nat;		/* ... nor its own source hash its address */
};

int pg_ike_ask(uint32_t server, uint16_t dport, const uint8_t spi_i[8], int tries, int wait_ms,
	       struct pg_ike_result *r);

/* The same over IPv6: our address in local6 (r->local stays 0). */
struct pg_ike_result6 {
	struct pg_ike_result r;
	uint8_t local6[16];
};

int pg_ike_ask6(const uint8_t server[16], uint16_t dport, const uint8_t spi_i[8], int tries,
		int wait_ms, struct pg_ike_result6 *r6);

#endif /* PG_PROBE_IKEV2_H */
