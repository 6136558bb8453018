/* SPDX-License-Identifier: MIT */
/*
 * test_sync_session.c - the sync channel (sync/proto.c, sync/session.c):
 * messages signed and checked; a standby fed through a channel that loses,
 * in both directions, ends up translating every flow as the primary does;
 * a lost update is re-sent, an overflowed change ring brings a bulk; wrong
 * keys, replays, truncation and messages of an older primary are refused,
 * counted, and change nothing.
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

/* Deliver both queues until nothing moves, pumping the primary every 50 ms. */
static void converge(struct pg_engine *a, struct pg_engine *b)
{
	for (unsigned int round = 0; round < 400; round++) {
		unsigned int moved = to_standby.n + to_primary.n;

		pg_sync_primary_pump(&prim, a, now_ms, enqueue, &to_standby);
		pg_sync_standby_tick(&stby, now_ms, enqueue, &to_primary);
		for (unsigned int i = 0; i < to_standby.n; i++)
			pg_sync_standby_input(&stby, b, to_standby.msg[i], to_standby.len[i],
					      now_ms, enqueue, &to_primary);
		queue_clear(&to_standby);
		for (unsigned int i = 0; i < to_primary.n; i++)
			pg_sync_primary_input(&prim, to_primary.msg[i], to_primary.len[i], now_ms,
					      enqueue, &to_standby);
		queue_clear(&to_primary);
		if (!moved && stby.c.synced && prim.c.unacked == 0 && pg_sync_pending(a) == 0)
			return;
		now_ms += 50;
	}
	fail_msg("no convergence: unacked %llu synced %d pending %u",
		 (unsigned long long)prim.c.unacked, stby.c.synced, pg_sync_pending(a));
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
