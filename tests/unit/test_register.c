/* SPDX-License-Identifier: ISC */
/*
 * test_register.c — admission of protocol registrations by the router manager: a module built
 * for another interface version or with another struct size, or without a mandatory entry
 * point, is refused with a message naming the module, its version and ours.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core/rm.h"
#include "core/rm_internal.h"
#include "routprotd/log.h"
#include "stub_protocol.h"
#include "trace/trace.h"

static char logged[512];

static void capture(enum rp_log_level level, const char *line, void *arg)
{
	if (level == RP_LOG_ERROR)
		snprintf(logged, sizeof(logged), "%s", line);
}

static enum rp_result start(const struct rp_support *s, const void *g, void **inst)
{
	*inst = NULL;
	return NO_ERROR;
}

static enum rp_result stop(void *inst)
{
	return NO_ERROR;
}

/* A minimal registration with every mandatory entry point and none of the optional ones. */
static struct rp_protocol minimal(void)
{
	return (struct rp_protocol){ RP_PROTOCOL_HEADER, .name = "mini",
				     .start_protocol = start, .stop_protocol = stop,
				     .add_interface = stub_add_if, .delete_interface = stub_del_if };
}

static void ck_has(const char *text, const char *part)
{
	ck_assert_msg(strstr(text, part) != NULL, "\"%s\" lacks \"%s\"", text, part);
}

START_TEST(current_registrations_accepted)
{
	struct rp_protocol p = minimal();
	char why[256] = "";

	ck_assert(rm_protocol_acceptable(&trace_protocol, NULL, why, sizeof(why)));
	ck_assert(rm_protocol_acceptable(&p, "mini.so", why, sizeof(why)));
}
END_TEST

START_TEST(kernel_protocol_numbers_refused)
{
	static const uint32_t bad[] = { 1, 2, 3, 4, 256 };
	struct rp_protocol p = minimal();
	char why[256] = "";

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p.protocol_id = bad[i];
		ck_assert(!rm_protocol_acceptable(&p, "mini.so", why, sizeof(why)));
		ck_has(why, "mini.so (mini) refused: kernel route protocol");
	}
	p.protocol_id = 5;
	ck_assert(rm_protocol_acceptable(&p, "mini.so", why, sizeof(why)));
	p.protocol_id = 191;
	ck_assert(rm_protocol_acceptable(&p, "mini.so", why, sizeof(why)));
}
END_TEST

START_TEST(older_version_refused_with_both_versions)
{
	struct rp_protocol p = minimal();
	char why[256] = "";
	char ours[64];

	p.version = RP_INTERFACE_VERSION - 1;
	ck_assert(!rm_protocol_acceptable(&p, "mini.so", why, sizeof(why)));
	ck_has(why, "mini.so");
	ck_has(why, "(mini)");
	snprintf(ours, sizeof(ours), "an older interface version %u ", RP_INTERFACE_VERSION - 1);
	ck_has(why, ours);
	snprintf(ours, sizeof(ours), "serves interface version %u", RP_INTERFACE_VERSION);
	ck_has(why, ours);
}
END_TEST

START_TEST(newer_version_refused)
{
	struct rp_protocol p = minimal();
	char why[256] = "";

	p.version = RP_INTERFACE_VERSION + 1;
	ck_assert(!rm_protocol_acceptable(&p, NULL, why, sizeof(why)));
	ck_has(why, "protocol module mini (mini) refused: built for a newer interface version");
}
END_TEST

START_TEST(wrong_size_refused)
{
	struct rp_protocol p = minimal();
	char why[256] = "";
	char sizes[96];

	p.size = (uint32_t)sizeof(p) - 8;
	ck_assert(!rm_protocol_acceptable(&p, "mini.so", why, sizeof(why)));
	snprintf(sizes, sizeof(sizes), "registration of %zu bytes", sizeof(p) - 8);
	ck_has(why, sizes);
	snprintf(sizes, sizeof(sizes), "(%zu bytes)", sizeof(p));
	ck_has(why, sizes);
}
END_TEST

START_TEST(too_short_for_a_name_is_unnamed)
{
	struct rp_protocol p = minimal();
	char why[256] = "";

	p.version = 0;
	p.size = 8; /* only version and size: the name is not read */
	ck_assert(!rm_protocol_acceptable(&p, "old.so", why, sizeof(why)));
	ck_has(why, "old.so ((unnamed))");
}
END_TEST

START_TEST(missing_mandatory_entry_refused)
{
	struct rp_protocol p = minimal();
	char why[256] = "";

	p.stop_protocol = NULL;
	ck_assert(!rm_protocol_acceptable(&p, "mini.so", why, sizeof(why)));
	ck_has(why, "mandatory entry point stop_protocol is missing");
	p = minimal();
	p.flags = RP_RF_DEMAND_UPDATE_ROUTES;
	ck_assert(!rm_protocol_acceptable(&p, "mini.so", why, sizeof(why)));
	ck_has(why, "do_update_routes");
}
END_TEST

START_TEST(rm_refuses_registry_and_logs_why)
{
	struct rp_protocol p = minimal();
	const struct rp_protocol *registry[] = { &trace_protocol, &p };
	struct event_base *base = event_base_new();

	p.version = RP_INTERFACE_VERSION - 1;
	logged[0] = '\0';
	rp_log_set_sink(capture, NULL);
	ck_assert_ptr_null(rm_new(base, registry, 2));
	rp_log_set_sink(NULL, NULL);
	ck_has(logged, "protocol module mini (mini) refused");
	event_base_free(base);
}
END_TEST

START_TEST(long_name_refused)
{
	struct rp_protocol p = minimal();
	char name[RP_PROTOCOL_NAME_MAX + 1];
	char why[256] = "";

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	p.name = name;
	ck_assert(!rm_protocol_acceptable(&p, "long.so", why, sizeof(why)));
	ck_has(why, "its name is longer than 31 bytes");
}
END_TEST

/* The RM copies the name: its history never reads the module's memory again. */
START_TEST(name_copied_out_of_the_registration)
{
	char name[8] = "mini";
	struct rp_protocol p = minimal();
	const struct rp_protocol *registry[] = { &p };
	struct event_base *base = event_base_new();
	struct rm *rm;
	json_t *events;

	p.name = name;
	rm = rm_new(base, registry, 1);
	ck_assert_ptr_nonnull(rm);
	rm_record(rm, "START_PROTOCOL", NULL, &rm->protos[0], NO_ERROR);
	memcpy(name, "gone", 5);
	events = rm_json_events(rm, 0);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(events, 0), "protocol")),
			 "mini");
	json_decref(events);
	rm_free(rm);
	event_base_free(base);
}
END_TEST

/* Modules come and go with the configuration: a retired slot is reused, a bad one refused. */
START_TEST(protocols_added_retired_and_slot_reused)
{
	struct rp_protocol a = minimal(), b = minimal(), old = minimal();
	struct event_base *base = event_base_new();
	struct rm *rm = rm_new(base, NULL, 0);
	char why[256] = "";

	b.name = "other";
	old.version = RP_INTERFACE_VERSION - 1;
	ck_assert_ptr_nonnull(rm);
	ck_assert(rm_add_protocol(rm, &a, why, sizeof(why)));
	ck_assert(rm_has_protocol(rm, &a));
	ck_assert(!rm_add_protocol(rm, &old, why, sizeof(why)));
	ck_has(why, "older interface version");
	ck_assert(rm_retire_protocol(rm, &a));
	ck_assert(!rm_has_protocol(rm, &a));
	ck_assert(!rm_retire_protocol(rm, &a));
	ck_assert(rm_add_protocol(rm, &b, why, sizeof(why)));
	ck_assert_uint_eq(rm->nprotos, 1);
	ck_assert_str_eq(rm->protos[0].name, "other");
	rm_free(rm);
	event_base_free(base);
}
END_TEST

static Suite *register_suite(void)
{
	Suite *s = suite_create("register");
	TCase *tc = tcase_create("admission");

	tcase_add_test(tc, current_registrations_accepted);
	tcase_add_test(tc, older_version_refused_with_both_versions);
	tcase_add_test(tc, kernel_protocol_numbers_refused);
	tcase_add_test(tc, newer_version_refused);
	tcase_add_test(tc, wrong_size_refused);
	tcase_add_test(tc, too_short_for_a_name_is_unnamed);
	tcase_add_test(tc, missing_mandatory_entry_refused);
	tcase_add_test(tc, rm_refuses_registry_and_logs_why);
	tcase_add_test(tc, long_name_refused);
	tcase_add_test(tc, name_copied_out_of_the_registration);
	tcase_add_test(tc, protocols_added_retired_and_slot_reused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(register_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
