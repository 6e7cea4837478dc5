/* SPDX-License-Identifier: ISC */
/*
 * fib_exists.c — what the FIB writer does when the kernel refuses an install with EEXIST.
 *
 * A new route goes out with NLM_F_EXCL, so that the kernel refuses it instead of replacing a
 * route that is not ours. But EEXIST says only that some route has our table, prefix, tos and
 * priority; it does not say whose. The route may well be ours: a delete of ours superseded in
 * the queue by an install (a route withdrawn and learned again within one pass of the loop), a
 * route left by a previous run, one of our other protocols (autostatic over rip). So ownership
 * is decided from the kernel's own route, never from the error code: the refused installs of a
 * send are kept (their messages are still in the send buffer), the table is dumped once for all
 * of them, and for each one
 *  - the route there has one of our protocol numbers: ours, written again with NLM_F_REPLACE;
 *  - it has another protocol's number (any route type): left alone, the failure is counted and
 *    reported to the router manager, which waits for that route to go;
 *  - nothing is there any more: written again as a create, once; a second EEXIST that the
 *    table does not explain either is reported.
 * A write of the same route queued meanwhile is newer and wins: nothing is queued again then.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "routprotd/prefix.h"
#include "linux/fib_internal.h"
#include "linux/fib_msg.h"

#define OWNER_SEEN 0x100u /* in the owner map: a route was found; low byte = its protocol */

static int exists_grow(struct fib *f)
{
	size_t cap = f->exists_cap ? f->exists_cap * 2 : 16;
	struct fib_exists_entry *grown;

	if (f->exists_n < f->exists_cap)
		return 0;
	grown = realloc(f->exists, cap * sizeof(*grown));
	if (!grown)
		return -1;
	f->exists = grown;
	f->exists_cap = cap;
	return 0;
}

int fib_exists_note(struct fib *f, const struct fib_batch_entry *e)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)(f->sendbuf + e->off);
	struct fib_msg_route m;
	struct fib_exists_entry *x;

	if (fib_msg_parse(h, &m) < 0 || exists_grow(f) < 0)
		return -1;
	x = &f->exists[f->exists_n++];
	fib_msg_to_route(&m, &x->route);
	x->route.protocol = e->protocol;
	x->retried = e->retried;
	return 0;
}

/* The route at our priority, tos 0, of a prefix we are asking about: note its protocol. Only
 * the first one counts: `ip route append` can put more behind it, but a replace takes the place
 * of the first, and the first is the one the kernel uses. */
static void visit_owner(struct fib *f, const struct fib_msg_route *m, void *ctx)
{
	uint32_t *owner;

	if (m->priority != f->priority || m->tos != 0)
		return;
	owner = fib_keymap_get(ctx, fib_key(m->prefix, m->len, 0));
	if (owner && !(*owner & OWNER_SEEN))
		*owner = OWNER_SEEN | m->protocol;
}

/* Dump the table into `owners` (key without protocol -> 0 or OWNER_SEEN | protocol). */
static int read_owners(struct fib *f, const struct fib_exists_entry *list, size_t n,
		       struct fib_keymap *owners)
{
	for (size_t i = 0; i < n; i++) {
		if (fib_keymap_put(owners, fib_key(list[i].route.prefix, list[i].route.len, 0),
				   0) < 0)
			return -1;
	}
	f->st.exists_rereads++;
	return fib_dump_walk(f, visit_owner, owners);
}

static void report(struct fib *f, const struct fib_route *r)
{
	struct fib_batch_entry e = { .prefix = r->prefix, .len = r->len,
				     .protocol = r->protocol, .install = true };

	fib_report_failure(f, &e, EEXIST);
}

/* Queue the install again (as a replace, or as a second create); 1 when queued. */
static size_t write_again(struct fib *f, const struct fib_exists_entry *x, bool replace)
{
	struct fib_route r = x->route;
	struct fib_pending *p;

	if (fib_queue_find(&f->queue, r.prefix, r.len, r.protocol))
		return 0; /* a newer write of this route is queued: it goes instead */
	r.replace = replace;
	if (fib_queue_put(&f->queue, &r, true) < 0) {
		f->st.rejected++;
		report(f, &r);
		return 0;
	}
	p = fib_queue_find(&f->queue, r.prefix, r.len, r.protocol);
	if (p)
		p->retried = !replace;
	return 1;
}

static size_t settle(struct fib *f, const struct fib_exists_entry *x, const uint32_t *owner)
{
	const struct fib_route *r = &x->route;
	char buf[RP_PREFIX4_STRLEN];
	uint8_t proto;

	if (!owner) {
		report(f, r); /* the table could not be read: as the kernel said */
		return 0;
	}
	rp_prefix4_format(r->prefix, r->len, buf);
	proto = (uint8_t)(*owner & 0xffu);
	if (*owner & OWNER_SEEN && fib_is_own(f, proto)) {
		f->st.exists_ours++;
		rp_log_rl(&f->rl_write, RP_LOG_INFO, FIB_COMP, "install %s proto %u table %u: our "
		       "route (proto %u) is there already; replacing it", buf, r->protocol,
		       f->table, proto);
		return write_again(f, x, true);
	}
	if (*owner & OWNER_SEEN) {
		f->st.exists_foreign++;
		rp_log_rl(&f->rl_write, RP_LOG_WARNING, FIB_COMP, "install %s proto %u: table %u "
		       "has a route of protocol %u with priority %u there; leaving it alone", buf,
		       r->protocol, f->table, proto, f->priority);
		report(f, r);
		return 0;
	}
	if (x->retried) {
		report(f, r); /* refused twice, and nothing to be seen either time */
		return 0;
	}
	f->st.exists_gone++;
	rp_log_rl(&f->rl_write, RP_LOG_INFO, FIB_COMP, "install %s proto %u table %u: the route "
	       "it met has gone; writing it again", buf, r->protocol, f->table);
	return write_again(f, x, false);
}

size_t fib_exists_resolve(struct fib *f)
{
	struct fib_exists_entry *list = f->exists;
	size_t n = f->exists_n, requeued = 0;
	struct fib_keymap owners = { 0 };
	bool read;

	if (n == 0)
		return 0;
	/* Taken out first: the callbacks of the reports may queue writes (never send them). */
	f->exists = NULL;
	f->exists_n = f->exists_cap = 0;
	read = read_owners(f, list, n, &owners) == 0;
	if (!read)
		rp_log_rl(&f->rl_write, RP_LOG_ERROR, FIB_COMP, "cannot re-read table %u: %zu "
		       "installs refused as existing are reported as refused", f->table, n);
	for (size_t i = 0; i < n; i++) {
		uint64_t key = fib_key(list[i].route.prefix, list[i].route.len, 0);

		requeued += settle(f, &list[i], read ? fib_keymap_get(&owners, key) : NULL);
	}
	fib_keymap_free(&owners);
	free(list);
	return requeued;
}

void fib_exists_free(struct fib *f)
{
	free(f->exists);
	f->exists = NULL;
	f->exists_n = f->exists_cap = 0;
}
