/* SPDX-License-Identifier: ISC */
/*
 * test_preference.c — route selection across protocols: each protocol's default preference
 * (administrative distance), `preference = N;` in its section overriding it (also on reload),
 * the lowest preference winning and the metric deciding between equal preferences.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf/conf.h"
#include "core/rm.h"
#include "routprotd/conf_diag.h"
#include "routprotd/log.h"
#include "stub_protocol.h"

#define PREFIX 0xc6120500u /* 198.18.5.0/24 */

static const struct rp_support *supports[2];
static int instances[2];
static uint8_t installed_proto; /* protocol number of the last route written */
static unsigned installs;
static char tmpdir[] = "/tmp/test_preference.XXXXXX";
static char conf_path[64];
static struct event_base *base;
static struct rm *rm;

static void quiet(enum rp_log_level level, const char *line, void *arg)
{
}

static enum rp_result start(const struct rp_support *s, const void *g, void **inst, int i)
{
	supports[i] = s;
	*inst = &instances[i];
	return NO_ERROR;
}

static enum rp_result start_a(const struct rp_support *s, const void *g, void **inst)
{
	return start(s, g, inst, 0);
}

static enum rp_result start_b(const struct rp_support *s, const void *g, void **inst)
{
	return start(s, g, inst, 1);
}

static enum rp_result stop(void *inst)
{
	supports[(int *)inst - instances] = NULL;
	return NO_ERROR;
}

static const struct rp_protocol alpha = {
	RP_PROTOCOL_HEADER, .name = "alpha", .protocol_id = 201, /* default preference */
	.start_protocol = start_a, .stop_protocol = stop,
	.add_interface = stub_add_if, .delete_interface = stub_del_if,
};
static const struct rp_protocol beta = {
	RP_PROTOCOL_HEADER, .name = "beta", .protocol_id = 202, .preference = 50,
	.start_protocol = start_b, .stop_protocol = stop,
	.add_interface = stub_add_if, .delete_interface = stub_del_if,
};
static const struct rp_protocol *const registry[] = { &alpha, &beta };

static void fib_install(void *arg, const struct rm_fib_route *r)
{
	installed_proto = r->protocol;
	installs++;
}

static void fib_remove(void *arg, uint32_t prefix, uint8_t len, uint8_t protocol)
{
}

static void fib_flush(void *arg)
{
}

static int fib_dump_own(void *arg, void (*cb)(void *, const struct rm_fib_route *), void *a)
{
	return 0;
}

static int fib_dump_kernel(void *arg, void (*cb)(void *, const struct rm_kernel_route *),
			   void *a)
{
	return 0;
}

static void fib_target(void *arg, uint32_t table, uint32_t priority)
{
}

static const struct rm_fib_ops fib_ops = {
	.install = fib_install, .remove = fib_remove, .flush = fib_flush,
	.dump_own = fib_dump_own, .dump_kernel = fib_dump_kernel, .set_target = fib_target,
};

/* Load `text` as the configuration: NULL (messages in *diag) when invalid. */
static struct conf *load(const char *text, struct rp_conf_diag *diag)
{
	FILE *f = fopen(conf_path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	rp_conf_diag_init(diag, conf_path);
	return conf_load(conf_path, registry, 2, diag);
}

static void apply(const char *text)
{
	struct rp_conf_diag diag;
	struct conf *c = load(text, &diag);

	ck_assert_msg(c != NULL, "%s", diag.count ? diag.messages[0] : "invalid");
	rp_conf_diag_free(&diag);
	ck_assert(rm_apply_config(rm, c));
}

static void announce(int i, uint32_t metric)
{
	struct rp_route r = { .prefix = PREFIX, .prefixlen = 24, .metric = metric,
			      .nexthop_count = 1, .nexthops = { { .gateway = 0xc6120001u,
								  .ifindex = 1 } } };

	ck_assert_ptr_nonnull(supports[i]);
	ck_assert_int_eq(supports[i]->route_add(supports[i]->host, &r), NO_ERROR);
}

static void setup(void)
{
	rp_log_set_sink(quiet, NULL);
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(conf_path, sizeof(conf_path), "%s/routprotd.conf", tmpdir);
	base = event_base_new();
	rm = rm_new(base, registry, 2);
	ck_assert_ptr_nonnull(rm);
	rm_attach_fib(rm, &fib_ops, NULL);
	installs = 0;
	installed_proto = 0;
}

static void teardown(void)
{
	rm_free(rm);
	event_base_free(base);
	unlink(conf_path);
	rmdir(tmpdir);
	strcpy(tmpdir, "/tmp/test_preference.XXXXXX");
	rp_log_set_sink(NULL, NULL);
}

START_TEST(lower_default_preference_wins)
{
	apply("alpha = { }; beta = { };\n");
	announce(1, 10); /* beta, preference 50 */
	announce(0, 1);  /* alpha, default 120: better metric, worse preference */
	ck_assert_uint_eq(installed_proto, 202);
}
END_TEST

START_TEST(section_preference_overrides_and_reload_reselects)
{
	apply("alpha = { preference = 10; };\nbeta = { };\n");
	announce(1, 1);
	announce(0, 10);
	ck_assert_uint_eq(installed_proto, 201);
	apply("alpha = { preference = 60; };\nbeta = { };\n");
	ck_assert_uint_eq(installed_proto, 202);
	apply("alpha = { };\nbeta = { preference = 200; };\n");
	ck_assert_uint_eq(installed_proto, 201);
}
END_TEST

START_TEST(equal_preference_lower_metric_wins)
{
	apply("alpha = { preference = 50; };\nbeta = { };\n");
	announce(0, 5);
	announce(1, 3);
	ck_assert_uint_eq(installed_proto, 202);
	announce(0, 2);
	ck_assert_uint_eq(installed_proto, 201);
}
END_TEST

START_TEST(preference_out_of_range_refused_with_line)
{
	struct rp_conf_diag diag;
	char where[160];

	ck_assert_ptr_null(load("alpha = {\n  preference = 0;\n};\n", &diag));
	snprintf(where, sizeof(where), "%s:2: 'preference' must be between 1 and 255", conf_path);
	ck_assert_uint_ge(diag.count, 1);
	ck_assert_msg(strstr(diag.messages[0], where), "%s", diag.messages[0]);
	rp_conf_diag_free(&diag);
	ck_assert_ptr_null(load("beta = { preference = 256; };\n", &diag));
	rp_conf_diag_free(&diag);
}
END_TEST

static Suite *preference_suite(void)
{
	Suite *s = suite_create("preference");
	TCase *tc = tcase_create("selection");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, lower_default_preference_wins);
	tcase_add_test(tc, section_preference_overrides_and_reload_reselects);
	tcase_add_test(tc, equal_preference_lower_metric_wins);
	tcase_add_test(tc, preference_out_of_range_refused_with_line);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(preference_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
