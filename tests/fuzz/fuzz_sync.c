/* SPDX-License-Identifier: MIT */
/*
 * fuzz_sync.c - libFuzzer target for the sync channel's parsers: message
 * framing and HMAC (sync/proto.c), the standby's session rules
 * (sync/session.c) and the engine's record import (engine/sync_import.c),
 * then the imported state under traffic.
 *
 * Input: the first byte picks the path.
 *   bit 0 clear: the rest is a datagram as received (framing, version and
 *                HMAC checks; almost everything is refused there).
 *   bit 0 set:   the rest is a body of records, signed with the standby's
 *                key into a BULK_BEGIN, so the session and the import see
 *                whatever the fuzzer makes; bit 1: also a DATA message with
 *                the same body after it (upserts over what the first made).
 * Then every flow the engine holds is sent one packet each way, built from
 * its own keys, with payload from the input (a PPTP control stream taken up
 * in the middle of a message, ESP still learning, a hairpin...).
 *
 * Invariants: verdicts in range and forwarded packets well formed; the
 * engine's free-port counts match its bitmaps; and what the engine holds
 * exports and imports into a fresh engine with nothing refused.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "engine/sync.h"
#include "fixture.h"
#include "sync/session.h"

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_sync: invariant broken: %s\n", what);
	abort();
}

/* The flows an engine holds, one line each (for a report). */
static void dump(const char *name, const struct pg_engine *e)
{
	for (uint32_t i = 0; i < e->pool_size; i++) {
		const struct pg_flow *f = &e->flows[i];

		if (f->key.kind)
			fprintf(stderr,
				"  %s[%u] kind %u proto %u %08x:%u > %08x:%u in %u:%u%s alg "
				"%u/%08x lan %08x:%u\n",
				name, i, f->key.kind, f->key.proto, ntohl(f->key.a),
				ntohs(f->key.pa), ntohl(f->key.b), ntohs(f->key.pb),
				ntohs(f->in_pa), ntohs(f->in_pb), f->in_parked ? " parked" : "",
				f->alg, f->alg_state, ntohl(f->lan_addr), ntohs(f->lan_port));
	}
}

static void drop_reply(void *ctx, const uint8_t *msg, size_t len)
{
	(void)ctx;
	(void)msg;
	(void)len;
}

static struct pg_engine *engine(void)
{
	struct pg_engine_config cfg;
	struct pg_engine *e;

	pgt_config(&cfg);
	cfg.max_flows = 1024;
	cfg.pptp_max_sessions = 8;
	/* The shortest timeouts allowed (see last_due()); GRE and ESP have no RFC floor. */
	cfg.timeouts.udp = 120;
	cfg.timeouts.gre = 600;
	cfg.timeouts.esp = 600;
	e = pgt_engine_new(&cfg);
	if (!e)
		abort();
	return e;
}

/*
 * The second at which e's last flow is due: the clock jumps just past it
 * at the end of an input, so every flow must be gone by its own due time
 * (a flow filed in the wrong slot of the timer wheel stays and fails),
 * and the wheel walks only that far. A jump of more than the wheel's turn
 * (8192 s) for every input made the wheel's walk most of an input's time
 * (1,150 inputs/s).
 */
static uint32_t last_due(const struct pg_engine *e, uint32_t now_s)
{
	uint32_t last = now_s;

	for (uint32_t i = 0; i < e->pool_size; i++) {
		const struct pg_flow *f = &e->flows[i];
		uint32_t due = f->last_seen + pg_flow_timeout(e, f);

		if (f->key.kind && due > last)
			last = due;
	}
	return last;
}

/* One packet along flow f's key on side, payload from data; check what comes out. */
static void poke(struct pg_engine *e, const struct pg_flow *f, int side, const uint8_t *data,
		 size_t size, uint64_t now)
{
	static struct pgt_pkt p;
	struct pg_key k;
	struct pgt_spec s = { .proto = f->key.proto,
			      .payload = data,
			      .paylen = (uint16_t)(size > 200 ? 200 : size) };
	char src[20], dst[20], why[200], err[200];

	pg_flow_key(e, f, side == PG_SIDE_LAN ? PG_DIR_OUT : PG_DIR_IN, &k);
	snprintf(src, sizeof(src), "%s",
		 pgt_dotted(ntohl(side == PG_SIDE_LAN && !k.a ? f->lan_addr : k.a)));
	snprintf(dst, sizeof(dst), "%s", pgt_dotted(ntohl(k.b)));
	s.src = src;
	s.dst = dst;
	s.sport = ntohs(k.pa);
	s.dport = ntohs(k.pb);
	s.tcp_flags = PGT_ACK | PGT_PSH;
	s.seq = size >= 4 ? pgt_get32(data) : 1;
	s.icmp_type = side == PG_SIDE_LAN ? 8 : 0;
	s.icmp_id = ntohs(side == PG_SIDE_LAN ? k.pa : k.pb);
	s.gre_ver = 1;
	s.call_id = ntohs(k.pb);
	s.spi = (uint32_t)ntohs(k.pa) << 16 | ntohs(k.pb);
	memset(&p, 0, sizeof(p));
	p.len = pgt_build(&s, NULL, p.buf, PGT_BUF, NULL);
	if (!p.len)
		return;
	p.side = (uint8_t)side;
	if (pgt_run(e, &p, 1, now, err, sizeof(err))) {
		fprintf(stderr, "fuzz_sync: %s\n", err);
		fail("the engine broke the packet contract");
	}
	if ((p.verdict == PG_VERDICT_TO_LAN || p.verdict == PG_VERDICT_TO_WAN) &&
	    !pgt_check(p.buf, p.len, why, sizeof(why))) {
		fprintf(stderr, "fuzz_sync: %s\n", why);
		fail("a forwarded packet is malformed");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pg_engine *e, *copy;
	static uint8_t *msg, *walk;
	static uint64_t now = 10000000;
	struct pg_sync_key key = { .len = 32 };
	struct pg_sync_standby sb;
	struct pg_sync_import_stats st = { 0 };
	uint32_t cursor = 0, nflows, due_s;

	if (!e) {
		e = engine();
		copy = engine();
		msg = malloc(PG_SYNC_MSG_MAX);
		walk = malloc(64 * 1024);
		if (!msg || !walk)
			abort();
	}
	if (size < 1)
		return 0;
	/*
	 * The engine counts seconds in 32 bits (136 years of a monotonic
	 * clock); two 3-hour steps per input reached that after ~200,000 inputs,
	 * and a wrapped clock expires nothing (the "flows survived every
	 * timeout" finding after 397,686 and 198,849 runs). Start over well
	 * before: fresh engines, the clock back.
	 */
	if (now > (uint64_t)1 << 40) {
		pg_engine_destroy(e);
		pg_engine_destroy(copy);
		e = engine();
		copy = engine();
		now = 10000000;
	}
	/* The previous input's flows were all gone at its end. */
	now += 1000;
	pg_engine_tick(e, now);
	pg_engine_tick(copy, now);
	if (pg_engine_flow_count(e) || pg_engine_flow_count(copy))
		fail("flows survived every timeout");

	memset(key.bytes, 0x5a, key.len);
	pg_sync_standby_init(&sb, &key);
	if (!(data[0] & 1)) {
		pg_sync_standby_input(&sb, e, data + 1, size - 1, now, drop_reply, NULL);
	} else {
		struct pg_sync_msg m = { .type = PG_SYNC_BULK_BEGIN, .epoch = 1, .seq = 1 };
		size_t body = size - 1 > PG_SYNC_BODY_MAX ? PG_SYNC_BODY_MAX : size - 1, n;

		m.body_len = (uint32_t)body;
		n = pg_sync_msg_build(&key, &m, data + 1, msg);
		if (pg_sync_standby_input(&sb, e, msg, n, now, drop_reply, NULL) != PG_SYNC_OK)
			fail("a signed message was refused");
		if (data[0] & 2) {
			m.type = PG_SYNC_DATA;
			m.seq = 2;
			n = pg_sync_msg_build(&key, &m, data + 1, msg);
			if (pg_sync_standby_input(&sb, e, msg, n, now, drop_reply, NULL) !=
			    PG_SYNC_OK)
				fail("the next signed message was refused");
		}
	}
	if (!pg_nat_counts_valid(e))
		fail("free-port counts disagree with the bitmaps after import");

	/* What was imported exports, and imports into a fresh engine whole. */
	nflows = pg_engine_flow_count(e);
	while (!pg_sync_walk_done(e, cursor)) {
		size_t n = pg_sync_export_walk(e, &cursor, now, walk, 64 * 1024);

		if (pg_sync_import(copy, walk, n, now, 0, &st) < 0)
			fail("an export did not frame");
	}
	if (st.malformed || st.conflicts || st.full || st.expired ||
	    pg_engine_flow_count(copy) != nflows) {
		fprintf(stderr,
			"fuzz_sync: %u flows, copy %u: malformed %llu conflicts %llu full "
			"%llu expired %llu\n",
			nflows, pg_engine_flow_count(copy), (unsigned long long)st.malformed,
			(unsigned long long)st.conflicts, (unsigned long long)st.full,
			(unsigned long long)st.expired);
		dump("imported", e);
		dump("copy", copy);
		fail("an imported table does not carry over whole");
	}

	/* Traffic along every imported flow, both ways. */
	for (uint32_t i = 0; i < e->pool_size && i < 64; i++) {
		const struct pg_flow *f = &e->flows[i];

		if (f->key.kind == 0)
			continue;
		poke(e, f, PG_SIDE_LAN, data, size, now);
		if (f->key.kind != 0)
			poke(e, f, PG_SIDE_WAN, data, size, now);
	}
	if (!pg_nat_counts_valid(e))
		fail("free-port counts disagree with the bitmaps after traffic");
	/*
	 * Every timeout runs out here, so the input that left a flow behind
	 * is the one that fails (checked again at the next start). One input
	 * in sixteen (by its first byte) jumps by more than a turn of the
	 * wheel instead, so its catch-up path is fuzzed too.
	 */
	due_s = last_due(e, (uint32_t)(now / 1000));
	if (last_due(copy, (uint32_t)(now / 1000)) > due_s)
		due_s = last_due(copy, (uint32_t)(now / 1000));
	if ((data[0] & 0xf0) == 0xf0)
		now += (uint64_t)3 * 3600 * 1000;
	else
		now = ((uint64_t)due_s + 1) * 1000;
	pg_engine_tick(e, now);
	pg_engine_tick(copy, now);
	if (pg_engine_flow_count(e) || pg_engine_flow_count(copy)) {
		dump("left", e);
		dump("copy left", copy);
		fail("flows survived every timeout");
	}
	return 0;
}
