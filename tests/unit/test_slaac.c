/* SPDX-License-Identifier: MIT */
/*
 * test_slaac.c - the WAN's SLAAC prefix (src/l2/slaac.c): the first offer
 * taken, refreshed, a renumbering (new prefix, old one at lifetime 0)
 * moving the address at once whatever the options' order, RFC 4862 5.5.3's
 * two-hour rule, expiry with and without another prefix, offers that form
 * no address.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "l2/slaac.h"

static const uint8_t pa[8] = {0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0};
static const uint8_t pb[8] = {0x20, 0x01, 0x0d, 0xb8, 0xff, 0xfe, 0, 0};
static const uint8_t pc[8] = {0x20, 0x01, 0x0d, 0xb8, 0xff, 0xfd, 0, 0};

static void test_first_and_refresh(void **state)
{
	struct pg_slaac s = {0};

	(void)state;
	assert_false(pg_slaac_decide(&s, 0));
	pg_slaac_offer(&s, pa, 86400, 14400, 1000);
	assert_true(pg_slaac_decide(&s, 1000));
	assert_true(s.cur.used);
	assert_memory_equal(s.cur.prefix, pa, 8);
	assert_int_equal(s.cur.valid_end_ms, 1000 + 86400000ull);
	assert_false(s.alt.used);
	/* The same prefix again: lifetimes refreshed, no move. */
	pg_slaac_offer(&s, pa, 86400, 14400, 60000);
	assert_false(pg_slaac_decide(&s, 60000));
	assert_int_equal(s.cur.preferred_end_ms, 60000 + 14400000ull);
	assert_int_equal(s.moves, 1);
}

/* radvd's order or the reverse: the move happens after the whole RA. */
static void renumber(bool old_first)
{
	struct pg_slaac s = {0};

	pg_slaac_offer(&s, pa, 86400, 14400, 0);
	pg_slaac_decide(&s, 0);
	if (old_first)
		pg_slaac_offer(&s, pa, 0, 0, 5000);
	pg_slaac_offer(&s, pb, 86400, 14400, 5000);
	if (!old_first)
		pg_slaac_offer(&s, pa, 0, 0, 5000);
	assert_true(pg_slaac_decide(&s, 5000));
	assert_memory_equal(s.cur.prefix, pb, 8);
	assert_false(s.alt.used);
	/* The old prefix offered deprecated later: it does not come back. */
	pg_slaac_offer(&s, pa, 0, 0, 9000);
	assert_false(pg_slaac_decide(&s, 9000));
	assert_memory_equal(s.cur.prefix, pb, 8);
	assert_int_equal(s.moves, 2);
}

static void test_renumber(void **state)
{
	(void)state;
	renumber(true);
	renumber(false);
}

/* A second preferred prefix is remembered, not moved to. */
static void test_stays_while_preferred(void **state)
{
	struct pg_slaac s = {0};

	(void)state;
	pg_slaac_offer(&s, pa, 86400, 14400, 0);
	pg_slaac_decide(&s, 0);
	pg_slaac_offer(&s, pb, 86400, 14400, 100);
	assert_false(pg_slaac_decide(&s, 100));
	assert_memory_equal(s.cur.prefix, pa, 8);
	assert_true(s.alt.used);
	/* A deprecated offer does not replace a preferred alternative. */
	pg_slaac_offer(&s, pc, 86400, 0, 200);
	assert_memory_equal(s.alt.prefix, pb, 8);
	/* cur's preferred time runs out: the move. */
	assert_true(pg_slaac_decide(&s, 14400000ull + 1));
	assert_memory_equal(s.cur.prefix, pb, 8);
}

static void test_two_hour_rule(void **state)
{
	struct pg_slaac s = {0};

	(void)state;
	pg_slaac_offer(&s, pa, 86400, 14400, 0);
	pg_slaac_decide(&s, 0);
	/* Lifetime 0 with a day left: valid 2 h more, deprecated now. */
	pg_slaac_offer(&s, pa, 0, 0, 1000);
	assert_int_equal(s.cur.valid_end_ms, 1000 + PG_SLAAC_TWO_HOURS_MS);
	assert_int_equal(s.cur.preferred_end_ms, 1000);
	/* With 2 h or less left, a shorter one is ignored; a longer one taken. */
	pg_slaac_offer(&s, pa, 60, 0, 2000);
	assert_int_equal(s.cur.valid_end_ms, 1000 + PG_SLAAC_TWO_HOURS_MS);
	pg_slaac_offer(&s, pa, 9000, 100, 3000);
	assert_int_equal(s.cur.valid_end_ms, 3000 + 9000000ull);
	assert_int_equal(s.cur.preferred_end_ms, 3000 + 100000ull);
	/* No other prefix: the deprecated address is kept until it expires... */
	assert_false(pg_slaac_decide(&s, 4000));
	assert_true(s.cur.used);
	/* ...then given up. */
	assert_true(pg_slaac_decide(&s, 3000 + 9000000ull));
	assert_false(s.cur.used);
}

static void test_expiry_takes_other(void **state)
{
	struct pg_slaac s = {0};

	(void)state;
	pg_slaac_offer(&s, pa, 100, 50, 0);
	pg_slaac_decide(&s, 0);
	pg_slaac_offer(&s, pb, 1000, 0, 10); /* deprecated, but valid */
	assert_false(pg_slaac_decide(&s, 10));
	assert_true(pg_slaac_decide(&s, 100000));
	assert_memory_equal(s.cur.prefix, pb, 8);
	/* Infinite lifetimes never run out. */
	pg_slaac_offer(&s, pb, 0xffffffffu, 0xffffffffu, 200000);
	assert_int_equal(s.cur.valid_end_ms, UINT64_MAX);
	assert_false(pg_slaac_decide(&s, UINT64_MAX - 1));
}

static void test_no_address(void **state)
{
	struct pg_slaac s = {0};

	(void)state;
	pg_slaac_offer(&s, pa, 0, 0, 0);       /* valid 0: 5.5.3 d) */
	pg_slaac_offer(&s, pb, 100, 200, 0);   /* preferred > valid: 5.5.3 c) */
	assert_false(pg_slaac_decide(&s, 0));
	assert_false(s.cur.used);
	/* An alternative withdrawn before it was used is forgotten. */
	pg_slaac_offer(&s, pc, 100, 100, 0);
	pg_slaac_offer(&s, pc, 0, 0, 0);
	assert_false(pg_slaac_decide(&s, 0));
	assert_int_equal(s.moves, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_and_refresh), cmocka_unit_test(test_renumber),
		cmocka_unit_test(test_stays_while_preferred), cmocka_unit_test(test_two_hour_rule),
		cmocka_unit_test(test_expiry_takes_other), cmocka_unit_test(test_no_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
