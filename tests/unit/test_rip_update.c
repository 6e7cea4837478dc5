/* SPDX-License-Identifier: ISC */
/*
 * test_rip_update.c — unit tests of the autostatic update (DoUpdateRoutes) inside the RIP
 * engine: who may start one and with which result code, the whole-table request, what counts
 * as the answer, the routes handed over at UPDATE_COMPLETE (best per prefix, withdrawals
 * honoured), failure without an answer or when the router manager cannot take every route,
 * and unsolicited updates changing nothing.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "rip/rip.h"
#include "rip_fixture.h"

#define DIAL_IFINDEX 5
#define DIAL_ADDR A(198, 18, 7, 1)
#define PEER A(198, 18, 7, 2)
#define OTHER_PEER A(198, 18, 7, 3)

static struct rip_iface *dial0;

static void setup_autostatic(void)
{
	setup();
	rip->started = true;
	dial0 = add_iface_mode("dial0", DIAL_IFINDEX, DIAL_ADDR, 24, RIP_SH_POISONED,
			       RIP_MODE_AUTOSTATIC);
	nsent = 0;
	memset(&rmv, 0, sizeof(rmv));
}

static struct rip_rte rte(uint8_t third, uint8_t metric)
{
	return (struct rip_rte){ .afi = 2, .addr = A(198, 19, third, 0), .mask = 0xffffff00u,
				 .metric = metric };
}

/* A response from `src` on dial0, sent to `dst` (our address: an answer; the group: not). */
static void dial_rx(uint32_t src, uint32_t dst, const struct rip_rte *e, unsigned n)
{
	uint8_t buf[RIP_MAX_PACKET];
	size_t len = response(2, e, n, buf);

	ck_assert_uint_gt(len, 0);
	rip_input_packet(rip, DIAL_IFINDEX, src, RIP_PORT, dst, buf, len);
}

/* Start an update on dial0 and let PEER send `e` to `dst`. */
static void update_hearing(uint32_t dst, const struct rip_rte *e, unsigned n)
{
	ck_assert_int_eq(rip_update_start(dial0, 0), NO_ERROR);
	dial_rx(PEER, dst, e, n);
}

static void expect_complete(enum rp_result status)
{
	enum rp_event_type type;
	union rp_message msg;

	ck_assert_int_eq(next_event(&type, &msg), NO_ERROR);
	ck_assert_int_eq(type, UPDATE_COMPLETE);
	ck_assert_uint_eq(msg.update_complete.interface_index, DIAL_IFINDEX);
	ck_assert_int_eq(msg.update_complete.update_type, DEMAND_UPDATE_ROUTES);
	ck_assert_int_eq(msg.update_complete.update_status, status);
	ck_assert_int_eq(next_event(&type, &msg), ERROR_NO_MORE_ITEMS);
	ck_assert_int_ge(rmv.signals, 1);
}

START_TEST(start_checks_mode_connection_and_running_update)
{
	ck_assert_int_eq(rip_update_start(eth0, 0), ERROR_INVALID_PARAMETER);
	rip_iface_set_active(dial0, false);
	ck_assert_int_eq(rip_update_start(dial0, 0), ERROR_INTERFACE_NOT_CONNECTED);
	rip_iface_set_active(dial0, true);
	nsent = 0;
	ck_assert_int_eq(rip_update_start(dial0, 0), NO_ERROR);
	ck_assert_int_eq(rip_update_start(dial0, 0), ERROR_UPDATE_IN_PROGRESS);
	/* the whole-table request (RFC 2453 3.9.1: one entry, AFI 0, metric 16) */
	ck_assert_uint_ge(nsent, 1);
	ck_assert_int_eq(sent[0].msg.command, RIP_CMD_REQUEST);
	ck_assert_uint_eq(sent[0].ifindex, DIAL_IFINDEX);
	ck_assert_uint_eq(sent[0].msg.nrtes, 1);
	ck_assert_uint_eq(sent[0].msg.rtes[0].afi, 0);
	ck_assert_uint_eq(sent[0].msg.rtes[0].metric, 16);
}
END_TEST

START_TEST(answer_hands_over_the_best_routes)
{
	struct rip_rte a[] = { rte(1, 3), rte(2, 1), rte(3, 1) };
	struct rip_rte b[] = { rte(1, 1), rte(2, 5) };
	struct rip_rte withdraw[] = { rte(3, 16) };

	update_hearing(DIAL_ADDR, a, 3);
	dial_rx(OTHER_PEER, DIAL_ADDR, b, 2);  /* .1 better from the other peer, .2 worse */
	dial_rx(PEER, DIAL_ADDR, withdraw, 1); /* .3 withdrawn by its only source */
	ck_assert_int_eq(rmv.updates, 0);      /* nothing before the end */
	rip_update_expire_now(dial0);
	ck_assert_int_eq(rmv.updates, 2);
	ck_assert_int_eq(rmv.adds, 0); /* autostatic routes belong to the RM, not the RIP table */
	expect_complete(NO_ERROR);
	ck_assert_ptr_null(dial0->update);
	ck_assert_int_eq(rip_update_start(dial0, 0), NO_ERROR); /* and another may start */
}
END_TEST

START_TEST(handed_over_routes_carry_cost_and_gateway)
{
	struct rip_rte a = rte(9, 2);

	update_hearing(DIAL_ADDR, &a, 1);
	rip_update_expire_now(dial0);
	ck_assert_int_eq(rmv.updates, 1);
	ck_assert_uint_eq(rmv.last_update.prefix, A(198, 19, 9, 0));
	ck_assert_uint_eq(rmv.last_update.prefixlen, 24);
	ck_assert_uint_eq(rmv.last_update.metric, 3); /* 2 + interface cost 1 */
	ck_assert_uint_eq(rmv.last_update.nexthop_count, 1);
	ck_assert_uint_eq(rmv.last_update.nexthops[0].gateway, PEER);
	ck_assert_uint_eq(rmv.last_update.nexthops[0].ifindex, DIAL_IFINDEX);
}
END_TEST

START_TEST(no_answer_fails_and_hands_over_nothing)
{
	struct rip_rte a = rte(1, 1);

	update_hearing(RIP_MCAST_GROUP, &a, 1); /* a periodic update is not the answer */
	rip_update_expire_now(dial0);
	ck_assert_int_eq(rmv.updates, 0);
	expect_complete(ERROR_CAN_NOT_COMPLETE);
}
END_TEST

START_TEST(routes_the_manager_cannot_take_fail_the_update)
{
	struct rip_rte a[] = { rte(1, 1), rte(2, 1), rte(3, 1) };

	rmv.refuse_updates_after = 2; /* the router manager runs out of memory at the third */
	update_hearing(DIAL_ADDR, a, 3);
	rip_update_expire_now(dial0);
	ck_assert_int_eq(rmv.updates, 2);
	expect_complete(ERROR_CAN_NOT_COMPLETE); /* a partial set never replaces the old one */
}
END_TEST

START_TEST(interface_gone_fails_the_update)
{
	struct rip_rte a = rte(1, 1);

	update_hearing(DIAL_ADDR, &a, 1);
	rip_update_abort(dial0);
	ck_assert_int_eq(rmv.updates, 0);
	expect_complete(ERROR_CAN_NOT_COMPLETE);
}
END_TEST

START_TEST(unsolicited_updates_change_nothing)
{
	struct rip_rte a = rte(1, 1);

	dial_rx(PEER, RIP_MCAST_GROUP, &a, 1);
	dial_rx(PEER, DIAL_ADDR, &a, 1);
	ck_assert_uint_eq(dial0->stats.ignored_unsolicited, 2);
	ck_assert_int_eq(rmv.adds + rmv.updates, 0);
	ck_assert_ptr_null(route(A(198, 19, 1, 0), 24));
	rip_update_expire_now(dial0); /* no update running: nothing happens */
	ck_assert_int_eq(rmv.signals, 0);
}
END_TEST

/* max-routes bounds what one update collects: the rest is counted, the update still
 * succeeds with what it took; a withdrawal of a collected route makes room. */
START_TEST(update_collects_at_most_max_routes)
{
	struct rip_rte e[4] = { rte(1, 1), rte(2, 1), rte(3, 1), rte(4, 1) };
	struct rip_rte gone = rte(1, 16);

	dial0->set->max_routes = 2;
	update_hearing(DIAL_ADDR, e, 4);
	ck_assert_uint_eq(dial0->stats.rx_over_limit_routes, 2);
	dial_rx(PEER, DIAL_ADDR, &gone, 1);
	dial_rx(PEER, DIAL_ADDR, &e[3], 1);
	rip_update_expire_now(dial0);
	ck_assert_int_eq(rmv.updates, 2);
	expect_complete(NO_ERROR);
}
END_TEST

static Suite *rip_update_suite(void)
{
	Suite *s = suite_create("rip_update");
	TCase *tc = tcase_create("autostatic");

	tcase_add_checked_fixture(tc, setup_autostatic, teardown);
	tcase_add_test(tc, start_checks_mode_connection_and_running_update);
	tcase_add_test(tc, answer_hands_over_the_best_routes);
	tcase_add_test(tc, handed_over_routes_carry_cost_and_gateway);
	tcase_add_test(tc, update_collects_at_most_max_routes);
	tcase_add_test(tc, no_answer_fails_and_hands_over_nothing);
	tcase_add_test(tc, routes_the_manager_cannot_take_fail_the_update);
	tcase_add_test(tc, interface_gone_fails_the_update);
	tcase_add_test(tc, unsolicited_updates_change_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rip_update_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
