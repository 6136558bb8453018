/* SPDX-License-Identifier: MIT */
/*
 * syncchan.c - the sync channel on a UDP socket (dp/syncchan.h).
 *
 * The socket is bound to the sync link's address and connected to the
 * peer's, so the kernel hands us only the peer's datagrams; the HMAC then
 * decides (sync/proto.c). Work per call is bounded: at most RECV_MAX
 * datagrams read, and the primary's window bounds what it sends, so a
 * flood on the sync link cannot hold the packet loop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dp/syncchan.h"
#include "sync/roles.h"
#include "util/log.h"

#define RECV_MAX 64

static void send_dgram(void *ctx, const uint8_t *msg, size_t len)
{
	struct pg_syncchan *c = ctx;

	/* Lost on a full buffer is lost on the wire: the protocol re-sends. */
	if (send(c->fd, msg, len, MSG_DONTWAIT) < 0)
		c->send_errors++;
}

int pg_syncchan_open(struct pg_syncchan *c, const struct pg_config_sync *cfg,
		     struct pg_engines *set, uint64_t epoch, char *err, size_t errlen)
{
	struct sockaddr_in me = { .sin_family = AF_INET }, peer = { .sin_family = AF_INET };
	struct pg_sync_key key;
	const char *why = NULL;
	int one = 1, r;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->role = cfg->role;
	if (cfg->role == PG_SYNC_OFF)
		return 0;
	if (cfg->start_backup)
		c->role = PG_SYNC_STANDBY;
	r = pg_sync_key_load(cfg->key_file, &key, &why);
	if (r) {
		snprintf(err, errlen, "[sync] key_file %s: %s%s%s", cfg->key_file, why,
			 r != -EINVAL ? ": " : "", r != -EINVAL ? strerror(-r) : "");
		return -1;
	}
	me.sin_addr.s_addr = cfg->listen_addr;
	me.sin_port = htons(cfg->listen_port);
	peer.sin_addr.s_addr = cfg->peer_addr;
	peer.sin_port = htons(cfg->peer_port);
	c->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || setsockopt(c->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(c->fd, (struct sockaddr *)&me, sizeof(me)) < 0 ||
	    connect(c->fd, (struct sockaddr *)&peer, sizeof(peer)) < 0) {
		snprintf(err, errlen, "[sync] socket on listen, to peer: %s", strerror(errno));
		goto fail;
	}
	/* Both ends, whatever the role: keepalived may move it. */
	if (pg_sync_primary_init(&c->primary, &key, epoch) ||
	    (c->role == PG_SYNC_PRIMARY && pg_sync_enable(set->e[0], PG_SYNC_RING_DEFAULT))) {
		snprintf(err, errlen, "[sync] out of memory for the change ring");
		goto fail;
	}
	pg_sync_standby_init(&c->standby, &key);
	memset(&key, 0, sizeof(key));
	return 0;
fail:
	memset(&key, 0, sizeof(key));
	pg_sync_primary_fini(&c->primary);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	return -1;
}

void pg_syncchan_close(struct pg_syncchan *c)
{
	if (c->fd < 0)
		return;
	close(c->fd);
	c->fd = -1;
	pg_sync_primary_fini(&c->primary);
	memset(&c->primary.key, 0, sizeof(c->primary.key));
	memset(&c->standby.key, 0, sizeof(c->standby.key));
}

void pg_syncchan_run(struct pg_syncchan *c, struct pg_engines *set, uint64_t now_ms)
{
	struct pg_engine *e = set->e[0];

	if (c->fd < 0)
		return;
	if (!c->standby_since_ms)
		c->standby_since_ms = now_ms;
	for (int i = 0; i < RECV_MAX; i++) {
		ssize_t n = recv(c->fd, c->buf, sizeof(c->buf), MSG_DONTWAIT);

		if (n < 0)
			break; /* EAGAIN, or ECONNREFUSED: the peer is not up yet */
		if (c->role == PG_SYNC_PRIMARY)
			pg_sync_primary_input(&c->primary, c->buf, (size_t)n, now_ms, send_dgram,
					      c);
		else
			pg_sync_standby_input(&c->standby, e, c->buf, (size_t)n, now_ms, send_dgram,
					      c);
	}
	if (c->role == PG_SYNC_PRIMARY)
		pg_sync_primary_pump(&c->primary, e, now_ms, send_dgram, c);
	else
		pg_sync_standby_tick(&c->standby, now_ms, send_dgram, c);
}

void pg_syncchan_follow(struct pg_syncchan *c, struct pg_engines *set, bool master,
			uint64_t now_ms, uint64_t now_us)
{
	struct pg_engine *e = set->e[0];
	enum pg_sync_role want = master ? PG_SYNC_PRIMARY : PG_SYNC_STANDBY;

	if (c->fd < 0 || c->role == want)
		return;
	if (want == PG_SYNC_PRIMARY) {
		/*
		 * A fresh ring: what the standby's imports noted is not news for
		 * anyone, and the bulk that starts the new epoch covers it all.
		 * Out of memory: no ring, so every change is lost and noticed
		 * as nothing; the refresh walk still sends the whole table each
		 * minute, so say it and go on.
		 */
		if (pg_sync_enable(e, PG_SYNC_RING_DEFAULT))
			pg_warn("sync: no memory for the change ring; the standby gets the "
				"refresh walk only");
		pg_sync_primary_restart(&c->primary, pg_sync_takeover_epoch(now_us, c->standby.epoch,
									      c->primary.epoch));
		pg_info("sync: primary now (VRRP master), epoch %llu",
			(unsigned long long)c->primary.epoch);
	} else {
		pg_sync_disable(e); /* imports are not changes to note */
		pg_sync_standby_restart(&c->standby);
		c->standby_since_ms = now_ms;
		pg_info("sync: standby now (VRRP backup or fault), asking for a bulk");
	}
	c->role = want;
	c->role_changes++;
}

bool pg_syncchan_ready(const struct pg_syncchan *c, uint64_t now_ms)
{
	if (!c || c->fd < 0)
		return true;
	return pg_sync_ready(c->role == PG_SYNC_PRIMARY, c->standby.c.synced, now_ms,
			     c->standby_since_ms ? c->standby_since_ms : now_ms);
}

const struct pg_sync_counters *pg_syncchan_counters(struct pg_syncchan *c)
{
	const struct pg_sync_counters *p, *s;
	struct pg_sync_counters *m;

	if (!c || c->fd < 0)
		return NULL;
	/* Each end counts its own part; a box that changed roles did both. */
	p = &c->primary.c;
	s = &c->standby.c;
	m = &c->merged;
	*m = *s;
	m->sent = p->sent;
	m->resent = p->resent;
	m->acked = p->acked;
	m->bulks = p->bulks;
	m->lag_ms = p->lag_ms;
	m->unacked = c->role == PG_SYNC_PRIMARY ? p->unacked : 0;
	for (int r = 0; r < PG_SYNC_REFUSAL__COUNT; r++)
		m->refused[r] = p->refused[r] + s->refused[r];
	m->role_changes = c->role_changes;
	return m;
}
