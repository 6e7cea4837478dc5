/* SPDX-License-Identifier: ISC */
/*
 * rm_config.c — applying a configuration to the running router manager. The first application
 * starts every configured protocol (StartProtocol, AddInterface + current statuses for each
 * present interface it names, then StartComplete). A reload applies only the difference:
 * protocols that appear are started, those that disappear are stopped, a changed global section
 * becomes SetGlobalInfo, and per interface: newly listed → AddInterface, no longer listed →
 * DISABLED + DeleteInterface, changed → SetInterfaceInfo, unchanged → nothing at all.
 */
#include "config.h"

#include <string.h>

#include "conf/conf.h"
#include "core/rm_internal.h"
#include "routprotd/log.h"

#define COMP "rm"

static const struct conf_protocol *proto_conf(const struct conf *c, const struct rm_proto *p)
{
	return c ? conf_find_protocol(c, p->name) : NULL;
}

const struct conf_interface *rm_configured_interface(const struct rm *rm,
						     const struct rm_proto *p, const char *name)
{
	const struct conf_protocol *cp = proto_conf(rm->conf, p);

	return cp ? conf_find_interface(cp, name) : NULL;
}

/* The section's preference, else the protocol's own, else the default. */
static uint16_t preference_of(const struct rm_proto *p, const struct conf_protocol *cp)
{
	if (cp->preference)
		return (uint16_t)cp->preference;
	return p->def->preference ? p->def->preference : RP_PREFERENCE_DEFAULT;
}

static void apply_preference(struct rm *rm, struct rm_proto *p, const struct conf_protocol *cp)
{
	uint16_t pref = preference_of(p, cp);

	if (pref == p->preference)
		return;
	rp_log_info(COMP, "%s: preference %u", p->name, (unsigned)pref);
	p->preference = pref;
	rm_routes_set_preference(rm, (uint8_t)p->slot, pref);
}

static bool start_protocol(struct rm *rm, struct rm_proto *p, const struct conf_protocol *cp)
{
	enum rp_result r;

	p->preference = preference_of(p, cp);
	r = p->def->start_protocol(&p->support, cp->global, &p->inst);

	rm->counters.callbacks++;
	rm_record(rm, "START_PROTOCOL", NULL, p, r);
	if (r != NO_ERROR || !p->inst) {
		rp_log_error(COMP, "%s failed to start: %s", p->name, rp_result_name(r));
		p->inst = NULL;
		return false;
	}
	rp_log_info(COMP, "%s started", p->name);
	return true;
}

static void add_configured_interfaces(struct rm *rm, struct rm_proto *p,
				      const struct conf_protocol *cp)
{
	for (size_t i = 0; i < rm->nifaces; i++) {
		struct rm_iface *ifc = rm->ifaces[i];
		const struct conf_interface *ci = conf_find_interface(cp, ifc->name);

		if (ci && !(ifc->added_mask & (1u << p->slot)))
			rm_iface_attach(rm, ifc, p, ci);
	}
}

static void start_complete(struct rm *rm, struct rm_proto *p)
{
	enum rp_result r = p->def->start_complete ? p->def->start_complete(p->inst) : NO_ERROR;

	rm->counters.callbacks++;
	rm_record(rm, "START_COMPLETE", NULL, p, r);
}

static void stop_protocol(struct rm *rm, struct rm_proto *p)
{
	enum rp_result r;

	for (size_t i = 0; i < rm->nifaces; i++)
		rm_iface_detach(rm, rm->ifaces[i], p);
	rm_record(rm, "STOP_PROTOCOL", NULL, p, NO_ERROR);
	r = p->def->stop_protocol(p->inst);
	if (r == ERROR_PROTOCOL_STOP_PENDING) /* a reload cannot wait: finish at once */
		p->def->stop_protocol(p->inst);
	p->inst = NULL;
	rm->subs[p->slot] = (struct rm_subscriber){ 0 };
	rm_routes_drop_source(rm, (uint8_t)p->slot);
	rp_log_info(COMP, "%s stopped (no longer configured)", p->name);
}

static void reconfigure_interfaces(struct rm *rm, struct rm_proto *p,
				   const struct conf_protocol *oldp,
				   const struct conf_protocol *newp)
{
	const struct rp_config_ops *ops = p->def->config;

	for (size_t i = 0; i < rm->nifaces; i++) {
		struct rm_iface *ifc = rm->ifaces[i];
		const struct conf_interface *was = conf_find_interface(oldp, ifc->name);
		const struct conf_interface *now = conf_find_interface(newp, ifc->name);
		bool added = ifc->added_mask & (1u << p->slot);
		enum rp_result r;

		if (added && !now) {
			rm_iface_detach(rm, ifc, p);
		} else if (!added && now) {
			rm_iface_attach(rm, ifc, p, now);
		} else if (added && was && now && ops && ops->interface_equal &&
			   !ops->interface_equal(was->info, now->info)) {
			r = p->def->set_interface_info
				    ? p->def->set_interface_info(p->inst, ifc->ifindex, now->info)
				    : ERROR_CAN_NOT_COMPLETE;
			rm->counters.callbacks++;
			rm_record(rm, "SET_INTERFACE_INFO", ifc, p, r);
			rp_log_info(COMP, "%s: new %s settings%s%s", ifc->name, p->name,
				 r == NO_ERROR ? "" : " refused: ",
				 r == NO_ERROR ? "" : rp_result_name(r));
		}
	}
}

static void reconfigure_protocol(struct rm *rm, struct rm_proto *p,
				 const struct conf_protocol *oldp,
				 const struct conf_protocol *newp)
{
	const struct rp_config_ops *ops = p->def->config;

	if (ops && ops->global_equal && !ops->global_equal(oldp->global, newp->global)) {
		enum rp_result r = p->def->set_global_info
					   ? p->def->set_global_info(p->inst, newp->global)
					   : ERROR_CAN_NOT_COMPLETE;

		rm->counters.callbacks++;
		rm_record(rm, "SET_GLOBAL_INFO", NULL, p, r);
		rp_log_info(COMP, "%s: new global settings%s%s", p->name,
			 r == NO_ERROR ? "" : " refused: ", r == NO_ERROR ? "" : rp_result_name(r));
	}
	apply_preference(rm, p, newp);
	reconfigure_interfaces(rm, p, oldp, newp);
}

static void apply_daemon_settings(const struct conf *old, const struct conf *c)
{
	rp_log_set_level(c->log_level);
	if (!old)
		return;
	if (strcmp(old->control_socket, c->control_socket) != 0)
		rp_log_warning(COMP, "control.socket changed: takes effect at the next restart");
	if (strcmp(old->state_dir, c->state_dir) != 0)
		rp_log_warning(COMP, "state-dir changed: takes effect at the next restart");
	if ((old->control_group == NULL) != (c->control_group == NULL) ||
	    (old->control_group && strcmp(old->control_group, c->control_group) != 0))
		rp_log_warning(COMP, "control.group changed: takes effect at the next restart");
	if (old->fib_stale_time != c->fib_stale_time)
		rp_log_notice(COMP, "fib.stale-time applies at start-up only");
	if (old->netlink_rcvbuf != c->netlink_rcvbuf)
		rp_log_warning(COMP, "netlink.receive-buffer changed: takes effect at the next restart");
}

bool rm_apply_config(struct rm *rm, struct conf *conf)
{
	struct conf *old = rm->conf;
	bool started[RM_MAX_PROTOCOLS] = { false };
	bool ok = true;

	apply_daemon_settings(old, conf);
	/* Switch first so that interface lookups during the changes see the new file. */
	rm->conf = conf;
	rm_routes_apply_fib_config(rm);
	for (size_t s = 0; s < rm->nprotos; s++) {
		struct rm_proto *p = &rm->protos[s];
		const struct conf_protocol *oldp = proto_conf(old, p);
		const struct conf_protocol *newp = proto_conf(conf, p);

		if (p->inst && !newp) {
			stop_protocol(rm, p);
		} else if (!p->inst && newp) {
			started[s] = start_protocol(rm, p, newp);
			ok = ok && started[s];
			if (started[s])
				add_configured_interfaces(rm, p, newp);
		} else if (p->inst && oldp && newp) {
			reconfigure_protocol(rm, p, oldp, newp);
		}
	}
	for (size_t s = 0; s < rm->nprotos; s++)
		if (started[s])
			start_complete(rm, &rm->protos[s]);
	rm->started = true;
	conf_free(old);
	return ok;
}
