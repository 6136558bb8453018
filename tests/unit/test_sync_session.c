/* SPDX-License-Identifier: MIT */
/*
 * test_sync_session.c - the sync channel (sync/proto.c, sync/session.c):
 * messages signed and checked; a standby fed through a channel that loses,
 * in both directions, ends up translating every flow as the primary does;
 * a lost update is re-sent, an overflowed change ring brings a bulk; wrong
 * keys, replays, truncation and messages of an older primary are refused,
 * counted, and change nothing. The roles moving with VRRP (sync/roles.c):
 * a standby takes over as primary, the old primary returns empty, follows
 * it after a bulk and takes over again, alike at every step.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sync/roles.h"
#include "sync/session.h"
#include "sync_mix.h"

/* ---- a channel: one queue per direction, losing what the test says ---------- */

#define QMAX 4096

struct queue {
	uint8_t *msg[QMAX];
	size_t len[QMAX];
	unsigned int n;
	unsigned int loss_pct; /* dropped at random, percent */
	bool down;	       /* everything dropped */
	unsigned int skip;     /* the next this many dropped */
	uint64_t rng;
	unsigned int dropped;
};

static struct queue to_standby, to_primary;

static void enqueue(void *ctx, const uint8_t *msg, size_t len)
{
	struct queue *q = ctx;

	if (q->down || q->skip || (q->loss_pct && pgt_rand(&q->rng, 100) < q->loss_pct)) {
		if (q->skip)
			q->skip--;
		q->dropped++;
		return;
	}
	assert_true(q->n < QMAX);
	q->msg[q->n] = malloc(len);
	assert_non_null(q->msg[q->n]);
	memcpy(q->msg[q->n], msg, len);
	q->len[q->n++] = len;
}

static void queue_clear(struct queue *q)
{
	for (unsigned int i = 0; i < q->n; i++)
		free(q->msg[i]);
	q->n = 0;
}

static void queue_reset(struct queue *q, unsigned int loss)
{
	queue_clear(q);
	memset(q, 0, sizeof(*q));
	q->loss_pct = loss;
	q->rng = 0x9e3779b97f4a7c15ULL;
}

static struct pg_sync_key key(uint8_t fill)
{
	struct pg_sync_key k = { .len = 32 };

	memset(k.bytes, fill, k.len);
	return k;
}

static struct pg_sync_primary prim;
static struct pg_sync_standby stby;

/* Deliver both queues until nothing moves, pumping primary p (engine a) every 50 ms. */
static void converge_on(struct pg_sync_primary *p, struct pg_sync_standby *sb,
			struct pg_engine *a, struct pg_engine *b)
{
	for (unsigned int round = 0; round < 400; round++) {
		unsigned int moved = to_standby.n + to_primary.n;

		pg_sync_primary_pump(p, a, now_ms, enqueue, &to_standby);
		pg_sync_standby_tick(sb, now_ms, enqueue, &to_primary);
		for (unsigned int i = 0; i < to_standby.n; i++)
			pg_sync_standby_input(sb, b, to_standby.msg[i], to_standby.len[i], now_ms,
					      enqueue, &to_primary);
		queue_clear(&to_standby);
		for (unsigned int i = 0; i < to_primary.n; i++)
			pg_sync_primary_input(p, to_primary.msg[i], to_primary.len[i], now_ms,
					      enqueue, &to_standby);
		queue_clear(&to_primary);
		if (!moved && sb->c.synced && p->c.unacked == 0 && pg_sync_pending(a) == 0)
			return;
		now_ms += 50;
	}
	fail_msg("no convergence: unacked %llu synced %d pending %u",
		 (unsigned long long)p->c.unacked, sb->c.synced, pg_sync_pending(a));
}

static void converge(struct pg_engine *a, struct pg_engine *b)
{
	converge_on(&prim, &stby, a, b);
}

static int session_setup(void **state)
{
	struct pg_sync_key k = key(0x42);

	queue_reset(&to_standby, 0);
	queue_reset(&to_primary, 0);
	assert_int_equal(pg_sync_primary_init(&prim, &k, 1000), 0);
	pg_sync_standby_init(&stby, &k);
	return setup(state);
}

static int session_teardown(void **state)
{
	queue_clear(&to_standby);
	queue_clear(&to_primary);
	pg_sync_primary_fini(&prim);
	return teardown(state);
}

/* ---- messages -------------------------------------------------------------------- */

static void test_message_checks(void **state)
{
	struct pg_sync_key k = key(1), other = key(2);
	struct pg_sync_msg m = { .type = PG_SYNC_DATA, .epoch = 7, .seq = 3, .body_len = 5 }, got;
	uint8_t buf[PG_SYNC_MSG_MAX];
	size_t n;

	(void)state;
	n = pg_sync_msg_build(&k, &m, (const uint8_t *)"hello", buf);
	assert_int_equal(n, PG_SYNC_HDR + 5 + PG_SYNC_MAC);
	assert_int_equal(pg_sync_msg_parse(&k, buf, n, &got), PG_SYNC_OK);
	assert_int_equal(got.seq, 3);
	assert_true(got.epoch == 7);
	assert_memory_equal(got.body, "hello", 5);

	assert_int_equal(pg_sync_msg_parse(&other, buf, n, &got), PG_SYNC_BAD_AUTH);
	assert_int_equal(pg_sync_msg_parse(&k, buf, n - 1, &got), PG_SYNC_TRUNCATED);
	assert_int_equal(pg_sync_msg_parse(&k, buf, 20, &got), PG_SYNC_TRUNCATED);
	buf[PG_SYNC_HDR + 1] ^= 1; /* the body altered */
	assert_int_equal(pg_sync_msg_parse(&k, buf, n, &got), PG_SYNC_BAD_AUTH);
	buf[PG_SYNC_HDR + 1] ^= 1;
	buf[4] = 2;
	assert_int_equal(pg_sync_msg_parse(&k, buf, n, &got), PG_SYNC_BAD_VERSION);
	/* A signed message of a type that carries no body, with one. */
	m.type = PG_SYNC_ACK;
	n = pg_sync_msg_build(&k, &m, (const uint8_t *)"hello", buf);
	assert_int_equal(pg_sync_msg_parse(&k, buf, n, &got), PG_SYNC_MALFORMED);
}

static void test_key_file(void **state)
{
	char path[] = "/tmp/pg-sync-key.XXXXXX";
	struct pg_sync_key k;
	const char *why = NULL;
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n", f);
	fclose(f);
	assert_int_equal(pg_sync_key_load(path, &k, &why), 0);
	assert_int_equal(k.len, 32);
	assert_int_equal(k.bytes[31], 0x1f);
	f = fopen(path, "w");
	fputs("0001zz\n", f);
	fclose(f);
	assert_int_equal(pg_sync_key_load(path, &k, &why), -EINVAL);
	f = fopen(path, "w");
	fputs("00010203\n", f); /* too short to be a key */
	fclose(f);
	assert_int_equal(pg_sync_key_load(path, &k, &why), -EINVAL);
	unlink(path);
	assert_true(pg_sync_key_load(path, &k, &why) < 0);
}

/* ---- sessions -------------------------------------------------------------------- */

/* A fifth of the messages lost each way: the standby still ends up alike. */
static void test_lossy_channel_converges(void **state)
{
	struct pg_engine *a = pgt_engine_default(), *b = pgt_engine_default();

	(void)state;
	assert_int_equal(pg_sync_enable(a, 8192), 0);
	converge(a, b); /* the first bulk, of nothing */
	to_standby.loss_pct = to_primary.loss_pct = 20;
	to_standby.skip = 1; /* the first update surely lost */
	traffic(a);
	converge(a, b);
	assert_true(to_standby.dropped + to_primary.dropped > 0);
	assert_true(prim.c.resent > 0);
	assert_int_equal(stby.c.records.malformed + stby.c.records.conflicts, 0);
	replay_alike(a, b);
	pg_engine_destroy(a);
	pg_engine_destroy(b);
}

/*
 * The standby unreachable while more changes happen than the ring holds:
 * the overflow brings a bulk, which repairs everything.
 */
static void test_overflow_brings_bulk(void **state)
{
	struct pg_engine *a = pgt_engine_default(), *b = pgt_engine_default();
	uint64_t bulks;

	(void)state;
	assert_int_equal(pg_sync_enable(a, 64), 0);
	converge(a, b);
	bulks = prim.c.bulks;
	to_standby.down = true;
	traffic(a);
	for (unsigned int i = 0; i < 10; i++) {
		pg_sync_primary_pump(&prim, a, now_ms, enqueue, &to_standby);
		now_ms += 100;
	}
	to_standby.down = false;
	converge(a, b);
	assert_true(prim.c.bulks > bulks);
	assert_true(stby.c.resyncs >= 2);
	replay_alike(a, b);
	pg_engine_destroy(a);
	pg_engine_destroy(b);
}

/* Wrong key, replay, truncation, an older primary: refused, counted, B unchanged. */
static void test_refusals_change_nothing(void **state)
{
	struct pg_engine *a = pgt_engine_default(), *b = pgt_engine_default();
	struct pg_sync_primary evil, old;
	struct pg_sync_key wrong = key(0x66), right = key(0x42);
	uint8_t saved[PG_SYNC_MSG_MAX];
	size_t saved_len = 0;
	uint32_t flows;
	struct pgt_spec s = { .proto = PGT_P_UDP,
			      .src = "192.168.1.10",
			      .sport = 1,
			      .dst = "203.0.113.9",
			      .dport = 2,
			      .paylen = 8 };

	(void)state;
	assert_int_equal(pg_sync_enable(a, 8192), 0);
	traffic(a);
	converge(a, b);
	flows = pg_engine_flow_count(b);

	/* Keep the next DATA message as it went out. */
	drive(a, &s, PG_SIDE_LAN);
	pg_sync_primary_pump(&prim, a, now_ms, enqueue, &to_standby);
	assert_true(to_standby.n >= 1); /* the change first, then maybe the refresh */
	memcpy(saved, to_standby.msg[0], to_standby.len[0]);
	saved_len = to_standby.len[0];
	converge(a, b);
	flows = pg_engine_flow_count(b);
	assert_int_equal(flows, pg_engine_flow_count(a));

	/* Replayed. */
	assert_int_equal(
	    pg_sync_standby_input(&stby, b, saved, saved_len, now_ms, enqueue, &to_primary),
	    PG_SYNC_REPLAY);
	/* Truncated. */
	assert_int_equal(
	    pg_sync_standby_input(&stby, b, saved, saved_len - 3, now_ms, enqueue, &to_primary),
	    PG_SYNC_TRUNCATED);
	/* Another key: a bulk that would wipe the standby, refused. */
	assert_int_equal(pg_sync_primary_init(&evil, &wrong, prim.epoch + 1), 0);
	pg_sync_primary_pump(&evil, a, now_ms, enqueue, &to_standby);
	assert_true(to_standby.n > 0);
	for (unsigned int i = 0; i < to_standby.n; i++)
		assert_int_equal(pg_sync_standby_input(&stby, b, to_standby.msg[i],
						       to_standby.len[i], now_ms, enqueue,
						       &to_primary),
				 PG_SYNC_BAD_AUTH);
	queue_clear(&to_standby);
	pg_sync_primary_fini(&evil);
	/* The right key but an older instance of the primary (a recorded stream). */
	assert_int_equal(pg_sync_primary_init(&old, &right, prim.epoch - 1), 0);
	pg_sync_primary_pump(&old, a, now_ms, enqueue, &to_standby);
	assert_int_equal(pg_sync_standby_input(&stby, b, to_standby.msg[0], to_standby.len[0],
					       now_ms, enqueue, &to_primary),
			 PG_SYNC_REPLAY);
	queue_clear(&to_standby);
	pg_sync_primary_fini(&old);

	assert_int_equal(pg_engine_flow_count(b), flows);
	assert_true(stby.c.refused[PG_SYNC_REPLAY] >= 2);
	assert_int_equal(stby.c.refused[PG_SYNC_TRUNCATED], 1);
	assert_true(stby.c.refused[PG_SYNC_BAD_AUTH] >= 1);
	assert_true(stby.c.synced);
	queue_clear(&to_primary);
	replay_alike(a, b);
	pg_engine_destroy(a);
	pg_engine_destroy(b);
}

/* The primary restarts (a newer epoch): the standby asks for and takes a bulk. */
static void test_new_primary_instance(void **state)
{
	struct pg_engine *a = pgt_engine_default(), *b = pgt_engine_default();
	struct pg_sync_key k = key(0x42);
	uint64_t resyncs;

	(void)state;
	assert_int_equal(pg_sync_enable(a, 8192), 0);
	traffic(a);
	converge(a, b);
	resyncs = stby.c.resyncs;
	pg_sync_primary_fini(&prim);
	assert_int_equal(pg_sync_primary_init(&prim, &k, 2000), 0);
	converge(a, b);
	assert_true(stby.c.resyncs > resyncs);
	assert_true(stby.epoch == 2000);
	replay_alike(a, b);
	pg_engine_destroy(a);
	pg_engine_destroy(b);
}

/* ---- roles following VRRP ---------------------------------------------------- */

static void test_takeover_epoch(void **state)
{
	(void)state;
	assert_true(pg_sync_takeover_epoch(5000, 1000, 0) == 5000);    /* our clock is ahead */
	assert_true(pg_sync_takeover_epoch(900, 1000, 0) == 1001);     /* behind the primary */
	assert_true(pg_sync_takeover_epoch(900, 1000, 1500) == 1501);  /* behind our own past */
	assert_true(pg_sync_takeover_epoch(1000, 1000, 1000) == 1001); /* never equal */
	assert_true(pg_sync_takeover_epoch(900, 0, 0) == 900);	       /* followed nobody */
}

static void test_ready(void **state)
{
	(void)state;
	assert_true(pg_sync_ready(true, false, 0, 0));	  /* a primary */
	assert_true(pg_sync_ready(false, true, 100, 100)); /* synced */
	assert_false(pg_sync_ready(false, false, 100, 100));
	assert_false(pg_sync_ready(false, false, 100 + PG_SYNC_JOIN_WAIT_MS - 1, 100));
	assert_true(pg_sync_ready(false, false, 100 + PG_SYNC_JOIN_WAIT_MS, 100)); /* alone */
	assert_false(pg_sync_ready(false, false, 50, 100)); /* a clock before the start */
}

/*
 * A primary, B standby. A dies; B takes over: its primary end starts an
 * epoch past the one it followed, though its clock is behind. A returns as
 * a new, empty instance, follows B and takes a bulk. Then A takes over again
 * and B, back to standby, takes a bulk from A. Each time the follower
 * translates every flow as the leader; an older instance's message is a
 * replay; the counters are kept across the role changes.
 */
static void test_rejoin_and_take_back(void **state)
{
	struct pg_engine *a = pgt_engine_default(), *b = pgt_engine_default(), *a2;
	struct pg_sync_key k = key(0x42);
	static struct pg_sync_primary prim_b, prim_a2;
	static struct pg_sync_standby stby_a2;
	uint8_t old[PG_SYNC_HDR + PG_SYNC_MAC];
	struct pg_sync_msg m = { .type = PG_SYNC_DATA, .epoch = 1000, .seq = 999 };
	uint64_t resyncs_b;

	(void)state;
	assert_int_equal(pg_sync_enable(a, 8192), 0);
	traffic(a);
	converge(a, b);
	assert_true(stby.epoch == 1000);

	/* A is gone; B master: primary with epoch past 1000, though its clock says 900. */
	pg_engine_destroy(a);
	assert_int_equal(pg_sync_primary_init(&prim_b, &k, 500), 0);
	pg_sync_primary_restart(&prim_b, pg_sync_takeover_epoch(900, stby.epoch, prim_b.epoch));
	assert_true(prim_b.epoch == 1001);
	assert_int_equal(pg_sync_enable(b, 8192), 0);

	/* A returns empty (a restarted daemon) and follows B. */
	a2 = pgt_engine_default();
	pg_sync_standby_init(&stby_a2, &k);
	converge_on(&prim_b, &stby_a2, b, a2);
	assert_true(stby_a2.epoch == 1001);
	assert_true(stby_a2.c.resyncs == 1 && stby_a2.c.synced);
	assert_true(prim_b.c.bulks >= 1);
	assert_int_equal(stby_a2.c.records.malformed + stby_a2.c.records.conflicts, 0);
	assert_true(pg_engine_flow_count(a2) > 0);
	replay_alike(b, a2);

	/* A takes over again; B follows anew (its standby end, counters kept). */
	resyncs_b = stby.c.resyncs;
	assert_int_equal(pg_sync_primary_init(&prim_a2, &k, 700), 0);
	pg_sync_primary_restart(&prim_a2,
				pg_sync_takeover_epoch(800, stby_a2.epoch, prim_a2.epoch));
	assert_true(prim_a2.epoch == 1002);
	assert_int_equal(pg_sync_enable(a2, 8192), 0);
	pg_sync_disable(b);
	pg_sync_standby_restart(&stby);
	assert_false(stby.c.synced);
	converge_on(&prim_a2, &stby, a2, b);
	assert_true(stby.epoch == 1002 && stby.c.synced);
	assert_true(stby.c.resyncs == resyncs_b + 1);
	replay_alike(a2, b);

	/* The first A's stream, heard again: older than the epoch followed. */
	pg_sync_msg_build(&k, &m, NULL, old);
	assert_int_equal(pg_sync_standby_input(&stby, b, old, sizeof(old), now_ms, enqueue,
					       &to_primary),
			 PG_SYNC_REPLAY);
	queue_clear(&to_primary);
	assert_true(stby.c.synced);
	replay_alike(a2, b);

	pg_sync_primary_fini(&prim_b);
	pg_sync_primary_fini(&prim_a2);
	pg_engine_destroy(a2);
	pg_engine_destroy(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_message_checks),
		cmocka_unit_test(test_key_file),
		cmocka_unit_test_setup_teardown(test_lossy_channel_converges, session_setup,
						session_teardown),
		cmocka_unit_test_setup_teardown(test_overflow_brings_bulk, session_setup,
						session_teardown),
		cmocka_unit_test_setup_teardown(test_refusals_change_nothing, session_setup,
						session_teardown),
		cmocka_unit_test_setup_teardown(test_new_primary_instance, session_setup,
						session_teardown),
		cmocka_unit_test(test_takeover_epoch),
		cmocka_unit_test(test_ready),
		cmocka_unit_test_setup_teardown(test_rejoin_and_take_back, session_setup,
						session_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
