/* SPDX-License-Identifier: MIT */
/*
 * test_portdir.c - the public ports several workers share (src/engine/portdir.c).
 *
 * A long random sequence of ports taken, shared, given back and reserved,
 * in an index made small so that the sockets' slots collide and wrap,
 * checked after every step against a plain model: who holds each port, the
 * port each socket holds, the bitmap, and the free counts by class. The
 * index removes entries by shifting later ones back; a wrong shift shows as
 * a socket that can no longer be found.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../lib/fixture.h"
#include "engine/engine_internal.h"
#include "engine/portdir.h"

#define NSOCK 3800
#define SPACE PG_PORTS_UDP

struct model {
	int port[NSOCK];     /* the port socket i holds, or -1 */
	int refs[NSOCK];
	int holder[65536];   /* the socket holding a port, or -1 */
	uint64_t rsv[65536 / 64];
};

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint32_t rnd(uint32_t n)
{
	return pgt_rand(&rng_state, n);
}

static uint32_t sock_lan(unsigned int i)
{
	return 0x0a000000u + i / 7; /* network order does not matter to the directory */
}

static uint16_t sock_port(unsigned int i)
{
	return (uint16_t)(1000 + i % 7);
}

static bool reserved(const struct model *m, unsigned int p)
{
	return (m->rsv[p >> 6] >> (p & 63)) & 1;
}

static void check(const struct pg_portdir *d, const struct model *m)
{
	uint32_t want[PG_PORT_CLASSES] = {0};
	const uint32_t *got = pg_portdir_free(d, SPACE);

	for (unsigned int i = 0; i < NSOCK; i++)
		assert_int_equal(pg_portdir_find(d, SPACE, sock_lan(i), sock_port(i)), m->port[i]);
	for (unsigned int p = 0; p < 65536; p++) {
		uint32_t lan;
		uint16_t lport;
		bool used = (pg_portdir_used(d, SPACE)[p >> 6] >> (p & 63)) & 1;

		assert_int_equal(used, m->holder[p] >= 0);
		assert_int_equal(pg_portdir_owner(d, SPACE, (uint16_t)p, &lan, &lport),
				 m->holder[p] >= 0);
		if (m->holder[p] >= 0) {
			assert_int_equal(lan, sock_lan((unsigned int)m->holder[p]));
			assert_int_equal(lport, sock_port((unsigned int)m->holder[p]));
		} else if (p && !reserved(m, p)) {
			want[pg_port_class(p)]++;
		}
	}
	assert_memory_equal(got, want, sizeof(want));
}

static void test_random_against_model(void **state)
{
	/* 4096 slots for up to 3800 sockets: long runs, wrap-around, many shifts. */
	struct pg_portdir *d = pg_portdir_create_sized(0x1234, 12);
	static struct model m;

	(void)state;
	assert_non_null(d);
	memset(&m, 0, sizeof(m));
	for (unsigned int i = 0; i < NSOCK; i++)
		m.port[i] = -1;
	for (unsigned int p = 0; p < 65536; p++)
		m.holder[p] = -1;
	for (unsigned int step = 0; step < 200000; step++) {
		/* Filling and draining in turns: high load, then many removals. */
		unsigned int i = rnd(NSOCK), op = rnd(10), adds = (step / 20000) % 2 ? 3 : 7;

		if (op == 0) {
			/* New forwards: a range reserved (only over free ports, as config does). */
			unsigned int lo = 1024 + rnd(60000), hi = lo + rnd(50);

			memset(m.rsv, 0, sizeof(m.rsv));
			for (unsigned int p = lo; p <= hi; p++)
				if (m.holder[p] < 0)
					m.rsv[p >> 6] |= 1ULL << (p & 63);
			pg_portdir_reserve(d, SPACE, m.rsv);
		} else if (m.port[i] < 0 && op < adds) {
			unsigned int p = 1 + rnd(65535);

			if (m.holder[p] >= 0 || reserved(&m, p))
				continue;
			pg_portdir_add(d, SPACE, sock_lan(i), sock_port(i), (uint16_t)p);
			m.port[i] = (int)p;
			m.refs[i] = 1;
			m.holder[p] = (int)i;
		} else if (m.port[i] >= 0 && op == adds) {
			pg_portdir_ref(d, SPACE, (uint16_t)m.port[i]);
			m.refs[i]++;
		} else if (m.port[i] >= 0) {
			pg_portdir_unref(d, SPACE, (uint16_t)m.port[i]);
			if (!--m.refs[i]) {
				m.holder[m.port[i]] = -1;
				m.port[i] = -1;
			}
		}
		if (step % 2000 == 0 || step > 199900)
			check(d, &m);
	}
	check(d, &m);
	pg_portdir_destroy(d);
}

/* Noted as having sent to the public address; forgotten when the port is freed. */
static void test_sent_self_forgotten_with_port(void **state)
{
	struct pg_portdir *d = pg_portdir_create(7);

	(void)state;
	assert_non_null(d);
	pg_portdir_note_self(d, SPACE, 5000); /* nobody holds it: nothing to note */
	assert_false(pg_portdir_sent_self(d, SPACE, 5000));
	pg_portdir_add(d, SPACE, 1, 2, 5000);
	pg_portdir_note_self(d, SPACE, 5000);
	assert_true(pg_portdir_sent_self(d, SPACE, 5000));
	pg_portdir_unref(d, SPACE, 5000);
	assert_false(pg_portdir_sent_self(d, SPACE, 5000));
	pg_portdir_add(d, SPACE, 3, 4, 5000);
	assert_false(pg_portdir_sent_self(d, SPACE, 5000));
	pg_portdir_destroy(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_against_model),
		cmocka_unit_test(test_sent_self_forgotten_with_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
