/* SPDX-License-Identifier: ISC */
/*
 * test_rip.c — unit tests of the RIP engine's logic with an injected clock and a recording
 * support table (no sockets are used: sends fail quietly): route selection and metrics
 * (RFC 2453 3.9.2), ECMP, timeout and garbage collection, local routes, split horizon and
 * poisoned reverse, next hop, packet splitting, RIPv1 classful output, request answers, and the
 * receive path's envelope and entry checks with their counters.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "routprotd/clock.h"
#include "routprotd/log.h"
#include "routprotd/prefix.h"
#include "rip/rip.h"
#include "rip/rip_protocol.h"
#include "rip_fixture.h"

START_TEST(new_route_adopted_and_announced)
{
	learn(eth0, A(198, 18, 0, 2), A(198, 19, 5, 0), 24, 3);
	ck_assert_ptr_nonnull(route(A(198, 19, 5, 0), 24));
	ck_assert_int_eq(route(A(198, 19, 5, 0), 24)->metric, 3);
	ck_assert_int_eq(rmv.adds, 1);
	ck_assert_uint_eq(rmv.last.nexthops[0].gateway, A(198, 18, 0, 2));
	ck_assert_uint_eq(rmv.last.nexthops[0].ifindex, 2);
	learn(eth0, A(198, 18, 0, 2), A(198, 19, 6, 0), 24, 16); /* unreachable: not created */
	ck_assert_ptr_null(route(A(198, 19, 6, 0), 24));
}
END_TEST

/* 198.19.i.0/24 for i < n from `from` on ifc, metric 2. */
static void learn_many(struct rip_iface *ifc, uint32_t from, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		learn(ifc, from, A(198, 19, i, 0), 24, 2);
}

/* max-routes-per-neighbor: routes beyond the limit are refused and counted, those in the
 * table stay and are refreshed, another neighbor has its own allowance, and a withdrawn route
 * makes room. */
START_TEST(route_limit_per_neighbor)
{
	const uint32_t n1 = A(198, 18, 0, 2), n2 = A(198, 18, 0, 3);

	eth0->set->max_routes_per_neighbor = 3;
	learn_many(eth0, n1, 5);
	ck_assert_ptr_nonnull(route(A(198, 19, 2, 0), 24));
	ck_assert_ptr_null(route(A(198, 19, 3, 0), 24));
	ck_assert_ptr_null(route(A(198, 19, 4, 0), 24));
	ck_assert_uint_eq(eth0->stats.rx_over_limit_routes, 2);
	ck_assert_uint_eq(rip_limit_paths(rip, 2, n1), 3);
	learn(eth0, n1, A(198, 19, 0, 0), 24, 5); /* a route in the table is still updated */
	ck_assert_int_eq(route(A(198, 19, 0, 0), 24)->metric, 5);
	learn(eth0, n2, A(198, 19, 3, 0), 24, 2);  /* another neighbor: its own allowance */
	ck_assert_ptr_nonnull(route(A(198, 19, 3, 0), 24));
	learn(eth0, n1, A(198, 19, 1, 0), 24, 16); /* a withdrawal makes room */
	learn(eth0, n1, A(198, 19, 4, 0), 24, 2);
	ck_assert_ptr_nonnull(route(A(198, 19, 4, 0), 24));
	ck_assert_uint_eq(eth0->stats.rx_over_limit_routes, 2);
	ck_assert_uint_eq(rip_limit_paths(rip, 2, n1), 3);
	ck_assert_uint_eq(rip_limit_paths(rip, 2, 0), 4);
}
END_TEST

/* max-routes: all neighbors of the interface together, equal-cost paths included; the counts
 * go back to zero when the interface's routes are withdrawn or time out. */
START_TEST(route_limit_per_interface_and_counts_consistent)
{
	const uint32_t n1 = A(198, 18, 0, 2), n2 = A(198, 18, 0, 3);

	eth0->set->max_routes = 4;
	learn_many(eth0, n1, 3);
	learn(eth0, n2, A(198, 19, 0, 0), 24, 2); /* a second path: the 4th */
	ck_assert_int_eq(route(A(198, 19, 0, 0), 24)->npaths, 2);
	learn(eth0, n2, A(198, 19, 1, 0), 24, 2);
	ck_assert_int_eq(route(A(198, 19, 1, 0), 24)->npaths, 1);
	learn(eth0, n2, A(198, 19, 9, 0), 24, 2);
	ck_assert_ptr_null(route(A(198, 19, 9, 0), 24));
	ck_assert_uint_eq(eth0->stats.rx_over_limit_routes, 2);
	learn(eth1, A(198, 18, 1, 2), A(198, 19, 9, 0), 24, 2); /* other interface: no limit */
	ck_assert_ptr_nonnull(route(A(198, 19, 9, 0), 24));
	/* at the limit even a better route of another neighbor is refused; below it, it
	 * replaces the path it beats */
	learn(eth0, n2, A(198, 19, 1, 0), 24, 1);
	ck_assert_int_eq(route(A(198, 19, 1, 0), 24)->metric, 2);
	learn(eth0, n1, A(198, 19, 2, 0), 24, 16);
	learn(eth0, n2, A(198, 19, 1, 0), 24, 1);
	ck_assert_int_eq(route(A(198, 19, 1, 0), 24)->metric, 1);
	ck_assert_uint_eq(rip_limit_paths(rip, 2, 0), 3);
	ck_assert_uint_eq(rip_limit_paths(rip, 2, n1), 1);
	ck_assert_uint_eq(rip_limit_paths(rip, 2, n2), 2);
	rip_table_withdraw_iface(rip, 2);
	ck_assert_uint_eq(rip_limit_paths(rip, 2, 0), 0);
	ck_assert_uint_eq(rip_limit_paths(rip, 2, n1), 0);
	now_ms += 1000000;
	rip_table_scan_now(rip);
	ck_assert_uint_eq(rip_limit_paths(rip, 3, 0), 0);
}
END_TEST

/* Learned paths of the table through ifindex (from `from`, or from anyone when 0). */
static uint64_t paths_in_table(uint32_t ifindex, uint32_t from)
{
	uint64_t n = 0;

	for (struct rp_avl_node *a = rp_avl_first(&rip->routes); a; a = rp_avl_next(a)) {
		const struct rip_route *r = rp_avl_entry(a, struct rip_route, node);

		for (unsigned i = 0; r->source == RIP_SRC_RIP && i < r->npaths; i++)
			n += r->paths[i].ifindex == ifindex && (!from || r->paths[i].from == from);
	}
	return n;
}

/* The counts behind the route limits follow every way a path comes and goes: learning,
 * ECMP, replacement, withdrawal, timeout, local routes taking over, an interface going. */
START_TEST(route_limit_counts_match_the_table)
{
	static const uint32_t from[] = { A(198, 18, 0, 2), A(198, 18, 0, 3), A(198, 18, 0, 4),
					 A(198, 18, 1, 2), A(198, 18, 1, 3), A(198, 18, 1, 4) };
	uint32_t x = 12345;

	rip->set.ecmp = 2; /* a third equal path replaces one half-way to its timeout */
	eth0->set->max_routes = 40;
	eth1->set->max_routes_per_neighbor = 15;
	for (unsigned step = 0; step < 20000; step++) {
		unsigned n, pfx;
		struct rip_local l = { .source = RIP_SRC_REDIST, .redist_kind = RP_REDIST_STATIC,
				       .len = 24, .metric = 1 };

		x = x * 1103515245u + 12345u;
		n = (x >> 8) % 6;
		pfx = (x >> 12) % 64;
		if ((x >> 20) % 50 == 0) {
			l.prefix = A(198, 19, pfx, 0);
			rip_table_set_local(rip, &l, (x >> 28) & 1);
		} else if ((x >> 20) % 400 == 1) {
			rip_table_withdraw_iface(rip, n < 3 ? 2 : 3);
		} else if ((x >> 20) % 100 == 2) {
			now_ms += 50000;
			rip_table_scan_now(rip);
		} else {
			learn(n < 3 ? eth0 : eth1, from[n], A(198, 19, pfx, 0), 24,
			      (uint8_t)(1 + (x >> 26) % 4 * 5));
		}
		for (unsigned k = 0; k < 6; k++)
			ck_assert_uint_eq(rip_limit_paths(rip, k < 3 ? 2 : 3, from[k]),
					  paths_in_table(k < 3 ? 2 : 3, from[k]));
		ck_assert_uint_eq(rip_limit_paths(rip, 2, 0), paths_in_table(2, 0));
		ck_assert_uint_eq(rip_limit_paths(rip, 3, 0), paths_in_table(3, 0));
		ck_assert_uint_le(paths_in_table(2, 0), 40);
	}
	ck_assert_uint_gt(eth0->stats.rx_over_limit_routes + eth1->stats.rx_over_limit_routes, 0);
}
END_TEST

START_TEST(better_metric_wins_worse_ignored)
{
	learn(eth0, A(198, 18, 0, 2), A(198, 19, 5, 0), 24, 5);
	learn(eth1, A(198, 18, 1, 2), A(198, 19, 5, 0), 24, 7);
	ck_assert_int_eq(route(A(198, 19, 5, 0), 24)->metric, 5);
	ck_assert_uint_eq(route(A(198, 19, 5, 0), 24)->paths[0].ifindex, 2);
	learn(eth1, A(198, 18, 1, 2), A(198, 19, 5, 0), 24, 2);
	ck_assert_int_eq(route(A(198, 19, 5, 0), 24)->metric, 2);
	ck_assert_int_eq(route(A(198, 19, 5, 0), 24)->npaths, 1);
	ck_assert_uint_eq(route(A(198, 19, 5, 0), 24)->paths[0].ifindex, 3);
}
END_TEST

START_TEST(same_router_always_adopted)
{
	learn(eth0, A(198, 18, 0, 2), A(198, 19, 5, 0), 24, 2);
	learn(eth0, A(198, 18, 0, 2), A(198, 19, 5, 0), 24, 9);
	ck_assert_int_eq(route(A(198, 19, 5, 0), 24)->metric, 9);
	learn(eth0, A(198, 18, 0, 2), A(198, 19, 5, 0), 24, 16);
	ck_assert_int_eq(route(A(198, 19, 5, 0), 24)->metric, 16); /* garbage collection */
	ck_assert_int_eq(rmv.deletes, 1);
}
END_TEST

START_TEST(equal_cost_paths_form_ecmp)
{
	const struct rip_route *r;

	learn(eth0, A(198, 18, 0, 2), A(198, 19, 5, 0), 24, 3);
	learn(eth1, A(198, 18, 1, 2), A(198, 19, 5, 0), 24, 3);
	r = route(A(198, 19, 5, 0), 24);
	ck_assert_int_eq(r->npaths, 2);
	ck_assert_int_eq(rmv.last.nexthop_count, 2);
	/* one of them gets worse: it leaves the set */
	learn(eth1, A(198, 18, 1, 2), A(198, 19, 5, 0), 24, 4);
	ck_assert_int_eq(route(A(198, 19, 5, 0), 24)->npaths, 1);
	ck_assert_int_eq(rmv.last.nexthop_count, 1);
	/* ECMP limit */
	rip->set.ecmp = 1;
	learn(eth1, A(198, 18, 1, 3), A(198, 19, 5, 0), 24, 3);
	ck_assert_int_eq(route(A(198, 19, 5, 0), 24)->npaths, 1);
}
END_TEST

START_TEST(timeout_then_garbage_then_gone)
{
	learn(eth0, A(198, 18, 0, 2), A(198, 19, 5, 0), 24, 3);
	now_ms += 179 * 1000;
	rip_table_scan_now(rip);
	ck_assert_int_eq(route(A(198, 19, 5, 0), 24)->metric, 3);
	now_ms += 2 * 1000;
	rip_table_scan_now(rip);
	ck_assert_int_eq(route(A(198, 19, 5, 0), 24)->metric, 16);
	ck_assert_int_eq(rmv.deletes, 1);
	now_ms += 119 * 1000;
	rip_table_scan_now(rip);
	ck_assert_ptr_nonnull(route(A(198, 19, 5, 0), 24));
	now_ms += 2 * 1000;
	rip_table_scan_now(rip);
	ck_assert_ptr_null(route(A(198, 19, 5, 0), 24));
}
END_TEST

START_TEST(refresh_resets_timeout)
{
	learn(eth0, A(198, 18, 0, 2), A(198, 19, 5, 0), 24, 3);
	now_ms += 170 * 1000;
	learn(eth0, A(198, 18, 0, 2), A(198, 19, 5, 0), 24, 3);
	now_ms += 170 * 1000;
	rip_table_scan_now(rip);
	ck_assert_int_eq(route(A(198, 19, 5, 0), 24)->metric, 3);
}
END_TEST

START_TEST(better_route_revives_garbage)
{
	learn(eth0, A(198, 18, 0, 2), A(198, 19, 5, 0), 24, 3);
	learn(eth0, A(198, 18, 0, 2), A(198, 19, 5, 0), 24, 16);
	ck_assert_int_eq(route(A(198, 19, 5, 0), 24)->metric, 16);
	learn(eth1, A(198, 18, 1, 2), A(198, 19, 5, 0), 24, 8);
	ck_assert_int_eq(route(A(198, 19, 5, 0), 24)->metric, 8);
	ck_assert_int_eq(route(A(198, 19, 5, 0), 24)->gc_deadline, 0);
	ck_assert_int_eq(rmv.adds, 2);
}
END_TEST

START_TEST(connected_routes_win_over_learned)
{
	ck_assert_int_eq(route(A(198, 18, 0, 0), 24)->source, RIP_SRC_CONNECTED);
	learn(eth1, A(198, 18, 1, 2), A(198, 18, 0, 0), 24, 1);
	ck_assert_int_eq(route(A(198, 18, 0, 0), 24)->source, RIP_SRC_CONNECTED);
	ck_assert_int_eq(rmv.adds, 0);
}
END_TEST

START_TEST(interface_down_withdraws_its_routes)
{
	learn(eth0, A(198, 18, 0, 2), A(198, 19, 5, 0), 24, 3);
	learn(eth1, A(198, 18, 1, 2), A(198, 19, 6, 0), 24, 3);
	rip_iface_set_active(eth0, false);
	ck_assert_int_eq(route(A(198, 19, 5, 0), 24)->metric, 16);
	ck_assert_int_eq(route(A(198, 19, 6, 0), 24)->metric, 3);
	ck_assert_int_eq(route(A(198, 18, 0, 0), 24)->metric, 16); /* its subnet too */
}
END_TEST

/* Decode the next packet a job builds; returns its entry count (0 = job done). */
START_TEST(poisoned_reverse_and_simple_split_horizon)
{
	struct rip_job j = job_for(eth0, 2);
	struct rip_msg m;

	learn(eth0, A(198, 18, 0, 2), A(198, 19, 5, 0), 24, 3);
	ck_assert_uint_gt(build(eth0, &j, &m), 0);
	ck_assert_uint_eq(entry_for(&m, A(198, 19, 5, 0))->metric, 16);
	j = job_for(eth1, 2);
	build(eth1, &j, &m);
	ck_assert_uint_eq(entry_for(&m, A(198, 19, 5, 0))->metric, 3);
	eth0->set->split_horizon = RIP_SH_SIMPLE;
	j = job_for(eth0, 2);
	build(eth0, &j, &m);
	ck_assert_ptr_null(entry_for(&m, A(198, 19, 5, 0)));
	eth0->set->split_horizon = RIP_SH_OFF;
	j = job_for(eth0, 2);
	build(eth0, &j, &m);
	ck_assert_uint_eq(entry_for(&m, A(198, 19, 5, 0))->metric, 3);
	/* with split horizon off, the originator is named as next hop on its own subnet */
	ck_assert_uint_eq(entry_for(&m, A(198, 19, 5, 0))->nexthop, A(198, 18, 0, 2));
}
END_TEST

START_TEST(packets_split_at_25_entries)
{
	struct rip_job j = job_for(eth1, 2);
	struct rip_msg m;
	unsigned total = 0, n, packets = 0;

	for (unsigned i = 0; i < 100; i++)
		learn(eth0, A(198, 18, 0, 2), A(198, 19, i, 0), 24, 2);
	while ((n = build(eth1, &j, &m)) > 0) {
		ck_assert_uint_le(n, 25);
		total += n;
		packets++;
	}
	ck_assert_uint_eq(total, 102); /* 100 learned + 2 connected */
	ck_assert_uint_eq(packets, 5);
}
END_TEST

START_TEST(triggered_job_sends_only_changes)
{
	struct rip_job j = job_for(eth1, 2);
	struct rip_msg m;
	uint64_t since;

	for (unsigned i = 0; i < 30; i++)
		learn(eth0, A(198, 18, 0, 2), A(198, 19, i, 0), 24, 2);
	since = rip->change_seq;
	learn(eth0, A(198, 18, 0, 2), A(198, 19, 7, 0), 24, 5);
	j.kind = RIP_JOB_CHANGES;
	j.since_seq = since;
	ck_assert_uint_eq(build(eth1, &j, &m), 1);
	ck_assert_uint_eq(m.rtes[0].addr, A(198, 19, 7, 0));
	ck_assert_uint_eq(m.rtes[0].metric, 5);
	ck_assert_uint_eq(build(eth1, &j, &m), 0);
}
END_TEST

START_TEST(ripv1_classful_output)
{
	struct rip_job j = job_for(eth1, 1); /* 198.18.1.1/24, class C network 198.18.1.0 */
	struct rip_msg m;

	learn(eth0, A(198, 18, 0, 2), A(10, 1, 0, 0), 16, 2);   /* subnet of 10/8: summarised */
	learn(eth0, A(198, 18, 0, 2), A(10, 2, 0, 0), 16, 4);
	learn(eth0, A(198, 18, 0, 2), A(172, 16, 0, 0), 16, 3); /* classful network */
	learn(eth0, A(198, 18, 0, 2), A(192, 0, 2, 7), 32, 3);  /* host route */
	learn(eth0, A(198, 18, 0, 2), A(198, 16, 0, 0), 14, 3); /* supernet: omitted */
	build(eth1, &j, &m);
	ck_assert_ptr_nonnull(entry_for(&m, A(10, 0, 0, 0)));
	ck_assert_uint_eq(entry_for(&m, A(10, 0, 0, 0))->metric, 2);
	ck_assert_ptr_null(entry_for(&m, A(10, 1, 0, 0)));
	ck_assert_ptr_nonnull(entry_for(&m, A(172, 16, 0, 0)));
	ck_assert_ptr_nonnull(entry_for(&m, A(192, 0, 2, 7)));
	ck_assert_ptr_null(entry_for(&m, A(198, 16, 0, 0)));
	for (unsigned i = 0; i < m.nrtes; i++)
		ck_assert_uint_eq(m.rtes[i].mask, 0);
}
END_TEST

/* Redistributed routes carry the tag of their source (redistribute-tag, or the source's own);
 * a discard route (blackhole...) is announced through us: no gateway, next hop 0.0.0.0. */
START_TEST(redistributed_routes_tagged_and_discard_routes_via_us)
{
	struct rp_redist_route bh = { .prefix = A(198, 18, 64, 0), .prefixlen = 20,
				      .source = RP_REDIST_STATIC, .type = RP_ROUTE_BLACKHOLE };
	struct rp_redist_route kr = { .prefix = A(198, 19, 80, 0), .prefixlen = 24,
				      .gateway = A(198, 18, 0, 9), .ifindex = 2,
				      .source = RP_REDIST_KERNEL };
	struct rip_job j = job_for(eth1, 2);
	struct rip_msg m;

	rip->set.redistribute = RP_REDIST_STATIC | RP_REDIST_KERNEL;
	rip->set.redistribute_tag = 100;
	rip->set.redistribute_tags[1] = 7; /* static */
	rip_redist_changed(rip, &bh, false);
	rip_redist_changed(rip, &kr, false);
	ck_assert_uint_eq(route(A(198, 18, 64, 0), 20)->tag, 7);
	ck_assert_uint_eq(route(A(198, 18, 64, 0), 20)->paths[0].gateway, 0);
	ck_assert_uint_eq(route(A(198, 18, 64, 0), 20)->paths[0].ifindex, 0);
	ck_assert_uint_eq(route(A(198, 19, 80, 0), 24)->tag, 100);
	ck_assert_uint_gt(build(eth1, &j, &m), 0);
	ck_assert_uint_eq(entry_for(&m, A(198, 18, 64, 0))->tag, 7);
	ck_assert_uint_eq(entry_for(&m, A(198, 18, 64, 0))->nexthop, 0);
	ck_assert_uint_eq(entry_for(&m, A(198, 18, 64, 0))->metric, 1);
	ck_assert_uint_eq(entry_for(&m, A(198, 19, 80, 0))->tag, 100);
	/* new tags apply at once (reload) */
	rip->set.redistribute_tag = 5;
	rip->set.redistribute_tags[1] = -1;
	rip_redist_refresh(rip);
	ck_assert_uint_eq(route(A(198, 18, 64, 0), 20)->tag, 5);
	ck_assert_uint_eq(route(A(198, 19, 80, 0), 24)->tag, 5);
}
END_TEST

START_TEST(specific_request_answered_without_split_horizon)
{
	struct rip_msg req = { .command = RIP_CMD_REQUEST, .version = 2, .nrtes = 2 };
	struct rip_msg resp;
	uint8_t buf[RIP_MAX_PACKET];
	size_t len;

	learn(eth0, A(198, 18, 0, 2), A(198, 19, 5, 0), 24, 3);
	req.rtes[0] = (struct rip_rte){ .afi = 2, .addr = A(198, 19, 5, 0),
					.mask = 0xffffff00u };
	req.rtes[1] = (struct rip_rte){ .afi = 2, .addr = A(198, 19, 9, 0),
					.mask = 0xffffff00u };
	len = rip_output_answer(rip, eth0, &req, 2, buf, sizeof(buf));
	ck_assert_int_eq(rip_decode(buf, len, &resp), RIP_DECODE_OK);
	ck_assert_int_eq(resp.command, RIP_CMD_RESPONSE);
	ck_assert_uint_eq(resp.rtes[0].metric, 3);
	ck_assert_uint_eq(resp.rtes[1].metric, 16);
}
END_TEST

/* 50 whole-table requests back to back from one address and port: each is answered by a queued
 * answer, merged into one that has not started (requests_merged) or refused
 * (requests_unanswered); none goes uncounted. */
START_TEST(repeated_requests_merged_and_counted)
{
	struct rip_msg req = { .command = RIP_CMD_REQUEST, .version = 2, .nrtes = 1 };
	uint8_t buf[RIP_MAX_PACKET];
	size_t len;
	unsigned answers = 0;

	for (unsigned i = 0; i < 1000; i++) /* 40 packets per answer: more than one burst */
		learn(eth1, A(198, 18, 1, 2), A(198, 19, i / 4, (i % 4) * 64), 26, 2);
	req.rtes[0] = (struct rip_rte){ .afi = 0, .metric = 16 };
	len = rip_encode(&req, buf, sizeof(buf), NULL);
	for (int i = 0; i < 50; i++)
		feed(A(198, 18, 0, 2), 5555, buf, len);
	for (const struct rip_job *j = eth0->jobs; j; j = j->next)
		answers += j->answer;
	ck_assert_uint_eq(eth0->stats.rx_requests, 50);
	ck_assert_uint_eq(answers, 2); /* one being sent, one waiting that carries the rest */
	ck_assert_uint_eq(eth0->stats.requests_merged, 48);
	ck_assert_uint_eq(eth0->stats.requests_unanswered, 0);
	ck_assert_uint_eq(rip->stats.queries, 50);
}
END_TEST

/* A request for specific entries is answered at once, and the answer counts as sent. */
START_TEST(specific_answer_counted_as_sent)
{
	struct rip_msg req = { .command = RIP_CMD_REQUEST, .version = 2, .nrtes = 1 };
	uint8_t buf[RIP_MAX_PACKET];
	uint64_t before = eth0->stats.tx_packets;
	size_t len;

	req.rtes[0] = (struct rip_rte){ .afi = 2, .addr = A(198, 19, 5, 0), .mask = 0xffffff00u };
	len = rip_encode(&req, buf, sizeof(buf), NULL);
	nsent = 0;
	feed(A(198, 18, 0, 2), 5555, buf, len);
	ck_assert_uint_eq(nsent, 1);
	ck_assert_int_eq(sent[0].msg.command, RIP_CMD_RESPONSE);
	ck_assert_uint_eq(eth0->stats.tx_packets, before + 1);
}
END_TEST

START_TEST(request_flood_bounded_and_own_updates_first)
{
	struct rip_msg req = { .command = RIP_CMD_REQUEST, .version = 2, .nrtes = 1 };
	uint8_t buf[RIP_MAX_PACKET];
	size_t len;
	unsigned answers = 0;
	bool own_seen = false;

	for (unsigned i = 0; i < 1000; i++) /* 40 packets per answer: more than one burst */
		learn(eth1, A(198, 18, 1, 2), A(198, 19, i / 4, (i % 4) * 64), 26, 2);
	req.rtes[0] = (struct rip_rte){ .afi = 0, .metric = 16 }; /* the whole table */
	len = rip_encode(&req, buf, sizeof(buf), NULL);
	for (uint16_t port = 1000; port < 1020; port++) /* 20 requesters */
		feed(A(198, 18, 0, 2), port, buf, len);
	ck_assert_uint_eq(eth0->stats.requests_unanswered, 4);
	rip_output_full(eth0);
	for (const struct rip_job *j = eth0->jobs; j; j = j->next) {
		if (j->answer) {
			answers++;
			ck_assert_msg(j->started || own_seen, "an answer waits before our update");
		} else {
			own_seen = true;
		}
	}
	ck_assert_uint_eq(answers, 16);
	ck_assert(own_seen);
}
END_TEST

START_TEST(envelope_checks_drop_and_count)
{
	struct rip_rte e = { .afi = 2, .addr = A(198, 19, 5, 0), .mask = 0xffffff00u,
			     .metric = 1 };
	uint8_t buf[RIP_MAX_PACKET];
	size_t len = response(2, &e, 1, buf);

	feed(A(198, 18, 0, 2), 5000, buf, len);               /* not from port 520 */
	feed(A(203, 0, 113, 9), 520, buf, len);               /* not on a connected subnet */
	feed(A(198, 18, 0, 1), 520, buf, len);                /* ourselves */
	feed(A(198, 18, 0, 2), 520, buf, 23);                 /* bad length */
	rip_input_packet(rip, 99, A(198, 18, 0, 2), 520, 0, buf, len); /* not a RIP iface */
	ck_assert_ptr_null(route(A(198, 19, 5, 0), 24));
	ck_assert_uint_eq(rip->stats.drops[RIP_DROP_BAD_PORT], 1);
	ck_assert_uint_eq(rip->stats.drops[RIP_DROP_NOT_CONNECTED], 1);
	ck_assert_uint_eq(rip->stats.drops[RIP_DROP_OWN], 1);
	ck_assert_uint_eq(rip->stats.drops[RIP_DROP_DECODE], 1);
	ck_assert_uint_eq(rip->stats.drops[RIP_DROP_NOT_RIP_IFACE], 1);
	feed(A(198, 18, 0, 2), 520, buf, len);
	ck_assert_ptr_nonnull(route(A(198, 19, 5, 0), 24));
	ck_assert_int_eq(route(A(198, 19, 5, 0), 24)->metric, 2); /* + cost 1 */
}
END_TEST

START_TEST(bad_entries_skipped_and_counted)
{
	struct rip_rte e[] = {
		{ .afi = 2, .addr = A(198, 19, 1, 0), .mask = 0xffffff00u, .metric = 1 },
		{ .afi = 7, .addr = A(198, 19, 2, 0), .mask = 0xffffff00u, .metric = 1 },
		{ .afi = 2, .addr = A(224, 0, 0, 0), .mask = 0xf0000000u, .metric = 1 },
		{ .afi = 2, .addr = A(127, 0, 0, 0), .mask = 0xff000000u, .metric = 1 },
		{ .afi = 2, .addr = A(198, 19, 3, 1), .mask = 0xffffff00u, .metric = 1 },
		{ .afi = 2, .addr = A(198, 19, 4, 0), .mask = 0xff00ff00u, .metric = 1 },
		{ .afi = 2, .addr = A(198, 19, 5, 0), .mask = 0xffffff00u, .metric = 0 },
		{ .afi = 2, .addr = A(198, 19, 6, 0), .mask = 0xffffff00u, .metric = 17 },
		{ .afi = 2, .addr = A(0, 1, 0, 0), .mask = 0xffff0000u, .metric = 1 },
		{ .afi = 2, .addr = A(198, 19, 9, 0), .mask = 0xffffff00u, .metric = 3,
		  .nexthop = A(203, 0, 113, 1) },
	};
	uint8_t buf[RIP_MAX_PACKET];
	size_t len = response(2, e, 10, buf);
	struct rip_neighbor *nb;

	feed(A(198, 18, 0, 2), 520, buf, len);
	ck_assert_ptr_nonnull(route(A(198, 19, 1, 0), 24));
	ck_assert_uint_eq(eth0->stats.rx_bad_routes, 8);
	nb = rip_neighbor_find(rip, A(198, 18, 0, 2), 2);
	ck_assert_ptr_nonnull(nb);
	ck_assert_uint_eq(nb->bad_routes, 8);
	/* next hop off our subnet: treated as the sender */
	ck_assert_uint_eq(route(A(198, 19, 9, 0), 24)->paths[0].gateway, A(198, 18, 0, 2));
	ck_assert_int_eq(route(A(198, 19, 9, 0), 24)->metric, 4);
}
END_TEST

START_TEST(ripv1_input_masks_and_zero_fields)
{
	struct rip_rte e[] = {
		{ .afi = 2, .addr = A(198, 18, 0, 0), .metric = 1 },   /* own net: iface mask */
		{ .afi = 2, .addr = A(172, 16, 0, 0), .metric = 1 },   /* classful /16 */
		{ .afi = 2, .addr = A(172, 17, 0, 9), .metric = 1 },   /* host bits: /32 */
		{ .afi = 2, .addr = A(10, 0, 0, 0), .tag = 5, .metric = 1 }, /* non-zero tag */
	};
	uint8_t buf[RIP_MAX_PACKET];
	size_t len = response(1, e, 3, buf);

	eth0->set->version = RIP_VERSION_1;
	feed(A(198, 18, 0, 2), 520, buf, len);
	ck_assert_int_eq(route(A(198, 18, 0, 0), 24)->source, RIP_SRC_CONNECTED);
	ck_assert_ptr_nonnull(route(A(172, 16, 0, 0), 16));
	ck_assert_ptr_nonnull(route(A(172, 17, 0, 9), 32));
	ck_assert_uint_eq(eth0->stats.rx_bad_routes, 0);
	/* RFC 1058 3.4: one entry with a must-be-zero field set discards the whole message */
	e[1].addr = A(172, 20, 0, 0);
	len = response(1, e, 4, buf);
	feed(A(198, 18, 0, 2), 520, buf, len);
	ck_assert_ptr_null(route(A(172, 20, 0, 0), 16));
	ck_assert_ptr_null(route(A(10, 0, 0, 0), 8));
	ck_assert_uint_eq(rip->stats.drops[RIP_DROP_DECODE], 1);
	ck_assert_uint_eq(eth0->stats.rx_bad_packets, 1);
	/* an interface set to version 2 refuses RIPv1 */
	eth0->set->version = RIP_VERSION_2;
	len = response(1, e, 3, buf);
	feed(A(198, 18, 0, 2), 520, buf, len);
	ck_assert_uint_eq(rip->stats.drops[RIP_DROP_VERSION], 1);
}
END_TEST

/* RFC 2453 5: a version above 2 is processed as version 2 (on an interface that accepts only
 * version 2 too), whatever its header's must-be-zero bytes hold; version 0 is dropped. */
START_TEST(versions_above_2_processed_as_2)
{
	struct rip_rte e[] = {
		{ .afi = 2, .addr = A(198, 19, 3, 0), .mask = 0xffffff00u, .tag = 9, .metric = 2 },
	};
	uint8_t buf[RIP_MAX_PACKET];
	size_t len = response(2, e, 1, buf);

	buf[1] = 3;
	buf[2] = 0xab;
	feed(A(198, 18, 0, 2), 520, buf, len);
	ck_assert_ptr_nonnull(route(A(198, 19, 3, 0), 24));
	ck_assert_uint_eq(route(A(198, 19, 3, 0), 24)->tag, 9);
	ck_assert_uint_eq(rip->stats.rx_dropped, 0);
	ck_assert_uint_eq(rip_neighbor_find(rip, A(198, 18, 0, 2), 2)->version, 2);
	e[0].addr = A(198, 19, 4, 0);
	len = response(2, e, 1, buf);
	buf[1] = 0;
	feed(A(198, 18, 0, 2), 520, buf, len);
	ck_assert_ptr_null(route(A(198, 19, 4, 0), 24));
	ck_assert_uint_eq(rip->stats.drops[RIP_DROP_VERSION], 1);
}
END_TEST

START_TEST(authenticated_packets_dropped_without_auth_config)
{
	struct rip_msg m = { .command = RIP_CMD_RESPONSE, .version = 2, .nrtes = 1,
			     .has_auth = true };
	uint8_t buf[RIP_MAX_PACKET];
	size_t len;

	m.auth.type = RIP_AUTH_SIMPLE;
	memcpy(m.auth.password, "secret", 6);
	m.rtes[0] = (struct rip_rte){ .afi = 2, .addr = A(198, 19, 1, 0), .mask = 0xffffff00u,
				      .metric = 1 };
	len = rip_encode(&m, buf, sizeof(buf), NULL);
	feed(A(198, 18, 0, 2), 520, buf, len);
	ck_assert_uint_eq(rip->stats.drops[RIP_DROP_AUTH], 1);
	ck_assert_ptr_null(route(A(198, 19, 1, 0), 24));
}
END_TEST


/* ---- authentication ---- */

/* A response eth1 would send, fed to eth0's receive checks. */
static const char *sign_and_check(int type, int md5_len)
{
	struct rip_msg m = { .command = RIP_CMD_RESPONSE, .version = 2, .nrtes = 1 };
	uint8_t buf[RIP_MAX_PACKET];
	struct rip_msg in;
	struct rip_neighbor nb = { .address = A(198, 18, 1, 1), .ifindex = 2 };
	size_t len;

	m.rtes[0] = (struct rip_rte){ .afi = 2, .addr = A(198, 19, 1, 0), .mask = 0xffffff00u,
				      .metric = 1 };
	eth1->set->md5_auth_length = md5_len;
	len = rip_auth_encode(eth1, &m, buf, sizeof(buf));
	ck_assert_uint_gt(len, 0);
	ck_assert_int_eq(rip_decode(buf, len, &in), RIP_DECODE_OK);
	return rip_auth_check(eth0, &nb, buf, len, &in, NULL);
}

/* A packet eth1 signs with `command`, checked by eth0 without a neighbor record (a sender
 * from another port than 520, or one the neighbor table had no room for). */
static const char *signed_without_record(uint8_t command)
{
	struct rip_msg m = { .command = command, .version = 2, .nrtes = 1 };
	uint8_t buf[RIP_MAX_PACKET];
	struct rip_msg in;
	size_t len;

	m.rtes[0] = (struct rip_rte){ .afi = 0, .metric = 16 };
	if (command >= RIP_CMD_UPDATE_REQUEST)
		m.trig_version = RIP_TRIGGER_VERSION;
	len = rip_auth_encode(eth1, &m, buf, sizeof(buf));
	ck_assert_int_eq(rip_decode(buf, len, &in), RIP_DECODE_OK);
	return rip_auth_check(eth0, NULL, buf, len, &in, NULL);
}

START_TEST(crypto_packets_without_a_neighbor_record_are_only_queries)
{
	set_auth(eth0, RIP_AUTH_TYPE_SHA256, "s3cret", 1);
	set_auth(eth1, RIP_AUTH_TYPE_SHA256, "s3cret", 1);
	ck_assert_ptr_null(signed_without_record(RIP_CMD_REQUEST)); /* answered, no replay risk */
	ck_assert_str_eq(signed_without_record(RIP_CMD_UPDATE_REQUEST),
			 "no neighbor record to check replays against");
	ck_assert_str_eq(signed_without_record(RIP_CMD_RESPONSE),
			 "no neighbor record to check replays against");
}
END_TEST

START_TEST(every_algorithm_signs_and_verifies)
{
	static const int types[] = { RIP_AUTH_TYPE_SIMPLE, RIP_AUTH_TYPE_MD5, RIP_AUTH_TYPE_SHA1,
				     RIP_AUTH_TYPE_SHA256, RIP_AUTH_TYPE_SHA384,
				     RIP_AUTH_TYPE_SHA512 };

	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		set_auth(eth0, types[i], "s3cret", 1);
		set_auth(eth1, types[i], "s3cret", 1);
		ck_assert_msg(sign_and_check(types[i], 16) == NULL, "type %d", types[i]);
		set_auth(eth0, types[i], "other", 1);
		ck_assert_msg(sign_and_check(types[i], 16) != NULL, "type %d wrong key", types[i]);
	}
	/* Keyed-MD5 in the RFC 2082 length convention is accepted too */
	set_auth(eth0, RIP_AUTH_TYPE_MD5, "s3cret", 1);
	set_auth(eth1, RIP_AUTH_TYPE_MD5, "s3cret", 1);
	ck_assert_ptr_null(sign_and_check(RIP_AUTH_TYPE_MD5, 20));
	/* long HMAC keys are hashed first */
	set_auth(eth0, RIP_AUTH_TYPE_SHA256, "a key longer than thirty-two bytes ....", 1);
	set_auth(eth1, RIP_AUTH_TYPE_SHA256, "a key longer than thirty-two bytes ....", 1);
	ck_assert_ptr_null(sign_and_check(RIP_AUTH_TYPE_SHA256, 16));
}
END_TEST

START_TEST(authentication_rejects_what_it_should)
{
	struct rip_msg m = { .command = RIP_CMD_RESPONSE, .version = 2, .nrtes = 1 };
	uint8_t buf[RIP_MAX_PACKET];
	struct rip_msg in;
	size_t len;
	struct rip_neighbor nb = { .address = A(198, 18, 0, 2) };

	set_auth(eth0, RIP_AUTH_TYPE_SHA256, "s3cret", 1);
	set_auth(eth1, RIP_AUTH_TYPE_SHA256, "s3cret", 2); /* a key id eth0 does not know */
	ck_assert_str_eq(sign_and_check(RIP_AUTH_TYPE_SHA256, 16), "unknown or expired key id");
	set_auth(eth1, RIP_AUTH_TYPE_SHA256, "s3cret", 1);
	m.rtes[0] = (struct rip_rte){ .afi = 2, .addr = A(198, 19, 1, 0), .mask = 0xffffff00u,
				      .metric = 1 };
	len = rip_auth_encode(eth1, &m, buf, sizeof(buf));
	buf[30] ^= 1; /* tampered route entry */
	ck_assert_int_eq(rip_decode(buf, len, &in), RIP_DECODE_OK);
	ck_assert_str_eq(rip_auth_check(eth0, NULL, buf, len, &in, NULL), "wrong digest");
	buf[30] ^= 1;
	rip_decode(buf, len, &in);
	ck_assert_ptr_null(rip_auth_check(eth0, &nb, buf, len, &in, NULL));
	/* a newer packet was seen: this one is a replay */
	rip_auth_peer_find(rip, nb.address, "eth0")->seq = in.auth.sequence + 10;
	ck_assert_str_eq(rip_auth_check(eth0, &nb, buf, len, &in, NULL),
			 "sequence number went down (replay?)");
	/* unauthenticated packets on an authenticated interface, and the other way round */
	eth1->set->auth_type = RIP_AUTH_NONE;
	ck_assert_str_eq(sign_and_check(RIP_AUTH_NONE, 16), "no authentication");
	eth0->set->auth_type = RIP_AUTH_NONE;
	set_auth(eth1, RIP_AUTH_TYPE_SIMPLE, "s3cret", 0);
	ck_assert_str_eq(sign_and_check(RIP_AUTH_TYPE_SIMPLE, 16),
			 "authentication not configured here");
}
END_TEST

/* A version above 2 is processed as version 2, authentication included: with a password, and
 * refused without one on an interface that authenticates. */
START_TEST(version_3_authenticated_as_version_2)
{
	struct rip_msg m = { .command = RIP_CMD_RESPONSE, .version = 3, .nrtes = 1,
			     .has_auth = true };
	uint8_t buf[RIP_MAX_PACKET];
	size_t len;

	set_auth(eth0, RIP_AUTH_TYPE_SIMPLE, "secret", 0);
	m.auth.type = RIP_AUTH_SIMPLE;
	memcpy(m.auth.password, "secret", 6);
	m.rtes[0] = (struct rip_rte){ .afi = 2, .addr = A(198, 19, 1, 0), .mask = 0xffffff00u,
				      .metric = 1 };
	len = rip_encode(&m, buf, sizeof(buf), NULL);
	ck_assert_uint_eq(buf[1], 3);
	feed(A(198, 18, 0, 2), 520, buf, len);
	ck_assert_ptr_nonnull(route(A(198, 19, 1, 0), 24));
	m.has_auth = false;
	m.rtes[0].addr = A(198, 19, 2, 0);
	len = rip_encode(&m, buf, sizeof(buf), NULL);
	feed(A(198, 18, 0, 2), 520, buf, len);
	ck_assert_ptr_null(route(A(198, 19, 2, 0), 24));
	ck_assert_uint_eq(rip->stats.drops[RIP_DROP_AUTH], 1);
}
END_TEST

START_TEST(key_rollover_and_expiry)
{
	struct rip_auth_key *k;

	set_auth(eth1, RIP_AUTH_TYPE_SHA1, "old", 1);
	k = realloc(eth1->set->keys, 2 * sizeof(*k));
	eth1->set->keys = k;
	k[1] = (struct rip_auth_key){ .id = 2, .secret_len = 3, .send_from = 1000 };
	memcpy(k[1].secret, "new", 3);
	k[0].send_until = 2000;
	eth1->set->nkeys = 2;
	/* eth0 accepts key 2 only: the newest valid key must be the one used */
	set_auth(eth0, RIP_AUTH_TYPE_SHA1, "new", 2);
	ck_assert_ptr_null(sign_and_check(RIP_AUTH_TYPE_SHA1, 16));
	/* an accept lifetime that is over */
	eth0->set->keys[0].accept_until = 1000;
	ck_assert_str_eq(sign_and_check(RIP_AUTH_TYPE_SHA1, 16), "unknown or expired key id");
}
END_TEST

/* ---- RFC 2091 demand circuits ---- */

static struct rip_iface *tun0;
#define PEER A(198, 18, 6, 2)

static void setup_demand(void)
{
	setup_instance();
	rip->started = true;
	tun0 = add_iface_mode("tun0", 4, A(198, 18, 6, 1), 30, RIP_SH_POISONED, RIP_MODE_DEMAND);
	eth0 = add_iface("eth0", 2, A(198, 18, 0, 1), 24, RIP_SH_POISONED);
	memset(&rmv, 0, sizeof(rmv));
}

static const struct sent *last_sent(void)
{
	ck_assert_uint_gt(nsent, 0);
	return &sent[nsent - 1];
}

static void demand_rx(uint8_t command, uint8_t flush, uint16_t seq,
		      const struct rip_rte *e, unsigned n)
{
	struct rip_msg m = { .command = command, .version = 2,
			     .trig_version = RIP_TRIGGER_VERSION, .trig_flush = flush,
			     .trig_seq = seq, .nrtes = n };
	uint8_t buf[RIP_MAX_PACKET];
	size_t len;

	if (n > 0)
		memcpy(m.rtes, e, n * sizeof(*e));
	len = rip_encode(&m, buf, sizeof(buf), NULL);
	ck_assert_uint_gt(len, 0);
	rip_input_packet(rip, 4, PEER, RIP_PORT, RIP_MCAST_GROUP, buf, len);
}

static const struct rip_rte peer_routes[2] = {
	{ .afi = 2, .addr = A(198, 19, 90, 0), .mask = 0xffffff00u, .metric = 1 },
	{ .afi = 2, .addr = A(198, 19, 91, 0), .mask = 0xffffff00u, .metric = 1 },
};

/* An ADDRESS_CHANGE whose IPv4 part is what the interface had (an IPv6 address came, went or
 * finished its DAD): RIP, which routes IPv4 only, sends nothing and withdraws nothing, on a
 * periodic interface and on a demand circuit alike. */
START_TEST(ipv6_only_address_change_changes_nothing)
{
	static const uint8_t v6[16] = { 0xfe, 0x80, [15] = 1 };
	struct rip_iface *ifcs[2] = { eth0, tun0 };

	learn(eth0, A(198, 18, 0, 2), A(198, 19, 80, 0), 24, 2);
	for (unsigned k = 0; k < 2; k++) {
		struct rp_local_binding v4 = ifcs[k]->addrs[0];
		struct rp_bound_address all[2] = {
			{ .address = rp_prefix_v4(v4.address, 32) },
			{ .address = rp_prefix_v6(v6, 128), .flags = RP_ADDR_LINK_LOCAL },
		};
		struct rp_binding bind = { .address_count = 1, .addresses = &v4,
					   .bound_count = 2, .bound_addresses = all };
		unsigned jobs = ifcs[k]->njobs;

		all[0].address.len = v4.prefixlen;
		all[1].address.len = 64;
		nsent = 0;
		memset(&rmv, 0, sizeof(rmv));
		ck_assert_int_eq(rip_protocol.interface_status(rip, ifcs[k]->ifindex, true,
							       RIS_INTERFACE_ADDRESS_CHANGE, &bind),
				 NO_ERROR);
		all[1].flags = 0; /* tentative → valid is the same to RIP */
		ck_assert_int_eq(rip_protocol.interface_status(rip, ifcs[k]->ifindex, true,
							       RIS_INTERFACE_ADDRESS_CHANGE, &bind),
				 NO_ERROR);
		ck_assert_uint_eq(nsent, 0);
		ck_assert_uint_eq(ifcs[k]->njobs, jobs);
		ck_assert_int_eq(rmv.adds + rmv.deletes + rmv.signals, 0);
		ck_assert_ptr_nonnull(route(A(198, 19, 80, 0), 24));
		ck_assert(ifcs[k]->active && ifcs[k]->naddrs == 1);
	}
}
END_TEST

START_TEST(circuit_up_requests_and_sends_flushing_table)
{
	/* activation in setup: Update Request, then the table with flush = 1 */
	ck_assert_uint_ge(nsent, 2);
	ck_assert_int_eq(sent[0].msg.command, RIP_CMD_UPDATE_REQUEST);
	ck_assert_uint_eq(sent[0].msg.nrtes, 1);
	ck_assert_uint_eq(sent[0].msg.rtes[0].metric, 16);
	ck_assert_int_eq(sent[1].msg.command, RIP_CMD_UPDATE_RESPONSE);
	ck_assert_int_eq(sent[1].msg.trig_flush, 1);
	ck_assert_uint_eq(sent[1].dst, RIP_MCAST_GROUP);
	ck_assert_uint_eq(sent[1].port, RIP_PORT);
}
END_TEST

START_TEST(response_is_retransmitted_until_acknowledged)
{
	uint16_t seq = sent[1].msg.trig_seq;
	unsigned before;

	rip_demand_retransmit_now(tun0);
	ck_assert_int_eq(last_sent()->msg.command, RIP_CMD_UPDATE_RESPONSE);
	ck_assert_uint_eq(last_sent()->msg.trig_seq, seq); /* same packet again */
	demand_rx(RIP_CMD_UPDATE_ACK, 1, (uint16_t)(seq + 1), NULL, 0); /* wrong sequence */
	before = nsent;
	rip_demand_retransmit_now(tun0);
	ck_assert_uint_gt(nsent, before);
	demand_rx(RIP_CMD_UPDATE_ACK, 1, seq, NULL, 0);
	before = nsent;
	demand_rx(RIP_CMD_UPDATE_RESPONSE, 1, 40, peer_routes, 2); /* answers our request too */
	nsent = before = 0;
	rip_demand_retransmit_now(tun0);
	ck_assert_uint_eq(nsent, 0); /* acknowledged and answered: silence */
}
END_TEST

START_TEST(received_response_acknowledged_and_routes_never_age)
{
	demand_rx(RIP_CMD_UPDATE_RESPONSE, 1, 7, peer_routes, 2);
	ck_assert_int_eq(last_sent()->msg.command, RIP_CMD_UPDATE_ACK);
	ck_assert_uint_eq(last_sent()->msg.trig_seq, 7);
	ck_assert_int_eq(last_sent()->msg.trig_flush, 1);
	ck_assert_uint_eq(last_sent()->msg.nrtes, 0);
	ck_assert_int_eq(route(A(198, 19, 90, 0), 24)->metric, 2);
	ck_assert_int_eq(rmv.adds, 2);
	now_ms += 3600 * 1000; /* presumption of reachability */
	rip_table_scan_now(rip);
	ck_assert_int_eq(route(A(198, 19, 90, 0), 24)->metric, 2);
}
END_TEST

START_TEST(duplicate_sequence_acknowledged_not_reprocessed)
{
	struct rip_rte worse = peer_routes[0];
	unsigned before;

	demand_rx(RIP_CMD_UPDATE_RESPONSE, 0, 9, peer_routes, 1);
	worse.metric = 5;
	before = nsent;
	demand_rx(RIP_CMD_UPDATE_RESPONSE, 0, 9, &worse, 1); /* our ack was lost: a repeat */
	ck_assert_uint_eq(nsent, before + 1);
	ck_assert_int_eq(last_sent()->msg.command, RIP_CMD_UPDATE_ACK);
	ck_assert_int_eq(route(A(198, 19, 90, 0), 24)->metric, 2);
}
END_TEST

/* RFC 2091 4.2: flush is 0 or 1; an Update Response with another value is dropped and
 * counted, neither applied nor acknowledged. */
START_TEST(update_response_with_bad_flush_dropped)
{
	unsigned before = nsent;

	demand_rx(RIP_CMD_UPDATE_RESPONSE, 2, 7, peer_routes, 2);
	ck_assert_uint_eq(nsent, before);
	ck_assert_ptr_null(route(A(198, 19, 90, 0), 24));
	ck_assert_uint_eq(rip->stats.drops[RIP_DROP_DECODE], 1);
	ck_assert_uint_eq(tun0->stats.rx_bad_packets, 1);
	demand_rx(RIP_CMD_UPDATE_RESPONSE, 1, 7, peer_routes, 2);
	ck_assert_ptr_nonnull(route(A(198, 19, 90, 0), 24));
}
END_TEST

START_TEST(flush_withdraws_what_the_new_transfer_omits)
{
	demand_rx(RIP_CMD_UPDATE_RESPONSE, 1, 1, peer_routes, 2);
	demand_rx(RIP_CMD_UPDATE_RESPONSE, 1, 2, peer_routes, 1); /* peer restarted: only .90 */
	ck_assert_int_eq(route(A(198, 19, 91, 0), 24)->metric, 2);
	rip_demand_sweep_now(tun0);
	ck_assert_int_eq(route(A(198, 19, 90, 0), 24)->metric, 2);
	ck_assert_int_eq(route(A(198, 19, 91, 0), 24)->metric, 16);
}
END_TEST

START_TEST(update_request_answered_unicast_with_flush)
{
	struct rip_rte whole = { .metric = RIP_METRIC_INFINITY };

	nsent = 0;
	demand_rx(RIP_CMD_UPDATE_REQUEST, 0, 0, &whole, 1);
	ck_assert_uint_eq(nsent, 1);
	ck_assert_int_eq(sent[0].msg.command, RIP_CMD_UPDATE_RESPONSE);
	ck_assert_int_eq(sent[0].msg.trig_flush, 1);
	ck_assert_uint_eq(sent[0].dst, PEER);
	ck_assert_ptr_nonnull(entry_for(&sent[0].msg, A(198, 18, 0, 0))); /* eth0's subnet */
}
END_TEST

START_TEST(only_changes_after_the_initial_exchange)
{
	uint16_t seq = sent[1].msg.trig_seq;

	demand_rx(RIP_CMD_UPDATE_ACK, 1, seq, NULL, 0);
	demand_rx(RIP_CMD_UPDATE_RESPONSE, 1, 3, peer_routes, 1);
	nsent = 0;
	learn(eth0, A(198, 18, 0, 2), A(198, 19, 50, 0), 24, 3);
	event_base_loop(base, EVLOOP_NONBLOCK); /* the coalesced trigger */
	for (unsigned i = 0; i < nsent; i++) {
		const struct rip_msg *m = &sent[i].msg;

		if (sent[i].ifindex != 4)
			continue; /* eth0's own triggered update */
		ck_assert_int_eq(m->command, RIP_CMD_UPDATE_RESPONSE);
		ck_assert_int_eq(m->trig_flush, 0);
		/* eth0's subnet and the new route, and the peer's route poisoned back to it;
		 * nothing that did not change */
		ck_assert_uint_eq(m->nrtes, 3);
		ck_assert_uint_eq(entry_for(m, A(198, 19, 50, 0))->metric, 3);
		ck_assert_uint_eq(entry_for(m, A(198, 19, 90, 0))->metric, 16);
		ck_assert_ptr_null(entry_for(m, A(198, 18, 6, 0)));
		return;
	}
	ck_abort_msg("no Update Response on the demand circuit");
}
END_TEST

START_TEST(silent_neighbor_becomes_unreachable)
{
	demand_rx(RIP_CMD_UPDATE_RESPONSE, 1, 1, peer_routes, 2);
	for (int i = 0; i < 40; i++)
		rip_demand_retransmit_now(tun0);
	ck_assert_int_eq(route(A(198, 19, 90, 0), 24)->metric, 16); /* held down */
	ck_assert_int_eq(last_sent()->msg.command, RIP_CMD_UPDATE_REQUEST); /* polling */
	demand_rx(RIP_CMD_UPDATE_RESPONSE, 1, 2, peer_routes, 2); /* it is back */
	ck_assert_int_eq(route(A(198, 19, 90, 0), 24)->metric, 2);
}
END_TEST

START_TEST(unsignable_update_sends_the_table_again_later)
{
	uint16_t seq = sent[1].msg.trig_seq;

	demand_rx(RIP_CMD_UPDATE_ACK, 1, seq, NULL, 0); /* the initial transfer is done */
	set_auth(tun0, RIP_AUTH_TYPE_SHA256, "s3cret", 1);
	tun0->set->keys[0].send_from = INT64_MAX / 2; /* no key may sign yet */
	learn(eth0, A(198, 18, 0, 2), A(198, 19, 77, 0), 24, 2);
	nsent = 0;
	rip_demand_changes(tun0);
	ck_assert_uint_eq(nsent, 0);
	tun0->set->keys[0].send_from = 0; /* the key becomes valid */
	rip_demand_retransmit_now(tun0);
	ck_assert_uint_ge(nsent, 1);
	ck_assert_int_eq(sent[0].msg.command, RIP_CMD_UPDATE_RESPONSE);
	ck_assert_int_eq(sent[0].msg.trig_flush, 1); /* the whole table, the lost change in it */
	ck_assert_ptr_nonnull(entry_for(&sent[0].msg, A(198, 19, 77, 0)));
}
END_TEST

START_TEST(request_from_a_returning_neighbor_answered_once)
{
	static const struct rip_rte whole = { .afi = 0, .metric = 16 };
	unsigned flushing = 0;

	for (int i = 0; i < 40; i++)
		rip_demand_retransmit_now(tun0);
	ck_assert(rip_demand_peer_unreachable(tun0));
	nsent = 0;
	demand_rx(RIP_CMD_UPDATE_REQUEST, 0, 0, &whole, 1); /* it restarted and asks */
	ck_assert(!rip_demand_peer_unreachable(tun0));
	for (unsigned i = 0; i < nsent; i++)
		flushing += sent[i].msg.command == RIP_CMD_UPDATE_RESPONSE &&
			    sent[i].msg.trig_flush;
	ck_assert_uint_eq(flushing, 1); /* one transfer of the table, not two */
}
END_TEST

START_TEST(silence_does_not_open_replays_on_a_demand_circuit)
{
	struct rip_msg m = { .command = RIP_CMD_UPDATE_RESPONSE, .version = 2,
			     .trig_version = RIP_TRIGGER_VERSION, .trig_flush = 1, .nrtes = 1 };
	struct rip_neighbor nb = { .address = PEER, .ifindex = 4 };
	uint8_t old[RIP_MAX_PACKET], buf[RIP_MAX_PACKET];
	struct rip_msg in, newer;
	size_t old_len, len;

	set_auth(tun0, RIP_AUTH_TYPE_SHA256, "s3cret", 1);
	set_auth(eth0, RIP_AUTH_TYPE_SHA256, "s3cret", 1);
	m.rtes[0] = peer_routes[0];
	old_len = rip_auth_encode(eth0, &m, old, sizeof(old)); /* an old packet, recorded */
	ck_assert_int_eq(rip_decode(old, old_len, &in), RIP_DECODE_OK);
	eth0->auth_seq = in.auth.sequence + 100; /* the neighbor has moved on since */
	len = rip_auth_encode(eth0, &m, buf, sizeof(buf));
	ck_assert_int_eq(rip_decode(buf, len, &newer), RIP_DECODE_OK);
	ck_assert_ptr_null(rip_auth_check(tun0, &nb, buf, len, &newer, NULL));
	now_ms += 3600 * 1000; /* an hour of the silence RFC 2091 asks for */
	ck_assert_str_eq(rip_auth_check(tun0, &nb, old, old_len, &in, NULL),
			 "sequence number went down (replay?)");
	for (int i = 0; i < 40; i++) /* the circuit gives the neighbor up */
		rip_demand_retransmit_now(tun0);
	ck_assert(rip_demand_peer_unreachable(tun0));
	ck_assert_ptr_nonnull(rip_auth_check(tun0, &nb, old, old_len, &in, NULL)); /* default */
	tun0->set->auth_seq_reset = RIP_SEQ_RESET_TIMEOUT; /* peers that restart their counter */
	ck_assert_ptr_null(rip_auth_check(tun0, &nb, old, old_len, &in, NULL));
}
END_TEST

START_TEST(circuit_down_withdraws_and_plain_rip_is_refused)
{
	struct rip_rte e = peer_routes[0];
	uint8_t buf[RIP_MAX_PACKET];
	size_t len = response(2, &e, 1, buf);

	demand_rx(RIP_CMD_UPDATE_RESPONSE, 1, 1, peer_routes, 2);
	rip_input_packet(rip, 4, PEER, RIP_PORT, RIP_MCAST_GROUP, buf, len);
	ck_assert_uint_eq(rip->stats.drops[RIP_DROP_COMMAND], 1);
	rip_iface_set_active(tun0, false);
	ck_assert_int_eq(route(A(198, 19, 90, 0), 24)->metric, 16);
	ck_assert_int_eq(route(A(198, 19, 91, 0), 24)->metric, 16);
}
END_TEST

static Suite *rip_suite(void)
{
	Suite *s = suite_create("rip");
	TCase *tc = tcase_create("engine");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, new_route_adopted_and_announced);
	tcase_add_test(tc, better_metric_wins_worse_ignored);
	tcase_add_test(tc, same_router_always_adopted);
	tcase_add_test(tc, equal_cost_paths_form_ecmp);
	tcase_add_test(tc, timeout_then_garbage_then_gone);
	tcase_add_test(tc, refresh_resets_timeout);
	tcase_add_test(tc, better_route_revives_garbage);
	tcase_add_test(tc, connected_routes_win_over_learned);
	tcase_add_test(tc, interface_down_withdraws_its_routes);
	tcase_add_test(tc, poisoned_reverse_and_simple_split_horizon);
	tcase_add_test(tc, packets_split_at_25_entries);
	tcase_add_test(tc, triggered_job_sends_only_changes);
	tcase_add_test(tc, ripv1_classful_output);
	tcase_add_test(tc, specific_request_answered_without_split_horizon);
	tcase_add_test(tc, request_flood_bounded_and_own_updates_first);
	tcase_add_test(tc, repeated_requests_merged_and_counted);
	tcase_add_test(tc, route_limit_per_neighbor);
	tcase_add_test(tc, route_limit_per_interface_and_counts_consistent);
	tcase_add_test(tc, route_limit_counts_match_the_table);
	tcase_add_test(tc, redistributed_routes_tagged_and_discard_routes_via_us);
	tcase_add_test(tc, specific_answer_counted_as_sent);
	tcase_add_test(tc, envelope_checks_drop_and_count);
	tcase_add_test(tc, bad_entries_skipped_and_counted);
	tcase_add_test(tc, ripv1_input_masks_and_zero_fields);
	tcase_add_test(tc, versions_above_2_processed_as_2);
	tcase_add_test(tc, authenticated_packets_dropped_without_auth_config);
	tcase_add_test(tc, every_algorithm_signs_and_verifies);
	tcase_add_test(tc, authentication_rejects_what_it_should);
	tcase_add_test(tc, crypto_packets_without_a_neighbor_record_are_only_queries);
	tcase_add_test(tc, key_rollover_and_expiry);
	tcase_add_test(tc, version_3_authenticated_as_version_2);
	suite_add_tcase(s, tc);
	tc = tcase_create("demand");
	tcase_add_checked_fixture(tc, setup_demand, teardown);
	tcase_add_test(tc, ipv6_only_address_change_changes_nothing);
	tcase_add_test(tc, circuit_up_requests_and_sends_flushing_table);
	tcase_add_test(tc, response_is_retransmitted_until_acknowledged);
	tcase_add_test(tc, received_response_acknowledged_and_routes_never_age);
	tcase_add_test(tc, duplicate_sequence_acknowledged_not_reprocessed);
	tcase_add_test(tc, flush_withdraws_what_the_new_transfer_omits);
	tcase_add_test(tc, update_response_with_bad_flush_dropped);
	tcase_add_test(tc, update_request_answered_unicast_with_flush);
	tcase_add_test(tc, only_changes_after_the_initial_exchange);
	tcase_add_test(tc, silent_neighbor_becomes_unreachable);
	tcase_add_test(tc, silence_does_not_open_replays_on_a_demand_circuit);
	tcase_add_test(tc, request_from_a_returning_neighbor_answered_once);
	tcase_add_test(tc, unsignable_update_sends_the_table_again_later);
	tcase_add_test(tc, circuit_down_withdraws_and_plain_rip_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rip_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
