/* SPDX-License-Identifier: MIT */
/*
 * scenario.c - run table rows through the engine and check everything the
 * row promises: verdict, drop reason, counters, checksums, bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

int pgt_ctx_init(struct pgt_ctx *ctx, void (*config)(struct pg_engine_config *cfg))
{
	memset(ctx, 0, sizeof(*ctx));
	pgt_config(&ctx->cfg);
	if (config)
		config(&ctx->cfg);
	ctx->e = pgt_engine_new(&ctx->cfg);
	ctx->t0_ms = PGT_T0_MS;
	ctx->last_ms = PGT_T0_MS;
	return ctx->e ? 0 : -1;
}

void pgt_ctx_fini(struct pgt_ctx *ctx)
{
	if (ctx->e)
		pg_engine_destroy(ctx->e);
	ctx->e = NULL;
}

int64_t pgt_var(const struct pgt_ctx *ctx, uint32_t v)
{
	uint32_t n = v - PGT_VAR_BASE;

	if (v < PGT_VAR_BASE || n >= PGT_NVARS || !(ctx->vars.bound & (1u << n)))
		return -1;
	return ctx->vars.val[n];
}

/* Learn variables the expected packet leaves open from the actual output. */
static void bind_vars(struct pgt_ctx *ctx, const struct pgt_spec *sp, const struct pgt_layout *lay,
		      const struct pgt_pkt *out)
{
	const struct {
		uint32_t flag;
		uint32_t field;
		uint16_t off;
	} f[] = {
		{ PGT_F_SPORT, sp->sport, lay->sport },
		{ PGT_F_DPORT, sp->dport, lay->dport },
		{ PGT_F_ICMP_ID, sp->icmp_id, lay->icmp_id },
		{ PGT_F_CALL_ID, sp->call_id, lay->call_id },
	};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		uint32_t n = f[i].field - PGT_VAR_BASE;

		if (!(lay->unbound & f[i].flag) || f[i].field < PGT_VAR_BASE || n >= PGT_NVARS ||
		    !f[i].off || (uint32_t)f[i].off + 2 > out->len)
			continue;
		ctx->vars.val[n] = pgt_get16(out->buf + f[i].off);
		ctx->vars.bound |= 1u << n;
	}
}

/* Build the step's input and damage it as the row says. */
static int make_input(struct pgt_ctx *ctx, const struct pgt_step *st, struct pgt_pkt *p, char *err,
		      size_t n)
{
	struct pgt_layout lay;
	unsigned int i;

	memset(p, 0, sizeof(*p));
	p->len = pgt_build(&st->in, &ctx->vars, p->buf, PGT_BUF, &lay);
	if (!p->len) {
		snprintf(err, n, "step '%s': input spec does not build", st->name);
		return -1;
	}
	if (lay.unbound) {
		snprintf(err, n,
			 "step '%s': input uses a variable no earlier step learnt (a previous step "
			 "failed?)",
			 st->name);
		return -1;
	}
	for (i = 0; i < st->nset && i < 4; i++)
		if (st->set[i].off < p->len)
			p->buf[st->set[i].off] = st->set[i].val;
	if (st->l4_keep1) {
		uint32_t keep = lay.l4 + st->l4_keep1 - 1u;

		if (keep < p->len)
			p->len = keep;
		pgt_put16(p->buf + 2, (uint16_t)p->len);
	}
	if (st->fix_ip || st->l4_keep1) {
		unsigned int hl = pgt_ip_hlen(p->buf);

		if (hl >= 20 && hl <= p->len) {
			pgt_put16(p->buf + 10, 0);
			pgt_put16(p->buf + 10, pgt_cksum(p->buf, hl, 0));
		}
	}
	if (st->cut && st->cut < p->len)
		p->len = st->cut;
	if (st->pad) {
		if (p->len + st->pad > PGT_BUF) {
			snprintf(err, n, "step '%s': padding does not fit", st->name);
			return -1;
		}
		memset(p->buf + p->len, 0, st->pad);
		p->len += st->pad;
	}
	p->side = st->side;
	return 0;
}

/* Drop reasons are the counters named drop_*, wherever they sit in the list. */
static bool is_drop_counter(unsigned int c)
{
	return strncmp(pgt_counter(c), "drop_", 5) == 0;
}

static bool tx_counter(unsigned int c)
{
	return c == PG_CNT_RX_LAN || c == PG_CNT_RX_WAN || c == PG_CNT_TX_LAN ||
	       c == PG_CNT_TX_WAN || c == PG_CNT_TO_GW;
}

/* Expected movement of counter c in this step, or INT64_MIN when free. */
static int64_t want_delta(const struct pgt_step *st, uint8_t verdict, unsigned int c)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (st->cnt[i].idx && st->cnt[i].idx == c)
			return st->cnt[i].delta == PGT_ANY ? INT64_MIN : st->cnt[i].delta;
	if (is_drop_counter(c))
		return c == st->drop ? 1 : 0;
	if (tx_counter(c)) {
		if (c == PG_CNT_RX_LAN) /* the host stack's packets count as LAN's */
			return st->side == PG_SIDE_LAN || st->side == PG_SIDE_HOST;
		if (c == PG_CNT_RX_WAN)
			return st->side == PG_SIDE_WAN;
		if (c == PG_CNT_TX_LAN)
			return verdict == PG_VERDICT_TO_LAN;
		if (c == PG_CNT_TX_WAN)
			return verdict == PG_VERDICT_TO_WAN;
		return verdict == PG_VERDICT_TO_GW;
	}
	return INT64_MIN;
}

static int check_counters(const struct pgt_ctx *ctx, const struct pgt_step *st,
			  const uint64_t *before, uint8_t verdict, char *err, size_t n)
{
	const uint64_t *after = pg_engine_counters(ctx->e);
	unsigned int c;

	for (c = 1; c < PG_CNT__COUNT; c++) {
		int64_t want = want_delta(st, verdict, c);
		int64_t got = (int64_t)(after[c] - before[c]);

		if (want != INT64_MIN && got != want) {
			snprintf(err, n, "step '%s': counter %s moved by %lld, want %lld", st->name,
				 pgt_counter(c), (long long)got, (long long)want);
			return -1;
		}
	}
	return 0;
}

static int check_next_hop(const struct pgt_ctx *ctx, const struct pgt_step *st,
			  const struct pgt_pkt *out, char *err, size_t n)
{
	uint32_t dst = pgt_ip_dst(out->buf), want = dst;

	if (out->verdict == PG_VERDICT_TO_WAN) {
		uint32_t wan = __builtin_bswap32(ctx->cfg.wan_addr);
		uint32_t mask = ctx->cfg.wan_prefix ? ~0u << (32 - ctx->cfg.wan_prefix) : 0;

		if ((dst & mask) != (wan & mask))
			want = __builtin_bswap32(ctx->cfg.wan_gateway);
	}
	if (out->next_hop != want) {
		snprintf(err, n, "step '%s': next hop %u.%u.%u.%u, want %u.%u.%u.%u", st->name,
			 out->next_hop >> 24, (out->next_hop >> 16) & 255,
			 (out->next_hop >> 8) & 255, out->next_hop & 255, want >> 24,
			 (want >> 16) & 255, (want >> 8) & 255, want & 255);
		return -1;
	}
	return 0;
}

/* Compare the output with the row's expected packet. */
static int check_output(struct pgt_ctx *ctx, const struct pgt_step *st, const struct pgt_pkt *in,
			const struct pgt_pkt *out, char *err, size_t n)
{
	uint8_t want[PGT_BUF], got[PGT_BUF];
	char why[400];
	struct pgt_layout lay;
	uint32_t wlen;

	if (st->same) {
		uint32_t ilen = in->len - st->pad;

		if (pgt_diff(out->buf, out->len, in->buf, ilen, why, sizeof(why))) {
			snprintf(err, n, "step '%s': packet changed: %s", st->name, why);
			return -1;
		}
		return 0;
	}
	if (!st->out.src)
		return 0;
	wlen = pgt_build(&st->out, &ctx->vars, want, sizeof(want), &lay);
	if (lay.unbound) {
		bind_vars(ctx, &st->out, &lay, out);
		wlen = pgt_build(&st->out, &ctx->vars, want, sizeof(want), &lay);
	}
	if (!wlen) {
		snprintf(err, n, "step '%s': expected spec does not build", st->name);
		return -1;
	}
	memcpy(got, out->buf, out->len);
	if (st->l4_bad_kept && wlen == out->len) {
		/* The checksum must still be wrong; the other bytes must match. */
		uint16_t off = (uint16_t)(lay.l4 + (st->out.proto == PGT_P_TCP	 ? 16
						    : st->out.proto == PGT_P_UDP ? 6
										 : 2));

		if (pgt_check(got, out->len, why, sizeof(why))) {
			snprintf(err, n, "step '%s': a bad L4 checksum became good", st->name);
			return -1;
		}
		got[off] = want[off];
		got[off + 1] = want[off + 1];
	}
	if (pgt_diff(got, out->len, want, wlen, why, sizeof(why))) {
		snprintf(err, n, "step '%s': output differs at %s", st->name, why);
		return -1;
	}
	return 0;
}

int pgt_step_run(struct pgt_ctx *ctx, const struct pgt_step *st, char *err, size_t n)
{
	uint64_t before[PG_CNT__COUNT], now = ctx->t0_ms + (uint64_t)st->t * 1000 + st->ms;
	struct pgt_pkt *in = malloc(sizeof(*in)), *out = malloc(sizeof(*out));
	char why[400];
	int rc = -1;

	if (!in || !out) {
		snprintf(err, n, "out of memory");
		goto done;
	}
	if (now < ctx->last_ms) {
		snprintf(err, n, "step '%s': time goes backwards in the table", st->name);
		goto done;
	}
	ctx->last_ms = now;
	if (make_input(ctx, st, in, err, n))
		goto done;
	*out = *in;
	memcpy(before, pg_engine_counters(ctx->e), sizeof(before));
	if (pgt_run(ctx->e, out, 1, now, why, sizeof(why))) {
		snprintf(err, n, "step '%s': %s", st->name, why);
		goto done;
	}
	if (out->verdict != st->verdict ||
	    (st->verdict == PG_VERDICT_DROP && out->drop_reason != st->drop)) {
		char d[200];

		pgt_describe(in->buf, in->len, d, sizeof(d));
		snprintf(err, n, "step '%s': verdict %s%s%s%s, want %s%s%s%s\n      input: %s",
			 st->name, pgt_verdict_name(out->verdict),
			 out->verdict == PG_VERDICT_DROP ? " (" : "",
			 out->verdict == PG_VERDICT_DROP ? pgt_counter(out->drop_reason) : "",
			 out->verdict == PG_VERDICT_DROP ? ")" : "", pgt_verdict_name(st->verdict),
			 st->verdict == PG_VERDICT_DROP ? " (" : "",
			 st->verdict == PG_VERDICT_DROP ? pgt_counter(st->drop) : "",
			 st->verdict == PG_VERDICT_DROP ? ")" : "", d);
		goto done;
	}
	if (check_counters(ctx, st, before, out->verdict, err, n))
		goto done;
	if (out->verdict == PG_VERDICT_TO_GW && st->out.src) {
		/* Translated for the host stack (its own connections, its forwards). */
		if (check_output(ctx, st, in, out, err, n))
			goto done;
	} else if (out->verdict == PG_VERDICT_TO_GW && !st->same && !st->check) {
		/* Handed up untouched (padding removed). */
		if (pgt_diff(out->buf, out->len, in->buf, in->len - st->pad, why, sizeof(why))) {
			snprintf(err, n, "step '%s': packet for the gateway changed: %s", st->name,
				 why);
			goto done;
		}
	}
	if (out->verdict == PG_VERDICT_TO_LAN || out->verdict == PG_VERDICT_TO_WAN) {
		if (!st->l4_bad_kept && !pgt_check(out->buf, out->len, why, sizeof(why))) {
			snprintf(err, n, "step '%s': output fails verification: %s", st->name, why);
			goto done;
		}
		if (check_next_hop(ctx, st, out, err, n))
			goto done;
		if (check_output(ctx, st, in, out, err, n))
			goto done;
	}
	if (st->check && st->check(ctx, st, in, out, err, n))
		goto done;
	if (st->flows1 && pg_engine_flow_count(ctx->e) != (uint32_t)(st->flows1 - 1)) {
		snprintf(err, n, "step '%s': %u live flows, want %d", st->name,
			 pg_engine_flow_count(ctx->e), st->flows1 - 1);
		goto done;
	}
	rc = 0;
done:
	free(in);
	free(out);
	return rc;
}

int pgt_scenario_run(const struct pgt_scenario *sc, char *err, size_t n)
{
	struct pgt_ctx ctx;
	const struct pgt_step *st;
	int rc = 0;

	if (pgt_ctx_init(&ctx, sc->config)) {
		snprintf(err, n, "%s: engine creation failed", sc->name);
		pgt_ctx_fini(&ctx);
		return -1;
	}
	for (st = sc->steps; st->name; st++) {
		rc = pgt_step_run(&ctx, st, err, n);
		if (rc)
			break;
	}
	pgt_ctx_fini(&ctx);
	return rc;
}

int pgt_check_reset(struct pgt_ctx *ctx, const struct pgt_step *st, const struct pgt_pkt *in,
		    const struct pgt_pkt *out, char *err, size_t n)
{
	const uint8_t *i = in->buf, *o = out->buf, *it = i + (i[0] & 0x0f) * 4, *ot = o + 20;
	bool acked = (it[13] & PGT_ACK) != 0;
	uint32_t seg = in->len - (uint32_t)((i[0] & 0x0f) * 4) - (uint32_t)(it[12] >> 4) * 4 +
		       !!(it[13] & PGT_SYN) + !!(it[13] & PGT_FIN);
	uint32_t want_seq = acked ? pgt_get32(it + 8) : 0;
	uint32_t want_ack = acked ? 0 : pgt_get32(it + 4) + seg;

	(void)ctx;
	if (out->len != 40 || o[9] != PGT_P_TCP || (o[0] & 0x0f) != 5 || (ot[12] >> 4) != 5) {
		snprintf(err, n, "step '%s': not a 40-byte TCP packet", st->name);
		return -1;
	}
	if (pgt_ip_src(o) != pgt_ip_dst(i) || pgt_ip_dst(o) != pgt_ip_src(i) ||
	    pgt_get16(ot) != pgt_get16(it + 2) || pgt_get16(ot + 2) != pgt_get16(it)) {
		snprintf(err, n, "step '%s': the reset does not answer the segment's ends", st->name);
		return -1;
	}
	if (ot[13] != (acked ? PGT_RST : PGT_RST | PGT_ACK) || pgt_get32(ot + 4) != want_seq ||
	    pgt_get32(ot + 8) != want_ack) {
		snprintf(err, n, "step '%s': flags 0x%02x seq %u ack %u, want 0x%02x %u %u", st->name,
			 ot[13], pgt_get32(ot + 4), pgt_get32(ot + 8),
			 acked ? PGT_RST : PGT_RST | PGT_ACK, want_seq, want_ack);
		return -1;
	}
	return 0;
}
