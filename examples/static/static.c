/* SPDX-License-Identifier: ISC */
/*
 * static.c — the lifecycle of the example `static` protocol: its registration, the instance,
 * interfaces coming and going, and the announcement of their routes through the support
 * functions. The module's one exported symbol, rp_module_register, is at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <routprotd/log.h>
#include <routprotd/prefix.h>

#include "static.h"

static struct static_iface *find_iface(const struct static_proto *s, uint32_t ifindex)
{
	for (struct static_iface *i = s->ifaces; i; i = i->next)
		if (i->ifindex == ifindex)
			return i;
	return NULL;
}

static const struct rp_route *find_route(const struct static_iface *i, uint32_t prefix,
					 uint8_t len)
{
	for (size_t k = 0; k < i->conf.count; k++)
		if (i->conf.routes[k].prefix == prefix && i->conf.routes[k].prefixlen == len)
			return &i->conf.routes[k];
	return NULL;
}

/* The route announced for a prefix: that of the active interface of lowest ifindex. */
static const struct rp_route *owner(const struct static_proto *s, uint32_t prefix, uint8_t len,
				    const struct static_iface **by)
{
	const struct rp_route *best = NULL;

	for (const struct static_iface *i = s->ifaces; i; i = i->next) {
		const struct rp_route *r = i->active ? find_route(i, prefix, len) : NULL;

		if (r && (!best || i->ifindex < (*by)->ifindex)) {
			best = r;
			*by = i;
		}
	}
	return best;
}

bool static_route_announced(const struct static_proto *s, const struct static_iface *i,
			    const struct rp_route *route)
{
	const struct static_iface *by = NULL;

	return owner(s, route->prefix, route->prefixlen, &by) != NULL && by == i;
}

/* Tell the RM what the configuration now says for one prefix: announce or withdraw it. */
static void sync_prefix(struct static_proto *s, uint32_t prefix, uint8_t len)
{
	const struct static_iface *by = NULL;
	const struct rp_route *r = owner(s, prefix, len, &by);
	char p[RP_PREFIX4_STRLEN];
	enum rp_result res;

	rp_prefix4_format(prefix, len, p);
	if (r) {
		res = s->support.route_add(s->support.host, r);
		s->announcements++;
		rp_log_info(STATIC_COMP, "%s via %s: announced%s%s", p, by->name,
			    res == NO_ERROR ? "" : ", refused: ",
			    res == NO_ERROR ? "" : rp_result_name(res));
	} else {
		s->support.route_delete(s->support.host, prefix, len);
		s->withdrawals++;
		rp_log_info(STATIC_COMP, "%s: withdrawn", p);
	}
}

static void sync_iface(struct static_proto *s, const struct static_iface *i)
{
	for (size_t k = 0; k < i->conf.count; k++)
		sync_prefix(s, i->conf.routes[k].prefix, i->conf.routes[k].prefixlen);
}

/* Take a copy of an interface blob (valid only during the call that passes it). */
static bool copy_conf(struct static_iface *i, const struct static_ifconf *c)
{
	struct rp_route *routes = calloc(c && c->count ? c->count : 1, sizeof(*routes));

	if (!routes)
		return false;
	free(i->conf.routes);
	i->conf.routes = routes;
	i->conf.count = c ? c->count : 0;
	for (size_t k = 0; k < i->conf.count; k++) {
		routes[k] = c->routes[k];
		routes[k].nexthops[0].ifindex = i->ifindex;
	}
	return true;
}

static enum rp_result static_start(const struct rp_support *support, const void *global,
				   void **instance)
{
	struct static_proto *s = calloc(1, sizeof(*s));

	(void)global; /* its only key, the default metric, is applied by the parser */
	if (!s)
		return ERROR_CAN_NOT_COMPLETE;
	s->support = *support;
	*instance = s;
	return NO_ERROR;
}

/* The RM withdraws every route of a stopped protocol itself: only memory to free here. */
static enum rp_result static_stop(void *inst)
{
	struct static_proto *s = inst;

	while (s->ifaces) {
		struct static_iface *next = s->ifaces->next;

		free(s->ifaces->conf.routes);
		free(s->ifaces);
		s->ifaces = next;
	}
	free(s);
	return NO_ERROR;
}

static enum rp_result static_set_global(void *inst, const void *global)
{
	(void)inst;
	(void)global; /* a new default metric arrives as new interface blobs */
	return NO_ERROR;
}

static enum rp_result static_add_interface(void *inst, const char *name, uint32_t index,
					   enum rp_interface_type type, const void *if_info)
{
	struct static_proto *s = inst;
	struct static_iface *i;

	(void)type;
	if (find_iface(s, index))
		return ERROR_INVALID_PARAMETER;
	i = calloc(1, sizeof(*i));
	if (!i)
		return ERROR_CAN_NOT_COMPLETE;
	i->ifindex = index;
	snprintf(i->name, sizeof(i->name), "%s", name);
	if (!copy_conf(i, if_info)) {
		free(i);
		return ERROR_CAN_NOT_COMPLETE;
	}
	i->next = s->ifaces;
	s->ifaces = i;
	return NO_ERROR; /* added inactive: interface_status says when it can be used */
}

static enum rp_result static_delete_interface(void *inst, uint32_t index)
{
	struct static_proto *s = inst;

	for (struct static_iface **pp = &s->ifaces; *pp; pp = &(*pp)->next) {
		struct static_iface *i = *pp;

		if (i->ifindex != index)
			continue;
		*pp = i->next;
		if (i->active)
			sync_iface(s, i); /* i is off the list: its routes go (or move) */
		free(i->conf.routes);
		free(i);
		return NO_ERROR;
	}
	return ERROR_INVALID_PARAMETER;
}

static enum rp_result static_interface_status(void *inst, uint32_t index, bool active,
					      enum rp_status_type type,
					      const struct rp_binding *binding)
{
	struct static_proto *s = inst;
	struct static_iface *i = find_iface(s, index);

	(void)type;
	(void)binding;
	if (!i)
		return ERROR_INVALID_PARAMETER;
	if (i->active == active)
		return NO_ERROR;
	i->active = active;
	rp_log_info(STATIC_COMP, "%s %s", i->name, active ? "active" : "inactive");
	sync_iface(s, i);
	return NO_ERROR;
}

/* New routes for an interface: each prefix it had or has now is announced, replaced or
 * withdrawn once (an unchanged route is announced again as it is: a no-op for the RM). */
static enum rp_result static_set_interface(void *inst, uint32_t index, const void *if_info)
{
	struct static_proto *s = inst;
	struct static_iface *i = find_iface(s, index);
	struct static_ifconf old;

	if (!i)
		return ERROR_INVALID_PARAMETER;
	old = i->conf;
	i->conf = (struct static_ifconf){ 0 };
	if (!copy_conf(i, if_info)) {
		i->conf = old;
		return ERROR_CAN_NOT_COMPLETE;
	}
	if (i->active) {
		for (size_t k = 0; k < old.count; k++)
			if (!find_route(i, old.routes[k].prefix, old.routes[k].prefixlen))
				sync_prefix(s, old.routes[k].prefix, old.routes[k].prefixlen);
		sync_iface(s, i);
	}
	free(old.routes);
	return NO_ERROR;
}

static const struct rp_protocol static_protocol = {
	RP_PROTOCOL_HEADER,
	.name = "static",
	.protocol_id = STATIC_PROTO,
	.flags = RF_ROUTING,
	.preference = STATIC_PREFERENCE,
	.config = &static_config_ops,
	.start_protocol = static_start,
	.stop_protocol = static_stop,
	.set_global_info = static_set_global,
	.add_interface = static_add_interface,
	.delete_interface = static_delete_interface,
	.interface_status = static_interface_status,
	.set_interface_info = static_set_interface,
	.mib_get = static_mib_get,
	.mib_get_first = static_mib_get_first,
	.mib_get_next = static_mib_get_next,
};

/* The module's only exported symbol. */
__attribute__((visibility("default"))) const struct rp_protocol *rp_module_register(void)
{
	return &static_protocol;
}
