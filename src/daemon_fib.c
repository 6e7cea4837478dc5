/* SPDX-License-Identifier: ISC */
/*
 * daemon_fib.c — the glue between the router manager's view of the kernel FIB (rm_fib_ops, in
 * src/core, which knows no netlink) and the netlink FIB writer (src/linux/fib.c), both ways.
 */
#include "config.h"

#include <string.h>

#include <linux/rtnetlink.h>

#include "core/rm.h"
#include "daemon_fib.h"
#include "linux/fib.h"

static void to_fib(const struct rm_fib_route *in, struct fib_route *out)
{
	*out = (struct fib_route){ .prefix = in->prefix, .len = in->len, .protocol = in->protocol,
				   .replace = in->replace, .nnexthops = in->nnexthops };
	memcpy(out->nexthops, in->nexthops, sizeof(out->nexthops));
}

static void from_fib(const struct fib_route *in, struct rm_fib_route *out)
{
	*out = (struct rm_fib_route){ .prefix = in->prefix, .len = in->len,
				      .protocol = in->protocol, .nnexthops = in->nnexthops };
	memcpy(out->nexthops, in->nexthops, sizeof(out->nexthops));
}

static void op_install(void *arg, const struct rm_fib_route *r)
{
	struct fib_route fr;

	to_fib(r, &fr);
	fib_install(arg, &fr);
}

static void op_remove(void *arg, uint32_t prefix, uint8_t len, uint8_t protocol)
{
	fib_remove(arg, prefix, len, protocol);
}

static void op_flush(void *arg)
{
	fib_flush(arg);
}

struct dump_ctx {
	void (*own)(void *, const struct rm_fib_route *);
	void (*kernel)(void *, const struct rm_kernel_route *);
	void *arg;
};

static void own_cb(void *arg, const struct fib_route *r)
{
	struct dump_ctx *d = arg;
	struct rm_fib_route rr;

	from_fib(r, &rr);
	d->own(d->arg, &rr);
}

static int op_dump_own(void *arg, void (*cb)(void *, const struct rm_fib_route *), void *cbarg)
{
	struct dump_ctx d = { .own = cb, .arg = cbarg };

	return fib_dump_own(arg, own_cb, &d);
}

static enum rp_route_type route_type(uint8_t rtm_type)
{
	switch (rtm_type) {
	case RTN_BLACKHOLE: return RP_ROUTE_BLACKHOLE;
	case RTN_UNREACHABLE: return RP_ROUTE_UNREACHABLE;
	case RTN_PROHIBIT: return RP_ROUTE_PROHIBIT;
	}
	return RP_ROUTE_UNICAST;
}

static void to_rm_kernel(const struct fib_kernel_route *r, struct rm_kernel_route *out)
{
	*out = (struct rm_kernel_route){ .prefix = r->prefix, .len = r->len,
					 .protocol = r->protocol, .type = route_type(r->rtm_type),
					 .gateway = r->gateway, .ifindex = r->ifindex,
					 .priority = r->priority };
}

static void kernel_cb(void *arg, const struct fib_kernel_route *r)
{
	struct dump_ctx *d = arg;
	struct rm_kernel_route kr;

	to_rm_kernel(r, &kr);
	d->kernel(d->arg, &kr);
}

static int op_dump_kernel(void *arg, void (*cb)(void *, const struct rm_kernel_route *),
			  void *cbarg)
{
	struct dump_ctx d = { .kernel = cb, .arg = cbarg };

	return fib_dump_kernel(arg, kernel_cb, &d);
}

static void op_set_target(void *arg, uint32_t table, uint32_t priority)
{
	fib_set_target(arg, table, priority);
}

const struct rm_fib_ops daemon_rm_fib_ops = {
	.install = op_install,
	.remove = op_remove,
	.flush = op_flush,
	.dump_own = op_dump_own,
	.dump_kernel = op_dump_kernel,
	.set_target = op_set_target,
};

/* ---- FIB writer → router manager ---- */

static void fib_write_failed(void *arg, uint32_t prefix, uint8_t len, uint8_t protocol,
			     bool install, int error)
{
	rm_fib_write_failed(arg, prefix, len, protocol, install, error);
}

static void fib_kernel_route(void *arg, const struct fib_kernel_route *r, bool removed)
{
	struct rm_kernel_route kr;

	to_rm_kernel(r, &kr);
	rm_fib_kernel_route(arg, &kr, removed);
}

static void fib_own_deleted(void *arg, uint32_t prefix, uint8_t len, uint8_t protocol)
{
	rm_fib_own_route_deleted(arg, prefix, len, protocol);
}

static void fib_foreign_at_priority(void *arg, uint32_t prefix, uint8_t len, uint8_t protocol,
				    bool taken)
{
	rm_fib_foreign_route(arg, prefix, len, protocol, taken);
}

static void fib_overrun(void *arg)
{
	rm_fib_lost_notifications(arg);
}

const struct fib_ops daemon_fib_ops = {
	.write_failed = fib_write_failed,
	.kernel_route = fib_kernel_route,
	.own_route_deleted = fib_own_deleted,
	.foreign_at_priority = fib_foreign_at_priority,
	.watch_overrun = fib_overrun,
};
