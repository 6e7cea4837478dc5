/* SPDX-License-Identifier: ISC */
/*
 * rip_update.c — autostatic updates (RRAS DoUpdateRoutes) on RIP interfaces:
 *
 *   do_update_routes / update-on-connect
 *     └─► whole-table request to every target of the interface, resent every few seconds
 *   first response ─► collect entries (validated like any response; best metric per prefix)
 *     └─► each further response restarts the quiet timer (update-quiet)
 *   quiet period over ─► every collected route goes to the router manager (update_route),
 *                        then UPDATE_COMPLETE {index, DEMAND_UPDATE_ROUTES, NO_ERROR}
 *   no answer before the timeout, or the interface stops ─► UPDATE_COMPLETE
 *                        {ERROR_CAN_NOT_COMPLETE}: the router manager keeps the previous set
 *
 * Collected routes never enter RIP's own table: they belong to the router manager, which
 * makes them autostatic routes and offers them back for redistribution. One update collects
 * at most the interface's max-routes routes (0 = no limit); further ones are counted and left.
 */
#include "config.h"

#include <stdlib.h>

#include <event2/event.h>

#include "routprotd/prefix.h"
#include "rip/rip.h"

struct upd_route {
	struct rp_avl_node node;
	struct rip_entry e;
};

struct rip_update {
	struct rip_iface *ifc;
	struct event *retransmit;
	struct event *quiet;
	struct event *timeout;
	unsigned responses;
	unsigned requests;
	int64_t retransmit_ms;
	bool lost;           /* a route could not be kept (out of memory): the update fails */
	struct rp_avl_tree routes;
	unsigned nroutes;    /* in `routes`: at most the interface's max-routes */
};

static int upd_cmp(const struct rp_avl_node *a, const struct rp_avl_node *b)
{
	const struct rip_entry *x = &rp_avl_entry(a, struct upd_route, node)->e;
	const struct rip_entry *y = &rp_avl_entry(b, struct upd_route, node)->e;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return (int)x->len - (int)y->len;
}

static void arm(struct event *ev, int64_t ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	evtimer_add(ev, &tv);
}

void rip_update_free(struct rip_iface *ifc)
{
	struct rip_update *u = ifc->update;
	struct rp_avl_node *n;

	if (!u)
		return;
	while ((n = rp_avl_first(&u->routes))) {
		rp_avl_remove(&u->routes, n);
		free(rp_avl_entry(n, struct upd_route, node));
	}
	if (u->retransmit)
		event_free(u->retransmit);
	if (u->quiet)
		event_free(u->quiet);
	if (u->timeout)
		event_free(u->timeout);
	free(u);
	ifc->update = NULL;
}

/* Every collected route to the router manager; NO_ERROR only if it took them all (a partial
 * set must not replace the previous one). */
static enum rp_result hand_over(struct rip_iface *ifc, unsigned *n)
{
	struct rip *rip = ifc->rip;
	struct rip_update *u = ifc->update;

	if (u->lost) {
		rp_log_error(COMP, "%s: autostatic update lost routes for lack of memory", ifc->name);
		return ERROR_CAN_NOT_COMPLETE;
	}
	for (struct rp_avl_node *node = rp_avl_first(&u->routes); node; node = rp_avl_next(node)) {
		const struct rip_entry *e = &rp_avl_entry(node, struct upd_route, node)->e;
		struct rp_route r = { .prefix = e->prefix, .prefixlen = e->len,
				      .metric = e->metric, .tag = e->tag, .nexthop_count = 1,
				      .nexthops = { { .gateway = e->gateway,
						      .ifindex = ifc->ifindex } } };

		if (!rip->sup.update_route ||
		    rip->sup.update_route(rip->sup.host, ifc->ifindex,
					  &r) != NO_ERROR) {
			rp_log_error(COMP, "%s: the router manager did not take an autostatic route",
				  ifc->name);
			return ERROR_CAN_NOT_COMPLETE;
		}
		(*n)++;
	}
	return NO_ERROR;
}

/* Hand the collected routes over (on success) and post UPDATE_COMPLETE. */
static void complete(struct rip_iface *ifc, enum rp_result status)
{
	struct rip *rip = ifc->rip;
	unsigned n = 0, responses = ifc->update->responses;
	union rp_message msg = { 0 };

	if (status == NO_ERROR)
		status = hand_over(ifc, &n);
	rp_log_info(COMP, "%s: autostatic update %s (%u responses, %u routes)", ifc->name,
		 status == NO_ERROR ? "complete" : "failed", responses, n);
	rip_update_free(ifc);
	msg.update_complete = (struct rp_update_complete){ .interface_index = ifc->ifindex,
						       .update_type = DEMAND_UPDATE_ROUTES,
						       .update_status = status };
	if (!rp_event_queue_post(&rip->events, UPDATE_COMPLETE, &msg)) {
		rp_log_error(COMP, "%s: out of memory posting UPDATE_COMPLETE", ifc->name);
		return;
	}
	if (rip->sup.signal_event)
		rip->sup.signal_event(rip->sup.host);
}

static void on_quiet(evutil_socket_t fd, short what, void *arg)
{
	complete(arg, NO_ERROR);
}

/* The timeout bounds the whole update: without any answer it failed; with answers that never
 * fell quiet (a neighbor announcing non-stop) it ends with what was collected. */
static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
	rip_update_expire_now(arg);
}

/* The end of an update's time (also the tests' way to end one without waiting): with answers
 * it succeeds with what was collected, without any it fails. */
void rip_update_expire_now(struct rip_iface *ifc)
{
	if (!ifc->update)
		return;
	if (ifc->update->responses > 0) {
		complete(ifc, NO_ERROR);
		return;
	}
	rp_log_notice(COMP, "%s: no answer to the autostatic update request", ifc->name);
	complete(ifc, ERROR_CAN_NOT_COMPLETE);
}

static void on_retransmit(evutil_socket_t fd, short what, void *arg)
{
	struct rip_iface *ifc = arg;
	struct rip_update *u = ifc->update;

	if (u->responses > 0)
		return;
	if (ifc->set->mode == RIP_MODE_DEMAND)
		rip_demand_update_request(ifc);
	else
		rip_output_request_all(ifc);
	u->requests++;
	arm(u->retransmit, u->retransmit_ms);
}

/* Retransmission interval: a few tries within the timeout, at most every 5 s. */
static int64_t retransmit_ms(unsigned timeout_s)
{
	int64_t ms = (int64_t)timeout_s * 1000 / 4;

	return ms < 1000 ? 1000 : (ms > 5000 ? 5000 : ms);
}

static bool create(struct rip_iface *ifc, unsigned timeout_s)
{
	struct rip_update *u = calloc(1, sizeof(*u));
	struct event_base *base = ifc->rip->sup.base;
	int64_t rx = retransmit_ms(timeout_s);

	if (!u)
		return false;
	ifc->update = u;
	u->ifc = ifc;
	rp_avl_init(&u->routes, upd_cmp);
	u->retransmit_ms = rx;
	u->retransmit = evtimer_new(base, on_retransmit, ifc);
	u->quiet = evtimer_new(base, on_quiet, ifc);
	u->timeout = evtimer_new(base, on_timeout, ifc);
	if (!u->retransmit || !u->quiet || !u->timeout) {
		rip_update_free(ifc);
		return false;
	}
	arm(u->retransmit, rx);
	arm(u->timeout, (int64_t)timeout_s * 1000);
	return true;
}

enum rp_result rip_update_start(struct rip_iface *ifc, unsigned timeout_s)
{
	if (ifc->set->mode == RIP_MODE_PERIODIC)
		return ERROR_INVALID_PARAMETER;
	if (!ifc->active)
		return ERROR_INTERFACE_NOT_CONNECTED;
	if (ifc->update)
		return ERROR_UPDATE_IN_PROGRESS;
	if (timeout_s == 0)
		timeout_s = (unsigned)ifc->rip->set.update_timeout;
	if (!create(ifc, timeout_s))
		return ERROR_CAN_NOT_COMPLETE;
	rp_log_info(COMP, "%s: autostatic update started (timeout %u s)", ifc->name, timeout_s);
	if (ifc->set->mode == RIP_MODE_DEMAND)
		rip_demand_update_request(ifc);
	else
		rip_output_request_all(ifc);
	ifc->update->requests++;
	return NO_ERROR;
}

void rip_update_collect(struct rip_iface *ifc, const struct rip_entry *e)
{
	struct rip_update *u = ifc->update;
	struct upd_route key = { .e = *e }, *r;
	struct rp_avl_node *n;

	if (!u)
		return;
	n = rp_avl_find(&u->routes, &key.node);
	r = n ? rp_avl_entry(n, struct upd_route, node) : NULL;
	if (e->metric >= RIP_METRIC_INFINITY) {
		if (r && r->e.from == e->from) { /* its only source withdrew it */
			rp_avl_remove(&u->routes, &r->node);
			free(r);
			u->nroutes--;
		}
		return;
	}
	if (r) {
		if (e->metric < r->e.metric || r->e.from == e->from)
			r->e = *e;
		return;
	}
	if (ifc->set->max_routes > 0 && u->nroutes >= (unsigned)ifc->set->max_routes) {
		ifc->stats.rx_over_limit_routes++;
		rp_log_rl(&ifc->rip->rl_limit, RP_LOG_WARNING, COMP,
		       "%s: max-routes reached (%d routes): the update takes no more",
		       ifc->name, ifc->set->max_routes);
		return;
	}
	r = malloc(sizeof(*r));
	if (!r) {
		u->lost = true;
		return;
	}
	r->e = *e;
	rp_avl_insert(&u->routes, &r->node);
	u->nroutes++;
}

static void collect_sink(struct rip *rip, struct rip_iface *ifc, const struct rip_entry *e,
			 void *arg)
{
	rip_update_collect(ifc, e);
}

/* An answer to our request arrived: no more retries, and the quiet period starts over. */
void rip_update_touch(struct rip_iface *ifc)
{
	struct rip_update *u = ifc->update;

	if (!u)
		return;
	u->responses++;
	evtimer_del(u->retransmit);
	arm(u->quiet, ifc->rip->set.update_quiet);
}

/* Every response teaches routes; only answers sent to us (the neighbor answers a request at
 * the requester's address) count as the answer — periodic multicast updates would otherwise
 * keep the quiet period from ever passing. */
void rip_update_response(struct rip_iface *ifc, struct rip_neighbor *nbr,
			 const struct rip_msg *msg, uint32_t src, bool to_us)
{
	rip_input_entries(ifc->rip, ifc, nbr, msg, src, collect_sink, NULL);
	if (to_us)
		rip_update_touch(ifc);
}

void rip_update_abort(struct rip_iface *ifc)
{
	if (ifc->update)
		complete(ifc, ERROR_CAN_NOT_COMPLETE);
}
