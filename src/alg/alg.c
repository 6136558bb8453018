/* SPDX-License-Identifier: MIT */
/* alg.c - the table of protocol helpers and the calls the engine makes into it. */
#include <arpa/inet.h>

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
	pg_alg_ports_init(e);
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

static bool declares_port(const struct pg_alg_ops *ops, uint8_t proto, uint16_t port_n)
{
	uint16_t port = ntohs(port_n);

	if (!port || ops->port_proto != proto)
		return false;
	for (unsigned int j = 0; j < PG_ALG_PORTS && ops->ports[j]; j++)
		if (ops->ports[j] == port)
			return true;
	return false;
}

const struct pg_alg_ops *pg_alg_claimant(const struct pg_parsed *p, uint8_t *how)
{
	for (unsigned int i = 1; i < PG_ALG__COUNT; i++) {
		const struct pg_alg_ops *ops = helpers[i];

		if (ops->owns && ops->owns(p)) {
			*how = PG_ALG_SWITCH_OWNED;
			return ops;
		}
		if (declares_port(ops, p->proto, p->sport) || declares_port(ops, p->proto, p->dport)) {
			*how = PG_ALG_SWITCH_PORTS;
			return ops;
		}
	}
	*how = 0;
	return NULL;
}

bool pg_alg_switched_off(const struct pg_engine_config *cfg, const struct pg_parsed *p)
{
	for (unsigned int i = 1; i < PG_ALG__COUNT; i++) {
		const struct pg_alg_ops *ops = helpers[i];
		uint8_t how = 0;

		if (ops->owns && ops->owns(p))
			how = PG_ALG_SWITCH_OWNED;
		else if (declares_port(ops, p->proto, p->sport) ||
			 declares_port(ops, p->proto, p->dport))
			how = PG_ALG_SWITCH_PORTS;
		if ((ops->switched & how) && !ops->enabled(cfg))
			return true;
	}
	return false;
}

bool pg_alg_admits(struct pg_engine *e, const struct pg_parsed *p, uint32_t lan,
		   uint16_t lan_port)
{
	for (unsigned int i = 1; i < PG_ALG__COUNT; i++)
		if (helpers[i]->admits && helpers[i]->admits(e, p, lan, lan_port))
			return true;
	return false;
}

void pg_alg_ports_init(struct pg_engine *e)
{
	unsigned int n = 0;

	for (unsigned int i = 1; i < PG_ALG__COUNT; i++)
		for (unsigned int j = 0; j < PG_ALG_PORTS && helpers[i]->ports[j]; j++)
			if (n < PG_ALG_PORTS_MAX)
				e->alg_ports[n++] = htons(helpers[i]->ports[j]);
	e->n_alg_ports = n;
}
