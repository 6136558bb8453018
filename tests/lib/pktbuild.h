/* SPDX-License-Identifier: MIT */
/*
 * pktbuild.h - build IPv4 test packets from a description, and read them back.
 *
 * Tests describe a packet with a struct pgt_spec (addresses as dotted quads,
 * ports, flags...) and pgt_build() lays out the bytes with every checksum
 * computed by full recomputation. The checksum code here is deliberately our
 * own and shares nothing with src/engine/csum.c: a translated packet whose
 * bytes equal a freshly built one proves the engine's incremental updates.
 *
 * Test library symbols use the pgt_ prefix ("passgate test") so they can
 * never collide with the engine's pg_ symbols they are linked with.
 *
 * Port, ICMP identifier and GRE call id fields are 32 bits wide so that a
 * test can put a variable there (PGT_VAR(n)): a value the engine picks (a
 * public port) is learnt from the first packet that shows it and must be the
 * same everywhere it is used afterwards. See struct pgt_vars.
 */
#ifndef PGT_PKTBUILD_H
#define PGT_PKTBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PGT_BUF 2048

#define PGT_IP_DF 0x4000
#define PGT_IP_MF 0x2000

#define PGT_FIN 0x01
#define PGT_SYN 0x02
#define PGT_RST 0x04
#define PGT_PSH 0x08
#define PGT_ACK 0x10
#define PGT_URG 0x20

#define PGT_P_ICMP 1
#define PGT_P_TCP 6
#define PGT_P_UDP 17
#define PGT_P_GRE 47
#define PGT_P_ESP 50

/* A variable in a port/identifier field: PGT_VAR(0) .. PGT_VAR(PGT_NVARS - 1). */
#define PGT_NVARS 16
#define PGT_VAR_BASE 0x10000u
#define PGT_VAR(n) (PGT_VAR_BASE + (n))

/* How checksums are written (default: all correct). */
enum pgt_csum_mode {
	PGT_CSUM_OK = 0,
	PGT_CSUM_L4_ZERO, /* UDP "no checksum" (0) */
	PGT_CSUM_L4_BAD,  /* correct L4 checksum with a bit flipped */
	PGT_CSUM_IP_BAD,  /* correct IP header checksum with a bit flipped */
};

/*
 * A packet description. Zero means "the usual" for most fields: TTL 64,
 * TCP window 65535, GRE protocol 0x0800 (v0) or 0x880b (v1).
 */
struct pgt_spec {
	uint8_t proto; /* PGT_P_*, or any other number: payload only */
	const char *src, *dst;
	uint32_t sport, dport; /* TCP, UDP ports (may be PGT_VAR) */
	uint8_t ttl, tos;
	uint16_t ip_id;
	uint16_t frag; /* flags and fragment offset as in the header, host order */
	const uint8_t *ip_opts;
	uint8_t ip_optlen; /* padded with zeros (end of list) to a multiple of 4 */

	uint8_t tcp_flags;
	uint32_t seq, ack;
	uint16_t win;
	const uint8_t *tcp_opts;
	uint8_t tcp_optlen; /* padded with zeros to a multiple of 4 */

	uint8_t icmp_type, icmp_code;
	uint32_t icmp_id; /* echo identifier (may be PGT_VAR) */
	uint16_t icmp_seq;
	uint32_t icmp_rest;	      /* errors: the 4 bytes after the checksum */
	const struct pgt_spec *inner; /* errors: the quoted packet */
	uint16_t inner_quote;	      /* bytes of it to quote, 0 = all */

	uint8_t gre_ver;
	bool gre_key, gre_seq, gre_ack; /* optional fields present (v1 always has the key) */
	uint16_t gre_proto;
	uint32_t gre_keyval; /* v0 key */
	uint32_t call_id;    /* v1 key low half (may be PGT_VAR) */
	uint32_t gre_seqno, gre_ackno;

	uint32_t spi, esp_seq;

	const uint8_t *payload; /* NULL with paylen > 0: a byte pattern */
	uint16_t paylen;

	uint8_t csum; /* enum pgt_csum_mode */
};

/* Values learnt for PGT_VAR fields. */
struct pgt_vars {
	uint32_t val[PGT_NVARS];
	uint32_t bound; /* bit n set: val[n] is known */
};

/* Where the fields a variable can sit in ended up (0 = not in this packet). */
struct pgt_layout {
	uint16_t l4; /* offset of the transport header */
	uint16_t sport, dport, icmp_id, call_id;
	uint32_t unbound; /* bit per field left unresolved: see PGT_F_* */
};

#define PGT_F_SPORT 0x1
#define PGT_F_DPORT 0x2
#define PGT_F_ICMP_ID 0x4
#define PGT_F_CALL_ID 0x8

/*
 * Build the packet spec describes into buf (cap bytes). Variables are taken
 * from vars (may be NULL); an unbound variable is written as 0 and reported
 * in lay->unbound (lay may be NULL). Returns the packet length, or 0 if it
 * does not fit or the spec is invalid.
 */
uint32_t pgt_build(const struct pgt_spec *spec, const struct pgt_vars *vars, uint8_t *buf,
		   uint32_t cap, struct pgt_layout *lay);

/* Dotted quad to a host-order address; aborts on a typo (tests only). */
uint32_t pgt_addr(const char *dotted);

/* A host-order address as a dotted quad, in one of 8 buffers used in turn. */
const char *pgt_dotted(uint32_t host_order);

/* The Internet checksum of a buffer, as a host-order number (own code). */
uint16_t pgt_cksum(const uint8_t *buf, uint32_t len, uint32_t initial);
/* Sum of the pseudo-header (host-order addresses), for pgt_cksum's initial. */
uint32_t pgt_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, uint32_t l4len);

/* Big-endian field access at any offset. */
uint16_t pgt_get16(const uint8_t *p);
uint32_t pgt_get32(const uint8_t *p);
void pgt_put16(uint8_t *p, uint16_t v);
void pgt_put32(uint8_t *p, uint32_t v);

/*
 * A PPTP control message (RFC 2637) of TYPE (1-15) in b, at its length for
 * that type, with the 16-bit fields at offsets 12 and 14 and the byte at 16
 * as given (call ids, result codes) and the rest filled with non-zero
 * bytes (checksums must cover real data); returns the length.
 */
uint16_t pgt_pptp_msg(uint8_t *b, uint16_t type, uint16_t f12, uint16_t f14, uint8_t b16);
/* The length of a PPTP control message of TYPE (0 for an unknown type). */
uint16_t pgt_pptp_len(uint16_t type);

/* Header readers; they assume a packet that pgt_check() accepted. */
uint32_t pgt_ip_src(const uint8_t *ip);
uint32_t pgt_ip_dst(const uint8_t *ip);
unsigned int pgt_ip_hlen(const uint8_t *ip);
unsigned int pgt_ip_total(const uint8_t *ip);
uint8_t pgt_ip_proto(const uint8_t *ip);
uint8_t pgt_ip_ttl(const uint8_t *ip);
const uint8_t *pgt_l4(const uint8_t *ip);

/*
 * Verify a whole packet: IP header sane and checksum right, total length ==
 * len, and the transport checksum (TCP, UDP unless 0, ICMP over the whole
 * message; the IP header checksum of a quoted packet in an ICMP error).
 * Returns true if all is right; otherwise false with why filled.
 */
bool pgt_check(const uint8_t *pkt, uint32_t len, char *why, size_t whylen);

/* One-line human description ("TCP 1.2.3.4:5 > 6.7.8.9:10 [S.] ttl 63 len 40"). */
void pgt_describe(const uint8_t *pkt, uint32_t len, char *out, size_t outlen);

/*
 * Describe the first difference between two packets into out ("byte 24:
 * got 0x13 want 0x88 (TCP source port)"). Returns false if they are equal.
 */
bool pgt_diff(const uint8_t *got, uint32_t glen, const uint8_t *want, uint32_t wlen, char *out,
	      size_t outlen);

#endif /* PGT_PKTBUILD_H */
