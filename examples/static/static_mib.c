/* SPDX-License-Identifier: ISC */
/*
 * static_mib.c — the MIB hooks of the example `static` protocol: what `routprotctl show
 * protocol`-style readers get through the RM. Rows are new JSON objects owned by the caller.
 *   RP_MIB_GLOBAL    one row: announcements, withdrawals
 *   RP_MIB_INTERFACE key {"ifindex"}: name, active, routes configured
 *   RP_MIB_ROUTE     key {"prefix", "ifindex"}: one row per configured route, in prefix order
 */
#include <stdlib.h>

#include <routprotd/prefix.h>

#include "static.h"

/* A position in the route table: prefix, length, interface. */
struct pos {
	uint32_t prefix;
	uint8_t len;
	uint32_t ifindex;
};

static int pos_cmp(const struct pos *a, const struct pos *b)
{
	if (a->prefix != b->prefix)
		return a->prefix < b->prefix ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	if (a->ifindex != b->ifindex)
		return a->ifindex < b->ifindex ? -1 : 1;
	return 0;
}

static json_t *global_row(const struct static_proto *s)
{
	return json_pack("{s:I,s:I}", "announcements", (json_int_t)s->announcements,
			 "withdrawals", (json_int_t)s->withdrawals);
}

static json_t *iface_row(const struct static_iface *i)
{
	return json_pack("{s:I,s:s,s:b,s:I}", "ifindex", (json_int_t)i->ifindex, "name", i->name,
			 "active", i->active, "routes", (json_int_t)i->conf.count);
}

static json_t *route_row(const struct static_proto *s, const struct static_iface *i,
			 const struct rp_route *r)
{
	char p[RP_PREFIX4_STRLEN], nh[RP_ADDR4_STRLEN];
	uint32_t gw = r->nexthops[0].gateway;

	return json_pack("{s:s,s:I,s:s,s:s,s:I,s:b}", "prefix",
			 rp_prefix4_format(r->prefix, r->prefixlen, p), "ifindex",
			 (json_int_t)i->ifindex, "interface", i->name, "nexthop",
			 gw ? rp_addr4_format(gw, nh) : "on-link", "metric", (json_int_t)r->metric,
			 "announced", static_route_announced(s, i, r));
}

/* The first interface above `above` (-1: the first of all). */
static json_t *iface_above(const struct static_proto *s, long long above)
{
	const struct static_iface *best = NULL;

	for (const struct static_iface *i = s->ifaces; i; i = i->next)
		if ((long long)i->ifindex > above && (!best || i->ifindex < best->ifindex))
			best = i;
	return best ? iface_row(best) : NULL;
}

/* The first route above `above` (NULL: the first of all), or exactly at it when `exact`. */
static json_t *route_at(const struct static_proto *s, const struct pos *above, bool exact)
{
	const struct static_iface *bi = NULL;
	const struct rp_route *br = NULL;
	struct pos best = { 0 };

	for (const struct static_iface *i = s->ifaces; i; i = i->next) {
		for (size_t k = 0; k < i->conf.count; k++) {
			const struct rp_route *r = &i->conf.routes[k];
			struct pos at = { r->prefix, r->prefixlen, i->ifindex };
			int c = above ? pos_cmp(&at, above) : 1;

			if ((exact ? c == 0 : c > 0) && (!br || pos_cmp(&at, &best) < 0)) {
				best = at;
				bi = i;
				br = r;
			}
		}
	}
	return br ? route_row(s, bi, br) : NULL;
}

/* Reads {"prefix": "a.b.c.d/len", "ifindex": N} (ifindex optional: 0) into *p. */
static bool key_pos(const json_t *key, struct pos *p)
{
	const char *prefix = json_string_value(json_object_get(key, "prefix"));
	const json_t *ifindex = json_object_get(key, "ifindex");
	struct rp_prefix4 pf;

	if (!prefix || !rp_prefix4_parse(prefix, &pf, false))
		return false;
	if (ifindex && !json_is_integer(ifindex))
		return false;
	*p = (struct pos){ pf.addr, pf.len, ifindex ? (uint32_t)json_integer_value(ifindex) : 0 };
	return true;
}

static enum rp_result found(json_t *row, json_t **out)
{
	*out = row;
	return row ? NO_ERROR : ERROR_NO_MORE_ITEMS;
}

/* No row after all: free what found() produced. */
static enum rp_result drop(json_t **row)
{
	json_decref(*row);
	*row = NULL;
	return ERROR_NO_MORE_ITEMS;
}

static bool row_has_prefix(const json_t *row, const struct pos *p)
{
	struct pos at;

	return key_pos(row, &at) && at.prefix == p->prefix && at.len == p->len;
}

enum rp_result static_mib_get(void *inst, enum rp_mib_table table, const json_t *key,
			      json_t **row)
{
	const struct static_proto *s = inst;
	const json_t *ifindex = json_object_get(key, "ifindex");
	struct pos p;

	switch (table) {
	case RP_MIB_GLOBAL:
		return found(global_row(s), row);
	case RP_MIB_INTERFACE:
		if (!json_is_integer(ifindex))
			return ERROR_INVALID_PARAMETER;
		return found(iface_above(s, json_integer_value(ifindex) - 1), row) == NO_ERROR &&
		       json_equal(json_object_get(*row, "ifindex"), ifindex) ? NO_ERROR : drop(row);
	case RP_MIB_ROUTE:
		if (!key_pos(key, &p))
			return ERROR_INVALID_PARAMETER;
		/* without an ifindex: the route of that prefix on the lowest ifindex */
		return found(route_at(s, &p, ifindex != NULL), row) == NO_ERROR &&
		       (ifindex || row_has_prefix(*row, &p)) ? NO_ERROR : drop(row);
	default:
		return ERROR_NO_MORE_ITEMS;
	}
}

enum rp_result static_mib_get_first(void *inst, enum rp_mib_table table, json_t **row)
{
	const struct static_proto *s = inst;

	switch (table) {
	case RP_MIB_GLOBAL:
		return found(global_row(s), row);
	case RP_MIB_INTERFACE:
		return found(iface_above(s, -1), row);
	case RP_MIB_ROUTE:
		return found(route_at(s, NULL, false), row);
	default:
		return ERROR_NO_MORE_ITEMS;
	}
}

enum rp_result static_mib_get_next(void *inst, enum rp_mib_table table, const json_t *key,
				   json_t **row)
{
	const struct static_proto *s = inst;
	const json_t *ifindex = json_object_get(key, "ifindex");
	struct pos p;

	switch (table) {
	case RP_MIB_INTERFACE:
		if (!json_is_integer(ifindex))
			return ERROR_INVALID_PARAMETER;
		return found(iface_above(s, json_integer_value(ifindex)), row);
	case RP_MIB_ROUTE:
		if (!key_pos(key, &p))
			return ERROR_INVALID_PARAMETER;
		return found(route_at(s, &p, false), row);
	default:
		return ERROR_NO_MORE_ITEMS;
	}
}
