/* SPDX-License-Identifier: ISC */
/*
 * test_lib.c — unit tests of the small shared helpers: IPv4 prefixes, log levels and rate
 * limits, ISO 8601 time, the protocol event queue, result and status names.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "routprotd/event_queue.h"
#include "routprotd/routprot.h"
#include "routprotd/clock.h"
#include "routprotd/log.h"
#include "routprotd/prefix.h"

START_TEST(prefix_parse_and_format)
{
	struct rp_prefix4 p;
	char buf[RP_PREFIX4_STRLEN];

	ck_assert(rp_prefix4_parse("198.18.0.0/15", &p, false));
	ck_assert_uint_eq(p.addr, 0xc6120000u);
	ck_assert_uint_eq(p.len, 15);
	ck_assert_str_eq(rp_prefix4_format(p.addr, p.len, buf), "198.18.0.0/15");
	ck_assert(rp_prefix4_parse("0.0.0.0/0", &p, false));
	ck_assert(!rp_prefix4_parse("198.18.0.1/15", &p, false)); /* host bits */
	ck_assert(rp_prefix4_parse("198.18.0.1/15", &p, true));
	ck_assert_uint_eq(p.addr, 0xc6120000u);
	ck_assert(!rp_prefix4_parse("198.18.0.0/33", &p, true));
	ck_assert(!rp_prefix4_parse("198.18.0.0/", &p, true));
	ck_assert(!rp_prefix4_parse("198.18.0.0/1x", &p, true));
	ck_assert(!rp_prefix4_parse("198.18.0/16", &p, true));
	ck_assert(!rp_prefix4_parse("/16", &p, true));
	ck_assert(!rp_prefix4_parse("198.18.0.0/016", &p, true));
	ck_assert(!rp_prefix4_parse(NULL, &p, true));
}
END_TEST

START_TEST(masks)
{
	ck_assert_uint_eq(rp_prefix4_mask(0), 0);
	ck_assert_uint_eq(rp_prefix4_mask(8), 0xff000000u);
	ck_assert_uint_eq(rp_prefix4_mask(32), 0xffffffffu);
	ck_assert_int_eq(rp_mask4_to_len(0xffffff00u), 24);
	ck_assert_int_eq(rp_mask4_to_len(0), 0);
	ck_assert_int_eq(rp_mask4_to_len(0xffffffffu), 32);
	ck_assert_int_eq(rp_mask4_to_len(0xff00ff00u), -1);
	ck_assert(rp_prefix4_contains(0xc6120000u, 15, 0xc613ffffu));
	ck_assert(!rp_prefix4_contains(0xc6120000u, 16, 0xc6130000u));
	ck_assert(rp_prefix4_contains(0, 0, 0x01020304u));
}
END_TEST

START_TEST(address_parse_and_format)
{
	uint32_t a;
	char buf[RP_ADDR4_STRLEN];

	ck_assert(rp_addr4_parse("255.255.255.255", &a));
	ck_assert_str_eq(rp_addr4_format(a, buf), "255.255.255.255");
	ck_assert(!rp_addr4_parse("256.1.1.1", &a));
	ck_assert(!rp_addr4_parse("1.1.1", &a));
	ck_assert(!rp_addr4_parse("", &a));
}
END_TEST

static int lines;

static void count_sink(enum rp_log_level level, const char *line, void *arg)
{
	lines++;
	if (arg)
		strncpy(arg, line, 255);
}

static int64_t fake_now;

static int64_t fake_clock(void)
{
	return fake_now;
}

START_TEST(log_levels_and_format)
{
	char last[256] = "";
	enum rp_log_level l;

	rp_log_set_sink(count_sink, last);
	rp_log_set_level(RP_LOG_NOTICE);
	lines = 0;
	rp_log_info("x", "hidden");
	rp_log_warning("rip", "seen %d", 7);
	ck_assert_int_eq(lines, 1);
	ck_assert_str_eq(last, "WARNING rip: seen 7");
	ck_assert(rp_log_level_parse("debug", &l));
	ck_assert_int_eq(l, RP_LOG_DEBUG);
	ck_assert(!rp_log_level_parse("verbose", &l));
	ck_assert_str_eq(rp_log_level_name(RP_LOG_ERROR), "error");
	rp_log_set_level(RP_LOG_INFO);
	rp_log_set_sink(NULL, NULL);
}
END_TEST

START_TEST(log_rate_limit)
{
	struct rp_log_ratelimit rl = RP_LOG_RATELIMIT_INIT(3, 1000);
	char last[256] = "";

	rp_clock_set_source(fake_clock);
	rp_log_set_sink(count_sink, last);
	fake_now = 5000;
	lines = 0;
	for (int i = 0; i < 10; i++)
		rp_log_rl(&rl, RP_LOG_WARNING, "rip", "bad packet %d", i);
	ck_assert_int_eq(lines, 3);
	fake_now = 6000;
	rp_log_rl(&rl, RP_LOG_WARNING, "rip", "bad packet again");
	/* the suppressed count, then the message */
	ck_assert_int_eq(lines, 5);
	ck_assert_str_eq(last, "WARNING rip: bad packet again");
	rp_log_set_sink(NULL, NULL);
	rp_clock_set_source(NULL);
}
END_TEST

START_TEST(iso8601)
{
	char buf[RP_CLOCK_ISO8601_LEN];

	rp_clock_format_iso8601(0, buf);
	ck_assert_str_eq(buf, "1970-01-01T00:00:00.000Z");
	rp_clock_format_iso8601(1795288000123LL, buf);
	ck_assert_str_eq(buf, "2026-11-21T19:06:40.123Z");
	ck_assert(rp_clock_now_ms() > 0);
}
END_TEST

START_TEST(event_queue_fifo)
{
	struct rp_event_queue q;
	enum rp_event_type t;
	union rp_message m = { .update_complete = { 4, DEMAND_UPDATE_ROUTES, NO_ERROR } };

	rp_event_queue_init(&q);
	ck_assert_int_eq(rp_event_queue_pop(&q, &t, &m), ERROR_NO_MORE_ITEMS);
	ck_assert(rp_event_queue_post(&q, UPDATE_COMPLETE, &m));
	m.interface_index = 9;
	ck_assert(rp_event_queue_post(&q, SAVE_INTERFACE_CONFIG_INFO, &m));
	ck_assert(rp_event_queue_post(&q, ROUTER_STOPPED, NULL));
	ck_assert_int_eq(q.count, 3);
	ck_assert_int_eq(rp_event_queue_pop(&q, &t, &m), NO_ERROR);
	ck_assert_int_eq(t, UPDATE_COMPLETE);
	ck_assert_uint_eq(m.update_complete.interface_index, 4);
	ck_assert_int_eq(rp_event_queue_pop(&q, &t, &m), NO_ERROR);
	ck_assert_int_eq(t, SAVE_INTERFACE_CONFIG_INFO);
	ck_assert_uint_eq(m.interface_index, 9);
	rp_event_queue_clear(&q);
	ck_assert_int_eq(rp_event_queue_pop(&q, &t, &m), ERROR_NO_MORE_ITEMS);
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(rp_result_name(ERROR_UPDATE_IN_PROGRESS), "ERROR_UPDATE_IN_PROGRESS");
	ck_assert_int_eq(ERROR_UPDATE_IN_PROGRESS, 911);
	ck_assert_int_eq(ERROR_INTERFACE_NOT_CONNECTED, 906);
	ck_assert_str_eq(rp_status_type_name(RIS_INTERFACE_MEDIA_ABSENT), "MEDIA_ABSENT");
	ck_assert_str_eq(rp_event_type_name(UPDATE_COMPLETE), "UPDATE_COMPLETE");
	ck_assert_str_eq(rp_result_name((enum rp_result)12345), "ERROR_UNKNOWN");
}
END_TEST

static Suite *lib_suite(void)
{
	Suite *s = suite_create("lib");
	TCase *tc = tcase_create("lib");

	tcase_add_test(tc, prefix_parse_and_format);
	tcase_add_test(tc, masks);
	tcase_add_test(tc, address_parse_and_format);
	tcase_add_test(tc, log_levels_and_format);
	tcase_add_test(tc, log_rate_limit);
	tcase_add_test(tc, iso8601);
	tcase_add_test(tc, event_queue_fifo);
	tcase_add_test(tc, names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lib_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
