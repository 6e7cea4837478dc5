/* SPDX-License-Identifier: ISC */
/*
 * rip_table.c — the RIP routing table (RFC 2453 3.9.2, 3.8): route selection with equal-cost
 * paths, the timeout and garbage-collection timers, local routes (connected subnets,
 * redistributed routes), and the announcements to the router manager.
 *
 * Selection for a response entry (metric already min(m + cost, 16)) from neighbor N:
 *  - N already a path of the route: refresh it; a changed metric is adopted when N is the only
 *    path (same-router rule), or drops N from an equal-cost set when worse, or makes N the only
 *    path when better; metric 16 withdraws N's path.
 *  - N not a path: a better metric replaces the route; an equal one joins the set (up to `ecmp`
 *    paths, or replaces a path that is half-way to timing out); a worse one is ignored.
 *  - Local routes (connected, redistributed) are never replaced by learned ones.
 *  - A neighbor that is not yet a path of the route adds one only within the route limits of
 *    the interface (rip_limit.c, which counts every learned path added or removed here).
 * Timers: one scan event per instance, armed for the earliest deadline (never sooner than
 * SCAN_MIN_GAP_MS after the previous scan); no per-route timer events.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "routprotd/clock.h"
#include "routprotd/prefix.h"
#include "rip/rip.h"

#define SCAN_MIN_GAP_MS 200
#define FLUSH_MARK INT64_MAX /* path deadline meaning "flushed, not yet refreshed" */

int rip_route_cmp(const struct rp_avl_node *a, const struct rp_avl_node *b)
{
	const struct rip_route *x = rp_avl_entry(a, struct rip_route, node);
	const struct rip_route *y = rp_avl_entry(b, struct rip_route, node);

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return (int)x->len - (int)y->len;
}

struct rip_route *rip_route_find(const struct rip *rip, uint32_t prefix, uint8_t len)
{
	struct rip_route key = { .prefix = prefix, .len = len };
	struct rp_avl_node *n = rp_avl_find(&rip->routes, &key.node);

	return n ? rp_avl_entry(n, struct rip_route, node) : NULL;
}

bool rip_route_via_iface(const struct rip_route *r, uint32_t ifindex)
{
	for (unsigned i = 0; i < r->npaths; i++)
		if (r->paths[i].ifindex == ifindex)
			return true;
	return false;
}

void rip_route_mark_changed(struct rip *rip, struct rip_route *r)
{
	rip->stats.route_changes++;
	rip_route_touch(rip, r);
}

void rip_route_touch(struct rip *rip, struct rip_route *r)
{
	r->changed_seq = ++rip->change_seq;
	rip_output_trigger(rip);
}

/* Drop every path; learned ones leave the counts of rip_limit.c. */
static void free_paths(struct rip *rip, struct rip_route *r)
{
	for (unsigned i = 0; r->source == RIP_SRC_RIP && i < r->npaths; i++)
		rip_limit_count(rip, &r->paths[i], false);
	if (r->paths != &r->one)
		free(r->paths);
	r->paths = &r->one;
	r->npaths = 0;
}

/* Room for `n` paths; false when memory runs out (the route keeps what it had). */
static bool reserve_paths(struct rip *rip, struct rip_route *r, unsigned n)
{
	struct rip_path *p;

	if (n <= 1 || r->paths != &r->one)
		return true;
	p = calloc(RP_MAX_NEXTHOPS, sizeof(*p)); /* `ecmp` may grow by reload */
	if (!p)
		return false;
	p[0] = r->one;
	r->paths = p;
	return true;
}

/* Tell the router manager what the route is now (usable learned routes only). */
static void announce(struct rip *rip, struct rip_route *r)
{
	struct rp_route rr = { .prefix = r->prefix, .prefixlen = r->len, .metric = r->metric,
			       .tag = r->tag };

	if (r->source != RIP_SRC_RIP || r->metric >= RIP_METRIC_INFINITY || r->npaths == 0) {
		if (r->in_rm)
			rip->sup.route_delete(rip->sup.host, r->prefix,
					      r->len);
		r->in_rm = false;
		return;
	}
	for (unsigned i = 0; i < r->npaths && i < RP_MAX_NEXTHOPS; i++) {
		rr.nexthops[i].gateway = r->paths[i].gateway;
		rr.nexthops[i].ifindex = r->paths[i].ifindex;
		rr.nexthop_count++;
	}
	if (rip->sup.route_add(rip->sup.host, &rr) == NO_ERROR)
		r->in_rm = true;
}

static const struct rip_timers *timers_of(struct rip *rip, uint32_t ifindex)
{
	struct rip_iface *ifc = ifindex ? rip_iface_find(rip, ifindex) : NULL;

	return ifc ? &ifc->set->timers : &rip->set.timers;
}

/* No path left: advertise as unreachable until garbage collection ends. The last path stays
 * in `one` (npaths 0) so operators still see where the route came from. */
static void make_unreachable(struct rip *rip, struct rip_route *r, uint32_t ifindex,
			     int64_t now)
{
	struct rip_path last = r->npaths ? r->paths[0] : r->one;

	free_paths(rip, r);
	r->one = last;
	r->metric = RIP_METRIC_INFINITY;
	r->gc_deadline = now + (int64_t)timers_of(rip, ifindex)->garbage * 1000;
	announce(rip, r);
	rip_route_mark_changed(rip, r);
	rip_table_schedule_scan(rip, r->gc_deadline);
}

/* Remove learned path i. */
static void remove_path(struct rip *rip, struct rip_route *r, unsigned i)
{
	rip_limit_count(rip, &r->paths[i], false);
	if (r->npaths == 1) {
		r->npaths = 0; /* keep the path in `one` for make_unreachable */
		return;
	}
	r->paths[i] = r->paths[r->npaths - 1];
	r->npaths--;
	if (r->npaths == 1 && r->paths != &r->one) {
		r->one = r->paths[0];
		free(r->paths);
		r->paths = &r->one;
	}
}

static int64_t path_deadline(struct rip *rip, const struct rip_iface *ifc, int64_t now)
{
	return ifc->set->mode == RIP_MODE_PERIODIC ? now + (int64_t)ifc->set->timers.timeout * 1000
						   : 0; /* autostatic/demand: no ageing */
}

static struct rip_route *route_new(struct rip *rip, uint32_t prefix, uint8_t len)
{
	struct rip_route *r = calloc(1, sizeof(*r));

	if (!r) {
		rp_log_rl(&rip->rl_entry, RP_LOG_ERROR, COMP, "out of memory: route dropped");
		return NULL;
	}
	r->prefix = prefix;
	r->len = len;
	r->paths = &r->one;
	rp_avl_insert(&rip->routes, &r->node);
	return r;
}

static void route_delete(struct rip *rip, struct rip_route *r)
{
	if (r->in_rm)
		rip->sup.route_delete(rip->sup.host, r->prefix, r->len);
	rp_avl_remove(&rip->routes, &r->node);
	free_paths(rip, r);
	free(r);
}

/* Make `p` the route's only path with `metric` (new route, better route, revival). */
static void set_single_path(struct rip *rip, struct rip_route *r, const struct rip_path *p,
			    uint8_t metric, uint16_t tag)
{
	free_paths(rip, r);
	r->one = *p;
	r->npaths = 1;
	r->source = RIP_SRC_RIP;
	rip_limit_count(rip, p, true);
	r->redist_kind = 0;
	r->metric = metric;
	r->tag = tag;
	r->gc_deadline = 0;
	announce(rip, r);
	rip_route_mark_changed(rip, r);
	if (p->expires_ms)
		rip_table_schedule_scan(rip, p->expires_ms);
}

static int find_path(const struct rip_route *r, uint32_t from, uint32_t ifindex)
{
	for (unsigned i = 0; i < r->npaths; i++)
		if (r->paths[i].from == from && r->paths[i].ifindex == ifindex)
			return (int)i;
	return -1;
}

/* An update from a neighbor that is already one of the route's paths. */
static void update_known_path(struct rip *rip, struct rip_route *r, unsigned i,
			      const struct rip_path *p, uint8_t metric, uint16_t tag, int64_t now)
{
	if (metric >= RIP_METRIC_INFINITY) {
		remove_path(rip, r, i);
		if (r->npaths == 0)
			make_unreachable(rip, r, p->ifindex, now);
		else
			announce(rip, r);
		return;
	}
	if (metric < r->metric || (metric > r->metric && r->npaths == 1)) {
		set_single_path(rip, r, p, metric, tag); /* better, or same-router rule */
		return;
	}
	if (metric > r->metric) { /* worse than the other equal-cost paths: leave the set */
		remove_path(rip, r, i);
		announce(rip, r);
		return;
	}
	r->paths[i].expires_ms = p->expires_ms;
	if (r->paths[i].gateway != p->gateway) {
		r->paths[i].gateway = p->gateway;
		announce(rip, r);
	}
	if (i == 0 && r->tag != tag) {
		r->tag = tag;
		rip_route_mark_changed(rip, r);
	}
}

/* Half-way to timing out (RFC 2453 3.9.2 heuristic): worth replacing by a fresh equal path. */
static int stale_path(const struct rip_route *r, struct rip *rip, int64_t now)
{
	for (unsigned i = 0; i < r->npaths; i++) {
		const struct rip_timers *t = timers_of(rip, r->paths[i].ifindex);

		if (r->paths[i].expires_ms &&
		    r->paths[i].expires_ms - now < (int64_t)t->timeout * 500)
			return (int)i;
	}
	return -1;
}

/* An update from a neighbor that is not (yet) a path of the route. */
static void update_new_path(struct rip *rip, struct rip_route *r, const struct rip_path *p,
			    uint8_t metric, uint16_t tag, int64_t now)
{
	int stale;

	if (metric >= RIP_METRIC_INFINITY)
		return;
	if (r->metric >= RIP_METRIC_INFINITY || metric < r->metric) {
		set_single_path(rip, r, p, metric, tag);
		return;
	}
	if (metric > r->metric)
		return;
	if (r->npaths < (unsigned)rip->set.ecmp && r->npaths < RP_MAX_NEXTHOPS &&
	    reserve_paths(rip, r, r->npaths + 1)) {
		r->paths[r->npaths++] = *p;
		rip_limit_count(rip, p, true);
		announce(rip, r);
		return;
	}
	stale = stale_path(r, rip, now);
	if (stale >= 0) {
		rip_limit_count(rip, &r->paths[stale], false);
		r->paths[stale] = *p;
		rip_limit_count(rip, p, true);
		announce(rip, r);
	}
}

bool rip_table_update(struct rip *rip, struct rip_iface *ifc, uint32_t from, uint32_t prefix,
		      uint8_t len, uint32_t gateway, uint8_t metric, uint16_t tag)
{
	int64_t now = rp_clock_now_ms();
	struct rip_path p = { .gateway = gateway, .from = from, .ifindex = ifc->ifindex,
			      .expires_ms = path_deadline(rip, ifc, now) };
	struct rip_route *r = rip_route_find(rip, prefix, len);
	int i;

	if (r && r->source != RIP_SRC_RIP && r->metric < RIP_METRIC_INFINITY)
		return true; /* live local routes win; withdrawn ones may be replaced (3.9.2) */
	i = r ? find_path(r, from, ifc->ifindex) : -1;
	if (i < 0 && metric < RIP_METRIC_INFINITY && !rip_limit_allows(rip, ifc, from))
		return false;
	if (!r) {
		if (metric >= RIP_METRIC_INFINITY || !(r = route_new(rip, prefix, len)))
			return true;
		r->autostatic = ifc->set->mode != RIP_MODE_PERIODIC;
		set_single_path(rip, r, &p, metric, tag);
		return true;
	}
	r->autostatic = ifc->set->mode != RIP_MODE_PERIODIC;
	if (i >= 0)
		update_known_path(rip, r, (unsigned)i, &p, metric, tag, now);
	else
		update_new_path(rip, r, &p, metric, tag, now);
	if (p.expires_ms)
		rip_table_schedule_scan(rip, p.expires_ms);
	return true;
}

void rip_table_set_local(struct rip *rip, const struct rip_local *l, bool present)
{
	struct rip_path p = { .gateway = l->gateway, .ifindex = l->ifindex };
	struct rip_route *r = rip_route_find(rip, l->prefix, l->len);
	bool same;

	if (!present) {
		if (r && r->source == l->source && r->redist_kind == l->redist_kind &&
		    r->metric < RIP_METRIC_INFINITY)
			make_unreachable(rip, r, l->ifindex, rp_clock_now_ms());
		return;
	}
	if (!r && !(r = route_new(rip, l->prefix, l->len)))
		return;
	if (r->source == RIP_SRC_CONNECTED && l->source == RIP_SRC_REDIST && r->metric < 16)
		return; /* our own subnet stays connected */
	same = r->source == l->source && r->redist_kind == l->redist_kind &&
	       r->metric == l->metric && r->tag == l->tag && r->npaths == 1 &&
	       r->one.gateway == l->gateway && r->one.ifindex == l->ifindex;
	if (same)
		return;
	if (r->in_rm) { /* a learned route is superseded by a local one */
		r->source = RIP_SRC_RIP;
		r->metric = RIP_METRIC_INFINITY;
		announce(rip, r);
	}
	free_paths(rip, r);
	r->one = p;
	r->npaths = 1;
	r->source = (uint8_t)l->source;
	r->redist_kind = l->redist_kind;
	r->metric = l->metric;
	r->tag = l->tag;
	r->gc_deadline = 0;
	r->autostatic = false;
	rip_route_mark_changed(rip, r);
}

/* Remove the paths through `ifindex` that `unwanted` picks (all when NULL). */
static void withdraw_paths(struct rip *rip, uint32_t ifindex,
			   bool (*unwanted)(const struct rip_iface *, const struct rip_route *,
					    const struct rip_path *),
			   const struct rip_iface *ifc)
{
	int64_t now = rp_clock_now_ms();

	for (struct rp_avl_node *n = rp_avl_first(&rip->routes); n; n = rp_avl_next(n)) {
		struct rip_route *r = rp_avl_entry(n, struct rip_route, node);
		unsigned before = r->npaths;

		if (r->source != RIP_SRC_RIP || r->metric >= RIP_METRIC_INFINITY)
			continue;
		for (unsigned i = r->npaths; i-- > 0;)
			if (r->paths[i].ifindex == ifindex &&
			    (!unwanted || unwanted(ifc, r, &r->paths[i])))
				remove_path(rip, r, i);
		if (r->npaths == before)
			continue;
		if (r->npaths == 0)
			make_unreachable(rip, r, ifindex, now);
		else if (r->in_rm)
			announce(rip, r);
	}
}

void rip_table_withdraw_iface(struct rip *rip, uint32_t ifindex)
{
	withdraw_paths(rip, ifindex, NULL, NULL);
}

static bool refused(const struct rip_iface *ifc, const struct rip_route *r,
		    const struct rip_path *p)
{
	return !rip_policy_accepts(ifc->set, r->prefix, r->len) ||
	       !rip_policy_hears(ifc->set, p->from);
}

void rip_table_withdraw_unwanted(struct rip *rip, struct rip_iface *ifc)
{
	withdraw_paths(rip, ifc->ifindex, refused, ifc);
}

void rip_table_mark_from(struct rip *rip, uint32_t ifindex, uint32_t from)
{
	for (struct rp_avl_node *n = rp_avl_first(&rip->routes); n; n = rp_avl_next(n)) {
		struct rip_route *r = rp_avl_entry(n, struct rip_route, node);

		for (unsigned i = 0; r->source == RIP_SRC_RIP && i < r->npaths; i++)
			if (r->paths[i].ifindex == ifindex && r->paths[i].from == from)
				r->paths[i].expires_ms = FLUSH_MARK;
	}
}

void rip_table_sweep_marked(struct rip *rip, uint32_t ifindex, uint32_t from)
{
	int64_t now = rp_clock_now_ms();

	for (struct rp_avl_node *n = rp_avl_first(&rip->routes); n;) {
		struct rip_route *r = rp_avl_entry(n, struct rip_route, node);
		bool changed = false;

		n = rp_avl_next(n);
		if (r->source != RIP_SRC_RIP || r->metric >= RIP_METRIC_INFINITY)
			continue;
		for (unsigned i = r->npaths; i-- > 0;)
			if (r->paths[i].ifindex == ifindex && r->paths[i].from == from &&
			    r->paths[i].expires_ms == FLUSH_MARK) {
				remove_path(rip, r, i);
				changed = true;
			}
		if (changed && r->npaths == 0)
			make_unreachable(rip, r, ifindex, now);
		else if (changed)
			announce(rip, r);
	}
}

void rip_table_set_iface_aging(struct rip *rip, uint32_t ifindex, bool ages)
{
	int64_t deadline = 0;
	const struct rip_timers *t = timers_of(rip, ifindex);

	if (ages)
		deadline = rp_clock_now_ms() + (int64_t)t->timeout * 1000;
	for (struct rp_avl_node *n = rp_avl_first(&rip->routes); n; n = rp_avl_next(n)) {
		struct rip_route *r = rp_avl_entry(n, struct rip_route, node);

		for (unsigned i = 0; r->source == RIP_SRC_RIP && i < r->npaths; i++)
			if (r->paths[i].ifindex == ifindex)
				r->paths[i].expires_ms = deadline;
	}
	if (ages)
		rip_table_schedule_scan(rip, deadline);
}

/* Expire paths and finish garbage collection; returns the next deadline (0 = none). */
static int64_t scan_route(struct rip *rip, struct rip_route *r, int64_t now, bool *deleted)
{
	int64_t next = 0;

	*deleted = false;
	if (r->metric >= RIP_METRIC_INFINITY) {
		if (r->gc_deadline <= now) {
			route_delete(rip, r);
			*deleted = true;
			return 0;
		}
		return r->gc_deadline;
	}
	for (unsigned i = r->npaths; i-- > 0;) {
		int64_t e = r->paths[i].expires_ms;
		uint32_t ifindex = r->paths[i].ifindex;

		if (e == 0 || e == FLUSH_MARK)
			continue;
		if (e <= now) {
			remove_path(rip, r, i);
			if (r->npaths == 0) {
				make_unreachable(rip, r, ifindex, now);
				return r->gc_deadline;
			}
			announce(rip, r);
		} else if (next == 0 || e < next) {
			next = e;
		}
	}
	return next;
}

static void scan(evutil_socket_t fd, short what, void *arg)
{
	rip_table_scan_now(arg);
}

void rip_table_scan_now(struct rip *rip)
{
	int64_t now = rp_clock_now_ms(), next = 0;
	struct rp_avl_node *n = rp_avl_first(&rip->routes);

	rip->scan_at_ms = 0;
	while (n) {
		struct rip_route *r = rp_avl_entry(n, struct rip_route, node);
		bool deleted;
		int64_t d;

		n = rp_avl_next(n);
		d = scan_route(rip, r, now, &deleted);
		if (d && (next == 0 || d < next))
			next = d;
	}
	if (next)
		rip_table_schedule_scan(rip, next);
}

void rip_table_schedule_scan(struct rip *rip, int64_t at_ms)
{
	int64_t now, delay;
	struct timeval tv;

	if (at_ms <= 0 || (rip->scan_at_ms && rip->scan_at_ms <= at_ms))
		return; /* the common case, per received route: no clock read */
	now = rp_clock_now_ms();
	delay = at_ms - now;
	if (delay < SCAN_MIN_GAP_MS)
		delay = SCAN_MIN_GAP_MS;
	rip->scan_at_ms = now + delay;
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	evtimer_add(rip->scan_timer, &tv);
}

void rip_table_init(struct rip *rip)
{
	rp_avl_init(&rip->routes, rip_route_cmp);
	rip_limit_init(rip);
	rip->scan_timer = evtimer_new(rip->sup.base, scan, rip);
}

void rip_table_free(struct rip *rip)
{
	struct rp_avl_node *n = rp_avl_first(&rip->routes);

	while (n) {
		struct rip_route *r = rp_avl_entry(n, struct rip_route, node);

		n = rp_avl_next(n);
		rp_avl_remove(&rip->routes, &r->node);
		free_paths(rip, r);
		free(r);
	}
	rip_limit_free(rip);
	if (rip->scan_timer)
		event_free(rip->scan_timer);
	rip->scan_timer = NULL;
}
