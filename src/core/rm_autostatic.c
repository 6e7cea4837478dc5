/* SPDX-License-Identifier: ISC */
/*
 * rm_autostatic.c — autostatic routes (the RRAS model on Linux). The router manager owns them:
 *
 *  update-routes IF ─► checks (known, a protocol that can update it, connected, not busy)
 *     ─► do_update_routes(index) ─► protocol reports routes (update_route) ─► pending set
 *     ─► UPDATE_COMPLETE NO_ERROR: the pending set is written to the state file; once it is
 *                                   there, it becomes exactly the interface's set and is
 *                                   installed as proto autostatic (sent to the kernel before
 *                                   the caller is told). A set that cannot be
 *                                   written is refused: ERROR_CAN_NOT_COMPLETE, previous set
 *                                   untouched (rm_autostatic_save.c)
 *        UPDATE_COMPLETE error:    pending set dropped, previous set untouched
 *
 * Sets are kept per interface name (indexes change across reboots), never age, survive
 * restarts and the removal of the protocol, and are installed whenever their interface exists
 * (again after the kernel flushed them). When several interfaces learned the same prefix, the
 * lowest metric wins. At start the state file is loaded before any protocol runs; if it is
 * unusable it is set aside and the sets are recovered from the kernel's proto autostatic
 * routes, so nothing is dropped silently.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core/rm_internal.h"
#include "core/rm_state.h"
#include "routprotd/clock.h"
#include "routprotd/log.h"
#include "routprotd/prefix.h"

#define COMP "autostatic"
#define GUARD_EXTRA_S 15      /* beyond the update timeout before the RM gives up itself */
#define DEFAULT_TIMEOUT_S 3600 /* when the caller gave none: the protocol's own timeout applies
				  (at most 3600 s in every protocol), this only bounds the wait */

struct rm_as_set {
	struct rm_as_set *next;
	struct rm *rm;
	struct rm_state_iface st; /* name, time of the last success, committed routes (sorted) */
	const char *last_result;  /* of the last finished update, NULL before any */
	char reason[640];         /* why it failed, when the RM knows better than the status */
	int64_t last_attempt_ms;
	bool updating;
	bool abandoned; /* the guard gave up; the protocol's late completion is ignored */
	unsigned slot;
	struct rm_state_route *pending;
	size_t npending, cap;
	rm_update_done_fn done;
	void *done_ctx;
	struct event *guard;
};

static int route_cmp(const void *a, const void *b)
{
	const struct rm_state_route *x = a, *y = b;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return (int)x->len - (int)y->len;
}

static const struct rm_state_route *set_lookup(const struct rm_as_set *s, uint32_t prefix,
					       uint8_t len)
{
	struct rm_state_route key = { .prefix = prefix, .len = len };

	return s->st.nroutes ? bsearch(&key, s->st.routes, s->st.nroutes, sizeof(key), route_cmp)
			     : NULL;
}

static struct rm_iface *iface_by_name(const struct rm *rm, const char *name)
{
	for (size_t i = 0; i < rm->nifaces; i++)
		if (strcmp(rm->ifaces[i]->name, name) == 0)
			return rm->ifaces[i];
	return NULL;
}

static struct rm_as_set *find_set(const struct rm *rm, const char *name)
{
	for (struct rm_as_set *s = rm->autostatic; s; s = s->next)
		if (strcmp(s->st.name, name) == 0)
			return s;
	return NULL;
}

static struct rm_as_set *get_set(struct rm *rm, const char *name)
{
	struct rm_as_set *s = find_set(rm, name);

	if (s)
		return s;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->rm = rm;
	snprintf(s->st.name, sizeof(s->st.name), "%s", name);
	s->next = rm->autostatic;
	rm->autostatic = s;
	return s;
}

/* ---- what goes into the route table, the kernel and redistribution ---- */

/* An interface that can carry its autostatic routes: present, enabled, with carrier and an
 * address (without carrier the kernel would keep them as dead "linkdown" routes that still
 * attract traffic; without an address it refuses them). */
static const struct rm_iface *usable_iface(const struct rm *rm, const char *name)
{
	const struct rm_iface *ifc = iface_by_name(rm, name);

	return ifc && rm_iface_active(ifc) ? ifc : NULL;
}

/* Bring one prefix in line: the best route of any set whose interface is usable. */
static void refresh_prefix(struct rm *rm, uint32_t prefix, uint8_t len)
{
	const struct rm_state_route *best = NULL;
	const struct rm_iface *best_if = NULL;
	struct rp_route r = { .prefix = prefix, .prefixlen = len, .nexthop_count = 1 };
	struct rp_redist_route rr = { .prefix = prefix, .prefixlen = len,
				      .source = RP_REDIST_AUTOSTATIC };

	for (const struct rm_as_set *s = rm->autostatic; s; s = s->next) {
		const struct rm_state_route *x = set_lookup(s, prefix, len);
		const struct rm_iface *ifc = x ? usable_iface(rm, s->st.name) : NULL;

		if (ifc && (!best || x->metric < best->metric)) {
			best = x;
			best_if = ifc;
		}
	}
	if (!best) {
		rm_route_unset(rm, RM_SRC_AUTOSTATIC, prefix, len);
		rm_redist_notify(rm, &rr, true);
		return;
	}
	r.metric = best->metric;
	r.tag = best->tag;
	r.nexthops[0] = (struct rp_nexthop){ .gateway = best->gateway,
					     .ifindex = best_if->ifindex };
	rm_route_set(rm, RM_SRC_AUTOSTATIC, RM_PROTO_AUTOSTATIC, RM_PREF_AUTOSTATIC, &r);
	rr.gateway = best->gateway;
	rr.ifindex = best_if->ifindex;
	rr.metric = best->metric;
	rm_redist_notify(rm, &rr, false);
}

static void refresh_routes(struct rm *rm, const struct rm_state_route *routes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		refresh_prefix(rm, routes[i].prefix, routes[i].len);
}

/* A set's routes were replaced: the prefixes it no longer has follow, then those it has. */
static void refresh_replaced(struct rm *rm, const struct rm_as_set *s,
			     const struct rm_state_route *old, size_t nold)
{
	for (size_t i = 0; i < nold; i++)
		if (!set_lookup(s, old[i].prefix, old[i].len))
			refresh_prefix(rm, old[i].prefix, old[i].len);
	refresh_routes(rm, s->st.routes, s->st.nroutes);
}

/* A change the caller is about to be told of: in the kernel first, not only queued. */
static void send_now(struct rm *rm)
{
	if (rm->fib)
		rm->fib->flush(rm->fib_arg);
}

/* An interface appeared, was renamed or went away: its set (if any) follows. */
void rm_autostatic_iface_changed(struct rm *rm, const char *name)
{
	const struct rm_as_set *s = find_set(rm, name);

	if (s)
		refresh_routes(rm, s->st.routes, s->st.nroutes);
}

void rm_autostatic_replay(struct rm *rm, const struct rm_subscriber *sub)
{
	for (struct rp_avl_node *n = rp_avl_first(&rm->routes); n; n = rp_avl_next(n)) {
		const struct rm_route *r = rp_avl_entry(n, struct rm_route, node);

		for (const struct rm_cand *c = r->cands; c; c = c->next) {
			struct rp_redist_route rr = {
				.prefix = r->prefix, .prefixlen = r->len,
				.gateway = c->nexthops[0].gateway,
				.ifindex = c->nexthops[0].ifindex, .metric = c->metric,
				.source = RP_REDIST_AUTOSTATIC };

			if (c->source == RM_SRC_AUTOSTATIC)
				sub->changed(sub->ctx, &rr, false);
		}
	}
}

/* ---- updates ---- */

static void discard_pending(struct rm_as_set *s)
{
	free(s->pending);
	s->pending = NULL;
	s->npending = s->cap = 0;
}

/* `reason` (may be NULL) says why an update failed beyond its status. */
static void finish(struct rm_as_set *s, enum rp_result status, const char *reason)
{
	rm_update_done_fn done = s->done;
	void *ctx = s->done_ctx;

	s->updating = false;
	s->done = NULL;
	s->done_ctx = NULL;
	s->last_result = rp_result_name(status);
	s->last_attempt_ms = rp_clock_wall_ms();
	snprintf(s->reason, sizeof(s->reason), "%s", reason ? reason : "");
	if (s->guard)
		evtimer_del(s->guard);
	if (done)
		done(ctx, s->st.name, status, s->st.nroutes, reason);
}

/* The set becomes exactly the pending routes, once the state file holds them; otherwise it
 * stays as it was and the update fails. */
static enum rp_result commit(struct rm *rm, struct rm_as_set *s)
{
	struct rm_state_route *old = s->st.routes;
	size_t nold = s->st.nroutes, k = 0;
	struct rm_state_iface cand = { .updated_ms = rp_clock_wall_ms(), .routes = s->pending };

	if (s->npending) /* none reported: no array at all, which qsort may not be given */
		qsort(s->pending, s->npending, sizeof(*s->pending), route_cmp);
	for (size_t i = 0; i < s->npending; i++) /* later reports of a prefix win */
		if (k > 0 && route_cmp(&s->pending[k - 1], &s->pending[i]) == 0)
			s->pending[k - 1] = s->pending[i];
		else
			s->pending[k++] = s->pending[i];
	memcpy(cand.name, s->st.name, sizeof(cand.name));
	cand.nroutes = k;
	if (!rm_autostatic_save(rm, s, &cand)) {
		rp_log_error(COMP, "%s: update refused, the state file cannot hold its %zu routes: "
			  "the previous %zu stay", s->st.name, k, nold);
		return ERROR_CAN_NOT_COMPLETE;
	}
	s->st = cand;
	s->pending = NULL;
	s->npending = s->cap = 0;
	refresh_replaced(rm, s, old, nold);
	send_now(rm);
	free(old);
	rp_log_notice(COMP, "%s: %zu autostatic route%s (were %zu)", s->st.name, k, k == 1 ? "" : "s",
		   nold);
	return NO_ERROR;
}

/* Why an update or a clear was refused for the state file's sake. */
static const char *save_failure(struct rm *rm, const struct rm_as_set *s, const char *what)
{
	snprintf(rm->as_file.refused, sizeof(rm->as_file.refused), "%s: cannot write the state "
		 "file (%s); the previous %zu route%s stay", what, rm->as_file.error,
		 s->st.nroutes, s->st.nroutes == 1 ? "" : "s");
	return rm->as_file.refused;
}

void rm_autostatic_complete(struct rm *rm, uint32_t ifindex, enum rp_result status)
{
	struct rm_iface *ifc = rm_iface_find(rm, ifindex);
	struct rm_as_set *s = ifc ? get_set(rm, ifc->name) : NULL;
	const char *why = NULL;

	if (!s)
		return;
	if (s->abandoned) {
		/* the guard gave up and the client was told so: keep the set as it was */
		rp_log_notice(COMP, "%s: late UPDATE_COMPLETE ignored", s->st.name);
		s->abandoned = false;
		discard_pending(s);
		return;
	}
	if (status == NO_ERROR && commit(rm, s) != NO_ERROR) {
		status = ERROR_CAN_NOT_COMPLETE;
		why = save_failure(rm, s, "update not applied");
	} else if (status != NO_ERROR) {
		rp_log_notice(COMP, "%s: update failed (%s): the previous %zu routes stay",
			   s->st.name, rp_result_name(status), s->st.nroutes);
	}
	discard_pending(s);
	finish(s, status, why);
}

enum rp_result rm_autostatic_update_route(struct rm *rm, unsigned slot, uint32_t ifindex,
					  const struct rp_route *r)
{
	struct rm_iface *ifc = rm_iface_find(rm, ifindex);
	struct rm_as_set *s = ifc ? get_set(rm, ifc->name) : NULL;

	if (!s || r->prefixlen > 32 || r->nexthop_count < 1 || r->metric < 1 || r->metric > 15)
		return ERROR_INVALID_PARAMETER;
	if (!s->updating) { /* an update the protocol started itself (update-on-connect) */
		s->updating = true;
		s->slot = slot;
	}
	if (s->npending == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct rm_state_route *g = realloc(s->pending, cap * sizeof(*g));

		if (!g)
			return ERROR_CAN_NOT_COMPLETE;
		s->pending = g;
		s->cap = cap;
	}
	s->pending[s->npending++] = (struct rm_state_route){
		.prefix = r->prefix, .len = r->prefixlen, .gateway = r->nexthops[0].gateway,
		.metric = r->metric, .tag = r->tag };
	return NO_ERROR;
}

static void on_guard(evutil_socket_t fd, short what, void *arg)
{
	struct rm_as_set *s = arg;

	rp_log_warning(COMP, "%s: the protocol never finished the update; giving up", s->st.name);
	s->abandoned = true;
	discard_pending(s);
	finish(s, ERROR_CAN_NOT_COMPLETE, "the routing protocol never finished the update");
}

/* The interface of an update went away: its protocol's UPDATE_COMPLETE will name an index
 * nobody knows any more, so the update ends here. */
void rm_autostatic_iface_gone(struct rm *rm, const char *name)
{
	struct rm_as_set *s = find_set(rm, name);

	if (!s || !s->updating)
		return;
	rp_log_notice(COMP, "%s: interface gone during an autostatic update", name);
	discard_pending(s);
	finish(s, ERROR_INTERFACE_NOT_CONNECTED, "the interface went away during the update");
}

static struct rm_proto *updater_of(struct rm *rm, const struct rm_iface *ifc)
{
	for (size_t s = 0; s < rm->nprotos; s++) {
		struct rm_proto *p = &rm->protos[s];

		if ((ifc->added_mask & (1u << s)) && rm_proto_running(p) &&
		    (p->def->flags & RF_DEMAND_UPDATE_ROUTES) && p->def->do_update_routes)
			return p;
	}
	return NULL;
}

enum rp_result rm_update_routes(struct rm *rm, const char *ifname, unsigned timeout_s,
				rm_update_done_fn done, void *ctx, const char **why)
{
	struct rm_iface *ifc = iface_by_name(rm, ifname);
	struct rm_proto *p = ifc ? updater_of(rm, ifc) : NULL;
	struct rm_as_set *s;
	enum rp_result r;

	*why = NULL;
	if (!ifc) {
		*why = "unknown interface";
		return ERROR_INVALID_PARAMETER;
	}
	if (!p) {
		*why = "no routing protocol runs autostatic updates on this interface";
		return ERROR_INVALID_PARAMETER;
	}
	if (!ifc->enabled || !ifc->media_present)
		return ERROR_INTERFACE_NOT_CONNECTED;
	s = get_set(rm, ifname);
	if (!s)
		return ERROR_CAN_NOT_COMPLETE;
	if (s->updating)
		return ERROR_UPDATE_IN_PROGRESS;
	r = p->def->do_update_routes(p->inst, ifc->ifindex, timeout_s);
	rm->counters.callbacks++;
	rm_record(rm, "DO_UPDATE_ROUTES", ifc, p, r);
	if (r == ERROR_INVALID_PARAMETER)
		*why = "the interface is not in a mode that supports updates";
	if (r != NO_ERROR)
		return r;
	s->abandoned = false; /* an update the guard gave up on is forgotten: this one counts */
	discard_pending(s);
	if (!s->guard)
		s->guard = evtimer_new(rm->base, on_guard, s);
	if (s->guard)
		evtimer_add(s->guard,
			    &(struct timeval){ .tv_sec = (timeout_s ? timeout_s : DEFAULT_TIMEOUT_S) +
							 GUARD_EXTRA_S });
	s->updating = true;
	s->slot = p->slot;
	s->done = done;
	s->done_ctx = ctx;
	return NO_ERROR;
}

/* The daemon stops: whoever waits for an update is told it could not complete. */
void rm_autostatic_fail_waiters(struct rm *rm)
{
	for (struct rm_as_set *s = rm->autostatic; s; s = s->next) {
		rm_update_done_fn done = s->done;

		if (!done)
			continue;
		s->done = NULL;
		done(s->done_ctx, s->st.name, ERROR_CAN_NOT_COMPLETE, s->st.nroutes,
		     "the daemon is stopping");
		s->done_ctx = NULL;
	}
}

void rm_update_forget(struct rm *rm, void *ctx)
{
	for (struct rm_as_set *s = rm->autostatic; s; s = s->next)
		if (s->done_ctx == ctx) {
			s->done = NULL;
			s->done_ctx = NULL;
		}
}

enum rp_result rm_clear_autostatic(struct rm *rm, const char *ifname, size_t *removed,
				   const char **why)
{
	struct rm_as_set *s = find_set(rm, ifname);
	struct rm_state_iface empty = { .routes = NULL };
	struct rm_state_route *old;
	size_t n;

	*removed = 0;
	*why = NULL;
	if (!s)
		return iface_by_name(rm, ifname) ? NO_ERROR : ERROR_INVALID_PARAMETER;
	memcpy(empty.name, s->st.name, sizeof(empty.name));
	if (!rm_autostatic_save(rm, s, &empty)) {
		*why = save_failure(rm, s, "not cleared");
		rp_log_error(COMP, "%s: %s", ifname, *why);
		return ERROR_CAN_NOT_COMPLETE;
	}
	old = s->st.routes;
	n = s->st.nroutes;
	s->st.routes = NULL;
	s->st.nroutes = 0;
	s->st.updated_ms = 0;
	refresh_routes(rm, old, n);
	send_now(rm);
	free(old);
	*removed = n;
	rp_log_notice(COMP, "%s: %zu autostatic route%s cleared", ifname, n, n == 1 ? "" : "s");
	return NO_ERROR;
}

size_t rm_autostatic_count(const struct rm *rm, const char *ifname)
{
	const struct rm_as_set *s = find_set(rm, ifname);

	return s ? s->st.nroutes : 0;
}

void rm_autostatic_free(struct rm *rm)
{
	while (rm->autostatic) {
		struct rm_as_set *s = rm->autostatic;

		rm->autostatic = s->next;
		if (s->guard)
			event_free(s->guard);
		free(s->pending);
		free(s->st.routes);
		free(s);
	}
	rm_autostatic_save_free(rm);
	free(rm->state_dir);
	rm->state_dir = NULL;
}

/* ---- accessors for loading and views (rm_autostatic_load.c) ---- */

struct rm_as_set *rm_autostatic_set(struct rm *rm, const char *name)
{
	return get_set(rm, name);
}

/* Replace a set's routes with st's (taking them over) and install them. */
void rm_autostatic_set_routes(struct rm *rm, struct rm_as_set *s, struct rm_state_iface *st)
{
	struct rm_state_route *old = s->st.routes;
	size_t nold = s->st.nroutes;

	s->st.routes = st->routes;
	s->st.nroutes = st->nroutes;
	s->st.updated_ms = st->updated_ms;
	st->routes = NULL;
	st->nroutes = 0;
	refresh_replaced(rm, s, old, nold);
	free(old);
}

void rm_autostatic_persist(struct rm *rm)
{
	rm_autostatic_save(rm, NULL, NULL);
}

const struct rm_as_set *rm_autostatic_first(const struct rm *rm)
{
	return rm->autostatic;
}

const struct rm_as_set *rm_autostatic_next(const struct rm_as_set *s)
{
	return s->next;
}

const struct rm_state_iface *rm_autostatic_state(const struct rm_as_set *s)
{
	return &s->st;
}

const char *rm_autostatic_last_result(const struct rm_as_set *s)
{
	return s->last_result;
}

const char *rm_autostatic_last_reason(const struct rm_as_set *s)
{
	return s->reason[0] ? s->reason : NULL;
}
