/* SPDX-License-Identifier: ISC */
/*
 * test_rm_autostatic.c — unit tests of the router manager's autostatic routes
 * (rm_autostatic*.c, rm_state.c) against the mock kernel: an update that completes replaces the
 * interface's set (kernel and state file), one that fails keeps it, a set the state file cannot
 * hold is refused, the checks before an update, routes out of the kernel while their link is
 * down and back when it is up (also under a new index), sets restored from the state file at
 * start or, from an unusable one, recovered from the kernel, autostatic winning over a
 * protocol's route, redistribution, and clearing.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core/rm_internal.h"
#include "core/rm_state.h"
#include "rm_fixture.h"

#define NET1 A(198, 51, 100, 0)
#define NET2 A(203, 0, 113, 0)
#define GW0 A(198, 18, 0, 2)
#define NET1_AS "install 198.51.100.0/24 proto 210 create 198.18.0.2@3\n"

static const char *const conf = "trace = { interfaces = ( { name = \"veth0\"; } ); };\n";

struct done {
	unsigned calls;
	enum rp_result status;
	size_t routes;
	char why[700];
	char kernel[512]; /* what the kernel was sent before the caller was told */
};

static void on_done(void *ctx, const char *ifname, enum rp_result status, size_t routes,
		    const char *why)
{
	struct done *d = ctx;
	char *sent = mk_take_log(fx.mk);

	d->calls++;
	d->status = status;
	d->routes = routes;
	snprintf(d->why, sizeof(d->why), "%s", why ? why : "");
	snprintf(d->kernel, sizeof(d->kernel), "%s", sent);
	free(sent);
}

static void start(void)
{
	fx_link(3, "veth0", true, true, A(198, 18, 0, 1), 24);
	fx_attach();
	fx_config(conf);
	fx_expect_kernel("target 254 20\n");
}

/* One update of veth0 that reports `n` routes (NET1, then NET2) and completes with `status`. */
static struct done update(unsigned n, enum rp_result status)
{
	struct done d = { 0 };
	const char *why;
	const uint32_t nets[] = { NET1, NET2 };

	ck_assert_int_eq(rm_update_routes(fx.rm, "veth0", 5, on_done, &d, &why), NO_ERROR);
	ck_assert_uint_eq(fx.update_ifindex, 3);
	for (unsigned i = 0; i < n; i++)
		ck_assert_int_eq(fx_update_route(3, nets[i], 24, GW0, 2 + i), NO_ERROR);
	fx_complete(3, status);
	ck_assert_uint_eq(d.calls, 1);
	return d;
}

/* The routes of veth0 in the state file. */
static size_t saved_routes(void)
{
	struct rm_state_iface *ifs;
	size_t n, routes = 0;
	char err[256];

	ck_assert_int_eq(rm_state_read(fx.state_dir, &ifs, &n, err, sizeof(err)), 1);
	for (size_t i = 0; i < n; i++)
		if (strcmp(ifs[i].name, "veth0") == 0)
			routes = ifs[i].nroutes;
	rm_state_free(ifs, n);
	return routes;
}

START_TEST(update_replaces_the_set)
{
	struct done d;

	start();
	d = update(2, NO_ERROR);
	ck_assert_int_eq(d.status, NO_ERROR);
	ck_assert_uint_eq(d.routes, 2);
	/* in the kernel (sent, not only queued) by the time the caller is told */
	ck_assert_str_eq(d.kernel, NET1_AS "install 203.0.113.0/24 proto 210 create 198.18.0.2@3\n"
			 "flush\n");
	ck_assert_uint_eq(saved_routes(), 2);
	d = update(1, NO_ERROR); /* NET2 no longer announced: removed; NET1 written once */
	ck_assert_uint_eq(d.routes, 1);
	ck_assert_str_eq(d.kernel, "remove 203.0.113.0/24 proto 210\n"
			 "install 198.51.100.0/24 proto 210 replace 198.18.0.2@3\nflush\n");
	ck_assert_ptr_nonnull(mk_find(fx.mk, NET1, 24));
	ck_assert_ptr_null(mk_find(fx.mk, NET2, 24));
	ck_assert_uint_eq(saved_routes(), 1);
	d = update(0, NO_ERROR); /* an answer without routes empties the set */
	ck_assert_uint_eq(d.routes, 0);
	ck_assert_uint_eq(mk_count(fx.mk), 0);
	ck_assert_uint_eq(saved_routes(), 0);
}
END_TEST

START_TEST(failed_update_keeps_the_set)
{
	struct done d;

	start();
	ck_assert_str_eq(update(1, NO_ERROR).kernel, NET1_AS "flush\n");
	d = update(2, ERROR_CAN_NOT_COMPLETE);
	ck_assert_int_eq(d.status, ERROR_CAN_NOT_COMPLETE);
	ck_assert_uint_eq(d.routes, 1);
	ck_assert_str_eq(d.kernel, "");
	ck_assert_uint_eq(rm_autostatic_count(fx.rm, "veth0"), 1);
	ck_assert_uint_eq(saved_routes(), 1);
}
END_TEST

/* A change the state file cannot hold is not made: update and clear refused, nothing moves. */
START_TEST(unwritable_state_file_refuses_changes)
{
	char gone[160];
	struct done d;
	const char *why;
	size_t removed;

	start();
	ck_assert_str_eq(update(1, NO_ERROR).kernel, NET1_AS "flush\n");
	snprintf(gone, sizeof(gone), "%s.gone", fx.state_dir);
	ck_assert_int_eq(rename(fx.state_dir, gone), 0); /* the directory was removed */
	d = update(2, NO_ERROR);
	ck_assert_int_eq(d.status, ERROR_CAN_NOT_COMPLETE);
	ck_assert_uint_eq(d.routes, 1);
	ck_assert_ptr_nonnull(strstr(d.why, "update not applied: cannot write the state file"));
	ck_assert_ptr_nonnull(strstr(d.why, "the previous 1 route stay"));
	ck_assert_str_eq(d.kernel, "");
	ck_assert_int_eq(rm_clear_autostatic(fx.rm, "veth0", &removed, &why),
			 ERROR_CAN_NOT_COMPLETE);
	ck_assert_uint_eq(removed, 0);
	ck_assert_ptr_nonnull(strstr(why, "not cleared: cannot write the state file"));
	fx_expect_kernel("");
	ck_assert_uint_eq(rm_autostatic_count(fx.rm, "veth0"), 1);
	ck_assert_int_eq(rename(gone, fx.state_dir), 0); /* repaired */
	ck_assert_int_eq(rm_clear_autostatic(fx.rm, "veth0", &removed, &why), NO_ERROR);
	ck_assert_uint_eq(removed, 1);
	fx_expect_kernel("remove 198.51.100.0/24 proto 210\nflush\n");
	ck_assert_uint_eq(saved_routes(), 0);
}
END_TEST

START_TEST(update_checks)
{
	struct done d = { 0 };
	const char *why;

	start();
	ck_assert_int_eq(rm_update_routes(fx.rm, "nosuch", 5, on_done, &d, &why),
			 ERROR_INVALID_PARAMETER);
	ck_assert_str_eq(why, "unknown interface");
	ck_assert_int_eq(rm_update_routes(fx.rm, "veth0", 5, on_done, &d, &why), NO_ERROR);
	ck_assert_int_eq(rm_update_routes(fx.rm, "veth0", 5, on_done, &d, &why),
			 ERROR_UPDATE_IN_PROGRESS);
	ck_assert_int_eq(fx_update_route(3, NET1, 24, GW0, 16), ERROR_INVALID_PARAMETER);
	ck_assert_int_eq(fx_update_route(3, NET1, 24, GW0, 0), ERROR_INVALID_PARAMETER);
	fx_complete(3, NO_ERROR);
	fx_link(3, "veth0", true, false, A(198, 18, 0, 1), 24);
	ck_assert_int_eq(rm_update_routes(fx.rm, "veth0", 5, on_done, &d, &why),
			 ERROR_INTERFACE_NOT_CONNECTED);
	ck_assert_uint_eq(fx.updates, 1);
}
END_TEST

/* The RM does not wait for ever: past the update's timeout it gives up, keeps the set, and
 * ignores the protocol's late UPDATE_COMPLETE. */
START_TEST(update_never_completed_given_up)
{
	struct done d = { 0 };
	const char *why;

	start();
	ck_assert_str_eq(update(1, NO_ERROR).kernel, NET1_AS "flush\n");
	ck_assert_int_eq(rm_update_routes(fx.rm, "veth0", 5, on_done, &d, &why), NO_ERROR);
	ck_assert_int_eq(fx_update_route(3, NET2, 24, GW0, 2), NO_ERROR);
	ck_assert_uint_eq(fx_fire_other_timers(), 1);
	ck_assert_uint_eq(d.calls, 1);
	ck_assert_int_eq(d.status, ERROR_CAN_NOT_COMPLETE);
	ck_assert_uint_eq(d.routes, 1);
	ck_assert_str_eq(d.why, "the routing protocol never finished the update");
	fx_complete(3, NO_ERROR); /* late */
	ck_assert_uint_eq(d.calls, 1);
	fx_expect_kernel("");
	ck_assert_uint_eq(rm_autostatic_count(fx.rm, "veth0"), 1);
	ck_assert_uint_eq(saved_routes(), 1);
	ck_assert_uint_eq(update(2, NO_ERROR).routes, 2); /* the next one counts */
	ck_assert_ptr_nonnull(mk_find(fx.mk, NET2, 24));
}
END_TEST

/* Out of the kernel while their link is down, back when it is up; a deleted link's set waits
 * for a link of that name. */
START_TEST(routes_follow_their_link)
{
	start();
	ck_assert_str_eq(update(1, NO_ERROR).kernel, NET1_AS "flush\n");
	fx_link(3, "veth0", false, true, A(198, 18, 0, 1), 24);
	fx_expect_kernel("remove 198.51.100.0/24 proto 210\n");
	fx_link(3, "veth0", true, true, A(198, 18, 0, 1), 24);
	fx_expect_kernel("install 198.51.100.0/24 proto 210 create 198.18.0.2@3\n");
	rm_link_delete(fx.rm, 3);
	mk_flush_link(fx.mk, 3);
	fx_expect_kernel("remove 198.51.100.0/24 proto 210\n");
	mk_settle(fx.mk); /* already gone: ESRCH, nothing to do */
	fx_link(7, "veth0", true, true, A(198, 18, 0, 1), 24);
	free(mk_take_log(fx.mk)); /* written (more than once: the writer keeps the last) */
	ck_assert_uint_eq(mk_find(fx.mk, NET1, 24)->nexthops[0].ifindex, 7);
	ck_assert_uint_eq(fx.rm->counters.fib_failures, 0);
}
END_TEST

START_TEST(sets_restored_from_state_file)
{
	struct rm_state_route r = { .prefix = NET1, .len = 24, .gateway = GW0, .metric = 3 };
	struct rm_state_iface s = { .name = "veth0", .updated_ms = 1, .routes = &r, .nroutes = 1 };
	char err[256];

	ck_assert_int_eq(rm_state_write(fx.state_dir, &s, 1, err, sizeof(err)), RM_STATE_WRITTEN);
	fx_link(3, "veth0", true, true, A(198, 18, 0, 1), 24);
	fx_attach();
	fx_expect_kernel("install 198.51.100.0/24 proto 210 create 198.18.0.2@3\n");
	ck_assert_uint_eq(rm_autostatic_count(fx.rm, "veth0"), 1);
}
END_TEST

/* An unusable state file is set aside; the sets come back from the kernel's proto autostatic
 * routes, stay in the kernel, and are written to a new file. */
START_TEST(sets_recovered_from_kernel)
{
	struct mk_route k = { .prefix = NET1, .len = 24, .protocol = RM_PROTO_AUTOSTATIC,
			      .at_priority = true, .nnexthops = 1, .nexthops = { { GW0, 3 } } };
	char path[160];
	FILE *f;
	DIR *d;
	struct dirent *e;
	unsigned aside = 0;

	snprintf(path, sizeof(path), "%s/%s", fx.state_dir, RM_STATE_FILE);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{ not json", f);
	ck_assert_int_eq(fclose(f), 0);
	mk_put(fx.mk, &k);
	fx_link(3, "veth0", true, true, A(198, 18, 0, 1), 24);
	fx_attach();
	ck_assert_uint_eq(rm_autostatic_count(fx.rm, "veth0"), 1);
	ck_assert_uint_eq(saved_routes(), 1);
	d = opendir(fx.state_dir);
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		aside += strncmp(e->d_name, RM_STATE_FILE ".bad-", strlen(RM_STATE_FILE) + 5) == 0;
	closedir(d);
	ck_assert_uint_eq(aside, 1);
	free(mk_take_log(fx.mk)); /* written over itself at most: still there */
	ck_assert_uint_eq(mk_find(fx.mk, NET1, 24)->protocol, RM_PROTO_AUTOSTATIC);
	fx_config(conf);
	ck_assert_uint_eq(fx.rm->counters.fib_stale_found, 1);
	fx_fire(fx.rm->stale_timer); /* adopted at start, but an autostatic route now: kept */
	ck_assert_ptr_nonnull(mk_find(fx.mk, NET1, 24));
	ck_assert(rm_route_in_fib(fx.rm, NET1, 24));
}
END_TEST

/* Autostatic wins over a protocol's route whatever the metrics; the protocol's comes back when
 * the set is cleared. */
START_TEST(autostatic_wins_over_protocol)
{
	const char *why;
	size_t removed;

	start();
	ck_assert_int_eq(fx_route(NET1, 24, 1, A(198, 18, 0, 9), 3), NO_ERROR);
	fx_expect_kernel("install 198.51.100.0/24 proto 189 create 198.18.0.9@3\n");
	ck_assert_str_eq(update(1, NO_ERROR).kernel,
			 "install 198.51.100.0/24 proto 210 replace 198.18.0.2@3\nflush\n");
	ck_assert_int_eq(rm_clear_autostatic(fx.rm, "veth0", &removed, &why), NO_ERROR);
	fx_expect_kernel("install 198.51.100.0/24 proto 189 replace 198.18.0.9@3\nflush\n");
	ck_assert_uint_eq(mk_find(fx.mk, NET1, 24)->protocol, FX_PROTO);
}
END_TEST

START_TEST(redistributed_with_their_metric)
{
	start();
	update(1, NO_ERROR);
	fx_subscribe(RP_REDIST_AUTOSTATIC);
	fx_expect_redist("+ 198.51.100.0/24 autostatic via 198.18.0.2 if 3 metric 2\n");
	update(0, NO_ERROR);
	fx_expect_redist("- 198.51.100.0/24 autostatic\n");
}
END_TEST

START_TEST(clear_unknown_interface)
{
	const char *why;
	size_t removed;

	start();
	ck_assert_int_eq(rm_clear_autostatic(fx.rm, "nosuch", &removed, &why),
			 ERROR_INVALID_PARAMETER);
	ck_assert_int_eq(rm_clear_autostatic(fx.rm, "veth0", &removed, &why), NO_ERROR);
	ck_assert_uint_eq(removed, 0);
}
END_TEST

static Suite *rm_autostatic_suite(void)
{
	Suite *s = suite_create("rm_autostatic");
	TCase *tc = tcase_create("autostatic");

	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_add_test(tc, update_replaces_the_set);
	tcase_add_test(tc, failed_update_keeps_the_set);
	tcase_add_test(tc, unwritable_state_file_refuses_changes);
	tcase_add_test(tc, update_checks);
	tcase_add_test(tc, update_never_completed_given_up);
	tcase_add_test(tc, routes_follow_their_link);
	tcase_add_test(tc, sets_restored_from_state_file);
	tcase_add_test(tc, sets_recovered_from_kernel);
	tcase_add_test(tc, autostatic_wins_over_protocol);
	tcase_add_test(tc, redistributed_with_their_metric);
	tcase_add_test(tc, clear_unknown_interface);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rm_autostatic_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
