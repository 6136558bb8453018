/* SPDX-License-Identifier: MIT */
/*
 * fuzz_pptp.c - libFuzzer target for the PPTP helper's control-stream parser
 * and the call-id translation of enhanced GRE, reached through the engine.
 *
 * One engine serves every input; each input starts three hours after the
 * last (pg_engine_tick() expires everything the previous one left, so inputs
 * do not depend on each other) with a completed TCP handshake from LAN host
 * 192.168.1.10 to 203.0.113.1:1723; then the input is a list of records:
 *
 *   [kind][len][len bytes]
 *   kind bits 0-1: 0 client TCP payload, 1 server TCP payload,
 *                  2 client GRE (first 2 bytes: call id), 3 server GRE
 *   kind bit 2:    resend the previous segment of that direction (retransmit)
 *   kind bit 3:    send this segment 1000 bytes ahead (a gap)
 *   kind bit 4:    FIN with this segment; bit 5: RST instead of data
 *
 * TCP segments carry correct sequence numbers and checksums, so the helper,
 * not the TCP checks, decides what happens. Invariants: every verdict is valid
 * and in the right direction; a forwarded segment keeps its length, sequence
 * and ack numbers and has every checksum right; forwarded GRE is well formed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

#define CLIENT_PORT 40001

struct dirstate {
	uint32_t seq;	   /* next sequence number to send */
	uint8_t last[256]; /* previous payload, for retransmits */
	uint16_t last_len;
	uint32_t last_seq;
};

static void fail(const char *what, const uint8_t *pkt, uint32_t len)
{
	char d[200];

	pgt_describe(pkt, len, d, sizeof(d));
	fprintf(stderr, "fuzz_pptp: invariant broken: %s (%s)\n", what, d);
	abort();
}

/* Run one built packet; returns its verdict and leaves the output in p. */
static uint8_t run1(struct pg_engine *e, struct pgt_pkt *p, uint64_t now)
{
	char err[256];

	if (pgt_run(e, p, 1, now, err, sizeof(err))) {
		fprintf(stderr, "fuzz_pptp: %s\n", err);
		abort();
	}
	return p->verdict;
}

static void check_forwarded(const struct pgt_pkt *in, const struct pgt_pkt *out, uint8_t side)
{
	char why[200];

	if (out->verdict == PG_VERDICT_DROP)
		return;
	if (out->verdict != (side == PG_SIDE_LAN ? PG_VERDICT_TO_WAN : PG_VERDICT_TO_LAN))
		fail("verdict in the wrong direction", out->buf, out->len);
	if (!pgt_check(out->buf, out->len, why, sizeof(why))) {
		fprintf(stderr, "fuzz_pptp: %s\n", why);
		fail("forwarded packet fails verification", out->buf, out->len);
	}
	if (out->len != in->len)
		fail("length changed", out->buf, out->len);
	if (in->buf[9] == PGT_P_TCP && memcmp(in->buf + 24, out->buf + 24, 8) != 0)
		fail("sequence or ack number changed", out->buf, out->len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pg_engine *e;
	static uint64_t now = 5000;
	struct pgt_pkt *in = malloc(sizeof(*in)), *out = malloc(sizeof(*out));
	struct dirstate d[2] = { { .seq = 1000 }, { .seq = 5000 } };
	uint16_t pub_port;
	size_t off = 0;

	if (!in || !out)
		abort();
	if (!e) {
		struct pg_engine_config cfg;

		pgt_config(&cfg);
		cfg.max_flows = 1024;
		e = pgt_engine_new(&cfg);
		if (!e)
			abort();
	}
	/* Longer than any timeout: nothing of the previous input survives. */
	now += 3 * 3600 * 1000;
	pg_engine_tick(e, now);
	if (pg_engine_flow_count(e) != 0)
		fail("flows survived every timeout", NULL, 0);

	{
		const struct pgt_spec syn =
		    PGT_TCP(PGT_H10, CLIENT_PORT, PGT_S1, 1723, PGT_SYN, 999, 0);
		struct pgt_spec synack =
		    PGT_TCP(PGT_S1, 1723, PGT_WAN_ADDR, 0, PGT_SYN | PGT_ACK, 4999, 1000);
		const struct pgt_spec ack =
		    PGT_TCP(PGT_H10, CLIENT_PORT, PGT_S1, 1723, PGT_ACK, 1000, 5000);

		memset(in, 0, sizeof(*in));
		in->len = pgt_build(&syn, NULL, in->buf, PGT_BUF, NULL);
		in->side = PG_SIDE_LAN;
		if (run1(e, in, now) != PG_VERDICT_TO_WAN)
			abort();
		pub_port = pgt_get16(in->buf + 20);
		synack.dport = pub_port;
		memset(in, 0, sizeof(*in));
		in->len = pgt_build(&synack, NULL, in->buf, PGT_BUF, NULL);
		in->side = PG_SIDE_WAN;
		if (run1(e, in, now) != PG_VERDICT_TO_LAN)
			abort();
		memset(in, 0, sizeof(*in));
		in->len = pgt_build(&ack, NULL, in->buf, PGT_BUF, NULL);
		in->side = PG_SIDE_LAN;
		if (run1(e, in, now) != PG_VERDICT_TO_WAN)
			abort();
	}

	while (off + 2 <= size) {
		uint8_t kind = data[off], len = data[off + 1];
		int dir = kind & 1; /* 0 client, 1 server */
		struct dirstate *me = &d[dir], *peer = &d[!dir];
		struct pgt_spec s;

		off += 2;
		if (len > size - off)
			len = (uint8_t)(size - off);
		memset(&s, 0, sizeof(s));
		if (kind & 2) {
			/* Enhanced GRE, call id from the data. */
			s.proto = PGT_P_GRE;
			s.gre_ver = 1;
			s.call_id = len >= 2 ? (uint32_t)(data[off] << 8 | data[off + 1]) : 0;
			s.gre_seq = true;
			s.gre_seqno = (uint32_t)off;
			s.paylen = len;
			s.payload = data + off;
		} else {
			s.proto = PGT_P_TCP;
			s.tcp_flags = kind & 0x20 ? PGT_RST | PGT_ACK
						  : PGT_ACK | PGT_PSH | (kind & 0x10 ? PGT_FIN : 0);
			s.ack = peer->seq;
			if (kind & 4) {
				s.seq = me->last_seq;
				s.paylen = me->last_len;
				s.payload = me->last;
			} else {
				s.seq = me->seq + (kind & 8 ? 1000 : 0);
				s.paylen = kind & 0x20 ? 0 : len;
				s.payload = data + off;
			}
		}
		if (dir == 0) {
			s.src = PGT_H10;
			s.dst = PGT_S1;
			if (s.proto == PGT_P_TCP) {
				s.sport = CLIENT_PORT;
				s.dport = 1723;
			}
		} else {
			s.src = PGT_S1;
			s.dst = PGT_WAN_ADDR;
			if (s.proto == PGT_P_TCP) {
				s.sport = 1723;
				s.dport = pub_port;
			}
		}
		memset(in, 0, offsetof(struct pgt_pkt, len));
		in->len = pgt_build(&s, NULL, in->buf, PGT_BUF, NULL);
		if (!in->len)
			abort();
		in->side = dir ? PG_SIDE_WAN : PG_SIDE_LAN;
		*out = *in;
		now += 10;
		run1(e, out, now);
		check_forwarded(in, out, in->side);
		if (s.proto == PGT_P_TCP && !(kind & 0x2c) && out->verdict != PG_VERDICT_DROP) {
			/* Delivered in order: the stream moves on. */
			memcpy(me->last, data + off, len);
			me->last_len = len;
			me->last_seq = me->seq;
			me->seq += len + (kind & 0x10 ? 1 : 0);
		}
		off += len;
	}
	free(in);
	free(out);
	return 0;
}
