/* SPDX-License-Identifier: ISC */
/*
 * static_config.c — the configuration of the example `static` protocol: its section parsed
 * into the blobs the router manager hands back to the protocol (struct static_global, one
 * struct static_ifconf per interface), every problem reported as FILE:LINE.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net/if.h>

#include <routprotd/conf_schema.h>
#include <routprotd/prefix.h>

#include "static.h"

#define STATIC_MAX_ROUTES 4096

/* One element of `routes` as rp_conf_parse_fields reads it. */
struct route_conf {
	char *prefix;
	uint32_t nexthop;
	uint32_t metric;
};

static const struct rp_conf_field global_fields[] = {
	{ .name = "metric", .kind = RP_CONF_U32, .offset = offsetof(struct static_global, metric),
	  .min = 1, .max = 65535 },
};

static const struct rp_conf_field route_fields[] = {
	{ .name = "prefix", .kind = RP_CONF_STRING, .offset = offsetof(struct route_conf, prefix),
	  .max = RP_PREFIX4_STRLEN },
	{ .name = "nexthop", .kind = RP_CONF_ADDR4, .offset = offsetof(struct route_conf, nexthop) },
	{ .name = "metric", .kind = RP_CONF_U32, .offset = offsetof(struct route_conf, metric),
	  .min = 1, .max = 65535 },
};

static const char *const skip_global[] = { "interfaces", NULL };
static const char *const skip_iface[] = { "name", "routes", NULL };

static void *static_parse_global(const config_setting_t *s, struct rp_conf_diag *diag)
{
	struct static_global *g = malloc(sizeof(*g));

	if (!g)
		return NULL;
	g->metric = 1;
	if (!rp_conf_parse_fields(s, global_fields, RP_CONF_NFIELDS(global_fields), skip_global,
				  "static", g, diag)) {
		free(g);
		return NULL;
	}
	return g;
}

/* One element of `routes` into *r; every problem reported at its line. */
static bool parse_route(const config_setting_t *e, uint32_t metric, struct rp_route *r,
			struct rp_conf_diag *diag)
{
	struct route_conf rc = { .metric = metric };
	struct rp_prefix4 p;
	bool ok = false;

	if (!config_setting_is_group(e)) {
		rp_conf_diag_at(diag, e, "static route: expected a group { prefix = ...; }");
		return false;
	}
	if (!rp_conf_parse_fields(e, route_fields, RP_CONF_NFIELDS(route_fields), NULL,
				  "static route", &rc, diag))
		goto out;
	if (!rc.prefix) {
		rp_conf_diag_at(diag, e, "static route: 'prefix' is missing");
		goto out;
	}
	if (!rp_prefix4_parse(rc.prefix, &p, false)) {
		rp_conf_diag_at(diag, config_setting_get_member(e, "prefix"),
				"static route: '%s' is not an IPv4 prefix (a.b.c.d/len, host bits "
				"zero)", rc.prefix);
		goto out;
	}
	*r = (struct rp_route){ .prefix = p.addr, .prefixlen = p.len, .metric = rc.metric,
				.nexthop_count = 1, .nexthops[0].gateway = rc.nexthop };
	ok = true;
out:
	rp_conf_free_fields(route_fields, RP_CONF_NFIELDS(route_fields), &rc);
	return ok;
}

static bool duplicate(const struct static_ifconf *c, const struct rp_route *r)
{
	for (size_t i = 0; i < c->count; i++)
		if (c->routes[i].prefix == r->prefix && c->routes[i].prefixlen == r->prefixlen)
			return true;
	return false;
}

static void static_free_interface(void *blob)
{
	struct static_ifconf *c = blob;

	if (c)
		free(c->routes);
	free(c);
}

static bool parse_routes(const config_setting_t *list, uint32_t metric, struct static_ifconf *c,
			 struct rp_conf_diag *diag)
{
	int n = config_setting_length(list);
	bool ok = true;

	if (!config_setting_is_aggregate(list) || n > STATIC_MAX_ROUTES) {
		rp_conf_diag_at(diag, list, "static: 'routes' must be a list of at most %d routes",
				STATIC_MAX_ROUTES);
		return false;
	}
	c->routes = calloc(n > 0 ? (size_t)n : 1, sizeof(*c->routes));
	if (!c->routes)
		return false;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
		struct rp_route r;

		if (!parse_route(e, metric, &r, diag)) {
			ok = false;
		} else if (duplicate(c, &r)) {
			rp_conf_diag_at(diag, e, "static route: prefix listed twice on this interface");
			ok = false;
		} else {
			c->routes[c->count++] = r;
		}
	}
	return ok;
}

static void *static_parse_interface(const config_setting_t *s, const void *global,
				    struct rp_conf_diag *diag)
{
	const struct static_global *g = global;
	const config_setting_t *list = config_setting_get_member(s, "routes");
	struct static_ifconf *c = calloc(1, sizeof(*c));
	bool ok;

	if (!c)
		return NULL;
	ok = rp_conf_parse_fields(s, NULL, 0, skip_iface, "static interface", c, diag);
	if (list && !parse_routes(list, g ? g->metric : 1, c, diag))
		ok = false;
	if (!ok) {
		static_free_interface(c);
		return NULL;
	}
	return c;
}

static bool static_global_equal(const void *a, const void *b)
{
	return rp_conf_fields_equal(global_fields, RP_CONF_NFIELDS(global_fields), a, b);
}

static bool route_equal(const struct rp_route *a, const struct rp_route *b)
{
	return a->prefix == b->prefix && a->prefixlen == b->prefixlen && a->metric == b->metric &&
	       a->nexthops[0].gateway == b->nexthops[0].gateway;
}

static bool static_interface_equal(const void *a, const void *b)
{
	const struct static_ifconf *x = a, *y = b;

	if (x->count != y->count)
		return false;
	for (size_t i = 0; i < x->count; i++)
		if (!route_equal(&x->routes[i], &y->routes[i]))
			return false;
	return true;
}

const struct rp_config_ops static_config_ops = {
	.parse_global = static_parse_global,
	.parse_interface = static_parse_interface,
	.global_equal = static_global_equal,
	.interface_equal = static_interface_equal,
	.free_global = free,
	.free_interface = static_free_interface,
};
