/* SPDX-License-Identifier: ISC */
/*
 * test_rm_redist.c — unit tests of what the router manager offers protocols for redistribution
 * (rm_redist.c) against the mock kernel: connected subnets of running interfaces, kernel routes
 * of proto static and proto kernel/boot (discard types with their type), nothing of other
 * protocols; the current routes replayed when a kind is newly subscribed, then every change;
 * withdrawals when a link's routes are flushed or the kernel's table is read again.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>

#include <event2/event.h>

#include "core/rm_internal.h"
#include "rm_fixture.h"

#define GW0 A(198, 18, 0, 2)

static const char *const conf =
	"trace = { interfaces = ( { name = \"veth0\"; }, { name = \"veth1\"; } ); };\n";

static struct mk_route kroute(uint32_t prefix, uint8_t len, uint8_t proto, uint8_t type,
			      uint32_t gw, uint32_t ifindex)
{
	return (struct mk_route){ .prefix = prefix, .len = len, .protocol = proto, .type = type,
				  .nnexthops = ifindex ? 1 : 0,
				  .nexthops = { { .gateway = gw, .ifindex = ifindex } } };
}

static void start(void)
{
	fx_link(1, "lo", true, true, A(127, 0, 0, 1), 8);
	fx_link(3, "veth0", true, true, A(198, 18, 0, 1), 24);
	fx_link(4, "veth1", false, false, A(198, 18, 1, 1), 24);
	fx_attach();
	fx_config(conf);
}

START_TEST(connected_replayed_then_followed)
{
	start();
	fx_subscribe(RP_REDIST_CONNECTED);
	fx_expect_redist("+ 198.18.0.0/24 connected if 3\n"); /* not lo, not veth1 (down) */
	fx_link(4, "veth1", true, true, A(198, 18, 1, 1), 24);
	fx_expect_redist("+ 198.18.1.0/24 connected if 4\n");
	fx_link(3, "veth0", true, false, A(198, 18, 0, 1), 24);
	fx_expect_redist("- 198.18.0.0/24 connected if 3\n");
	fx_link(4, "veth1", true, true, A(198, 18, 1, 129), 25);
	fx_expect_redist("- 198.18.1.0/24 connected if 4\n+ 198.18.1.128/25 connected if 4\n");
	fx_subscribe(RP_REDIST_CONNECTED); /* nothing newly selected: no replay */
	fx_expect_redist("");
	fx_subscribe(0);
	fx_link(3, "veth0", true, true, A(198, 18, 0, 1), 24);
	fx_expect_redist("");
}
END_TEST

/* static: proto static; kernel: proto kernel and boot; discard types with their type; other
 * protocols (proto 12 here) never. */
START_TEST(kernel_routes_by_kind)
{
	struct mk_route st = kroute(A(192, 0, 2, 0), 24, 4, 0, GW0, 3);
	struct mk_route bh = kroute(A(203, 0, 113, 0), 24, 4, 1, 0, 0);
	struct mk_route kr = kroute(A(198, 19, 0, 0), 16, 2, 0, 0, 3);
	struct mk_route bt = kroute(A(198, 19, 1, 0), 24, 3, 0, GW0, 3);
	struct mk_route other = kroute(A(198, 51, 100, 0), 24, 12, 0, GW0, 3);

	mk_put(fx.mk, &st);
	mk_put(fx.mk, &bh);
	mk_put(fx.mk, &kr);
	mk_put(fx.mk, &bt);
	mk_put(fx.mk, &other);
	start();
	fx_subscribe(RP_REDIST_STATIC);
	fx_expect_redist("+ 192.0.2.0/24 static via 198.18.0.2 if 3\n"
			 "+ 203.0.113.0/24 static type 1\n");
	fx_subscribe(RP_REDIST_STATIC | RP_REDIST_KERNEL); /* only the kind newly selected */
	fx_expect_redist("+ 198.19.0.0/16 kernel if 3\n"
			 "+ 198.19.1.0/24 kernel via 198.18.0.2 if 3\n");
	mk_foreign_del(fx.mk, A(198, 51, 100, 0), 24, false);
	fx_expect_redist("");
	mk_foreign_del(fx.mk, A(192, 0, 2, 0), 24, false);
	fx_expect_redist("- 192.0.2.0/24 static via 198.18.0.2 if 3\n");
	st.type = 3; /* ip route add prohibit ... */
	st.nnexthops = 0;
	mk_foreign_add(fx.mk, &st);
	fx_expect_redist("+ 192.0.2.0/24 static type 3\n");
}
END_TEST

/* An offered route whose kernel entry becomes another protocol's (ip route replace ... proto
 * bird) is withdrawn; one that becomes offered is announced. */
START_TEST(replaced_by_other_protocol_withdrawn)
{
	struct mk_route st = kroute(A(192, 0, 2, 0), 24, 4, 0, GW0, 3);

	mk_put(fx.mk, &st);
	start();
	fx_subscribe(RP_REDIST_STATIC | RP_REDIST_KERNEL);
	fx_expect_redist("+ 192.0.2.0/24 static via 198.18.0.2 if 3\n");
	st.protocol = 12;
	mk_foreign_add(fx.mk, &st);
	fx_expect_redist("- 192.0.2.0/24 static via 198.18.0.2 if 3\n");
	st.protocol = 2;
	mk_foreign_add(fx.mk, &st);
	fx_expect_redist("+ 192.0.2.0/24 kernel via 198.18.0.2 if 3\n");
	st.protocol = 4;
	mk_foreign_add(fx.mk, &st);
	fx_expect_redist("- 192.0.2.0/24 kernel via 198.18.0.2 if 3\n"
			 "+ 192.0.2.0/24 static via 198.18.0.2 if 3\n");
}
END_TEST

/* The kernel holds one route per priority for a prefix: each is known on its own, and of those
 * of one kind the one the kernel uses (lowest priority) is offered. */
START_TEST(routes_at_several_priorities)
{
	struct mk_route st = kroute(A(192, 0, 2, 0), 24, 4, 0, GW0, 3);
	struct mk_route st2 = kroute(A(192, 0, 2, 0), 24, 4, 0, A(198, 18, 0, 3), 3);
	struct mk_route bird = kroute(A(192, 0, 2, 0), 24, 12, 0, A(198, 18, 0, 4), 3);

	st.priority = 100;
	st2.priority = 200;
	bird.priority = 50;
	mk_put(fx.mk, &st);
	start();
	fx_subscribe(RP_REDIST_STATIC);
	fx_expect_redist("+ 192.0.2.0/24 static via 198.18.0.2 if 3\n");
	mk_foreign_add(fx.mk, &bird); /* another protocol's route before it: not offered */
	fx_expect_redist("");
	mk_foreign_del_at(fx.mk, A(192, 0, 2, 0), 24, 50); /* and gone: the static one stays */
	fx_expect_redist("");
	mk_foreign_add(fx.mk, &st2); /* a second static route, behind the first */
	fx_expect_redist("");
	mk_foreign_del_at(fx.mk, A(192, 0, 2, 0), 24, 100); /* the first goes: the second is used */
	fx_expect_redist("+ 192.0.2.0/24 static via 198.18.0.3 if 3\n");
	mk_foreign_del_at(fx.mk, A(192, 0, 2, 0), 24, 200);
	fx_expect_redist("- 192.0.2.0/24 static via 198.18.0.3 if 3\n");
	ck_assert(!rm_kernel_has(fx.rm, A(192, 0, 2, 0), 24));
}
END_TEST

/* A link that goes down takes its routes with it without a word from the kernel; the table
 * read again afterwards offers again only what changed. */
START_TEST(link_down_withdraws_its_kernel_routes)
{
	struct mk_route st = kroute(A(192, 0, 2, 0), 24, 4, 0, GW0, 3);
	struct mk_route bh = kroute(A(203, 0, 113, 0), 24, 4, 1, 0, 0);

	mk_put(fx.mk, &st);
	mk_put(fx.mk, &bh);
	start();
	fx_subscribe(RP_REDIST_STATIC);
	fx_expect_redist("+ 192.0.2.0/24 static via 198.18.0.2 if 3\n"
			 "+ 203.0.113.0/24 static type 1\n");
	mk_flush_link(fx.mk, 3);
	fx_link(3, "veth0", false, true, A(198, 18, 0, 1), 24);
	fx_expect_redist("- 192.0.2.0/24 static via 198.18.0.2 if 3\n");
	fx_fire(fx.rm->audit_timer); /* re-reads the table: nothing else went, nothing new */
	fx_expect_redist("");
}
END_TEST

/* Lost notifications: the table is read again, what vanished is withdrawn, what is new
 * offered. */
START_TEST(lost_notifications_reread_table)
{
	struct mk_route st = kroute(A(192, 0, 2, 0), 24, 4, 0, GW0, 3);
	struct mk_route st2 = kroute(A(203, 0, 113, 0), 24, 4, 0, GW0, 3);

	mk_put(fx.mk, &st);
	start();
	fx_subscribe(RP_REDIST_STATIC);
	fx_expect_redist("+ 192.0.2.0/24 static via 198.18.0.2 if 3\n");
	mk_flush_link(fx.mk, 3);
	mk_put(fx.mk, &st2);
	rm_fib_lost_notifications(fx.rm);
	fx_expect_redist("+ 203.0.113.0/24 static via 198.18.0.2 if 3\n"
			 "- 192.0.2.0/24 static via 198.18.0.2 if 3\n");
	mk_fail_dumps(fx.mk, true); /* an unreadable table withdraws nothing */
	rm_fib_lost_notifications(fx.rm);
	fx_expect_redist("");
}
END_TEST

/* A dump interrupted part-way keeps what it read and what it did not reach. */
START_TEST(interrupted_reread_keeps_what_it_did_not_reach)
{
	struct mk_route a = kroute(A(192, 0, 2, 0), 24, 4, 0, GW0, 3);
	struct mk_route b = kroute(A(203, 0, 113, 0), 24, 4, 0, GW0, 3);

	mk_put(fx.mk, &a);
	mk_put(fx.mk, &b);
	start();
	fx_subscribe(RP_REDIST_STATIC);
	fx_expect_redist("+ 192.0.2.0/24 static via 198.18.0.2 if 3\n"
			 "+ 203.0.113.0/24 static via 198.18.0.2 if 3\n");
	a.nexthops[0].gateway = A(198, 18, 0, 3);
	mk_put(fx.mk, &a);
	mk_fail_dumps_after(fx.mk, 1);
	rm_fib_lost_notifications(fx.rm);
	fx_expect_redist("+ 192.0.2.0/24 static via 198.18.0.3 if 3\n");
	mk_fail_dumps(fx.mk, false);
	rm_fib_lost_notifications(fx.rm);
	fx_expect_redist(""); /* both known as they are */
}
END_TEST

static Suite *rm_redist_suite(void)
{
	Suite *s = suite_create("rm_redist");
	TCase *tc = tcase_create("redist");

	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, connected_replayed_then_followed);
	tcase_add_test(tc, kernel_routes_by_kind);
	tcase_add_test(tc, replaced_by_other_protocol_withdrawn);
	tcase_add_test(tc, routes_at_several_priorities);
	tcase_add_test(tc, link_down_withdraws_its_kernel_routes);
	tcase_add_test(tc, lost_notifications_reread_table);
	tcase_add_test(tc, interrupted_reread_keeps_what_it_did_not_reach);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rm_redist_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
