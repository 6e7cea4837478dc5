/* SPDX-License-Identifier: ISC */
/*
 * test_fib.c — the FIB writer against the real kernel. Every test runs in its own network
 * namespace (Check forks each test; the test unshares CLONE_NEWNET) with lo up and veth pairs
 * va/vb (198.18.0.1/24 on va) and vc/vd (198.18.1.1/24 on vc), all ends up. Addresses come from
 * 198.18.0.0/15 only. Without the privilege to unshare (not root) only the tests that need no
 * kernel run and the program exits 77 (SKIP); as root, failing to unshare is a failure.
 */
#include "config.h"

#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/rtnetlink.h>

#include <event2/event.h>

#include "routprotd/log.h"
#include "routprotd/prefix.h"
#include "linux/fib.h"
#include "linux/fib_queue.h"

#define PROTO_RIP RTPROT_RIP_NUM
#define PROTO_AUTOSTATIC 210
#define PROTO_STATIC 4
#define TABLE 100
#define PRIO 20
#define MAX_FAILS 64

static const uint8_t own_protocols[] = { PROTO_RIP, PROTO_AUTOSTATIC };

/* Fault injection: the next `n` sendmsg calls of this process fail with ENOBUFS before reaching
 * the kernel (the FIB writer must keep the batch and retry). Everything else goes through. A
 * script of shell commands can run around the next sendmsg calls, one step each (before it, and
 * after it: the kernel has answered by then), to change the table between a write, the answer
 * and what the writer does about it. */
struct around {
	const char *before, *after;
};
static unsigned sendmsg_failures;
static const struct around *around_sendmsg;
static unsigned around_steps;

static void run_step(const char *cmd)
{
	if (cmd)
		ck_assert_msg(system(cmd) == 0, "`%s` failed", cmd);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	static ssize_t (*real)(int, const struct msghdr *, int);
	const struct around *step = NULL;
	ssize_t n;
	int e;

	if (sendmsg_failures > 0) {
		sendmsg_failures--;
		errno = ENOBUFS;
		return -1;
	}
	if (!real)
		real = (ssize_t (*)(int, const struct msghdr *, int))dlsym(RTLD_NEXT, "sendmsg");
	if (around_steps > 0) {
		step = around_sendmsg++;
		around_steps--;
		run_step(step->before);
	}
	n = real(fd, msg, flags);
	e = errno;
	if (step)
		run_step(step->after);
	errno = e;
	return n;
}

struct failure {
	uint32_t prefix;
	uint8_t len, protocol;
	bool install;
	int error;
};

/* Everything the callbacks saw. */
struct rec {
	struct fib *f;        /* set: write_failed installs an on-link fallback through ... */
	uint32_t fallback_if; /* ... this interface */
	unsigned nfails;
	struct failure fails[MAX_FAILS];
	unsigned kernel_added, kernel_removed;
	struct fib_kernel_route last_kernel;
	unsigned own_deleted;
	uint32_t own_deleted_prefix;
	uint8_t own_deleted_len, own_deleted_protocol;
	unsigned overruns;
};

struct ctx {
	struct event_base *base;
	struct fib *f;
	struct rec rec;
	uint32_t va, vc; /* ifindexes */
};

static void on_write_failed(void *arg, uint32_t prefix, uint8_t len, uint8_t protocol,
			    bool install, int error)
{
	struct rec *r = arg;

	if (r->nfails < MAX_FAILS)
		r->fails[r->nfails] = (struct failure){ prefix, len, protocol, install, error };
	r->nfails++;
	if (r->f && install) {
		struct fib_route fb = { .prefix = prefix, .len = len, .protocol = protocol,
					.nnexthops = 1 };

		fb.nexthops[0].ifindex = r->fallback_if;
		fib_install(r->f, &fb); /* re-entering from inside a batch */
		fib_flush(r->f);        /* must not disturb the batch being reported */
	}
}

static void on_kernel_route(void *arg, const struct fib_kernel_route *kr, bool removed)
{
	struct rec *r = arg;

	if (removed)
		r->kernel_removed++;
	else
		r->kernel_added++;
	r->last_kernel = *kr;
}

static void on_own_deleted(void *arg, uint32_t prefix, uint8_t len, uint8_t protocol)
{
	struct rec *r = arg;

	r->own_deleted++;
	r->own_deleted_prefix = prefix;
	r->own_deleted_len = len;
	r->own_deleted_protocol = protocol;
}

static void on_overrun(void *arg)
{
	((struct rec *)arg)->overruns++;
}

static const struct fib_ops ops = {
	.write_failed = on_write_failed,
	.kernel_route = on_kernel_route,
	.own_route_deleted = on_own_deleted,
	.watch_overrun = on_overrun,
};

/* ---- environment ---- */

static void sh(const char *cmd)
{
	int rc = system(cmd);

	ck_assert_msg(rc == 0, "`%s` failed (%d)", cmd, rc);
}

/* A private namespace with the veth pairs (main() has checked that one can be created). */
static void netns_setup(void)
{
	ck_assert_msg(unshare(CLONE_NEWNET) == 0, "unshare(CLONE_NEWNET): %s", strerror(errno));
	sh("ip link set lo up");
	sh("ip link add va type veth peer name vb");
	sh("ip link add vc type veth peer name vd");
	sh("ip addr add 198.18.0.1/24 dev va");
	sh("ip addr add 198.18.1.1/24 dev vc");
	sh("for l in va vb vc vd; do ip link set $l up || exit 1; done");
}

static uint32_t addr(const char *s)
{
	uint32_t a = 0;

	ck_assert_msg(rp_addr4_parse(s, &a), "bad address %s", s);
	return a;
}

static void ctx_open(struct ctx *c, uint32_t table, uint32_t priority)
{
	char err[256] = "";

	memset(c, 0, sizeof(*c));
	netns_setup();
	c->va = if_nametoindex("va");
	c->vc = if_nametoindex("vc");
	ck_assert(c->va && c->vc);
	c->base = event_base_new();
	ck_assert_ptr_nonnull(c->base);
	c->f = fib_new(c->base, table, priority, own_protocols, 2, &ops, &c->rec, err,
		       sizeof(err));
	ck_assert_msg(c->f != NULL, "fib_new: %s", err);
}

static void ctx_close(struct ctx *c)
{
	fib_free(c->f);
	event_base_free(c->base);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t stat_of(struct fib *f, const char *key)
{
	json_t *st = json_object();
	json_t *v;
	uint64_t out;

	fib_status_json(f, st);
	v = json_object_get(json_object_get(st, "fib"), key);
	ck_assert_msg(json_is_integer(v), "no fib.%s in the status", key);
	out = (uint64_t)json_integer_value(v);
	json_decref(st);
	return out;
}

/* Run the loop until the write queue is empty. */
static void drain(struct ctx *c)
{
	int64_t until = now_ms() + 60000;

	while (stat_of(c->f, "queued") > 0 && now_ms() < until)
		event_base_loop(c->base, EVLOOP_ONCE);
	ck_assert_uint_eq(stat_of(c->f, "queued"), 0);
}

/* Run the loop (non-blocking) until *counter reaches want or `ms` pass. */
static void pump_for(struct ctx *c, const unsigned *counter, unsigned want, int64_t ms)
{
	int64_t until = now_ms() + ms;

	do {
		event_base_loop(c->base, EVLOOP_NONBLOCK);
		if (*counter >= want)
			return;
		usleep(2000);
	} while (now_ms() < until);
}

static void pump_until(struct ctx *c, const unsigned *counter, unsigned want)
{
	pump_for(c, counter, want, 2000);
}

/* Run the loop for a while so that anything pending arrives (the kernel queues notifications
 * before the change that caused them returns, so this is generous). */
static void settle(struct ctx *c)
{
	unsigned never = 0;

	pump_for(c, &never, 1, 200);
}

/* ---- routes and dumps ---- */

static struct fib_route route1(const char *pfx, const char *gw, uint32_t ifindex, uint8_t proto)
{
	struct fib_route r = { .protocol = proto, .nnexthops = 1 };
	struct rp_prefix4 p;

	ck_assert(rp_prefix4_parse(pfx, &p, false));
	r.prefix = p.addr;
	r.len = p.len;
	r.nexthops[0].gateway = gw ? addr(gw) : 0;
	r.nexthops[0].ifindex = ifindex;
	return r;
}

struct own_list {
	size_t n, cap;
	struct fib_route *r;
};

static void collect_own(void *arg, const struct fib_route *r)
{
	struct own_list *l = arg;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->r = realloc(l->r, l->cap * sizeof(*l->r));
		ck_assert_ptr_nonnull(l->r);
	}
	l->r[l->n++] = *r;
}

static const struct fib_route *find_own(const struct own_list *l, const char *pfx)
{
	struct rp_prefix4 p;

	ck_assert(rp_prefix4_parse(pfx, &p, false));
	for (size_t i = 0; i < l->n; i++) {
		if (l->r[i].prefix == p.addr && l->r[i].len == p.len)
			return &l->r[i];
	}
	return NULL;
}

static void dump_own(struct ctx *c, struct own_list *l)
{
	free(l->r);
	memset(l, 0, sizeof(*l));
	ck_assert_int_eq(fib_dump_own(c->f, collect_own, l), 0);
}

struct kernel_list {
	size_t n;
	struct fib_kernel_route r[64];
};

static void collect_kernel(void *arg, const struct fib_kernel_route *r)
{
	struct kernel_list *l = arg;

	if (l->n < 64)
		l->r[l->n++] = *r;
}

static const struct fib_kernel_route *find_kernel(const struct kernel_list *l, const char *pfx)
{
	struct rp_prefix4 p;

	ck_assert(rp_prefix4_parse(pfx, &p, false));
	for (size_t i = 0; i < l->n; i++) {
		if (l->r[i].prefix == p.addr && l->r[i].len == p.len)
			return &l->r[i];
	}
	return NULL;
}

/* True when `ip -N route show` prints a line for the query that contains `needle`. Numbers
 * only (-N): protocol names depend on the rt_protos files installed (`proto 210` becomes
 * `proto autostatic` once routprotd is installed), route types, scopes and protocols are
 * compared as the numbers the kernel holds. */
static bool ip_route_has(const char *query, const char *needle)
{
	char cmd[256], line[512];
	bool found = false;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ip -N -4 route show %s", query);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (fgets(line, sizeof(line), p)) {
		if (strstr(line, needle))
			found = true;
	}
	pclose(p);
	return found;
}


#define BULK_ROUTES 100000u

/* Route i of the bulk set: every /32 of 198.19.0.0/16 and 198.18.128.0/17 (98,304), then /31s
 * of 198.18.128.0/17 for the rest. */
static void bulk_route(unsigned i, uint32_t va, struct fib_route *r)
{
	memset(r, 0, sizeof(*r));
	r->protocol = PROTO_RIP;
	r->nnexthops = 1;
	r->nexthops[0].gateway = 0xc6120002u; /* 198.18.0.2 */
	r->nexthops[0].ifindex = va;
	if (i < 65536u) {
		r->prefix = 0xc6130000u + i;
		r->len = 32;
	} else if (i < 65536u + 32768u) {
		r->prefix = 0xc6128000u + (i - 65536u);
		r->len = 32;
	} else {
		r->prefix = 0xc6128000u + 2 * (i - 98304u);
		r->len = 31;
	}
}

/* ---- tests ---- */

START_TEST(install_single_and_multipath)
{
	struct fib_route single, onlink, mp;
	struct own_list l = { 0 };
	const struct fib_route *r;
	struct ctx c;

	ctx_open(&c, TABLE, PRIO);
	single = route1("198.18.10.0/24", "198.18.0.2", c.va, PROTO_RIP);
	onlink = route1("198.18.11.0/24", NULL, c.va, PROTO_AUTOSTATIC);
	mp = route1("198.18.12.0/24", "198.18.0.2", c.va, PROTO_RIP);
	mp.nnexthops = 2;
	mp.nexthops[1].gateway = addr("198.18.1.2");
	mp.nexthops[1].ifindex = c.vc;
	fib_install(c.f, &single);
	fib_install(c.f, &onlink);
	fib_install(c.f, &mp);
	ck_assert_uint_eq(stat_of(c.f, "queued"), 3);
	ck_assert_uint_eq(stat_of(c.f, "messages"), 0); /* nothing before the loop runs */
	drain(&c);
	ck_assert_uint_eq(stat_of(c.f, "batches"), 1);
	ck_assert_uint_eq(stat_of(c.f, "messages"), 3);
	ck_assert_uint_eq(c.rec.nfails, 0);

	dump_own(&c, &l);
	ck_assert_uint_eq(l.n, 3);
	r = find_own(&l, "198.18.10.0/24");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->protocol, PROTO_RIP);
	ck_assert_uint_eq(r->nnexthops, 1);
	ck_assert_uint_eq(r->nexthops[0].gateway, addr("198.18.0.2"));
	ck_assert_uint_eq(r->nexthops[0].ifindex, c.va);
	r = find_own(&l, "198.18.11.0/24");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->protocol, PROTO_AUTOSTATIC);
	ck_assert_uint_eq(r->nnexthops, 1);
	ck_assert_uint_eq(r->nexthops[0].gateway, 0);
	ck_assert_uint_eq(r->nexthops[0].ifindex, c.va);
	r = find_own(&l, "198.18.12.0/24");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->nnexthops, 2);
	ck_assert_uint_eq(r->nexthops[0].gateway, addr("198.18.0.2"));
	ck_assert_uint_eq(r->nexthops[0].ifindex, c.va);
	ck_assert_uint_eq(r->nexthops[1].gateway, addr("198.18.1.2"));
	ck_assert_uint_eq(r->nexthops[1].ifindex, c.vc);

	/* The kernel's own view: protocol, priority, scope, weights. */
	ck_assert(ip_route_has("table 100 198.18.10.0/24",
			       "via 198.18.0.2 dev va proto 189 metric 20"));
	ck_assert(ip_route_has("table 100 198.18.11.0/24",
			       "dev va proto 210 scope 253 metric 20"));
	ck_assert(ip_route_has("table 100 198.18.12.0/24", "proto 189 metric 20"));
	ck_assert(ip_route_has("table 100 198.18.12.0/24", "via 198.18.0.2 dev va weight 1"));
	ck_assert(ip_route_has("table 100 198.18.12.0/24", "via 198.18.1.2 dev vc weight 1"));
	ck_assert(!ip_route_has("table main", "198.18.10.0/24"));
	free(l.r);
	ctx_close(&c);
}
END_TEST

START_TEST(replace_and_remove)
{
	struct own_list l = { 0 };
	struct fib_route a;
	struct ctx c;

	ctx_open(&c, TABLE, PRIO);
	/* Two writes in one burst: the second supersedes the first. */
	a = route1("198.18.40.0/24", "198.18.0.2", c.va, PROTO_RIP);
	fib_install(c.f, &a);
	a.nexthops[0].gateway = addr("198.18.0.3");
	fib_install(c.f, &a);
	ck_assert_uint_eq(stat_of(c.f, "queued"), 1);
	ck_assert_uint_eq(stat_of(c.f, "superseded"), 1);
	drain(&c);
	ck_assert_uint_eq(stat_of(c.f, "messages"), 1);
	dump_own(&c, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.r[0].nexthops[0].gateway, addr("198.18.0.3"));

	/* A create-only install meets the route already there (EEXIST): the kernel's route is
	 * read again, it is ours, so it is replaced (one route, new next hop, no failure)... */
	a = route1("198.18.40.0/24", "198.18.1.2", c.vc, PROTO_RIP);
	fib_install(c.f, &a);
	drain(&c);
	ck_assert_uint_eq(c.rec.nfails, 0);
	ck_assert_uint_eq(stat_of(c.f, "existing_ours_replaced"), 1);
	ck_assert_uint_eq(stat_of(c.f, "write_errors"), 0);
	dump_own(&c, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.r[0].nexthops[0].gateway, addr("198.18.1.2"));
	ck_assert_uint_eq(l.r[0].nexthops[0].ifindex, c.vc);

	/* ...and a replace takes its place directly. */
	a = route1("198.18.40.0/24", "198.18.0.3", c.va, PROTO_RIP);
	a.replace = true;
	fib_install(c.f, &a);
	drain(&c);
	dump_own(&c, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.r[0].nexthops[0].gateway, addr("198.18.0.3"));
	ck_assert_uint_eq(l.r[0].nexthops[0].ifindex, c.va);
	ck_assert_uint_eq(stat_of(c.f, "existing_ours_replaced"), 1);

	/* Remove it. */
	fib_remove(c.f, a.prefix, a.len, PROTO_RIP);
	drain(&c);
	dump_own(&c, &l);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_uint_eq(c.rec.nfails, 0);

	/* Install then remove in one burst: only the delete goes out, and finds nothing. */
	a = route1("198.18.41.0/24", "198.18.0.2", c.va, PROTO_RIP);
	fib_install(c.f, &a);
	fib_remove(c.f, a.prefix, a.len, PROTO_RIP);
	drain(&c);
	dump_own(&c, &l);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_uint_eq(c.rec.nfails, 1);
	ck_assert_uint_eq(c.rec.fails[0].prefix, a.prefix);
	ck_assert(!c.rec.fails[0].install);
	ck_assert_int_eq(c.rec.fails[0].error, ESRCH);
	ck_assert_uint_eq(stat_of(c.f, "removals_already_gone"), 1); /* counted apart */
	ck_assert_uint_eq(stat_of(c.f, "write_errors"), 0);
	settle(&c);
	ck_assert_uint_eq(c.rec.own_deleted, 0);
	ck_assert_uint_eq(stat_of(c.f, "deletes_in_flight"), 0);
	free(l.r);
	ctx_close(&c);
}
END_TEST

/* A route withdrawn and learned again before the queue went out: the install supersedes the
 * queued delete, so it meets our route still in the kernel. It is ours: replaced. */
START_TEST(delete_then_install_in_one_burst)
{
	struct own_list l = { 0 };
	struct fib_route a;
	struct ctx c;

	ctx_open(&c, TABLE, PRIO);
	a = route1("198.18.42.0/24", "198.18.0.2", c.va, PROTO_RIP);
	fib_install(c.f, &a);
	drain(&c);
	fib_remove(c.f, a.prefix, a.len, PROTO_RIP);
	a = route1("198.18.42.0/24", "198.18.1.2", c.vc, PROTO_RIP);
	fib_install(c.f, &a);
	ck_assert_uint_eq(stat_of(c.f, "superseded"), 1);
	drain(&c);
	ck_assert_uint_eq(c.rec.nfails, 0);
	ck_assert_uint_eq(stat_of(c.f, "existing_ours_replaced"), 1);
	dump_own(&c, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.r[0].nexthops[0].gateway, addr("198.18.1.2"));
	ck_assert_uint_eq(l.r[0].nexthops[0].ifindex, c.vc);
	free(l.r);
	ctx_close(&c);
}
END_TEST

/* Whose route an install meets is read from the kernel: our protocols (left by an earlier run,
 * or our other protocol) are replaced; another protocol's route of any type is left alone and
 * the failure reported, once per refused install. Where `ip route append` put two routes at
 * our priority, the first decides (a replace would take its place). */
START_TEST(existing_route_owner_decides)
{
	struct own_list l = { 0 };
	struct fib_route ours_left, other_own, foreign, blackhole, other_prio, foreign_first,
		ours_first;
	struct ctx c;

	ctx_open(&c, TABLE, PRIO);
	sh("ip route add 198.18.90.0/24 via 198.18.0.9 proto 189 table 100 metric 20");
	sh("ip route add 198.18.91.0/24 dev va proto 210 table 100 metric 20");
	sh("ip route add 198.18.92.0/24 via 198.18.0.9 proto static table 100 metric 20");
	sh("ip route add blackhole 198.18.93.0/24 proto 186 table 100 metric 20");
	sh("ip route add 198.18.94.0/24 via 198.18.0.9 proto static table 100 metric 21");
	sh("ip route add 198.18.97.0/24 via 198.18.0.9 proto static table 100 metric 20");
	sh("ip route append 198.18.97.0/24 via 198.18.0.8 proto 189 table 100 metric 20");
	sh("ip route add 198.18.98.0/24 via 198.18.0.8 proto 189 table 100 metric 20");
	sh("ip route append 198.18.98.0/24 via 198.18.0.9 proto static table 100 metric 20");
	ours_left = route1("198.18.90.0/24", "198.18.0.2", c.va, PROTO_RIP);
	other_own = route1("198.18.91.0/24", "198.18.1.2", c.vc, PROTO_RIP);
	foreign = route1("198.18.92.0/24", "198.18.0.2", c.va, PROTO_RIP);
	blackhole = route1("198.18.93.0/24", "198.18.0.2", c.va, PROTO_AUTOSTATIC);
	other_prio = route1("198.18.94.0/24", "198.18.0.2", c.va, PROTO_RIP);
	fib_install(c.f, &ours_left);
	fib_install(c.f, &other_own);
	fib_install(c.f, &foreign);
	fib_install(c.f, &blackhole);
	fib_install(c.f, &other_prio);
	foreign_first = route1("198.18.97.0/24", "198.18.0.2", c.va, PROTO_RIP);
	ours_first = route1("198.18.98.0/24", "198.18.0.2", c.va, PROTO_RIP);
	fib_install(c.f, &foreign_first);
	fib_install(c.f, &ours_first);
	drain(&c);

	ck_assert_uint_eq(c.rec.nfails, 3);
	ck_assert_uint_eq(c.rec.fails[0].prefix, foreign.prefix);
	ck_assert_uint_eq(c.rec.fails[0].protocol, PROTO_RIP);
	ck_assert(c.rec.fails[0].install);
	ck_assert_int_eq(c.rec.fails[0].error, EEXIST);
	ck_assert_uint_eq(c.rec.fails[1].prefix, blackhole.prefix);
	ck_assert_uint_eq(c.rec.fails[1].protocol, PROTO_AUTOSTATIC);
	ck_assert_int_eq(c.rec.fails[1].error, EEXIST);
	ck_assert_uint_eq(c.rec.fails[2].prefix, foreign_first.prefix);
	ck_assert_int_eq(c.rec.fails[2].error, EEXIST);
	ck_assert_uint_eq(stat_of(c.f, "existing_ours_replaced"), 3);
	ck_assert_uint_eq(stat_of(c.f, "existing_foreign_left"), 3);
	ck_assert_uint_eq(stat_of(c.f, "write_errors"), 3);
	ck_assert_uint_eq(stat_of(c.f, "existing_rereads"), 1); /* one read for the batch */

	dump_own(&c, &l);
	ck_assert_uint_eq(l.n, 5); /* with the appended one of 198.18.97.0/24, and 98 */
	ck_assert_uint_eq(find_own(&l, "198.18.90.0/24")->nexthops[0].gateway, addr("198.18.0.2"));
	ck_assert_uint_eq(find_own(&l, "198.18.91.0/24")->protocol, PROTO_RIP);
	ck_assert_uint_eq(find_own(&l, "198.18.91.0/24")->nexthops[0].gateway, addr("198.18.1.2"));
	ck_assert_ptr_nonnull(find_own(&l, "198.18.94.0/24"));
	ck_assert(ip_route_has("table 100 198.18.92.0/24", "via 198.18.0.9 dev va proto 4 "
			       "metric 20"));
	ck_assert(ip_route_has("table 100 198.18.93.0/24", "6 198.18.93.0/24 proto 186 "
			       "metric 20"));
	ck_assert(ip_route_has("table 100 198.18.94.0/24", "proto 4 metric 21"));
	ck_assert(ip_route_has("table 100 198.18.97.0/24", "via 198.18.0.9 dev va proto 4 "));
	ck_assert(ip_route_has("table 100 198.18.97.0/24", "via 198.18.0.8 dev va proto 189 "));
	ck_assert(ip_route_has("table 100 198.18.98.0/24", "via 198.18.0.2 dev va proto 189 "));
	ck_assert(ip_route_has("table 100 198.18.98.0/24", "via 198.18.0.9 dev va proto 4 "));
	ck_assert(!ip_route_has("table 100 198.18.98.0/24", "via 198.18.0.8"));
	free(l.r);
	ctx_close(&c);
}
END_TEST

/* The route an install met has gone by the time the kernel's table is read: the install is
 * written again as a create, once; refused again with nothing to be seen, it is reported. */
START_TEST(existing_route_gone_retried_once)
{
	static const struct around gone_once[] = {
		{ NULL, "ip route del 198.18.95.0/24 table 100 metric 20" },
	};
	static const struct around gone_twice[] = {
		{ NULL, "ip route del 198.18.96.0/24 table 100 metric 20" },
		{ "ip route add 198.18.96.0/24 via 198.18.0.9 proto static table 100 metric 20",
		  "ip route del 198.18.96.0/24 table 100 metric 20" },
	};
	struct own_list l = { 0 };
	struct fib_route a;
	struct ctx c;

	ctx_open(&c, TABLE, PRIO);
	sh("ip route add 198.18.95.0/24 via 198.18.0.9 proto static table 100 metric 20");
	around_sendmsg = gone_once;
	around_steps = 1;
	a = route1("198.18.95.0/24", "198.18.0.2", c.va, PROTO_RIP);
	fib_install(c.f, &a);
	drain(&c);
	ck_assert_uint_eq(around_steps, 0);
	ck_assert_uint_eq(c.rec.nfails, 0);
	ck_assert_uint_eq(stat_of(c.f, "existing_gone_retried"), 1);
	ck_assert_uint_eq(stat_of(c.f, "messages"), 2);
	dump_own(&c, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.r[0].prefix, a.prefix);

	/* Refused, gone; refused again (someone put it back), gone again: reported. */
	sh("ip route add 198.18.96.0/24 via 198.18.0.9 proto static table 100 metric 20");
	around_sendmsg = gone_twice;
	around_steps = 2;
	a = route1("198.18.96.0/24", "198.18.0.2", c.va, PROTO_RIP);
	fib_install(c.f, &a);
	drain(&c);
	ck_assert_uint_eq(around_steps, 0);
	ck_assert_uint_eq(stat_of(c.f, "existing_gone_retried"), 2);
	ck_assert_uint_eq(c.rec.nfails, 1);
	ck_assert_uint_eq(c.rec.fails[0].prefix, a.prefix);
	ck_assert_int_eq(c.rec.fails[0].error, EEXIST);
	ck_assert_uint_eq(stat_of(c.f, "write_errors"), 1);
	free(l.r);
	ctx_close(&c);
}
END_TEST

/* Table above 255 (RTA_TABLE), another priority; our fib never touches other tables. */
START_TEST(table_and_priority)
{
	struct own_list l = { 0 };
	struct fib_route a;
	struct ctx c;

	ctx_open(&c, 1000, 7);
	sh("ip route add 198.18.50.0/24 via 198.18.0.2 proto 189 table 100 metric 7");
	sh("ip route add 198.18.51.0/24 via 198.18.0.2 proto 189 table 1000 metric 8");
	a = route1("198.18.50.0/24", "198.18.0.2", c.va, PROTO_RIP);
	fib_install(c.f, &a);
	drain(&c);
	ck_assert_uint_eq(c.rec.nfails, 0);
	ck_assert(ip_route_has("table 1000 198.18.50.0/24", "proto 189 metric 7"));
	ck_assert(ip_route_has("table 100 198.18.50.0/24", "proto 189 metric 7"));
	dump_own(&c, &l);
	ck_assert_uint_eq(l.n, 1); /* not the table-100 route, not the metric-8 one */
	ck_assert_uint_eq(l.r[0].prefix, a.prefix);
	ck_assert_uint_eq(stat_of(c.f, "other_priority_routes"), 1);

	fib_set_target(c.f, TABLE, PRIO);
	a = route1("198.18.52.0/24", "198.18.0.2", c.va, PROTO_RIP);
	fib_install(c.f, &a);
	drain(&c);
	ck_assert(ip_route_has("table 100 198.18.52.0/24", "proto 189 metric 20"));
	dump_own(&c, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.r[0].prefix, a.prefix);
	free(l.r);
	ctx_close(&c);
}
END_TEST

START_TEST(dump_own_and_kernel)
{
	struct own_list l = { 0 };
	struct kernel_list k = { 0 };
	const struct fib_kernel_route *kr;
	struct fib_route a;
	struct ctx c;

	ctx_open(&c, TABLE, PRIO);
	/* An empty (not yet existing) table dumps as empty. */
	dump_own(&c, &l);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_int_eq(fib_dump_kernel(c.f, collect_kernel, &k), 0);
	ck_assert_uint_eq(k.n, 0);

	a = route1("198.18.60.0/24", "198.18.0.2", c.va, PROTO_RIP);
	fib_install(c.f, &a);
	drain(&c);
	sh("ip route add 198.18.61.0/24 via 198.18.0.2 proto static table 100");
	sh("ip route add 198.18.62.0/24 dev vc proto static table 100 metric 5");
	sh("ip route add 198.18.63.0/24 via 198.18.0.2 proto static table 101");
	/* the discard types are offered (summary and discard routes); throw is not */
	sh("ip route add blackhole 198.18.64.0/24 proto static table 100");
	sh("ip route add unreachable 198.18.65.0/24 proto static table 100");
	sh("ip route add prohibit 198.18.66.0/24 proto static table 100");
	sh("ip route add throw 198.18.67.0/24 proto static table 100");
	dump_own(&c, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.r[0].prefix, a.prefix);
	ck_assert_int_eq(fib_dump_kernel(c.f, collect_kernel, &k), 0);
	ck_assert_uint_eq(k.n, 5);
	kr = find_kernel(&k, "198.18.64.0/24");
	ck_assert_ptr_nonnull(kr);
	ck_assert_uint_eq(kr->rtm_type, RTN_BLACKHOLE);
	ck_assert_uint_eq(kr->gateway, 0);
	ck_assert_uint_eq(kr->ifindex, 0);
	ck_assert_uint_eq(find_kernel(&k, "198.18.65.0/24")->rtm_type, RTN_UNREACHABLE);
	ck_assert_uint_eq(find_kernel(&k, "198.18.66.0/24")->rtm_type, RTN_PROHIBIT);
	ck_assert_ptr_null(find_kernel(&k, "198.18.67.0/24"));
	kr = find_kernel(&k, "198.18.61.0/24");
	ck_assert_ptr_nonnull(kr);
	ck_assert_uint_eq(kr->protocol, PROTO_STATIC);
	ck_assert_uint_eq(kr->rtm_type, RTN_UNICAST);
	ck_assert_uint_eq(kr->gateway, addr("198.18.0.2"));
	ck_assert_uint_eq(kr->ifindex, c.va);
	kr = find_kernel(&k, "198.18.62.0/24");
	ck_assert_ptr_nonnull(kr);
	ck_assert_uint_eq(kr->gateway, 0);
	ck_assert_uint_eq(kr->ifindex, c.vc);
	ck_assert_uint_eq(kr->priority, 5);
	ck_assert_ptr_null(find_kernel(&k, "198.18.60.0/24"));
	free(l.r);
	ctx_close(&c);
}
END_TEST

START_TEST(write_failure_reported)
{
	struct own_list l = { 0 };
	struct fib_route good[3], bad;
	struct ctx c;

	ctx_open(&c, TABLE, PRIO);
	good[0] = route1("198.18.70.0/24", "198.18.0.2", c.va, PROTO_RIP);
	good[1] = route1("198.18.71.0/24", "198.18.0.2", c.va, PROTO_RIP);
	good[2] = route1("198.18.72.0/24", "198.18.0.2", c.va, PROTO_RIP);
	bad = route1("198.18.73.0/24", "198.18.200.1", 0, PROTO_AUTOSTATIC); /* not connected */
	fib_install(c.f, &good[0]);
	fib_install(c.f, &good[1]);
	fib_install(c.f, &bad);
	fib_install(c.f, &good[2]);
	drain(&c);
	ck_assert_uint_eq(stat_of(c.f, "batches"), 1);
	ck_assert_uint_eq(c.rec.nfails, 1);
	ck_assert_uint_eq(c.rec.fails[0].prefix, bad.prefix);
	ck_assert_uint_eq(c.rec.fails[0].len, 24);
	ck_assert_uint_eq(c.rec.fails[0].protocol, PROTO_AUTOSTATIC);
	ck_assert(c.rec.fails[0].install);
	ck_assert_int_eq(c.rec.fails[0].error, ENETUNREACH);
	ck_assert_uint_eq(stat_of(c.f, "write_errors"), 1);
	dump_own(&c, &l);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_ptr_null(find_own(&l, "198.18.73.0/24"));
	free(l.r);
	ctx_close(&c);
}
END_TEST

/* What the kernel answers for routes through links that are down (documented for the RM). */
START_TEST(link_down_errors)
{
	struct fib_route gw, onlink, nocarrier, noif, noif_gw;
	struct own_list l = { 0 };
	struct ctx c;

	ctx_open(&c, TABLE, PRIO);
	sh("ip link set vc down");
	sh("ip link set vb down"); /* va stays up without carrier */
	gw = route1("198.18.80.0/24", "198.18.1.2", c.vc, PROTO_RIP);
	onlink = route1("198.18.81.0/24", NULL, c.vc, PROTO_RIP);
	nocarrier = route1("198.18.82.0/24", "198.18.0.2", c.va, PROTO_RIP);
	noif = route1("198.18.83.0/24", NULL, 9999, PROTO_RIP);
	noif_gw = route1("198.18.84.0/24", "198.18.0.2", 9999, PROTO_RIP);
	fib_install(c.f, &gw);
	fib_install(c.f, &onlink);
	fib_install(c.f, &nocarrier);
	fib_install(c.f, &noif);
	fib_install(c.f, &noif_gw);
	drain(&c);
	ck_assert_uint_eq(c.rec.nfails, 4);
	for (unsigned i = 0; i < c.rec.nfails; i++) {
		char buf[RP_PREFIX4_STRLEN];

		rp_log_notice("test_fib", "link down / missing: install %s -> %s",
			   rp_prefix4_format(c.rec.fails[i].prefix, c.rec.fails[i].len, buf),
			   strerror(c.rec.fails[i].error));
	}
	ck_assert_uint_eq(c.rec.fails[0].prefix, gw.prefix);
	ck_assert_int_eq(c.rec.fails[0].error, ENETUNREACH);
	ck_assert_uint_eq(c.rec.fails[1].prefix, onlink.prefix);
	ck_assert_int_eq(c.rec.fails[1].error, ENETDOWN);
	ck_assert_uint_eq(c.rec.fails[2].prefix, noif.prefix);
	ck_assert_int_eq(c.rec.fails[2].error, ENODEV);
	ck_assert_uint_eq(c.rec.fails[3].prefix, noif_gw.prefix);
	ck_assert_int_eq(c.rec.fails[3].error, ENETUNREACH);
	dump_own(&c, &l);
	ck_assert_uint_eq(l.n, 1); /* carrier loss does not prevent installing */
	ck_assert_uint_eq(l.r[0].prefix, nocarrier.prefix);
	free(l.r);
	ctx_close(&c);
}
END_TEST

/* A write queued from inside write_failed goes out on the next iteration. */
START_TEST(write_from_failure_callback)
{
	struct own_list l = { 0 };
	const struct fib_route *r;
	struct fib_route bad;
	struct ctx c;

	ctx_open(&c, TABLE, PRIO);
	c.rec.f = c.f;
	c.rec.fallback_if = c.vc;
	bad = route1("198.18.74.0/24", "198.18.200.1", 0, PROTO_RIP);
	fib_install(c.f, &bad);
	drain(&c);
	ck_assert_uint_eq(c.rec.nfails, 1);
	dump_own(&c, &l);
	ck_assert_uint_eq(l.n, 1);
	r = find_own(&l, "198.18.74.0/24");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->nexthops[0].gateway, 0);
	ck_assert_uint_eq(r->nexthops[0].ifindex, c.vc);
	ck_assert_uint_eq(stat_of(c.f, "batches"), 2);
	free(l.r);
	ctx_close(&c);
}
END_TEST

/* A failed sendmsg loses nothing: the batch stays queued and is sent again after a backoff. */
START_TEST(send_failure_retried)
{
	struct own_list l = { 0 };
	struct fib_route r;
	struct ctx c;

	ctx_open(&c, TABLE, PRIO);
	for (unsigned i = 0; i < 5000; i++) {
		bulk_route(i, c.va, &r);
		fib_install(c.f, &r);
	}
	sendmsg_failures = 3;
	drain(&c);
	ck_assert_uint_eq(stat_of(c.f, "send_retries"), 3);
	ck_assert_uint_eq(c.rec.nfails, 0);
	dump_own(&c, &l);
	ck_assert_uint_eq(l.n, 5000);

	/* fib_flush sends at once, without the loop, retrying a failed send itself. */
	r = route1("198.18.75.0/24", "198.18.0.2", c.va, PROTO_RIP);
	fib_install(c.f, &r);
	sendmsg_failures = 1;
	fib_flush(c.f);
	ck_assert_uint_eq(stat_of(c.f, "queued"), 0);
	ck_assert_uint_eq(stat_of(c.f, "send_retries"), 4);
	ck_assert(ip_route_has("table 100 198.18.75.0/24", "proto 189 metric 20"));
	free(l.r);
	ctx_close(&c);
}
END_TEST

START_TEST(watch_notifications)
{
	struct fib_route a, b;
	struct ctx c;

	ctx_open(&c, TABLE, PRIO);
	ck_assert_uint_eq(stat_of(c.f, "watch_receive_buffer") > 0, 1);

	/* Another protocol's route in our table comes and goes. */
	sh("ip route add 198.18.90.0/24 via 198.18.0.2 proto static table 100");
	pump_until(&c, &c.rec.kernel_added, 1);
	ck_assert_uint_eq(c.rec.kernel_added, 1);
	ck_assert_uint_eq(c.rec.last_kernel.prefix, addr("198.18.90.0"));
	ck_assert_uint_eq(c.rec.last_kernel.len, 24);
	ck_assert_uint_eq(c.rec.last_kernel.protocol, PROTO_STATIC);
	ck_assert_uint_eq(c.rec.last_kernel.gateway, addr("198.18.0.2"));
	ck_assert_uint_eq(c.rec.last_kernel.ifindex, c.va);
	sh("ip route del 198.18.90.0/24 table 100");
	pump_until(&c, &c.rec.kernel_removed, 1);
	ck_assert_uint_eq(c.rec.kernel_removed, 1);
	ck_assert_uint_eq(c.rec.last_kernel.prefix, addr("198.18.90.0"));

	/* A blackhole route (a summary or discard route) is reported with its type. */
	sh("ip route add blackhole 198.18.94.0/24 proto static table 100");
	pump_until(&c, &c.rec.kernel_added, 2);
	ck_assert_uint_eq(c.rec.last_kernel.prefix, addr("198.18.94.0"));
	ck_assert_uint_eq(c.rec.last_kernel.rtm_type, RTN_BLACKHOLE);
	ck_assert_uint_eq(c.rec.last_kernel.ifindex, 0);
	sh("ip route del blackhole 198.18.94.0/24 table 100");
	pump_until(&c, &c.rec.kernel_removed, 2);
	/* a throw route is not */
	sh("ip route add throw 198.18.95.0/24 proto static table 100");

	/* Other tables are not ours to watch. */
	sh("ip route add 198.18.91.0/24 via 198.18.0.2 proto static table 101");
	settle(&c);
	ck_assert_uint_eq(c.rec.kernel_added, 2);

	/* Our own install and remove are not reported. */
	a = route1("198.18.92.0/24", "198.18.0.2", c.va, PROTO_RIP);
	b = route1("198.18.93.0/24", "198.18.0.2", c.va, PROTO_AUTOSTATIC);
	fib_install(c.f, &a);
	fib_install(c.f, &b);
	drain(&c);
	fib_remove(c.f, a.prefix, a.len, a.protocol);
	drain(&c);
	settle(&c);
	ck_assert_uint_eq(c.rec.own_deleted, 0);
	ck_assert_uint_eq(c.rec.kernel_added, 2);
	ck_assert_uint_eq(stat_of(c.f, "deletes_in_flight"), 0);

	/* Someone else deletes one of ours. */
	sh("ip route del 198.18.93.0/24 table 100 proto 210 metric 20");
	pump_until(&c, &c.rec.own_deleted, 1);
	ck_assert_uint_eq(c.rec.own_deleted, 1);
	ck_assert_uint_eq(c.rec.own_deleted_prefix, b.prefix);
	ck_assert_uint_eq(c.rec.own_deleted_len, 24);
	ck_assert_uint_eq(c.rec.own_deleted_protocol, PROTO_AUTOSTATIC);
	ck_assert_uint_eq(c.rec.overruns, 0);
	ck_assert_uint_eq(c.rec.nfails, 0);
	ctx_close(&c);
}
END_TEST

static size_t count_own(struct ctx *c)
{
	struct own_list l = { 0 };
	size_t n;

	dump_own(c, &l);
	n = l.n;
	free(l.r);
	return n;
}

START_TEST(bulk_100k)
{
	struct fib_route r;
	int64_t t0, tq, t1;
	struct ctx c;

	ctx_open(&c, TABLE, PRIO);
	t0 = now_ms();
	for (unsigned i = 0; i < BULK_ROUTES; i++) {
		bulk_route(i, c.va, &r);
		fib_install(c.f, &r);
	}
	tq = now_ms();
	drain(&c);
	t1 = now_ms();
	rp_log_notice("test_fib", "installed %u routes in %" PRId64 " ms (queueing %" PRId64 " ms): "
		   "%" PRIu64 " sends, up to %" PRIu64 " messages per send", BULK_ROUTES, t1 - t0,
		   tq - t0, stat_of(c.f, "batches"), stat_of(c.f, "max_batch_messages"));
	ck_assert_uint_eq(c.rec.nfails, 0);
	settle(&c);
	ck_assert_uint_eq(stat_of(c.f, "watch_messages"), 0); /* dropped by the socket filter */
	ck_assert_uint_eq(stat_of(c.f, "watch_overruns"), 0);
	ck_assert_uint_eq(c.rec.overruns, 0);
	ck_assert_uint_eq(count_own(&c), BULK_ROUTES);

	/* All of them again as creates, through another next hop: every one meets ours (EEXIST),
	 * is read back and replaced. */
	t0 = now_ms();
	for (unsigned i = 0; i < BULK_ROUTES; i++) {
		bulk_route(i, c.va, &r);
		r.nexthops[0].gateway = 0xc6120003u; /* 198.18.0.3 */
		fib_install(c.f, &r);
	}
	drain(&c);
	t1 = now_ms();
	rp_log_notice("test_fib", "%u creates meeting our routes settled in %" PRId64 " ms with %"
		   PRIu64 " table reads", BULK_ROUTES, t1 - t0,
		   stat_of(c.f, "existing_rereads"));
	ck_assert_uint_eq(c.rec.nfails, 0);
	ck_assert_uint_eq(stat_of(c.f, "existing_ours_replaced"), BULK_ROUTES);
	ck_assert(ip_route_has("table 100 198.19.0.7", "via 198.18.0.3 dev va proto 189"));
	ck_assert_uint_eq(count_own(&c), BULK_ROUTES);

	t0 = now_ms();
	for (unsigned i = 0; i < BULK_ROUTES; i++) {
		bulk_route(i, c.va, &r);
		fib_remove(c.f, r.prefix, r.len, r.protocol);
	}
	drain(&c);
	t1 = now_ms();
	settle(&c);
	rp_log_notice("test_fib", "removed %u routes in %" PRId64 " ms; watch overruns %" PRIu64
		   ", deletes still in flight %" PRIu64, BULK_ROUTES, t1 - t0,
		   stat_of(c.f, "watch_overruns"), stat_of(c.f, "deletes_in_flight"));
	ck_assert_uint_eq(c.rec.nfails, 0);
	ck_assert_uint_eq(count_own(&c), 0);
	ck_assert_uint_eq(c.rec.own_deleted, 0);
	ck_assert_uint_eq(stat_of(c.f, "deletes_in_flight"), 0);
	ctx_close(&c);
}
END_TEST

/* ---- the writer's structures, without the kernel ---- */

/* Random inserts and deletes against a plain array: exercises growth and backward-shift
 * deletion across wrap-around. */
START_TEST(keymap_matches_reference)
{
	enum { KEYS = 3000 };
	static uint32_t ref[KEYS]; /* 0 = absent, else value */
	struct fib_keymap m = { 0 };
	unsigned seed = 12345;

	memset(ref, 0, sizeof(ref));
	for (unsigned round = 0; round < 100000; round++) {
		unsigned k = (unsigned)rand_r(&seed) % KEYS;
		uint64_t key = fib_key(0xc6130000u + k * 7919u, (uint8_t)(k % 33), 189);
		uint32_t *v;

		if (rand_r(&seed) % 3) {
			ck_assert_int_eq(fib_keymap_put(&m, key, round + 1), 0);
			ref[k] = round + 1;
		} else {
			fib_keymap_del(&m, key);
			ref[k] = 0;
		}
		if (round % 1999 == 0) {
			unsigned count = 0;

			for (unsigned i = 0; i < KEYS; i++) {
				v = fib_keymap_get(&m, fib_key(0xc6130000u + i * 7919u,
							       (uint8_t)(i % 33), 189));
				ck_assert_uint_eq(v ? *v : 0, ref[i]);
				count += ref[i] != 0;
			}
			ck_assert_uint_eq(m.count, count);
		}
	}
	fib_keymap_clear(&m);
	ck_assert_uint_eq(m.count, 0);
	fib_keymap_free(&m);
}
END_TEST

/* The queue keeps arrival order; a later write replaces a queued one in place. */
START_TEST(queue_order_and_supersede)
{
	struct fib_queue q;
	struct fib_route r = { .protocol = 189, .nnexthops = 1 };
	const struct fib_pending *p;
	uint32_t h;

	fib_queue_init(&q);
	for (uint32_t i = 0; i < 10000; i++) {
		r.prefix = 0xc6130000u + i;
		r.len = 32;
		r.nexthops[0].gateway = i;
		ck_assert_int_eq(fib_queue_put(&q, &r, true), 0);
	}
	r.prefix = 0xc6130000u + 5;
	r.nnexthops = 3;
	r.nexthops[2].gateway = 77;
	ck_assert_int_eq(fib_queue_put(&q, &r, true), 1);   /* multipath replaces single */
	ck_assert_int_eq(fib_queue_put(&q, &r, false), 1);  /* then a delete replaces that */
	r.protocol = 210;
	ck_assert_int_eq(fib_queue_put(&q, &r, true), 0);   /* another protocol: its own entry */
	ck_assert_uint_eq(q.count, 10001);
	h = fib_queue_first(&q);
	for (uint32_t i = 0; i < 10000; i++, h = fib_queue_next(&q, h)) {
		p = fib_queue_at(&q, h);
		ck_assert_uint_eq(p->prefix, 0xc6130000u + i);
		ck_assert(p->install == (i != 5));
		ck_assert_uint_eq(p->nnexthops, i == 5 ? 0 : 1);
	}
	p = fib_queue_at(&q, h);
	ck_assert_uint_eq(p->protocol, 210);
	ck_assert_uint_eq(p->nnexthops, 3);
	ck_assert_uint_eq(fib_pending_nexthops(p)[2].gateway, 77);
	for (uint32_t i = 0; i < 5000; i++)
		fib_queue_pop(&q);
	ck_assert_uint_eq(q.count, 5001);
	ck_assert_uint_eq(fib_queue_at(&q, fib_queue_first(&q))->prefix, 0xc6130000u + 5000);
	fib_queue_free(&q);
}
END_TEST

/* Notifications pile up while the loop does not run: the overrun is counted and reported. */
START_TEST(watch_overrun_reported)
{
	char path[] = "/tmp/test_fib.XXXXXX", cmd[64];
	FILE *batch;
	struct ctx c;
	int fd;

	ctx_open(&c, TABLE, PRIO);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	batch = fdopen(fd, "w");
	ck_assert_ptr_nonnull(batch);
	for (unsigned i = 0; i < 65536; i++)
		fprintf(batch, "route add 198.19.%u.%u/32 via 198.18.0.2 proto static table 100\n",
			i >> 8, i & 255);
	ck_assert_int_eq(fclose(batch), 0);
	snprintf(cmd, sizeof(cmd), "ip -batch %s", path);
	sh(cmd);
	unlink(path);
	pump_until(&c, &c.rec.overruns, 1);
	settle(&c);
	rp_log_notice("test_fib", "65536 foreign routes while not reading: %u seen, %u overruns",
		   c.rec.kernel_added, c.rec.overruns);
	ck_assert_uint_ge(c.rec.overruns, 1);
	ck_assert_uint_eq(stat_of(c.f, "watch_overruns"), c.rec.overruns);
	ck_assert_uint_lt(c.rec.kernel_added, 65536);
	ctx_close(&c);
}
END_TEST

static Suite *fib_suite(void)
{
	Suite *s = suite_create("fib");
	TCase *tq = tcase_create("queue");
	TCase *tc = tcase_create("kernel");

	tcase_set_timeout(tq, 60);
	tcase_add_test(tq, keymap_matches_reference);
	tcase_add_test(tq, queue_order_and_supersede);
	suite_add_tcase(s, tq);

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, install_single_and_multipath);
	tcase_add_test(tc, replace_and_remove);
	tcase_add_test(tc, delete_then_install_in_one_burst);
	tcase_add_test(tc, existing_route_owner_decides);
	tcase_add_test(tc, existing_route_gone_retried_once);
	tcase_add_test(tc, table_and_priority);
	tcase_add_test(tc, dump_own_and_kernel);
	tcase_add_test(tc, write_failure_reported);
	tcase_add_test(tc, link_down_errors);
	tcase_add_test(tc, write_from_failure_callback);
	tcase_add_test(tc, send_failure_retried);
	tcase_add_test(tc, watch_notifications);
	tcase_add_test(tc, watch_overrun_reported);
	tcase_add_test(tc, bulk_100k);
	suite_add_tcase(s, tc);
	return s;
}

/* Whether this process may create a network namespace (tried in a child). */
static bool can_unshare_net(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return false;
	if (pid == 0)
		_exit(unshare(CLONE_NEWNET) == 0 ? 0 : 1);
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

/* The kernel tests need a network namespace of their own. Without the privilege to create one
 * (not root) only the tests of the writer's structures run and the program exits 77 (SKIP): it
 * never reports the kernel tests as passed. As root, or with ROUTPROTD_REQUIRE_NETNS set, a
 * namespace that cannot be created is a failure. */
int main(void)
{
	const char *require = getenv("ROUTPROTD_REQUIRE_NETNS");
	bool required = geteuid() == 0 || (require && *require && strcmp(require, "0") != 0);
	bool kernel = required || can_unshare_net();
	SRunner *sr = srunner_create(fib_suite());
	int failed;

	if (!kernel)
		printf("note: no privilege to create a network namespace: the kernel tests are "
		       "skipped (run as root)\n");
	srunner_run(sr, NULL, kernel ? NULL : "queue", CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (failed)
		return EXIT_FAILURE;
	return kernel ? EXIT_SUCCESS : 77;
}
