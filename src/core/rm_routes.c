/* SPDX-License-Identifier: ISC */
/*
 * rm_routes.c — the router manager's route table (RTM) and what it keeps in the kernel FIB.
 * Every source (each protocol, and the RM's own autostatic routes) offers at most one candidate
 * per prefix; the best (lowest preference, then metric) is written to the kernel with its
 * source's route protocol, in our table with our priority. FIB state per prefix:
 *
 *   NONE ──candidate──► INSTALLED ──kernel refused──► FAILED ──link up / address added──► retry
 *   INSTALLED ──another protocol's route replaced it──► FAILED (EEXIST) ──that route went──► retry
 *             (or a link change that may have flushed it; other link changes leave it alone)
 *   STALE (ours, found at start-up) ──candidate──► INSTALLED, or removed after fib.stale-time
 *   INSTALLED ──link down / address removed / link deleted──► audit: re-read the kernel,
 *             reinstall what it flushed without telling (RFC-NOTES "Linux facts")
 *
 * A refused write never loses the route from the table; the RM never touches routes of other
 * protocols (they have other protocol numbers, and our priority and table are our own).
 * `ours` (a route of ours is in the kernel: write a replace, else a create) is a hint only: a
 * create that meets a route is decided by the FIB writer from the kernel's route, so EEXIST
 * reaches the RM only when that route is really another protocol's.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "conf/conf.h"
#include "core/rm_internal.h"
#include "routprotd/log.h"
#include "routprotd/prefix.h"

#define COMP "fib"
#define AUDIT_DELAY_MS 100

static int route_cmp(const struct rp_avl_node *a, const struct rp_avl_node *b)
{
	const struct rm_route *x = rp_avl_entry(a, struct rm_route, node);
	const struct rm_route *y = rp_avl_entry(b, struct rm_route, node);

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return (int)x->len - (int)y->len;
}

static struct rm_route *find_route(const struct rm *rm, uint32_t prefix, uint8_t len)
{
	struct rm_route key = { .prefix = prefix, .len = len };
	struct rp_avl_node *n = rp_avl_find(&rm->routes, &key.node);

	return n ? rp_avl_entry(n, struct rm_route, node) : NULL;
}

static struct rm_route *get_route(struct rm *rm, uint32_t prefix, uint8_t len)
{
	struct rm_route *r = find_route(rm, prefix, len);

	if (r)
		return r;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->prefix = prefix;
	r->len = len;
	rp_avl_insert(&rm->routes, &r->node);
	return r;
}

static const struct rm_cand *best_cand(const struct rm_route *r)
{
	const struct rm_cand *best = NULL;

	for (const struct rm_cand *c = r->cands; c; c = c->next)
		if (!best || c->preference < best->preference ||
		    (c->preference == best->preference && c->metric < best->metric))
			best = c;
	return best;
}

static void write_route(struct rm *rm, struct rm_route *r, const struct rm_cand *c)
{
	struct rm_fib_route fr = { .prefix = r->prefix, .len = r->len, .protocol = c->kproto,
				   .nnexthops = c->nnexthops, .replace = r->ours };

	memcpy(fr.nexthops, c->nexthops, c->nnexthops * sizeof(c->nexthops[0]));
	if (rm->fib)
		rm->fib->install(rm->fib_arg, &fr);
	/* A different protocol number is a different kernel route only if the priority
	 * differs; ours is fixed, so REPLACE takes the old one's place. */
	r->last_replace = r->ours;
	r->ours = true;
	r->fib_state = RM_FIB_INSTALLED;
	r->fib_proto = c->kproto;
	r->fib_error = 0;
	rm->counters.fib_installs++;
}

static void erase_route(struct rm *rm, struct rm_route *r)
{
	if (r->fib_state != RM_FIB_NONE && rm->fib)
		rm->fib->remove(rm->fib_arg, r->prefix, r->len, r->fib_proto);
	if (r->fib_state != RM_FIB_NONE)
		rm->counters.fib_removals++;
	r->fib_state = RM_FIB_NONE;
	r->fib_proto = 0;
	r->ours = false;
}

/* Out of the kernel and the table. */
static void drop_route(struct rm *rm, struct rm_route *r)
{
	erase_route(rm, r);
	rp_avl_remove(&rm->routes, &r->node);
	free(r);
}

/* Bring the kernel in line with the route's best candidate; frees the route when empty. */
static void sync_route(struct rm *rm, struct rm_route *r)
{
	const struct rm_cand *best = best_cand(r);

	if (best) {
		write_route(rm, r, best);
		return;
	}
	if (r->fib_state == RM_FIB_STALE)
		return; /* kept until the stale timer */
	drop_route(rm, r);
}

static struct rm_cand *take_cand(struct rm_route *r, uint8_t source)
{
	for (struct rm_cand **pp = &r->cands; *pp; pp = &(*pp)->next) {
		struct rm_cand *c = *pp;

		if (c->source == source) {
			*pp = c->next;
			return c;
		}
	}
	return NULL;
}

enum rp_result rm_route_set(struct rm *rm, uint8_t source, uint8_t kproto, uint16_t preference,
			    const struct rp_route *rt)
{
	unsigned n = rt->nexthop_count;
	struct rm_route *r;
	struct rm_cand *c;

	if (rt->prefixlen > 32 || n == 0 || n > RP_MAX_NEXTHOPS ||
	    (rt->prefix & ~rp_prefix4_mask(rt->prefixlen)))
		return ERROR_INVALID_PARAMETER;
	r = get_route(rm, rt->prefix, rt->prefixlen);
	c = malloc(sizeof(*c) + n * sizeof(c->nexthops[0]));
	if (!r || !c) {
		free(c);
		rp_log_error(COMP, "out of memory: route not taken");
		return ERROR_CAN_NOT_COMPLETE;
	}
	*c = (struct rm_cand){ .source = source, .kproto = kproto, .preference = preference,
			       .metric = rt->metric, .tag = rt->tag, .nnexthops = n };
	memcpy(c->nexthops, rt->nexthops, n * sizeof(c->nexthops[0]));
	free(take_cand(r, source));
	c->next = r->cands;
	r->cands = c;
	sync_route(rm, r);
	return NO_ERROR;
}

void rm_route_unset(struct rm *rm, uint8_t source, uint32_t prefix, uint8_t len)
{
	struct rm_route *r = find_route(rm, prefix, len);
	struct rm_cand *c = r ? take_cand(r, source) : NULL;

	if (!c)
		return;
	free(c);
	sync_route(rm, r);
}

bool rm_route_held(const struct rm *rm, uint32_t prefix, uint8_t len)
{
	return find_route(rm, prefix, len) != NULL;
}

bool rm_route_in_fib(const struct rm *rm, uint32_t prefix, uint8_t len)
{
	const struct rm_route *r = find_route(rm, prefix, len);

	return r && (r->fib_state == RM_FIB_INSTALLED || r->fib_state == RM_FIB_STALE);
}

/* ---- feedback from the FIB writer ---- */

void rm_fib_write_failed(struct rm *rm, uint32_t prefix, uint8_t len, uint8_t protocol,
			 bool install, int error)
{
	struct rm_route *r = find_route(rm, prefix, len);
	static struct rp_log_ratelimit rl = RP_LOG_RATELIMIT_INIT(10, 10000);
	char p[RP_PREFIX4_STRLEN];

	if (!install && error == ESRCH)
		return; /* already gone (flushed by the kernel): what we wanted */
	rm->counters.fib_failures++;
	if (install && error == EEXIST) /* the FIB writer has read the kernel's route: not ours */
		rp_log_rl(&rl, RP_LOG_WARNING, COMP, "%s: the kernel has another protocol's route with "
		       "our table and priority; leaving it alone", rp_prefix4_format(prefix, len, p));
	else
		rp_log_rl(&rl, RP_LOG_WARNING, COMP, "kernel refused to %s %s: %s",
		       install ? "install" : "remove", rp_prefix4_format(prefix, len, p),
		       strerror(error));
	if (r && install && r->fib_proto == protocol) {
		r->fib_state = RM_FIB_FAILED; /* retried by the audit after the next link change */
		r->fib_error = error;
		r->ours = r->last_replace; /* a refused create left nothing of ours */
	}
}

void rm_fib_own_route_deleted(struct rm *rm, uint32_t prefix, uint8_t len, uint8_t protocol)
{
	struct rm_route *r = find_route(rm, prefix, len);
	const struct rm_cand *best = r ? best_cand(r) : NULL;
	char p[RP_PREFIX4_STRLEN];

	if (!r || r->fib_proto != protocol)
		return;
	rm->counters.fib_external_deletes++;
	r->ours = false;
	if (!best) {
		r->fib_state = RM_FIB_NONE;
		sync_route(rm, r);
		return;
	}
	rp_log_notice(COMP, "%s was deleted from the kernel by someone else: reinstalling",
		   rp_prefix4_format(prefix, len, p));
	write_route(rm, r, best);
}

/* Our place in the kernel (table, priority) is taken by another protocol's route, or free again.
 * A replaced route of ours is left to the newcomer, as a refused create is; both are written
 * again once the place is free. */
void rm_fib_foreign_route(struct rm *rm, uint32_t prefix, uint8_t len, uint8_t protocol,
			  bool taken)
{
	struct rm_route *r = find_route(rm, prefix, len);
	const struct rm_cand *best = r ? best_cand(r) : NULL;
	char p[RP_PREFIX4_STRLEN];

	if (!r)
		return;
	if (!taken) {
		if (r->fib_state == RM_FIB_FAILED && r->fib_error == EEXIST && best) {
			rp_log_notice(COMP, "%s: the other protocol's route is gone: installing ours",
				   rp_prefix4_format(prefix, len, p));
			write_route(rm, r, best);
		}
		return;
	}
	if (r->fib_state != RM_FIB_INSTALLED && r->fib_state != RM_FIB_STALE)
		return;
	rm->counters.fib_taken_over++;
	rp_log_notice(COMP, "%s: replaced in the kernel by a route of protocol %u; leaving it alone "
		   "until it goes", rp_prefix4_format(prefix, len, p), protocol);
	r->ours = false;
	if (!best) {
		r->fib_state = RM_FIB_NONE;
		sync_route(rm, r);
		return;
	}
	r->fib_state = RM_FIB_FAILED;
	r->fib_error = EEXIST;
}

/* ---- audits after links changed ---- */

static void mark_present(void *arg, const struct rm_fib_route *fr)
{
	struct rm *rm = arg;
	struct rm_route *r = find_route(rm, fr->prefix, fr->len);

	if (r && r->fib_proto == fr->protocol)
		r->audit_seen = true;
}

static void audit(evutil_socket_t fd, short what, void *arg)
{
	struct rm *rm = arg;
	bool full = rm->audit_full;

	rm->audit_full = false;
	rm->counters.fib_audits++;
	if (full)
		rm_redist_kernel_reload(rm); /* their routes were flushed without notice too */
	if (full && rm->fib && rm->fib->dump_own(rm->fib_arg, mark_present, rm) != 0)
		full = false;
	for (struct rp_avl_node *n = rp_avl_first(&rm->routes); n;) {
		struct rm_route *r = rp_avl_entry(n, struct rm_route, node);
		const struct rm_cand *best = best_cand(r);
		bool lost = full && r->fib_state == RM_FIB_INSTALLED && !r->audit_seen;
		/* a route left to another protocol's is written when that route goes, or when a
		 * flush may have taken it without a word; the kernel would refuse it otherwise */
		bool retry = r->fib_state == RM_FIB_FAILED && (full || r->fib_error != EEXIST);

		n = rp_avl_next(n);
		if (full)
			r->ours = r->audit_seen;
		r->audit_seen = false;
		if (best && (lost || retry)) {
			rm->counters.fib_reinstalled += lost;
			write_route(rm, r, best);
		}
	}
}

void rm_routes_link_event(struct rm *rm, bool may_have_flushed)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = AUDIT_DELAY_MS * 1000 };

	if (!rm->audit_timer || !rm->fib)
		return;
	rm->audit_full = rm->audit_full || may_have_flushed;
	if (!evtimer_pending(rm->audit_timer, NULL))
		evtimer_add(rm->audit_timer, &tv);
}

/* ---- start-up reconcile ---- */

static void adopt_stale(void *arg, const struct rm_fib_route *fr)
{
	struct rm *rm = arg;
	struct rm_route *r = get_route(rm, fr->prefix, fr->len);

	if (!r || r->cands)
		return;
	r->fib_state = RM_FIB_STALE;
	r->fib_proto = fr->protocol;
	r->ours = true;
	rm->counters.fib_stale_found++;
}

static void remove_stale(evutil_socket_t fd, short what, void *arg)
{
	struct rm *rm = arg;
	unsigned long n = 0;

	for (struct rp_avl_node *node = rp_avl_first(&rm->routes); node;) {
		struct rm_route *r = rp_avl_entry(node, struct rm_route, node);

		node = rp_avl_next(node);
		if (r->fib_state != RM_FIB_STALE || r->cands)
			continue;
		drop_route(rm, r);
		n++;
	}
	rm->counters.fib_stale_removed += n;
	if (n)
		rp_log_info(COMP, "removed %lu routes left by a previous run and not relearned", n);
}

void rm_attach_fib(struct rm *rm, const struct rm_fib_ops *ops, void *arg)
{
	rm->fib = ops;
	rm->fib_arg = arg;
	if (ops->dump_own(arg, adopt_stale, rm) != 0)
		rp_log_warning(COMP, "cannot read our routes from the kernel");
	if (rm->counters.fib_stale_found)
		rp_log_info(COMP, "%llu routes of ours already in the kernel: kept while relearned",
			 (unsigned long long)rm->counters.fib_stale_found);
	rm_redist_kernel_reload(rm);
}

/* Arm the stale timer once the configuration (fib.stale-time) is known. */
static void arm_stale_timer(struct rm *rm, int seconds)
{
	struct timeval tv = { .tv_sec = seconds, .tv_usec = 0 };

	if (rm->stale_timer && rm->counters.fib_stale_found && !rm->started)
		evtimer_add(rm->stale_timer, &tv);
}

/* Table or priority changed (reload): move every route of ours. */
void rm_routes_apply_fib_config(struct rm *rm)
{
	const struct conf *c = rm->conf;
	bool moved = rm->started && (c->fib_table != rm->fib_table ||
				     c->fib_metric != rm->fib_metric);

	if (!rm->started)
		arm_stale_timer(rm, c->fib_stale_time);
	if (moved && rm->fib) {
		rp_log_notice(COMP, "moving routes to table %u, priority %u", c->fib_table,
			   c->fib_metric);
		for (struct rp_avl_node *n = rp_avl_first(&rm->routes); n;) {
			struct rm_route *r = rp_avl_entry(n, struct rm_route, node);

			n = rp_avl_next(n);
			if (r->cands)
				erase_route(rm, r);
			else /* left by a previous run: it goes with the old place */
				drop_route(rm, r);
		}
		rm->fib->flush(rm->fib_arg);
	}
	rm->fib_table = c->fib_table;
	rm->fib_metric = c->fib_metric;
	if (rm->fib)
		rm->fib->set_target(rm->fib_arg, c->fib_table, c->fib_metric);
	if (moved)
		for (struct rp_avl_node *n = rp_avl_first(&rm->routes); n; n = rp_avl_next(n)) {
			struct rm_route *r = rp_avl_entry(n, struct rm_route, node);
			const struct rm_cand *best = best_cand(r);

			if (best)
				write_route(rm, r, best);
		}
}

/* A source stopped (protocol unconfigured): its routes leave the table and the kernel. */
void rm_routes_drop_source(struct rm *rm, uint8_t source)
{
	for (struct rp_avl_node *n = rp_avl_first(&rm->routes); n;) {
		struct rm_route *r = rp_avl_entry(n, struct rm_route, node);
		struct rm_cand *c;

		n = rp_avl_next(n);
		c = take_cand(r, source);
		if (!c)
			continue;
		free(c);
		sync_route(rm, r);
	}
}

void rm_routes_set_preference(struct rm *rm, uint8_t source, uint16_t preference)
{
	for (struct rp_avl_node *n = rp_avl_first(&rm->routes); n;) {
		struct rm_route *r = rp_avl_entry(n, struct rm_route, node);
		const struct rm_cand *before = best_cand(r);

		n = rp_avl_next(n);
		for (struct rm_cand *c = r->cands; c; c = c->next)
			if (c->source == source)
				c->preference = preference;
		if (best_cand(r) != before)
			sync_route(rm, r);
	}
}

void rm_fib_lost_notifications(struct rm *rm)
{
	rp_log_warning(COMP, "kernel route notifications were lost: re-reading the table");
	rm_redist_kernel_reload(rm);
	rm_routes_link_event(rm, true);
}

void rm_routes_init(struct rm *rm)
{
	rp_avl_init(&rm->routes, route_cmp);
	rm->stale_timer = evtimer_new(rm->base, remove_stale, rm);
	rm->audit_timer = evtimer_new(rm->base, audit, rm);
}

/* At shutdown: our routes stay in the kernel (restart without loss) unless asked otherwise. */
void rm_routes_release(struct rm *rm, bool remove_from_kernel)
{
	for (struct rp_avl_node *n = rp_avl_first(&rm->routes); n;) {
		struct rm_route *r = rp_avl_entry(n, struct rm_route, node);

		n = rp_avl_next(n);
		if (remove_from_kernel && r->fib_proto != RM_PROTO_AUTOSTATIC)
			erase_route(rm, r); /* autostatic routes always stay */
		while (r->cands) {
			struct rm_cand *c = r->cands;

			r->cands = c->next;
			free(c);
		}
		rp_avl_remove(&rm->routes, &r->node);
		free(r);
	}
	if (remove_from_kernel && rm->fib)
		rm->fib->flush(rm->fib_arg);
}

void rm_routes_free(struct rm *rm)
{
	rm_routes_release(rm, false);
	if (rm->stale_timer)
		event_free(rm->stale_timer);
	if (rm->audit_timer)
		event_free(rm->audit_timer);
}
