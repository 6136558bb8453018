/* SPDX-License-Identifier: MIT */
/*
 * test_config_safe.c - the pure parts of safe changes: the probation's
 * decision with the time given (conf/confirm.c), which settings count as
 * able to lock the admin out, the kept configurations and their rotation
 * (conf/config_history.c, in a directory of the test's own) and the unified diff
 * (conf/textdiff.c), exact output compared.
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

#include "conf/confirm.h"
#include "conf/config_history.h"
#include "conf/textdiff.h"

static void test_confirm_window(void **state)
{
	struct pg_confirm c = {0};
	uint32_t s = 0;

	(void)state;
	assert_int_equal(pg_confirm_parse_seconds("120", &s), 0);
	assert_int_equal(s, 120);
	assert_int_equal(pg_confirm_parse_seconds("5", &s), 0);
	assert_int_equal(pg_confirm_parse_seconds("3600", &s), 0);
	assert_int_equal(pg_confirm_parse_seconds("03600", &s), 0);
	assert_int_equal(pg_confirm_parse_seconds("4", &s), -EINVAL);
	assert_int_equal(pg_confirm_parse_seconds("3601", &s), -EINVAL);
	assert_int_equal(pg_confirm_parse_seconds("000010", &s), -EINVAL); /* six digits */
	assert_int_equal(pg_confirm_parse_seconds("", &s), -EINVAL);
	assert_int_equal(pg_confirm_parse_seconds(NULL, &s), -EINVAL);
	assert_int_equal(pg_confirm_parse_seconds("1e2", &s), -EINVAL);
	assert_int_equal(pg_confirm_parse_seconds("-60", &s), -EINVAL);

	/* Not armed: never due. */
	assert_false(pg_confirm_due(&c, UINT64_MAX));
	assert_int_equal(pg_confirm_left_s(&c, 0), 0);
	assert_int_equal(pg_confirm_arm(&c, 5000, 1700000000, 4, "old", 3, "x"), -EINVAL);
	assert_int_equal(pg_confirm_arm(&c, 5000, 1700000000, 8, "old\n", 4, "[input] lan"), 0);
	assert_string_equal(c.prev_text, "old\n");
	assert_int_equal(c.prev_len, 4);
	/* A second change cannot stack on the first. */
	assert_int_equal(pg_confirm_arm(&c, 5000, 1700000000, 8, "new", 3, "y"), -EBUSY);
	assert_string_equal(c.what, "[input] lan");
	/* Due at exactly now + 8 s, not before; seconds left rounded up. */
	assert_false(pg_confirm_due(&c, 5000));
	assert_int_equal(pg_confirm_left_s(&c, 5000), 8);
	assert_int_equal(pg_confirm_left_s(&c, 5001), 8);
	assert_int_equal(pg_confirm_left_s(&c, 12000), 1);
	assert_false(pg_confirm_due(&c, 12999));
	assert_int_equal(pg_confirm_left_s(&c, 12999), 1);
	assert_true(pg_confirm_due(&c, 13000));
	assert_int_equal(pg_confirm_left_s(&c, 13000), 0);
	assert_true(pg_confirm_due(&c, 99999999));
	pg_confirm_disarm(&c);
	assert_false(c.armed);
	assert_null(c.prev_text);
	assert_false(pg_confirm_due(&c, 99999999));
}

static void test_risky_settings(void **state)
{
	struct pg_reload_diff d;
	char buf[128];

	(void)state;
	assert_true(pg_confirm_risky_name("[input] lan"));
	assert_true(pg_confirm_risky_name("[api] listen"));
	assert_true(pg_confirm_risky_name("[api] token_hash"));
	assert_true(pg_confirm_risky_name("[forward] rule"));
	assert_false(pg_confirm_risky_name("[passthrough] pptp"));
	assert_false(pg_confirm_risky_name("[timeouts] udp"));
	assert_false(pg_confirm_risky_name("[input]"));

	memset(&d, 0, sizeof(d));
	d.n = 3;
	snprintf(d.names[0], sizeof(d.names[0]), "[timeouts] udp");
	snprintf(d.names[1], sizeof(d.names[1]), "[input] lan");
	snprintf(d.names[2], sizeof(d.names[2]), "[host] routes");
	assert_int_equal(pg_confirm_risky(&d, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "[input] lan, [host] routes");
	d.n = 1;
	assert_int_equal(pg_confirm_risky(&d, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	d.too_long = true;
	assert_int_equal(pg_confirm_risky(&d, buf, sizeof(buf)), 1);
}

static void test_history_names(void **state)
{
	uint32_t seq = 0;

	(void)state;
	assert_true(pg_cfghist_name_seq("00000042.conf", &seq));
	assert_int_equal(seq, 42);
	assert_true(pg_cfghist_name_seq("99999999.conf", &seq));
	assert_false(pg_cfghist_name_seq("0000042.conf", &seq));
	assert_false(pg_cfghist_name_seq("000000042.conf", &seq));
	assert_false(pg_cfghist_name_seq("00000042.conf.XXXXXX", &seq)); /* a temporary file */
	assert_false(pg_cfghist_name_seq("0000004a.conf", &seq));
	assert_false(pg_cfghist_name_seq("00000042.conf~", &seq));
	assert_false(pg_cfghist_name_seq("", &seq));
	assert_int_equal(pg_cfghist_excess(0, 10), 0);
	assert_int_equal(pg_cfghist_excess(10, 10), 0);
	assert_int_equal(pg_cfghist_excess(11, 10), 1);
	assert_int_equal(pg_cfghist_excess(5, 1), 4);
}

static void test_history_rotation(void **state)
{
	char dir[64], cmd[256], text[32], *t = NULL;
	struct pg_cfghist h;
	struct pg_cfghist_entry e[8];
	size_t len = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/pg-test-history-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(pg_cfghist_init(&h, dir, 3), 0);
	assert_int_equal(pg_cfghist_list(&h, e, 8), 0);
	assert_int_equal(pg_cfghist_get(&h, 0, &t, &len), -ENOENT);
	for (int i = 1; i <= 5; i++) {
		snprintf(text, sizeof(text), "config %d\n", i);
		assert_int_equal(pg_cfghist_save(&h, text, strlen(text)), 0);
		/* The same text twice is one revision. */
		assert_int_equal(pg_cfghist_save(&h, text, strlen(text)), 0);
	}
	/* Five saved, three kept: 5, 4, 3, newest first. */
	assert_int_equal(pg_cfghist_list(&h, e, 8), 3);
	assert_int_equal(e[0].seq, 5);
	assert_int_equal(e[1].seq, 4);
	assert_int_equal(e[2].seq, 3);
	assert_int_equal(e[0].size, strlen("config 5\n"));
	assert_int_equal(pg_cfghist_list(&h, e, 2), 2);
	assert_int_equal(pg_cfghist_get(&h, 0, &t, &len), 0);
	assert_string_equal(t, "config 5\n");
	free(t);
	assert_int_equal(pg_cfghist_get(&h, 2, &t, &len), 0);
	assert_string_equal(t, "config 3\n");
	free(t);
	assert_int_equal(pg_cfghist_get(&h, 3, &t, &len), -ENOENT);
	/* Going back to an older text is a new revision, not a reuse. */
	assert_int_equal(pg_cfghist_save(&h, "config 3\n", 9), 0);
	assert_int_equal(pg_cfghist_list(&h, e, 8), 3);
	assert_int_equal(e[0].seq, 6);
	/* Files that are not revisions are left alone and not listed. */
	snprintf(cmd, sizeof(cmd), "touch %s/config.d/notes.txt %s/config.d/00000001.conf.tmp",
		 dir, dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(pg_cfghist_list(&h, e, 8), 3);
	/* A smaller limit prunes on the next save. */
	h.keep = 1;
	assert_int_equal(pg_cfghist_save(&h, "config 7\n", 9), 0);
	assert_int_equal(pg_cfghist_list(&h, e, 8), 1);
	assert_int_equal(e[0].seq, 7);
	/* Off: nothing kept, nothing made. */
	assert_int_equal(pg_cfghist_init(&h, dir, 0), 0);
	assert_int_equal(pg_cfghist_save(&h, "x", 1), 0);
	assert_int_equal(pg_cfghist_list(&h, e, 8), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void check_diff(const char *a, const char *b, const char *want)
{
	char *out = NULL;

	assert_int_equal(pg_textdiff(a, strlen(a), "a", b, strlen(b), "b", &out), 0);
	assert_string_equal(out, want);
	free(out);
}

static void test_diff(void **state)
{
	(void)state;
	check_diff("", "", "");
	check_diff("x\ny\n", "x\ny\n", "");
	check_diff("a\nb\nc\n", "a\nB\nc\n", "--- a\n+++ b\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
	check_diff("", "new\n", "--- a\n+++ b\n@@ -0,0 +1,1 @@\n+new\n");
	check_diff("old\n", "", "--- a\n+++ b\n@@ -1,1 +0,0 @@\n-old\n");
	/* Context of three lines; far-apart changes are two hunks. */
	check_diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
		   "1\nX\n3\n4\n5\n6\n7\n8\n9\n10\nY\n12\n",
		   "--- a\n+++ b\n"
		   "@@ -1,5 +1,5 @@\n 1\n-2\n+X\n 3\n 4\n 5\n"
		   "@@ -8,5 +8,5 @@\n 8\n 9\n 10\n-11\n+Y\n 12\n");
	/* Close changes share a hunk. */
	check_diff("1\n2\n3\n4\n5\n6\n", "1\nX\n3\n4\nY\n6\n",
		   "--- a\n+++ b\n@@ -1,6 +1,6 @@\n 1\n-2\n+X\n 3\n 4\n-5\n+Y\n 6\n");
	/* An inserted line in the middle, and a last line without newline. */
	check_diff("[a]\nk = 1\n[b]", "[a]\nk = 1\nj = 2\n[b]",
		   "--- a\n+++ b\n@@ -1,3 +1,4 @@\n [a]\n k = 1\n+j = 2\n [b]\n");
}

static void test_diff_large_middle(void **state)
{
	/* Middles whose table would pass PG_TEXTDIFF_CELLS: removed and added whole. */
	size_t n = 1500, alen = 0, blen = 0;
	char *a = malloc(n * 16), *b = malloc(n * 16), *out = NULL;
	size_t minus = 0, plus = 0;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	for (size_t i = 0; i < n; i++) {
		alen += (size_t)sprintf(a + alen, "a%zu\n", i);
		blen += (size_t)sprintf(b + blen, "b%zu\n", i);
	}
	assert_int_equal(pg_textdiff(a, alen, "a", b, blen, "b", &out), 0);
	for (char *p = out; (p = strchr(p, '\n')); p++) {
		minus += p[1] == '-' && p[2] == 'a';
		plus += p[1] == '+' && p[2] == 'b';
	}
	assert_int_equal(minus, n);
	assert_int_equal(plus, n);
	free(out);
	free(a);
	free(b);
}

static void test_diff_output_bounded(void **state)
{
	/* 2 x 40000 changed lines would print ~700 KB: cut at PG_TEXTDIFF_OUT_MAX, and said. */
	size_t n = 40000, alen = 0, blen = 0, len;
	char *a = malloc(n * 16), *b = malloc(n * 16), *out = NULL;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	for (size_t i = 0; i < n; i++) {
		alen += (size_t)sprintf(a + alen, "old %zu\n", i);
		blen += (size_t)sprintf(b + blen, "new %zu\n", i);
	}
	assert_int_equal(pg_textdiff(a, alen, "a", b, blen, "b", &out), 0);
	len = strlen(out);
	assert_true(len <= PG_TEXTDIFF_OUT_MAX + 16);
	assert_true(len > PG_TEXTDIFF_OUT_MAX - 64);
	assert_string_equal(out + len - 15, "... (diff cut)\n");
	free(out);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_confirm_window),	 cmocka_unit_test(test_risky_settings),
		cmocka_unit_test(test_history_names),	 cmocka_unit_test(test_history_rotation),
		cmocka_unit_test(test_diff),		 cmocka_unit_test(test_diff_large_middle),
		cmocka_unit_test(test_diff_output_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
