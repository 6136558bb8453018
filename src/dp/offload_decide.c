/* SPDX-License-Identifier: MIT */
/*
 * offload_decide.c - whether the XDP fast path runs ([datapath] offload =
 * auto|on|off), decided once at start, and the one log line that says which
 * way it went and why.
 *
 * The fast path redirects a translated frame from one link's XDP program
 * into the other link. That works only when the first link's driver lets
 * its program redirect (xdp_features "redirect") and the second one's
 * accepts frames redirected into it ("ndo-xmit"). The kernel publishes both
 * per device; a veth says ndo-xmit only while its peer runs NAPI (GRO on or
 * an XDP program), and without it every redirected frame is dropped where
 * the daemon cannot see it. So auto asks the kernel about both links and
 * turns the fast path on only when both say yes. The answer is taken at
 * start only: a link's features can change later (its veth peer's GRO
 * toggled), and a fast path that came and went under running flows would
 * be harder to reason about than one restart (docs/CONFIG.md).
 */
#include <net/if.h>
#include <stdio.h>

#include "dp/offload.h"
#include "io/xdpfeat.h"
#include "util/log.h"

/*
 * Does ifname take part in the fast path as the kernel says? True with the
 * features in *f; false with the reason in why.
 */
static bool link_ok(const char *ifname, uint64_t *f, char *why, size_t len)
{
	unsigned int idx = if_nametoindex(ifname);
	char err[160], names[96];

	if (!idx) {
		snprintf(why, len, "%s: no such link", ifname);
		return false;
	}
	if (pg_xdpfeat_query(idx, f, err, sizeof(err))) {
		snprintf(why, len, "the kernel did not say what %s's driver does with XDP (%s)",
			 ifname, err);
		return false;
	}
	if ((*f & PG_XDPF_FAST_PATH) == PG_XDPF_FAST_PATH)
		return true;
	snprintf(why, len,
		 "%s's driver does not %s (xdp_features: %s; a veth takes redirected frames "
		 "only while its peer has GRO on or an XDP program)",
		 ifname,
		 !(*f & PG_XDPF_REDIRECT) ? "redirect frames out of it"
					  : "accept redirected frames",
		 pg_xdpfeat_names(*f, names, sizeof(names)));
	return false;
}

bool pg_offload_decide(const struct pg_config *cfg, struct pg_offload_decision *d)
{
	const char *ifn[2] = {cfg->lan_ifname, cfg->wan_ifname};
	uint64_t f[2];

	d->mode = cfg->offload;
	d->load = false;
	if (cfg->offload == PG_OFFLOAD_OFF) {
		snprintf(d->why, sizeof(d->why), "[datapath] offload = off");
		return false;
	}
	if (cfg->backend == PG_BACKEND_AFPACKET) {
		snprintf(d->why, sizeof(d->why), "it needs the afxdp backend (backend = afpacket)");
		return false;
	}
	if (cfg->shape_up_bps || cfg->shape_down_bps) {
		snprintf(d->why, sizeof(d->why),
			 "a shaper is on (shaped packets must queue in the daemon)");
		return false;
	}
	for (int s = 0; s < 2; s++) {
		if (link_ok(ifn[s], &f[s], d->why, sizeof(d->why)))
			continue;
		if (cfg->offload == PG_OFFLOAD_AUTO)
			return false;
		/* Forced: the operator knows better than the flags (or wants to see). */
		pg_warn("[datapath] offload = on although %s: forwarded frames may be lost",
			d->why);
		snprintf(d->why, sizeof(d->why), "forced by [datapath] offload = on");
		d->load = true;
		return true;
	}
	snprintf(d->why, sizeof(d->why), "%s, %s accept XDP redirect", ifn[0], ifn[1]);
	d->load = true;
	return true;
}

void pg_offload_decided(struct pg_offload_decision *d, bool on, const char *why)
{
	if (why)
		snprintf(d->why, sizeof(d->why), "%s", why);
	d->on = on;
	if (on)
		pg_info("offload: on (%s): established flows (IPv4 and IPv6) are forwarded in XDP", d->why);
	else if (d->mode == PG_OFFLOAD_ON)
		pg_warn("offload: off: %s", d->why);
	else
		pg_info("offload: off: %s", d->why);
}
