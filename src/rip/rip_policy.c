/* SPDX-License-Identifier: ISC */
/*
 * rip_policy.c — an interface's route policy (routprotd.conf(5), "Route policy"; RRAS's accept
 * and announce filters and peer security): which received routes are taken, which routes are
 * sent, which neighbors are listened to, and what a reload that changes them does at once:
 *   accept side changed ─► paths through the interface that the new policy refuses are
 *       withdrawn, and the neighbors are asked for their tables again (a whole-table request;
 *       an Update Request on a demand circuit) for what it now takes;
 *   announce side changed ─► the routes whose verdict changed go out in the next triggered
 *       update: the newly allowed with their metric, the newly refused once as unreachable.
 */
#include "config.h"

#include "rip/rip.h"

static bool inside_any(const struct rp_prefix4 *list, size_t n, uint32_t prefix, uint8_t len)
{
	for (size_t i = 0; i < n; i++) {
		if (len >= list[i].len && rp_prefix4_contains(list[i].addr, list[i].len, prefix))
			return true;
	}
	return false;
}

bool rip_filter_passes(const struct rip_filter *f, uint32_t prefix, uint8_t len)
{
	if (f->nonly > 0 && !inside_any(f->only, f->nonly, prefix, len))
		return false;
	return !inside_any(f->except, f->nexcept, prefix, len);
}

bool rip_policy_accepts(const struct rip_if_settings *s, uint32_t prefix, uint8_t len)
{
	if ((len == 32 && !s->accept_host_routes) || (len == 0 && !s->accept_default_route))
		return false;
	return rip_filter_passes(&s->accept, prefix, len);
}

bool rip_policy_announces(const struct rip_if_settings *s, uint32_t prefix, uint8_t len)
{
	if ((len == 32 && !s->announce_host_routes) || (len == 0 && !s->announce_default_route))
		return false;
	return rip_filter_passes(&s->announce, prefix, len);
}

bool rip_policy_hears(const struct rip_if_settings *s, uint32_t src)
{
	return rip_filter_passes(&s->peers, src, 32);
}

/* The routes whose announce verdict differs go out in the next triggered update; a refused one
 * is sent as unreachable while it still sits in the interface's farewell window. */
static void announce_changed(struct rip_iface *ifc, const struct rip_if_settings *old)
{
	struct rip *rip = ifc->rip;

	ifc->farewell_after = rip->change_seq;
	for (struct rp_avl_node *n = rp_avl_first(&rip->routes); n; n = rp_avl_next(n)) {
		struct rip_route *r = rp_avl_entry(n, struct rip_route, node);

		if (rip_policy_announces(old, r->prefix, r->len) !=
		    rip_policy_announces(ifc->set, r->prefix, r->len))
			rip_route_touch(rip, r);
	}
	ifc->farewell_until = rip->change_seq;
}

void rip_policy_changed(struct rip_iface *ifc, const struct rip_if_settings *old)
{
	bool accept = !rip_accept_policy_equal(old, ifc->set);
	bool announce = !rip_announce_policy_equal(old, ifc->set);

	if (accept)
		rp_log_info(COMP, "%s: accept policy changed", ifc->name);
	if (announce)
		rp_log_info(COMP, "%s: announce policy changed", ifc->name);
	if (!ifc->active)
		return;
	if (accept) {
		rip_table_withdraw_unwanted(ifc->rip, ifc);
		if (ifc->set->mode == RIP_MODE_PERIODIC)
			rip_output_request_all(ifc);
		else if (ifc->set->mode == RIP_MODE_DEMAND)
			rip_demand_update_request(ifc);
	}
	if (announce)
		announce_changed(ifc, old);
}
