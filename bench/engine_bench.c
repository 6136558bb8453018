/* SPDX-License-Identifier: MIT */
/*
 * engine_bench.c - how fast the engine is, in memory, without any I/O.
 *
 * DOC: How figures are obtained
 *
 * One engine with the default configuration (max_flows 1,048,576, so the
 * table memory is what a default daemon has) is filled with established
 * flows; the timed loop then copies 46-byte IPv4 packets (64-byte Ethernet
 * frames without Ethernet header and FCS) from prebuilt templates into a
 * batch of buffers, as the daemon copies frames out of its receive ring, and
 * calls pg_engine_run() on the batch. The copy is part of the figure. Every
 * verdict is checked: a run whose packets were not all forwarded the expected
 * way is reported as failed, never as a rate.
 *
 * Outbound (LAN to WAN) and inbound (WAN to LAN) packets alternate batch by
 * batch, flows visited in template order; the engine's keyed hash scatters
 * them over the table anyway. A run lasts at least min_pkts packets and is
 * timed with CLOCK_MONOTONIC around the whole loop (with -c: the thread's CPU
 * time, which leaves out time the core spent on other programs on a shared
 * machine); a figure is the median
 * of several runs, with min and max. One core (the caller's), one engine.
 *
 * New-flow setup is timed on a fresh engine per run: the first outbound
 * packet of each new 5-tuple, either each with a new NAT mapping (distinct
 * LAN sockets) or flows sharing mappings (one socket, many destinations).
 * Refusal is timed on an engine whose public UDP ports are all taken: the
 * first packets of new flows from new LAN sockets, each refused with
 * drop_ports_exhausted, as a flood against a full port space is.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_pkt.h"
#include "bench_pptp.h"
#include "engine/engine.h"
#include "engine/engines.h"

#define MAX_RUNS 15
#define MAX_BATCH 256
#define LAN_NET 0x0a000000u   /* 10.0.0.0/8 */
#define LAN_GW 0x0a000001u    /* 10.0.0.1 */
#define WAN_ADDR 0xc6336402u  /* 198.51.100.2/24 */
#define WAN_GW 0xc6336401u    /* 198.51.100.1 */
#define REMOTE_NET 0x14000000u /* 20.0.0.0/8: servers */
#define SOCKETS_MAX 50000u     /* LAN sockets: below the ~64k public ports */
#define HIGH_PORTS 64512u      /* public ports 1024-65535: what LAN port 20000 maps to */
#define REFUSED_SOCKETS 65536u /* new LAN sockets the refusal figure cycles through */

struct opts {
	unsigned int runs;
	unsigned int batch;
	uint64_t min_pkts;
	const char *json;
	const char *only; /* run only figures whose name starts with this */
	bool full_path;   /* fast path off: what it buys, by difference */
};

struct result {
	char name[48];
	char what[160];
	const char *unit;
	double v[MAX_RUNS];
	unsigned int n;
	uint64_t pkts; /* per run */
	struct result *next;
};

static struct result *results, **results_tail = &results;
static struct opts o = {.runs = 5, .batch = 64, .min_pkts = 4000000};
static int failures;

static clockid_t timing_clock = CLOCK_MONOTONIC;

/* The timing clock: wall time, or with -c this thread's CPU time. */
static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(timing_clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The engine's clock is always the monotonic one, whatever times the runs. */
static uint64_t clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *xalloc(size_t n)
{
	void *p = NULL;

	if (posix_memalign(&p, 64, n)) {
		fprintf(stderr, "engine_bench: out of memory (%zu bytes)\n", n);
		exit(1);
	}
	return p;
}

static struct result *result_add(const char *name, const char *unit, const char *what)
{
	struct result *r = calloc(1, sizeof(*r));

	if (!r) {
		fprintf(stderr, "engine_bench: out of memory\n");
		exit(1);
	}
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->what, sizeof(r->what), "%s", what);
	r->unit = unit;
	*results_tail = r;
	results_tail = &r->next;
	return r;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void stats(const struct result *r, double *med, double *min, double *max)
{
	double s[MAX_RUNS];

	memcpy(s, r->v, r->n * sizeof(double));
	qsort(s, r->n, sizeof(double), cmp_double);
	*min = s[0];
	*max = s[r->n - 1];
	*med = r->n % 2 ? s[r->n / 2] : (s[r->n / 2 - 1] + s[r->n / 2]) / 2;
}

static bool wanted(const char *name)
{
	return !o.only || !strncmp(name, o.only, strlen(o.only));
}

static void bench_config(struct pg_engine_config *c)
{
	pg_engine_config_defaults(c);
	c->lan_addr = htonl(LAN_GW);
	c->lan_prefix = 8;
	c->wan_addr = htonl(WAN_ADDR);
	c->wan_prefix = 24;
	c->wan_gateway = htonl(WAN_GW);
	c->max_flows_per_host = 0; /* the benchmark packs many flows per host */
	c->hash_seed[0] = 0x0123456789abcdefull;
	c->hash_seed[1] = 0xfedcba9876543210ull;
}

static struct pg_engine *engine_new(void)
{
	struct pg_engine_config c;
	struct pg_engine *e;

	bench_config(&c);
	e = pg_engine_create(&c);
	if (!e) {
		fprintf(stderr, "engine_bench: pg_engine_create: %s\n", strerror(errno));
		exit(1);
	}
	pg_engine_set_fast_path(e, !o.full_path);
	return e;
}

/* The batch the timed loop fills: buffers with headroom like the daemon's. */
struct batch {
	uint8_t *buf;
	struct pg_pkt pkts[MAX_BATCH];
};

static void batch_fill(struct batch *b, const uint8_t *tmpl, unsigned int n, enum pg_side side)
{
	for (unsigned int i = 0; i < n; i++) {
		struct pg_pkt *p = &b->pkts[i];

		p->l3 = b->buf + (size_t)i * 2048 + 64;
		memcpy(p->l3, tmpl + (size_t)i * PG_BENCH_STRIDE, PG_BENCH_STRIDE);
		p->len = PG_BENCH_L3_LEN;
		p->cap = 2048 - 64;
		p->side = (uint8_t)side;
	}
}

/* Packets whose verdict was not want; reports the first drop reason. */
static unsigned int batch_check(const struct batch *b, unsigned int n, enum pg_verdict want,
				const char *what)
{
	static unsigned int told;
	unsigned int bad = 0;

	for (unsigned int i = 0; i < n; i++)
		if (b->pkts[i].verdict != want) {
			if (!bad && told++ < 5)
				fprintf(stderr, "engine_bench: %s: verdict %u (%s), wanted %u\n",
					what, (unsigned int)b->pkts[i].verdict,
					pg_counter_name(b->pkts[i].drop_reason), (unsigned int)want);
			bad++;
		}
	return bad;
}

/*
 * Push n templates through the engine once, in batches; copy the results
 * back into out (if not NULL) so callers can read what the engine chose.
 */
static unsigned int push(struct pg_engine *e, struct batch *b, const uint8_t *tmpl, uint32_t n,
			 enum pg_side side, enum pg_verdict want, uint8_t *out, unsigned int bsz,
			 const char *what)
{
	unsigned int bad = 0;

	for (uint32_t i = 0; i < n; i += bsz) {
		unsigned int k = n - i < bsz ? n - i : bsz;

		batch_fill(b, tmpl + (size_t)i * PG_BENCH_STRIDE, k, side);
		pg_engine_run(e, b->pkts, k, clock_ms());
		bad += batch_check(b, k, want, what);
		if (out)
			for (unsigned int j = 0; j < k; j++)
				memcpy(out + (size_t)(i + j) * PG_BENCH_STRIDE, b->pkts[j].l3,
				       PG_BENCH_STRIDE);
	}
	return bad;
}

/* Flows visited outbound then inbound, batch by batch: ns per packet. */
static double timed_run(struct pg_engine *e, struct batch *b, const uint8_t *out,
			const uint8_t *in, uint32_t n, uint64_t *pkts, unsigned int *bad)
{
	uint64_t done = 0, t0;
	unsigned int bsz = o.batch;

	*bad = 0;
	t0 = now_ns();
	while (done < o.min_pkts) {
		for (uint32_t i = 0; i < n; i += bsz) {
			unsigned int k = n - i < bsz ? n - i : bsz;
			uint64_t ms = clock_ms();

			batch_fill(b, out + (size_t)i * PG_BENCH_STRIDE, k, PG_SIDE_LAN);
			pg_engine_run(e, b->pkts, k, ms);
			*bad += batch_check(b, k, PG_VERDICT_TO_WAN, "outbound");
			batch_fill(b, in + (size_t)i * PG_BENCH_STRIDE, k, PG_SIDE_WAN);
			pg_engine_run(e, b->pkts, k, ms);
			*bad += batch_check(b, k, PG_VERDICT_TO_LAN, "inbound");
			done += 2 * k;
		}
	}
	*pkts = done;
	return (double)(now_ns() - t0) / (double)done;
}

static void measure(struct pg_engine *e, struct batch *b, const uint8_t *out, const uint8_t *in,
		    uint32_t n, const char *name, const char *what)
{
	char nm[64];
	struct result *mpps, *ns;

	snprintf(nm, sizeof(nm), "%s_mpps", name);
	mpps = result_add(nm, "Mpps", what);
	snprintf(nm, sizeof(nm), "%s_ns", name);
	ns = result_add(nm, "ns/pkt", what);
	for (unsigned int r = 0; r < o.runs; r++) {
		unsigned int bad;
		uint64_t pkts;
		double v = timed_run(e, b, out, in, n, &pkts, &bad);

		if (bad) {
			fprintf(stderr, "engine_bench: %s: %u of %llu packets not forwarded\n",
				name, bad, (unsigned long long)pkts);
			failures++;
			return;
		}
		ns->v[ns->n++] = v;
		mpps->v[mpps->n++] = 1000.0 / v;
		mpps->pkts = ns->pkts = pkts;
	}
}

static uint32_t lan_host(uint32_t socket)
{
	return LAN_NET + 2 + socket / 4; /* four sockets per host */
}

/* Established UDP: n flows = sockets x destinations, both directions. */
static void bench_udp(struct batch *b, uint32_t n, const char *name)
{
	uint32_t sockets = n < SOCKETS_MAX ? n : SOCKETS_MAX;
	uint8_t *out = xalloc((size_t)n * PG_BENCH_STRIDE);
	uint8_t *in = xalloc((size_t)n * PG_BENCH_STRIDE);
	struct pg_engine *e = engine_new();
	char what[160];

	for (uint32_t i = 0; i < n; i++) {
		uint32_t s = i % sockets, d = i / sockets;

		pg_bench_udp(out + (size_t)i * PG_BENCH_STRIDE, lan_host(s), REMOTE_NET + 1 + d,
			     (uint16_t)(20000 + s % 4), 4000);
	}
	/* Set the flows up; the translated packets tell each flow's public port. */
	if (push(e, b, out, n, PG_SIDE_LAN, PG_VERDICT_TO_WAN, in, o.batch, "udp setup")) {
		failures++;
		goto out;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p = in + (size_t)i * PG_BENCH_STRIDE;

		pg_bench_udp(p, REMOTE_NET + 1 + i / sockets, WAN_ADDR, 4000, pg_bench_udp_sport(p));
	}
	snprintf(what, sizeof(what),
		 "established UDP, %u flows (%u LAN sockets), 64-byte frames both directions, "
		 "batch %u",
		 pg_engine_flow_count(e), sockets, o.batch);
	measure(e, b, out, in, n, name, what);
out:
	pg_engine_destroy(e);
	free(out);
	free(in);
}

/*
 * Plain GRE (version 0) and raw ESP: one LAN client per server. Set up
 * pair by pair (out, then the answer) so ESP learns each inbound SPI.
 */
static void bench_tunnel(struct batch *b, uint32_t n, bool esp, const char *name)
{
	uint8_t *out = xalloc((size_t)n * PG_BENCH_STRIDE);
	uint8_t *in = xalloc((size_t)n * PG_BENCH_STRIDE);
	struct pg_engine *e = engine_new();
	unsigned int bad = 0;
	char what[160];

	for (uint32_t i = 0; i < n; i++) {
		uint32_t client = LAN_NET + 2 + i, server = REMOTE_NET + 0x10000 + i;
		uint8_t *po = out + (size_t)i * PG_BENCH_STRIDE;
		uint8_t *pi = in + (size_t)i * PG_BENCH_STRIDE;

		if (esp) {
			pg_bench_esp(po, client, server, 0x1000 + i, 1);
			pg_bench_esp(pi, server, WAN_ADDR, 0x80000 + i, 1);
		} else {
			/*
			 * Plain GRE: enhanced GRE no PPTP call announced opens
			 * nothing inbound (docs/ENGINE.md); pptp_1k has that.
			 */
			pg_bench_gre0(po, client, server);
			pg_bench_gre0(pi, server, WAN_ADDR);
		}
		bad += push(e, b, po, 1, PG_SIDE_LAN, PG_VERDICT_TO_WAN, NULL, 1, name);
		bad += push(e, b, pi, 1, PG_SIDE_WAN, PG_VERDICT_TO_LAN, NULL, 1, name);
	}
	if (bad) {
		failures++;
		goto out;
	}
	snprintf(what, sizeof(what),
		 "established %s, %u flows (one client per server), 64-byte frames both "
		 "directions, batch %u",
		 esp ? "raw ESP (SPI-keyed, inbound SPI learnt)" :
		       "plain GRE v0 (address-tracked)",
		 pg_engine_flow_count(e), o.batch);
	measure(e, b, out, in, n, name, what);
out:
	pg_engine_destroy(e);
	free(out);
	free(in);
}

/*
 * PPTP calls: n LAN clients each open a control connection to one server and
 * place a call, all choosing the same call id; the helper gives each a public
 * call id and their GRE is keyed by call id from then on.
 */
static void bench_pptp(struct batch *b, uint32_t n, const char *name)
{
	uint8_t *out = xalloc((size_t)n * PG_BENCH_STRIDE);
	uint8_t *in = xalloc((size_t)n * PG_BENCH_STRIDE);
	struct pg_engine *e = engine_new();
	uint32_t server = REMOTE_NET + 0x20000;
	char what[160];

	for (uint32_t i = 0; i < n; i++) {
		uint32_t client = LAN_NET + 2 + i;
		uint16_t pac_cid = (uint16_t)(0x2000 + i), pub_cid;
		/*
		 * Groups of 128 clients pick the same call id. Public ids keep the
		 * high byte of the client's id (pptp.c says why), so one high byte
		 * offers 256 calls per server: spread the groups over high bytes.
		 */
		uint16_t pns_cid = (uint16_t)((1 + i / 128) << 8);

		if (pg_bench_pptp_call(e, b->buf, client, server, WAN_ADDR, pns_cid, pac_cid,
				       &pub_cid)) {
			failures++;
			goto out;
		}
		pg_bench_gre(out + (size_t)i * PG_BENCH_STRIDE, client, server, pac_cid);
		pg_bench_gre(in + (size_t)i * PG_BENCH_STRIDE, server, WAN_ADDR, pub_cid);
	}
	if (pg_engine_counters(e)[PG_CNT_PPTP_CALLS] != n) {
		fprintf(stderr, "engine_bench: %s: %llu of %u PPTP calls set up\n", name,
			(unsigned long long)pg_engine_counters(e)[PG_CNT_PPTP_CALLS], n);
		failures++;
		goto out;
	}
	snprintf(what, sizeof(what),
		 "established PPTP GRE, %u calls of %u clients to one server (call-id keyed "
		 "after a PPTP exchange), both directions, batch %u",
		 n, n, o.batch);
	measure(e, b, out, in, n, name, what);
out:
	pg_engine_destroy(e);
	free(out);
	free(in);
}

/*
 * New flows per second: the first outbound packet of n new UDP flows on a
 * fresh engine. sockets == n: every flow also takes a new mapping.
 */
static void bench_new(struct batch *b, uint32_t n, uint32_t sockets, const char *name,
		      const char *what)
{
	uint8_t *out = xalloc((size_t)n * PG_BENCH_STRIDE);
	char nm[64];
	struct result *rate;

	snprintf(nm, sizeof(nm), "%s_mflows", name);
	rate = result_add(nm, "M flows/s", what);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t s = i % sockets, d = i / sockets;

		pg_bench_udp(out + (size_t)i * PG_BENCH_STRIDE, lan_host(s), REMOTE_NET + 1 + d,
			     (uint16_t)(20000 + s % 4), 4000);
	}
	for (unsigned int r = 0; r < o.runs; r++) {
		struct pg_engine *e = engine_new();
		uint64_t t0 = now_ns(), t;
		unsigned int bad = push(e, b, out, n, PG_SIDE_LAN, PG_VERDICT_TO_WAN, NULL,
					o.batch, name);

		t = now_ns() - t0;
		if (bad || pg_engine_flow_count(e) != n) {
			fprintf(stderr, "engine_bench: %s: %u refused, %u flows\n", name, bad,
				pg_engine_flow_count(e));
			failures++;
			pg_engine_destroy(e);
			break;
		}
		rate->v[rate->n++] = (double)n * 1000.0 / (double)t;
		rate->pkts = n;
		pg_engine_destroy(e);
	}
	free(out);
}

/*
 * New flows refused for want of a port: every public UDP port 1024-65535 is
 * taken by one LAN socket each (half even, half odd LAN ports, so both
 * parities run out), then new sockets' first packets are pushed, all of
 * which must be dropped as drop_ports_exhausted without touching the table.
 */
static void bench_refused(struct batch *b, const char *name, const char *what)
{
	uint8_t *fill = xalloc((size_t)HIGH_PORTS * PG_BENCH_STRIDE);
	uint8_t *out = xalloc((size_t)REFUSED_SOCKETS * PG_BENCH_STRIDE);
	uint64_t want = o.min_pkts / 4, bad = 0, refused0, created0;
	struct pg_engine *e = engine_new();
	const uint64_t *cnt = pg_engine_counters(e);
	char nm[64];
	struct result *rate;

	snprintf(nm, sizeof(nm), "%s_mflows", name);
	rate = result_add(nm, "M flows/s", what);
	for (uint32_t s = 0; s < HIGH_PORTS; s++)
		pg_bench_udp(fill + (size_t)s * PG_BENCH_STRIDE, lan_host(s), REMOTE_NET + 1,
			     (uint16_t)(20000 + s % 4), 4000);
	for (uint32_t i = 0; i < REFUSED_SOCKETS; i++)
		pg_bench_udp(out + (size_t)i * PG_BENCH_STRIDE, lan_host(HIGH_PORTS + i),
			     REMOTE_NET + 1, (uint16_t)(20000 + i % 4), 4000);
	if (push(e, b, fill, HIGH_PORTS, PG_SIDE_LAN, PG_VERDICT_TO_WAN, NULL, o.batch, name) ||
	    pg_engine_flow_count(e) != HIGH_PORTS) {
		fprintf(stderr, "engine_bench: %s: %u of %u ports filled\n", name,
			pg_engine_flow_count(e), HIGH_PORTS);
		failures++;
		goto out;
	}
	for (unsigned int r = 0; r < o.runs; r++) {
		uint64_t done = 0, t0, t;

		refused0 = cnt[PG_CNT_DROP_PORTS_EXHAUSTED];
		created0 = cnt[PG_CNT_FLOW_CREATED] + cnt[PG_CNT_MAPPING_CREATED] +
			   cnt[PG_CNT_FLOW_EVICTED];
		t0 = now_ns();
		while (done < want) {
			for (uint32_t i = 0; i < REFUSED_SOCKETS; i += o.batch) {
				unsigned int k = REFUSED_SOCKETS - i < o.batch ? REFUSED_SOCKETS - i
									       : o.batch;

				batch_fill(b, out + (size_t)i * PG_BENCH_STRIDE, k, PG_SIDE_LAN);
				pg_engine_run(e, b->pkts, k, clock_ms());
				bad += batch_check(b, k, PG_VERDICT_DROP, name);
				done += k;
			}
		}
		t = now_ns() - t0;
		/* Every one refused for this reason, and nothing made or evicted. */
		if (bad || cnt[PG_CNT_DROP_PORTS_EXHAUSTED] - refused0 != done ||
		    cnt[PG_CNT_FLOW_CREATED] + cnt[PG_CNT_MAPPING_CREATED] +
				    cnt[PG_CNT_FLOW_EVICTED] != created0 ||
		    pg_engine_flow_count(e) != HIGH_PORTS) {
			fprintf(stderr,
				"engine_bench: %s: %llu of %llu refused as drop_ports_exhausted, "
				"%u flows (want %u)\n",
				name, (unsigned long long)(cnt[PG_CNT_DROP_PORTS_EXHAUSTED] - refused0),
				(unsigned long long)done, pg_engine_flow_count(e), HIGH_PORTS);
			failures++;
			break;
		}
		rate->v[rate->n++] = (double)done * 1000.0 / (double)t;
		rate->pkts = done;
	}
out:
	pg_engine_destroy(e);
	free(fill);
	free(out);
}

/* One worker's share of a workers figure: its engine, flows and thread. */
struct worker_job {
	struct pg_engine *e;
	struct batch b;
	uint8_t *out, *in;
	uint32_t n;
	int cpu;
	pthread_barrier_t *start;
	uint64_t pkts;
	double ns;
	unsigned int bad;
};

static void *worker_job_main(void *arg)
{
	struct worker_job *j = arg;
	cpu_set_t cpus;

	/* A core each, as passgated's workers would want; best effort. */
	CPU_ZERO(&cpus);
	CPU_SET(j->cpu, &cpus);
	(void)pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	pthread_barrier_wait(j->start);
	j->ns = timed_run(j->e, &j->b, j->out, j->in, j->n, &j->pkts, &j->bad);
	return NULL;
}

/*
 * Established UDP through nw workers' engines (engines.h), each packet on
 * the engine pg_shard_of() names, as the daemon steers them: 100,000 flows
 * from 1000 LAN sockets to 100 servers (the worker is chosen by the server).
 * Each worker is a thread on its own CPU running its share as the one-engine
 * figures run theirs; the figure is the gateway's rate: all workers'
 * packets over the wall time from the common start to the last one's end
 * (with -c, the sum of each worker's rate over its own CPU time).
 */
static void bench_workers(unsigned int nw, const char *name)
{
	enum { SOCKS = 1000, SERVERS = 100, N = SOCKS * SERVERS };
	struct pg_engine_config c;
	struct pg_engines set;
	struct worker_job job[2];
	pthread_t tid[2];
	pthread_barrier_t start;
	uint8_t *tmpl = xalloc((size_t)N * PG_BENCH_STRIDE);
	char nm[64], what[200];
	struct result *mpps;
	unsigned int bad = 0;

	bench_config(&c);
	if (nw > 2 || pg_engines_create(&set, &c, nw)) {
		fprintf(stderr, "engine_bench: %s: cannot create %u engines\n", name, nw);
		failures++;
		free(tmpl);
		return;
	}
	for (unsigned int w = 0; w < nw; w++) {
		pg_engine_set_fast_path(set.e[w], !o.full_path);
		job[w] = (struct worker_job){.e = set.e[w], .cpu = (int)(1 - w), .start = &start};
		job[w].b.buf = xalloc((size_t)MAX_BATCH * 2048);
		job[w].out = xalloc((size_t)N * PG_BENCH_STRIDE);
		job[w].in = xalloc((size_t)N * PG_BENCH_STRIDE);
	}
	/* Each flow's first packet to its worker; the answers from what it sent. */
	for (uint32_t i = 0; i < N; i++) {
		uint8_t *p = tmpl + (size_t)i * PG_BENCH_STRIDE;
		struct worker_job *j;

		pg_bench_udp(p, lan_host(i % SOCKS), REMOTE_NET + 1 + i / SOCKS,
			     (uint16_t)(20000 + (i % SOCKS) % 4), 4000);
		j = &job[pg_shard_of(&set.map, p, PG_BENCH_L3_LEN, PG_SIDE_LAN)];
		memcpy(j->out + (size_t)j->n++ * PG_BENCH_STRIDE, p, PG_BENCH_STRIDE);
	}
	for (unsigned int w = 0; w < nw; w++) {
		struct worker_job *j = &job[w];

		bad += push(j->e, &j->b, j->out, j->n, PG_SIDE_LAN, PG_VERDICT_TO_WAN, j->in,
			    o.batch, "workers setup");
		for (uint32_t i = 0; i < j->n; i++) {
			uint8_t *p = j->in + (size_t)i * PG_BENCH_STRIDE;
			uint32_t server;

			memcpy(&server, j->out + (size_t)i * PG_BENCH_STRIDE + 16, 4);
			pg_bench_udp(p, ntohl(server), WAN_ADDR, 4000, pg_bench_udp_sport(p));
			/* Steering is symmetric, or the answers would find no flow. */
			if (pg_shard_of(&set.map, p, PG_BENCH_L3_LEN, PG_SIDE_WAN) != w)
				bad++;
		}
	}
	if (bad) {
		fprintf(stderr, "engine_bench: %s: %u packets refused or misdirected at set-up\n",
			name, bad);
		failures++;
		goto out;
	}
	snprintf(nm, sizeof(nm), "%s_mpps", name);
	snprintf(what, sizeof(what),
		 "established UDP, %u flows (%u sockets x %u servers) on %u worker%s (%u / %u "
		 "flows), a thread and CPU each, batch %u",
		 N, SOCKS, SERVERS, nw, nw > 1 ? "s" : "", job[0].n, nw > 1 ? job[1].n : 0,
		 o.batch);
	mpps = result_add(nm, "Mpps", what);
	for (unsigned int r = 0; r < o.runs; r++) {
		struct timespec t0, t1;
		double rate = 0;
		uint64_t total = 0;

		pthread_barrier_init(&start, NULL, nw + 1);
		for (unsigned int w = 0; w < nw; w++)
			pthread_create(&tid[w], NULL, worker_job_main, &job[w]);
		pthread_barrier_wait(&start);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (unsigned int w = 0; w < nw; w++) {
			pthread_join(tid[w], NULL);
			bad += job[w].bad;
			total += job[w].pkts;
			rate += 1000.0 / job[w].ns;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		pthread_barrier_destroy(&start);
		if (bad) {
			fprintf(stderr, "engine_bench: %s: %u packets not forwarded\n", name, bad);
			failures++;
			break;
		}
		/* Packets per microsecond are Mpps. */
		if (timing_clock == CLOCK_MONOTONIC)
			rate = (double)total / ((double)(t1.tv_sec - t0.tv_sec) * 1e6 +
						(double)(t1.tv_nsec - t0.tv_nsec) / 1e3);
		mpps->v[mpps->n++] = rate;
		mpps->pkts = total;
	}
out:
	for (unsigned int w = 0; w < nw; w++) {
		free(job[w].b.buf);
		free(job[w].out);
		free(job[w].in);
	}
	pg_engines_destroy(&set);
	free(tmpl);
}

static void print_table(void)
{
	printf("%-22s %10s %10s %10s  %-10s %s\n", "figure", "median", "min", "max", "unit",
	       "what");
	for (struct result *r = results; r; r = r->next) {
		double med, min, max;

		if (!r->n)
			continue;
		stats(r, &med, &min, &max);
		printf("%-22s %10.2f %10.2f %10.2f  %-10s %s\n", r->name, med, min, max, r->unit,
		       r->what);
	}
}

static int write_json(const char *path, size_t bpf, size_t mem)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "engine_bench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f,
		"{\n  \"method\": \"in memory, one core, default config (max_flows 1048576), "
		"templates copied into batch buffers then pg_engine_run(); %s around each run; "
		"every verdict checked%s\",\n",
		timing_clock == CLOCK_MONOTONIC ? "CLOCK_MONOTONIC (wall time)"
						: "CLOCK_THREAD_CPUTIME_ID (the thread's CPU time)",
		o.full_path ? "; fast path off" : "");
	fprintf(f, "  \"batch\": %u,\n  \"runs\": %u,\n  \"bytes_per_flow\": %zu,\n", o.batch,
		o.runs, bpf);
	fprintf(f, "  \"table_bytes\": %zu,\n  \"failures\": %d,\n  \"figures\": [\n", mem,
		failures);
	for (struct result *r = results; r; r = r->next) {
		double med, min, max;

		if (!r->n)
			continue;
		stats(r, &med, &min, &max);
		fprintf(f, "    {\"name\": \"%s\", \"unit\": \"%s\", \"what\": \"%s\", ", r->name,
			r->unit, r->what);
		fprintf(f, "\"packets_per_run\": %llu, \"runs\": [", (unsigned long long)r->pkts);
		for (unsigned int i = 0; i < r->n; i++)
			fprintf(f, "%s%.4f", i ? ", " : "", r->v[i]);
		fprintf(f, "], \"median\": %.4f, \"min\": %.4f, \"max\": %.4f}%s\n", med, min, max,
			r->next ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	return fclose(f) ? -1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: engine_bench [-r RUNS] [-b BATCH] [-p MIN_PKTS] [-q] [-o JSON] [-f PREFIX] [-c] [-F]\n"
		   "  -r RUNS      runs per figure (default 5, at most 15)\n"
		   "  -b BATCH     packets per pg_engine_run() (default 64, at most 256)\n"
		   "  -p MIN_PKTS  packets per run at least (default 4000000)\n"
		   "  -q           quick: 3 runs, 1000000 packets per run\n"
		   "  -o JSON      also write the figures as JSON\n"
		   "  -f PREFIX    only the figures whose name starts with PREFIX\n"
		   "  -c           time with this thread's CPU time instead of wall time\n"
		   "               (for iterating on a busy machine: time-slicing drops out)\n"
		   "  -F           fast path off: every packet takes the full path\n");
}

int main(int argc, char **argv)
{
	struct pg_engine_config c;
	struct batch b;
	int opt;

	while ((opt = getopt(argc, argv, "r:b:p:qo:f:cFh")) != -1) {
		switch (opt) {
		case 'r':
			o.runs = (unsigned int)atoi(optarg);
			break;
		case 'b':
			o.batch = (unsigned int)atoi(optarg);
			break;
		case 'p':
			o.min_pkts = strtoull(optarg, NULL, 10);
			break;
		case 'q':
			o.runs = 3;
			o.min_pkts = 1000000;
			break;
		case 'o':
			o.json = optarg;
			break;
		case 'f':
			o.only = optarg;
			break;
		case 'c':
			timing_clock = CLOCK_THREAD_CPUTIME_ID;
			break;
		case 'F':
			o.full_path = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (o.runs < 1 || o.runs > MAX_RUNS || o.batch < 1 || o.batch > MAX_BATCH) {
		usage(stderr);
		return 1;
	}
	b.buf = xalloc((size_t)MAX_BATCH * 2048);

	if (wanted("udp_1k"))
		bench_udp(&b, 1000, "udp_1k");
	if (wanted("udp_100k"))
		bench_udp(&b, 100000, "udp_100k");
	if (wanted("udp_1m"))
		bench_udp(&b, 1000000, "udp_1m");
	if (wanted("gre_1k"))
		bench_tunnel(&b, 1000, false, "gre_1k");
	if (wanted("pptp_1k"))
		bench_pptp(&b, 1000, "pptp_1k");
	if (wanted("esp_1k"))
		bench_tunnel(&b, 1000, true, "esp_1k");
	if (wanted("new_flow_mapping"))
		bench_new(&b, SOCKETS_MAX, SOCKETS_MAX, "new_flow_mapping",
			  "new UDP flows, each with a new NAT mapping (50000 LAN sockets), "
			  "fresh engine");
	if (wanted("new_flow_shared"))
		bench_new(&b, 500000, 1000, "new_flow_shared",
			  "new UDP flows sharing mappings (1000 sockets x 500 servers), fresh "
			  "engine");

	if (wanted("new_flow_refused"))
		bench_refused(&b, "new_flow_refused",
			      "new UDP flows from new LAN sockets, every public port 1024-65535 "
			      "taken: each refused (drop_ports_exhausted)");
	if (wanted("workers_1"))
		bench_workers(1, "workers_1_udp_100k");
	if (wanted("workers_2"))
		bench_workers(2, "workers_2_udp_100k");

	pg_engine_config_defaults(&c);
	print_table();
	printf("%-22s %10zu %10s %10s  %-10s %s\n", "bytes_per_flow", pg_engine_bytes_per_flow(&c),
	       "", "", "bytes", "pg_engine_bytes_per_flow(), default config");
	if (o.json && write_json(o.json, pg_engine_bytes_per_flow(&c), pg_engine_memory_size(&c)))
		return 1;
	free(b.buf);
	if (failures)
		fprintf(stderr, "engine_bench: %d figure(s) failed\n", failures);
	return failures ? 1 : 0;
}
