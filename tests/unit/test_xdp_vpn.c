/* SPDX-License-Identifier: MIT */
/*
 * test_xdp_vpn.c - the XDP fast path and the engine translate the VPN
 * protocols alike: a PPTP call's GRE, raw ESP and NAT-T, both directions,
 * byte for byte (the differential harness of tests/lib/xdpdiff.h, as
 * test_xdp_fast does for TCP and UDP).
 *
 * The stream, driven by the helpers' own control traffic so the engine
 * decides everything as in the daemon:
 *   - two PPTP clients to one server, each with a control connection
 *     (handshake, Outgoing-Call-Request and -Reply with the server's call
 *     id, 0 included), then enhanced GRE both ways with and without sequence
 *     and acknowledgement numbers; calls are cleared (Call-Clear-Request and
 *     Call-Disconnect-Notify) and control connections closed (FIN) and
 *     opened again, so entries come and go;
 *   - two raw-ESP clients to one server: the client's ESP first, the
 *     server's answer teaches the inbound SPI, then both ways; now and then
 *     new SPIs (a rekey); the second client waits while the first learns;
 *   - two NAT-T clients (UDP 4500 both ends) to one server: ESP in UDP
 *     mostly, keepalives and IKE (the zero marker) among it, which the
 *     program must leave to the helper that counts them.
 * One packet in eight is something the program must leave to the engine or
 * get exactly right: TTL 1 and 2, a bad IP checksum, IP options, a fragment,
 * a packet over the MTU, a zero or bad UDP checksum, GRE with the checksum
 * bit, without the key bit, version 0, another protocol than PPP or a
 * header shorter than its flags say, ESP from another LAN host with a
 * client's SPI. Timeouts of 120 s with jumps past them: XDP must have given
 * the engine its packets (pg_offload_sync()) or flows would expire early.
 *
 * At the end both engines' counters (the helpers' too) and every flow's
 * packets, bytes and idle time are equal. Needs BPF (root or CAP_BPF);
 * without it the test prints "SKIP" with the reason and passes.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/fixture.h"
#include "../lib/xdpdiff.h"

#define NPKTS 9000
#define PPTP_S "203.0.113.1"
#define ESP_S "203.0.113.2"
#define NATT_S "198.51.100.7"

static uint64_t rng_state;
static struct pgt_xdiff *w;

static uint32_t rnd(uint32_t n)
{
	return pgt_rand(&rng_state, n);
}

/* ---- sending one packet through both paths -------------------------------- */

/* What to do to a packet after it is built (one in eight gets one). */
enum odd { ODD_NONE, ODD_TTL1, ODD_TTL2, ODD_IPCSUM, ODD_OPTS, ODD_MF, ODD_BIG, ODD_L4CSUM,
	   ODD_L4ZERO, ODD_GRE_C, ODD_GRE_NOKEY, ODD_GRE_V0, ODD_GRE_PROTO, ODD_GRE_SHORT,
	   ODD__N };

static const uint8_t nops[] = {1, 1, 1, 1};

static enum odd pick_odd(void)
{
	return rnd(8) == 0 ? (enum odd)(1 + rnd(ODD__N - 1)) : ODD_NONE;
}

/* Apply what the spec can say; the GRE header's bits are set after building. */
static void odd_spec(struct pgt_spec *s, enum odd o)
{
	s->ttl = o == ODD_TTL1 ? 1 : o == ODD_TTL2 ? 2 : 64;
	s->frag = rnd(2) ? 0x4000 : 0;
	if (o == ODD_MF)
		s->frag = 0x2000;
	if (o == ODD_BIG) {
		s->paylen = 1473;
		s->frag = rnd(2) ? 0x4000 : 0;
	}
	if (o == ODD_OPTS) {
		s->ip_opts = nops;
		s->ip_optlen = sizeof(nops);
	}
	s->csum = o == ODD_IPCSUM ? PGT_CSUM_IP_BAD
		  : o == ODD_L4CSUM ? PGT_CSUM_L4_BAD
		  : o == ODD_L4ZERO && s->proto == PGT_P_UDP ? PGT_CSUM_L4_ZERO
							     : PGT_CSUM_OK;
}

/* GRE's flag word and protocol sit past a 20-byte IP header; no checksum covers them. */
static void odd_gre(uint8_t *b, uint32_t len, enum odd o)
{
	if (len < 28 || (b[0] & 0x0f) != 5)
		return;
	if (o == ODD_GRE_C)
		b[20] |= 0x80;
	else if (o == ODD_GRE_NOKEY)
		b[20] &= (uint8_t)~0x20;
	else if (o == ODD_GRE_V0)
		b[21] &= (uint8_t)~0x07;
	else if (o == ODD_GRE_PROTO)
		b[23] ^= 0x01;
	else if (o == ODD_GRE_SHORT && !(b[20] & 0x10) && !(b[21] & 0x80) && len - 20 < 12)
		b[20] |= 0x10; /* says a sequence number follows, where none fits */
	else if (o == ODD_GRE_SHORT)
		b[21] |= 0x80; /* says an acknowledgement follows */
}

/* Run the packet through both paths; B's result in *out (may be NULL). */
static void send_pkt(const struct pgt_spec *s, int side, enum odd o, struct pgt_pkt *out)
{
	static uint8_t buf[PGT_BUF];
	static struct pgt_pkt b;
	char err[512];
	uint32_t len = pgt_build(s, NULL, buf, sizeof(buf), NULL);

	assert_true(len > 0);
	if (s->proto == PGT_P_GRE)
		odd_gre(buf, len, o);
	if (pgt_xdiff_packet(w, side, buf, len, &b, err, sizeof(err))) {
		char d[160];

		pgt_describe(buf, len, d, sizeof(d));
		fail_msg("packet %u (%s): %s", w->fast + w->slow, d, err);
	}
	if (out)
		*out = b;
}

/* B forwarded it to the WAN with a plain IP header: its source port there. */
static bool pub_port_of(const struct pgt_pkt *b, uint16_t *port)
{
	if (b->verdict != PG_VERDICT_TO_WAN || b->len < 24 || (b->buf[0] & 0x0f) != 5)
		return false;
	*port = pgt_get16(b->buf + 20);
	return true;
}

/* ---- PPTP ------------------------------------------------------------------ */

enum { OCRQ = 7, OCRP = 8, CCRQ = 12, CDN = 13 };

struct pconn {
	const char *lan;
	uint16_t lport, pub;   /* the control connection's ports (pub: learnt from B) */
	uint32_t cseq, sseq;   /* next sequence numbers, client and server */
	bool open, call;
	uint16_t pns_cid, pub_cid, pac_cid; /* the call's ids: client's, public, server's */
};

static struct pconn pc[2];
static uint16_t next_pac_cid;

static struct pgt_spec ctl(const struct pconn *c, bool out, uint8_t flags)
{
	struct pgt_spec s = {.proto = PGT_P_TCP, .tcp_flags = flags, .ttl = 64};

	if (out) {
		s.src = c->lan, s.dst = PPTP_S, s.sport = c->lport, s.dport = 1723;
		s.seq = c->cseq, s.ack = c->sseq;
	} else {
		s.src = PPTP_S, s.dst = PGT_WAN_ADDR, s.sport = 1723, s.dport = c->pub;
		s.seq = c->sseq, s.ack = c->cseq;
	}
	return s;
}

/* A control message from the client (out) or the server; B's result in *b. */
static void ctl_msg(struct pconn *c, bool out, const uint8_t *m, uint16_t n, struct pgt_pkt *b)
{
	struct pgt_spec s = ctl(c, out, PGT_PSH | PGT_ACK);

	s.payload = m;
	s.paylen = n;
	send_pkt(&s, out ? PG_SIDE_LAN : PG_SIDE_WAN, ODD_NONE, b);
	if (out)
		c->cseq += n;
	else
		c->sseq += n;
}

static void pptp_call(struct pconn *c)
{
	uint8_t m[256];
	struct pgt_pkt b;
	uint16_t n;

	/* Both clients choose among the same few ids: a public id often differs from the client's. */
	c->pns_cid = (uint16_t)(0x0100 | rnd(3));
	n = pgt_pptp_msg(m, OCRQ, c->pns_cid, (uint16_t)rnd(65536), 0);
	ctl_msg(c, true, m, n, &b);
	assert_int_equal(b.verdict, PG_VERDICT_TO_WAN);
	c->pub_cid = pgt_get16(b.buf + 40 + 12); /* as B rewrote it */
	c->pac_cid = next_pac_cid++; /* unique at the server; 0 comes first */
	n = pgt_pptp_msg(m, OCRP, c->pac_cid, c->pub_cid, 1);
	ctl_msg(c, false, m, n, NULL);
	c->call = true;
}

static void pptp_open(struct pconn *c)
{
	struct pgt_spec s;
	struct pgt_pkt b;

	c->lport = (uint16_t)(c->lport + 1);
	c->cseq = 1000, c->sseq = 5000;
	s = ctl(c, true, PGT_SYN);
	send_pkt(&s, PG_SIDE_LAN, ODD_NONE, &b);
	assert_true(pub_port_of(&b, &c->pub));
	c->cseq++;
	s = ctl(c, false, PGT_SYN | PGT_ACK);
	send_pkt(&s, PG_SIDE_WAN, ODD_NONE, NULL);
	c->sseq++;
	s = ctl(c, true, PGT_ACK);
	send_pkt(&s, PG_SIDE_LAN, ODD_NONE, NULL);
	c->open = true;
	pptp_call(c);
}

static void gre(struct pconn *c)
{
	struct pgt_spec s = {.proto = PGT_P_GRE, .gre_ver = 1, .gre_seq = rnd(4) != 0,
			     .gre_ack = rnd(3) == 0, .gre_seqno = rnd(100000),
			     .gre_ackno = rnd(100000), .paylen = (uint16_t)rnd(80)};
	bool out = rnd(2);
	enum odd o = pick_odd();

	if (out)
		s.src = c->lan, s.dst = PPTP_S, s.call_id = c->pac_cid;
	else
		s.src = PPTP_S, s.dst = PGT_WAN_ADDR, s.call_id = c->pub_cid;
	/* The other client sending on this call's id: never forwarded by XDP. */
	if (out && o == ODD_L4CSUM)
		s.src = pc[0].lan == c->lan ? pc[1].lan : pc[0].lan;
	odd_spec(&s, o);
	if (o == ODD_L4CSUM)
		s.csum = PGT_CSUM_OK; /* GRE has none: this one is the other client's */
	send_pkt(&s, out ? PG_SIDE_LAN : PG_SIDE_WAN, o, NULL);
}

static void pptp_step(unsigned int i)
{
	struct pconn *c = &pc[i];
	uint8_t m[256];
	uint16_t n;

	if (!c->open) {
		pptp_open(c);
		return;
	}
	if (!c->call) {
		pptp_call(c);
		return;
	}
	if (rnd(150) == 0) {
		/* The client clears its call; the server confirms. */
		n = pgt_pptp_msg(m, CCRQ, c->pns_cid, 0, 0);
		ctl_msg(c, true, m, n, NULL);
		n = pgt_pptp_msg(m, CDN, c->pac_cid, 0, 3);
		ctl_msg(c, false, m, n, NULL);
		c->call = false;
	} else if (rnd(200) == 0) {
		/* The control connection closes: every call of it ends. */
		struct pgt_spec s = ctl(c, true, PGT_FIN | PGT_ACK);

		send_pkt(&s, PG_SIDE_LAN, ODD_NONE, NULL);
		c->open = c->call = false;
	} else {
		gre(c);
	}
}

/* ---- raw ESP --------------------------------------------------------------- */

struct esa {
	const char *lan;
	uint32_t spi_out, spi_in; /* the server's, the client's; 0: pick anew */
	bool learnt;
	uint32_t seq;
};

static struct esa es[2] = {{.lan = "192.168.1.13"}, {.lan = "192.168.1.14"}};

static void esp_step(unsigned int i)
{
	struct esa *a = &es[i];
	struct pgt_spec s = {.proto = PGT_P_ESP, .paylen = (uint16_t)(16 + rnd(80))};
	enum odd o = pick_odd();
	bool out = !a->learnt || rnd(2);

	if (!a->spi_out || rnd(400) == 0) {
		/* A new SA pair (a rekey): the client speaks first on it. */
		a->spi_out = 0x10000000u | rnd(0x0fffffff);
		a->spi_in = 0x20000000u | rnd(0x0fffffff);
		a->learnt = false;
		out = true;
	}
	s.esp_seq = ++a->seq;
	if (out) {
		s.src = a->lan, s.dst = ESP_S, s.spi = a->spi_out;
		/* Another LAN host with this client's SPI: the engine's conflict, not XDP's. */
		if (o == ODD_L4CSUM)
			s.src = "192.168.1.20";
	} else {
		s.src = ESP_S, s.dst = PGT_WAN_ADDR, s.spi = a->spi_in;
	}
	odd_spec(&s, o);
	if (o == ODD_L4CSUM)
		s.csum = PGT_CSUM_OK; /* ESP has none: this one is another host's */
	send_pkt(&s, out ? PG_SIDE_LAN : PG_SIDE_WAN, o, NULL);
	/* The server answers once the client's SA is out there. */
	if (out && o == ODD_NONE && !a->learnt) {
		struct pgt_pkt b;
		struct pgt_spec r = {.proto = PGT_P_ESP, .src = ESP_S, .dst = PGT_WAN_ADDR,
				     .spi = a->spi_in, .esp_seq = 1, .paylen = 32, .ttl = 64};

		send_pkt(&r, PG_SIDE_WAN, ODD_NONE, &b);
		a->learnt = b.verdict == PG_VERDICT_TO_LAN;
	}
}

/* ---- NAT-T ----------------------------------------------------------------- */

struct natt {
	const char *lan;
	uint16_t pub; /* 0 until B has forwarded the client's packet */
};

static struct natt nt[2] = {{.lan = "192.168.1.15"}, {.lan = "192.168.1.16"}};

static void natt_step(unsigned int i)
{
	struct natt *t = &nt[i];
	static uint8_t pay[1500];
	struct pgt_spec s = {.proto = PGT_P_UDP, .payload = pay};
	enum odd o = pick_odd();
	uint32_t kind = rnd(10);
	bool out = !t->pub || rnd(2);
	struct pgt_pkt b;

	if (kind == 0) {
		pay[0] = 0xff; /* keepalive */
		s.paylen = 1;
	} else if (kind == 1) {
		memset(pay, 0, 4); /* non-ESP marker, then an IKEv2 header */
		for (unsigned int k = 4; k < 40; k++)
			pay[k] = (uint8_t)(k * 13);
		pay[4 + 17] = 0x20;
		s.paylen = 40;
	} else {
		pgt_put32(pay, 0x30000000u | i); /* the SPI: never the marker */
		s.paylen = (uint16_t)(8 + rnd(kind == 2 ? 4 : 120));
		for (unsigned int k = 4; k < s.paylen; k++)
			pay[k] = (uint8_t)rnd(256);
	}
	if (out)
		s.src = t->lan, s.dst = NATT_S, s.sport = 4500, s.dport = 4500;
	else
		s.src = NATT_S, s.dst = PGT_WAN_ADDR, s.sport = 4500, s.dport = t->pub;
	odd_spec(&s, o);
	if (o == ODD_BIG)
		memset(pay + 4, 0x5a, 1473 - 4);
	send_pkt(&s, out ? PG_SIDE_LAN : PG_SIDE_WAN, o, &b);
	if (out && !t->pub)
		pub_port_of(&b, &t->pub);
}

/* ---- comparing -------------------------------------------------------------- */

/* A and B agree on every counter and every flow (tests/lib/xdpdiff.c). */
static void compare(void)
{
	char why[256];

	if (!pgt_xdiff_same_counters(w, why, sizeof(why)) ||
	    !pgt_xdiff_same_flows(w, why, sizeof(why)))
		fail_msg("%s", why);
}

/* After a jump past every timeout the tunnels start over, as clients would. */
static void start_over(void)
{
	for (unsigned int i = 0; i < 2; i++) {
		pc[i].call = false; /* the call's GRE expired: the call is over */
		es[i].spi_out = 0;
		nt[i].pub = 0;
	}
}

static void test_xdp_vpn_same_as_engine(void **state)
{
	struct pg_engine_config cfg;
	unsigned int gre_fast = 0, esp_fast = 0, natt_fast = 0;
	char why[512];

	(void)state;
	w = calloc(1, sizeof(*w));
	assert_non_null(w);
	pgt_config(&cfg);
	cfg.timeouts.udp = 120;
	cfg.timeouts.gre = 120;
	cfg.timeouts.esp = 120;
	if (!pgt_xdiff_open(w, &cfg, why, sizeof(why))) {
		printf("SKIP test_xdp_vpn: %s\n", why);
		free(w);
		return;
	}
	rng_state = 0x2545f4914f6cdd1dULL;
	pc[0] = (struct pconn){.lan = PGT_H10, .lport = 41000};
	pc[1] = (struct pconn){.lan = PGT_H11, .lport = 42000};
	while (w->fast + w->slow < NPKTS) {
		uint32_t r = rnd(3);
		unsigned int before = w->fast;

		if (r == 0)
			pptp_step(rnd(2));
		else if (r == 1)
			esp_step(rnd(2));
		else
			natt_step(rnd(2));
		if (r == 0)
			gre_fast += w->fast - before;
		else if (r == 1)
			esp_fast += w->fast - before;
		else
			natt_fast += w->fast - before;
		if (pgt_xdiff_advance(w, &rng_state, 2500))
			start_over(); /* the clock jumped past every timeout */
	}
	pgt_xdiff_tick(w);
	print_message("%u packets through XDP (GRE %u, ESP %u, NAT-T %u), %u through the engine\n",
		      w->fast, gre_fast, esp_fast, natt_fast, w->slow);
	/* Each protocol must have taken the program's path often, or this proves little. */
	assert_true(gre_fast > NPKTS / 10);
	assert_true(esp_fast > NPKTS / 10);
	assert_true(natt_fast > NPKTS / 10);
	assert_true(w->slow > NPKTS / 10);
	assert_true(pg_engine_counters(w->a)[PG_CNT_OFFLOADED] == w->fast);
	/* The helpers' own events happened: calls cleared, SPIs learnt, keepalives seen. */
	assert_true(pg_engine_counters(w->b)[PG_CNT_PPTP_CALLS_CLEARED] > 0);
	assert_true(pg_engine_counters(w->b)[PG_CNT_ESP_SPI_LEARNED] > 2);
	assert_true(pg_engine_counters(w->b)[PG_CNT_NATT_KEEPALIVES] > 0);
	assert_int_equal(pg_engine_flow_count(w->a), pg_engine_flow_count(w->b));
	compare();
	/* Turning PPTP and IPsec passthrough off (a reconfiguration) takes every flow back. */
	cfg.ipsec_passthrough = false;
	cfg.pptp_passthrough = false;
	assert_int_equal(pg_engine_reconfigure(w->a, &cfg), 0);
	if (!pgt_xdiff_withdrawn(w, why, sizeof(why)))
		fail_msg("%s", why);

	pgt_xdiff_close(w);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xdp_vpn_same_as_engine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
