/* SPDX-License-Identifier: ISC */
/*
 * rm.c — the router manager instance: the protocol slots and the support functions handed to
 * each protocol (SUPPORT_FUNCTIONS), draining of protocol event queues (GetEventMessage until
 * ERROR_NO_MORE_ITEMS), the history record, router id, and the graceful stop.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "conf/conf.h"
#include "core/rm_internal.h"
#include "routprotd/clock.h"
#include "routprotd/log.h"

#define COMP "rm"

void rm_record(struct rm *rm, const char *type, const struct rm_iface *ifc,
	       const struct rm_proto *p, enum rp_result result)
{
	struct rm_history_entry e = {
		.wall_ms = rp_clock_wall_ms(), .type = type, .active = -1,
		.status = result == NO_ERROR ? NULL : rp_result_name(result),
	};

	if (p)
		memcpy(e.protocol, p->name, sizeof(e.protocol));
	if (ifc) {
		memcpy(e.ifname, ifc->name, sizeof(e.ifname));
		e.ifindex = ifc->ifindex;
	}
	rm_history_add(rm->history, &e);
}

static void record_event(struct rm *rm, struct rm_proto *p, enum rp_event_type type,
			 const union rp_message *msg)
{
	const struct rm_iface *ifc = NULL;
	struct rm_history_entry e = {
		.wall_ms = rp_clock_wall_ms(), .type = rp_event_type_name(type), .active = -1,
	};

	memcpy(e.protocol, p->name, sizeof(e.protocol));

	if (type == UPDATE_COMPLETE) {
		ifc = rm_iface_find(rm, msg->update_complete.interface_index);
		e.ifindex = msg->update_complete.interface_index;
		e.status = rp_result_name(msg->update_complete.update_status);
	} else if (type == SAVE_INTERFACE_CONFIG_INFO) {
		ifc = rm_iface_find(rm, msg->interface_index);
		e.ifindex = msg->interface_index;
	}
	if (ifc)
		memcpy(e.ifname, ifc->name, sizeof(e.ifname));
	rm_history_add(rm->history, &e);
	rp_log_info(COMP, "%s event %s%s%s%s%s", p->name, e.type, ifc ? " on " : "",
		 ifc ? ifc->name : "", e.status ? ": " : "", e.status ? e.status : "");
}

static void check_stopped(struct rm *rm);

/* A protocol finished stopping: the second stop_protocol call frees its instance. */
static void finish_stop(struct rm *rm, struct rm_proto *p)
{
	if (!p->inst)
		return;
	p->def->stop_protocol(p->inst);
	p->inst = NULL;
	p->stop_pending = false;
	rp_log_info(COMP, "%s stopped", p->name);
	check_stopped(rm);
}

static void drain_events(evutil_socket_t fd, short what, void *arg)
{
	struct rm_proto *p = arg;
	struct rm *rm = p->rm;
	enum rp_event_type type;
	union rp_message msg;

	while (p->inst && p->def->get_event_message &&
	       p->def->get_event_message(p->inst, &type, &msg) == NO_ERROR) {
		rm->counters.events++;
		p->events_drained++;
		record_event(rm, p, type, &msg);
		if (type == UPDATE_COMPLETE)
			rm_autostatic_complete(rm, msg.update_complete.interface_index,
					       msg.update_complete.update_status);
		if (type == ROUTER_STOPPED && p->stop_pending) {
			finish_stop(rm, p);
			return;
		}
	}
}

/* The slot behind a host handle; NULL when it names no slot of this RM. */
static struct rm_proto *proto_of(struct rp_host *host)
{
	return host ? host->p : NULL;
}

static void support_signal_event(struct rp_host *host)
{
	struct rm_proto *p = proto_of(host);

	if (p && p->drain_ev)
		event_active(p->drain_ev, EV_READ, 0);
}

static enum rp_result support_route_add(struct rp_host *host, const struct rp_route *r)
{
	struct rm_proto *p = proto_of(host);

	if (!p || !p->inst)
		return ERROR_INVALID_PARAMETER;
	return rm_route_set(p->rm, (uint8_t)p->slot, (uint8_t)p->def->protocol_id,
			    p->preference, r);
}

static enum rp_result support_route_delete(struct rp_host *host, uint32_t prefix, uint8_t len)
{
	struct rm_proto *p = proto_of(host);

	if (!p)
		return ERROR_INVALID_PARAMETER;
	rm_route_unset(p->rm, (uint8_t)p->slot, prefix, len);
	return NO_ERROR;
}

static enum rp_result support_redistribution(struct rp_host *host, unsigned mask,
					     void (*changed)(void *, const struct rp_redist_route *,
							     bool),
					     void *ctx)
{
	struct rm_proto *p = proto_of(host);

	return p ? rm_redist_subscribe(p->rm, p->slot, mask, changed, ctx)
		 : ERROR_INVALID_PARAMETER;
}

static enum rp_result support_update_route(struct rp_host *host, uint32_t ifindex,
					   const struct rp_route *r)
{
	struct rm_proto *p = proto_of(host);

	return p ? rm_autostatic_update_route(p->rm, p->slot, ifindex, r)
		 : ERROR_INVALID_PARAMETER;
}

static uint32_t support_router_id(struct rp_host *host)
{
	struct rm_proto *p = proto_of(host);

	return p ? rm_router_id(p->rm) : 0;
}

static enum rp_result support_demand_dial(struct rp_host *host, uint32_t ifindex)
{
	struct rm_proto *p = proto_of(host);
	const char *name = p ? rm_ifname(p->rm, ifindex) : NULL;

	/* Links here are brought up by their owners (pppd, networkd); the RM cannot dial. */
	rp_log_notice(COMP, "%s asked to connect %s: links are managed outside routprotd",
		   p ? p->name : "(unknown protocol)", name ? name : "(unknown)");
	return ERROR_CAN_NOT_COMPLETE;
}

/* A slot whose protocol was retired: its module may be gone, nothing of it is called. */
static const struct rp_protocol retired = { RP_PROTOCOL_HEADER, .name = "" };

/* Give slot `p` to `def`; false when memory runs out. */
static bool init_slot(struct rm *rm, struct rm_proto *p, const struct rp_protocol *def)
{
	p->rm = rm;
	p->slot = (unsigned)(p - rm->protos);
	p->def = def;
	memset(p->name, 0, sizeof(p->name));
	memcpy(p->name, def->name, strnlen(def->name, sizeof(p->name) - 1));
	p->host.p = p;
	p->support = (struct rp_support){
		.host = &p->host, .base = rm->base,
		.signal_event = support_signal_event,
		.route_add = support_route_add,
		.route_delete = support_route_delete,
		.set_redistribution = support_redistribution,
		.update_route = support_update_route,
		.get_router_id = support_router_id,
		.demand_dial_request = support_demand_dial,
	};
	p->events_drained = 0;
	if (!p->drain_ev)
		p->drain_ev = event_new(rm->base, -1, 0, drain_events, p);
	return p->drain_ev != NULL;
}

static struct rm_proto *slot_of(struct rm *rm, const struct rp_protocol *def)
{
	for (size_t i = 0; i < rm->nprotos; i++)
		if (rm->protos[i].def == def)
			return &rm->protos[i];
	return NULL;
}

bool rm_has_protocol(struct rm *rm, const struct rp_protocol *def)
{
	return slot_of(rm, def) != NULL;
}

bool rm_add_protocol(struct rm *rm, const struct rp_protocol *def, char *why, size_t len)
{
	struct rm_proto *p = slot_of(rm, &retired);

	if (!rm_protocol_acceptable(def, NULL, why, len))
		return false;
	if (!p && rm->nprotos == RM_MAX_PROTOCOLS) {
		snprintf(why, len, "protocol %s: no free slot (at most %d protocols)", def->name,
			 RM_MAX_PROTOCOLS);
		return false;
	}
	if (!p)
		p = &rm->protos[rm->nprotos++];
	if (!init_slot(rm, p, def)) {
		p->def = &retired;
		snprintf(why, len, "out of memory");
		return false;
	}
	return true;
}

bool rm_retire_protocol(struct rm *rm, const struct rp_protocol *def)
{
	struct rm_proto *p = slot_of(rm, def);

	if (!p || p->inst || (rm->conf && conf_find_protocol(rm->conf, p->name)))
		return false;
	p->def = &retired;
	memset(p->name, 0, sizeof(p->name));
	return true;
}

struct rm *rm_new(struct event_base *base, const struct rp_protocol *const *protocols,
		  size_t nprotocols)
{
	struct rm *rm;
	char why[256];

	if (nprotocols > RM_MAX_PROTOCOLS)
		return NULL;
	for (size_t i = 0; i < nprotocols; i++) {
		if (!rm_protocol_acceptable(protocols[i], NULL, why, sizeof(why))) {
			rp_log_error(COMP, "%s", why);
			return NULL;
		}
	}
	rm = calloc(1, sizeof(*rm));
	if (!rm)
		return NULL;
	rm->base = base;
	rm->history = rm_history_new(RM_HISTORY_SIZE);
	if (!rm->history)
		goto fail;
	rm_routes_init(rm);
	rm_redist_init(rm);
	if (!rm->stale_timer || !rm->audit_timer)
		goto fail;
	rm->nprotos = nprotocols;
	for (size_t i = 0; i < nprotocols; i++)
		if (!init_slot(rm, &rm->protos[i], protocols[i]))
			goto fail;
	rm->start_wall_ms = rp_clock_wall_ms();
	rm->start_mono_ms = rp_clock_now_ms();
	return rm;
fail:
	rm_free(rm);
	return NULL;
}

/* Stop and free every instance now, pending or not. */
static void stop_all_now(struct rm *rm)
{
	for (size_t i = 0; i < rm->nprotos; i++) {
		struct rm_proto *p = &rm->protos[i];

		if (!p->inst)
			continue;
		if (p->def->stop_protocol(p->inst) == ERROR_PROTOCOL_STOP_PENDING)
			p->def->stop_protocol(p->inst);
		p->inst = NULL;
		p->stop_pending = false;
	}
}

void rm_free(struct rm *rm)
{
	if (!rm)
		return;
	stop_all_now(rm);
	rm_routes_release(rm, rm->conf && !rm->conf->fib_retain_on_stop);
	rm_routes_free(rm);
	rm_redist_free(rm);
	rm_autostatic_free(rm);
	for (size_t i = 0; i < rm->nprotos; i++)
		if (rm->protos[i].drain_ev)
			event_free(rm->protos[i].drain_ev);
	if (rm->stop_timer)
		event_free(rm->stop_timer);
	rm_iface_free_all(rm);
	rm_history_free(rm->history);
	conf_free(rm->conf);
	free(rm);
}

static void check_stopped(struct rm *rm)
{
	void (*done)(void *) = rm->stop_done;

	if (!done)
		return;
	for (size_t i = 0; i < rm->nprotos; i++)
		if (rm->protos[i].inst)
			return;
	rm->stop_done = NULL;
	if (rm->stop_timer)
		evtimer_del(rm->stop_timer);
	done(rm->stop_done_arg);
}

static void stop_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct rm *rm = arg;

	for (size_t i = 0; i < rm->nprotos; i++) {
		if (rm->protos[i].inst) {
			rp_log_warning(COMP, "%s did not stop in time, forcing it",
				    rm->protos[i].name);
			finish_stop(rm, &rm->protos[i]);
		}
	}
	check_stopped(rm);
}

void rm_stop(struct rm *rm, unsigned timeout_ms, void (*done)(void *arg), void *arg)
{
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };

	rm->stop_done = done;
	rm->stop_done_arg = arg;
	rm_autostatic_fail_waiters(rm);
	for (size_t i = 0; i < rm->nprotos; i++) {
		struct rm_proto *p = &rm->protos[i];
		enum rp_result r;

		if (!p->inst || p->stop_pending)
			continue;
		rm_record(rm, "STOP_PROTOCOL", NULL, p, NO_ERROR);
		r = p->def->stop_protocol(p->inst);
		if (r == ERROR_PROTOCOL_STOP_PENDING) {
			p->stop_pending = true;
			continue;
		}
		p->inst = NULL;
		rp_log_info(COMP, "%s stopped", p->name);
	}
	if (!rm->stop_timer)
		rm->stop_timer = evtimer_new(rm->base, stop_timeout, rm);
	if (rm->stop_timer)
		evtimer_add(rm->stop_timer, &tv);
	check_stopped(rm);
}

uint32_t rm_router_id(const struct rm *rm)
{
	uint32_t best = 0;

	if (rm->conf && rm->conf->router_id_set)
		return rm->conf->router_id;
	for (size_t i = 0; i < rm->nifaces; i++) {
		const struct rm_iface *ifc = rm->ifaces[i];

		for (unsigned a = 0; a < ifc->naddrs; a++) {
			uint32_t addr = ifc->addrs[a].address;

			if ((addr >> 24) != 127 && addr > best)
				best = addr;
		}
	}
	return best;
}

void rm_set_status_hook(struct rm *rm, void (*hook)(json_t *, void *), void *arg)
{
	rm->status_hook = hook;
	rm->status_hook_arg = arg;
}

const struct conf *rm_config(const struct rm *rm)
{
	return rm->conf;
}
