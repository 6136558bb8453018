/* SPDX-License-Identifier: MIT */
/*
 * xdpdiff.c - the XDP fast path against the engine, one packet at a time
 * (xdpdiff.h says how).
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xdpdiff.h"

#define OBJ "build/" PG_XDP_FAST_OBJ
#define ETH 14

static const uint8_t lan_mac[6] = {0x02, 0x4c, 0, 0, 0, 1};
static const uint8_t wan_mac[6] = {0x02, 0x57, 0, 0, 0, 1};

void pgt_xdiff_mac_of_ip(uint32_t ip, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x01;
	memcpy(mac + 2, &ip, 4);
}

void pgt_xdiff_mac_of_ip6(const uint8_t ip[16], uint8_t mac[6])
{
	static const uint8_t zero[16];

	mac[0] = 0x02;
	mac[1] = 0x06;
	if (memcmp(ip, zero, 16))
		memcpy(mac + 2, ip + 12, 4);
	else
		memset(mac + 2, 0xff, 4);
}

static bool mac6_of(void *ctx, enum pg_side side, const uint8_t ip[16], uint8_t mac[6])
{
	(void)ctx;
	(void)side;
	pgt_xdiff_mac_of_ip6(ip, mac);
	return true;
}

static bool mac_of(void *ctx, enum pg_side side, uint32_t ip, uint8_t mac[6])
{
	(void)ctx;
	(void)side;
	pgt_xdiff_mac_of_ip(ip, mac);
	return true;
}

bool pgt_xdiff_open(struct pgt_xdiff *w, const struct pg_engine_config *cfg, char *why,
		    size_t whylen)
{
	return pgt_xdiff_open_obj(w, cfg, OBJ, why, whylen);
}

bool pgt_xdiff_open_obj(struct pgt_xdiff *w, const struct pg_engine_config *cfg, const char *obj,
			char *why, size_t whylen)
{
	char err[256];

	memset(w, 0, sizeof(*w));
	for (int s = 0; s < 2; s++)
		w->xf[s].prog_fd = w->xf[s].flows_fd = w->xf[s].flows6_fd = w->xf[s].stats_fd =
			w->xf[s].egress_fd = w->xf[s].xsks_fd = w->xf[s].link_fd = -1;
	for (int s = 0; s < 2; s++) {
		if (pg_xdp_fast_load(&w->xf[s], obj, err, sizeof(err))) {
			snprintf(why, whylen, "cannot load %s: %s", obj, err);
			goto fail;
		}
		/* The redirect needs an existing interface; loopback will do (nothing is sent). */
		if (pg_xdp_fast_set_egress(&w->xf[s], 1)) {
			snprintf(why, whylen, "cannot fill the redirect map");
			goto fail;
		}
	}
	w->a = pg_engine_create(cfg);
	w->b = pg_engine_create(cfg);
	if (!w->a || !w->b ||
	    pg_offload_init(&w->off, &w->xf[PG_SIDE_LAN], &w->xf[PG_SIDE_WAN], lan_mac, wan_mac,
			    cfg->lan_mtu, cfg->wan_mtu, mac_of, NULL)) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	w->off.mac6_of = mac6_of;
	pg_engine_set_offload(w->a, true);
	w->ea = PG_ENGINES_ONE(w->a);
	w->now = 1000000;
	return true;
fail:
	pgt_xdiff_close(w);
	return false;
}

void pgt_xdiff_close(struct pgt_xdiff *w)
{
	pg_offload_fini(&w->off);
	pg_engine_destroy(w->a);
	pg_engine_destroy(w->b);
	w->a = w->b = NULL;
	pg_xdp_fast_close(&w->xf[0]);
	pg_xdp_fast_close(&w->xf[1]);
}

struct pgt_xdiff *pgt_xdiff_new(const struct pg_engine_config *cfg, const char *what)
{
	struct pgt_xdiff *w = calloc(1, sizeof(*w));
	char why[512];

	if (!w) {
		perror("pgt_xdiff_new");
		abort();
	}
	if (pgt_xdiff_open(w, cfg, why, sizeof(why)))
		return w;
	printf("SKIP %s: %s\n", what, why);
	free(w);
	return NULL;
}

bool pgt_xdiff_fair(const struct pgt_xdiff *w, unsigned int npkts, char *err, size_t errlen)
{
	uint64_t offloaded = pg_engine_counters(w->a)[PG_CNT_OFFLOADED];

	if (w->fast <= npkts / 3 || w->slow <= npkts / 10 || w->fast_icmp <= npkts / 10) {
		snprintf(err, errlen,
			 "not a fair share of %u packets: %u through XDP (%u echoes), %u through "
			 "the engine",
			 npkts, w->fast, w->fast_icmp, w->slow);
		return false;
	}
	if (offloaded != w->fast) {
		snprintf(err, errlen, "A counted %llu packets offloaded, XDP forwarded %u",
			 (unsigned long long)offloaded, w->fast);
		return false;
	}
	return pgt_xdiff_same_counters(w, err, errlen);
}

bool pgt_xdiff_mutant_caught(struct pgt_xdiff *w, const struct pg_engine_config *cfg,
			     const char *obj, pgt_xdiff_stream *run, char *err, size_t errlen)
{
	char why[512];

	pgt_xdiff_close(w);
	if (!pgt_xdiff_open_obj(w, cfg, obj, why, sizeof(why))) {
		snprintf(err, errlen, "the mutant program (make %s): %s", obj, why);
		return false;
	}
	if (run(w, err, errlen) != -1) {
		snprintf(err, errlen, "the mutant %s went through the stream unseen", obj);
		return false;
	}
	return strstr(err, "XDP wrote") != NULL;
}

/*
 * Give the packet the program just counted the test's clock, as if it came
 * now (the program writes the real clock's time).
 */
static void stamp(struct pgt_xdiff *w)
{
	for (int s = 0; s < 2; s++)
		for (uint32_t i = 0; i < w->off.link[s].top; i++)
			if (w->xf[s].stats[i].pkts != w->stamped[s][i]) {
				w->stamped[s][i] = w->xf[s].stats[i].pkts;
				w->xf[s].stats[i].last_ns = w->now * 1000000u;
			}
}

void pgt_xdiff_tick(struct pgt_xdiff *w)
{
	pg_offload_sync(&w->off, &w->ea, w->now);
	pg_engine_tick(w->a, w->now);
	pg_engine_tick(w->b, w->now);
	pg_offload_apply(&w->off, &w->ea, w->now);
}

bool pgt_xdiff_advance(struct pgt_xdiff *w, uint64_t *rng, uint32_t jump_odds)
{
	bool jump = pgt_rand(rng, jump_odds) == 0;

	w->now += jump ? 121000 : pgt_rand(rng, 300);
	if (w->now - w->last_tick >= 1000) {
		pgt_xdiff_tick(w);
		w->last_tick = w->now;
	}
	return jump;
}

uint8_t pgt_xdiff_tcp_next(int *step, bool *out, bool half_close, uint64_t *rng)
{
	static const uint8_t data[] = {PGT_ACK, PGT_ACK | PGT_PSH};
	uint8_t flags;

	switch (*step) {
	case 0:
		*out = true, *step = 1;
		return PGT_SYN;
	case 1:
		*out = false, *step = 2;
		return PGT_SYN | PGT_ACK;
	case 2:
		*out = true, *step = 3;
		return PGT_ACK;
	case 3:
		flags = data[pgt_rand(rng, 2)];
		if (pgt_rand(rng, 40) == 0)
			flags = PGT_FIN | PGT_ACK, *step = half_close ? 4 : 0;
		else if (pgt_rand(rng, 60) == 0)
			flags = PGT_RST, *step = half_close ? 4 : 0;
		return flags;
	default:
		/* Half-closed (or reset): data and ACKs go on a while, then a new SYN. */
		flags = data[pgt_rand(rng, 2)];
		if (pgt_rand(rng, 6) == 0)
			flags = PGT_SYN, *out = true, *step = 1;
		return flags;
	}
}

bool pgt_xdiff_withdrawn(struct pgt_xdiff *w, char *err, size_t errlen)
{
	pg_offload_apply(&w->off, &w->ea, w->now);
	if (pg_offload_entries(&w->off) || pg_engine_offload_count(w->a)) {
		snprintf(err, errlen, "%u entries left in the maps, %u flows still offered",
			 pg_offload_entries(&w->off), pg_engine_offload_count(w->a));
		return false;
	}
	return true;
}

static int xdp_run(struct pgt_xdiff *w, int side, uint8_t *frame, uint32_t len, uint8_t *out,
		   uint32_t *out_len, int *ret)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len, .data_out = out,
		    .data_size_out = PGT_BUF + ETH, .repeat = 1);

	if (bpf_prog_test_run_opts(w->xf[side].prog_fd, &o))
		return -1;
	*out_len = o.data_size_out;
	*ret = (int)o.retval;
	return 0;
}

int pgt_xdiff_packet(struct pgt_xdiff *w, int side, const uint8_t *pkt, uint32_t len,
		     struct pgt_pkt *b, char *err, size_t errlen)
{
	static struct pgt_pkt a;
	static uint8_t frame[PGT_BUF + ETH], out[PGT_BUF + ETH];
	uint32_t out_len;
	int ret;

	if (len > PGT_BUF - 64)
		return 0;
	memset(b, 0, sizeof(*b));
	memcpy(b->buf, pkt, len);
	b->len = len;
	b->side = (uint8_t)side;
	a = *b;
	memcpy(frame, side == PG_SIDE_LAN ? lan_mac : wan_mac, 6);
	memcpy(frame + 6, "\x02\x99\x00\x00\x00\x01", 6);
	/* IPv4 0x0800, IPv6 0x86dd */
	frame[12] = len && pkt[0] >> 4 == 6 ? 0x86 : 0x08;
	frame[13] = len && pkt[0] >> 4 == 6 ? 0xdd : 0x00;
	memcpy(frame + ETH, pkt, len);
	if (xdp_run(w, side, frame, ETH + len, out, &out_len, &ret)) {
		snprintf(err, errlen, "BPF_PROG_TEST_RUN failed");
		return -1;
	}
	if (pgt_run(w->b, b, 1, w->now, err, errlen))
		return -1;
	if (ret == XDP_REDIRECT) {
		uint8_t want[6];

		w->fast++;
		if (len >= 20 && (frame[12] == 0x86 ? pkt[6] == 58 : pkt[9] == 1))
			w->fast_icmp++;
		stamp(w);
		if (b->verdict != (side == PG_SIDE_LAN ? PG_VERDICT_TO_WAN : PG_VERDICT_TO_LAN)) {
			snprintf(err, errlen, "XDP forwarded it, the engine's verdict is %s (%s)",
				 pgt_verdict_name(b->verdict), pgt_counter(b->drop_reason));
			return -1;
		}
		if (frame[12] == 0x86)
			pgt_xdiff_mac_of_ip6(b->next_hop6, want);
		else
			pgt_xdiff_mac_of_ip(htonl(b->next_hop), want);
		if (out_len != ETH + len || b->len > len || memcmp(out + ETH, b->buf, b->len)) {
			char dx[160], de[160];

			pgt_describe(out + ETH, b->len, dx, sizeof(dx));
			pgt_describe(b->buf, b->len, de, sizeof(de));
			snprintf(err, errlen, "XDP wrote %s, the engine %s", dx, de);
			return -1;
		}
		if (memcmp(out, want, 6) ||
		    memcmp(out + 6, side == PG_SIDE_LAN ? wan_mac : lan_mac, 6)) {
			snprintf(err, errlen, "XDP wrote the wrong MACs");
			return -1;
		}
		return 0;
	}
	w->slow++;
	if (ret != XDP_PASS || out_len != ETH + len || memcmp(out, frame, ETH + len)) {
		snprintf(err, errlen, "XDP returned %d and changed the frame it handed over", ret);
		return -1;
	}
	if (pgt_run(w->a, &a, 1, w->now, err, errlen))
		return -1;
	pg_offload_apply(&w->off, &w->ea, w->now);
	if (a.verdict != b->verdict || a.drop_reason != b->drop_reason || a.len != b->len ||
	    a.next_hop != b->next_hop || memcmp(a.next_hop6, b->next_hop6, 16) ||
	    memcmp(a.buf, b->buf, a.len)) {
		snprintf(err, errlen, "with offload %s %s, without %s %s", pgt_verdict_name(a.verdict),
			 pgt_counter(a.drop_reason), pgt_verdict_name(b->verdict),
			 pgt_counter(b->drop_reason));
		return -1;
	}
	return 0;
}

bool pgt_xdiff_same_counters(const struct pgt_xdiff *w, char *err, size_t errlen)
{
	for (unsigned int c = 0; c < PG_CNT__COUNT; c++) {
		if (c == PG_CNT_OFFLOADED || c == PG_CNT_OFFLOAD_ADDED || c == PG_CNT_OFFLOAD_FLUSHED)
			continue;
		if (pg_engine_counters(w->a)[c] != pg_engine_counters(w->b)[c]) {
			snprintf(err, errlen, "counter %s: %llu with offload, %llu without",
				 pgt_counter(c), (unsigned long long)pg_engine_counters(w->a)[c],
				 (unsigned long long)pg_engine_counters(w->b)[c]);
			return false;
		}
	}
	return true;
}

static bool same_flow(const struct pg_flow_info *a, const struct pg_flow_info *b)
{
	return a->proto == b->proto && a->lan_addr == b->lan_addr && a->lan_port == b->lan_port &&
	       a->remote_addr == b->remote_addr && a->remote_port == b->remote_port &&
	       a->pub_port == b->pub_port && a->spi_out == b->spi_out && a->spi_in == b->spi_in &&
	       a->family == b->family && !memcmp(a->lan6, b->lan6, 16) &&
	       !memcmp(a->remote6, b->remote6, 16);
}

/* Both engines' flows of one table (flt NULL: IPv4's) alike. */
static bool same_flows(const struct pgt_xdiff *w, const struct pg_flow_filter *flt, char *err,
		       size_t errlen)
{
	static struct pg_flow_info fa[256], fb[256];
	uint32_t ca = 0, cb = 0;
	unsigned int na = pg_engine_flows(w->a, flt, &ca, fa, 256, w->now);
	unsigned int nb = pg_engine_flows(w->b, flt, &cb, fb, 256, w->now);

	if (na != nb) {
		snprintf(err, errlen, "%u flows with offload, %u without", na, nb);
		return false;
	}
	for (unsigned int i = 0; i < nb; i++) {
		const struct pg_flow_info *b = &fb[i], *a = NULL;

		for (unsigned int j = 0; j < na && !a; j++)
			if (same_flow(&fa[j], b))
				a = &fa[j];
		if (!a) {
			snprintf(err, errlen, "flow %u (proto %u lan port %u) missing with offload", i,
				 b->proto, b->lan_port);
			return false;
		}
		if (a->pkts[0] != b->pkts[0] || a->pkts[1] != b->pkts[1] ||
		    a->bytes[0] != b->bytes[0] || a->bytes[1] != b->bytes[1] ||
		    a->idle_s != b->idle_s) {
			snprintf(err, errlen,
				 "flow proto %u lan port %u: with offload %llu/%llu packets idle %u s, "
				 "without %llu/%llu idle %u s",
				 b->proto, b->lan_port, (unsigned long long)a->pkts[0],
				 (unsigned long long)a->pkts[1], a->idle_s,
				 (unsigned long long)b->pkts[0], (unsigned long long)b->pkts[1],
				 b->idle_s);
			return false;
		}
	}
	return true;
}

bool pgt_xdiff_same_flows(const struct pgt_xdiff *w, char *err, size_t errlen)
{
	return same_flows(w, NULL, err, errlen);
}

bool pgt_xdiff_same_flows6(const struct pgt_xdiff *w, char *err, size_t errlen)
{
	const struct pg_flow_filter flt = {.family = 6};

	return same_flows(w, &flt, err, errlen);
}
