/* SPDX-License-Identifier: MIT */
/*
 * bench_pkt.h - the packets the engine benchmark feeds the engine: 64-byte
 * Ethernet frames' worth of IPv4 (46 bytes of L3: the frame minus 14 bytes
 * of Ethernet header and 4 of FCS), built once into flat template arrays so
 * the timed loop only copies them.
 */
#ifndef PG_BENCH_PKT_H
#define PG_BENCH_PKT_H

#include <stddef.h>
#include <stdint.h>

/* L3 bytes of a minimal 64-byte Ethernet frame. */
#define PG_BENCH_L3_LEN 46
/* Template stride: one cache line per packet. */
#define PG_BENCH_STRIDE 64

/* Addresses and ports in host order; the builders store network order. */
void pg_bench_udp(uint8_t *p, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport);
/* Enhanced GRE (version 1, key present: payload length and call id). */
void pg_bench_gre(uint8_t *p, uint32_t src, uint32_t dst, uint16_t call_id);
/* Plain GRE (version 0, RFC 2784) carrying IPv4, tracked by (LAN host, server). */
void pg_bench_gre0(uint8_t *p, uint32_t src, uint32_t dst);
/* Raw ESP (protocol 50) with SPI and sequence number. */
void pg_bench_esp(uint8_t *p, uint32_t src, uint32_t dst, uint32_t spi, uint32_t seq);

/*
 * TCP with flags (PG_BENCH_SYN, _ACK, _PSH) and plen bytes of payload copied
 * from payload; p must hold 40 + plen bytes. Returns the packet's length.
 */
#define PG_BENCH_SYN 0x02
#define PG_BENCH_PSH 0x08
#define PG_BENCH_ACK 0x10
uint32_t pg_bench_tcp(uint8_t *p, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
		      uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *payload,
		      uint32_t plen);

/* The UDP source port of a built or translated packet, host order. */
uint16_t pg_bench_udp_sport(const uint8_t *p);

#endif /* PG_BENCH_PKT_H */
