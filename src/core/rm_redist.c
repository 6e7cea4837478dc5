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
#include "lib/log.h"
#include "lib/prefix.h"

#define COMP "rm"

static int kroute_cmp(const struct avl_node *a, const struct avl_node *b)
{
	const struct rm_kroute *x = avl_entry(a, struct rm_kroute, node);
	const struct rm_kroute *y = avl_entry(b, struct rm_kroute, node);

	if (x->r.prefix != y->r.prefix)
		return x->r.prefix < y->r.prefix ? -1 : 1;
	return (int)x->r.len - (int)y->r.len;
}

void rm_redist_init(struct rm *rm)
{
	avl_init(&rm->kroutes, kroute_cmp);
}

static void clear_kroutes(struct rm *rm)
{
	struct avl_node *n = avl_first(&rm->kroutes);

	while (n) {
		struct rm_kroute *k = avl_entry(n, struct rm_kroute, node);

		n = avl_next(n);
		avl_remove(&rm->kroutes, &k->node);
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

bool rm_kernel_has(const struct rm *rm, uint32_t prefix, uint8_t len)
{
	struct rm_kroute key = { .r = { .prefix = prefix, .len = len } };

	return avl_find(&rm->kroutes, &key.node) != NULL;
}

static bool same_route(const struct rm_kernel_route *a, const struct rm_kernel_route *b)
{
	return a->prefix == b->prefix && a->len == b->len && a->protocol == b->protocol &&
	       a->type == b->type && a->gateway == b->gateway && a->ifindex == b->ifindex;
}

void rm_redist_kernel(struct rm *rm, const struct rm_kernel_route *r, bool removed)
{
	struct rm_kroute key = { .r = *r }, *k;
	struct avl_node *n = avl_find(&rm->kroutes, &key.node);
	struct rp_redist_route rr;

	k = n ? avl_entry(n, struct rm_kroute, node) : NULL;
	if (!removed && k && same_route(&k->r, r))
		return; /* nothing new to offer */
	if (removed) {
		if (!k)
			return;
		rr = kroute_redist(k);
		avl_remove(&rm->kroutes, &k->node);
		free(k);
		if (rr.source)
			rm_redist_notify(rm, &rr, true);
		return;
	}
	if (!k) {
		k = calloc(1, sizeof(*k));
		if (!k)
			return;
		k->r = *r;
		avl_insert(&rm->kroutes, &k->node);
	} else if (k->kind && k->kind != kind_of(r->protocol)) {
		/* another protocol's route took its place: what was offered is gone */
		rr = kroute_redist(k);
		rm_redist_notify(rm, &rr, true);
	}
	k->r = *r;
	k->kind = kind_of(r->protocol);
	rr = kroute_redist(k);
	if (rr.source)
		rm_redist_notify(rm, &rr, false);
}

/* A link went admin-down or away: the kernel flushed every route through it without a word.
 * Forget them now; the audit that follows re-reads the table anyway. */
void rm_redist_link_flushed(struct rm *rm, uint32_t ifindex)
{
	struct avl_node *n = avl_first(&rm->kroutes);

	while (n) {
		struct rm_kroute *k = avl_entry(n, struct rm_kroute, node);

		n = avl_next(n);
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
	struct avl_tree *old;
};

/* A route of the dump: what was known of its prefix moves to the new table first, so that an
 * unchanged route is not offered again and a changed one is offered as a change. */
static void reload_one(void *arg, const struct rm_kernel_route *r)
{
	struct reload *rl = arg;
	struct rm_kroute key = { .r = *r };
	struct avl_node *n = avl_find(rl->old, &key.node);

	if (n && !avl_find(&rl->rm->kroutes, n)) {
		avl_remove(rl->old, n);
		avl_insert(&rl->rm->kroutes, n);
	}
	rm_redist_kernel(rl->rm, r, false);
}

/* A dump failed part-way: what it read stays known, over what was known before. */
static void merge_back(struct rm *rm, struct avl_tree *old)
{
	struct avl_node *n = avl_first(&rm->kroutes);

	while (n) {
		struct avl_node *next = avl_next(n), *o;

		avl_remove(&rm->kroutes, n);
		o = avl_find(old, n);
		if (o) {
			avl_remove(old, o);
			free(avl_entry(o, struct rm_kroute, node));
		}
		avl_insert(old, n);
		n = next;
	}
	rm->kroutes = *old;
}

/* Re-read the kernel's routes of other protocols: withdraw what vanished, offer what is new
 * or changed. */
void rm_redist_kernel_reload(struct rm *rm)
{
	struct avl_tree old = rm->kroutes;
	struct reload rl = { .rm = rm, .old = &old };

	if (!rm->fib)
		return;
	avl_init(&rm->kroutes, kroute_cmp);
	if (rm->fib->dump_kernel(rm->fib_arg, reload_one, &rl) != 0) {
		merge_back(rm, &old);
		log_warning(COMP, "cannot read kernel routes for redistribution");
		return;
	}
	for (struct avl_node *n = avl_first(&old); n;) {
		struct rm_kroute *k = avl_entry(n, struct rm_kroute, node);
		struct rp_redist_route rr = kroute_redist(k);

		n = avl_next(n);
		if (!avl_find(&rm->kroutes, &k->node) && rr.source)
			rm_redist_notify(rm, &rr, true);
		avl_remove(&old, &k->node);
		free(k);
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
		uint32_t prefix = b->peer ? b->peer : b->address & prefix4_mask(b->prefixlen);
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
	for (struct avl_node *n = avl_first(&rm->kroutes); n; n = avl_next(n)) {
		const struct rm_kroute *k = avl_entry(n, struct rm_kroute, node);
		struct rp_redist_route rr = kroute_redist(k);

		if (kinds & k->kind)
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
