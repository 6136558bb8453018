/* SPDX-License-Identifier: MIT */
/*
 * capture.c - the gateway-side packet capture: arming, the per-frame slow
 * path, and the pcap file (capture.h).
 *
 * Theory of operation. The buffer is one block of PG_CAPTURE_BUF_MAX bytes,
 * allocated when a capture is armed (on the control plane, never in a
 * pass) and filled front to back with records: a small header and the
 * frame's bytes. A frame that matches the filter but does not fit is
 * counted in no_room and dropped, so a busy link can never make the capture
 * grow or slow the pass beyond one copy per frame.
 *
 * What a frame looks like in the file depends on the links covered. One
 * link: the Ethernet frame exactly as on the wire (DLT_EN10MB), as tcpdump
 * on that interface would show it. Both links: the Linux "cooked" v2 header
 * (DLT_LINUX_SLL2, what `tcpdump -i any` writes) in place of the Ethernet
 * header, because it carries the interface index and the direction
 * (PACKET_OUTGOING for frames the gateway sent), which is what tells the
 * LAN copy of a packet from its translated WAN copy. The filter is compiled
 * for that link type and runs on the frame as it will be stored.
 *
 * Timestamps are the wall clock read per recorded frame (a vDSO call, only
 * while armed), so they line up with captures taken elsewhere.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dp/capture.h"
#include "util/wire.h"

#define ETH_HLEN 14
#define SLL2_HLEN 20
#define ARPHRD_ETHER_ 1
/* sll2 packet types (linux/if_packet.h) */
#define PKT_HOST 0
#define PKT_BROADCAST 1
#define PKT_MULTICAST 2
#define PKT_OUTGOING 4

/* One record in the buffer, followed by caplen bytes, padded to 8. */
struct rec {
	int64_t sec;
	uint32_t usec;
	uint32_t caplen;
	uint32_t len;
	uint32_t pad;
};

/*
 * Words for the VPN protocols this gateway exists for that pcap-filter(7)
 * lacks (it knows "esp" but not "gre"). Tried only when the expression as
 * given does not compile, so a valid expression is never rewritten.
 */
static const struct {
	const char *word, *expr;
} shorthands[] = {
	{"gre", "(ip proto 47)"},
	{"pptp", "(tcp port 1723 or ip proto 47)"},
	{"ike", "(udp port 500 or udp port 4500)"},
	{"nat-t", "(udp port 4500)"},
	{"l2tp", "(udp port 1701)"},
	{"openvpn", "(port 1194)"},
	{"wireguard", "(udp port 51820)"},
};

#define REC_ALIGN(n) (((n) + 7u) & ~(size_t)7u)

/* in with the shorthand words replaced; false when nothing was or it does not fit. */
static bool expand(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	bool any = false;

	while (*in) {
		size_t n = strcspn(in, " \t()!"), k, i;
		const char *w = NULL;

		if (!n) {
			n = 1;
		} else {
			for (i = 0; i < sizeof(shorthands) / sizeof(shorthands[0]); i++)
				if (strlen(shorthands[i].word) == n && !strncmp(in, shorthands[i].word, n))
					w = shorthands[i].expr;
		}
		k = w ? strlen(w) : n;
		if (o + k >= outlen)
			return false;
		memcpy(out + o, w ? w : in, k);
		o += k;
		in += n;
		any |= w != NULL;
	}
	out[o] = '\0';
	return any;
}

void pg_capture_init(struct pg_capture *c, unsigned int lan_ifindex, unsigned int wan_ifindex)
{
	memset(c, 0, sizeof(*c));
	c->ifindex[0] = lan_ifindex;
	c->ifindex[1] = wan_ifindex;
}

static void release(struct pg_capture *c)
{
	if (c->has_prog)
		pcap_freecode(&c->prog);
	c->has_prog = false;
	if (c->pd)
		pcap_close(c->pd);
	c->pd = NULL;
	free(c->buf);
	c->buf = NULL;
	c->used = 0;
}

void pg_capture_fini(struct pg_capture *c)
{
	c->armed = false;
	release(c);
	c->state = PG_CAPTURE_IDLE;
}

void pg_capture_prep_free(struct pg_capture_prep *p)
{
	if (p->has_prog)
		pcap_freecode(&p->prog);
	if (p->pd)
		pcap_close(p->pd);
	free(p->buf);
	memset(p, 0, sizeof(*p));
}

void pg_capture_detach(struct pg_capture *c, struct pg_capture_prep *p)
{
	memset(p, 0, sizeof(*p));
	if (c->state == PG_CAPTURE_RUNNING)
		return;
	c->armed = false;
	p->pd = c->pd;
	p->prog = c->prog;
	p->has_prog = c->has_prog;
	p->buf = c->buf;
	c->pd = NULL;
	c->has_prog = false;
	c->buf = NULL;
	c->used = 0;
	c->state = PG_CAPTURE_IDLE;
}

void pg_capture_clear(struct pg_capture *c)
{
	struct pg_capture_prep old;

	pg_capture_detach(c, &old);
	pg_capture_prep_free(&old);
}

int pg_capture_prepare(struct pg_capture_prep *p, const struct pg_capture_opts *o, char *err,
		       size_t errlen, const char **field)
{
	const char *filter = o->filter ? o->filter : "";
	char alt[PG_CAPTURE_FILTER_MAX];

	memset(p, 0, sizeof(*p));
	*field = NULL;
	if (o->seconds > PG_CAPTURE_SECONDS_MAX) {
		*field = "seconds";
		snprintf(err, errlen, "seconds: at most %u", PG_CAPTURE_SECONDS_MAX);
		return -EINVAL;
	}
	if (o->packets > PG_CAPTURE_PACKETS_MAX) {
		*field = "packets";
		snprintf(err, errlen, "packets: at most %u", PG_CAPTURE_PACKETS_MAX);
		return -EINVAL;
	}
	if (o->links == 0 || o->links > PG_CAPTURE_LINK_ANY) {
		*field = "link";
		snprintf(err, errlen, "link: expected lan, wan or any");
		return -EINVAL;
	}
	if (strlen(filter) >= sizeof(p->filter)) {
		*field = "filter";
		snprintf(err, errlen, "filter: longer than %d characters", PG_CAPTURE_FILTER_MAX - 1);
		return -EINVAL;
	}
	p->dlt = o->links == PG_CAPTURE_LINK_ANY ? DLT_LINUX_SLL2 : DLT_EN10MB;
	p->pd = pcap_open_dead(p->dlt, PG_CAPTURE_SNAPLEN);
	if (!p->pd) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (filter[0] && pcap_compile(p->pd, &p->prog, filter, 1, PCAP_NETMASK_UNKNOWN)) {
		*field = "filter";
		snprintf(err, errlen, "filter: %s", pcap_geterr(p->pd));
		if (!expand(filter, alt, sizeof(alt)) ||
		    pcap_compile(p->pd, &p->prog, alt, 1, PCAP_NETMASK_UNKNOWN)) {
			pg_capture_prep_free(p);
			return -EINVAL;
		}
		*field = NULL;
		filter = alt;
	}
	p->has_prog = filter[0] != '\0';
	p->buf = malloc(PG_CAPTURE_BUF_MAX);
	if (!p->buf) {
		pg_capture_prep_free(p);
		snprintf(err, errlen, "out of memory for the capture buffer");
		return -ENOMEM;
	}
	/*
	 * Touch every page here, off the data path: otherwise the hook would
	 * take the page faults (4096 of them) while it copies frames in.
	 */
	memset(p->buf, 0, PG_CAPTURE_BUF_MAX);
	snprintf(p->filter, sizeof(p->filter), "%s", filter);
	p->links = o->links;
	p->seconds = o->seconds;
	p->packets = o->packets;
	return 0;
}

int pg_capture_arm(struct pg_capture *c, struct pg_capture_prep *p, uint64_t now_ms)
{
	struct pg_capture_prep old;
	struct timespec ts;

	if (c->state == PG_CAPTURE_RUNNING)
		return -EBUSY;
	/* A finished capture stays fetchable until this one is sure to start. */
	pg_capture_detach(c, &old);
	c->pd = p->pd;
	c->buf = p->buf;
	c->prog = p->prog;
	c->has_prog = p->has_prog;
	snprintf(c->filter, sizeof(c->filter), "%s", p->filter);
	c->dlt = p->dlt;
	c->links = p->links;
	c->max_packets = p->packets;
	c->deadline_ms = p->seconds ? now_ms + (uint64_t)p->seconds * 1000 : 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	c->started_s = ts.tv_sec;
	c->end_reason = NULL;
	c->seen = c->matched = c->bytes = c->no_room = 0;
	c->packets = 0;
	c->used = 0;
	c->state = PG_CAPTURE_RUNNING;
	c->armed = true;
	/* What c held before goes back to the caller, to be freed off the data path. */
	*p = old;
	return 0;
}

int pg_capture_start(struct pg_capture *c, const struct pg_capture_opts *o, uint64_t now_ms,
		     char *err, size_t errlen, const char **field)
{
	struct pg_capture_prep p;
	int r;

	*field = NULL;
	if (c->state == PG_CAPTURE_RUNNING) {
		snprintf(err, errlen, "a capture is already running");
		return -EBUSY;
	}
	r = pg_capture_prepare(&p, o, err, errlen, field);
	if (r)
		return r;
	r = pg_capture_arm(c, &p, now_ms);
	pg_capture_prep_free(&p);
	return r;
}

void pg_capture_stop(struct pg_capture *c, const char *reason)
{
	if (c->state != PG_CAPTURE_RUNNING)
		return;
	c->armed = false;
	c->state = PG_CAPTURE_DONE;
	c->end_reason = reason;
}

void pg_capture_update(struct pg_capture *c, uint64_t now_ms)
{
	if (c->armed && c->deadline_ms && now_ms >= c->deadline_ms)
		pg_capture_stop(c, "seconds");
}

/* The cooked v2 form of an Ethernet frame into out; its length, or 0 if too short. */
static uint32_t to_sll2(const struct pg_capture *c, unsigned int side, enum pg_capture_dir dir,
			const uint8_t *frame, uint32_t len, uint8_t *out)
{
	uint8_t type = PKT_HOST;

	if (len < ETH_HLEN)
		return 0;
	if (dir == PG_CAPTURE_TX)
		type = PKT_OUTGOING;
	else if (frame[0] & 1)
		type = memcmp(frame, "\xff\xff\xff\xff\xff\xff", 6) ? PKT_MULTICAST
								     : PKT_BROADCAST;
	memcpy(out, frame + 12, 2); /* EtherType, already network order */
	pg_put_be16(out + 2, 0);
	pg_put_be32(out + 4, c->ifindex[side & 1]);
	pg_put_be16(out + 8, ARPHRD_ETHER_);
	out[10] = type;
	out[11] = 6;
	memcpy(out + 12, frame + 6, 6); /* the sender's address */
	pg_put_be16(out + 18, 0);
	memcpy(out + SLL2_HLEN, frame + ETH_HLEN, len - ETH_HLEN);
	return len - ETH_HLEN + SLL2_HLEN;
}

void pg_capture_frame(struct pg_capture *c, unsigned int side, enum pg_capture_dir dir,
		      const uint8_t *frame, uint32_t len)
{
	uint8_t cooked[PG_CAPTURE_SNAPLEN];
	struct pcap_pkthdr h;
	struct timespec ts;
	const uint8_t *data = frame;
	struct rec *r;
	size_t need;

	if (!(c->links & (1u << (side & 1))))
		return;
	c->seen++;
	/* Cannot happen with the daemon's 2 KiB frame buffers; bounded anyway. */
	if (len > PG_CAPTURE_SNAPLEN - (SLL2_HLEN - ETH_HLEN))
		len = PG_CAPTURE_SNAPLEN - (SLL2_HLEN - ETH_HLEN);
	if (c->dlt == DLT_LINUX_SLL2) {
		len = to_sll2(c, side, dir, frame, len, cooked);
		if (!len)
			return;
		data = cooked;
	}
	h.caplen = h.len = len;
	h.ts.tv_sec = 0;
	h.ts.tv_usec = 0;
	if (c->has_prog && !pcap_offline_filter(&c->prog, &h, data))
		return;
	c->matched++;
	need = sizeof(*r) + REC_ALIGN(len);
	if (PG_CAPTURE_BUF_MAX - c->used < need) {
		c->no_room++;
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	r = (struct rec *)(void *)(c->buf + c->used);
	r->sec = ts.tv_sec;
	r->usec = (uint32_t)(ts.tv_nsec / 1000);
	r->caplen = r->len = len;
	r->pad = 0;
	memcpy(r + 1, data, len);
	c->used += need;
	c->packets++;
	c->bytes += len;
	if (c->max_packets && c->packets >= c->max_packets)
		pg_capture_stop(c, "packets");
}

int pg_capture_pcap(struct pg_capture *c, uint8_t **out, size_t *len)
{
	pcap_dumper_t *d;
	char *mem = NULL;
	size_t size = 0;
	FILE *f;

	*out = NULL;
	*len = 0;
	if (c->state == PG_CAPTURE_RUNNING)
		return -EAGAIN;
	if (c->state != PG_CAPTURE_DONE || !c->pd)
		return -ENOENT;
	f = open_memstream(&mem, &size);
	if (!f)
		return -ENOMEM;
	d = pcap_dump_fopen(c->pd, f);
	if (!d) {
		fclose(f);
		free(mem);
		return -ENOMEM;
	}
	for (size_t off = 0; off < c->used;) {
		const struct rec *r = (const struct rec *)(const void *)(c->buf + off);
		struct pcap_pkthdr h;

		h.ts.tv_sec = (time_t)r->sec;
		h.ts.tv_usec = (suseconds_t)r->usec;
		h.caplen = r->caplen;
		h.len = r->len;
		pcap_dump((u_char *)d, &h, (const u_char *)(r + 1));
		off += sizeof(*r) + REC_ALIGN(r->caplen);
	}
	/* Closes f; the memory stream's buffer then holds the whole file. */
	pcap_dump_close(d);
	if (!mem)
		return -ENOMEM;
	*out = (uint8_t *)mem;
	*len = size;
	return 0;
}

const char *pg_capture_state_name(enum pg_capture_state s)
{
	switch (s) {
	case PG_CAPTURE_RUNNING:
		return "running";
	case PG_CAPTURE_DONE:
		return "done";
	default:
		return "idle";
	}
}
