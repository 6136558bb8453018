/* SPDX-License-Identifier: MIT */
/*
 * test_neigh.c - the neighbour cache driven with a fake clock: resolution,
 * held packets and their limit, retries and giving up, staleness and
 * re-confirmation, ageing, eviction, and the hash table under churn.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "l2/l2_counters.h"
#include "l2/neigh.h"

/* What the cache asked for. */
static uint32_t solicited[64];
static unsigned int n_solicited;
static uint8_t xmit_first[64];
static uint8_t xmit_mac[64][6];
static uint32_t xmit_len[64];
static unsigned int n_xmit;

static void fake_solicit(void *ctx, uint32_t ip)
{
	(void)ctx;
	if (n_solicited < 64)
		solicited[n_solicited] = ip;
	n_solicited++;
}

static void fake_xmit(void *ctx, const uint8_t mac[6], uint8_t *l3, uint32_t len)
{
	(void)ctx;
	/* The headroom promised for the Ethernet header is writable. */
	memset(l3 - PG_NEIGH_HEADROOM, 0xee, PG_NEIGH_HEADROOM);
	if (n_xmit < 64) {
		xmit_first[n_xmit] = l3[0];
		memcpy(xmit_mac[n_xmit], mac, 6);
		xmit_len[n_xmit] = len;
	}
	n_xmit++;
}

static const struct pg_neigh_ops ops = {.solicit = fake_solicit, .xmit = fake_xmit};
static uint64_t cnt[PG_L2_CNT__COUNT];

static const uint8_t mac_a[6] = {2, 0, 0, 0, 0, 0xa};
static const uint8_t mac_b[6] = {2, 0, 0, 0, 0, 0xb};

#define IP(n) ((uint32_t)(0x0001a8c0u | ((uint32_t)(n) << 24))) /* 192.168.1.n, network order */

static int setup(void **state)
{
	struct pg_neigh_table *t = calloc(1, sizeof(*t));

	memset(cnt, 0, sizeof(cnt));
	n_solicited = 0;
	n_xmit = 0;
	assert_int_equal(pg_neigh_init(t, 16, 8, &ops, NULL, cnt), 0);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	pg_neigh_fini(*state);
	free(*state);
	return 0;
}

static enum pg_neigh_result out(struct pg_neigh_table *t, uint32_t ip, uint8_t tag, uint64_t now,
				uint8_t *mac)
{
	uint8_t pkt[100];

	memset(pkt, tag, sizeof(pkt));
	return pg_neigh_output(t, ip, pkt, sizeof(pkt), now, mac);
}

static void test_resolve(void **state)
{
	struct pg_neigh_table *t = *state;
	uint8_t mac[6];

	assert_int_equal(out(t, IP(10), 1, 1000, mac), PG_NEIGH_HELD);
	assert_int_equal(out(t, IP(10), 2, 1010, mac), PG_NEIGH_HELD);
	/* One request per resolution, not per packet. */
	assert_int_equal(n_solicited, 1);
	assert_int_equal(solicited[0], IP(10));
	assert_int_equal(pg_neigh_find(t, IP(10))->state, PG_NEIGH_INCOMPLETE);
	/* The answer sends what was held, in order, to the learnt MAC. */
	pg_neigh_learn(t, IP(10), mac_a, 1020, false);
	assert_int_equal(n_xmit, 2);
	assert_int_equal(xmit_first[0], 1);
	assert_int_equal(xmit_first[1], 2);
	assert_int_equal(xmit_len[0], 100);
	assert_memory_equal(xmit_mac[0], mac_a, 6);
	assert_int_equal(pg_neigh_find(t, IP(10))->state, PG_NEIGH_REACHABLE);
	assert_int_equal(out(t, IP(10), 3, 1030, mac), PG_NEIGH_SEND);
	assert_memory_equal(mac, mac_a, 6);
	assert_int_equal(n_xmit, 2);
	assert_int_equal(cnt[PG_L2_CNT_NEIGH_QUEUED], 2);
	assert_int_equal(cnt[PG_L2_CNT_ARP_REQUESTS_SENT], 1);
	/* A changed MAC is taken from the next ARP. */
	pg_neigh_learn(t, IP(10), mac_b, 2000, false);
	assert_int_equal(out(t, IP(10), 4, 2001, mac), PG_NEIGH_SEND);
	assert_memory_equal(mac, mac_b, 6);
}

static void test_learn_create(void **state)
{
	struct pg_neigh_table *t = *state;

	/* ARP not addressed to us refreshes known neighbours only. */
	pg_neigh_learn(t, IP(20), mac_a, 0, false);
	assert_null(pg_neigh_find(t, IP(20)));
	pg_neigh_learn(t, IP(20), mac_a, 0, true);
	assert_non_null(pg_neigh_find(t, IP(20)));
	assert_int_equal(pg_neigh_count(t), 1);
	assert_int_equal(n_solicited, 0);
}

static void test_queue_limit(void **state)
{
	struct pg_neigh_table *t = *state;
	uint8_t mac[6];
	int held = 0;

	for (int i = 0; i < PG_NEIGH_QUEUE_MAX + 2; i++)
		held += out(t, IP(10), (uint8_t)i, 1000, mac) == PG_NEIGH_HELD;
	assert_int_equal(held, PG_NEIGH_QUEUE_MAX);
	assert_int_equal(cnt[PG_L2_CNT_DROP_NEIGH_QUEUE_FULL], 2);
	/* The pool (8 slots) runs dry before a third neighbour's limit is reached. */
	for (int i = 0; i < PG_NEIGH_QUEUE_MAX; i++)
		out(t, IP(11), 0, 1000, mac);
	assert_int_equal(out(t, IP(12), 0, 1000, mac), PG_NEIGH_DROPPED);
	assert_int_equal(cnt[PG_L2_CNT_DROP_NEIGH_QUEUE_FULL], 3);
	/* Still asked for, though. */
	assert_int_equal(n_solicited, 3);
	/* Slots come back when a neighbour answers. */
	pg_neigh_learn(t, IP(10), mac_a, 1100, true);
	assert_int_equal(n_xmit, PG_NEIGH_QUEUE_MAX);
	assert_int_equal(out(t, IP(12), 0, 1100, mac), PG_NEIGH_HELD);
	/* A packet too big for a slot is dropped, not truncated. */
	uint8_t big[PG_NEIGH_PKT_MAX + 1] = {0};
	assert_int_equal(pg_neigh_output(t, IP(13), big, sizeof(big), 1100, mac), PG_NEIGH_DROPPED);
}

static void test_retry_and_give_up(void **state)
{
	struct pg_neigh_table *t = *state;
	uint8_t mac[6];

	out(t, IP(10), 1, 1000, mac);
	out(t, IP(10), 2, 1000, mac);
	pg_neigh_timer(t, 1500);
	assert_int_equal(n_solicited, 1);
	pg_neigh_timer(t, 2000);
	assert_int_equal(n_solicited, 2);
	/* The timer works at most every 100 ms. */
	pg_neigh_timer(t, 2050);
	assert_int_equal(n_solicited, 2);
	pg_neigh_timer(t, 3000);
	assert_int_equal(n_solicited, 3);
	assert_non_null(pg_neigh_find(t, IP(10)));
	/* Three seconds without an answer: held packets are counted and freed. */
	pg_neigh_timer(t, 4000);
	assert_null(pg_neigh_find(t, IP(10)));
	assert_int_equal(cnt[PG_L2_CNT_DROP_NEIGH_UNRESOLVED], 2);
	assert_int_equal(cnt[PG_L2_CNT_NEIGH_EXPIRED], 1);
	assert_int_equal(pg_neigh_count(t), 0);
	assert_int_equal(n_xmit, 0);
	/* A later answer does not resurrect anything by itself. */
	pg_neigh_learn(t, IP(10), mac_a, 4100, false);
	assert_null(pg_neigh_find(t, IP(10)));
	/* The next packet starts a fresh resolution. */
	assert_int_equal(out(t, IP(10), 3, 5000, mac), PG_NEIGH_HELD);
	assert_int_equal(n_solicited, 4);
}

static void test_stale_probe(void **state)
{
	struct pg_neigh_table *t = *state;
	uint8_t mac[6];

	pg_neigh_learn(t, IP(10), mac_a, 0, true);
	assert_int_equal(out(t, IP(10), 1, PG_NEIGH_STALE_MS - 1, mac), PG_NEIGH_SEND);
	assert_int_equal(n_solicited, 0);
	/* Stale: still used at once, and re-confirmed in the background. */
	assert_int_equal(out(t, IP(10), 1, PG_NEIGH_STALE_MS, mac), PG_NEIGH_SEND);
	assert_memory_equal(mac, mac_a, 6);
	assert_int_equal(n_solicited, 1);
	assert_int_equal(pg_neigh_find(t, IP(10))->state, PG_NEIGH_PROBE);
	assert_int_equal(out(t, IP(10), 1, PG_NEIGH_STALE_MS + 10, mac), PG_NEIGH_SEND);
	assert_int_equal(n_solicited, 1);
	/* An answer makes it fresh again. */
	pg_neigh_learn(t, IP(10), mac_a, PG_NEIGH_STALE_MS + 20, false);
	assert_int_equal(pg_neigh_find(t, IP(10))->state, PG_NEIGH_REACHABLE);

	/* Unanswered probe: forgotten after the give-up time. */
	uint64_t t0 = 2 * PG_NEIGH_STALE_MS + 20;
	assert_int_equal(out(t, IP(10), 1, t0, mac), PG_NEIGH_SEND);
	assert_int_equal(n_solicited, 2);
	pg_neigh_timer(t, t0 + PG_NEIGH_RETRY_MS);
	assert_int_equal(n_solicited, 3);
	pg_neigh_timer(t, t0 + PG_NEIGH_GIVEUP_MS);
	assert_null(pg_neigh_find(t, IP(10)));
	assert_int_equal(out(t, IP(10), 1, t0 + PG_NEIGH_GIVEUP_MS + 1, mac), PG_NEIGH_HELD);
}

static void test_ageing_unused(void **state)
{
	struct pg_neigh_table *t = *state;
	uint8_t mac[6];

	pg_neigh_learn(t, IP(10), mac_a, 0, true);
	pg_neigh_learn(t, IP(11), mac_b, 0, true);
	out(t, IP(11), 1, PG_NEIGH_UNUSED_MS - 1000, mac); /* starts a probe */
	pg_neigh_learn(t, IP(11), mac_b, PG_NEIGH_UNUSED_MS - 900, false);
	pg_neigh_timer(t, PG_NEIGH_UNUSED_MS - 200);
	assert_non_null(pg_neigh_find(t, IP(10)));
	pg_neigh_timer(t, PG_NEIGH_UNUSED_MS);
	/* Unused for 5 minutes: gone; the one in use stays. */
	assert_null(pg_neigh_find(t, IP(10)));
	assert_non_null(pg_neigh_find(t, IP(11)));
	assert_int_equal(pg_neigh_count(t), 1);
}

static void test_full_table_evicts_lru(void **state)
{
	struct pg_neigh_table *t = *state;
	uint8_t mac[6];

	for (uint32_t i = 0; i < 16; i++)
		pg_neigh_learn(t, IP(100 + i), mac_a, 1000 + i, true);
	assert_int_equal(pg_neigh_count(t), 16);
	/* Use all but .100 recently: .100 is the least recently used. */
	for (uint32_t i = 1; i < 16; i++)
		out(t, IP(100 + i), 0, 5000, mac);
	assert_int_equal(out(t, IP(200), 0, 6000, mac), PG_NEIGH_HELD);
	assert_null(pg_neigh_find(t, IP(100)));
	assert_int_equal(cnt[PG_L2_CNT_NEIGH_EVICTED], 1);
	assert_int_equal(pg_neigh_count(t), 16);
}

static void test_full_of_incomplete(void **state)
{
	uint64_t c[PG_L2_CNT__COUNT] = {0};
	struct pg_neigh_table t;
	uint8_t mac[6];

	(void)state;
	assert_int_equal(pg_neigh_init(&t, 2, 4, &ops, NULL, c), 0);
	out(&t, IP(1), 0, 0, mac);
	out(&t, IP(2), 0, 0, mac);
	/* Nothing resolved to evict: the new neighbour is refused. */
	assert_int_equal(out(&t, IP(3), 0, 0, mac), PG_NEIGH_DROPPED);
	assert_int_equal(c[PG_L2_CNT_DROP_NEIGH_TABLE_FULL], 1);
	pg_neigh_fini(&t);
}

static uint32_t gone_ip, gone_dropped;

static void fake_unreachable(void *ctx, uint32_t ip, uint32_t dropped)
{
	(void)ctx;
	gone_ip = ip;
	gone_dropped = dropped;
}

static void test_unreachable_reported(void **state)
{
	static const struct pg_neigh_ops ops2 = {
		.solicit = fake_solicit,
		.xmit = fake_xmit,
		.unreachable = fake_unreachable,
	};
	uint64_t c[PG_L2_CNT__COUNT] = {0};
	struct pg_neigh_table t;
	uint8_t mac[6];

	(void)state;
	assert_int_equal(pg_neigh_init(&t, 4, 8, &ops2, NULL, c), 0);
	out(&t, IP(9), 0, 0, mac);
	out(&t, IP(9), 0, 0, mac);
	out(&t, IP(9), 0, 0, mac);
	pg_neigh_timer(&t, PG_NEIGH_GIVEUP_MS);
	assert_int_equal(gone_ip, IP(9));
	assert_int_equal(gone_dropped, 3);
	assert_int_equal(c[PG_L2_CNT_DROP_NEIGH_UNRESOLVED], 3);
	pg_neigh_fini(&t);
}

/* Random inserts and removals against a plain array: lookups never miss. */
static void test_churn(void **state)
{
	uint64_t c[PG_L2_CNT__COUNT] = {0};
	struct pg_neigh_table t;
	bool live[256] = {false};
	uint64_t now = 0;
	uint8_t mac[6];

	(void)state;
	assert_int_equal(pg_neigh_init(&t, 200, 0, &ops, NULL, c), 0);
	srand(7);
	for (int round = 0; round < 20000; round++) {
		unsigned int k = (unsigned int)rand() % 256;
		/* Spread keys so that runs collide and wrap the table. */
		uint32_t ip = (uint32_t)k * 0x01010101u;

		now += 7;
		if (rand() % 3) {
			pg_neigh_learn(&t, ip, mac_a, now, true);
			live[k] = pg_neigh_find(&t, ip) != NULL;
		} else {
			/* Age one out: make it stale and unused, then run the timer. */
			if (!live[k])
				continue;
			now += PG_NEIGH_UNUSED_MS;
			pg_neigh_timer(&t, now);
			/* Everything else went too: forget all. */
			memset(live, 0, sizeof(live));
			assert_int_equal(pg_neigh_count(&t), 0);
		}
		/* Evictions may have removed others: recompute from the table. */
		unsigned int n = 0;
		for (unsigned int j = 0; j < 256; j++) {
			const struct pg_neigh_entry *e =
				pg_neigh_find(&t, (uint32_t)j * 0x01010101u);

			if (live[j] && !e)
				live[j] = false; /* evicted: allowed when full */
			if (e)
				n++;
			assert_true(!e || live[j]);
		}
		assert_int_equal(n, pg_neigh_count(&t));
		assert_true(pg_neigh_count(&t) <= 200);
	}
	/* Output on a missing entry with no slots still asks, and drops. */
	assert_int_equal(pg_neigh_output(&t, 0x0a0a0a0a, mac, 1, now, mac), PG_NEIGH_DROPPED);
	pg_neigh_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_learn_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_and_give_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ageing_unused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_table_evicts_lru, setup, teardown),
		cmocka_unit_test(test_full_of_incomplete),
		cmocka_unit_test(test_unreachable_reported),
		cmocka_unit_test(test_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
