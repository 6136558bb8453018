/* SPDX-License-Identifier: MIT */
/*
 * ctl_reply.h - how passgatectl tells the user an API request was refused.
 */
#ifndef PG_CTL_REPLY_H
#define PG_CTL_REPLY_H

#include <json-c/json.h>

/*
 * To stderr: the API's own message and the field it names, from the JSON
 * answer o (may be NULL), or the bare HTTP status when there is none.
 */
void pg_ctl_print_refusal(int status, struct json_object *o);

/*
 * ctl_passes.c: the data path's pass durations and control jobs from a
 * status answer, two lines (nothing when the daemon does not report them).
 */
void pg_ctl_print_passes(struct json_object *status);

#endif /* PG_CTL_REPLY_H */
