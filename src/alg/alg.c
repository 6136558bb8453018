/* SPDX-License-Identifier: MIT */
/* alg.c - the table of protocol helpers and the calls the engine makes into it. */
#include "alg/alg.h"

static const struct pg_alg_ops *const helpers[PG_ALG__COUNT] = {
	[PG_ALG_PPTP] = &pg_alg_pptp,
	[PG_ALG_IPSEC] = &pg_alg_ipsec,
	[PG_ALG_L2TP] = &pg_alg_l2tp,
};

const struct pg_alg_ops *pg_alg_get(unsigned int id)
{
	return id < PG_ALG__COUNT ? helpers[id] : NULL;
}

static size_t align64(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

size_t pg_alg_mem_size(const struct pg_engine_config *cfg)
{
	size_t total = 0;
	unsigned int i;

	for (i = 1; i < PG_ALG__COUNT; i++)
		total += align64(helpers[i]->mem_size(cfg));
	return total;
}

void pg_alg_init(struct pg_engine *e, void *mem)
{
	uint8_t *p = mem;
	unsigned int i;

	for (i = 1; i < PG_ALG__COUNT; i++) {
		helpers[i]->init(e, p);
		p += align64(helpers[i]->mem_size(&e->cfg));
	}
}

void pg_alg_flow_new(struct pg_engine *e, struct pg_flow *f, int side)
{
	unsigned int i;

	for (i = 1; i < PG_ALG__COUNT && f->alg == PG_ALG_NONE; i++)
		helpers[i]->flow_new(e, f, side);
}

bool pg_alg_describe(const struct pg_engine *e, const struct pg_flow *f, struct pg_vpn_session *s)
{
	const struct pg_alg_ops *ops = pg_alg_get(f->alg);

	return ops && ops->describe && ops->describe(e, f, s);
}
