/* SPDX-License-Identifier: ISC */
/*
 * rm_fixture.c — the router manager under test against the mock kernel (see rm_fixture.h).
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf/conf.h"
#include "routprotd/event_queue.h"
#include "core/rm_internal.h"
#include "routprotd/log.h"
#include "routprotd/prefix.h"
#include "rm_fixture.h"
#include "trace/trace.h"

struct fx fx;

static struct rp_protocol test_protocol;
static const struct rp_protocol *registry[] = { &test_protocol };
static struct rp_support support;   /* what the RM handed the test protocol */
static struct rp_event_queue events; /* UPDATE_COMPLETE posted by the test */
static char *redist_log;
static size_t redist_len;

/* ---- the test protocol: trace, plus a kernel protocol number and autostatic updates ---- */

static enum rp_result tp_start(const struct rp_support *s, const void *global, void **inst)
{
	support = *s;
	return trace_protocol.start_protocol(s, global, inst);
}

static enum rp_result tp_update_routes(void *inst, uint32_t index, unsigned timeout_s)
{
	fx.updates++;
	fx.update_ifindex = index;
	return NO_ERROR;
}

static enum rp_result tp_get_event(void *inst, enum rp_event_type *type, union rp_message *msg)
{
	if (rp_event_queue_pop(&events, type, msg) == NO_ERROR)
		return NO_ERROR;
	return trace_protocol.get_event_message(inst, type, msg);
}

static void quiet_sink(enum rp_log_level level, const char *line, void *arg)
{
}

void fx_setup(void)
{
	static const uint8_t own[] = { FX_PROTO, RM_PROTO_AUTOSTATIC };

	test_protocol = trace_protocol;
	test_protocol.protocol_id = FX_PROTO;
	test_protocol.flags |= RF_DEMAND_UPDATE_ROUTES;
	test_protocol.start_protocol = tp_start;
	test_protocol.do_update_routes = tp_update_routes;
	test_protocol.get_event_message = tp_get_event;
	rp_event_queue_init(&events);
	memset(&fx, 0, sizeof(fx));
	memset(&support, 0, sizeof(support));
	rp_log_set_sink(quiet_sink, NULL);
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/test_rm_fib.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fx.dir));
	snprintf(fx.state_dir, sizeof(fx.state_dir), "%s/state", fx.dir);
	ck_assert_int_eq(mkdir(fx.state_dir, 0750), 0);
	fx.base = event_base_new();
	fx.mk = mk_new(own, sizeof(own));
	fx.rm = rm_new(fx.base, registry, 1);
	ck_assert_ptr_nonnull(fx.rm);
	mk_set_rm(fx.mk, fx.rm);
}

void fx_teardown(void)
{
	char cmd[256];

	rm_free(fx.rm);
	mk_free(fx.mk);
	event_base_free(fx.base);
	rp_event_queue_clear(&events);
	free(redist_log);
	redist_log = NULL;
	redist_len = 0;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx.dir);
	ck_assert_int_eq(system(cmd), 0);
	rp_log_set_sink(NULL, NULL);
}

void fx_attach(void)
{
	rm_attach_fib(fx.rm, &mk_fib_ops, fx.mk);
	rm_autostatic_load(fx.rm, fx.state_dir);
}

void fx_config(const char *text)
{
	char path[128];
	struct rp_conf_diag diag;
	struct conf *c;
	FILE *f;

	snprintf(path, sizeof(path), "%s/routprotd.conf", fx.dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	rp_conf_diag_init(&diag, path);
	c = conf_load(path, registry, 1, &diag);
	for (size_t i = 0; i < diag.count; i++)
		fprintf(stderr, "%s\n", diag.messages[i]);
	rp_conf_diag_free(&diag);
	ck_assert_ptr_nonnull(c);
	ck_assert(rm_apply_config(fx.rm, c));
}

void fx_link(uint32_t ifindex, const char *name, bool up, bool carrier, uint32_t addr,
	     uint8_t len)
{
	struct rp_local_binding b = { .address = addr, .prefixlen = len };
	struct rm_link l = { .ifindex = ifindex, .name = name, .enabled = up,
			     .media_present = carrier, .mtu = 1500, .naddrs = addr ? 1 : 0,
			     .addrs = &b };

	rm_link_update(fx.rm, &l);
}

void fx_run(void)
{
	ck_assert_int_ge(event_base_loop(fx.base, EVLOOP_NONBLOCK), 0);
}

void fx_fire(struct event *ev)
{
	ck_assert(evtimer_pending(ev, NULL));
	event_del(ev);
	event_active(ev, EV_TIMEOUT, 1);
	fx_run();
}

struct timers {
	struct event *ev[16];
	unsigned n;
};

static int collect_timer(const struct event_base *b, const struct event *ev, void *arg)
{
	struct timers *t = arg;

	if (evtimer_pending(ev, NULL) && ev != fx.rm->audit_timer &&
	    ev != fx.rm->stale_timer && t->n < 16)
		t->ev[t->n++] = (struct event *)ev;
	return 0;
}

unsigned fx_fire_other_timers(void)
{
	struct timers t = { .n = 0 };

	ck_assert_int_eq(event_base_foreach_event(fx.base, collect_timer, &t), 0);
	for (unsigned i = 0; i < t.n; i++)
		fx_fire(t.ev[i]);
	return t.n;
}

/* ---- support calls ---- */

enum rp_result fx_route_ecmp(uint32_t prefix, uint8_t len, uint32_t metric, unsigned n,
			     const struct rp_nexthop *nh)
{
	struct rp_route r = { .prefix = prefix, .prefixlen = len, .metric = metric,
			      .nexthop_count = n };

	ck_assert_ptr_nonnull(support.route_add);
	memcpy(r.nexthops, nh, n * sizeof(*nh));
	return support.route_add(support.host, &r);
}

enum rp_result fx_route(uint32_t prefix, uint8_t len, uint32_t metric, uint32_t gw,
			uint32_t ifindex)
{
	struct rp_nexthop nh = { .gateway = gw, .ifindex = ifindex };

	return fx_route_ecmp(prefix, len, metric, 1, &nh);
}

void fx_unroute(uint32_t prefix, uint8_t len)
{
	ck_assert_int_eq(support.route_delete(support.host, prefix, len),
			 NO_ERROR);
}

static const char *source_name(enum rp_redist_source s)
{
	switch (s) {
	case RP_REDIST_CONNECTED: return "connected";
	case RP_REDIST_STATIC: return "static";
	case RP_REDIST_KERNEL: return "kernel";
	case RP_REDIST_AUTOSTATIC: return "autostatic";
	}
	return "?";
}

static void redist_changed(void *ctx, const struct rp_redist_route *r, bool withdrawn)
{
	char line[256], p[RP_PREFIX4_STRLEN], g[RP_ADDR4_STRLEN];
	size_t n = 0;
	char *grown;

	n += (size_t)snprintf(line + n, sizeof(line) - n, "%c %s %s", withdrawn ? '-' : '+',
			      rp_prefix4_format(r->prefix, r->prefixlen, p), source_name(r->source));
	if (r->type)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " type %d", (int)r->type);
	if (r->gateway)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " via %s",
				      rp_addr4_format(r->gateway, g));
	if (r->ifindex)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " if %u", r->ifindex);
	if (r->metric)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " metric %u", r->metric);
	grown = realloc(redist_log, redist_len + n + 2);
	ck_assert_ptr_nonnull(grown);
	redist_log = grown;
	memcpy(redist_log + redist_len, line, n);
	redist_len += n;
	redist_log[redist_len++] = '\n';
	redist_log[redist_len] = '\0';
}

void fx_subscribe(unsigned mask)
{
	ck_assert_int_eq(support.set_redistribution(support.host, mask,
						    redist_changed, NULL), NO_ERROR);
}

enum rp_result fx_update_route(uint32_t ifindex, uint32_t prefix, uint8_t len, uint32_t gw,
			       uint32_t metric)
{
	struct rp_route r = { .prefix = prefix, .prefixlen = len, .metric = metric,
			      .nexthop_count = 1,
			      .nexthops = { { .gateway = gw, .ifindex = ifindex } } };

	return support.update_route(support.host, ifindex, &r);
}

void fx_complete(uint32_t ifindex, enum rp_result status)
{
	union rp_message msg = { .update_complete = { .interface_index = ifindex,
						      .update_type = DEMAND_UPDATE_ROUTES,
						      .update_status = status } };

	ck_assert(rp_event_queue_post(&events, UPDATE_COMPLETE, &msg));
	support.signal_event(support.host);
	fx_run();
}

/* ---- expectations ---- */

void fx_expect_kernel(const char *want)
{
	char *got = mk_take_log(fx.mk);

	ck_assert_str_eq(got, want);
	free(got);
}

void fx_expect_redist(const char *want)
{
	ck_assert_str_eq(redist_log ? redist_log : "", want);
	free(redist_log);
	redist_log = NULL;
	redist_len = 0;
}
