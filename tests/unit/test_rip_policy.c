/* SPDX-License-Identifier: ISC */
/*
 * test_rip_policy.c — unit tests of an interface's route policy: filter matching (only /
 * except, more specific prefixes, host and default routes), the accept side on the receive path
 * (refused entries counted, neighbors not listened to), the announce side on output and in
 * answers to requests, and what a reload that changes either side does at once.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "rip/rip.h"
#include "rip/rip_protocol.h"
#include "rip_fixture.h"

#define P(a, b, c, d, l) ((struct rp_prefix4){ A(a, b, c, d), l })

static const uint32_t NEIGHBOR = A(198, 18, 0, 2);

/* Apply new settings to an interface as a reload does (deep-copied by the protocol). */
static void reload_iface(struct rip_iface *ifc, const struct rip_if_settings *s)
{
	ck_assert_int_eq(rip_protocol.set_interface_info(rip, ifc->ifindex, s), NO_ERROR);
}

static size_t response_of(const struct rip_rte *e, unsigned n, uint8_t *buf)
{
	return response(2, e, n, buf);
}

static struct rip_rte rte(uint32_t addr, uint8_t len, uint8_t metric)
{
	return (struct rip_rte){ .afi = 2, .addr = addr, .mask = rp_prefix4_mask(len),
				 .metric = metric };
}

START_TEST(filters_match_prefixes_and_what_lies_inside)
{
	struct rp_prefix4 only[] = { P(198, 19, 0, 0, 16) };
	struct rp_prefix4 except[] = { P(198, 19, 9, 0, 24) };
	struct rip_filter f = { .only = only, .nonly = 1, .except = except, .nexcept = 1 };
	struct rip_filter open = { 0 };

	ck_assert(rip_filter_passes(&f, A(198, 19, 0, 0), 16));     /* the range itself */
	ck_assert(rip_filter_passes(&f, A(198, 19, 5, 0), 24));     /* inside */
	ck_assert(rip_filter_passes(&f, A(198, 19, 5, 7), 32));
	ck_assert(!rip_filter_passes(&f, A(198, 18, 0, 0), 15));    /* covers it: not inside */
	ck_assert(!rip_filter_passes(&f, A(198, 20, 0, 0), 16));    /* outside */
	ck_assert(!rip_filter_passes(&f, A(198, 19, 9, 0), 24));    /* excepted */
	ck_assert(!rip_filter_passes(&f, A(198, 19, 9, 128), 25));  /* inside the exception */
	ck_assert(rip_filter_passes(&f, A(198, 19, 8, 0), 23)); /* covers the exception: passes */
	ck_assert(rip_filter_passes(&open, 0, 0));
	ck_assert(rip_filter_passes(&open, A(203, 0, 113, 1), 32));
}
END_TEST

START_TEST(host_and_default_routes_follow_their_flags)
{
	struct rip_if_settings s;

	rip_if_settings_default(&s, NULL);
	ck_assert(rip_policy_accepts(&s, 0, 0));
	ck_assert(rip_policy_accepts(&s, A(198, 19, 1, 1), 32));
	s.accept_host_routes = false;
	s.announce_default_route = false;
	ck_assert(!rip_policy_accepts(&s, A(198, 19, 1, 1), 32));
	ck_assert(rip_policy_accepts(&s, A(198, 19, 1, 0), 24));
	ck_assert(rip_policy_announces(&s, A(198, 19, 1, 1), 32));
	ck_assert(!rip_policy_announces(&s, 0, 0));
	ck_assert(rip_policy_accepts(&s, 0, 0));
}
END_TEST

START_TEST(refused_entries_are_counted_not_taken)
{
	struct rip_if_settings s = *eth0->set;
	struct rp_prefix4 only[] = { P(198, 19, 0, 0, 16) };
	struct rp_prefix4 except[] = { P(198, 19, 9, 0, 24) };
	struct rip_rte e[] = {
		rte(A(198, 19, 5, 0), 24, 1), rte(A(198, 19, 9, 0), 24, 1),
		rte(A(198, 19, 9, 128), 25, 1), rte(A(203, 0, 113, 0), 24, 1),
		rte(A(198, 19, 7, 7), 32, 1),
	};
	uint8_t buf[RIP_MAX_PACKET];

	s.accept = (struct rip_filter){ .only = only, .nonly = 1, .except = except, .nexcept = 1 };
	s.accept_host_routes = false;
	reload_iface(eth0, &s);
	feed(NEIGHBOR, 520, buf, response_of(e, 5, buf));
	ck_assert_ptr_nonnull(route(A(198, 19, 5, 0), 24));
	ck_assert_ptr_null(route(A(198, 19, 9, 0), 24));
	ck_assert_ptr_null(route(A(198, 19, 9, 128), 25));
	ck_assert_ptr_null(route(A(203, 0, 113, 0), 24));
	ck_assert_ptr_null(route(A(198, 19, 7, 7), 32));
	ck_assert_uint_eq(eth0->stats.rx_filtered_routes, 4);
	ck_assert_uint_eq(eth0->stats.rx_bad_routes, 0);
}
END_TEST

START_TEST(neighbors_not_listened_to_are_dropped_whole)
{
	struct rip_if_settings s = *eth0->set;
	struct rp_prefix4 from[] = { P(198, 18, 0, 2, 32) };
	struct rip_rte e = rte(A(198, 19, 5, 0), 24, 1);
	struct rip_msg req = { .command = RIP_CMD_REQUEST, .version = 2, .nrtes = 1 };
	uint8_t buf[RIP_MAX_PACKET];
	size_t len = response_of(&e, 1, buf);

	s.peers = (struct rip_filter){ .only = from, .nonly = 1 };
	reload_iface(eth0, &s);
	feed(A(198, 18, 0, 3), 520, buf, len);
	ck_assert_ptr_null(route(A(198, 19, 5, 0), 24));
	ck_assert_uint_eq(eth0->stats.rx_ignored_peer, 1);
	ck_assert_uint_eq(eth0->stats.rx_bad_packets, 0);
	ck_assert_uint_eq(rip->stats.drops[RIP_DROP_PEER], 1);
	feed(NEIGHBOR, 520, buf, len);
	ck_assert_ptr_nonnull(route(A(198, 19, 5, 0), 24));

	/* requests are still answered: they change nothing here */
	req.rtes[0] = (struct rip_rte){ .afi = 0, .metric = RIP_METRIC_INFINITY };
	len = rip_encode(&req, buf, sizeof(buf), NULL);
	nsent = 0;
	feed(A(198, 18, 0, 3), 520, buf, len);
	ck_assert_uint_eq(eth0->stats.rx_requests, 1);
}
END_TEST

START_TEST(announce_policy_shapes_updates_and_answers)
{
	struct rip_if_settings s = *eth1->set;
	struct rp_prefix4 except[] = { P(198, 19, 9, 0, 24) };
	struct rip_msg req = { .command = RIP_CMD_REQUEST, .version = 2, .nrtes = 2 };
	struct rip_msg m, resp;
	struct rip_job j;
	uint8_t buf[RIP_MAX_PACKET];
	size_t len;

	s.announce = (struct rip_filter){ .except = except, .nexcept = 1 };
	s.announce_default_route = false;
	reload_iface(eth1, &s);
	learn(eth0, NEIGHBOR, A(198, 19, 5, 0), 24, 2);
	learn(eth0, NEIGHBOR, A(198, 19, 9, 0), 24, 2);
	learn(eth0, NEIGHBOR, 0, 0, 2);
	j = job_for(eth1, 2);
	build(eth1, &j, &m);
	ck_assert_ptr_nonnull(entry_for(&m, A(198, 19, 5, 0)));
	ck_assert_ptr_null(entry_for(&m, A(198, 19, 9, 0)));
	ck_assert_ptr_null(entry_for(&m, 0));
	j = job_for(eth0, 2); /* eth0's own policy is open */
	build(eth0, &j, &m);
	ck_assert_ptr_nonnull(entry_for(&m, A(198, 19, 9, 0)));

	req.rtes[0] = rte(A(198, 19, 5, 0), 24, 0);
	req.rtes[1] = rte(A(198, 19, 9, 0), 24, 0);
	len = rip_output_answer(rip, eth1, &req, 2, buf, sizeof(buf));
	ck_assert_int_eq(rip_decode(buf, len, &resp), RIP_DECODE_OK);
	ck_assert_uint_eq(resp.rtes[0].metric, 2);
	ck_assert_uint_eq(resp.rtes[1].metric, 16);
}
END_TEST

START_TEST(reload_of_the_accept_side_withdraws_and_asks_again)
{
	struct rip_if_settings s = *eth0->set;
	struct rp_prefix4 except[] = { P(198, 19, 6, 0, 24) };

	learn(eth0, NEIGHBOR, A(198, 19, 5, 0), 24, 2);
	learn(eth0, NEIGHBOR, A(198, 19, 6, 0), 24, 2);
	learn(eth1, A(198, 18, 1, 2), A(198, 19, 7, 0), 24, 2);
	nsent = 0;
	s.accept = (struct rip_filter){ .except = except, .nexcept = 1 };
	reload_iface(eth0, &s);
	ck_assert_int_eq(route(A(198, 19, 6, 0), 24)->metric, 16); /* withdrawn */
	ck_assert_int_eq(route(A(198, 19, 5, 0), 24)->metric, 2);
	ck_assert_int_eq(route(A(198, 19, 7, 0), 24)->metric, 2); /* other interface */
	ck_assert_uint_ge(nsent, 1);
	ck_assert_int_eq(sent[0].msg.command, RIP_CMD_REQUEST);
	ck_assert_uint_eq(sent[0].ifindex, 2);

	/* the exception lifted: taken again when the neighbor answers */
	s.accept = (struct rip_filter){ 0 };
	reload_iface(eth0, &s);
	learn(eth0, NEIGHBOR, A(198, 19, 6, 0), 24, 2);
	ck_assert_int_eq(route(A(198, 19, 6, 0), 24)->metric, 2);
}
END_TEST

START_TEST(reload_of_the_announce_side_says_farewell_once)
{
	struct rip_if_settings s = *eth1->set;
	struct rp_prefix4 except[] = { P(198, 19, 5, 0, 24) };
	uint64_t before;
	struct rip_job j;
	struct rip_msg m;

	learn(eth0, NEIGHBOR, A(198, 19, 5, 0), 24, 2);
	learn(eth0, NEIGHBOR, A(198, 19, 6, 0), 24, 2);
	before = rip->change_seq;
	s.announce = (struct rip_filter){ .except = except, .nexcept = 1 };
	reload_iface(eth1, &s);
	j = job_for(eth1, 2);
	j.kind = RIP_JOB_CHANGES;
	j.since_seq = before;
	ck_assert_uint_eq(build(eth1, &j, &m), 1);
	ck_assert_uint_eq(m.rtes[0].addr, A(198, 19, 5, 0));
	ck_assert_uint_eq(m.rtes[0].metric, 16); /* refused now: once as unreachable */

	/* later: neither full updates nor later changes carry it */
	j = job_for(eth1, 2);
	build(eth1, &j, &m);
	ck_assert_ptr_null(entry_for(&m, A(198, 19, 5, 0)));
	before = rip->change_seq;
	learn(eth0, NEIGHBOR, A(198, 19, 5, 0), 24, 4);
	j = job_for(eth1, 2);
	j.kind = RIP_JOB_CHANGES;
	j.since_seq = before;
	ck_assert_uint_eq(build(eth1, &j, &m), 0);

	/* lifted again: the route comes back in the next triggered update */
	before = rip->change_seq;
	s.announce = (struct rip_filter){ 0 };
	reload_iface(eth1, &s);
	j = job_for(eth1, 2);
	j.kind = RIP_JOB_CHANGES;
	j.since_seq = before;
	ck_assert_uint_eq(build(eth1, &j, &m), 1);
	ck_assert_uint_eq(m.rtes[0].metric, 4);
}
END_TEST

static Suite *policy_suite(void)
{
	Suite *s = suite_create("rip_policy");
	TCase *tc = tcase_create("policy");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, filters_match_prefixes_and_what_lies_inside);
	tcase_add_test(tc, host_and_default_routes_follow_their_flags);
	tcase_add_test(tc, refused_entries_are_counted_not_taken);
	tcase_add_test(tc, neighbors_not_listened_to_are_dropped_whole);
	tcase_add_test(tc, announce_policy_shapes_updates_and_answers);
	tcase_add_test(tc, reload_of_the_accept_side_withdraws_and_asks_again);
	tcase_add_test(tc, reload_of_the_announce_side_says_farewell_once);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(policy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
