/* SPDX-License-Identifier: ISC */
/*
 * rip_redist.c — routes RIP announces on behalf of other sources (`redistribute`): the router
 * manager replays and then reports connected subnets, kernel routes (proto static; proto
 * kernel/boot) and autostatic routes; RIP keeps those of the selected kinds as local routes
 * (never replaced by learned ones) with `redistribute-metric`, autostatic routes with the
 * metric they were learned with. Kernel routes of the discard types (blackhole, unreachable,
 * prohibit: summary and discard routes) are announced like the others, with ourselves as the
 * next hop (next hop 0.0.0.0 in the entries), as BIRD and FRR do. Each carries the route tag
 * configured for its source (`redistribute-tag`, or the source's own tag).
 */
#include "config.h"

#include "rip/rip.h"

void rip_redist_changed(void *ctx, const struct rp_redist_route *r, bool withdrawn)
{
	struct rip *rip = ctx;
	bool discard = r->type != RP_ROUTE_UNICAST;
	/* a discard route (blackhole, unreachable, prohibit) is announced as reachable through us:
	 * no next hop, no interface (split horizon has none to apply to) */
	struct rip_local l = { .source = RIP_SRC_REDIST, .redist_kind = (uint8_t)r->source,
			       .prefix = r->prefix, .len = r->prefixlen,
			       .gateway = discard ? 0 : r->gateway,
			       .ifindex = discard ? 0 : r->ifindex,
			       .metric = (uint8_t)rip->set.redistribute_metric,
			       .tag = rip_redist_tag(&rip->set, (unsigned)r->source) };

	if (!(rip->set.redistribute & (unsigned)r->source))
		return;
	if (r->source == RP_REDIST_AUTOSTATIC && r->metric >= 1 && r->metric < 16)
		l.metric = (uint8_t)r->metric;
	rip_table_set_local(rip, &l, !withdrawn);
}

/* Subscribe to the selected kinds; withdraw routes of kinds no longer selected. */
void rip_redist_apply(struct rip *rip)
{
	for (struct rp_avl_node *n = rp_avl_first(&rip->routes); n; n = rp_avl_next(n)) {
		struct rip_route *r = rp_avl_entry(n, struct rip_route, node);
		struct rip_local l = { .source = RIP_SRC_REDIST, .redist_kind = r->redist_kind,
				       .prefix = r->prefix, .len = r->len };

		if (r->source == RIP_SRC_REDIST && r->metric < RIP_METRIC_INFINITY &&
		    !(rip->set.redistribute & r->redist_kind))
			rip_table_set_local(rip, &l, false);
	}
	if (rip->sup.set_redistribution)
		rip->sup.set_redistribution(rip->sup.host,
					    rip->set.redistribute, rip_redist_changed, rip);
}

/* redistribute-metric or a route tag changed: the redistributed routes take them at once
 * (autostatic ones keep their learned metric). */
void rip_redist_refresh(struct rip *rip)
{
	for (struct rp_avl_node *n = rp_avl_first(&rip->routes); n; n = rp_avl_next(n)) {
		struct rip_route *r = rp_avl_entry(n, struct rip_route, node);
		uint8_t metric = r->redist_kind == RP_REDIST_AUTOSTATIC
					 ? r->metric
					 : (uint8_t)rip->set.redistribute_metric;
		uint16_t tag = rip_redist_tag(&rip->set, r->redist_kind);

		if (r->source != RIP_SRC_REDIST || r->metric >= RIP_METRIC_INFINITY ||
		    (r->metric == metric && r->tag == tag))
			continue;
		r->metric = metric;
		r->tag = tag;
		rip_route_mark_changed(rip, r);
	}
}
