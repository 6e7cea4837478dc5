/* SPDX-License-Identifier: ISC */
/*
 * rip_proto.c — RIP behind the callback table: the rp_protocol entry points the router manager
 * calls (start/stop, interfaces and their status, configuration, events, MIB). Everything the
 * engine does is driven from here or from its own socket and timers.
 *
 * Interface model: AddInterface creates it inactive; the `active` flag of every InterfaceStatus
 * (enabled, media present, bound) starts or stops it; ADDRESS_CHANGE replaces its binding.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <event2/event.h>

#include "routprotd/clock.h"
#include "rip/rip.h"

uint32_t rip_random(struct rip *rip, uint32_t below)
{
	uint64_t x = rip->rng;

	if (below == 0)
		return 0;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rip->rng = x;
	return (uint32_t)(x % below);
}

static void seed(struct rip *rip)
{
	if (getrandom(&rip->rng, sizeof(rip->rng), GRND_NONBLOCK) != sizeof(rip->rng))
		rip->rng = (uint64_t)rp_clock_wall_ms() * 0x9e3779b97f4a7c15ull;
	if (rip->rng == 0)
		rip->rng = 0x2545f4914f6cdd1dull;
}

static void rip_free(struct rip *rip)
{
	for (struct rip_iface *ifc = rip->ifaces; ifc; ifc = ifc->next)
		if (ifc->active)
			rip_demand_down(ifc, true);
	while (rip->ifaces) {
		struct rip_iface *next = rip->ifaces->next;

		rip_iface_free(rip->ifaces);
		rip->ifaces = next;
	}
	rip_table_free(rip);
	rip_neighbor_free_all(rip);
	rip_auth_peers_free(rip);
	rp_event_queue_clear(&rip->events);
	if (rip->trigger_ev)
		event_free(rip->trigger_ev);
	rip_sock_close(rip);
	free(rip);
}

static enum rp_result rip_start(const struct rp_support *support, const void *global,
				void **instance)
{
	struct rip *rip = calloc(1, sizeof(*rip));
	char err[160];

	if (!rip)
		return ERROR_CAN_NOT_COMPLETE;
	rip->sup = *support;
	rip->sock = -1;
	rip->send = rip_sock_send;
	if (global)
		rip->set = *(const struct rip_settings *)global;
	else
		rip_settings_default(&rip->set);
	rip->rl_drop = (struct rp_log_ratelimit)RP_LOG_RATELIMIT_INIT(10, 10000);
	rip->rl_entry = (struct rp_log_ratelimit)RP_LOG_RATELIMIT_INIT(10, 10000);
	rip->rl_send = (struct rp_log_ratelimit)RP_LOG_RATELIMIT_INIT(5, 10000);
	seed(rip);
	rp_event_queue_init(&rip->events);
	rip_table_init(rip);
	rip_neighbor_init(rip);
	rip_auth_peers_init(rip);
	if (!rip->scan_timer || rip_trigger_init(rip) != 0 ||
	    rip_sock_open(rip, err, sizeof(err)) != 0) {
		rp_log_error(COMP, "cannot start: %s", rip->scan_timer ? err : "out of memory");
		rip_free(rip);
		return ERROR_CAN_NOT_COMPLETE;
	}
	rip_redist_apply(rip);
	*instance = rip;
	return NO_ERROR;
}

static enum rp_result rip_start_complete(void *inst)
{
	struct rip *rip = inst;

	rip->started = true;
	for (struct rip_iface *ifc = rip->ifaces; ifc; ifc = ifc->next)
		rip_iface_start(ifc, true);
	return NO_ERROR;
}

static enum rp_result rip_stop(void *inst)
{
	rip_free(inst);
	return NO_ERROR;
}

static enum rp_result rip_get_global(void *inst, const void **info)
{
	*info = &((struct rip *)inst)->set;
	return NO_ERROR;
}

static enum rp_result rip_set_global(void *inst, const void *info)
{
	struct rip *rip = inst;
	const struct rip_settings *s = info;
	struct rip_settings old = rip->set;

	rip->set = *s;
	if (old.redistribute != s->redistribute)
		rip_redist_apply(rip);
	if (old.redistribute_metric != s->redistribute_metric ||
	    old.redistribute_tag != s->redistribute_tag ||
	    !rip_redist_settings_equal(&old, s))
		rip_redist_refresh(rip);
	if (old.receive_buffer != s->receive_buffer)
		rip_sock_set_rcvbuf(rip);
	return NO_ERROR;
}

static enum rp_result rip_add_interface(void *inst, const char *name, uint32_t index,
					enum rp_interface_type type, const void *info)
{
	struct rip *rip = inst;
	struct rip_iface *ifc;
	struct rip_if_settings defaults;

	if (rip_iface_find(rip, index))
		return ERROR_INVALID_PARAMETER;
	if (!info) {
		rip_if_settings_default(&defaults, &rip->set);
		info = &defaults;
	}
	ifc = rip_iface_new(rip, name, index, info);
	if (!ifc)
		return ERROR_CAN_NOT_COMPLETE;
	ifc->next = rip->ifaces;
	rip->ifaces = ifc;
	return NO_ERROR;
}

static enum rp_result rip_delete_interface(void *inst, uint32_t index)
{
	struct rip *rip = inst;

	for (struct rip_iface **pp = &rip->ifaces; *pp; pp = &(*pp)->next) {
		struct rip_iface *ifc = *pp;

		if (ifc->ifindex != index)
			continue;
		rip_iface_set_active(ifc, false);
		rip_sock_membership(rip, index, false);
		rip_neighbor_forget_iface(rip, index);
		*pp = ifc->next;
		rip_iface_free(ifc);
		return NO_ERROR;
	}
	return ERROR_INVALID_PARAMETER;
}

static enum rp_result rip_interface_status(void *inst, uint32_t index, bool active,
					   enum rp_status_type type,
					   const struct rp_binding *binding)
{
	struct rip *rip = inst;
	struct rip_iface *ifc = rip_iface_find(rip, index);

	if (!ifc)
		return ERROR_INVALID_PARAMETER;
	/* Going out of service first (so that losing the last address is no new connection),
	 * then the new binding, then coming into service with it. */
	if (!active)
		rip_iface_set_active(ifc, false);
	if (type == RIS_INTERFACE_ADDRESS_CHANGE)
		rip_iface_set_binding(ifc, binding);
	if (active && !ifc->active)
		rip_sock_membership(rip, index, true);
	rip_iface_set_active(ifc, active);
	return NO_ERROR;
}

static enum rp_result rip_get_interface(void *inst, uint32_t index, const void **info)
{
	struct rip_iface *ifc = rip_iface_find(inst, index);

	if (!ifc)
		return ERROR_INVALID_PARAMETER;
	*info = ifc->set;
	return NO_ERROR;
}

/* Settings that change what the interface is (its mode, what it sends and accepts) need a
 * restart; the others (cost, timers, neighbors, split horizon) apply in place. */
static bool needs_restart(const struct rip_if_settings *a, const struct rip_if_settings *b)
{
	return a->mode != b->mode || a->passive != b->passive || a->version != b->version;
}

static enum rp_result rip_set_interface(void *inst, uint32_t index, const void *info)
{
	struct rip_iface *ifc = rip_iface_find(inst, index);
	struct rip_if_settings *copy, *old;
	bool restart, was_active;

	if (!ifc)
		return ERROR_INVALID_PARAMETER;
	copy = rip_if_settings_copy(info);
	if (!copy)
		return ERROR_CAN_NOT_COMPLETE;
	restart = needs_restart(ifc->set, copy);
	was_active = ifc->active;
	if (restart)
		rip_iface_set_active(ifc, false);
	old = ifc->set;
	ifc->set = copy;
	if (copy->mode != RIP_MODE_DEMAND)
		rip_demand_free(ifc);
	else if (!rip_demand_create(ifc))
		rp_log_error(COMP, "%s: out of memory for the demand circuit", ifc->name);
	if (restart) {
		rip_iface_set_active(ifc, was_active);
	} else {
		rip_policy_changed(ifc, old);
		rip_iface_settings_changed(ifc);
	}
	rip_if_settings_free(old);
	return NO_ERROR;
}

static enum rp_result rip_update_routes(void *inst, uint32_t index, unsigned timeout_s)
{
	struct rip_iface *ifc = rip_iface_find(inst, index);

	return ifc ? rip_update_start(ifc, timeout_s) : ERROR_INVALID_PARAMETER;
}

static enum rp_result rip_get_event(void *inst, enum rp_event_type *type, union rp_message *msg)
{
	return rp_event_queue_pop(&((struct rip *)inst)->events, type, msg);
}

const struct rp_protocol rip_protocol = {
	RP_PROTOCOL_HEADER,
	.protocol_id = 189, /* RTPROT_RIP */
	.flags = RF_ROUTING | RF_DEMAND_UPDATE_ROUTES,
	.preference = 120, /* the usual administrative distance of RIP */
	.name = "rip",
	.config = &rip_config_ops,
	.start_protocol = rip_start,
	.start_complete = rip_start_complete,
	.stop_protocol = rip_stop,
	.get_global_info = rip_get_global,
	.set_global_info = rip_set_global,
	.add_interface = rip_add_interface,
	.delete_interface = rip_delete_interface,
	.interface_status = rip_interface_status,
	.get_interface_info = rip_get_interface,
	.set_interface_info = rip_set_interface,
	.get_event_message = rip_get_event,
	.do_update_routes = rip_update_routes,
	.mib_get = rip_mib_get,
	.mib_get_first = rip_mib_get_first,
	.mib_get_next = rip_mib_get_next,
	.mib_route_reachable = rip_mib_route_reachable,
};
