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
/* Passed by no rule of ours: refused by name (forward.c). */
#define PG_PROTO_DCCP 33
#define PG_PROTO_AH 51
#define PG_PROTO_UDPLITE 136

#define PG_TCP_FIN 0x01
#define PG_TCP_SYN 0x02
#define PG_TCP_RST 0x04
#define PG_TCP_PSH 0x08
#define PG_TCP_ACK 0x10

#define PG_ICMP_ECHO_REPLY 0
#define PG_ICMP_DEST_UNREACH 3
#define PG_ICMP_SOURCE_QUENCH 4
#define PG_ICMP_REDIRECT 5
#define PG_ICMP_ECHO_REQUEST 8
#define PG_ICMP_TIME_EXCEEDED 11
#define PG_ICMP_PARAM_PROBLEM 12
/* Destination unreachable codes (RFC 792, RFC 1812 5.2.7.1). */
#define PG_ICMP_PROTO_UNREACHABLE 2
#define PG_ICMP_PORT_UNREACHABLE 3
#define PG_ICMP_FRAG_NEEDED 4
#define PG_ICMP_ADMIN_PROHIBITED 13

/* Offsets of fields inside headers, for reading and in-place rewriting. */
#define PG_IP_OFF_VIHL 0 /* version << 4 | header length in 32-bit words */
#define PG_IP_OFF_TOTLEN 2
#define PG_IP_OFF_ID 4
#define PG_IP_OFF_FRAG 6 /* flags << 13 | fragment offset in 8-byte units */
#define PG_IP_OFF_TTL 8
#define PG_IP_OFF_PROTO 9
#define PG_IP_OFF_CSUM 10
#define PG_IP_OFF_SADDR 12
#define PG_IP_OFF_DADDR 16
#define PG_L4_OFF_SPORT 0 /* TCP and UDP */
#define PG_L4_OFF_DPORT 2
#define PG_TCP_OFF_SEQ 4
#define PG_TCP_OFF_DOFF 12 /* data offset in 32-bit words, high nibble */
#define PG_TCP_OFF_FLAGS 13
#define PG_TCP_OFF_CSUM 16
#define PG_UDP_OFF_LEN 4
#define PG_UDP_OFF_CSUM 6
#define PG_ICMP_OFF_TYPE 0
#define PG_ICMP_OFF_CODE 1
#define PG_ICMP_OFF_CSUM 2
#define PG_ICMP_OFF_ID 4
#define PG_ICMP_OFF_REST 4 /* the 32 bits after the checksum */
#define PG_GRE_OFF_FLAGS_VER 1
#define PG_GRE_OFF_PROTO 2
#define PG_GRE_OFF_CALL_ID 6

/* Header lengths from their own fields. */
static inline unsigned int pg_ip_hlen(const uint8_t *ip)
{
	return (unsigned int)(ip[PG_IP_OFF_VIHL] & 0x0f) * 4;
}

static inline unsigned int pg_tcp_doff(const uint8_t *tcp)
{
	return (unsigned int)(tcp[PG_TCP_OFF_DOFF] >> 4) * 4;
}

/* TCP flags that may open a connection: SYN without ACK or RST (IPv4 and IPv6 alike). */
static inline bool pg_tcp_syn_only(uint8_t flags)
{
	return (flags & (PG_TCP_SYN | PG_TCP_ACK | PG_TCP_RST)) == PG_TCP_SYN;
}

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
