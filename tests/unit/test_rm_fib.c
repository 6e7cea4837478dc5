/* SPDX-License-Identifier: ISC */
/*
 * test_rm_fib.c — unit tests of the router manager's route table (rm_routes.c) against the mock
 * kernel: selection and ECMP, creates and replaces, refusals retried after link changes, another
 * protocol's route refusing or replacing ours and going, deletions by someone else, silent
 * flushes found by the audit, routes left by a previous run (fib.stale-time), moving to another
 * table or priority, and what stays in the kernel at a stop (fib.retain-on-stop).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include <event2/event.h>

#include "core/rm_internal.h"
#include "rm_fixture.h"

#define NET1 A(198, 51, 100, 0)
#define NET2 A(203, 0, 113, 0)
#define GW0 A(198, 18, 0, 2)
#define GW1 A(198, 18, 1, 2)

static const char *const two_ifs =
	"fib = { stale-time = 40; };\n"
	"trace = { interfaces = ( { name = \"veth0\"; }, { name = \"veth1\"; } ); };\n";

/* Two running links, the RM attached and started; the kernel log emptied. */
static void start(const char *conf)
{
	fx_link(3, "veth0", true, true, A(198, 18, 0, 1), 24);
	fx_link(4, "veth1", true, true, A(198, 18, 1, 1), 24);
	fx_attach();
	fx_config(conf);
	fx_expect_kernel("target 254 20\n");
}

#define NET1_CREATE "install 198.51.100.0/24 proto 189 create 198.18.0.2@3\n"

/* start(two_ifs), then the protocol's route to NET1 via veth0 goes into the kernel. */
static void start_with_net1(void)
{
	start(two_ifs);
	ck_assert_int_eq(fx_route(NET1, 24, 2, GW0, 3), NO_ERROR);
	fx_expect_kernel(NET1_CREATE);
}

static struct mk_route own_route(uint32_t prefix, uint8_t proto, uint32_t gw, uint32_t ifindex)
{
	return (struct mk_route){ .prefix = prefix, .len = 24, .protocol = proto,
				  .at_priority = true, .nnexthops = 1,
				  .nexthops = { { .gateway = gw, .ifindex = ifindex } } };
}

START_TEST(route_created_replaced_removed)
{
	start_with_net1();
	ck_assert(rm_route_in_fib(fx.rm, NET1, 24));
	ck_assert_int_eq(fx_route(NET1, 24, 3, GW1, 4), NO_ERROR);
	fx_expect_kernel("install 198.51.100.0/24 proto 189 replace 198.18.1.2@4\n");
	fx_unroute(NET1, 24);
	fx_expect_kernel("remove 198.51.100.0/24 proto 189\n");
	mk_settle(fx.mk);
	ck_assert(!rm_route_held(fx.rm, NET1, 24));
	ck_assert_uint_eq(mk_count(fx.mk), 0);
	ck_assert_uint_eq(fx.rm->counters.fib_failures, 0);
}
END_TEST

START_TEST(invalid_routes_rejected)
{
	struct rp_nexthop nh = { GW0, 3 };

	start(two_ifs);
	ck_assert_int_eq(fx_route(NET1 | 1, 24, 2, GW0, 3), ERROR_INVALID_PARAMETER);
	ck_assert_int_eq(fx_route(NET1, 33, 2, GW0, 3), ERROR_INVALID_PARAMETER);
	ck_assert_int_eq(fx_route_ecmp(NET1, 24, 2, 0, &nh), ERROR_INVALID_PARAMETER);
	fx_expect_kernel("");
	ck_assert(!rm_route_held(fx.rm, NET1, 24));
}
END_TEST

START_TEST(ecmp_route_carries_every_nexthop)
{
	struct rp_nexthop nh[2] = { { GW0, 3 }, { GW1, 4 } };

	start(two_ifs);
	ck_assert_int_eq(fx_route_ecmp(NET1, 24, 2, 2, nh), NO_ERROR);
	fx_expect_kernel("install 198.51.100.0/24 proto 189 create 198.18.0.2@3,198.18.1.2@4\n");
	ck_assert_uint_eq(mk_find(fx.mk, NET1, 24)->nnexthops, 2);
	ck_assert_int_eq(fx_route_ecmp(NET1, 24, 2, 1, &nh[1]), NO_ERROR);
	fx_expect_kernel("install 198.51.100.0/24 proto 189 replace 198.18.1.2@4\n");
	ck_assert_uint_eq(mk_find(fx.mk, NET1, 24)->nnexthops, 1);
}
END_TEST

/* Lower preference wins whatever the metrics; the next best takes over when it goes. */
START_TEST(best_candidate_selected)
{
	struct rp_route as = { .prefix = NET1, .prefixlen = 24, .metric = 9, .nexthop_count = 1,
			       .nexthops = { { GW1, 4 } } };

	start(two_ifs);
	ck_assert_int_eq(fx_route(NET1, 24, 1, GW0, 3), NO_ERROR);
	fx_expect_kernel(NET1_CREATE);
	ck_assert_int_eq(rm_route_set(fx.rm, RM_SRC_AUTOSTATIC, RM_PROTO_AUTOSTATIC,
				      RM_PREF_AUTOSTATIC, &as), NO_ERROR);
	fx_expect_kernel("install 198.51.100.0/24 proto 210 replace 198.18.1.2@4\n");
	ck_assert_int_eq(fx_route(NET1, 24, 1, GW0, 3), NO_ERROR); /* still loses */
	fx_expect_kernel("install 198.51.100.0/24 proto 210 replace 198.18.1.2@4\n");
	rm_route_unset(fx.rm, RM_SRC_AUTOSTATIC, NET1, 24);
	fx_expect_kernel("install 198.51.100.0/24 proto 189 replace 198.18.0.2@3\n");
	ck_assert_uint_eq(mk_find(fx.mk, NET1, 24)->protocol, FX_PROTO);
}
END_TEST

START_TEST(refused_route_kept_and_retried_after_link_change)
{
	start(two_ifs);
	mk_refuse_next(fx.mk, NET1, 24, ENETUNREACH);
	ck_assert_int_eq(fx_route(NET1, 24, 2, GW0, 3), NO_ERROR);
	mk_settle(fx.mk);
	fx_expect_kernel(NET1_CREATE);
	ck_assert(rm_route_held(fx.rm, NET1, 24));
	ck_assert(!rm_route_in_fib(fx.rm, NET1, 24));
	ck_assert_uint_eq(fx.rm->counters.fib_failures, 1);
	fx_run();
	fx_expect_kernel(""); /* not retried on its own */
	fx_link(5, "veth9", true, true, A(198, 18, 9, 1), 24); /* any link's change */
	fx_fire(fx.rm->audit_timer);
	fx_expect_kernel(NET1_CREATE);
	mk_settle(fx.mk);
	ck_assert(rm_route_in_fib(fx.rm, NET1, 24));
}
END_TEST

/* start(two_ifs) with a static route (proto 4, via veth1) at our table and priority; the
 * protocol's route to the same prefix is refused (EEXIST). */
static void start_refused_by_static(void)
{
	struct mk_route st = own_route(NET1, 4, GW1, 4);

	start(two_ifs);
	mk_foreign_add(fx.mk, &st);
	ck_assert_int_eq(fx_route(NET1, 24, 2, GW0, 3), NO_ERROR);
	mk_settle(fx.mk);
	fx_expect_kernel(NET1_CREATE);
}

/* A create that meets another protocol's route at our table and priority is refused and the
 * route left alone; ours goes in once that route is gone. */
START_TEST(foreign_route_refuses_ours_until_it_goes)
{
	start_refused_by_static();
	ck_assert(!rm_route_in_fib(fx.rm, NET1, 24));
	ck_assert_uint_eq(mk_find(fx.mk, NET1, 24)->protocol, 4);
	mk_foreign_del(fx.mk, NET1, 24, true);
	fx_expect_kernel(NET1_CREATE);
	ck_assert(rm_route_in_fib(fx.rm, NET1, 24));
	ck_assert_uint_eq(mk_find(fx.mk, NET1, 24)->protocol, FX_PROTO);
	ck_assert_uint_eq(mk_clobbered(fx.mk), 0);
}
END_TEST

/* Left to another protocol's route, ours is not written again at every link change (the kernel
 * would refuse it again); only when that route may have gone with a flush. */
START_TEST(foreign_route_not_retried_at_every_link_change)
{
	start_refused_by_static();
	fx_link(5, "veth9", true, true, A(198, 18, 9, 1), 24); /* a link comes up */
	fx_fire(fx.rm->audit_timer);
	mk_settle(fx.mk);
	fx_expect_kernel("");
	ck_assert_uint_eq(fx.rm->counters.fib_failures, 1);
	mk_flush_link(fx.mk, 4); /* veth1 goes down: the kernel drops that route silently */
	fx_link(4, "veth1", false, true, A(198, 18, 1, 1), 24);
	fx_fire(fx.rm->audit_timer);
	mk_settle(fx.mk);
	fx_expect_kernel(NET1_CREATE);
	ck_assert(rm_route_in_fib(fx.rm, NET1, 24));
}
END_TEST

START_TEST(foreign_route_replacing_ours_left_alone)
{
	struct mk_route st = own_route(NET1, 4, GW1, 4);

	start_with_net1();
	mk_foreign_add(fx.mk, &st); /* ip route replace ... proto static metric 20 */
	fx_expect_kernel("");
	ck_assert(!rm_route_in_fib(fx.rm, NET1, 24));
	ck_assert_uint_eq(fx.rm->counters.fib_taken_over, 1);
	/* our protocol changes the route meanwhile: a create, refused again */
	ck_assert_int_eq(fx_route(NET1, 24, 3, GW0, 3), NO_ERROR);
	mk_settle(fx.mk);
	fx_expect_kernel(NET1_CREATE);
	ck_assert_uint_eq(mk_find(fx.mk, NET1, 24)->protocol, 4);
	mk_foreign_del(fx.mk, NET1, 24, true);
	fx_expect_kernel(NET1_CREATE);
	ck_assert(rm_route_in_fib(fx.rm, NET1, 24));
	ck_assert_uint_eq(mk_clobbered(fx.mk), 0);
}
END_TEST

START_TEST(route_deleted_by_someone_else_written_back)
{
	start_with_net1();
	mk_delete_own(fx.mk, NET1, 24);
	fx_expect_kernel(NET1_CREATE);
	ck_assert_ptr_nonnull(mk_find(fx.mk, NET1, 24));
	ck_assert_uint_eq(fx.rm->counters.fib_external_deletes, 1);
}
END_TEST

/* The kernel flushes routes through a link that lost its address without telling: the audit
 * after the link change re-reads the table and writes back what is missing, only that. */
START_TEST(silent_flush_found_by_audit)
{
	start(two_ifs);
	ck_assert_int_eq(fx_route(NET1, 24, 2, GW0, 3), NO_ERROR);
	ck_assert_int_eq(fx_route(NET2, 24, 2, GW1, 4), NO_ERROR);
	fx_expect_kernel("install 198.51.100.0/24 proto 189 create 198.18.0.2@3\n"
			 "install 203.0.113.0/24 proto 189 create 198.18.1.2@4\n");
	ck_assert_uint_eq(mk_flush_link(fx.mk, 3), 1);
	fx_link(3, "veth0", true, true, 0, 0);                /* address removed */
	fx_link(3, "veth0", true, true, A(198, 18, 0, 1), 24); /* and back */
	fx_fire(fx.rm->audit_timer);
	fx_expect_kernel(NET1_CREATE);
	ck_assert_uint_eq(fx.rm->counters.fib_reinstalled, 1);
	ck_assert_uint_eq(mk_count(fx.mk), 2);
}
END_TEST

/* A refused replace leaves our previous route in the kernel: the retry is a replace again. */
START_TEST(refused_replace_retried_as_replace)
{
	start_with_net1();
	mk_refuse_next(fx.mk, NET1, 24, ENETUNREACH);
	ck_assert_int_eq(fx_route(NET1, 24, 2, GW1, 4), NO_ERROR);
	mk_settle(fx.mk);
	fx_expect_kernel("install 198.51.100.0/24 proto 189 replace 198.18.1.2@4\n");
	ck_assert(!rm_route_in_fib(fx.rm, NET1, 24));
	ck_assert_uint_eq(mk_find(fx.mk, NET1, 24)->nexthops[0].ifindex, 3);
	fx_link(4, "veth1", true, true, A(198, 18, 1, 1), 24); /* unchanged: no audit */
	ck_assert(!evtimer_pending(fx.rm->audit_timer, NULL));
	fx_link(4, "veth1", true, true, A(198, 18, 1, 2), 24);
	fx_fire(fx.rm->audit_timer);
	mk_settle(fx.mk);
	fx_expect_kernel("install 198.51.100.0/24 proto 189 replace 198.18.1.2@4\n");
	ck_assert(rm_route_in_fib(fx.rm, NET1, 24));
}
END_TEST

/* Lost notifications: the kernel's table is read again and what it lost is written back. */
START_TEST(lost_notifications_audit_our_routes)
{
	start_with_net1();
	mk_flush_link(fx.mk, 3);
	rm_fib_lost_notifications(fx.rm);
	fx_fire(fx.rm->audit_timer);
	fx_expect_kernel(NET1_CREATE);
	ck_assert_uint_eq(fx.rm->counters.fib_reinstalled, 1);
}
END_TEST

START_TEST(audit_survives_failed_dump)
{
	start_with_net1();
	mk_flush_link(fx.mk, 3);
	mk_fail_dumps(fx.mk, true);
	fx_link(3, "veth0", false, true, A(198, 18, 0, 1), 24);
	fx_fire(fx.rm->audit_timer);
	fx_expect_kernel(""); /* nothing known lost: nothing written */
	ck_assert(rm_route_held(fx.rm, NET1, 24));
}
END_TEST

/* Routes of ours found at start stay while relearned; the rest go after fib.stale-time. */
START_TEST(stale_routes_kept_while_relearned)
{
	struct mk_route a = own_route(NET1, FX_PROTO, GW0, 3), b = own_route(NET2, FX_PROTO, GW1, 4);
	struct mk_route other = own_route(A(192, 0, 2, 0), 4, GW0, 3);
	struct timeval left, now;

	mk_put(fx.mk, &a);
	mk_put(fx.mk, &b);
	mk_put(fx.mk, &other);
	start(two_ifs);
	ck_assert_uint_eq(fx.rm->counters.fib_stale_found, 2);
	ck_assert(rm_route_in_fib(fx.rm, NET2, 24));
	ck_assert(evtimer_pending(fx.rm->stale_timer, &left));
	event_base_gettimeofday_cached(fx.base, &now);
	ck_assert_int_ge(left.tv_sec - now.tv_sec, 39);
	ck_assert_int_le(left.tv_sec - now.tv_sec, 41);
	ck_assert_int_eq(fx_route(NET1, 24, 2, GW0, 3), NO_ERROR);
	fx_expect_kernel("install 198.51.100.0/24 proto 189 replace 198.18.0.2@3\n");
	fx_fire(fx.rm->stale_timer);
	fx_expect_kernel("remove 203.0.113.0/24 proto 189\n");
	ck_assert_uint_eq(fx.rm->counters.fib_stale_removed, 1);
	ck_assert(!rm_route_held(fx.rm, NET2, 24));
	ck_assert_ptr_nonnull(mk_find(fx.mk, A(192, 0, 2, 0), 24)); /* not ours: untouched */
	ck_assert_uint_eq(mk_count(fx.mk), 2);
}
END_TEST

START_TEST(stale_time_from_configuration)
{
	struct mk_route a = own_route(NET1, FX_PROTO, GW0, 3);
	struct timeval left, now;

	mk_put(fx.mk, &a);
	start("fib = { stale-time = 5; };\n"
	      "trace = { interfaces = ( { name = \"veth0\"; } ); };\n");
	ck_assert(evtimer_pending(fx.rm->stale_timer, &left));
	event_base_gettimeofday_cached(fx.base, &now);
	ck_assert_int_le(left.tv_sec - now.tv_sec, 6);
}
END_TEST

START_TEST(routes_retained_at_stop_by_default)
{
	start_with_net1();
	rm_free(fx.rm);
	fx.rm = NULL;
	fx_expect_kernel("");
	ck_assert_uint_eq(mk_count(fx.mk), 1);
}
END_TEST

START_TEST(routes_removed_at_stop_unless_autostatic)
{
	struct rp_route as = { .prefix = NET2, .prefixlen = 24, .metric = 1, .nexthop_count = 1,
			       .nexthops = { { GW1, 4 } } };

	start("fib = { retain-on-stop = false; };\n"
	      "trace = { interfaces = ( { name = \"veth0\"; } ); };\n");
	ck_assert_int_eq(fx_route(NET1, 24, 2, GW0, 3), NO_ERROR);
	ck_assert_int_eq(rm_route_set(fx.rm, RM_SRC_AUTOSTATIC, RM_PROTO_AUTOSTATIC,
				      RM_PREF_AUTOSTATIC, &as), NO_ERROR);
	fx_expect_kernel("install 198.51.100.0/24 proto 189 create 198.18.0.2@3\n"
			 "install 203.0.113.0/24 proto 210 create 198.18.1.2@4\n");
	rm_free(fx.rm);
	fx.rm = NULL;
	fx_expect_kernel("remove 198.51.100.0/24 proto 189\nflush\n");
	ck_assert_ptr_nonnull(mk_find(fx.mk, NET2, 24));
}
END_TEST

START_TEST(new_table_and_priority_move_routes)
{
	start_with_net1();
	fx_config("fib = { table = 100; metric = 30; };\n"
		  "trace = { interfaces = ( { name = \"veth0\"; }, { name = \"veth1\"; } ); };\n");
	fx_expect_kernel("remove 198.51.100.0/24 proto 189\nflush\ntarget 100 30\n"
			 "install 198.51.100.0/24 proto 189 create 198.18.0.2@3\n");
	ck_assert_uint_eq(mk_table(fx.mk), 100);
	ck_assert_uint_eq(mk_priority(fx.mk), 30);
}
END_TEST

/* Routes left by a previous run and not relearned yet leave the old place with the others and
 * are not written to the new one: nothing of them stays in the table. */
START_TEST(stale_routes_not_moved)
{
	struct mk_route b = own_route(NET2, FX_PROTO, GW1, 4);

	mk_put(fx.mk, &b);
	start_with_net1();
	fx_config("fib = { table = 100; metric = 30; };\n"
		  "trace = { interfaces = ( { name = \"veth0\"; }, { name = \"veth1\"; } ); };\n");
	fx_expect_kernel("remove 198.51.100.0/24 proto 189\nremove 203.0.113.0/24 proto 189\n"
			 "flush\ntarget 100 30\n" NET1_CREATE);
	ck_assert(!rm_route_held(fx.rm, NET2, 24));
	ck_assert(rm_route_held(fx.rm, NET1, 24));
}
END_TEST

START_TEST(protocol_removed_by_reload_takes_its_routes)
{
	start_with_net1();
	fx_config("fib = { stale-time = 40; };\n");
	fx_expect_kernel("remove 198.51.100.0/24 proto 189\n");
	ck_assert(!rm_route_held(fx.rm, NET1, 24));
}
END_TEST

static Suite *rm_fib_suite(void)
{
	Suite *s = suite_create("rm_fib");
	TCase *tc = tcase_create("routes");

	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, route_created_replaced_removed);
	tcase_add_test(tc, invalid_routes_rejected);
	tcase_add_test(tc, ecmp_route_carries_every_nexthop);
	tcase_add_test(tc, best_candidate_selected);
	tcase_add_test(tc, refused_route_kept_and_retried_after_link_change);
	tcase_add_test(tc, foreign_route_refuses_ours_until_it_goes);
	tcase_add_test(tc, foreign_route_not_retried_at_every_link_change);
	tcase_add_test(tc, foreign_route_replacing_ours_left_alone);
	tcase_add_test(tc, route_deleted_by_someone_else_written_back);
	tcase_add_test(tc, silent_flush_found_by_audit);
	tcase_add_test(tc, refused_replace_retried_as_replace);
	tcase_add_test(tc, lost_notifications_audit_our_routes);
	tcase_add_test(tc, audit_survives_failed_dump);
	tcase_add_test(tc, stale_routes_kept_while_relearned);
	tcase_add_test(tc, stale_time_from_configuration);
	tcase_add_test(tc, routes_retained_at_stop_by_default);
	tcase_add_test(tc, routes_removed_at_stop_unless_autostatic);
	tcase_add_test(tc, new_table_and_priority_move_routes);
	tcase_add_test(tc, stale_routes_not_moved);
	tcase_add_test(tc, protocol_removed_by_reload_takes_its_routes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rm_fib_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
