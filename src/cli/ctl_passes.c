/* SPDX-License-Identifier: MIT */
/*
 * ctl_passes.c - `passgatectl status`'s lines about the data path's passes:
 * how long its turns take and how much of them the control plane's jobs
 * used (docs/API.md "Threading"), so an operator sees a stall without a
 * metrics server.
 */
#include <stdio.h>

#include "cli/ctl_reply.h"

/* One histogram from the status answer: "N, longest X ms, K over 1 ms". */
static void summary(const char *what, struct json_object *h)
{
	struct json_object *v;
	long long count = 0, max_us = 0, over = 0;

	if (json_object_object_get_ex(h, "count", &v))
		count = json_object_get_int64(v);
	if (json_object_object_get_ex(h, "max_us", &v))
		max_us = json_object_get_int64(v);
	if (json_object_object_get_ex(h, "over_1ms", &v))
		over = json_object_get_int64(v);
	printf("%s %lld, longest %.3f ms, %lld over 1 ms", what, count, max_us / 1000.0, over);
}

void pg_ctl_print_passes(struct json_object *status)
{
	struct json_object *passes, *jobs, *b;

	if (!json_object_object_get_ex(status, "passes", &passes))
		return;
	summary("data path passes:", passes);
	if (json_object_object_get_ex(status, "control_jobs", &jobs)) {
		printf("; ");
		summary("control jobs on its thread:", jobs);
	}
	printf("\npass durations:");
	if (json_object_object_get_ex(passes, "buckets_us", &b)) {
		for (size_t i = 0; i < json_object_array_length(b); i++) {
			struct json_object *pair = json_object_array_get_idx(b, i);
			long long le = json_object_get_int64(json_object_array_get_idx(pair, 0));
			long long n = json_object_get_int64(json_object_array_get_idx(pair, 1));

			if (le >= 1000)
				printf(" <=%lldms %lld", le / 1000, n);
			else
				printf(" <=%lldus %lld", le, n);
		}
	}
	printf("\n\n");
}
