/* SPDX-License-Identifier: MIT */
/*
 * pcap_replay.c - run captured traffic through the engine and record what it
 * did, or check that against an expected result.
 *
 *   pcap_replay [-l LAN.pcap] [-w WAN.pcap] [-c CONFIG] [-o OUTDIR] [-e EXPECTDIR]
 *
 * Input: one capture per side (what arrived on the LAN link, what arrived on
 * the WAN link), raw IPv4 (LINKTYPE_RAW / LINKTYPE_IPV4), Ethernet (one VLAN
 * tag allowed) or Linux cooked; frames of other ethertypes are skipped (raw
 * captures are passed whole, whatever they hold). The two are
 * merged by timestamp (on a tie the LAN packet goes first) and each packet is
 * run through one engine at its capture time, in milliseconds.
 *
 * Output (-o): OUTDIR/out-lan.pcap and out-wan.pcap (raw IPv4, the packets
 * the engine sent to each link, with the timestamp of the packet that caused
 * them; held fragments a packet released, from pg_engine_emitted(), come right
 * after it), and OUTDIR/other.txt, one line per packet not forwarded:
 *   "lan 3 drop drop_truncated"   (side, 1-based packet number in its capture,
 *   "wan 7 gw"                     verdict, reason)
 *
 * Check (-e): compare with EXPECTDIR/expect-lan.pcap, expect-wan.pcap and
 * expect-other.txt (a missing file means "nothing"): packet count, every
 * byte and every timestamp. Prints the first difference; exits 1 on any.
 *
 * Config: the fixture's test addresses plus "key value" lines: filtering
 * (address-dependent | endpoint-independent), max_flows, max_flows_per_host,
 * timeouts as tcp_established, tcp_transitory, tcp_time_wait, udp, icmp, gre,
 * esp (seconds), icmp_error_rate, icmp_error_burst. '#' starts a comment.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/fixture.h"

#define MAX_PKTS 100000

struct cap_pkt {
	uint64_t ts_us;
	uint8_t side;
	uint32_t seq; /* 1-based number in its own capture */
	uint32_t len;
	uint8_t *data;
};

struct out_pkt {
	uint64_t ts_us;
	uint32_t len;
	uint8_t *data;
};

struct out_list {
	struct out_pkt *p;
	size_t n, cap;
};

static struct cap_pkt *pkts;
static size_t npkts;

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fprintf(stderr, "pcap_replay: out of memory\n");
		exit(2);
	}
	return p;
}

/* Offset of the IPv4 header in a frame of this link type, or -1 to skip it. */
static int l3_offset(int dlt, const uint8_t *f, uint32_t len)
{
	uint16_t et;

	switch (dlt) {
	case DLT_RAW:
#ifdef DLT_IPV4
	case DLT_IPV4:
#endif
		/* Everything goes in, even a runt or another version: the engine judges. */
		(void)f;
		(void)len;
		return 0;
	case DLT_EN10MB:
		if (len < 14)
			return -1;
		et = pgt_get16(f + 12);
		if (et == 0x8100 && len >= 18) {
			et = pgt_get16(f + 16);
			return et == 0x0800 ? 18 : -1;
		}
		return et == 0x0800 ? 14 : -1;
	case DLT_LINUX_SLL:
		if (len < 16)
			return -1;
		return pgt_get16(f + 14) == 0x0800 ? 16 : -1;
	default:
		return -1;
	}
}

static int load(const char *path, uint8_t side)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *pc = pcap_open_offline(path, errbuf);
	uint32_t seq = 0;
	int dlt, rc;

	if (!pc) {
		fprintf(stderr, "pcap_replay: %s: %s\n", path, errbuf);
		return -1;
	}
	dlt = pcap_datalink(pc);
	while ((rc = pcap_next_ex(pc, &h, &d)) == 1) {
		int off = l3_offset(dlt, d, h->caplen);
		struct cap_pkt *p;

		seq++;
		if (off < 0)
			continue;
		if (npkts == MAX_PKTS) {
			fprintf(stderr, "pcap_replay: more than %d packets\n", MAX_PKTS);
			pcap_close(pc);
			return -1;
		}
		p = &pkts[npkts++];
		p->ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
		p->side = side;
		p->seq = seq;
		p->len = h->caplen - (uint32_t)off;
		if (p->len > PGT_BUF - PG_PKT_ERROR_GROWTH)
			p->len = PGT_BUF - PG_PKT_ERROR_GROWTH;
		p->data = xmalloc(p->len);
		memcpy(p->data, d + off, p->len);
	}
	if (rc == -1) {
		fprintf(stderr, "pcap_replay: %s: %s\n", path, pcap_geterr(pc));
		pcap_close(pc);
		return -1;
	}
	pcap_close(pc);
	return 0;
}

/* Merge order: time, then LAN before WAN, then capture order. */
static int cmp_pkt(const void *a, const void *b)
{
	const struct cap_pkt *x = a, *y = b;

	if (x->ts_us != y->ts_us)
		return x->ts_us < y->ts_us ? -1 : 1;
	if (x->side != y->side)
		return x->side < y->side ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int read_config(const char *path, struct pg_engine_config *cfg)
{
	struct {
		const char *key;
		uint32_t *val;
	} keys[] = {
		{ "max_flows", &cfg->max_flows },
		{ "max_flows_per_host", &cfg->max_flows_per_host },
		{ "tcp_established", &cfg->timeouts.tcp_established },
		{ "tcp_transitory", &cfg->timeouts.tcp_transitory },
		{ "tcp_time_wait", &cfg->timeouts.tcp_time_wait },
		{ "udp", &cfg->timeouts.udp },
		{ "icmp", &cfg->timeouts.icmp },
		{ "gre", &cfg->timeouts.gre },
		{ "esp", &cfg->timeouts.esp },
		{ "icmp_error_rate", &cfg->icmp_error_rate },
		{ "icmp_error_burst", &cfg->icmp_error_burst },
	};
	char line[256], key[64], val[64];
	FILE *f = fopen(path, "r");
	unsigned int lineno = 0;
	size_t i;

	if (!f) {
		fprintf(stderr, "pcap_replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#');

		lineno++;
		if (hash)
			*hash = 0;
		if (sscanf(line, "%63s %63s", key, val) != 2)
			continue;
		if (!strcmp(key, "filtering")) {
			if (!strcmp(val, "endpoint-independent"))
				cfg->filtering = PG_FILTER_ENDPOINT_INDEPENDENT;
			else if (!strcmp(val, "address-dependent"))
				cfg->filtering = PG_FILTER_ADDRESS_DEPENDENT;
			else
				goto bad;
			continue;
		}
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strcmp(key, keys[i].key))
				break;
		if (i == sizeof(keys) / sizeof(keys[0]))
			goto bad;
		*keys[i].val = (uint32_t)strtoul(val, NULL, 10);
	}
	fclose(f);
	return 0;
bad:
	fprintf(stderr, "pcap_replay: %s:%u: bad setting '%s %s'\n", path, lineno, key, val);
	fclose(f);
	return -1;
}

static void out_add(struct out_list *l, uint64_t ts, const uint8_t *d, uint32_t len)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->p = realloc(l->p, l->cap * sizeof(*l->p));
		if (!l->p) {
			fprintf(stderr, "pcap_replay: out of memory\n");
			exit(2);
		}
	}
	l->p[l->n].ts_us = ts;
	l->p[l->n].len = len;
	l->p[l->n].data = xmalloc(len);
	memcpy(l->p[l->n].data, d, len);
	l->n++;
}

static int write_pcap(const char *path, const struct out_list *l)
{
	pcap_t *pc = pcap_open_dead(DLT_RAW, 65535);
	pcap_dumper_t *dump;
	size_t i;

	if (!pc)
		return -1;
	dump = pcap_dump_open(pc, path);
	if (!dump) {
		fprintf(stderr, "pcap_replay: %s: %s\n", path, pcap_geterr(pc));
		pcap_close(pc);
		return -1;
	}
	for (i = 0; i < l->n; i++) {
		struct pcap_pkthdr h = {
			.ts = { .tv_sec = (time_t)(l->p[i].ts_us / 1000000u),
				.tv_usec = (suseconds_t)(l->p[i].ts_us % 1000000u) },
			.caplen = l->p[i].len,
			.len = l->p[i].len,
		};

		pcap_dump((u_char *)dump, &h, l->p[i].data);
	}
	pcap_dump_close(dump);
	pcap_close(pc);
	return 0;
}

/* Compare produced packets with an expected capture (missing file: none). */
static int compare_pcap(const char *name, const char *path, const struct out_list *l)
{
	char errbuf[PCAP_ERRBUF_SIZE], why[600];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *pc;
	size_t i = 0;
	int rc, bad = 0;

	if (access(path, F_OK) != 0) {
		if (l->n) {
			printf("  %s: %zu packets, expected none\n", name, l->n);
			return 1;
		}
		return 0;
	}
	pc = pcap_open_offline(path, errbuf);
	if (!pc) {
		printf("  %s: %s\n", path, errbuf);
		return 1;
	}
	while ((rc = pcap_next_ex(pc, &h, &d)) == 1) {
		int off = l3_offset(pcap_datalink(pc), d, h->caplen);
		uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;

		if (off < 0)
			continue;
		if (i >= l->n) {
			pgt_describe(d + off, h->caplen - (uint32_t)off, why, sizeof(why));
			printf("  %s: missing packet %zu: %s\n", name, i + 1, why);
			bad = 1;
			break;
		}
		if (pgt_diff(l->p[i].data, l->p[i].len, d + off, h->caplen - (uint32_t)off, why,
			     sizeof(why))) {
			printf("  %s: packet %zu: %s\n", name, i + 1, why);
			bad = 1;
			break;
		}
		if (ts != l->p[i].ts_us) {
			printf("  %s: packet %zu: timestamp %llu us, expected %llu us\n", name,
			       i + 1, (unsigned long long)l->p[i].ts_us, (unsigned long long)ts);
			bad = 1;
			break;
		}
		i++;
	}
	if (!bad && i < l->n) {
		pgt_describe(l->p[i].data, l->p[i].len, why, sizeof(why));
		printf("  %s: unexpected packet %zu: %s\n", name, i + 1, why);
		bad = 1;
	}
	pcap_close(pc);
	return bad;
}

static int compare_text(const char *path, const char *got)
{
	FILE *f = fopen(path, "r");
	char want[65536];
	size_t n = 0;
	const char *g = got, *w = want;
	unsigned int line = 1;

	if (f) {
		n = fread(want, 1, sizeof(want) - 1, f);
		fclose(f);
	}
	want[n] = 0;
	if (!strcmp(want, got))
		return 0;
	/* Report the whole first line that differs. */
	while (*g && *g == *w) {
		const char *gn = strchr(g, '\n'), *wn = strchr(w, '\n');

		if (!gn || !wn || gn - g != wn - w || strncmp(g, w, (size_t)(gn - g)))
			break;
		g = gn + 1;
		w = wn + 1;
		line++;
	}
	printf("  other.txt line %u: got '%.*s', expected '%.*s'\n", line, (int)strcspn(g, "\n"), g,
	       (int)strcspn(w, "\n"), w);
	return 1;
}

/*
 * Packets the engine released besides the batch (held fragments): forwarded
 * ones join the output; others are listed as "emitted N drop reason".
 */
static void emitted(struct pg_engine *e, uint64_t ts, struct out_list *out, char *other,
		    size_t *olen)
{
	struct pg_pkt *em = NULL;
	unsigned int n = pg_engine_emitted(e, &em), k;

	for (k = 0; k < n; k++) {
		if (em[k].verdict == PG_VERDICT_TO_LAN || em[k].verdict == PG_VERDICT_TO_WAN)
			out_add(&out[em[k].verdict == PG_VERDICT_TO_WAN], ts, em[k].l3, em[k].len);
		else if (*olen < 65536 - 256)
			*olen += (size_t)snprintf(
			    other + *olen, 65536 - *olen, "emitted %u %s\n", k + 1,
			    em[k].verdict == PG_VERDICT_DROP ? pgt_counter(em[k].drop_reason)
							     : pgt_verdict_name(em[k].verdict));
	}
}

static void free_list(struct out_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->p[i].data);
	free(l->p);
}

int main(int argc, char **argv)
{
	const char *lan = NULL, *wan = NULL, *conf = NULL, *outdir = NULL, *expdir = NULL;
	struct out_list out[2] = { { 0 } }, gw = { 0 };
	struct pg_engine_config cfg;
	struct pg_engine *e;
	char *other = xmalloc(65536), path[1024], err[256];
	size_t olen = 0, i;
	int opt, bad = 0;

	while ((opt = getopt(argc, argv, "l:w:c:o:e:")) != -1) {
		switch (opt) {
		case 'l':
			lan = optarg;
			break;
		case 'w':
			wan = optarg;
			break;
		case 'c':
			conf = optarg;
			break;
		case 'o':
			outdir = optarg;
			break;
		case 'e':
			expdir = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: pcap_replay [-l LAN.pcap] [-w WAN.pcap] [-c CONFIG] "
				"[-o OUTDIR] [-e EXPECTDIR]\n");
			return 2;
		}
	}
	pkts = xmalloc(MAX_PKTS * sizeof(*pkts));
	if ((lan && load(lan, PG_SIDE_LAN)) || (wan && load(wan, PG_SIDE_WAN)))
		return 2;
	qsort(pkts, npkts, sizeof(*pkts), cmp_pkt);

	pgt_config(&cfg);
	if (conf && read_config(conf, &cfg))
		return 2;
	e = pgt_engine_new(&cfg);
	if (!e)
		return 2;

	other[0] = 0;
	for (i = 0; i < npkts; i++) {
		struct pgt_pkt *p = xmalloc(sizeof(*p));

		memset(p, 0, offsetof(struct pgt_pkt, len));
		memcpy(p->buf, pkts[i].data, pkts[i].len);
		p->len = pkts[i].len;
		p->cap = 0;
		p->side = pkts[i].side;
		if (pgt_run(e, p, 1, pkts[i].ts_us / 1000, err, sizeof(err))) {
			fprintf(stderr, "pcap_replay: packet %zu: %s\n", i, err);
			return 2;
		}
		if (p->verdict == PG_VERDICT_TO_LAN || p->verdict == PG_VERDICT_TO_WAN) {
			out_add(&out[p->verdict == PG_VERDICT_TO_WAN], pkts[i].ts_us, p->buf,
				p->len);
		} else if (olen < 65536 - 256) {
			if (p->verdict == PG_VERDICT_TO_GW)
				out_add(&gw, pkts[i].ts_us, p->buf, p->len);
			olen += (size_t)snprintf(
			    other + olen, 65536 - olen, "%s %u %s%s%s\n",
			    pkts[i].side ? "wan" : "lan", pkts[i].seq,
			    p->verdict == PG_VERDICT_TO_GW ? "gw" : "drop",
			    p->verdict == PG_VERDICT_DROP ? " " : "",
			    p->verdict == PG_VERDICT_DROP ? pgt_counter(p->drop_reason) : "");
		}
		free(p);
		/* Held fragments this packet released follow it on the wire. */
		emitted(e, pkts[i].ts_us, out, other, &olen);
	}

	if (outdir) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/out-lan.pcap", outdir);
		bad |= write_pcap(path, &out[0]);
		snprintf(path, sizeof(path), "%s/out-wan.pcap", outdir);
		bad |= write_pcap(path, &out[1]);
		snprintf(path, sizeof(path), "%s/out-gw.pcap", outdir);
		bad |= write_pcap(path, &gw);
		snprintf(path, sizeof(path), "%s/other.txt", outdir);
		f = fopen(path, "w");
		if (!f || fputs(other, f) < 0 || fclose(f)) {
			fprintf(stderr, "pcap_replay: %s: %s\n", path, strerror(errno));
			return 2;
		}
		if (bad)
			return 2;
	}
	if (expdir) {
		snprintf(path, sizeof(path), "%s/expect-lan.pcap", expdir);
		bad |= compare_pcap("to LAN", path, &out[0]);
		snprintf(path, sizeof(path), "%s/expect-wan.pcap", expdir);
		bad |= compare_pcap("to WAN", path, &out[1]);
		snprintf(path, sizeof(path), "%s/expect-other.txt", expdir);
		bad |= compare_text(path, other);
	}
	pg_engine_destroy(e);
	for (i = 0; i < npkts; i++)
		free(pkts[i].data);
	free(pkts);
	free_list(&out[0]);
	free_list(&out[1]);
	free_list(&gw);
	free(other);
	return bad ? 1 : 0;
}
