/* SPDX-License-Identifier: MIT */
/*
 * parse.h - bounds-checked parsing of an IPv4 packet and its transport header.
 *
 * pg_parse() looks at every byte it reports at most once and never past
 * pkt->len; everything later stages need (addresses, ports, identifiers,
 * offsets) is filled in here so that nothing downstream parses again.
 */
#ifndef PG_PARSE_H
#define PG_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "engine/engine.h"

#define PG_PROTO_ICMP 1
#define PG_PROTO_TCP 6
#define PG_PROTO_UDP 17
#define PG_PROTO_GRE 47
#define PG_PROTO_ESP 50

#define PG_TCP_FIN 0x01
#define PG_TCP_SYN 0x02
#define PG_TCP_RST 0x04
#define PG_TCP_PSH 0x08
#define PG_TCP_ACK 0x10

#define PG_ICMP_ECHO_REPLY 0
#define PG_ICMP_DEST_UNREACH 3
#define PG_ICMP_ECHO_REQUEST 8
#define PG_ICMP_TIME_EXCEEDED 11
#define PG_ICMP_PARAM_PROBLEM 12

/* Offsets of fields inside headers, for in-place rewriting. */
#define PG_IP_OFF_TTL 8
#define PG_IP_OFF_CSUM 10
#define PG_IP_OFF_SADDR 12
#define PG_IP_OFF_DADDR 16
#define PG_TCP_OFF_CSUM 16
#define PG_UDP_OFF_CSUM 6
#define PG_ICMP_OFF_CSUM 2
#define PG_ICMP_OFF_ID 4
#define PG_GRE_OFF_CALL_ID 6

/* What the parser learnt. Addresses and ports stay in network byte order. */
struct pg_parsed {
	uint32_t saddr, daddr;
	uint16_t sport, dport; /* TCP/UDP ports; ICMP echo: id in sport (requests) */
	uint16_t ihl;          /* IP header bytes */
	uint16_t l4_len;       /* bytes after the IP header */
	uint16_t frag_off;     /* fragment offset in bytes */
	uint8_t proto;
	uint8_t ttl;
	uint8_t tcp_flags;
	uint8_t icmp_type, icmp_code;
	bool more_frags;
	uint8_t gre_version;
	uint16_t gre_call_id; /* enhanced GRE (version 1) key: call id, network order */
	uint32_t esp_spi;     /* network order */
};

/*
 * Validate and parse pkt. Trims pkt->len to the IP total length. Returns
 * PG_CNT_NONE on success or the drop counter that explains the refusal.
 */
enum pg_counter pg_parse(struct pg_pkt *pkt, struct pg_parsed *p);

/*
 * Read or write a 16/32-bit field at any offset, keeping wire byte order
 * (the value is what a memcpy into a variable gives; use ntohs/ntohl to do
 * arithmetic on it). No alignment is assumed.
 */
static inline uint16_t pg_get16(const uint8_t *b)
{
	uint16_t v;

	memcpy(&v, b, sizeof(v));
	return v;
}

static inline uint32_t pg_get32(const uint8_t *b)
{
	uint32_t v;

	memcpy(&v, b, sizeof(v));
	return v;
}

static inline void pg_put16(uint8_t *b, uint16_t v)
{
	memcpy(b, &v, sizeof(v));
}

static inline void pg_put32(uint8_t *b, uint32_t v)
{
	memcpy(b, &v, sizeof(v));
}

#endif /* PG_PARSE_H */
