/* SPDX-License-Identifier: MIT */
/*
 * test_sync.c - the engine's state as records (engine/sync.h): a table
 * exported from engine A and imported into engine B translates the next
 * packets of every flow byte for byte as A does (TCP, UDP, ICMP, NAT-T,
 * IKE, raw ESP learnt and still learning, PPTP control and call GRE); the
 * change ring keeps a standby alike batch by batch; refused and malformed
 * records change nothing they should not.
 *
 * The traffic is driven through A only; every packet it was given is kept,
 * and after the transfer the same packets, and new ones that continue each
 * conversation, go through A and B: both must give the same verdict and the
 * same bytes (the differential pattern of test_shard.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sync_mix.h"

/*
 * With PGT_SYNC_SEEDS=DIR, write A's table as fuzz_sync inputs (a signed
 * bulk, and a bulk then the same records again as an update):
 * tests/fuzz/corpus/sync/ holds what this wrote.
 */
static void write_seeds(struct pg_engine *a)
{
	const char *dir = getenv("PGT_SYNC_SEEDS");
	uint32_t cursor = 0;
	char path[512];
	size_t n;

	if (!dir)
		return;
	n = pg_sync_export_walk(a, &cursor, now_ms, xfer + 1, 8192);
	for (uint8_t mode = 1; mode <= 3; mode += 2) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/mix-%u", dir, mode);
		f = fopen(path, "w");
		assert_non_null(f);
		xfer[0] = mode;
		fwrite(xfer, 1, n + 1, f);
		fclose(f);
	}
}

static void test_bulk_translates_alike(void **state)
{
	struct pg_engine *a = pgt_engine_default(), *b = pgt_engine_default();
	struct pg_sync_import_stats st = { 0 };

	(void)state;
	traffic(a);
	now_ms += 3000;
	/* A small buffer: records never split, the walk resumes where it stopped. */
	bulk(a, b, PG_SYNC_REC_MAX, &st);
	assert_int_equal(st.malformed + st.conflicts + st.full + st.expired, 0);
	assert_int_equal(pg_engine_flow_count(a), pg_engine_flow_count(b));
	assert_true(st.applied > 30);
	now_ms += 1000;
	replay_alike(a, b);
	write_seeds(a);
	pg_engine_destroy(a);
	pg_engine_destroy(b);
}

/* The standby takes the change ring's records after every few packets. */
static void test_changes_keep_standby_alike(void **state)
{
	struct pg_engine *a = pgt_engine_default(), *b = pgt_engine_default();
	struct pg_sync_import_stats st = { 0 };
	unsigned int before;

	(void)state;
	assert_int_equal(pg_sync_enable(a, 4096), 0);
	traffic(a);
	assert_true(pg_sync_pending(a) > 0);
	while (pg_sync_pending(a)) {
		size_t n = pg_sync_export_changes(a, now_ms, xfer, 4096);

		assert_true(n > 0);
		assert_int_equal(pg_sync_import(b, xfer, n, now_ms, 0, &st), 0);
	}
	assert_false(pg_sync_take_overflow(a));
	assert_int_equal(st.malformed + st.conflicts + st.full, 0);
	assert_int_equal(pg_engine_flow_count(a), pg_engine_flow_count(b));
	replay_alike(a, b);
	while (pg_sync_pending(a)) /* what the replay changed on A: B did it too */
		pg_sync_export_changes(a, now_ms, xfer, 4096);

	/*
	 * A's datagram flows expire (B's clock lags and has not seen it): the
	 * GONE records end them on B.
	 */
	before = pg_engine_flow_count(b);
	pg_engine_tick(a, now_ms + 400 * 1000);
	assert_true(pg_engine_flow_count(a) < before);
	while (pg_sync_pending(a)) {
		size_t n = pg_sync_export_changes(a, now_ms, xfer, 4096);

		assert_int_equal(pg_sync_import(b, xfer, n, now_ms, 0, &st), 0);
	}
	assert_true(st.gone > 0);
	assert_int_equal(pg_engine_flow_count(a), pg_engine_flow_count(b));
	pg_engine_destroy(a);
	pg_engine_destroy(b);
}

/*
 * A PPTP control stream moves on with no flow created or re-keyed (an echo):
 * the standby must still take the stream up where the primary is, or the
 * next message looks like a segment past a gap and is dropped there.
 */
static void test_pptp_stream_follows(void **state)
{
	struct pg_engine *a = pgt_engine_default(), *b = pgt_engine_default();
	struct pg_sync_import_stats st = { 0 };
	struct pgt_pkt next[16];
	uint8_t echo[32]; /* pgt_pptp_msg() writes 16 bytes for it */
	struct pgt_spec s;
	unsigned int n;
	size_t len;

	(void)state;
	assert_int_equal(pg_sync_enable(a, 4096), 0);
	pptp_call(a, 12, 41001, 0x0100, 0x0000);
	len = pg_sync_export_changes(a, now_ms, xfer, BUFSZ);
	assert_int_equal(pg_sync_import(b, xfer, len, now_ms, 0, &st), 0);
	/* An echo request: the client's stream is 16 bytes further on A only. */
	pgt_pptp_msg(echo, ECHORQ, 0, 0, 0);
	s = tcp(host(12), 41001, server(0), 1723, PGT_PSH | PGT_ACK, 1169, 5033);
	s.payload = echo;
	s.paylen = 16;
	drive(a, &s, PG_SIDE_LAN);
	len = pg_sync_export_changes(a, now_ms, xfer, BUFSZ);
	assert_int_equal(pg_sync_import(b, xfer, len, now_ms, 0, &st), 0);
	/* The continuation's second packet: the call cleared at seq 1185. */
	n = continuation(next);
	assert_true(n >= 2);
	same(a, b, &next[1], "clear request after the echo", 1);
	assert_int_equal(st.malformed + st.conflicts + st.full, 0);
	pg_engine_destroy(a);
	pg_engine_destroy(b);
}

static void test_ring_overflow_asks_for_bulk(void **state)
{
	struct pg_engine *a = pgt_engine_default();
	struct pgt_spec s;

	(void)state;
	assert_int_equal(pg_sync_enable(a, 64), 0);
	for (unsigned int i = 0; i < 100; i++) {
		s = (struct pgt_spec){ .proto = PGT_P_UDP,
				       .src = host(1),
				       .sport = 1000 + i,
				       .dst = server(1),
				       .dport = 53,
				       .paylen = 8 };
		drive(a, &s, PG_SIDE_LAN);
	}
	assert_int_equal(pg_sync_pending(a), 64);
	assert_true(pg_sync_take_overflow(a));
	assert_int_equal(pg_sync_pending(a), 0);
	assert_false(pg_sync_take_overflow(a));
	pg_engine_destroy(a);
}

/* A state file older than a flow's time left: the flow is not brought back. */
static void test_age_expires(void **state)
{
	struct pg_engine *a = pgt_engine_default(), *b = pgt_engine_default();
	struct pg_sync_import_stats st = { 0 };
	uint32_t cursor = 0;
	size_t n;

	(void)state;
	traffic(a);
	n = pg_sync_export_walk(a, &cursor, now_ms, xfer, BUFSZ);
	assert_true(pg_sync_walk_done(a, cursor));
	/* 400 s: every UDP, ICMP and transitory flow is past; established TCP is not. */
	assert_int_equal(pg_sync_import(b, xfer, n, now_ms, 400, &st), 0);
	assert_true(st.expired > 0);
	assert_true(st.applied >= 6); /* the OpenVPN connections and PPTP controls */
	assert_true(pg_engine_flow_count(b) < pg_engine_flow_count(a));
	pg_engine_destroy(a);
	pg_engine_destroy(b);
}

/* A record for a public port another LAN socket holds here is refused. */
static void test_conflict_refused(void **state)
{
	struct pg_engine *a = pgt_engine_default(), *b = pgt_engine_default();
	struct pg_sync_import_stats st = { 0 };
	struct pgt_spec s = { .proto = PGT_P_UDP,
			      .src = host(1),
			      .sport = 51820,
			      .dst = server(1),
			      .dport = 51820,
			      .paylen = 8 };
	uint32_t cursor = 0, flows;
	size_t n;

	(void)state;
	drive(a, &s, PG_SIDE_LAN);
	s.src = host(2); /* B's own client holds public port 51820 */
	s.dst = server(2);
	run1(b, (build(&sent[nsent], &s, PG_SIDE_LAN), &sent[nsent]));
	flows = pg_engine_flow_count(b);
	n = pg_sync_export_walk(a, &cursor, now_ms, xfer, BUFSZ);
	assert_int_equal(pg_sync_import(b, xfer, n, now_ms, 0, &st), 0);
	assert_int_equal(st.conflicts, 1);
	assert_int_equal(st.applied, 0);
	assert_int_equal(pg_engine_flow_count(b), flows);
	pg_engine_destroy(a);
	pg_engine_destroy(b);
}

static void test_malformed_records(void **state)
{
	struct pg_engine *a = pgt_engine_default(), *b = pgt_engine_default();
	struct pg_sync_import_stats st = { 0 };
	struct pgt_spec s = { .proto = PGT_P_UDP,
			      .src = host(1),
			      .sport = 1234,
			      .dst = server(1),
			      .dport = 53,
			      .paylen = 8 };
	uint8_t rec[PG_SYNC_REC_MAX], bad[PG_SYNC_REC_MAX];
	uint32_t cursor = 0;
	size_t n;

	(void)state;
	drive(a, &s, PG_SIDE_LAN);
	n = pg_sync_export_walk(a, &cursor, now_ms, rec, sizeof(rec));
	assert_int_equal(n, PG_SYNC_REC_HDR + PG_SYNC_FLOW_LEN);

	/* Framing: a cut header or body stops the import. */
	assert_int_equal(pg_sync_import(b, rec, 3, now_ms, 0, &st), -EINVAL);
	assert_int_equal(pg_sync_import(b, rec, n - 1, now_ms, 0, &st), -EINVAL);
	memcpy(bad, rec, n);
	bad[1] = 1; /* reserved */
	assert_int_equal(pg_sync_import(b, bad, n, now_ms, 0, &st), -EINVAL);

	/* Fields: each lie is counted and builds nothing. */
	memcpy(bad, rec, n);
	bad[PG_SYNC_REC_HDR + 12] = 99; /* a protocol the engine does not track */
	assert_int_equal(pg_sync_import(b, bad, n, now_ms, 0, &st), 0);
	memcpy(bad, rec, n);
	bad[PG_SYNC_REC_HDR + 30] = 7; /* TCP state on a UDP flow */
	assert_int_equal(pg_sync_import(b, bad, n, now_ms, 0, &st), 0);
	memcpy(bad, rec, n);
	bad[PG_SYNC_REC_HDR + 31] = 7; /* no such helper */
	assert_int_equal(pg_sync_import(b, bad, n, now_ms, 0, &st), 0);
	memcpy(bad, rec, n);
	bad[PG_SYNC_REC_HDR + 81] = 5; /* helper bytes the record does not have */
	assert_int_equal(pg_sync_import(b, bad, n, now_ms, 0, &st), 0);
	memcpy(bad, rec, n);
	bad[PG_SYNC_REC_HDR + 13] = 7; /* a parked LAN key */
	assert_int_equal(pg_sync_import(b, bad, n, now_ms, 0, &st), 0);
	memcpy(bad, rec, n);
	bad[PG_SYNC_REC_HDR + 14] = 1; /* a parked WAN key on a UDP flow (fuzz_sync) */
	bad[PG_SYNC_REC_HDR + 31] = 2; /* IPsec's */
	assert_int_equal(pg_sync_import(b, bad, n, now_ms, 0, &st), 0);
	assert_int_equal(st.malformed, 6);
	assert_int_equal(pg_engine_flow_count(b), 0);

	/* An unknown record type is skipped by its length; what follows applies. */
	memcpy(bad, "\x63\x00\x00\x02zz", 6);
	memcpy(bad + 6, rec, n);
	assert_int_equal(pg_sync_import(b, bad, n + 6, now_ms, 0, &st), 0);
	assert_int_equal(st.unknown, 1);
	assert_int_equal(st.applied, 1);
	assert_int_equal(pg_engine_flow_count(b), 1);
	pg_engine_destroy(a);
	pg_engine_destroy(b);
}

/* Importing the same table twice changes nothing the second time. */
static void test_upsert_idempotent(void **state)
{
	struct pg_engine *a = pgt_engine_default(), *b = pgt_engine_default();
	struct pg_sync_import_stats st = { 0 };

	(void)state;
	traffic(a);
	bulk(a, b, BUFSZ, &st);
	bulk(a, b, BUFSZ, &st);
	assert_int_equal(st.malformed + st.conflicts + st.full, 0);
	assert_int_equal(pg_engine_flow_count(a), pg_engine_flow_count(b));
	replay_alike(a, b);
	pg_sync_flush(b);
	assert_int_equal(pg_engine_flow_count(b), 0);
	pg_engine_destroy(a);
	pg_engine_destroy(b);
}

/*
 * A PPTP call's GRE record whose LAN key names another server than its
 * connection's: made as it was, it became a hairpin flow whose helper
 * reference overwrote the other host, and the table no longer exported
 * whole (fuzz_sync, tests/fuzz/corpus/sync/crash-pptp-gre-other-server).
 * The call is refused; the connection stays.
 */
static void test_pptp_gre_other_server_refused(void **state)
{
	struct pg_engine *a = pgt_engine_default(), *b = pgt_engine_default(),
			 *c = pgt_engine_default();
	struct pg_sync_import_stats st = { 0 };
	uint32_t cursor = 0, flows;
	size_t n, off = 0;
	bool found = false;

	(void)state;
	pptp_call(a, 11, 41000, 0x0100, 0x0080);
	n = pg_sync_export_walk(a, &cursor, now_ms, xfer, BUFSZ);
	/* The control connection's record: TCP, with helper state and one call's GRE. */
	while (off < n) {
		size_t len = PG_SYNC_REC_HDR + pgt_get16(xfer + off + 2);

		if (xfer[off + PG_SYNC_REC_HDR + 12] == PGT_P_TCP && len > 400) {
			/* record header, flow body, connection state, then the GRE body's LAN key
			 */
			uint8_t *gre_b = xfer + off + PG_SYNC_REC_HDR + PG_SYNC_FLOW_LEN + 362 + 4;

			gre_b[3] ^= 0x40;
			found = true;
		}
		off += len;
	}
	assert_true(found);
	assert_int_equal(pg_sync_import(b, xfer, n, now_ms, 0, &st), 0);
	flows = pg_engine_flow_count(b);
	assert_int_equal(flows, pg_engine_flow_count(a) - 1);
	cursor = 0;
	n = pg_sync_export_walk(b, &cursor, now_ms, xfer, BUFSZ);
	assert_int_equal(pg_sync_import(c, xfer, n, now_ms, 0, &st), 0);
	assert_int_equal(pg_engine_flow_count(c), flows);
	pg_engine_destroy(a);
	pg_engine_destroy(b);
	pg_engine_destroy(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bulk_translates_alike, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changes_keep_standby_alike, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pptp_stream_follows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_overflow_asks_for_bulk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_age_expires, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conflict_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upsert_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pptp_gre_other_server_refused, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
