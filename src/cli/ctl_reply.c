/* SPDX-License-Identifier: MIT */
/*
 * ctl_reply.c - passgatectl's one way of showing a refused API request, so
 * every subcommand names the field the API complained about the same way.
 */
#include <stdio.h>

#include "cli/ctl_reply.h"

void pg_ctl_print_refusal(int status, struct json_object *o)
{
	struct json_object *e, *f;

	if (!o || !json_object_object_get_ex(o, "error", &e)) {
		fprintf(stderr, "passgatectl: HTTP %d\n", status);
		return;
	}
	fprintf(stderr, "passgatectl: %s", json_object_get_string(e));
	if (json_object_object_get_ex(o, "field", &f))
		fprintf(stderr, " (field %s)", json_object_get_string(f));
	fprintf(stderr, "\n");
}
