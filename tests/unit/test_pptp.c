/* SPDX-License-Identifier: MIT */
/*
 * test_pptp.c - the PPTP helper: call-id translation for several clients to
 * one server, messages split over segments, retransmissions, invalid streams,
 * call teardown and the passthrough switch.
 *
 * Every step runs through the table runner (tests/lib/scenario.c), so each
 * translated packet is checked byte for byte against one built from scratch
 * with full checksums: a call id rewritten in a control message proves the
 * TCP checksum was fixed too.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/scenario.h"

#define H10 PGT_H10
#define H11 PGT_H11
#define S1 PGT_S1
#define WANA PGT_WAN_ADDR
#define PA (PGT_PSH | PGT_ACK)

enum {
	SCCRQ = 1,
	STOPRQ = 3,
	STOPRP = 4,
	ECHORQ = 5,
	OCRQ = 7,
	OCRP = 8,
	ICRQ = 9,
	ICRP = 10,
	ICCN = 11,
	CCRQ = 12,
	CDN = 13,
	WEN = 14,
	SLI = 15,
};

/* Seconds after the start at which the next steps run. */
static uint32_t now_t;

static void run(struct pgt_ctx *c, const struct pgt_step *st)
{
	struct pgt_step at = *st;
	char err[4096];

	at.t = now_t;
	if (pgt_step_run(c, &at, err, sizeof(err)))
		fail_msg("%s", err);
}

static struct pgt_spec tcp(const char *s, uint32_t sp, const char *d, uint32_t dp, uint8_t fl,
			   uint32_t seq, uint32_t ack, uint8_t ttl)
{
	struct pgt_spec x = {.proto = PGT_P_TCP, .src = s, .sport = sp, .dst = d, .dport = dp,
			     .tcp_flags = fl, .seq = seq, .ack = ack, .ttl = ttl};

	return x;
}

/* A client segment out, expected with payload `want` (NULL: unchanged). */
static void seg_out(struct pgt_ctx *c, const char *h, uint32_t port, uint32_t seq,
		    const uint8_t *data, uint16_t n, const uint8_t *want)
{
	struct pgt_step st = {.name = "control segment out", .side = PG_SIDE_LAN,
			      .verdict = PG_VERDICT_TO_WAN};

	st.in = tcp(h, port, S1, 1723, PA, seq, 5001, 64);
	st.in.payload = data;
	st.in.paylen = n;
	st.out = tcp(WANA, port, S1, 1723, PA, seq, 5001, 63);
	st.out.payload = want ? want : data;
	st.out.paylen = n;
	run(c, &st);
}

/* A server segment in, expected with payload `want` (NULL: unchanged). */
static void seg_in(struct pgt_ctx *c, const char *h, uint32_t port, uint32_t seq,
		   const uint8_t *data, uint16_t n, const uint8_t *want)
{
	struct pgt_step st = {.name = "control segment in", .side = PG_SIDE_WAN,
			      .verdict = PG_VERDICT_TO_LAN};

	st.in = tcp(S1, 1723, WANA, port, PA, seq, 2000, 64);
	st.in.payload = data;
	st.in.paylen = n;
	st.out = tcp(S1, 1723, h, port, PA, seq, 2000, 63);
	st.out.payload = want ? want : data;
	st.out.paylen = n;
	run(c, &st);
}

/* Open a control connection from h:port (client ISN 1000, server 5000). */
static void handshake(struct pgt_ctx *c, const char *h, uint32_t port)
{
	struct pgt_step syn = {.name = "SYN", .side = PG_SIDE_LAN, .verdict = PG_VERDICT_TO_WAN};
	struct pgt_step synack = {.name = "SYN-ACK", .side = PG_SIDE_WAN,
				  .verdict = PG_VERDICT_TO_LAN};
	struct pgt_step ack = {.name = "ACK", .side = PG_SIDE_LAN, .verdict = PG_VERDICT_TO_WAN};

	syn.in = tcp(h, port, S1, 1723, PGT_SYN, 1000, 0, 64);
	syn.out = tcp(WANA, port, S1, 1723, PGT_SYN, 1000, 0, 63);
	synack.in = tcp(S1, 1723, WANA, port, PGT_SYN | PGT_ACK, 5000, 1001, 64);
	synack.out = tcp(S1, 1723, h, port, PGT_SYN | PGT_ACK, 5000, 1001, 63);
	ack.in = tcp(h, port, S1, 1723, PGT_ACK, 1001, 5001, 64);
	ack.out = tcp(WANA, port, S1, 1723, PGT_ACK, 1001, 5001, 63);
	run(c, &syn);
	run(c, &synack);
	run(c, &ack);
}

/* Enhanced GRE from src to dst with a call id, expected as out_* (verdict v). */
static void gre(struct pgt_ctx *c, int side, const char *src, const char *dst, uint32_t cid,
		const char *osrc, const char *odst, uint32_t ocid, uint8_t verdict, uint16_t drop)
{
	struct pgt_step st = {.name = "GRE", .side = (uint8_t)side, .verdict = verdict,
			      .drop = drop};

	st.in = (struct pgt_spec){.proto = PGT_P_GRE, .src = src, .dst = dst, .gre_ver = 1,
				  .call_id = cid, .gre_seq = true, .gre_seqno = 7, .paylen = 40};
	if (verdict != PG_VERDICT_DROP)
		st.out = (struct pgt_spec){.proto = PGT_P_GRE, .src = osrc, .dst = odst,
					   .gre_ver = 1, .call_id = ocid, .gre_seq = true,
					   .gre_seqno = 7, .paylen = 40, .ttl = 63};
	run(c, &st);
}

static uint64_t counter(const struct pgt_ctx *c, unsigned int idx)
{
	return pg_engine_counters(c->e)[idx];
}

/* Two clients, both with call id 0x0100, each make a call to S1. */
static void two_calls(struct pgt_ctx *c)
{
	uint8_t m[256], want[256];
	uint16_t n;

	handshake(c, H10, 40000);
	handshake(c, H11, 40001);
	n = pgt_pptp_msg(m, OCRQ, 0x0100, 1, 0);
	seg_out(c, H10, 40000, 1001, m, n, NULL); /* first keeps its id */
	pgt_pptp_msg(want, OCRQ, 0x0101, 1, 0);
	seg_out(c, H11, 40001, 1001, m, n, want); /* second: same high byte */

	n = pgt_pptp_msg(m, OCRP, 0x0080, 0x0100, 1);
	seg_in(c, H10, 40000, 5001, m, n, NULL);
	n = pgt_pptp_msg(m, OCRP, 0x0000, 0x0101, 1); /* pptpd really hands out call id 0 */
	pgt_pptp_msg(want, OCRP, 0x0000, 0x0100, 1);
	seg_in(c, H11, 40001, 5001, m, n, want);
}

static void test_two_clients_one_server(void **state)
{
	struct pgt_ctx c;

	(void)state;
	assert_int_equal(pgt_ctx_init(&c, NULL), 0);
	two_calls(&c);
	assert_int_equal(counter(&c, PG_CNT_PPTP_CALLS), 2);
	/* Server GRE reaches each client with the client's own call id. */
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0100, S1, H10, 0x0100, PG_VERDICT_TO_LAN, 0);
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0101, S1, H11, 0x0100, PG_VERDICT_TO_LAN, 0);
	/* Client GRE carries the server's call id; only the source changes. */
	gre(&c, PG_SIDE_LAN, H10, S1, 0x0080, WANA, S1, 0x0080, PG_VERDICT_TO_WAN, 0);
	gre(&c, PG_SIDE_LAN, H11, S1, 0x0000, WANA, S1, 0x0000, PG_VERDICT_TO_WAN, 0);
	/* An id nobody was given is not a call. */
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0102, NULL, NULL, 0, PG_VERDICT_DROP,
	    PG_CNT_DROP_UNSOLICITED);
	pgt_ctx_fini(&c);
}

static void test_split_and_retransmitted(void **state)
{
	uint8_t m[256], want[256];
	struct pgt_ctx c;
	uint16_t n;

	(void)state;
	assert_int_equal(pgt_ctx_init(&c, NULL), 0);
	handshake(&c, H10, 40000);
	handshake(&c, H11, 40001);
	n = pgt_pptp_msg(m, OCRQ, 0x0100, 1, 0);
	seg_out(&c, H10, 40000, 1001, m, n, NULL);

	/* The call id's high byte ends the first segment, its low byte opens the next. */
	pgt_pptp_msg(want, OCRQ, 0x0101, 1, 0);
	seg_out(&c, H11, 40001, 1001, m, 13, NULL);
	seg_out(&c, H11, 40001, 1014, m + 13, (uint16_t)(n - 13), want + 13);
	/* The same segment again, and the whole message again in one segment. */
	seg_out(&c, H11, 40001, 1014, m + 13, (uint16_t)(n - 13), want + 13);
	seg_out(&c, H11, 40001, 1001, m, n, want);

	/* Two messages in one segment, the second split in its call id. */
	{
		uint8_t two[512], two_want[512];
		uint16_t a = pgt_pptp_msg(two, ECHORQ, 0, 0, 0);
		/* H11's next call, id 0x0101: that is its first call's public id. */
		uint16_t b = pgt_pptp_msg(two + a, OCRQ, 0x0101, 2, 0);

		memcpy(two_want, two, (size_t)a + b);
		pgt_pptp_msg(two_want + a, OCRQ, 0x0102, 2, 0);
		seg_out(&c, H11, 40001, 1001 + n, two, (uint16_t)(a + 12), NULL);
		seg_out(&c, H11, 40001, 1001 + n + a + 12, two + a + 12, (uint16_t)(b - 12),
			two_want + a + 12);
	}
	assert_int_equal(counter(&c, PG_CNT_PPTP_BAD_MESSAGE), 0);
	pgt_ctx_fini(&c);
}

/* A control segment refused with reason drop (the stream does not move). */
static void seg_refused(struct pgt_ctx *c, int side, const char *h, uint32_t port, uint32_t seq,
			const uint8_t *data, uint16_t n, uint16_t drop)
{
	struct pgt_step st = {.name = "control segment refused", .side = (uint8_t)side,
			      .verdict = PG_VERDICT_DROP, .drop = drop};

	if (side == PG_SIDE_LAN)
		st.in = tcp(h, port, S1, 1723, PA, seq, 5001, 64);
	else
		st.in = tcp(S1, 1723, WANA, port, PA, seq, 2000, 64);
	st.in.payload = data;
	st.in.paylen = n;
	run(c, &st);
}

/*
 * A stream that breaks the rules is no longer followed: its calls end and
 * its payload is refused both ways, so call ids we cannot see never leave.
 * Other connections go on.
 */
static void test_invalid_stream_stops_helper(void **state)
{
	uint8_t m[256];
	struct pgt_ctx c;
	uint16_t n;

	(void)state;
	assert_int_equal(pgt_ctx_init(&c, NULL), 0);
	two_calls(&c);
	/* Bad magic from the second client: no longer followed. */
	n = pgt_pptp_msg(m, OCRQ, 0x0105, 2, 0);
	m[7] ^= 1;
	seg_refused(&c, PG_SIDE_LAN, H11, 40001, 1001 + pgt_pptp_len(OCRQ), m, n,
		    PG_CNT_DROP_PPTP_UNFOLLOWED);
	assert_int_equal(counter(&c, PG_CNT_PPTP_BAD_MESSAGE), 1);
	assert_int_equal(counter(&c, PG_CNT_PPTP_CALLS_CLEARED), 1);
	/* Its next request would carry an id we cannot translate: refused. */
	n = pgt_pptp_msg(m, OCRQ, 0x0100, 3, 0);
	seg_refused(&c, PG_SIDE_LAN, H11, 40001, 1001 + pgt_pptp_len(OCRQ), m, n,
		    PG_CNT_DROP_PPTP_UNFOLLOWED);
	n = pgt_pptp_msg(m, ECHORQ, 0, 0, 0);
	seg_refused(&c, PG_SIDE_WAN, H11, 40001, 5001 + pgt_pptp_len(OCRP), m, n,
		    PG_CNT_DROP_PPTP_UNFOLLOWED);
	/* Its call is gone; the first client's goes on. */
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0101, NULL, NULL, 0, PG_VERDICT_DROP,
	    PG_CNT_DROP_UNSOLICITED);
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0100, S1, H10, 0x0100, PG_VERDICT_TO_LAN, 0);
	assert_int_equal(counter(&c, PG_CNT_PPTP_CALLS), 2);
	pgt_ctx_fini(&c);
}

static void test_wrong_role_and_length(void **state)
{
	uint8_t m[256];
	struct pgt_ctx c;
	uint16_t n;

	(void)state;
	assert_int_equal(pgt_ctx_init(&c, NULL), 0);
	handshake(&c, H10, 40000);
	/* A server may not send an Outgoing-Call-Request. */
	n = pgt_pptp_msg(m, OCRQ, 0x0100, 1, 0);
	seg_refused(&c, PG_SIDE_WAN, H10, 40000, 5001, m, n, PG_CNT_DROP_PPTP_UNFOLLOWED);
	assert_int_equal(counter(&c, PG_CNT_PPTP_BAD_MESSAGE), 1);

	handshake(&c, H11, 40001);
	/* A length that is not the type's. */
	n = pgt_pptp_msg(m, ECHORQ, 0, 0, 0);
	pgt_put16(m, 20);
	seg_refused(&c, PG_SIDE_LAN, H11, 40001, 1001, m, n, PG_CNT_DROP_PPTP_UNFOLLOWED);
	assert_int_equal(counter(&c, PG_CNT_PPTP_BAD_MESSAGE), 2);
	pgt_ctx_fini(&c);
}

/* No GRE passes for a call the server has not accepted. */
static void test_gre_waits_for_connected_reply(void **state)
{
	uint8_t m[256];
	struct pgt_ctx c;
	uint16_t n;

	(void)state;
	assert_int_equal(pgt_ctx_init(&c, NULL), 0);
	handshake(&c, H10, 40000);
	n = pgt_pptp_msg(m, OCRQ, 0x0100, 1, 0);
	seg_out(&c, H10, 40000, 1001, m, n, NULL);
	/* Requested, not accepted: the server's GRE to the id, or ours, does not pass. */
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0100, NULL, NULL, 0, PG_VERDICT_DROP,
	    PG_CNT_DROP_UNSOLICITED);
	/* A refusal (result 2, "general error") ends the call. */
	n = pgt_pptp_msg(m, OCRP, 0x0080, 0x0100, 2);
	seg_in(&c, H10, 40000, 5001, m, n, NULL);
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0100, NULL, NULL, 0, PG_VERDICT_DROP,
	    PG_CNT_DROP_UNSOLICITED);
	assert_int_equal(counter(&c, PG_CNT_PPTP_CALLS), 0);
	/* The next request gets the same id (it was freed), and "connected" opens it. */
	n = pgt_pptp_msg(m, OCRQ, 0x0100, 2, 0);
	seg_out(&c, H10, 40000, 1001 + pgt_pptp_len(OCRQ), m, n, NULL);
	n = pgt_pptp_msg(m, OCRP, 0x0081, 0x0100, 1);
	seg_in(&c, H10, 40000, 5001 + pgt_pptp_len(OCRP), m, n, NULL);
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0100, S1, H10, 0x0100, PG_VERDICT_TO_LAN, 0);
	gre(&c, PG_SIDE_LAN, H10, S1, 0x0081, WANA, S1, 0x0081, PG_VERDICT_TO_WAN, 0);
	assert_int_equal(counter(&c, PG_CNT_PPTP_CALLS), 1);
	pgt_ctx_fini(&c);
}

/*
 * A call the server offers (Incoming-Call-Request), the second client's id
 * colliding with the first's public id: its Incoming-Call-Reply is
 * rewritten, the server's Incoming-Call-Connected restored, and GRE opens
 * with the Incoming-Call-Connected. WAN-Error-Notify and Set-Link-Info from
 * the server name the client's call by its public id too.
 */
static void test_incoming_call(void **state)
{
	uint8_t m[256], want[256];
	struct pgt_ctx c;
	uint32_t s_in = 5001, s_out = 1001;
	uint16_t n;

	(void)state;
	assert_int_equal(pgt_ctx_init(&c, NULL), 0);
	handshake(&c, H10, 40000);
	handshake(&c, H11, 40001);
	n = pgt_pptp_msg(m, OCRQ, 0x0100, 1, 0);
	seg_out(&c, H10, 40000, 1001, m, n, NULL);
	n = pgt_pptp_msg(m, OCRP, 0x0080, 0x0100, 1);
	seg_in(&c, H10, 40000, 5001, m, n, NULL);

	n = pgt_pptp_msg(m, ICRQ, 0x0200, 7, 0); /* the server's call id, serial */
	seg_in(&c, H11, 40001, s_in, m, n, NULL);
	s_in += n;
	n = pgt_pptp_msg(m, ICRP, 0x0100, 0x0200, 1); /* 0x0100 is H10's public id */
	pgt_pptp_msg(want, ICRP, 0x0101, 0x0200, 1);
	seg_out(&c, H11, 40001, s_out, m, n, want);
	s_out += n;
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0101, NULL, NULL, 0, PG_VERDICT_DROP,
	    PG_CNT_DROP_UNSOLICITED);
	n = pgt_pptp_msg(m, ICCN, 0x0101, 0, 0);
	pgt_pptp_msg(want, ICCN, 0x0100, 0, 0);
	seg_in(&c, H11, 40001, s_in, m, n, want);
	s_in += n;
	assert_int_equal(counter(&c, PG_CNT_PPTP_CALLS), 2);
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0101, S1, H11, 0x0100, PG_VERDICT_TO_LAN, 0);
	gre(&c, PG_SIDE_LAN, H11, S1, 0x0200, WANA, S1, 0x0200, PG_VERDICT_TO_WAN, 0);
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0100, S1, H10, 0x0100, PG_VERDICT_TO_LAN, 0);

	n = pgt_pptp_msg(m, WEN, 0x0101, 0, 0);
	pgt_pptp_msg(want, WEN, 0x0100, 0, 0);
	seg_in(&c, H11, 40001, s_in, m, n, want);
	s_in += n;
	n = pgt_pptp_msg(m, SLI, 0x0101, 0, 0);
	pgt_pptp_msg(want, SLI, 0x0100, 0, 0);
	seg_in(&c, H11, 40001, s_in, m, n, want);
	s_in += n;
	/* The client's Set-Link-Info names the server's id: nothing to rewrite. */
	n = pgt_pptp_msg(m, SLI, 0x0200, 0, 0);
	seg_out(&c, H11, 40001, s_out, m, n, NULL);
	/* The server ends the call: Call-Disconnect-Notify with its own id. */
	n = pgt_pptp_msg(m, CDN, 0x0200, 0, 3);
	seg_in(&c, H11, 40001, s_in, m, n, NULL);
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0101, NULL, NULL, 0, PG_VERDICT_DROP,
	    PG_CNT_DROP_UNSOLICITED);
	assert_int_equal(counter(&c, PG_CNT_PPTP_CALLS_CLEARED), 1);
	assert_int_equal(counter(&c, PG_CNT_PPTP_BAD_MESSAGE), 0);
	pgt_ctx_fini(&c);
}

/* A client turning an offered call down: no GRE for it, its id free again. */
static void test_incoming_call_declined(void **state)
{
	uint8_t m[256];
	struct pgt_ctx c;
	uint16_t n;

	(void)state;
	assert_int_equal(pgt_ctx_init(&c, NULL), 0);
	handshake(&c, H10, 40000);
	n = pgt_pptp_msg(m, ICRQ, 0x0200, 7, 0);
	seg_in(&c, H10, 40000, 5001, m, n, NULL);
	n = pgt_pptp_msg(m, ICRP, 0x0100, 0x0200, 3); /* result 3: do not accept */
	seg_out(&c, H10, 40000, 1001, m, n, NULL);
	n = pgt_pptp_msg(m, ICCN, 0x0100, 0, 0);
	seg_in(&c, H10, 40000, 5001 + pgt_pptp_len(ICRQ), m, n, NULL);
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0100, NULL, NULL, 0, PG_VERDICT_DROP,
	    PG_CNT_DROP_UNSOLICITED);
	assert_int_equal(counter(&c, PG_CNT_PPTP_CALLS), 0);
	pgt_ctx_fini(&c);
}

/* RFC 2637 2.3: a Stop-Control-Connection ends every call of its connection. */
static void test_stop_control_connection(void **state)
{
	uint8_t m[256];
	struct pgt_ctx c;
	uint16_t n;

	(void)state;
	assert_int_equal(pgt_ctx_init(&c, NULL), 0);
	two_calls(&c);
	n = pgt_pptp_msg(m, STOPRQ, 0, 0, 0);
	m[12] = 1; /* reason: general request */
	seg_out(&c, H11, 40001, 1001 + pgt_pptp_len(OCRQ), m, n, NULL);
	assert_int_equal(counter(&c, PG_CNT_PPTP_CALLS_CLEARED), 1);
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0101, NULL, NULL, 0, PG_VERDICT_DROP,
	    PG_CNT_DROP_UNSOLICITED);
	gre(&c, PG_SIDE_LAN, H11, S1, 0x0000, WANA, S1, 0x0000, PG_VERDICT_TO_WAN, 0);
	/* The first client's call goes on, until its server stops. */
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0100, S1, H10, 0x0100, PG_VERDICT_TO_LAN, 0);
	n = pgt_pptp_msg(m, STOPRQ, 0, 0, 0);
	seg_in(&c, H10, 40000, 5001 + pgt_pptp_len(OCRP), m, n, NULL);
	n = pgt_pptp_msg(m, STOPRP, 0, 0, 0);
	seg_out(&c, H10, 40000, 1001 + pgt_pptp_len(OCRQ), m, n, NULL);
	assert_int_equal(counter(&c, PG_CNT_PPTP_CALLS_CLEARED), 2);
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0100, NULL, NULL, 0, PG_VERDICT_DROP,
	    PG_CNT_DROP_UNSOLICITED);
	pgt_ctx_fini(&c);
}

/*
 * The 17th call on one connection gets no public id: the segment carrying
 * its request is dropped, never forwarded with the client's own id, and
 * passes when retransmitted once a call has ended. An echo before it in the
 * same segment is read again then without harm.
 */
static void test_call_table_full(void **state)
{
	uint8_t m[512];
	struct pgt_ctx c;
	uint32_t seq = 1001;
	uint16_t n, a;

	(void)state;
	assert_int_equal(pgt_ctx_init(&c, NULL), 0);
	handshake(&c, H10, 40000);
	for (unsigned int i = 0; i < 16; i++) {
		n = pgt_pptp_msg(m, OCRQ, (uint16_t)(0x0300 + i), (uint16_t)i, 0);
		seg_out(&c, H10, 40000, seq, m, n, NULL);
		seq += n;
	}
	a = pgt_pptp_msg(m, ECHORQ, 0, 0, 0);
	n = (uint16_t)(a + pgt_pptp_msg(m + a, OCRQ, 0x0310, 16, 0));
	seg_refused(&c, PG_SIDE_LAN, H10, 40000, seq, m, n, PG_CNT_DROP_PPTP_CALL_REFUSED);
	assert_int_equal(counter(&c, PG_CNT_PPTP_CALL_LIMIT), 1);
	seg_refused(&c, PG_SIDE_LAN, H10, 40000, seq, m, n, PG_CNT_DROP_PPTP_CALL_REFUSED);
	/* The server turns the first call down: a slot is free. */
	{
		uint8_t r[64];
		uint16_t rn = pgt_pptp_msg(r, OCRP, 0x0080, 0x0300, 2);

		seg_in(&c, H10, 40000, 5001, r, rn, NULL);
	}
	seg_out(&c, H10, 40000, seq, m, n, NULL);
	assert_int_equal(counter(&c, PG_CNT_PPTP_BAD_MESSAGE), 0);
	pgt_ctx_fini(&c);
}

/*
 * Every public id with the client's high byte is taken towards the server
 * (256 calls over 16 connections): the next request is refused, not sent
 * with an id that names another client's call.
 */
static void test_call_ids_exhausted(void **state)
{
	uint8_t m[256];
	struct pgt_ctx c;
	uint16_t n;

	(void)state;
	assert_int_equal(pgt_ctx_init(&c, NULL), 0);
	for (unsigned int i = 0; i < 16; i++) {
		handshake(&c, H10, 41000 + i);
		for (unsigned int j = 0; j < 16; j++) {
			n = pgt_pptp_msg(m, OCRQ, (uint16_t)(0x0100 | (i * 16 + j)), (uint16_t)j, 0);
			seg_out(&c, H10, 41000 + i, 1001 + j * n, m, n, NULL);
		}
	}
	handshake(&c, H11, 40001);
	n = pgt_pptp_msg(m, OCRQ, 0x0142, 1, 0);
	seg_refused(&c, PG_SIDE_LAN, H11, 40001, 1001, m, n, PG_CNT_DROP_PPTP_CALL_REFUSED);
	assert_int_equal(counter(&c, PG_CNT_PPTP_CALL_IDS_EXHAUSTED), 1);
	/* Another high byte is free. */
	n = pgt_pptp_msg(m, OCRQ, 0x0242, 1, 0);
	seg_out(&c, H11, 40001, 1001, m, n, NULL);
	pgt_ctx_fini(&c);
}

/*
 * A client gone without a word: the server gives its call id to another
 * client's new call (pptpd hands out 0, 128, 256, ... again). The new call
 * takes it over; the old one is ended, not left to block it for hours.
 */
static void test_server_reuses_call_id(void **state)
{
	uint8_t m[256];
	struct pgt_ctx c;
	uint16_t n;

	(void)state;
	assert_int_equal(pgt_ctx_init(&c, NULL), 0);
	two_calls(&c); /* H10's call has server id 0x0080 */
	handshake(&c, PGT_H12, 40002);
	n = pgt_pptp_msg(m, OCRQ, 0x0300, 1, 0);
	seg_out(&c, PGT_H12, 40002, 1001, m, n, NULL);
	n = pgt_pptp_msg(m, OCRP, 0x0080, 0x0300, 1);
	seg_in(&c, PGT_H12, 40002, 5001, m, n, NULL);
	assert_int_equal(counter(&c, PG_CNT_PPTP_CALL_ID_CONFLICT), 1);
	assert_int_equal(counter(&c, PG_CNT_PPTP_CALLS_CLEARED), 1);
	gre(&c, PG_SIDE_LAN, PGT_H12, S1, 0x0080, WANA, S1, 0x0080, PG_VERDICT_TO_WAN, 0);
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0300, S1, PGT_H12, 0x0300, PG_VERDICT_TO_LAN, 0);
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0100, NULL, NULL, 0, PG_VERDICT_DROP,
	    PG_CNT_DROP_UNSOLICITED);
	gre(&c, PG_SIDE_LAN, H10, S1, 0x0080, NULL, NULL, 0, PG_VERDICT_DROP,
	    PG_CNT_DROP_FLOW_CONFLICT);
	/* The second client's call is untouched. */
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0101, S1, H11, 0x0100, PG_VERDICT_TO_LAN, 0);
	pgt_ctx_fini(&c);
}

/* A FIN on the control connection ends its calls (a RST does not: it may be stray). */
static void test_fin_ends_calls(void **state)
{
	struct pgt_step fin = {.name = "FIN", .side = PG_SIDE_LAN, .verdict = PG_VERDICT_TO_WAN};
	struct pgt_ctx c;

	(void)state;
	assert_int_equal(pgt_ctx_init(&c, NULL), 0);
	two_calls(&c);
	fin.in = tcp(H11, 40001, S1, 1723, PGT_FIN | PGT_ACK, 1001 + pgt_pptp_len(OCRQ),
		     5001 + pgt_pptp_len(OCRP), 64);
	fin.out = tcp(WANA, 40001, S1, 1723, PGT_FIN | PGT_ACK, 1001 + pgt_pptp_len(OCRQ),
		      5001 + pgt_pptp_len(OCRP), 63);
	run(&c, &fin);
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0101, NULL, NULL, 0, PG_VERDICT_DROP,
	    PG_CNT_DROP_UNSOLICITED);
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0100, S1, H10, 0x0100, PG_VERDICT_TO_LAN, 0);
	assert_int_equal(counter(&c, PG_CNT_PPTP_CALLS_CLEARED), 1);
	pgt_ctx_fini(&c);
}

static void cap_one_session(struct pg_engine_config *cfg)
{
	cfg->pptp_max_sessions = 1;
}

/* A control connection the helper has no room for is refused, not half followed. */
static void test_sessions_full(void **state)
{
	uint8_t m[256];
	struct pgt_ctx c;
	uint16_t n;

	(void)state;
	assert_int_equal(pgt_ctx_init(&c, cap_one_session), 0);
	handshake(&c, H10, 40000);
	handshake(&c, H11, 40001); /* the handshake passes */
	assert_int_equal(counter(&c, PG_CNT_PPTP_SESSIONS_FULL), 1);
	n = pgt_pptp_msg(m, OCRQ, 0x0100, 1, 0);
	seg_out(&c, H10, 40000, 1001, m, n, NULL);
	seg_refused(&c, PG_SIDE_LAN, H11, 40001, 1001, m, n, PG_CNT_DROP_PPTP_UNFOLLOWED);
	pgt_ctx_fini(&c);
}

static void test_gap_dropped(void **state)
{
	struct pgt_step st = {.name = "segment past a gap", .side = PG_SIDE_LAN,
			      .verdict = PG_VERDICT_DROP, .drop = PG_CNT_DROP_PPTP_OUT_OF_ORDER};
	uint8_t m[256];
	struct pgt_ctx c;
	uint16_t n;

	(void)state;
	assert_int_equal(pgt_ctx_init(&c, NULL), 0);
	handshake(&c, H10, 40000);
	n = pgt_pptp_msg(m, OCRQ, 0x0100, 1, 0);
	st.in = tcp(H10, 40000, S1, 1723, PA, 1001 + 20, 5001, 64);
	st.in.payload = m + 20;
	st.in.paylen = (uint16_t)(n - 20);
	run(&c, &st);
	/* The gap filled, in order: translated as usual. */
	seg_out(&c, H10, 40000, 1001, m, n, NULL);
	pgt_ctx_fini(&c);
}

static void test_disconnect_ends_call(void **state)
{
	uint8_t m[256], want[256];
	struct pgt_ctx c;
	uint16_t n;

	(void)state;
	assert_int_equal(pgt_ctx_init(&c, NULL), 0);
	two_calls(&c);
	/* The second client clears its call: its own id becomes the public one. */
	n = pgt_pptp_msg(m, CCRQ, 0x0100, 0, 0);
	pgt_pptp_msg(want, CCRQ, 0x0101, 0, 0);
	seg_out(&c, H11, 40001, 1001 + pgt_pptp_len(OCRQ), m, n, want);
	n = pgt_pptp_msg(m, CDN, 0x0000, 0, 3);
	seg_in(&c, H11, 40001, 5001 + pgt_pptp_len(OCRP), m, n, NULL);
	assert_int_equal(counter(&c, PG_CNT_PPTP_CALLS_CLEARED), 1);
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0101, NULL, NULL, 0, PG_VERDICT_DROP,
	    PG_CNT_DROP_UNSOLICITED);
	/* The first call goes on. */
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0100, S1, H10, 0x0100, PG_VERDICT_TO_LAN, 0);
	pgt_ctx_fini(&c);
}

static void test_call_id_zero(void **state)
{
	uint8_t m[256], want[256];
	struct pgt_ctx c;
	uint16_t n;

	(void)state;
	assert_int_equal(pgt_ctx_init(&c, NULL), 0);
	handshake(&c, H10, 40000);
	handshake(&c, H11, 40001);
	n = pgt_pptp_msg(m, OCRQ, 0, 1, 0);
	seg_out(&c, H10, 40000, 1001, m, n, NULL);
	pgt_pptp_msg(want, OCRQ, 1, 1, 0);
	seg_out(&c, H11, 40001, 1001, m, n, want);
	n = pgt_pptp_msg(m, OCRP, 0x0200, 0, 1);
	seg_in(&c, H10, 40000, 5001, m, n, NULL);
	n = pgt_pptp_msg(m, OCRP, 0x0201, 1, 1);
	pgt_pptp_msg(want, OCRP, 0x0201, 0, 1);
	seg_in(&c, H11, 40001, 5001, m, n, want);
	gre(&c, PG_SIDE_WAN, S1, WANA, 0, S1, H10, 0, PG_VERDICT_TO_LAN, 0);
	gre(&c, PG_SIDE_WAN, S1, WANA, 1, S1, H11, 0, PG_VERDICT_TO_LAN, 0);
	pgt_ctx_fini(&c);
}

static void pptp_off(struct pg_engine_config *cfg)
{
	cfg->pptp_passthrough = false;
}

static void test_passthrough_off(void **state)
{
	uint8_t m[256];
	struct pgt_ctx c;
	uint16_t n;

	(void)state;
	assert_int_equal(pgt_ctx_init(&c, pptp_off), 0);
	handshake(&c, H10, 40000);
	n = pgt_pptp_msg(m, OCRQ, 0x0100, 1, 0);
	seg_out(&c, H10, 40000, 1001, m, n, NULL);
	assert_int_equal(counter(&c, PG_CNT_PPTP_SESSIONS), 0);
	gre(&c, PG_SIDE_LAN, H10, S1, 0x0080, NULL, NULL, 0, PG_VERDICT_DROP,
	    PG_CNT_DROP_PASSTHROUGH_OFF);
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0100, NULL, NULL, 0, PG_VERDICT_DROP,
	    PG_CNT_DROP_PASSTHROUGH_OFF);
	pgt_ctx_fini(&c);
}

/* The control connection's end takes its calls' GRE flows with it. */
static void test_control_end_frees_calls(void **state)
{
	struct pgt_step rst = {.name = "RST", .side = PG_SIDE_LAN, .verdict = PG_VERDICT_TO_WAN};
	struct pgt_ctx c;
	uint32_t flows;

	(void)state;
	assert_int_equal(pgt_ctx_init(&c, NULL), 0);
	two_calls(&c);
	flows = pg_engine_flow_count(c.e);
	assert_int_equal(flows, 4); /* two control connections, two calls */
	rst.in = tcp(H10, 40000, S1, 1723, PGT_RST, 1001 + 168, 0, 64);
	rst.out = tcp(WANA, 40000, S1, 1723, PGT_RST, 1001 + 168, 0, 63);
	run(&c, &rst);
	/* A RST may be stray (RFC 7857 2.2): the call goes on meanwhile. */
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0100, S1, H10, 0x0100, PG_VERDICT_TO_LAN, 0);
	/* The RST'd connection lasts the transitory timeout, then goes with its call. */
	now_t = 241;
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0100, NULL, NULL, 0, PG_VERDICT_DROP,
	    PG_CNT_DROP_UNSOLICITED);
	assert_int_equal(pg_engine_flow_count(c.e), 2);
	assert_int_equal(counter(&c, PG_CNT_FLOW_EXPIRED), 1);
	gre(&c, PG_SIDE_WAN, S1, WANA, 0x0101, S1, H11, 0x0100, PG_VERDICT_TO_LAN, 0);
	now_t = 0;
	pgt_ctx_fini(&c);
}

/* A PPTP server inside (forwarded 1723), two outside clients with equal call ids. */
/* The GRE flow lives exactly one second longer than an idle control connection. */
static void gre_outlives_control(struct pg_engine_config *cfg)
{
	cfg->timeouts.tcp_established = 7440;
	cfg->timeouts.gre = 7441;
}

/*
 * The control connection expires while its call's GRE flow sits right after
 * it on the same second of the expiry wheel: ending the connection ends the
 * call and frees the GRE flow, and expiry must not then visit that free
 * entry (it freed it a second time: the host pool's free list broke and a
 * later flow crashed the engine; found by fuzz_xdp_fast).
 */
static void test_control_expires_before_its_gre(void **state)
{
	uint8_t m[256];
	struct pgt_ctx c;
	uint16_t n;

	(void)state;
	assert_int_equal(pgt_ctx_init(&c, gre_outlives_control), 0);
	now_t = 0;
	handshake(&c, H10, 40000);
	n = pgt_pptp_msg(m, OCRQ, 0x0100, 1, 0);
	seg_out(&c, H10, 40000, 1001, m, n, NULL); /* the GRE flow: due at 0 + 7441 */
	now_t = 1;
	n = pgt_pptp_msg(m, OCRP, 0x0080, 0x0100, 1);
	seg_in(&c, H10, 40000, 5001, m, n, NULL); /* the connection: due at 1 + 7440 */
	/* Expiry finds the connection in its first slot and puts it before the GRE flow. */
	pg_engine_tick(c.e, c.t0_ms + 300 * 1000);
	now_t = 300;
	gre(&c, PG_SIDE_LAN, H10, S1, 0x0080, WANA, S1, 0x0080, PG_VERDICT_TO_WAN, 0);
	assert_int_equal(pg_engine_flow_count(c.e), 2);
	pg_engine_tick(c.e, c.t0_ms + 7442 * 1000);
	assert_int_equal(pg_engine_flow_count(c.e), 0);
	assert_int_equal(counter(&c, PG_CNT_FLOW_EXPIRED), 1);
	/* Flows come and go as before: the pools are whole. */
	now_t = 7443;
	handshake(&c, H11, 40001);
	handshake(&c, PGT_H12, 40002);
	assert_int_equal(pg_engine_flow_count(c.e), 2);
	pg_engine_tick(c.e, c.t0_ms + 30000ull * 1000);
	assert_int_equal(pg_engine_flow_count(c.e), 0);
	pgt_ctx_fini(&c);
}

static void server_inside(struct pg_engine_config *cfg)
{
	struct pg_port_forward *r = &cfg->forwards[cfg->nforwards++];

	r->proto = PGT_P_TCP;
	r->wan_lo = r->wan_hi = r->lan_lo = r->lan_hi = 1723;
	r->host = htonl(pgt_addr(PGT_H12));
}

static void inbound_conn(struct pgt_ctx *c, const char *client, uint16_t pac)
{
	struct pgt_step st = {.name = "inbound control", .side = PG_SIDE_WAN,
			      .verdict = PG_VERDICT_TO_LAN};
	uint8_t m[256];
	uint16_t n;

	st.in = tcp(client, 50000, WANA, 1723, PGT_SYN, 1000, 0, 64);
	st.out = tcp(client, 50000, PGT_H12, 1723, PGT_SYN, 1000, 0, 63);
	run(c, &st);
	st.side = PG_SIDE_LAN;
	st.verdict = PG_VERDICT_TO_WAN;
	st.in = tcp(PGT_H12, 1723, client, 50000, PGT_SYN | PGT_ACK, 5000, 1001, 64);
	st.out = tcp(WANA, 1723, client, 50000, PGT_SYN | PGT_ACK, 5000, 1001, 63);
	run(c, &st);
	n = pgt_pptp_msg(m, OCRQ, 5, 1, 0); /* both clients use call id 5 */
	st.side = PG_SIDE_WAN;
	st.verdict = PG_VERDICT_TO_LAN;
	st.in = tcp(client, 50000, WANA, 1723, PA, 1001, 5001, 64);
	st.in.payload = m;
	st.in.paylen = n;
	st.out = tcp(client, 50000, PGT_H12, 1723, PA, 1001, 5001, 63);
	st.out.payload = m;
	st.out.paylen = n;
	run(c, &st);
	n = pgt_pptp_msg(m, OCRP, pac, 5, 1);
	st.side = PG_SIDE_LAN;
	st.verdict = PG_VERDICT_TO_WAN;
	st.in = tcp(PGT_H12, 1723, client, 50000, PA, 5001, 1001 + 168, 64);
	st.in.payload = m;
	st.in.paylen = n;
	st.out = tcp(WANA, 1723, client, 50000, PA, 5001, 1001 + 168, 63);
	st.out.payload = m;
	st.out.paylen = n;
	run(c, &st);
}

static void test_server_inside(void **state)
{
	struct pgt_ctx c;

	(void)state;
	assert_int_equal(pgt_ctx_init(&c, server_inside), 0);
	inbound_conn(&c, S1, 100);
	inbound_conn(&c, PGT_S2, 101);
	assert_int_equal(counter(&c, PG_CNT_PPTP_CALLS), 2);
	/* Each client's GRE carries the server's call id for it. */
	gre(&c, PG_SIDE_WAN, S1, WANA, 100, S1, PGT_H12, 100, PG_VERDICT_TO_LAN, 0);
	gre(&c, PG_SIDE_WAN, PGT_S2, WANA, 101, PGT_S2, PGT_H12, 101, PG_VERDICT_TO_LAN, 0);
	/* The server's GRE to each carries that client's id: 5 both times. */
	gre(&c, PG_SIDE_LAN, PGT_H12, S1, 5, WANA, S1, 5, PG_VERDICT_TO_WAN, 0);
	gre(&c, PG_SIDE_LAN, PGT_H12, PGT_S2, 5, WANA, PGT_S2, 5, PG_VERDICT_TO_WAN, 0);
	/* No forward for GRE: a call id nobody announced stays out. */
	gre(&c, PG_SIDE_WAN, S1, WANA, 102, NULL, NULL, 0, PG_VERDICT_DROP,
	    PG_CNT_DROP_UNSOLICITED);
	pgt_ctx_fini(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_clients_one_server),
		cmocka_unit_test(test_split_and_retransmitted),
		cmocka_unit_test(test_invalid_stream_stops_helper),
		cmocka_unit_test(test_wrong_role_and_length),
		cmocka_unit_test(test_gap_dropped),
		cmocka_unit_test(test_disconnect_ends_call),
		cmocka_unit_test(test_call_id_zero),
		cmocka_unit_test(test_passthrough_off),
		cmocka_unit_test(test_control_end_frees_calls),
		cmocka_unit_test(test_server_inside),
		cmocka_unit_test(test_control_expires_before_its_gre),
		cmocka_unit_test(test_gre_waits_for_connected_reply),
		cmocka_unit_test(test_incoming_call),
		cmocka_unit_test(test_incoming_call_declined),
		cmocka_unit_test(test_stop_control_connection),
		cmocka_unit_test(test_call_table_full),
		cmocka_unit_test(test_call_ids_exhausted),
		cmocka_unit_test(test_sessions_full),
		cmocka_unit_test(test_server_reuses_call_id),
		cmocka_unit_test(test_fin_ends_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
