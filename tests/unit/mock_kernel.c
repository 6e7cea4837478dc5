/* SPDX-License-Identifier: ISC */
/*
 * mock_kernel.c — the mock kernel FIB of the router manager's unit tests (see mock_kernel.h): a
 * small array of routes, a text log of the writes, failures queued until mk_settle().
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routprotd/prefix.h"
#include "mock_kernel.h"

#define MK_MAX_PENDING 64

struct mk_failure {
	uint32_t prefix;
	uint8_t len, protocol;
	bool install;
	int error;
};

struct mock_kernel {
	struct rm *rm;
	uint8_t own[8];
	size_t n_own;
	uint32_t table, priority;
	struct mk_route routes[MK_MAX_ROUTES];
	size_t n;
	struct mk_failure refuse[MK_MAX_PENDING]; /* installs to refuse (protocol unused) */
	size_t nrefuse;
	struct mk_failure pending[MK_MAX_PENDING]; /* failures not yet reported */
	size_t npending;
	unsigned clobbered;
	int fail_after; /* dumps fail after listing this many routes; -1: never */
	char *log;
	size_t loglen;
};

static void logf_(struct mock_kernel *mk, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct mock_kernel *mk, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	size_t n;
	char *g;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	g = realloc(mk->log, mk->loglen + n + 2);
	if (!g)
		abort();
	mk->log = g;
	memcpy(mk->log + mk->loglen, line, n);
	mk->loglen += n;
	mk->log[mk->loglen++] = '\n';
	mk->log[mk->loglen] = '\0';
}

static bool is_own(const struct mock_kernel *mk, uint8_t protocol)
{
	for (size_t i = 0; i < mk->n_own; i++)
		if (mk->own[i] == protocol)
			return true;
	return false;
}

static uint32_t priority_of(const struct mock_kernel *mk, const struct mk_route *r)
{
	return r->at_priority ? mk->priority : r->priority;
}

/* The route with this identity (table, prefix, priority), or NULL. */
static struct mk_route *lookup_at(struct mock_kernel *mk, uint32_t prefix, uint8_t len,
				  uint32_t priority)
{
	for (size_t i = 0; i < mk->n; i++)
		if (mk->routes[i].prefix == prefix && mk->routes[i].len == len &&
		    priority_of(mk, &mk->routes[i]) == priority)
			return &mk->routes[i];
	return NULL;
}

/* At our priority, or (at_priority false) the first at any other. */
static struct mk_route *lookup(struct mock_kernel *mk, uint32_t prefix, uint8_t len,
			       bool at_priority)
{
	for (size_t i = 0; i < mk->n; i++)
		if (mk->routes[i].prefix == prefix && mk->routes[i].len == len &&
		    mk->routes[i].at_priority == at_priority)
			return &mk->routes[i];
	return NULL;
}

static void drop(struct mock_kernel *mk, struct mk_route *r)
{
	*r = mk->routes[--mk->n];
}

static void store(struct mock_kernel *mk, const struct mk_route *r)
{
	struct mk_route *old = lookup_at(mk, r->prefix, r->len, priority_of(mk, r));

	if (!old) {
		if (mk->n == MK_MAX_ROUTES)
			abort();
		old = &mk->routes[mk->n++];
	}
	*old = *r;
}

static void fail_later(struct mock_kernel *mk, uint32_t prefix, uint8_t len, uint8_t protocol,
		       bool install, int error)
{
	if (mk->npending == MK_MAX_PENDING)
		abort();
	mk->pending[mk->npending++] = (struct mk_failure){ .prefix = prefix, .len = len,
		.protocol = protocol, .install = install, .error = error };
}

static int take_refusal(struct mock_kernel *mk, uint32_t prefix, uint8_t len)
{
	for (size_t i = 0; i < mk->nrefuse; i++)
		if (mk->refuse[i].prefix == prefix && mk->refuse[i].len == len) {
			int e = mk->refuse[i].error;

			mk->refuse[i] = mk->refuse[--mk->nrefuse];
			return e;
		}
	return 0;
}

static void format_nexthops(const struct rp_nexthop *nh, unsigned n, char *out, size_t cap)
{
	char a[RP_ADDR4_STRLEN];
	size_t used = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < n && used < cap; i++)
		used += (size_t)snprintf(out + used, cap - used, "%s%s@%u", i ? "," : "",
					 rp_addr4_format(nh[i].gateway, a), nh[i].ifindex);
}

/* ---- rm_fib_ops ---- */

static void op_install(void *arg, const struct rm_fib_route *fr)
{
	struct mock_kernel *mk = arg;
	struct mk_route *old = lookup(mk, fr->prefix, fr->len, true);
	struct mk_route r = { .prefix = fr->prefix, .len = fr->len, .protocol = fr->protocol,
			      .at_priority = true, .nnexthops = fr->nnexthops };
	char p[RP_PREFIX4_STRLEN], nh[RP_MAX_NEXTHOPS * 40];
	int refused = take_refusal(mk, fr->prefix, fr->len);

	format_nexthops(fr->nexthops, fr->nnexthops, nh, sizeof(nh));
	logf_(mk, "install %s proto %u %s %s", rp_prefix4_format(fr->prefix, fr->len, p),
	      fr->protocol, fr->replace ? "replace" : "create", nh);
	if (refused) {
		fail_later(mk, fr->prefix, fr->len, fr->protocol, true, refused);
		return;
	}
	/* A create that meets a route is decided by the writer: ours is replaced, another
	 * protocol's is refused. A replace takes whatever is there. */
	if (old && !is_own(mk, old->protocol)) {
		if (!fr->replace) {
			fail_later(mk, fr->prefix, fr->len, fr->protocol, true, EEXIST);
			return;
		}
		mk->clobbered++;
	}
	memcpy(r.nexthops, fr->nexthops, sizeof(r.nexthops));
	store(mk, &r);
}

static void op_remove(void *arg, uint32_t prefix, uint8_t len, uint8_t protocol)
{
	struct mock_kernel *mk = arg;
	struct mk_route *old = lookup(mk, prefix, len, true);
	char p[RP_PREFIX4_STRLEN];

	logf_(mk, "remove %s proto %u", rp_prefix4_format(prefix, len, p), protocol);
	if (!old || old->protocol != protocol) {
		fail_later(mk, prefix, len, protocol, false, ESRCH);
		return;
	}
	drop(mk, old);
}

static void op_flush(void *arg)
{
	logf_(arg, "flush");
}

static int op_dump_own(void *arg, void (*cb)(void *, const struct rm_fib_route *), void *cbarg)
{
	struct mock_kernel *mk = arg;

	int listed = 0;

	for (size_t i = 0; i < mk->n; i++) {
		const struct mk_route *r = &mk->routes[i];
		struct rm_fib_route fr = { .prefix = r->prefix, .len = r->len,
					   .protocol = r->protocol, .nnexthops = r->nnexthops };

		if (!r->at_priority || !is_own(mk, r->protocol))
			continue;
		if (listed++ == mk->fail_after)
			return -1;
		memcpy(fr.nexthops, r->nexthops, sizeof(fr.nexthops));
		cb(cbarg, &fr);
	}
	return listed == mk->fail_after ? -1 : 0;
}

static struct rm_kernel_route as_kernel(const struct mock_kernel *mk,
					 const struct mk_route *r)
{
	return (struct rm_kernel_route){ .prefix = r->prefix, .len = r->len,
					 .protocol = r->protocol, .type = r->type,
					 .priority = priority_of(mk, r),
					 .gateway = r->nnexthops ? r->nexthops[0].gateway : 0,
					 .ifindex = r->nnexthops ? r->nexthops[0].ifindex : 0 };
}

static int op_dump_kernel(void *arg, void (*cb)(void *, const struct rm_kernel_route *),
			  void *cbarg)
{
	struct mock_kernel *mk = arg;

	int listed = 0;

	for (size_t i = 0; i < mk->n; i++) {
		struct rm_kernel_route kr = as_kernel(mk, &mk->routes[i]);

		if (is_own(mk, mk->routes[i].protocol))
			continue;
		if (listed++ == mk->fail_after)
			return -1;
		cb(cbarg, &kr);
	}
	return listed == mk->fail_after ? -1 : 0;
}

static void op_set_target(void *arg, uint32_t table, uint32_t priority)
{
	struct mock_kernel *mk = arg;

	if (table == mk->table && priority == mk->priority)
		return;
	logf_(mk, "target %u %u", table, priority);
	mk->table = table;
	mk->priority = priority;
}

const struct rm_fib_ops mk_fib_ops = {
	.install = op_install,
	.remove = op_remove,
	.flush = op_flush,
	.dump_own = op_dump_own,
	.dump_kernel = op_dump_kernel,
	.set_target = op_set_target,
};

/* ---- the test's side ---- */

struct mock_kernel *mk_new(const uint8_t *own, size_t n_own)
{
	struct mock_kernel *mk = calloc(1, sizeof(*mk));

	if (!mk || n_own > sizeof(mk->own))
		abort();
	memcpy(mk->own, own, n_own);
	mk->n_own = n_own;
	mk->fail_after = -1;
	return mk;
}

void mk_free(struct mock_kernel *mk)
{
	if (!mk)
		return;
	free(mk->log);
	free(mk);
}

void mk_set_rm(struct mock_kernel *mk, struct rm *rm)
{
	mk->rm = rm;
}

char *mk_take_log(struct mock_kernel *mk)
{
	char *s = mk->log ? mk->log : strdup("");

	mk->log = NULL;
	mk->loglen = 0;
	return s;
}

const struct mk_route *mk_find(const struct mock_kernel *mk, uint32_t prefix, uint8_t len)
{
	return lookup((struct mock_kernel *)mk, prefix, len, true);
}

size_t mk_count(const struct mock_kernel *mk)
{
	return mk->n;
}

unsigned mk_clobbered(const struct mock_kernel *mk)
{
	return mk->clobbered;
}

uint32_t mk_table(const struct mock_kernel *mk)
{
	return mk->table;
}

uint32_t mk_priority(const struct mock_kernel *mk)
{
	return mk->priority;
}

void mk_refuse_next(struct mock_kernel *mk, uint32_t prefix, uint8_t len, int error)
{
	if (mk->nrefuse == MK_MAX_PENDING)
		abort();
	mk->refuse[mk->nrefuse++] = (struct mk_failure){ .prefix = prefix, .len = len,
							 .error = error };
}

void mk_settle(struct mock_kernel *mk)
{
	while (mk->npending) {
		struct mk_failure f = mk->pending[0];

		memmove(mk->pending, mk->pending + 1, --mk->npending * sizeof(f));
		rm_fib_write_failed(mk->rm, f.prefix, f.len, f.protocol, f.install, f.error);
	}
}

void mk_put(struct mock_kernel *mk, const struct mk_route *r)
{
	store(mk, r);
}

size_t mk_flush_link(struct mock_kernel *mk, uint32_t ifindex)
{
	size_t n = 0;

	for (size_t i = 0; i < mk->n;) {
		if (mk->routes[i].nnexthops && mk->routes[i].nexthops[0].ifindex == ifindex) {
			drop(mk, &mk->routes[i]);
			n++;
		} else {
			i++;
		}
	}
	return n;
}

void mk_delete_own(struct mock_kernel *mk, uint32_t prefix, uint8_t len)
{
	struct mk_route *r = lookup(mk, prefix, len, true);
	uint8_t protocol;

	if (!r || !is_own(mk, r->protocol))
		abort();
	protocol = r->protocol;
	drop(mk, r);
	rm_fib_own_route_deleted(mk->rm, prefix, len, protocol);
}

void mk_foreign_add(struct mock_kernel *mk, const struct mk_route *r)
{
	struct rm_kernel_route kr = as_kernel(mk, r);

	store(mk, r);
	if (r->at_priority)
		rm_fib_foreign_route(mk->rm, r->prefix, r->len, r->protocol, true);
	rm_fib_kernel_route(mk->rm, &kr, false);
}

static void foreign_del(struct mock_kernel *mk, struct mk_route *r)
{
	struct rm_kernel_route kr;
	bool at_priority;

	if (!r || is_own(mk, r->protocol))
		abort();
	kr = as_kernel(mk, r);
	at_priority = r->at_priority;
	drop(mk, r);
	if (at_priority)
		rm_fib_foreign_route(mk->rm, kr.prefix, kr.len, kr.protocol, false);
	rm_fib_kernel_route(mk->rm, &kr, true);
}

void mk_foreign_del(struct mock_kernel *mk, uint32_t prefix, uint8_t len, bool at_priority)
{
	foreign_del(mk, lookup(mk, prefix, len, at_priority));
}

void mk_foreign_del_at(struct mock_kernel *mk, uint32_t prefix, uint8_t len, uint32_t priority)
{
	foreign_del(mk, lookup_at(mk, prefix, len, priority));
}

void mk_fail_dumps(struct mock_kernel *mk, bool fail)
{
	mk->fail_after = fail ? 0 : -1;
}

void mk_fail_dumps_after(struct mock_kernel *mk, unsigned n)
{
	mk->fail_after = (int)n;
}
