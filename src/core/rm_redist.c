/* SPDX-License-Identifier: ISC */
/*
 * rm_redist.c — routes the router manager offers protocols for redistribution: connected
 * subnets of interfaces that are running (enabled, media present; loopback excluded), kernel
 * routes of other protocols in our table (proto static → "static"; proto kernel and boot →
 * "kernel"; others are not offered) of the unicast and discard types (blackhole, unreachable,
 * prohibit: passed along with their type, the protocol decides), and autostatic routes
 * (rm_autostatic.c). A protocol subscribes with a mask of kinds (set_redistribution); it gets
 * the current routes of the kinds it newly selected at once, then every change.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/rm_internal.h"
#include "routprotd/log.h"
#include "routprotd/prefix.h"

#define COMP "rm"

static int kroute_cmp(const struct rp_avl_node *a, const struct rp_avl_node *b)
{
	const struct rm_kroute *x = rp_avl_entry(a, struct rm_kroute, node);
	const struct rm_kroute *y = rp_avl_entry(b, struct rm_kroute, node);

	if (x->r.prefix != y->r.prefix)
		return x->r.prefix < y->r.prefix ? -1 : 1;
	if (x->r.len != y->r.len)
		return (int)x->r.len - (int)y->r.len;
	if (x->r.priority != y->r.priority)
		return x->r.priority < y->r.priority ? -1 : 1;
	return 0;
}

void rm_redist_init(struct rm *rm)
{
	rp_avl_init(&rm->kroutes, kroute_cmp);
}

static void clear_kroutes(struct rm *rm)
{
	struct rp_avl_node *n = rp_avl_first(&rm->kroutes);

	while (n) {
		struct rm_kroute *k = rp_avl_entry(n, struct rm_kroute, node);

		n = rp_avl_next(n);
		rp_avl_remove(&rm->kroutes, &k->node);
		free(k);
	}
}

void rm_redist_free(struct rm *rm)
{
	clear_kroutes(rm);
}

void rm_redist_notify(struct rm *rm, const struct rp_redist_route *r, bool withdrawn)
{
	for (size_t s = 0; s < rm->nprotos; s++) {
		const struct rm_subscriber *sub = &rm->subs[s];

		if ((sub->mask & (unsigned)r->source) && sub->changed && rm->protos[s].inst)
			sub->changed(sub->ctx, r, withdrawn);
	}
}

static unsigned kind_of(uint8_t protocol)
{
	switch (protocol) {
	case 4: /* RTPROT_STATIC */
		return RP_REDIST_STATIC;
	case 2: /* RTPROT_KERNEL */
	case 3: /* RTPROT_BOOT */
		return RP_REDIST_KERNEL;
	}
	return 0;
}

static struct rp_redist_route kroute_redist(const struct rm_kroute *k)
{
	return (struct rp_redist_route){ .prefix = k->r.prefix, .prefixlen = k->r.len,
					 .gateway = k->r.gateway, .ifindex = k->r.ifindex,
					 .source = (enum rp_redist_source)k->kind,
					 .type = (enum rp_route_type)k->r.type };
}

/* The first route known for prefix/len (the lowest priority), or NULL. */
static struct rm_kroute *first_of(const struct rm *rm, uint32_t prefix, uint8_t len)
{
	struct rm_kroute key = { .r = { .prefix = prefix, .len = len, .priority = 0 } };
	struct rp_avl_node *n = rp_avl_find(&rm->kroutes, &key.node);
	struct rm_kroute *k;

	if (!n)
		n = rp_avl_find_after(&rm->kroutes, &key.node);
	k = n ? rp_avl_entry(n, struct rm_kroute, node) : NULL;
	return k && k->r.prefix == prefix && k->r.len == len ? k : NULL;
}

static struct rm_kroute *next_of(const struct rm_kroute *k)
{
	struct rp_avl_node *n = rp_avl_next((struct rp_avl_node *)&k->node);
	struct rm_kroute *x = n ? rp_avl_entry(n, struct rm_kroute, node) : NULL;

	return x && x->r.prefix == k->r.prefix && x->r.len == k->r.len ? x : NULL;
}

bool rm_kernel_has(const struct rm *rm, uint32_t prefix, uint8_t len)
{
	return first_of(rm, prefix, len) != NULL;
}

static bool same_route(const struct rm_kernel_route *a, const struct rm_kernel_route *b)
{
	return a->prefix == b->prefix && a->len == b->len && a->protocol == b->protocol &&
	       a->type == b->type && a->gateway == b->gateway && a->ifindex == b->ifindex &&
	       a->priority == b->priority;
}

/* Of the routes of `kind` for a prefix, the one the kernel uses (lowest priority) is offered.
 * `touched` changed, `gone` was offered and is no longer known (withdrawn when no route of
 * that kind is left). */
static void reoffer(struct rm *rm, uint32_t prefix, uint8_t len, unsigned kind,
		    const struct rm_kroute *touched, const struct rp_redist_route *gone)
{
	struct rm_kroute *best = NULL, *prev = NULL;
	struct rp_redist_route rr;

	for (struct rm_kroute *k = first_of(rm, prefix, len); k; k = next_of(k)) {
		if (k->kind != kind)
			continue;
		if (!best)
			best = k;
		if (k->offered)
			prev = k;
	}
	if (!best) {
		if (gone)
			rm_redist_notify(rm, gone, true);
		return;
	}
	if (best == prev && best != touched)
		return;
	if (prev)
		prev->offered = false;
	best->offered = true;
	rr = kroute_redist(best);
	rm_redist_notify(rm, &rr, false);
}

/* Forget a known route, offering the next of its kind or withdrawing it. */
static void forget(struct rm *rm, struct rm_kroute *k)
{
	struct rp_redist_route rr = kroute_redist(k);
	bool offered = k->offered;

	rp_avl_remove(&rm->kroutes, &k->node);
	free(k);
	if (rr.source)
		reoffer(rm, rr.prefix, rr.prefixlen, rr.source, NULL, offered ? &rr : NULL);
}

void rm_redist_kernel(struct rm *rm, const struct rm_kernel_route *r, bool removed)
{
	struct rm_kroute key = { .r = *r }, *k;
	struct rp_avl_node *n = rp_avl_find(&rm->kroutes, &key.node);
	struct rp_redist_route rr;

	k = n ? rp_avl_entry(n, struct rm_kroute, node) : NULL;
	if (removed || (k && kind_of(r->protocol) != k->kind)) {
		/* gone, or another protocol's route took its place (same priority) */
		if (k)
			forget(rm, k);
		if (removed)
			return;
		k = NULL;
	}
	if (k && same_route(&k->r, r))
		return; /* nothing new to offer */
	if (!k) {
		k = calloc(1, sizeof(*k));
		if (!k)
			return;
		k->r = *r;
		rp_avl_insert(&rm->kroutes, &k->node);
	}
	k->r = *r;
	k->kind = kind_of(r->protocol);
	rr = kroute_redist(k);
	if (rr.source)
		reoffer(rm, rr.prefix, rr.prefixlen, rr.source, k, NULL);
}

/* A link went admin-down or away: the kernel flushed every route through it without a word.
 * Forget them now; the audit that follows re-reads the table anyway. */
void rm_redist_link_flushed(struct rm *rm, uint32_t ifindex)
{
	struct rp_avl_node *n = rp_avl_first(&rm->kroutes);

	while (n) {
		struct rm_kroute *k = rp_avl_entry(n, struct rm_kroute, node);

		n = rp_avl_next(n);
		if (k->r.ifindex == ifindex)
			rm_redist_kernel(rm, &k->r, true);
	}
}

void rm_fib_kernel_route(struct rm *rm, const struct rm_kernel_route *r, bool removed)
{
	rm_redist_kernel(rm, r, removed);
}

struct reload {
	struct rm *rm;
	struct rp_avl_tree *old;
};

/* A route of the dump: what was known of its prefix moves to the new table first, so that an
 * unchanged route is not offered again and a changed one is offered as a change. */
static void reload_one(void *arg, const struct rm_kernel_route *r)
{
	struct reload *rl = arg;
	struct rm_kroute key = { .r = *r };
	struct rp_avl_node *n = rp_avl_find(rl->old, &key.node);

	if (n && !rp_avl_find(&rl->rm->kroutes, n)) {
		rp_avl_remove(rl->old, n);
		rp_avl_insert(&rl->rm->kroutes, n);
	}
	rm_redist_kernel(rl->rm, r, false);
}

/* A dump failed part-way: what it read stays known, over what was known before. */
static void merge_back(struct rm *rm, struct rp_avl_tree *old)
{
	struct rp_avl_node *n = rp_avl_first(&rm->kroutes);

	while (n) {
		struct rp_avl_node *next = rp_avl_next(n), *o;

		rp_avl_remove(&rm->kroutes, n);
		o = rp_avl_find(old, n);
		if (o) {
			rp_avl_remove(old, o);
			free(rp_avl_entry(o, struct rm_kroute, node));
		}
		rp_avl_insert(old, n);
		n = next;
	}
	rm->kroutes = *old;
}

/* Re-read the kernel's routes of other protocols: withdraw what vanished, offer what is new
 * or changed. */
void rm_redist_kernel_reload(struct rm *rm)
{
	struct rp_avl_tree old = rm->kroutes;
	struct reload rl = { .rm = rm, .old = &old };

	if (!rm->fib)
		return;
	rp_avl_init(&rm->kroutes, kroute_cmp);
	if (rm->fib->dump_kernel(rm->fib_arg, reload_one, &rl) != 0) {
		merge_back(rm, &old);
		rp_log_warning(COMP, "cannot read kernel routes for redistribution");
		return;
	}
	for (struct rp_avl_node *n = rp_avl_first(&old); n;) {
		struct rm_kroute *k = rp_avl_entry(n, struct rm_kroute, node);
		struct rp_redist_route rr = kroute_redist(k);
		bool offered = k->offered;

		n = rp_avl_next(n);
		rp_avl_remove(&old, &k->node);
		free(k);
		if (rr.source)
			reoffer(rm, rr.prefix, rr.prefixlen, rr.source, NULL, offered ? &rr : NULL);
	}
}

/* ---- connected subnets ---- */

static unsigned connected_of(const struct rm_iface *ifc, struct rm_conn *out, unsigned cap)
{
	unsigned n = 0;

	if (!ifc->enabled || !ifc->media_present)
		return 0;
	for (unsigned i = 0; i < ifc->naddrs && n < cap; i++) {
		const struct rp_local_binding *b = &ifc->addrs[i];
		uint32_t prefix = b->peer ? b->peer : b->address & rp_prefix4_mask(b->prefixlen);
		uint8_t len = b->peer ? 32 : b->prefixlen;

		if ((b->address >> 24) == 127)
			continue;
		out[n++] = (struct rm_conn){ .prefix = prefix, .len = len };
	}
	return n;
}

static bool conn_listed(const struct rm_conn *list, unsigned n, const struct rm_conn *c)
{
	for (unsigned i = 0; i < n; i++)
		if (list[i].prefix == c->prefix && list[i].len == c->len)
			return true;
	return false;
}

static void notify_conn(struct rm *rm, const struct rm_iface *ifc, const struct rm_conn *c,
			bool withdrawn)
{
	struct rp_redist_route rr = { .prefix = c->prefix, .prefixlen = c->len,
				      .ifindex = ifc->ifindex, .source = RP_REDIST_CONNECTED };

	rm_redist_notify(rm, &rr, withdrawn);
}

void rm_redist_iface_changed(struct rm *rm, struct rm_iface *ifc)
{
	unsigned cap = ifc->naddrs ? ifc->naddrs : 1, n;
	struct rm_conn *now = malloc(cap * sizeof(*now));

	if (!now)
		return;
	n = connected_of(ifc, now, cap);
	for (unsigned i = 0; i < ifc->nconn; i++)
		if (!conn_listed(now, n, &ifc->conn[i]))
			notify_conn(rm, ifc, &ifc->conn[i], true);
	for (unsigned i = 0; i < n; i++)
		if (!conn_listed(ifc->conn, ifc->nconn, &now[i]))
			notify_conn(rm, ifc, &now[i], false);
	free(ifc->conn);
	ifc->conn = now;
	ifc->nconn = n;
}

/* ---- subscriptions ---- */

static void replay(struct rm *rm, const struct rm_subscriber *sub, unsigned kinds)
{
	if (kinds & RP_REDIST_CONNECTED)
		for (size_t i = 0; i < rm->nifaces; i++)
			for (unsigned k = 0; k < rm->ifaces[i]->nconn; k++) {
				const struct rm_conn *c = &rm->ifaces[i]->conn[k];
				struct rp_redist_route rr = {
					.prefix = c->prefix, .prefixlen = c->len,
					.ifindex = rm->ifaces[i]->ifindex,
					.source = RP_REDIST_CONNECTED };

				sub->changed(sub->ctx, &rr, false);
			}
	for (struct rp_avl_node *n = rp_avl_first(&rm->kroutes); n; n = rp_avl_next(n)) {
		const struct rm_kroute *k = rp_avl_entry(n, struct rm_kroute, node);
		struct rp_redist_route rr = kroute_redist(k);

		if ((kinds & k->kind) && k->offered)
			sub->changed(sub->ctx, &rr, false);
	}
	if (kinds & RP_REDIST_AUTOSTATIC)
		rm_autostatic_replay(rm, sub);
}

enum rp_result rm_redist_subscribe(struct rm *rm, unsigned slot, unsigned mask,
				   void (*changed)(void *, const struct rp_redist_route *, bool),
				   void *ctx)
{
	struct rm_subscriber *sub;
	unsigned added;

	if (slot >= rm->nprotos)
		return ERROR_INVALID_PARAMETER;
	sub = &rm->subs[slot];
	added = mask & ~sub->mask;
	sub->mask = mask;
	sub->changed = changed;
	sub->ctx = ctx;
	if (changed && added)
		replay(rm, sub, added);
	return NO_ERROR;
}
