/* SPDX-License-Identifier: MIT */
/*
 * confirm.c - the probation of a change (confirm.h): the decision only,
 * with the clocks passed in, so that tests drive it without waiting.
 *
 * Theory of operation: a change that may cut the admin off is applied at
 * once (the admin must see its effect to judge it) but its predecessor is
 * kept. Only the daemon's own timer undoes it: a client that sends the
 * change and then loses the gateway cannot be relied on to ask for the
 * undo. The window is measured on the monotonic clock, so setting the
 * date (NTP at boot) neither shortens nor stretches it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/confirm.h"

/*
 * What an admin reaches the gateway through, and proves who they are
 * with: addresses and links, the API's sockets and credentials, the
 * gateway's own input policy and host path, and forwards (a forward of the
 * admin page's port to a LAN host takes the page away from the WAN side).
 */
static const char *const risky[] = {
	"[lan] interface",  "[lan] address",	 "[wan] interface",   "[wan] address",
	"[wan] gateway",    "[api] listen",	 "[api] socket",      "[api] tls",
	"[api] tls_cert",   "[api] tls_key",	 "[api] password_hash", "[api] token_hash",
	"[input] lan",	    "[input] wan",	 "[host] path",	      "[host] lan_device",
	"[host] wan_device", "[host] routes",	 "[forward] rule",    "[forward] dmz",
};

int pg_confirm_parse_seconds(const char *s, uint32_t *seconds)
{
	uint32_t v = 0;

	if (!s || !*s)
		return -EINVAL;
	/* Digits only, and at most five of them: no sign, space or overflow. */
	for (size_t i = 0; s[i]; i++) {
		if (i >= 5 || s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	if (v < PG_CONFIRM_MIN_S || v > PG_CONFIRM_MAX_S)
		return -EINVAL;
	*seconds = v;
	return 0;
}

int pg_confirm_arm(struct pg_confirm *c, uint64_t now_ms, int64_t wall_s, uint32_t seconds,
		   const char *prev, size_t prev_len, const char *what)
{
	char *copy;

	if (c->armed)
		return -EBUSY;
	if (seconds < PG_CONFIRM_MIN_S || seconds > PG_CONFIRM_MAX_S)
		return -EINVAL;
	copy = malloc(prev_len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, prev, prev_len);
	copy[prev_len] = '\0';
	c->armed = true;
	c->seconds = seconds;
	c->deadline_ms = now_ms + (uint64_t)seconds * 1000;
	c->armed_at = wall_s;
	c->prev_text = copy;
	c->prev_len = prev_len;
	snprintf(c->what, sizeof(c->what), "%s", what ? what : "");
	return 0;
}

bool pg_confirm_due(const struct pg_confirm *c, uint64_t now_ms)
{
	return c->armed && now_ms >= c->deadline_ms;
}

uint32_t pg_confirm_left_s(const struct pg_confirm *c, uint64_t now_ms)
{
	if (!c->armed || now_ms >= c->deadline_ms)
		return 0;
	return (uint32_t)((c->deadline_ms - now_ms + 999) / 1000);
}

void pg_confirm_disarm(struct pg_confirm *c)
{
	free(c->prev_text);
	memset(c, 0, sizeof(*c));
}

bool pg_confirm_risky_name(const char *name)
{
	for (size_t i = 0; i < sizeof(risky) / sizeof(risky[0]); i++)
		if (!strcmp(risky[i], name))
			return true;
	return false;
}

unsigned int pg_confirm_risky(const struct pg_reload_diff *d, char *buf, size_t len)
{
	unsigned int n = 0;
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	if (d->too_long) {
		/* Nothing could be compared: assume the worst. */
		snprintf(buf, len, "(file too long to compare)");
		return 1;
	}
	for (unsigned int i = 0; i < d->n && i < PG_RELOAD_NAMES_MAX; i++) {
		if (!pg_confirm_risky_name(d->names[i]))
			continue;
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", n ? ", " : "",
						d->names[i]);
		n++;
	}
	return n;
}
