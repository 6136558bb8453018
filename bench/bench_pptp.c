/* SPDX-License-Identifier: MIT */
/*
 * bench_pptp.c - a PPTP control exchange driven through the engine for the
 * benchmark's call-id keyed GRE: SYN, SYN-ACK, ACK, then SCCRQ/SCCRP and
 * OCRQ/OCRP (RFC 2637 section 2), each message in one segment. Only the
 * fields the helper reads are filled: lengths, message types, magic cookie,
 * call ids and the result code.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench_pkt.h"
#include "bench_pptp.h"

#define PPTP_PORT 1723
#define CLIENT_PORT 40000
#define CLIENT_ISN 1000u
#define SERVER_ISN 5000u

static uint64_t clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void put16(uint8_t *p, uint16_t v)
{
	v = htons(v);
	memcpy(p, &v, 2);
}

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return ntohs(v);
}

/* A control message of len bytes and control type ctype, zero beyond the header. */
static void message(uint8_t *m, uint16_t len, uint16_t ctype)
{
	uint32_t magic = htonl(0x1a2b3c4du);

	memset(m, 0, len);
	put16(m, len);
	put16(m + 2, 1); /* control message */
	memcpy(m + 4, &magic, 4);
	put16(m + 8, ctype);
}

/* Run one packet; 0 if its verdict is want. */
static int run1(struct pg_engine *e, uint8_t *buf, uint32_t len, enum pg_side side,
		enum pg_verdict want, const char *step)
{
	struct pg_pkt p = {.l3 = buf, .len = len, .cap = len + 256, .side = (uint8_t)side};

	pg_engine_run(e, &p, 1, clock_ms());
	if (p.verdict == want)
		return 0;
	fprintf(stderr, "engine_bench: pptp %s: verdict %u (%s)\n", step, (unsigned int)p.verdict,
		pg_counter_name(p.drop_reason));
	return -1;
}

int pg_bench_pptp_call(struct pg_engine *e, uint8_t *buf, uint32_t client, uint32_t server,
		       uint32_t wan_addr, uint16_t pns_cid, uint16_t pac_cid, uint16_t *pub_cid)
{
	uint32_t cseq = CLIENT_ISN, sseq = SERVER_ISN, len;
	uint8_t m[168];
	uint16_t pub_port;

	len = pg_bench_tcp(buf, client, server, CLIENT_PORT, PPTP_PORT, cseq, 0, PG_BENCH_SYN,
			   NULL, 0);
	if (run1(e, buf, len, PG_SIDE_LAN, PG_VERDICT_TO_WAN, "SYN"))
		return -1;
	pub_port = get16(buf + 20);
	cseq++;
	len = pg_bench_tcp(buf, server, wan_addr, PPTP_PORT, pub_port, sseq, cseq,
			   PG_BENCH_SYN | PG_BENCH_ACK, NULL, 0);
	if (run1(e, buf, len, PG_SIDE_WAN, PG_VERDICT_TO_LAN, "SYN-ACK"))
		return -1;
	sseq++;
	len = pg_bench_tcp(buf, client, server, CLIENT_PORT, PPTP_PORT, cseq, sseq, PG_BENCH_ACK,
			   NULL, 0);
	if (run1(e, buf, len, PG_SIDE_LAN, PG_VERDICT_TO_WAN, "ACK"))
		return -1;

	message(m, 156, 1); /* Start-Control-Connection-Request */
	len = pg_bench_tcp(buf, client, server, CLIENT_PORT, PPTP_PORT, cseq, sseq,
			   PG_BENCH_PSH | PG_BENCH_ACK, m, 156);
	if (run1(e, buf, len, PG_SIDE_LAN, PG_VERDICT_TO_WAN, "SCCRQ"))
		return -1;
	cseq += 156;
	message(m, 156, 2); /* Start-Control-Connection-Reply */
	m[12] = 1;	    /* result: OK */
	len = pg_bench_tcp(buf, server, wan_addr, PPTP_PORT, pub_port, sseq, cseq,
			   PG_BENCH_PSH | PG_BENCH_ACK, m, 156);
	if (run1(e, buf, len, PG_SIDE_WAN, PG_VERDICT_TO_LAN, "SCCRP"))
		return -1;
	sseq += 156;

	message(m, 168, 7); /* Outgoing-Call-Request */
	put16(m + 12, pns_cid);
	put16(m + 14, 1); /* call serial number */
	len = pg_bench_tcp(buf, client, server, CLIENT_PORT, PPTP_PORT, cseq, sseq,
			   PG_BENCH_PSH | PG_BENCH_ACK, m, 168);
	if (run1(e, buf, len, PG_SIDE_LAN, PG_VERDICT_TO_WAN, "OCRQ"))
		return -1;
	*pub_cid = get16(buf + 40 + 12); /* the id the helper wrote for the server */
	cseq += 168;
	message(m, 32, 8); /* Outgoing-Call-Reply */
	put16(m + 12, pac_cid);
	put16(m + 14, *pub_cid);
	m[16] = 1; /* result: Connected */
	len = pg_bench_tcp(buf, server, wan_addr, PPTP_PORT, pub_port, sseq, cseq,
			   PG_BENCH_PSH | PG_BENCH_ACK, m, 32);
	if (run1(e, buf, len, PG_SIDE_WAN, PG_VERDICT_TO_LAN, "OCRP"))
		return -1;
	if (get16(buf + 40 + 14) != pns_cid) {
		fprintf(stderr, "engine_bench: pptp OCRP: peer call id %u, wanted %u\n",
			get16(buf + 40 + 14), pns_cid);
		return -1;
	}
	return 0;
}
