/* SPDX-License-Identifier: ISC */
/*
 * rip_neighbor.c — the routers RIP has heard (RFC 1724 rip2PeerTable): one record per source
 * address and interface, with the version last seen, when, and what was wrong with its packets.
 *
 *   first packet ──► down (never heard) ── a packet passes the checks ──► up
 *   up ── silent for the interface's timeout ──► down ── heard ──► up
 *   down for the interface's garbage time ──► forgotten (a sender whose packets all fail the
 *   checks is never up, and goes after the garbage time)
 *   On a demand circuit (RFC 2091) silence is normal: a neighbor is down while the circuit has
 *   given it up (no acknowledgement after its retries), or while the interface is not running.
 * One timer per instance, armed for the earliest change. The RFC 4822 sequence state lives in
 * rip_auth_replay.c and survives a forgotten row.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <event2/event.h>

#include "routprotd/clock.h"
#include "routprotd/prefix.h"
#include "rip/rip.h"

#define RIP_MAX_NEIGHBORS 4096 /* records kept; beyond that new senders are not tracked */
#define NEIGHBOR_RECHECK_MS 5000 /* demand circuits and idle interfaces change without a clock */

static void schedule_neighbor(struct rip *rip, const struct rip_neighbor *nb);

static int neighbor_cmp(const struct rp_avl_node *a, const struct rp_avl_node *b)
{
	const struct rip_neighbor *x = rp_avl_entry(a, struct rip_neighbor, node);
	const struct rip_neighbor *y = rp_avl_entry(b, struct rip_neighbor, node);

	if (x->address != y->address)
		return x->address < y->address ? -1 : 1;
	if (x->ifindex != y->ifindex)
		return x->ifindex < y->ifindex ? -1 : 1;
	return 0;
}

void rip_neighbor_init(struct rip *rip)
{
	rp_avl_init(&rip->neighbors, neighbor_cmp);
}

struct rip_neighbor *rip_neighbor_find(const struct rip *rip, uint32_t addr, uint32_t ifindex)
{
	struct rip_neighbor key = { .address = addr, .ifindex = ifindex };
	struct rp_avl_node *n = rp_avl_find(&rip->neighbors, &key.node);

	return n ? rp_avl_entry(n, struct rip_neighbor, node) : NULL;
}

struct rip_neighbor *rip_neighbor_get(struct rip *rip, uint32_t addr, uint32_t ifindex)
{
	struct rip_neighbor *nb = rip_neighbor_find(rip, addr, ifindex);

	if (!nb) {
		if (rip->neighbors.count >= RIP_MAX_NEIGHBORS)
			return NULL;
		nb = calloc(1, sizeof(*nb));
		if (!nb)
			return NULL;
		nb->address = addr;
		nb->ifindex = ifindex;
		nb->down = true; /* until a packet of it passes the checks */
		nb->down_since_ms = rp_clock_now_ms();
		rp_avl_insert(&rip->neighbors, &nb->node);
		schedule_neighbor(rip, nb);
	}
	return nb;
}

const char *rip_neighbor_state_name(const struct rip_neighbor *nb)
{
	return nb->down ? "down" : "up";
}

static void scan(evutil_socket_t fd, short what, void *arg)
{
	rip_neighbor_scan_now(arg);
}

static void schedule(struct rip *rip, int64_t at_ms)
{
	int64_t now = rp_clock_now_ms(), delay = at_ms > now ? at_ms - now : 0;
	struct timeval tv = { .tv_sec = delay / 1000, .tv_usec = (delay % 1000) * 1000 };

	if (at_ms <= 0 || (rip->nbr_scan_at_ms && rip->nbr_scan_at_ms <= at_ms))
		return;
	if (!rip->nbr_timer)
		rip->nbr_timer = evtimer_new(rip->sup.base, scan, rip);
	if (!rip->nbr_timer || evtimer_add(rip->nbr_timer, &tv) != 0) {
		rp_log_rl(&rip->rl_send, RP_LOG_ERROR, COMP, "cannot arm the neighbor timer");
		return;
	}
	rip->nbr_scan_at_ms = at_ms;
}

/* Why the neighbor is down as of now (NULL: it is up); *next: when that may change next
 * (0: only on an event). */
static const char *down_reason(const struct rip_iface *ifc, const struct rip_neighbor *nb,
			       int64_t now, int64_t *next)
{
	int64_t deadline = nb->last_heard_ms + (int64_t)ifc->set->timers.timeout * 1000;

	*next = 0;
	if (nb->last_heard_ms == 0)
		return "never heard";
	if (!ifc->active)
		return "interface not running";
	if (ifc->set->mode == RIP_MODE_DEMAND)
		return rip_demand_peer_unreachable(ifc) ? "the demand circuit gave it up" : NULL;
	if (now < deadline) {
		*next = deadline;
		return NULL;
	}
	return "silent for the timeout";
}

static void log_change(const struct rip *rip, const struct rip_neighbor *nb, const char *what)
{
	const struct rip_iface *ifc = rip_iface_find(rip, nb->ifindex);
	char a[RP_ADDR4_STRLEN];

	rp_log_info(COMP, "neighbor %s on %s %s", rp_addr4_format(nb->address, a),
		 ifc ? ifc->name : "?", what);
}

/* One neighbor as of now: down, up or gone (true: freed). *next: its next deadline. */
static bool scan_one(struct rip *rip, struct rip_neighbor *nb, int64_t now, int64_t *next)
{
	const struct rip_iface *ifc = rip_iface_find(rip, nb->ifindex);
	const char *why = NULL;
	char what[64];
	int64_t garbage;

	*next = 0;
	if (ifc)
		why = down_reason(ifc, nb, now, next);
	if (!why) {
		if (ifc && nb->down) {
			nb->down = false;
			log_change(rip, nb, "is up");
		}
		return false;
	}
	if (!nb->down) {
		nb->down = true;
		nb->down_since_ms = now;
		snprintf(what, sizeof(what), "is down (%s)", why);
		log_change(rip, nb, what);
	}
	garbage = nb->down_since_ms + (int64_t)ifc->set->timers.garbage * 1000;
	if (now < garbage) {
		if (!*next || garbage < *next)
			*next = garbage;
		return false;
	}
	log_change(rip, nb, "forgotten");
	rp_avl_remove(&rip->neighbors, &nb->node);
	free(nb);
	return true;
}

void rip_neighbor_scan_now(struct rip *rip)
{
	int64_t now = rp_clock_now_ms(), earliest = 0;
	struct rp_avl_node *n = rp_avl_first(&rip->neighbors);

	rip->nbr_scan_at_ms = 0;
	while (n) {
		struct rip_neighbor *nb = rp_avl_entry(n, struct rip_neighbor, node);
		int64_t next;

		n = rp_avl_next(n);
		if (scan_one(rip, nb, now, &next))
			continue;
		if (!next)
			next = now + NEIGHBOR_RECHECK_MS;
		if (!earliest || next < earliest)
			earliest = next;
	}
	if (earliest)
		schedule(rip, earliest);
}

/* Arm the timer for the neighbor's next possible change. */
static void schedule_neighbor(struct rip *rip, const struct rip_neighbor *nb)
{
	const struct rip_iface *ifc = rip_iface_find(rip, nb->ifindex);
	const struct rip_timers *t;

	if (!ifc)
		return;
	t = &ifc->set->timers;
	if (nb->down)
		schedule(rip, nb->down_since_ms + (int64_t)t->garbage * 1000);
	else if (ifc->set->mode == RIP_MODE_DEMAND)
		schedule(rip, nb->last_heard_ms + NEIGHBOR_RECHECK_MS);
	else
		schedule(rip, nb->last_heard_ms + (int64_t)t->timeout * 1000);
}

void rip_neighbor_heard(struct rip *rip, struct rip_neighbor *nb)
{
	if (!nb)
		return;
	nb->last_heard_ms = rp_clock_now_ms();
	if (nb->down) {
		nb->down = false;
		log_change(rip, nb, "is up");
	}
	schedule_neighbor(rip, nb);
}

void rip_neighbor_free_all(struct rip *rip)
{
	struct rp_avl_node *n = rp_avl_first(&rip->neighbors);

	if (rip->nbr_timer)
		event_free(rip->nbr_timer);
	rip->nbr_timer = NULL;
	rip->nbr_scan_at_ms = 0;

	while (n) {
		struct rip_neighbor *nb = rp_avl_entry(n, struct rip_neighbor, node);

		n = rp_avl_next(n);
		rp_avl_remove(&rip->neighbors, &nb->node);
		free(nb);
	}
}

/* Forget the neighbors of an interface that goes away. */
void rip_neighbor_forget_iface(struct rip *rip, uint32_t ifindex)
{
	struct rp_avl_node *n = rp_avl_first(&rip->neighbors);

	while (n) {
		struct rip_neighbor *nb = rp_avl_entry(n, struct rip_neighbor, node);

		n = rp_avl_next(n);
		if (nb->ifindex != ifindex)
			continue;
		rp_avl_remove(&rip->neighbors, &nb->node);
		free(nb);
	}
}
