/* SPDX-License-Identifier: ISC */
/*
 * rip_mib.c — RIP's state for operators through the MIB entry points (RFC 1724 in spirit):
 * the global row (counters), interfaces (mode, activity, counters), routes and neighbors, each
 * table ordered by its key so that get_next walks it without holding any cursor.
 */
#include "config.h"

#include "routprotd/clock.h"
#include "routprotd/prefix.h"
#include "rip/rip.h"

static const char *const drop_keys[RIP_DROP_COUNT] = {
	"not_rip_interface", "interface_down", "bad_source_port", "source_not_connected",
	"own_packets", "malformed", "bad_version", "authentication", "bad_command",
	"passive", "truncated", "peer_not_accepted", "replay",
};

static const char *const source_names[] = { "rip", "connected", "redistributed" };
static const char *const version_names[] = { "2", "1", "1-compatible" };
static const char *const sh_names[] = { "poisoned-reverse", "simple", "off" };

static json_t *global_row(struct rip *rip)
{
	json_t *drops = json_object();

	for (int i = 0; i < RIP_DROP_COUNT; i++)
		json_object_set_new(drops, drop_keys[i], json_integer((json_int_t)rip->stats.drops[i]));
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o}",
			 "routes", (json_int_t)rip->routes.count,
			 "neighbors", (json_int_t)rip->neighbors.count,
			 "route_changes", (json_int_t)rip->stats.route_changes,
			 "queries", (json_int_t)rip->stats.queries,
			 "rx_packets", (json_int_t)rip->stats.rx_packets,
			 "rx_dropped", (json_int_t)rip->stats.rx_dropped,
			 "tx_packets", (json_int_t)rip->stats.tx_packets,
			 "tx_errors", (json_int_t)rip->stats.tx_errors,
			 "drops", drops);
}

/* key: ["a.b.c.d/len", ...], when the list is not empty. */
static void add_prefixes(json_t *o, const char *key, const struct rp_prefix4 *list, size_t n)
{
	json_t *arr;
	char p[RP_PREFIX4_STRLEN];

	if (!o || n == 0 || !(arr = json_array()))
		return;
	for (size_t k = 0; k < n; k++)
		json_array_append_new(arr, json_string(rp_prefix4_format(list[k].addr, list[k].len, p)));
	json_object_set_new(o, key, arr);
}

/* The route policy as configured: the flags, and the lists that are set. */
static json_t *policy_json(const struct rip_if_settings *s)
{
	json_t *o = json_pack("{s:b,s:b,s:b,s:b}", "accept_host_routes", s->accept_host_routes,
			      "announce_host_routes", s->announce_host_routes,
			      "accept_default_route", s->accept_default_route,
			      "announce_default_route", s->announce_default_route);

	add_prefixes(o, "accept_only", s->accept.only, s->accept.nonly);
	add_prefixes(o, "accept_except", s->accept.except, s->accept.nexcept);
	add_prefixes(o, "accept_peers", s->peers.only, s->peers.nonly);
	add_prefixes(o, "ignore_peers", s->peers.except, s->peers.nexcept);
	add_prefixes(o, "announce_only", s->announce.only, s->announce.nonly);
	add_prefixes(o, "announce_except", s->announce.except, s->announce.nexcept);
	return o;
}

static json_t *iface_row(const struct rip_iface *i)
{
	json_t *row;

	const struct rip_iface_stats *s = &i->stats;
	json_t *stats = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
				  "rx_packets", (json_int_t)s->rx_packets,
				  "rx_bad_packets", (json_int_t)s->rx_bad_packets,
				  "rx_bad_routes", (json_int_t)s->rx_bad_routes,
				  "rx_requests", (json_int_t)s->rx_requests,
				  "tx_packets", (json_int_t)s->tx_packets,
				  "tx_updates", (json_int_t)s->tx_updates,
				  "tx_triggered", (json_int_t)s->tx_triggered,
				  "tx_requests", (json_int_t)s->tx_requests,
				  "tx_errors", (json_int_t)s->tx_errors,
				  "ignored_unsolicited", (json_int_t)s->ignored_unsolicited,
				  "rx_filtered_routes", (json_int_t)s->rx_filtered_routes,
				  "rx_ignored_peer", (json_int_t)s->rx_ignored_peer,
				  "requests_unanswered", (json_int_t)s->requests_unanswered,
				  "requests_merged", (json_int_t)s->requests_merged,
				  "rx_over_limit_routes", (json_int_t)s->rx_over_limit_routes,
				  "rx_replays", (json_int_t)s->rx_replays);

	row = json_pack("{s:I,s:s,s:s,s:b,s:s,s:s,s:i,s:b,s:i,s:i,s:i,s:I,s:o}",
			 "ifindex", (json_int_t)i->ifindex, "name", i->name,
			 "mode", rip_iface_mode_name(i), "active", i->active,
			 "version", version_names[i->set->version],
			 "split_horizon", sh_names[i->set->split_horizon], "cost", i->set->cost,
			 "passive", i->set->passive,
			 "update_interval", i->set->timers.update_interval,
			 "timeout", i->set->timers.timeout, "garbage", i->set->timers.garbage,
			 "queued_jobs", (json_int_t)i->njobs, "stats", stats);
	if (row && i->demand)
		json_object_set_new(row, "demand", rip_demand_json(i));
	if (row) {
		json_object_set_new(row, "update_running", json_boolean(i->update != NULL));
		json_object_set_new(row, "authentication",
				    json_string(rip_auth_type_name(i->set->auth_type)));
		json_object_set_new(row, "policy", policy_json(i->set));
		json_object_set_new(row, "learned_routes",
				    json_integer((json_int_t)rip_limit_paths(i->rip, i->ifindex,
									      0)));
		json_object_set_new(row, "max_routes", json_integer(i->set->max_routes));
		json_object_set_new(row, "max_routes_per_neighbor",
				    json_integer(i->set->max_routes_per_neighbor));
	}
	return row;
}

static json_t *nexthops_json(const struct rip_route *r)
{
	json_t *arr = json_array();
	char a[RP_ADDR4_STRLEN];

	for (unsigned i = 0; i < r->npaths; i++)
		json_array_append_new(arr, json_pack("{s:o,s:I}", "gateway",
						     r->paths[i].gateway
							     ? json_string(rp_addr4_format(r->paths[i].gateway, a))
							     : json_null(),
						     "ifindex", (json_int_t)r->paths[i].ifindex));
	return arr;
}

static const char *route_source(const struct rip_route *r)
{
	if (r->source == RIP_SRC_REDIST && r->redist_kind == RP_REDIST_AUTOSTATIC)
		return "autostatic";
	return source_names[r->source];
}

static json_t *route_row(const struct rip *rip, const struct rip_route *r)
{
	char p[RP_PREFIX4_STRLEN], a[RP_ADDR4_STRLEN];
	const struct rip_path *first = r->npaths ? &r->paths[0] : &r->one; /* last known */
	const struct rip_iface *ifc = rip_iface_find(rip, first->ifindex);
	uint32_t gw = first->gateway;
	int64_t now = rp_clock_now_ms();
	json_t *o;

	o = json_pack("{s:s,s:o,s:I,s:i,s:i,s:s,s:o}",
		      "prefix", rp_prefix4_format(r->prefix, r->len, p),
		      "nexthop", gw ? json_string(rp_addr4_format(gw, a)) : json_null(),
		      "ifindex", (json_int_t)first->ifindex,
		      "metric", r->metric, "tag", r->tag, "source", route_source(r),
		      "nexthops", nexthops_json(r));
	if (o && ifc)
		json_object_set_new(o, "interface", json_string(ifc->name));
	if (o && r->metric >= RIP_METRIC_INFINITY)
		json_object_set_new(o, "garbage_in", json_integer((r->gc_deadline - now) / 1000));
	else if (o && r->npaths && r->paths[0].expires_ms)
		json_object_set_new(o, "expires_in",
				    json_integer((r->paths[0].expires_ms - now) / 1000));
	return o;
}

static json_t *neighbor_row(const struct rip *rip, const struct rip_neighbor *n)
{
	const struct rip_iface *ifc = rip_iface_find(rip, n->ifindex);
	char a[RP_ADDR4_STRLEN];

	return json_pack("{s:s,s:s,s:I,s:s,s:i,s:o,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
			 "address", rp_addr4_format(n->address, a),
			 "interface", ifc ? ifc->name : "?", "ifindex", (json_int_t)n->ifindex,
			 "state", rip_neighbor_state_name(n), "version", n->version,
			 "last_heard", n->last_heard_ms
					       ? json_integer((rp_clock_now_ms() - n->last_heard_ms) / 1000)
					       : json_null(), /* nothing of it passed the checks */
			 "bad_packets", (json_int_t)n->bad_packets,
			 "bad_routes", (json_int_t)n->bad_routes,
			 "rx_packets", (json_int_t)n->rx_packets,
			 "rx_routes", (json_int_t)n->rx_routes,
			 "routes", (json_int_t)rip_limit_paths(rip, n->ifindex, n->address),
			 "over_limit_routes", (json_int_t)n->over_limit_routes,
			 "replays", (json_int_t)n->replays);
}

/* ---- keys ---- */

static bool route_key(const json_t *key, struct rip_route *k)
{
	struct rp_prefix4 p;

	if (!json_is_string(json_object_get(key, "prefix")) ||
	    !rp_prefix4_parse(json_string_value(json_object_get(key, "prefix")), &p, false))
		return false;
	k->prefix = p.addr;
	k->len = p.len;
	return true;
}

static bool neighbor_key(const json_t *key, struct rip_neighbor *k)
{
	const json_t *ifx = json_object_get(key, "ifindex");

	if (!json_is_string(json_object_get(key, "address")) ||
	    !rp_addr4_parse(json_string_value(json_object_get(key, "address")), &k->address))
		return false;
	k->ifindex = json_is_integer(ifx) ? (uint32_t)json_integer_value(ifx) : 0;
	return true;
}

/* The interface with the smallest index above `above` (-1: the first). */
static const struct rip_iface *iface_after(const struct rip *rip, long long above)
{
	const struct rip_iface *best = NULL;

	for (const struct rip_iface *i = rip->ifaces; i; i = i->next)
		if ((long long)i->ifindex > above && (!best || i->ifindex < best->ifindex))
			best = i;
	return best;
}

static enum rp_result row_or_end(json_t *row, json_t **out)
{
	*out = row;
	return row ? NO_ERROR : ERROR_NO_MORE_ITEMS;
}

enum rp_result rip_mib_get(void *inst, enum rp_mib_table t, const json_t *key, json_t **row)
{
	struct rip *rip = inst;
	const json_t *ifx = json_object_get(key, "ifindex");
	struct rip_route rk;
	struct rip_neighbor nk;
	const struct rip_route *r;
	const struct rip_neighbor *n;
	const struct rip_iface *i;

	switch (t) {
	case RP_MIB_GLOBAL:
		return row_or_end(global_row(rip), row);
	case RP_MIB_INTERFACE:
		if (!json_is_integer(ifx))
			return ERROR_INVALID_PARAMETER;
		i = rip_iface_find(rip, (uint32_t)json_integer_value(ifx));
		return row_or_end(i ? iface_row(i) : NULL, row);
	case RP_MIB_ROUTE:
		if (!route_key(key, &rk))
			return ERROR_INVALID_PARAMETER;
		r = rip_route_find(rip, rk.prefix, rk.len);
		return row_or_end(r ? route_row(rip, r) : NULL, row);
	case RP_MIB_NEIGHBOR:
		if (!neighbor_key(key, &nk))
			return ERROR_INVALID_PARAMETER;
		n = rip_neighbor_find(rip, nk.address, nk.ifindex);
		return row_or_end(n ? neighbor_row(rip, n) : NULL, row);
	}
	return ERROR_INVALID_PARAMETER;
}

enum rp_result rip_mib_get_first(void *inst, enum rp_mib_table t, json_t **row)
{
	struct rip *rip = inst;
	struct rp_avl_node *n;
	const struct rip_iface *i;

	switch (t) {
	case RP_MIB_GLOBAL:
		return row_or_end(global_row(rip), row);
	case RP_MIB_INTERFACE:
		i = iface_after(rip, -1);
		return row_or_end(i ? iface_row(i) : NULL, row);
	case RP_MIB_ROUTE:
		n = rp_avl_first(&rip->routes);
		return row_or_end(n ? route_row(rip, rp_avl_entry(n, struct rip_route, node)) : NULL,
				  row);
	case RP_MIB_NEIGHBOR:
		n = rp_avl_first(&rip->neighbors);
		return row_or_end(n ? neighbor_row(rip, rp_avl_entry(n, struct rip_neighbor, node))
				    : NULL, row);
	}
	return ERROR_INVALID_PARAMETER;
}

enum rp_result rip_mib_get_next(void *inst, enum rp_mib_table t, const json_t *key,
				json_t **row)
{
	struct rip *rip = inst;
	const json_t *ifx = json_object_get(key, "ifindex");
	struct rip_route rk;
	struct rip_neighbor nk;
	struct rp_avl_node *n;
	const struct rip_iface *i;

	switch (t) {
	case RP_MIB_GLOBAL:
		return ERROR_NO_MORE_ITEMS;
	case RP_MIB_INTERFACE:
		if (!json_is_integer(ifx))
			return ERROR_INVALID_PARAMETER;
		i = iface_after(rip, json_integer_value(ifx));
		return row_or_end(i ? iface_row(i) : NULL, row);
	case RP_MIB_ROUTE:
		if (!route_key(key, &rk))
			return ERROR_INVALID_PARAMETER;
		n = rp_avl_find_after(&rip->routes, &rk.node);
		return row_or_end(n ? route_row(rip, rp_avl_entry(n, struct rip_route, node)) : NULL,
				  row);
	case RP_MIB_NEIGHBOR:
		if (!neighbor_key(key, &nk))
			return ERROR_INVALID_PARAMETER;
		n = rp_avl_find_after(&rip->neighbors, &nk.node);
		return row_or_end(n ? neighbor_row(rip, rp_avl_entry(n, struct rip_neighbor, node))
				    : NULL, row);
	}
	return ERROR_INVALID_PARAMETER;
}

bool rip_mib_route_reachable(void *inst, const json_t *row)
{
	return json_integer_value(json_object_get(row, "metric")) < RIP_METRIC_INFINITY;
}
