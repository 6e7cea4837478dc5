/* SPDX-License-Identifier: ISC */
/*
 * rip_iface.c — RIP interfaces: their binding (addresses → connected subnets advertised by RIP),
 * their activity as the router manager reports it, and their timers: the periodic update
 * (update-interval ± up to 5 s, RFC 2453 3.8) and the triggered-update hold (random 1-5 s,
 * RFC 2453 3.10.1). Going inactive withdraws everything learned through the interface at once,
 * so the other interfaces poison it in their next triggered update.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "routprotd/clock.h"
#include "routprotd/prefix.h"
#include "rip/rip.h"

struct rip_iface *rip_iface_find(const struct rip *rip, uint32_t ifindex)
{
	for (struct rip_iface *i = rip->ifaces; i; i = i->next)
		if (i->ifindex == ifindex)
			return i;
	return NULL;
}

const struct rp_local_binding *rip_iface_subnet_of(const struct rip_iface *ifc, uint32_t addr)
{
	for (unsigned i = 0; i < ifc->naddrs; i++) {
		const struct rp_local_binding *b = &ifc->addrs[i];

		if (b->peer && b->peer == addr)
			return b;
		if (b->prefixlen < 32 && rp_prefix4_contains(b->address, b->prefixlen, addr))
			return b;
	}
	return NULL;
}

bool rip_is_own_address(const struct rip *rip, uint32_t addr)
{
	for (const struct rip_iface *i = rip->ifaces; i; i = i->next)
		for (unsigned k = 0; k < i->naddrs; k++)
			if (i->addrs[k].address == addr)
				return true;
	return false;
}

bool rip_iface_sends(const struct rip_iface *ifc)
{
	return ifc->active && ifc->set->mode == RIP_MODE_PERIODIC;
}

const char *rip_iface_mode_name(const struct rip_iface *ifc)
{
	if (ifc->set->mode == RIP_MODE_PERIODIC && ifc->set->passive)
		return "passive";
	return rip_mode_name(ifc->set->mode);
}

/* The subnet a binding entry stands for (a point-to-point peer is a host route). */
static void subnet_of(const struct rp_local_binding *b, uint32_t *prefix, uint8_t *len)
{
	if (b->peer) {
		*prefix = b->peer;
		*len = 32;
		return;
	}
	*len = b->prefixlen;
	*prefix = b->address & rp_prefix4_mask(b->prefixlen);
}

static void announce_connected(struct rip_iface *ifc, bool present)
{
	for (unsigned i = 0; i < ifc->naddrs; i++) {
		struct rip_local l = { .source = RIP_SRC_CONNECTED, .ifindex = ifc->ifindex,
				       .metric = (uint8_t)ifc->set->cost };

		subnet_of(&ifc->addrs[i], &l.prefix, &l.len);
		if ((l.prefix >> 24) == 127)
			continue;
		rip_table_set_local(ifc->rip, &l, present);
	}
}

static int64_t jittered_interval_ms(struct rip *rip, int seconds)
{
	int64_t base = (int64_t)seconds * 1000;
	int64_t jitter = base / 6 < 5000 ? base / 6 : 5000;

	return base - jitter + (int64_t)rip_random(rip, (uint32_t)(2 * jitter + 1));
}

void rip_iface_schedule_update(struct rip_iface *ifc)
{
	int64_t delay = jittered_interval_ms(ifc->rip, ifc->set->timers.update_interval);
	struct timeval tv = { .tv_sec = delay / 1000, .tv_usec = (delay % 1000) * 1000 };

	ifc->next_update_ms = rp_clock_now_ms() + delay;
	evtimer_add(ifc->update_timer, &tv);
}

static void on_update_timer(evutil_socket_t fd, short what, void *arg)
{
	struct rip_iface *ifc = arg;

	if (!rip_iface_sends(ifc))
		return;
	rip_output_full(ifc);
	rip_iface_schedule_update(ifc);
}

/* After a triggered update, further ones wait a random 1-5 s (RFC 2453 3.10.1). */
static void hold_triggers(struct rip_iface *ifc)
{
	uint32_t ms = 1000 + rip_random(ifc->rip, 4001);
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (suseconds_t)(ms % 1000) * 1000 };

	evtimer_add(ifc->trigger_timer, &tv);
}

/* The hold after a triggered update ran out: send what changed meanwhile, if anything. */
static void on_trigger_timer(evutil_socket_t fd, short what, void *arg)
{
	struct rip_iface *ifc = arg;

	if (!ifc->trigger_pending || !rip_iface_sends(ifc))
		return;
	ifc->trigger_pending = false;
	if (ifc->next_update_ms - rp_clock_now_ms() < 1000)
		return; /* the periodic update is about to carry it */
	rip_output_changes(ifc, ifc->sent_seq);
	hold_triggers(ifc);
}

/* Triggered updates for every sending interface: now, or after its hold (coalesced). */
static void on_trigger(evutil_socket_t fd, short what, void *arg)
{
	struct rip *rip = arg;

	for (struct rip_iface *ifc = rip->ifaces; ifc; ifc = ifc->next) {
		if (ifc->set->mode == RIP_MODE_DEMAND) {
			rip_demand_changes(ifc); /* reliable, no hold needed */
			continue;
		}
		if (!rip_iface_sends(ifc) || ifc->sent_seq >= rip->change_seq)
			continue;
		if (evtimer_pending(ifc->trigger_timer, NULL)) {
			ifc->trigger_pending = true;
			continue;
		}
		rip_output_changes(ifc, ifc->sent_seq);
		ifc->trigger_pending = false;
		hold_triggers(ifc);
	}
}

void rip_output_trigger(struct rip *rip)
{
	if (rip->started && rip->trigger_ev && !event_pending(rip->trigger_ev, EV_TIMEOUT, NULL))
		event_active(rip->trigger_ev, EV_TIMEOUT, 0);
}

void rip_iface_start(struct rip_iface *ifc, bool connecting)
{
	if (!ifc->rip->started || !ifc->active)
		return;
	if (ifc->set->mode == RIP_MODE_PERIODIC) {
		rip_output_request_all(ifc);
		rip_output_full(ifc);
		rip_iface_schedule_update(ifc);
	} else if (ifc->set->mode == RIP_MODE_AUTOSTATIC && ifc->set->update_on_connect &&
		   connecting && !ifc->update) {
		rip_update_start(ifc, 0);
	} else if (ifc->set->mode == RIP_MODE_DEMAND) {
		rip_demand_up(ifc);
	}
}

void rip_iface_set_active(struct rip_iface *ifc, bool active)
{
	if (ifc->active == active)
		return;
	ifc->active = active;
	if (active) {
		rp_log_info(COMP, "%s: running (%s)", ifc->name, rip_iface_mode_name(ifc));
		announce_connected(ifc, true);
		rip_iface_start(ifc, true);
		return;
	}
	rp_log_info(COMP, "%s: stopped; withdrawing routes learned through it", ifc->name);
	evtimer_del(ifc->update_timer);
	evtimer_del(ifc->trigger_timer);
	ifc->trigger_pending = false;
	rip_update_abort(ifc);
	rip_demand_down(ifc, false);
	rip_output_drop_jobs(ifc);
	announce_connected(ifc, false);
	rip_table_withdraw_iface(ifc->rip, ifc->ifindex);
}

/* Settings changed in place: subnets get the new cost, the update timer the new interval. */
void rip_iface_settings_changed(struct rip_iface *ifc)
{
	if (!ifc->active)
		return;
	announce_connected(ifc, true);
	if (rip_iface_sends(ifc) && ifc->rip->started)
		rip_iface_schedule_update(ifc);
}

/* RIP routes IPv4 only: the IPv6 part of a binding is none of its business. */
static bool same_ipv4_binding(const struct rip_iface *ifc, const struct rp_local_binding *a,
			      size_t n)
{
	if (ifc->naddrs != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ifc->addrs[i].address != a[i].address ||
		    ifc->addrs[i].prefixlen != a[i].prefixlen || ifc->addrs[i].peer != a[i].peer)
			return false;
	return true;
}

void rip_iface_set_binding(struct rip_iface *ifc, const struct rp_binding *b)
{
	struct rp_local_binding *copy = NULL;
	size_t n = b ? b->address_count : 0;

	if (same_ipv4_binding(ifc, b ? b->addresses : NULL, n))
		return; /* an IPv6 change: nothing to announce again */
	if (n > 0) {
		copy = malloc(n * sizeof(*copy));
		if (!copy) {
			rp_log_error(COMP, "%s: out of memory storing its addresses", ifc->name);
			return;
		}
		memcpy(copy, b->addresses, n * sizeof(*copy));
	}
	if (ifc->active)
		announce_connected(ifc, false);
	free(ifc->addrs);
	ifc->addrs = copy;
	ifc->naddrs = (unsigned)n;
	if (ifc->active) {
		announce_connected(ifc, true);
		rip_output_drop_jobs(ifc); /* their source addresses may be gone */
		rip_iface_start(ifc, false); /* re-announce; not a new connection */
	}
}

struct rip_iface *rip_iface_new(struct rip *rip, const char *name, uint32_t ifindex,
				const struct rip_if_settings *set)
{
	struct rip_iface *ifc = calloc(1, sizeof(*ifc));

	if (!ifc)
		return NULL;
	ifc->rip = rip;
	ifc->ifindex = ifindex;
	snprintf(ifc->name, sizeof(ifc->name), "%s", name);
	ifc->set = rip_if_settings_copy(set);
	ifc->update_timer = evtimer_new(rip->sup.base, on_update_timer, ifc);
	ifc->trigger_timer = evtimer_new(rip->sup.base, on_trigger_timer, ifc);
	if (!ifc->set || !ifc->update_timer || !ifc->trigger_timer) {
		rip_iface_free(ifc);
		return NULL;
	}
	ifc->sent_seq = rip->change_seq;
	if (!rip_demand_create(ifc)) {
		rip_iface_free(ifc);
		return NULL;
	}
	return ifc;
}

void rip_iface_free(struct rip_iface *ifc)
{
	if (!ifc)
		return;
	rip_output_drop_jobs(ifc);
	rip_update_free(ifc);
	rip_demand_free(ifc);
	if (ifc->update_timer)
		event_free(ifc->update_timer);
	if (ifc->trigger_timer)
		event_free(ifc->trigger_timer);
	if (ifc->pace_timer)
		event_free(ifc->pace_timer);
	rip_if_settings_free(ifc->set);
	free(ifc->addrs);
	free(ifc);
}

int rip_trigger_init(struct rip *rip)
{
	rip->trigger_ev = event_new(rip->sup.base, -1, 0, on_trigger, rip);
	return rip->trigger_ev ? 0 : -1;
}
