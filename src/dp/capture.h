/* SPDX-License-Identifier: MIT */
/*
 * capture.h - the gateway-side packet capture behind `passgatectl capture`:
 * frames as received from and as sent to each link, filtered with a pcap
 * expression, copied into one bounded buffer and handed out as a pcap file.
 *
 * The data path calls pg_capture_hook() for every frame it receives and
 * every frame it transmits; while nothing is armed that is one load and one
 * branch. The control thread (src/ctl/api_capture.c) compiles the filter and
 * allocates the buffer (pg_capture_prepare()), has the data path arm it
 * between two passes (pg_capture_arm(), dp/handoff.h), and writes the pcap
 * file itself once the capture is done: the hook no longer touches the
 * buffer then.
 */
#ifndef PG_CAPTURE_H
#define PG_CAPTURE_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PG_CAPTURE_BUF_MAX (16u << 20)	 /* bytes of frames (and record headers) kept */
#define PG_CAPTURE_SNAPLEN 2048		 /* no frame the daemon handles is longer */
#define PG_CAPTURE_SECONDS_MAX 3600u
#define PG_CAPTURE_PACKETS_MAX 1000000u
#define PG_CAPTURE_FILTER_MAX 512

enum pg_capture_dir {
	PG_CAPTURE_RX, /* as received from the link, before anything touched it */
	PG_CAPTURE_TX, /* as handed to the link's socket */
};

/* Which links a capture covers: a bit per side (enum pg_side), both for "any". */
#define PG_CAPTURE_LINK_LAN 1u
#define PG_CAPTURE_LINK_WAN 2u
#define PG_CAPTURE_LINK_ANY 3u

enum pg_capture_state {
	PG_CAPTURE_IDLE,    /* never armed, or cleared */
	PG_CAPTURE_RUNNING, /* armed: the hook records */
	PG_CAPTURE_DONE,    /* finished: the pcap can be fetched */
};

struct pg_capture_opts {
	uint32_t seconds; /* 1..PG_CAPTURE_SECONDS_MAX; 0: until packets or a stop */
	uint32_t packets; /* 1..PG_CAPTURE_PACKETS_MAX; 0: until seconds or a stop */
	unsigned int links; /* PG_CAPTURE_LINK_* */
	const char *filter; /* pcap-filter(7) expression; NULL or "" keeps everything */
};

struct pg_capture {
	bool armed; /* the only field the hook reads while idle */
	enum pg_capture_state state;
	unsigned int links;
	unsigned int ifindex[2]; /* per side, for the Linux cooked header (any link) */
	int dlt;		 /* DLT_EN10MB for one link, DLT_LINUX_SLL2 for both */
	pcap_t *pd;		 /* pcap_open_dead(): compiles the filter, writes the file */
	struct bpf_program prog;
	bool has_prog;
	char filter[PG_CAPTURE_FILTER_MAX];
	uint64_t deadline_ms; /* 0: none */
	uint32_t max_packets; /* 0: none */
	int64_t started_s;    /* wall clock */
	const char *end_reason; /* static: "seconds", "packets", "stopped", "buffer full" */
	uint8_t *buf;	      /* PG_CAPTURE_BUF_MAX bytes while a capture is held */
	size_t used;
	/* What happened to the frames the hook saw while armed. */
	uint64_t seen;	  /* frames offered on the links covered */
	uint64_t matched; /* passed the filter */
	uint32_t packets; /* kept in the buffer */
	uint64_t bytes;	  /* frame bytes kept */
	uint64_t no_room; /* matched but did not fit the buffer: counted, not kept */
};

/* The hook's slow path: record one frame (frame starts at the Ethernet header). */
void pg_capture_frame(struct pg_capture *c, unsigned int side, enum pg_capture_dir dir,
		      const uint8_t *frame, uint32_t len);

/* Called by the data path for every frame it receives or sends; side: enum pg_side. */
static inline void pg_capture_hook(struct pg_capture *c, unsigned int side,
				   enum pg_capture_dir dir, const uint8_t *frame, uint32_t len)
{
	if (__builtin_expect(c->armed, 0))
		pg_capture_frame(c, side, dir, frame, len);
}

/*
 * A capture made ready off the data path (filter compiled, buffer
 * allocated), waiting to be armed; or what a capture held before it was
 * re-armed or cleared, waiting to be freed off the data path.
 */
struct pg_capture_prep {
	pcap_t *pd;
	struct bpf_program prog;
	bool has_prog;
	int dlt;
	unsigned int links;
	uint32_t seconds, packets;
	uint8_t *buf;
	char filter[PG_CAPTURE_FILTER_MAX];
};

/* Set up an idle capture for links with these kernel interface indexes. */
void pg_capture_init(struct pg_capture *c, unsigned int lan_ifindex, unsigned int wan_ifindex);
/* Free what a capture holds. */
void pg_capture_fini(struct pg_capture *c);

/*
 * Arm a capture (dropping any finished one). Returns 0, -EBUSY while one
 * runs, -EINVAL with a message in err and the request's name for the bad
 * option in *field ("seconds", "packets", "link", "filter"), or -ENOMEM.
 */
int pg_capture_start(struct pg_capture *c, const struct pg_capture_opts *o, uint64_t now_ms,
		     char *err, size_t errlen, const char **field);

/*
 * The slow half of pg_capture_start(), for the control thread: check the
 * options, compile the filter, allocate the buffer. Same returns (no
 * -EBUSY). On success p must reach pg_capture_arm() or
 * pg_capture_prep_free().
 */
int pg_capture_prepare(struct pg_capture_prep *p, const struct pg_capture_opts *o, char *err,
		       size_t errlen, const char **field);

/*
 * The quick half, on the data path's thread: arm c with p. p then holds
 * what c held before (a finished capture), to be freed with
 * pg_capture_prep_free() elsewhere. -EBUSY while one runs (p untouched).
 */
int pg_capture_arm(struct pg_capture *c, struct pg_capture_prep *p, uint64_t now_ms);

/*
 * On the data path's thread: forget a finished capture, moving what it held
 * into p (empty when it runs or holds nothing). pg_capture_clear() is this
 * and pg_capture_prep_free() in one.
 */
void pg_capture_detach(struct pg_capture *c, struct pg_capture_prep *p);
void pg_capture_prep_free(struct pg_capture_prep *p);

/* Finish a running capture now; reason is a static string. No-op otherwise. */
void pg_capture_stop(struct pg_capture *c, const char *reason);

/*
 * Finish a running capture whose time is up. The data path calls it once
 * per pass, before the pass's frames (one branch while idle), so no frame
 * after the deadline is kept.
 */
void pg_capture_update(struct pg_capture *c, uint64_t now_ms);

/* Forget a finished capture and free its buffer. No-op while running. */
void pg_capture_clear(struct pg_capture *c);

/*
 * The finished capture as a pcap file written by libpcap: *out is malloc'd,
 * *len its size. Returns 0, -EAGAIN while running, -ENOENT when there is
 * none, -ENOMEM.
 */
int pg_capture_pcap(struct pg_capture *c, uint8_t **out, size_t *len);

const char *pg_capture_state_name(enum pg_capture_state s);

#endif /* PG_CAPTURE_H */
