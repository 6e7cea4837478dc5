/* SPDX-License-Identifier: ISC */
/*
 * rm_json.c — the router manager's views for the control socket: `show status`,
 * `show interfaces` (with each protocol's per-interface MIB row merged in) and `show events`.
 * Keys named in INTERFACES.md are a contract; everything else is extra.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "core/rm_internal.h"
#include "routprotd/clock.h"
#include "routprotd/prefix.h"

/* A protocol's MIB row for one interface, or NULL. */
static json_t *protocol_interface_row(struct rm_proto *p, uint32_t ifindex)
{
	json_t *key, *row = NULL;

	if (!p->def->mib_get)
		return NULL;
	key = json_pack("{s:I}", "ifindex", (json_int_t)ifindex);
	if (!key)
		return NULL;
	if (p->def->mib_get(p->inst, RP_MIB_INTERFACE, key, &row) != NO_ERROR)
		row = NULL;
	json_decref(key);
	return row;
}

/* mode, active and protocols of one interface, from the protocols that have it. */
static void merge_protocol_view(struct rm *rm, const struct rm_iface *ifc, json_t *o)
{
	json_t *names = json_array();
	json_t *mode = json_null();
	bool active = false;

	for (size_t s = 0; s < rm->nprotos; s++) {
		struct rm_proto *p = &rm->protos[s];
		json_t *row;

		if (!(ifc->added_mask & (1u << s)) || !rm_proto_running(p))
			continue;
		json_array_append_new(names, json_string(p->name));
		row = protocol_interface_row(p, ifc->ifindex);
		if (!row) {
			active = active || rm_iface_active(ifc);
			continue;
		}
		if (json_is_null(mode) && json_is_string(json_object_get(row, "mode")))
			mode = json_incref(json_object_get(row, "mode"));
		active = active || json_is_true(json_object_get(row, "active"));
		json_object_set(o, p->name, row);
		json_decref(row);
	}
	json_object_set_new(o, "mode", mode);
	json_object_set_new(o, "active", json_boolean(active));
	json_object_set_new(o, "protocols", names);
}

static json_t *interface_json(struct rm *rm, const struct rm_iface *ifc)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "name", json_string(ifc->name));
	json_object_set_new(o, "ifindex", json_integer(ifc->ifindex));
	json_object_set_new(o, "enabled", json_boolean(ifc->enabled));
	json_object_set_new(o, "media_present", json_boolean(ifc->media_present));
	json_object_set_new(o, "addresses", rm_binding_addresses_json(ifc->bound, ifc->nbound));
	json_object_set_new(o, "address_flags", rm_binding_flags_json(ifc->bound, ifc->nbound));
	json_object_set_new(o, "mtu", json_integer(ifc->mtu));
	merge_protocol_view(rm, ifc, o);
	return o;
}

json_t *rm_json_interfaces(struct rm *rm)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < rm->nifaces; i++)
		json_array_append_new(arr, interface_json(rm, rm->ifaces[i]));
	return arr;
}

json_t *rm_json_events(struct rm *rm, size_t last_n)
{
	return rm_history_json(rm->history, last_n);
}

static json_t *protocol_status(struct rm *rm, struct rm_proto *p)
{
	json_t *o = json_object();
	json_t *row = NULL;
	unsigned nif = 0;

	for (size_t i = 0; i < rm->nifaces; i++)
		if (rm->ifaces[i]->added_mask & (1u << p->slot))
			nif++;
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "running", json_boolean(rm_proto_running(p)));
	json_object_set_new(o, "interfaces", json_integer(nif));
	json_object_set_new(o, "events_drained", json_integer((json_int_t)p->events_drained));
	if (p->inst)
		json_object_set_new(o, "preference", json_integer(p->preference));
	if (rm_proto_running(p) && p->def->mib_get_first &&
	    p->def->mib_get_first(p->inst, RP_MIB_GLOBAL, &row) == NO_ERROR && row)
		json_object_set_new(o, "state", row);
	return o;
}

static json_t *route_counters_json(const struct rm *rm)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
			 "routes", (json_int_t)rm->routes.count,
			 "installs", (json_int_t)rm->counters.fib_installs,
			 "removals", (json_int_t)rm->counters.fib_removals,
			 "refused", (json_int_t)rm->counters.fib_failures,
			 "deleted_by_others", (json_int_t)rm->counters.fib_external_deletes,
			 "replaced_by_others", (json_int_t)rm->counters.fib_taken_over,
			 "stale_found", (json_int_t)rm->counters.fib_stale_found,
			 "stale_removed", (json_int_t)rm->counters.fib_stale_removed,
			 "audits", (json_int_t)rm->counters.fib_audits,
			 "reinstalled", (json_int_t)rm->counters.fib_reinstalled);
}

static json_t *counters_json(const struct rm *rm)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I}",
			 "callbacks", (json_int_t)rm->counters.callbacks,
			 "events_drained", (json_int_t)rm->counters.events,
			 "link_updates", (json_int_t)rm->counters.link_updates,
			 "netlink_resyncs", (json_int_t)rm->counters.resyncs,
			 "history_total", (json_int_t)rm_history_total(rm->history));
}

json_t *rm_json_status(struct rm *rm)
{
	json_t *o = json_object();
	json_t *protos = json_array();
	char when[RP_CLOCK_ISO8601_LEN], rid[RP_ADDR4_STRLEN];

	if (!o || !protos) {
		json_decref(o);
		json_decref(protos);
		return NULL;
	}
	rp_clock_format_iso8601(rm->start_wall_ms, when);
	json_object_set_new(o, "version", json_string(PACKAGE_VERSION));
	json_object_set_new(o, "started", json_string(when));
	json_object_set_new(o, "uptime", json_integer((rp_clock_now_ms() - rm->start_mono_ms) / 1000));
	json_object_set_new(o, "router_id", json_string(rp_addr4_format(rm_router_id(rm), rid)));
	if (rm->conf)
		json_object_set_new(o, "config", json_string(rm->conf->file ? rm->conf->file : ""));
	for (size_t s = 0; s < rm->nprotos; s++)
		if (rm->protos[s].inst)
			json_array_append_new(protos, protocol_status(rm, &rm->protos[s]));
	json_object_set_new(o, "protocols", protos);
	json_object_set_new(o, "interfaces", json_integer((json_int_t)rm->nifaces));
	json_object_set_new(o, "counters", counters_json(rm));
	json_object_set_new(o, "route_table", route_counters_json(rm));
	json_object_set_new(o, "state_file", rm_json_state_file(rm));
	if (rm->status_hook)
		rm->status_hook(o, rm->status_hook_arg);
	return o;
}

static struct rm_proto *proto_by_name(struct rm *rm, const char *name)
{
	for (size_t s = 0; s < rm->nprotos; s++)
		if (strcmp(rm->protos[s].name, name) == 0 && rm_proto_running(&rm->protos[s]))
			return &rm->protos[s];
	return NULL;
}

/* Route rows: whether the kernel has the route (the RTM's own route where the RTM holds one,
 * else a kernel route of another protocol, as for connected and redistributed rows), and the
 * interface name when missing. */
static void annotate_route(struct rm *rm, json_t *row)
{
	const char *p = json_string_value(json_object_get(row, "prefix"));
	const json_t *ifx = json_object_get(row, "ifindex");
	struct rp_prefix4 pf;
	bool in_fib = false;

	if (p && rp_prefix4_parse(p, &pf, false))
		in_fib = rm_route_held(rm, pf.addr, pf.len) ? rm_route_in_fib(rm, pf.addr, pf.len)
							    : rm_kernel_has(rm, pf.addr, pf.len);
	json_object_set_new(row, "in_fib", json_boolean(in_fib));
	if (!json_object_get(row, "interface")) {
		const char *name = json_is_integer(ifx)
					   ? rm_ifname(rm, (uint32_t)json_integer_value(ifx))
					   : NULL;

		json_object_set_new(row, "interface", name ? json_string(name) : json_null());
	}
}

static json_t *route_row_of(struct rm_proto *p, uint32_t addr, uint8_t len)
{
	char text[RP_PREFIX4_STRLEN];
	json_t *key = json_pack("{s:s}", "prefix", rp_prefix4_format(addr, len, text));
	json_t *row = NULL;

	if (key && p->def->mib_get(p->inst, RP_MIB_ROUTE, key, &row) != NO_ERROR) {
		json_decref(row);
		row = NULL;
	}
	json_decref(key);
	return row;
}

/* The protocol says whether a route row is usable (RIP: below its metric infinity). */
static bool reachable(const struct rm_proto *p, const json_t *row)
{
	return !p->def->mib_route_reachable || p->def->mib_route_reachable(p->inst, row);
}

bool rm_protocol_route(struct rm *rm, const char *protocol, uint32_t addr, uint8_t len,
		       bool exact, json_t **row)
{
	struct rm_proto *p = proto_by_name(rm, protocol);

	*row = NULL;
	if (!p || !p->def->mib_get)
		return false;
	if (exact) {
		*row = route_row_of(p, addr, len);
	} else {
		for (int l = len; l >= 0 && !*row; l--) {
			*row = route_row_of(p, addr & rp_prefix4_mask((unsigned)l), (uint8_t)l);
			if (*row && !reachable(p, *row)) {
				json_decref(*row);
				*row = NULL;
			}
		}
	}
	if (*row)
		annotate_route(rm, *row);
	return true;
}

struct rm_table_iter {
	struct rm *rm;
	char protocol[RP_PROTOCOL_NAME_MAX]; /* a copy: the module may be gone meanwhile */
	enum rp_mib_table table;
	json_t *last;         /* the previous row: the key of the next one; NULL before the first */
	bool ended;
};

struct rm_table_iter *rm_table_iter_new(struct rm *rm, const char *protocol,
					enum rp_mib_table table)
{
	struct rm_proto *p = proto_by_name(rm, protocol);
	struct rm_table_iter *it;

	if (!p || !p->def->mib_get_first || !p->def->mib_get_next)
		return NULL;
	it = calloc(1, sizeof(*it));
	if (!it)
		return NULL;
	*it = (struct rm_table_iter){ .rm = rm, .table = table };
	snprintf(it->protocol, sizeof(it->protocol), "%s", p->name);
	return it;
}

json_t *rm_table_iter_next(struct rm_table_iter *it)
{
	struct rm_proto *p = it->ended ? NULL : proto_by_name(it->rm, it->protocol);
	json_t *row = NULL;
	enum rp_result r;

	if (!p) {
		it->ended = true;
		return NULL;
	}
	r = it->last ? p->def->mib_get_next(p->inst, it->table, it->last, &row)
		     : p->def->mib_get_first(p->inst, it->table, &row);
	json_decref(it->last);
	it->last = NULL;
	if (r != NO_ERROR || !row) {
		json_decref(row);
		it->ended = true;
		return NULL;
	}
	if (it->table == RP_MIB_ROUTE)
		annotate_route(it->rm, row);
	it->last = json_incref(row);
	return row;
}

void rm_table_iter_free(struct rm_table_iter *it)
{
	if (!it)
		return;
	json_decref(it->last);
	free(it);
}
