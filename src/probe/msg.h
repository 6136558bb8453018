/* SPDX-License-Identifier: MIT */
/*
 * msg.h - passgate-probe's wire formats: its own control message and the
 * PPTP, enhanced GRE and ESP framings it wraps that message in.
 *
 * The control protocol. Every probe and every answer is one message of
 * PG_MSG_LEN bytes, network byte order, optionally followed by padding (the
 * path MTU probes are padded to the size under test):
 *
 *   0  magic "PGPB"            4  version (1)   5  type   6  flags  7  delay
 *   8  token (u32, chosen by the prober, echoed back)
 *  12  addr  (u32: in answers, the source address the responder saw)
 *  16  port  (u16: in answers, the source port it saw)
 *  18  aux   (u16: a call id, or the responder's port + 1 in answers)
 *  20  value (u32: bytes received, MSS seen, GRE packets counted)
 *  24  alt   (u32: in answers, the responder's second address, 0 if none)
 *
 * Requests: ECHO (answer at once; with flag BIG the answer is padded to
 * `aux` bytes, at most 8192, so it comes back in IP fragments), OTHER (answer at once, and also send an
 * unsolicited answer from port + 1 and/or the second address, as flags ask:
 * that is the filtering test), LATER (answer after `delay` seconds of
 * silence: the mapping lifetime test), GRE_STATUS (how many GRE packets
 * arrived on call `aux`, and which call id the PPTP exchange carried),
 * MSS (over TCP: the MSS option of the SYN of this connection).
 * The same message travels over UDP, over TCP (one message each way), as
 * ESP payload after SPI and sequence number, and as enhanced GRE payload.
 * Answers carry type ANSWER and the request's token.
 */
#ifndef PG_PROBE_MSG_H
#define PG_PROBE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PG_MSG_LEN 28
#define PG_MSG_MAGIC 0x50475042u	/* "PGPB" */
#define PG_MSG_VERSION 1

enum pg_msg_type {
	PG_MSG_ECHO = 1,
	PG_MSG_ANSWER = 2,
	PG_MSG_OTHER = 3,
	PG_MSG_LATER = 4,
	PG_MSG_GRE_STATUS = 5,
	PG_MSG_MSS = 6,
};

#define PG_MSG_F_OTHER_PORT 0x01	/* OTHER: send from port + 1 too */
#define PG_MSG_F_OTHER_ADDR 0x02	/* OTHER: send from the second address too */
#define PG_MSG_F_UNSOLICITED 0x04	/* ANSWER: this one is the unsolicited copy */
#define PG_MSG_F_BIG 0x08		/* ECHO: pad the answer to `aux` bytes (fragments) */
#define PG_MSG_BIG_MAX 8192

/* A control message, decoded (host byte order). */
struct pg_msg {
	uint8_t type, flags, delay;
	uint32_t token;
	uint32_t addr;
	uint16_t port, aux;
	uint32_t value;
	uint32_t alt;
};

size_t pg_msg_encode(const struct pg_msg *m, uint8_t *buf, size_t len);
int pg_msg_decode(const uint8_t *buf, size_t len, struct pg_msg *m);

/* PPTP control messages (RFC 2637) the probe sends and answers. */
#define PG_PPTP_MAGIC 0x1A2B3C4Du
#define PG_PPTP_SCCRQ 1
#define PG_PPTP_SCCRP 2
#define PG_PPTP_OCRQ 7
#define PG_PPTP_OCRP 8
#define PG_PPTP_SCCR_LEN 156
#define PG_PPTP_OCRQ_LEN 168
#define PG_PPTP_OCRP_LEN 32

size_t pg_pptp_sccr(uint8_t *buf, size_t len, int ctrl_type);
size_t pg_pptp_ocrq(uint8_t *buf, size_t len, uint16_t call_id, uint16_t serial);
size_t pg_pptp_ocrp(uint8_t *buf, size_t len, uint16_t call_id, uint16_t peer_call_id);
int pg_pptp_parse(const uint8_t *buf, size_t len, int *ctrl_type,
		  uint16_t *call_id, uint16_t *peer_call_id);

/* Enhanced GRE (RFC 2637 section 4.1) with key and sequence number. */
#define PG_GRE_HDR_LEN 12
size_t pg_gre_encode(uint8_t *buf, size_t len, uint16_t call_id, uint32_t seq,
		     const uint8_t *payload, size_t plen);
int pg_gre_decode(const uint8_t *buf, size_t len, uint16_t *call_id,
		  const uint8_t **payload, size_t *plen);

/* ESP as the probe uses it: SPI, sequence number, then a control message. */
#define PG_ESP_HDR_LEN 8
size_t pg_esp_encode(uint8_t *buf, size_t len, uint32_t spi, uint32_t seq,
		     const uint8_t *payload, size_t plen);
int pg_esp_decode(const uint8_t *buf, size_t len, uint32_t *spi,
		  const uint8_t **payload, size_t *plen);

/* Skip an IPv4 header a raw socket hands over; NULL if it is not one. */
const uint8_t *pg_ip_payload(const uint8_t *buf, size_t len, size_t *plen,
			     uint32_t *src, uint8_t *proto);

#endif /* PG_PROBE_MSG_H */
