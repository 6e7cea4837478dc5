/* SPDX-License-Identifier: ISC */
/*
 * rm_autostatic_load.c — autostatic routes at start-up and for operators: loading the state
 * file before any protocol runs (or, when it is missing or unusable, recovering the sets from
 * the kernel's proto autostatic routes and setting the bad file aside), removing the temporary
 * file of a write a crash interrupted, and the `show autostatic` view.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/rm_internal.h"
#include "core/rm_state.h"
#include "routprotd/clock.h"
#include "routprotd/log.h"
#include "routprotd/prefix.h"

#define COMP "autostatic"

/* Routes of the kernel's proto autostatic, grouped by interface name. */
struct recovery {
	struct rm *rm;
	struct rm_state_iface *ifs;
	size_t n;
	size_t routes;
};

static struct rm_state_iface *recovery_iface(struct recovery *rc, const char *name)
{
	struct rm_state_iface *grown;

	for (size_t i = 0; i < rc->n; i++)
		if (strcmp(rc->ifs[i].name, name) == 0)
			return &rc->ifs[i];
	grown = realloc(rc->ifs, (rc->n + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	rc->ifs = grown;
	memset(&rc->ifs[rc->n], 0, sizeof(rc->ifs[rc->n]));
	snprintf(rc->ifs[rc->n].name, sizeof(rc->ifs[rc->n].name), "%s", name);
	rc->ifs[rc->n].updated_ms = rp_clock_wall_ms();
	return &rc->ifs[rc->n++];
}

static void recover_one(void *arg, const struct rm_fib_route *fr)
{
	struct recovery *rc = arg;
	const char *name;
	struct rm_state_iface *s;
	struct rm_state_route *grown;

	if (fr->protocol != RM_PROTO_AUTOSTATIC || fr->nnexthops == 0)
		return;
	name = rm_ifname(rc->rm, fr->nexthops[0].ifindex);
	s = name ? recovery_iface(rc, name) : NULL;
	if (!s)
		return;
	grown = realloc(s->routes, (s->nroutes + 1) * sizeof(*grown));
	if (!grown)
		return;
	s->routes = grown;
	/* The kernel keeps no RIP metric: recovered routes get metric 1. */
	s->routes[s->nroutes++] = (struct rm_state_route){
		.prefix = fr->prefix, .len = fr->len, .gateway = fr->nexthops[0].gateway,
		.metric = 1 };
	rc->routes++;
}

static int route_cmp(const void *a, const void *b)
{
	const struct rm_state_route *x = a, *y = b;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return (int)x->len - (int)y->len;
}

/* Take over loaded or recovered interfaces as the RM's sets and install them. */
static void adopt(struct rm *rm, struct rm_state_iface *ifs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct rm_as_set *s = rm_autostatic_set(rm, ifs[i].name);

		if (!s)
			continue;
		qsort(ifs[i].routes, ifs[i].nroutes, sizeof(*ifs[i].routes), route_cmp);
		rm_autostatic_set_routes(rm, s, &ifs[i]);
	}
}

static void recover_from_kernel(struct rm *rm)
{
	struct recovery rc = { .rm = rm };

	if (!rm->fib || rm->fib->dump_own(rm->fib_arg, recover_one, &rc) != 0) {
		rp_log_error(COMP, "cannot read the kernel's autostatic routes");
		return;
	}
	if (rc.routes)
		rp_log_warning(COMP, "recovered %zu autostatic routes from the kernel "
			    "(their RIP metrics are unknown and set to 1)", rc.routes);
	adopt(rm, rc.ifs, rc.n);
	rm_state_free(rc.ifs, rc.n);
	rm_autostatic_persist(rm);
}

void rm_autostatic_load(struct rm *rm, const char *state_dir)
{
	struct rm_state_iface *ifs;
	size_t n;
	char err[512], aside[4200];
	int rc;

	free(rm->state_dir);
	rm->state_dir = strdup(state_dir);
	rc = rm_state_remove_temp(state_dir, err, sizeof(err));
	if (rc > 0)
		rp_log_notice(COMP, "removed %s/%s, left by an interrupted write", state_dir,
			   RM_STATE_TEMP);
	else if (rc < 0)
		rp_log_warning(COMP, "cannot remove a leftover temporary file: %s", err);
	rc = rm_state_read(state_dir, &ifs, &n, err, sizeof(err));
	if (rc > 0) {
		size_t routes = 0;

		for (size_t i = 0; i < n; i++)
			routes += ifs[i].nroutes;
		rp_log_info(COMP, "restored %zu autostatic routes of %zu interfaces", routes, n);
		adopt(rm, ifs, n);
		rm_state_free(ifs, n);
		return;
	}
	if (rc < 0) {
		rp_log_error(COMP, "unusable state file: %s", err);
		if (rm_state_set_aside(state_dir, aside, sizeof(aside)) == 0)
			rp_log_error(COMP, "kept aside as %s; a new one will be written", aside);
		else
			rp_log_error(COMP, "cannot set it aside; it will be replaced");
	}
	recover_from_kernel(rm);
}

json_t *rm_json_autostatic(struct rm *rm)
{
	json_t *arr = json_array();
	char p[RP_PREFIX4_STRLEN], a[RP_ADDR4_STRLEN], when[RP_CLOCK_ISO8601_LEN];

	for (const struct rm_as_set *s = rm_autostatic_first(rm); arr && s;
	     s = rm_autostatic_next(s)) {
		const struct rm_state_iface *st = rm_autostatic_state(s);

		rp_clock_format_iso8601(st->updated_ms, when);
		for (size_t i = 0; i < st->nroutes; i++) {
			const struct rm_state_route *r = &st->routes[i];
			json_t *o = json_pack(
				"{s:s,s:s,s:s,s:I,s:I,s:s,s:b,s:o,s:b,s:s?}", "interface", st->name,
				"prefix", rp_prefix4_format(r->prefix, r->len, p), "nexthop",
				rp_addr4_format(r->gateway, a), "metric", (json_int_t)r->metric, "tag",
				(json_int_t)r->tag, "updated", when, "in_fib",
				rm_route_in_fib(rm, r->prefix, r->len),
				"last_result", rm_autostatic_last_result(s)
						       ? json_string(rm_autostatic_last_result(s))
						       : json_null(),
				"saved", !rm->as_file.dirty, "last_reason",
				rm_autostatic_last_reason(s));

			json_array_append_new(arr, o);
		}
	}
	return arr;
}
