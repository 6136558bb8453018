/* SPDX-License-Identifier: MIT */
/*
 * sync_mix.h - a mix of every kind of flow the engine keeps, driven through
 * engine A, and the differential check that engine B (which got A's state
 * some way) treats the same packets and their continuations byte for byte
 * as A does. Included by test_sync.c and test_sync_session.c.
 */
#ifndef PGT_SYNC_MIX_H
#define PGT_SYNC_MIX_H

#include "../lib/fixture.h"
#include "engine/sync.h"

#define T0 5000000ULL /* ms: well past every timeout, as a daemon's clock would be */
#define MAXPKT 512
#define BUFSZ (256 * 1024)

static struct pgt_pkt sent[MAXPKT]; /* every packet given to A, as given */
static unsigned int nsent;
static uint64_t now_ms;

static inline void build(struct pgt_pkt *p, const struct pgt_spec *s, enum pg_side side)
{
	memset(p, 0, sizeof(*p));
	p->len = pgt_build(s, NULL, p->buf, sizeof(p->buf), NULL);
	p->side = (uint8_t)side;
	assert_true(p->len > 0);
}

/* Run p through e alone; returns the result. */
static inline struct pgt_pkt *run1(struct pg_engine *e, const struct pgt_pkt *p)
{
	static struct pgt_pkt r;
	char err[256];

	r = *p;
	if (pgt_run(e, &r, 1, now_ms, err, sizeof(err)))
		fail_msg("%s", err);
	return &r;
}

/* Give A a packet (kept for the replay); A must forward it. */
static inline struct pgt_pkt *drive(struct pg_engine *a, const struct pgt_spec *s,
				    enum pg_side side)
{
	struct pgt_pkt *r;
	char d[160];

	assert_true(nsent < MAXPKT);
	build(&sent[nsent], s, side);
	r = run1(a, &sent[nsent]);
	nsent++;
	if (r->verdict == PG_VERDICT_DROP) {
		pgt_describe(sent[nsent - 1].buf, sent[nsent - 1].len, d, sizeof(d));
		fail_msg("A dropped %s: %s", d, pgt_counter(r->drop_reason));
	}
	return r;
}

/* The server's answer to a translated outbound packet (addresses and ports swapped). */
static inline struct pgt_spec answer_of(const struct pgt_pkt *out, uint8_t flags, uint32_t seq,
					uint32_t ack)
{
	const uint8_t *l4 = pgt_l4(out->buf);
	static char src[4][20], dst[4][20];
	static unsigned int k;
	struct pgt_spec s = { .proto = pgt_ip_proto(out->buf), .paylen = 20 };

	k = (k + 1) % 4;
	snprintf(src[k], sizeof(src[k]), "%s", pgt_dotted(pgt_ip_dst(out->buf)));
	snprintf(dst[k], sizeof(dst[k]), "%s", pgt_dotted(pgt_ip_src(out->buf)));
	s.src = src[k];
	s.dst = dst[k];
	s.sport = pgt_get16(l4 + 2);
	s.dport = pgt_get16(l4);
	s.tcp_flags = flags;
	s.seq = seq;
	s.ack = ack;
	if (s.proto == PGT_P_ICMP) {
		s.icmp_type = 0;
		s.icmp_id = pgt_get16(l4 + 4);
		s.icmp_seq = pgt_get16(l4 + 6);
	}
	return s;
}

static inline const char *host(unsigned int i)
{
	return pgt_dotted(pgt_addr("192.168.1.10") + i);
}

static inline const char *server(unsigned int i)
{
	return pgt_dotted(pgt_addr("203.0.113.1") + i);
}

/* ---- PPTP ------------------------------------------------------------------- */

enum { OCRQ = 7, OCRP = 8, ECHORQ = 5, CCRQ = 12 };

static inline struct pgt_spec tcp(const char *s, uint32_t sp, const char *d, uint32_t dp,
				  uint8_t fl, uint32_t seq, uint32_t ack)
{
	struct pgt_spec x = { .proto = PGT_P_TCP,
			      .src = s,
			      .sport = sp,
			      .dst = d,
			      .dport = dp,
			      .tcp_flags = fl,
			      .seq = seq,
			      .ack = ack };

	return x;
}

/* Client h:port opens a control connection to S1 and makes a call with id cid. */
static inline void pptp_call(struct pg_engine *a, unsigned int h, uint32_t port, uint16_t cid,
			     uint16_t pac_cid)
{
	static uint8_t m[4][256];
	static unsigned int k;
	struct pgt_spec s;
	struct pgt_pkt *r;
	uint16_t n, pub;

	k = (k + 1) % 4;
	s = tcp(host(h), port, server(0), 1723, PGT_SYN, 1000, 0);
	drive(a, &s, PG_SIDE_LAN);
	s = tcp(server(0), 1723, PGT_WAN_ADDR, port, PGT_SYN | PGT_ACK, 5000, 1001);
	drive(a, &s, PG_SIDE_WAN);
	s = tcp(host(h), port, server(0), 1723, PGT_ACK, 1001, 5001);
	drive(a, &s, PG_SIDE_LAN);
	n = pgt_pptp_msg(m[k], OCRQ, cid, 1, 0);
	s = tcp(host(h), port, server(0), 1723, PGT_PSH | PGT_ACK, 1001, 5001);
	s.payload = m[k];
	s.paylen = n;
	r = drive(a, &s, PG_SIDE_LAN);
	pub = pgt_get16(pgt_l4(r->buf) + 20 + 12); /* the public call id A chose */
	k = (k + 1) % 4;
	n = pgt_pptp_msg(m[k], OCRP, pac_cid, pub, 1);
	s = tcp(server(0), 1723, PGT_WAN_ADDR, port, PGT_PSH | PGT_ACK, 5001, 1169);
	s.payload = m[k];
	s.paylen = n;
	drive(a, &s, PG_SIDE_WAN);
	/* GRE both ways: the client's keyed by the server's id, the server's by ours. */
	s = (struct pgt_spec){ .proto = PGT_P_GRE,
			       .src = host(h),
			       .dst = server(0),
			       .gre_ver = 1,
			       .call_id = pac_cid,
			       .gre_seq = true,
			       .gre_seqno = 7,
			       .paylen = 40 };
	drive(a, &s, PG_SIDE_LAN);
	s = (struct pgt_spec){ .proto = PGT_P_GRE,
			       .src = server(0),
			       .dst = PGT_WAN_ADDR,
			       .gre_ver = 1,
			       .call_id = pub,
			       .gre_seq = true,
			       .gre_seqno = 9,
			       .paylen = 40 };
	drive(a, &s, PG_SIDE_WAN);
}

/* ---- the traffic ------------------------------------------------------------------ */

/* Every kind of flow the engine keeps, from a dozen hosts, driven through a. */
static inline void traffic(struct pg_engine *a)
{
	struct pgt_spec s;
	struct pgt_pkt *r;

	for (unsigned int h = 0; h < 6; h++) {
		/* WireGuard: every host from 51820 (ports collide: mappings differ) */
		s = (struct pgt_spec){ .proto = PGT_P_UDP,
				       .src = host(h),
				       .sport = 51820,
				       .dst = server(h % 3),
				       .dport = 51820,
				       .paylen = 32 };
		r = drive(a, &s, PG_SIDE_LAN);
		s = answer_of(r, 0, 0, 0);
		drive(a, &s, PG_SIDE_WAN);
		/* OpenVPN over TCP, established, with data */
		s = tcp(host(h), 40000 + h, server(1), 1194, PGT_SYN, 100, 0);
		r = drive(a, &s, PG_SIDE_LAN);
		s = answer_of(r, PGT_SYN | PGT_ACK, 7000, 101);
		s.paylen = 0;
		drive(a, &s, PG_SIDE_WAN);
		s = tcp(host(h), 40000 + h, server(1), 1194, PGT_ACK | PGT_PSH, 101, 7001);
		s.paylen = 100;
		drive(a, &s, PG_SIDE_LAN);
		/* NAT-T: IKE behind the non-ESP marker, then ESP in UDP */
		s = (struct pgt_spec){ .proto = PGT_P_UDP,
				       .src = host(h),
				       .sport = 4500,
				       .dst = server(2),
				       .dport = 4500,
				       .paylen = 64 };
		r = drive(a, &s, PG_SIDE_LAN);
		s = answer_of(r, 0, 0, 0);
		drive(a, &s, PG_SIDE_WAN);
		/* IKE on 500 */
		s = (struct pgt_spec){ .proto = PGT_P_UDP,
				       .src = host(h),
				       .sport = 500,
				       .dst = server(3),
				       .dport = 500,
				       .paylen = 40 };
		r = drive(a, &s, PG_SIDE_LAN);
		s = answer_of(r, 0, 0, 0);
		drive(a, &s, PG_SIDE_WAN);
		/* ping */
		s = (struct pgt_spec){ .proto = PGT_P_ICMP,
				       .src = host(h),
				       .dst = server(4),
				       .icmp_type = 8,
				       .icmp_id = 77,
				       .icmp_seq = 1,
				       .paylen = 16 };
		r = drive(a, &s, PG_SIDE_LAN);
		s = answer_of(r, 0, 0, 0);
		drive(a, &s, PG_SIDE_WAN);
	}
	/* A TCP connection still opening, and one a LAN host reset. */
	s = tcp(host(7), 45000, server(5), 443, PGT_SYN, 1, 0);
	drive(a, &s, PG_SIDE_LAN);
	s = tcp(host(8), 45001, server(5), 443, PGT_SYN, 1, 0);
	r = drive(a, &s, PG_SIDE_LAN);
	s = answer_of(r, PGT_RST | PGT_ACK, 0, 2);
	s.paylen = 0;
	drive(a, &s, PG_SIDE_WAN);
	/* Raw ESP: one SA learnt both ways, one still waiting for its inbound SPI. */
	s = (struct pgt_spec){ .proto = PGT_P_ESP,
			       .src = host(9),
			       .dst = server(6),
			       .spi = 0x1000,
			       .esp_seq = 1,
			       .paylen = 48 };
	drive(a, &s, PG_SIDE_LAN);
	s = (struct pgt_spec){ .proto = PGT_P_ESP,
			       .src = server(6),
			       .dst = PGT_WAN_ADDR,
			       .spi = 0x2000,
			       .esp_seq = 1,
			       .paylen = 48 };
	drive(a, &s, PG_SIDE_WAN);
	s = (struct pgt_spec){ .proto = PGT_P_ESP,
			       .src = host(10),
			       .dst = server(7),
			       .spi = 0x3000,
			       .esp_seq = 1,
			       .paylen = 48 };
	drive(a, &s, PG_SIDE_LAN);
	/* PPTP: two clients, the same call id, one server. */
	pptp_call(a, 11, 41000, 0x0100, 0x0080);
	pptp_call(a, 12, 41001, 0x0100, 0x0000);
}

/* Packets that continue each conversation after the transfer. */
static inline unsigned int continuation(struct pgt_pkt *p)
{
	static uint8_t m[2][64];
	struct pgt_spec s;
	unsigned int n = 0;
	uint16_t len;

	/* PPTP: an echo, then the second client clears its call (id rewritten). */
	len = pgt_pptp_msg(m[0], ECHORQ, 0, 0, 0);
	s = tcp(host(12), 41001, server(0), 1723, PGT_PSH | PGT_ACK, 1169, 5033);
	s.payload = m[0];
	s.paylen = len;
	build(&p[n++], &s, PG_SIDE_LAN);
	len = pgt_pptp_msg(m[1], CCRQ, 0x0100, 0, 0);
	s.seq = 1169 + 16;
	s.payload = m[1];
	s.paylen = len;
	build(&p[n++], &s, PG_SIDE_LAN);
	/* The waiting ESP SA's server answers: learnt on either engine alike. */
	s = (struct pgt_spec){ .proto = PGT_P_ESP,
			       .src = server(7),
			       .dst = PGT_WAN_ADDR,
			       .spi = 0x4000,
			       .esp_seq = 2,
			       .paylen = 48 };
	build(&p[n++], &s, PG_SIDE_WAN);
	/* A stranger's packet to a WireGuard client's public port: filtered on both. */
	s = (struct pgt_spec){ .proto = PGT_P_UDP,
			       .src = "192.0.2.99",
			       .sport = 51820,
			       .dst = PGT_WAN_ADDR,
			       .dport = 51820,
			       .paylen = 8 };
	build(&p[n++], &s, PG_SIDE_WAN);
	/* A new flow after the transfer: same port choice on both. */
	s = (struct pgt_spec){ .proto = PGT_P_UDP,
			       .src = host(3),
			       .sport = 51820,
			       .dst = server(9),
			       .dport = 9,
			       .paylen = 8 };
	build(&p[n++], &s, PG_SIDE_LAN);
	return n;
}

/* p through a and through b: the same verdict, reason and bytes. */
static inline void same(struct pg_engine *a, struct pg_engine *b, const struct pgt_pkt *p,
			const char *what, unsigned int i)
{
	struct pgt_pkt ra = *run1(a, p), rb = *run1(b, p);
	char d[160], diff[256];

	pgt_describe(p->buf, p->len, d, sizeof(d));
	if (ra.verdict != rb.verdict || ra.drop_reason != rb.drop_reason)
		fail_msg("%s %u (%s): A %s/%s, B %s/%s", what, i, d, pgt_verdict_name(ra.verdict),
			 pgt_counter(ra.drop_reason), pgt_verdict_name(rb.verdict),
			 pgt_counter(rb.drop_reason));
	if (pgt_diff(rb.buf, rb.len, ra.buf, ra.len, diff, sizeof(diff)))
		fail_msg("%s %u (%s): B differs from A: %s", what, i, d, diff);
}

static inline void replay_alike(struct pg_engine *a, struct pg_engine *b)
{
	struct pgt_pkt more[16];
	unsigned int n;

	for (unsigned int i = 0; i < nsent; i++)
		same(a, b, &sent[i], "replayed packet", i);
	n = continuation(more);
	for (unsigned int i = 0; i < n; i++)
		same(a, b, &more[i], "next packet", i);
	assert_int_equal(pg_engine_flow_count(a), pg_engine_flow_count(b));
}

static uint8_t *xfer;

/* A's whole table into b, through a buffer of cap bytes at a time. */
static inline void bulk(struct pg_engine *a, struct pg_engine *b, size_t cap,
			struct pg_sync_import_stats *st)
{
	uint32_t cursor = 0;

	while (!pg_sync_walk_done(a, cursor)) {
		size_t n = pg_sync_export_walk(a, &cursor, now_ms, xfer, cap);

		assert_int_equal(pg_sync_import(b, xfer, n, now_ms, 0, st), 0);
	}
}

static inline int setup(void **state)
{
	(void)state;
	nsent = 0;
	now_ms = T0;
	xfer = malloc(BUFSZ);
	return xfer ? 0 : -1;
}

static inline int teardown(void **state)
{
	(void)state;
	free(xfer);
	return 0;
}

#endif /* PGT_SYNC_MIX_H */
