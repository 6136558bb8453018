/* SPDX-License-Identifier: MIT */
/*
 * fuzz_seeds.c - write seed corpora for the fuzz targets, built from the test
 * library's packet builder so they start from well-formed traffic.
 *
 *   fuzz_seeds DIR     writes DIR/engine, DIR/parse, DIR/csum, DIR/pptp, DIR/parse6
 *
 * Formats are the ones the targets document at their top.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../lib/pktbuild6.h"
#include "../lib/scenario.h"

struct seed {
	uint8_t b[8192];
	size_t n;
};

static unsigned int written;

static void put(struct seed *s, const void *p, size_t n)
{
	if (s->n + n > sizeof(s->b)) {
		fprintf(stderr, "fuzz_seeds: seed too big\n");
		exit(1);
	}
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

static void put8(struct seed *s, uint8_t v)
{
	put(s, &v, 1);
}

static void save(const char *dir, const char *sub, const char *name, const struct seed *s)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "wb");
	if (!f || fwrite(s->b, 1, s->n, f) != s->n || fclose(f)) {
		fprintf(stderr, "fuzz_seeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	written++;
}

/* fuzz_engine record: flags (side, 32 bytes headroom), length, packet. */
static void engine_rec(struct seed *s, const struct pgt_spec *sp, uint8_t side)
{
	uint8_t pkt[PGT_BUF];
	uint32_t n = pgt_build(sp, NULL, pkt, sizeof(pkt), NULL);

	put8(s, (uint8_t)(0x40 | side));
	put8(s, (uint8_t)(n >> 8));
	put8(s, (uint8_t)n);
	put(s, pkt, n);
}

/* ISAKMP header: initiator SPI, zero responder SPI, SA payload next,
 * version 2.0, IKE_SA_INIT (34), initiator flag, length 28. */
static const uint8_t ike_sa_init[28] = {1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0,
				       33, 0x20, 34, 0x08, 0, 0, 0, 0, 0, 0, 0, 28};
static const uint8_t natt_ike[32] = {0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0,
				    0, 0, 0, 0, 33, 0x20, 34, 0x08, 0, 0, 0, 0, 0, 0, 0, 32};
static const uint8_t natt_esp[24] = {0xc0, 0, 0, 1, 0, 0, 0, 1, 0xaa, 0xbb};
static const uint8_t natt_keepalive[1] = {0xff};
/* L2TP control message header (T, L, S bits, version 2), length 12. */
static const uint8_t l2tp_sccrq[12] = {0xc8, 0x02, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0};

static void engine_seeds(const char *dir)
{
	static const uint8_t mss[] = {2, 4, 5, 0xb4};
	const struct pgt_spec singles[] = {
		PGT_UDP(PGT_H10, 5000, PGT_S1, 53, 20),
		PGT_UDP(PGT_S1, 53, PGT_WAN_ADDR, 5000, 20),
		PGT_TCP(PGT_H10, 40000, PGT_S1, 80, PGT_SYN, 1, 0),
		PGT_TCP(PGT_S1, 80, PGT_WAN_ADDR, 40000, PGT_SYN | PGT_ACK, 9, 2),
		PGT_ECHO(PGT_H10, PGT_S1, 8, 7, 1, 64),
		PGT_ECHO(PGT_S1, PGT_WAN_ADDR, 0, 7, 1, 64),
		PGT_ECHO(PGT_H10, PGT_LAN_ADDR, 8, 7, 1, 64),
		PGT_ECHO(PGT_S1, PGT_WAN_ADDR, 8, 7, 1, 64),
		PGT_UDP_TTL(PGT_H10, 5000, PGT_S1, 53, 200, 1),
		{.proto = PGT_P_GRE, .src = PGT_H10, .dst = PGT_S1, .gre_ver = 1, .call_id = 5,
		 .gre_seq = true, .paylen = 30},
		{.proto = PGT_P_GRE, .src = PGT_S1, .dst = PGT_WAN_ADDR, .gre_ver = 1,
		 .call_id = 5, .gre_ack = true},
		{.proto = PGT_P_ESP, .src = PGT_H10, .dst = PGT_S1, .spi = 0x100, .paylen = 40},
		{.proto = PGT_P_ESP, .src = PGT_S1, .dst = PGT_WAN_ADDR, .spi = 0x200,
		.paylen = 40},
		{.proto = PGT_P_TCP, .src = PGT_H10, .sport = 40000, .dst = PGT_S1, .dport = 443,
		 .tcp_flags = PGT_SYN, .tcp_opts = mss, .tcp_optlen = 4, .frag = PGT_IP_DF},
		{.proto = PGT_P_UDP, .src = PGT_H10, .sport = 500, .dst = PGT_S1, .dport = 500,
		 .paylen = 100, .frag = PGT_IP_MF},
		{.proto = 132, .src = PGT_H10, .dst = PGT_S1, .paylen = 12},
		/* IKE (an ISAKMP header), NAT-T with the non-ESP marker, ESP in UDP, a
		 * NAT-T keepalive, L2TP: the helpers' ports. */
		{.proto = PGT_P_UDP, .src = PGT_H10, .sport = 500, .dst = PGT_S1, .dport = 500,
		 .payload = ike_sa_init, .paylen = sizeof(ike_sa_init)},
		{.proto = PGT_P_UDP, .src = PGT_H10, .sport = 4500, .dst = PGT_S1, .dport = 4500,
		 .payload = natt_ike, .paylen = sizeof(natt_ike)},
		{.proto = PGT_P_UDP, .src = PGT_H10, .sport = 4500, .dst = PGT_S1, .dport = 4500,
		 .payload = natt_esp, .paylen = sizeof(natt_esp)},
		{.proto = PGT_P_UDP, .src = PGT_H10, .sport = 4500, .dst = PGT_S1, .dport = 4500,
		 .payload = natt_keepalive, .paylen = 1},
		{.proto = PGT_P_UDP, .src = PGT_H10, .sport = 1701, .dst = PGT_S1, .dport = 1701,
		 .payload = l2tp_sccrq, .paylen = sizeof(l2tp_sccrq)},
	};
	struct seed s;
	char name[32];
	size_t i;
	uint8_t side;

	for (i = 0; i < sizeof(singles) / sizeof(singles[0]); i++) {
		s.n = 0;
		put8(&s, (uint8_t)i);
		put8(&s, 0);
		side = strncmp(singles[i].src, "192.168.", 8) == 0 ? PG_SIDE_LAN : PG_SIDE_WAN;
		engine_rec(&s, &singles[i], side);
		snprintf(name, sizeof(name), "single-%02zu", i);
		save(dir, "engine", name, &s);
	}

	/* A whole TCP session in one batch, then one with a long pause first. */
	s.n = 0;
	put8(&s, 1);
	put8(&s, 0);
	{
		const struct pgt_spec conv[] = {
			PGT_TCP(PGT_H10, 41000, PGT_S1, 80, PGT_SYN, 100, 0),
			PGT_TCP(PGT_S1, 80, PGT_WAN_ADDR, 41000, PGT_SYN | PGT_ACK, 500, 101),
			PGT_TCP(PGT_H10, 41000, PGT_S1, 80, PGT_ACK, 101, 501),
			PGT_TCP(PGT_H10, 41000, PGT_S1, 80, PGT_FIN | PGT_ACK, 101, 501),
			PGT_TCP(PGT_S1, 80, PGT_WAN_ADDR, 41000, PGT_FIN | PGT_ACK, 501, 102),
			PGT_TCP(PGT_H10, 41000, PGT_S1, 80, PGT_ACK, 102, 502),
		};

		for (i = 0; i < sizeof(conv) / sizeof(conv[0]); i++)
			engine_rec(&s, &conv[i], i == 1 || i == 4 ? PG_SIDE_WAN : PG_SIDE_LAN);
	}
	save(dir, "engine", "tcp-session", &s);
	s.b[0] = 0xff; /* long time step: timeouts */
	s.b[1] = 3;    /* other filtering mode, tick first */
	save(dir, "engine", "tcp-session-late", &s);

	/* Two hosts, one port; replies from a second server. */
	s.n = 0;
	put8(&s, 2);
	put8(&s, 0);
	{
		const struct pgt_spec conv[] = {
			PGT_UDP(PGT_H10, 5000, PGT_S1, 53, 8),
			PGT_UDP(PGT_H11, 5000, PGT_S1, 53, 8),
			PGT_UDP(PGT_S1, 53, PGT_WAN_ADDR, 5000, 8),
			PGT_UDP(PGT_S2, 53, PGT_WAN_ADDR, 5000, 8),
			PGT_ECHO(PGT_H10, PGT_S1, 8, 9, 1, 64),
			PGT_ECHO(PGT_H11, PGT_S1, 8, 9, 1, 64),
		};

		for (i = 0; i < sizeof(conv) / sizeof(conv[0]); i++)
			engine_rec(&s, &conv[i], i == 2 || i == 3 ? PG_SIDE_WAN : PG_SIDE_LAN);
	}
	save(dir, "engine", "udp-two-hosts", &s);

	/* An answer in two fragments, the later one first (held, then released). */
	s.n = 0;
	put8(&s, 3);
	put8(&s, 0);
	{
		const struct pgt_spec conv[] = {
			PGT_UDP(PGT_H10, 5000, PGT_S1, 53, 8),
			{.proto = PGT_P_UDP, .src = PGT_S1, .dst = PGT_WAN_ADDR, .ip_id = 9,
			 .frag = 1, .paylen = 40},
			{.proto = PGT_P_UDP, .src = PGT_S1, .sport = 53, .dst = PGT_WAN_ADDR,
			 .dport = 5000, .ip_id = 9, .frag = PGT_IP_MF, .paylen = 0},
		};

		for (i = 0; i < sizeof(conv) / sizeof(conv[0]); i++)
			engine_rec(&s, &conv[i], i ? PG_SIDE_WAN : PG_SIDE_LAN);
	}
	save(dir, "engine", "fragments-out-of-order", &s);
}

static void parse_seeds(const char *dir)
{
	static const uint8_t opts[] = {0x94, 0x04, 0, 0};
	const struct pgt_spec pk[] = {
		PGT_UDP(PGT_H10, 5000, PGT_S1, 53, 10),
		PGT_TCP(PGT_H10, 40000, PGT_S1, 80, PGT_SYN, 1, 0),
		PGT_ECHO(PGT_H10, PGT_S1, 8, 7, 1, 64),
		{.proto = PGT_P_GRE, .src = PGT_H10, .dst = PGT_S1, .gre_ver = 1, .call_id = 5,
		 .gre_seq = true, .gre_ack = true, .paylen = 4},
		{.proto = PGT_P_GRE, .src = PGT_H10, .dst = PGT_S1, .gre_key = true, .paylen = 4},
		{.proto = PGT_P_ESP, .src = PGT_H10, .dst = PGT_S1, .spi = 1, .paylen = 8},
		{.proto = PGT_P_UDP, .src = PGT_H10, .sport = 1, .dst = PGT_S1, .dport = 2,
		 .ip_opts = opts, .ip_optlen = 4, .frag = PGT_IP_MF},
	};
	struct seed s;
	char name[32];
	size_t i;
	uint8_t pkt[PGT_BUF];

	for (i = 0; i < sizeof(pk) / sizeof(pk[0]); i++) {
		uint32_t n = pgt_build(&pk[i], NULL, pkt, sizeof(pkt), NULL);

		s.n = 0;
		put8(&s, (uint8_t)(i & 1));
		put(&s, pkt, n);
		snprintf(name, sizeof(name), "pkt-%02zu", i);
		save(dir, "parse", name, &s);
	}
}

static void csum_seeds(const char *dir)
{
	struct seed s;
	uint8_t pkt[PGT_BUF];
	const struct pgt_spec sp = PGT_UDP(PGT_H10, 5000, PGT_S1, 53, 30);
	uint32_t n = pgt_build(&sp, NULL, pkt, sizeof(pkt), NULL);
	const uint8_t head[6] = {0, 6, 0xc6, 0x33, 0x64, 0x02};

	s.n = 0;
	put(&s, head, sizeof(head));
	put(&s, pkt, n);
	save(dir, "csum", "udp", &s);
	s.n = 0;
	put(&s, head, sizeof(head));
	memset(pkt, 0xff, 64);
	put(&s, pkt, 64);
	save(dir, "csum", "ones", &s);
}

/* PPTP control message: length, type 1, magic, control type, then fields. */
static void pptp_msg(struct seed *s, uint8_t kind, uint16_t ctrl, uint16_t len, uint16_t call,
		     uint16_t peer)
{
	uint8_t m[256];

	memset(m, 0, sizeof(m));
	pgt_put16(m, len);
	pgt_put16(m + 2, 1);
	pgt_put32(m + 4, 0x1a2b3c4d);
	pgt_put16(m + 8, ctrl);
	switch (ctrl) {
	case 1: /* Start-Control-Connection-Request */
	case 2: /* Start-Control-Connection-Reply */
		pgt_put16(m + 12, 0x0100);
		if (ctrl == 2)
			m[14] = 1;
		pgt_put32(m + 16, 3);
		pgt_put32(m + 20, 3);
		break;
	case 7: /* Outgoing-Call-Request: call id, serial */
		pgt_put16(m + 12, call);
		pgt_put16(m + 14, 1);
		pgt_put32(m + 16, 300);
		pgt_put32(m + 20, 100000000);
		pgt_put32(m + 24, 3);
		pgt_put32(m + 28, 3);
		pgt_put16(m + 32, 64);
		break;
	case 8: /* Outgoing-Call-Reply: call id, peer's call id, result */
	case 15: /* Set-Link-Info: peer's call id */
		pgt_put16(m + 12, call);
		pgt_put16(m + 14, peer);
		m[16] = 1;
		break;
	case 12: /* Call-Clear-Request: call id */
	case 13: /* Call-Disconnect-Notify: call id */
		pgt_put16(m + 12, call);
		break;
	default:
		break;
	}
	put8(s, kind);
	put8(s, (uint8_t)len);
	put(s, m, len);
}

static void pptp_gre(struct seed *s, uint8_t kind, uint16_t call)
{
	const uint8_t body[] = {(uint8_t)(call >> 8), (uint8_t)call, 0xff, 0x03, 0xc0, 0x21};

	put8(s, kind);
	put8(s, sizeof(body));
	put(s, body, sizeof(body));
}

static void pptp_seeds(const char *dir)
{
	struct seed s;

	/* A call set up, used both ways, and cleared. */
	s.n = 0;
	pptp_msg(&s, 0, 1, 156, 0, 0);
	pptp_msg(&s, 1, 2, 156, 0, 0);
	pptp_msg(&s, 0, 7, 168, 0x4000, 0);
	pptp_msg(&s, 1, 8, 32, 128, 0x4000);
	pptp_gre(&s, 2, 128);
	pptp_gre(&s, 3, 0x4000);
	pptp_msg(&s, 1, 15, 24, 0x4000, 0);
	pptp_msg(&s, 0, 12, 16, 0x4000, 0);
	pptp_msg(&s, 1, 13, 148, 128, 0);
	save(dir, "pptp", "call", &s);

	/* The same with a retransmitted request and a split message. */
	s.n = 0;
	pptp_msg(&s, 0, 1, 156, 0, 0);
	pptp_msg(&s, 4, 1, 156, 0, 0);
	pptp_msg(&s, 1, 2, 156, 0, 0);
	{
		struct seed m = {.n = 0};

		pptp_msg(&m, 0, 7, 168, 0x0001, 0);
		/* m: kind, len, 168 bytes; send it as 13 + 155 bytes. */
		put8(&s, 0);
		put8(&s, 13);
		put(&s, m.b + 2, 13);
		put8(&s, 0);
		put8(&s, 155);
		put(&s, m.b + 15, 155);
	}
	pptp_msg(&s, 1, 8, 32, 0, 0x0001);
	pptp_gre(&s, 3, 0x0001);
	pptp_msg(&s, 0x10, 12, 16, 0x0001, 0);
	save(dir, "pptp", "split-retransmit", &s);

	/* Out of order and garbage. */
	s.n = 0;
	pptp_msg(&s, 8, 1, 156, 0, 0);
	pptp_msg(&s, 0, 1, 156, 0, 0);
	put8(&s, 0);
	put8(&s, 4);
	put(&s, "GET ", 4);
	save(dir, "pptp", "gap-garbage", &s);
}

/* fuzz_parse6: a side byte, then an IPv6 packet. */
static void parse6_seeds(const char *dir)
{
	static const uint8_t mss[] = {0x02, 0x04, 0x05, 0xb4};
	static const struct pgt6_spec quoted = {.proto = PGT_P_UDP, .src = "2001:db8:1::10",
						.sport = 5000, .dst = "2001:db8:2::1",
						.dport = 53, .paylen = 8};
	const struct pgt6_spec specs[] = {
		{.proto = PGT_P_UDP, .src = "2001:db8:1::10", .sport = 5000,
		 .dst = "2001:db8:2::1", .dport = 53, .paylen = 12},
		{.proto = PGT_P_TCP, .src = "2001:db8:1::10", .sport = 40000,
		 .dst = "2001:db8:2::1", .dport = 443, .tcp_flags = 0x02, .tcp_opts = mss,
		 .tcp_optlen = 4},
		{.proto = PGT_P_ICMP6, .src = "2001:db8:2::1", .dst = "2001:db8:1::10",
		 .icmp_type = 1, .icmp_code = 4, .inner = &quoted},
		{.proto = PGT_P_ICMP6, .src = "2001:db8:1::10", .dst = "2001:db8:1::1",
		 .icmp_type = 128, .icmp_id = 1, .paylen = 8},
		{.proto = PGT_P_ESP, .src = "2001:db8:2::1", .dst = "2001:db8:1::10",
		 .spi = 0x100, .paylen = 16},
		{.proto = PGT_P_UDP, .src = "2001:db8:1::10", .sport = 5000,
		 .dst = "2001:db8:2::1", .dport = 4500, .paylen = 8,
		 .ext = {PGT6_EXT_HOPOPTS, PGT6_EXT_DSTOPTS, PGT6_EXT_ROUTING, PGT6_EXT_AH,
			 PGT6_EXT_FRAGMENT},
		 .next = 5, .frag_more = true, .frag_id = 9},
		{.proto = PGT_P_UDP, .src = "2001:db8:1::10", .dst = "2001:db8:2::1",
		 .paylen = 16, .ext = {PGT6_EXT_FRAGMENT}, .next = 1, .frag_off = 8,
		 .frag_id = 9},
	};
	char name[32];

	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct seed s = {.n = 0};
		uint8_t pkt[PGT_BUF];
		uint32_t n = pgt6_build(&specs[i], pkt, sizeof(pkt));

		put8(&s, i & 1); /* even: from the LAN */
		put(&s, pkt, n);
		snprintf(name, sizeof(name), "v6-%zu", i);
		save(dir, "parse6", name, &s);
	}
}

int main(int argc, char **argv)
{
	static const char *const subs[] = {"engine", "parse", "csum", "pptp", "parse6"};
	char path[512];
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: fuzz_seeds DIR\n");
		return 2;
	}
	mkdir(argv[1], 0755);
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", argv[1], subs[i]);
		if (mkdir(path, 0755) && errno != EEXIST) {
			fprintf(stderr, "fuzz_seeds: %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	engine_seeds(argv[1]);
	parse_seeds(argv[1]);
	csum_seeds(argv[1]);
	pptp_seeds(argv[1]);
	parse6_seeds(argv[1]);
	printf("fuzz_seeds: %u seeds in %s\n", written, argv[1]);
	return 0;
}
