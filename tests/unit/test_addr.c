/* SPDX-License-Identifier: ISC */
/*
 * test_addr.c — unit tests of the one address and prefix type for IPv4 and IPv6 (src/lib/addr.c):
 * parsing and formatting of both families, host bits, containment, the order, the conversions
 * to and from the IPv4 uint32_t, and the address classes.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "routprotd/addr.h"

/* Parses s with flags and formats it back; "" when refused. */
static const char *round_trip(const char *s, unsigned flags)
{
	static char buf[RP_PREFIX_STRLEN];
	struct rp_prefix p;

	if (!rp_prefix_parse(s, &p, flags))
		return "";
	return rp_prefix_format(&p, buf);
}

START_TEST(parse_and_format_both_families)
{
	ck_assert_str_eq(round_trip("198.18.0.0/15", 0), "198.18.0.0/15");
	ck_assert_str_eq(round_trip("0.0.0.0/0", 0), "0.0.0.0/0");
	ck_assert_str_eq(round_trip("2001:db8::/32", 0), "2001:db8::/32");
	ck_assert_str_eq(round_trip("2001:0db8:0000::/48", 0), "2001:db8::/48");
	ck_assert_str_eq(round_trip("::/0", 0), "::/0");
	ck_assert_str_eq(round_trip("fe80::1/128", 0), "fe80::1/128");
	ck_assert_str_eq(round_trip("::ffff:198.18.0.1/128", 0), "::ffff:198.18.0.1/128");
	ck_assert_str_eq(round_trip("198.18.0.1", RP_PARSE_NO_LENGTH), "198.18.0.1/32");
	ck_assert_str_eq(round_trip("2001:db8::7", RP_PARSE_NO_LENGTH), "2001:db8::7/128");
}
END_TEST

START_TEST(parse_refuses)
{
	static const char *const bad[] = {
		"198.18.0.0/33", "2001:db8::/129", "198.18.0.0/", "198.18.0.0/1x", "198.18.0/16",
		"/16", "198.18.0.0/016", "198.18.0.0/-1", "198.18.0.0/+8", " 198.18.0.0/15",
		"198.18.0.0/15 ", "2001:db8:::/32", "2001:db8::/32/1", "198.18.0.0", "",
		"1.2.3.4.5/32", "g::/16", "198.18.0.0/4294967312",
		"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255:1/128",
	};
	struct rp_prefix p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!rp_prefix_parse(bad[i], &p, RP_PARSE_HOST_BITS), "accepted '%s'",
			      bad[i]);
	ck_assert(!rp_prefix_parse(NULL, &p, RP_PARSE_NO_LENGTH));
}
END_TEST

START_TEST(host_bits)
{
	struct rp_prefix p;
	char buf[RP_PREFIX_STRLEN];

	ck_assert(!rp_prefix_parse("198.18.0.1/15", &p, 0));
	ck_assert(!rp_prefix_parse("2001:db8::1/64", &p, 0));
	ck_assert(rp_prefix_parse("2001:db8::1/64", &p, RP_PARSE_HOST_BITS));
	ck_assert(rp_prefix_has_host_bits(&p));
	ck_assert_str_eq(rp_addr_format(&p, buf), "2001:db8::1");
	ck_assert(rp_prefix_normalise(&p));
	ck_assert(!rp_prefix_has_host_bits(&p));
	ck_assert_str_eq(rp_prefix_format(&p, buf), "2001:db8::/64");

	ck_assert(rp_prefix_parse("198.18.255.255/17", &p, RP_PARSE_HOST_BITS));
	ck_assert(rp_prefix_normalise(&p));
	ck_assert_str_eq(rp_prefix_format(&p, buf), "198.18.128.0/17");

	p.len = 33;
	ck_assert(!rp_prefix_normalise(&p));
	p.family = 0;
	p.len = 0;
	ck_assert(!rp_prefix_normalise(&p));
	ck_assert_str_eq(rp_prefix_format(&p, buf), "?");
}
END_TEST

START_TEST(ipv4_conversions)
{
	struct rp_prefix p = rp_prefix_v4(0xc6120001u, 15), q;
	uint32_t a;
	char buf[RP_PREFIX_STRLEN];

	ck_assert_str_eq(rp_prefix_format(&p, buf), "198.18.0.0/15");
	ck_assert(rp_prefix_to_v4(&p, &a));
	ck_assert_uint_eq(a, 0xc6120000u);
	p = rp_prefix_v4(0xcb007105u, 40); /* length capped */
	ck_assert_uint_eq(p.len, 32);
	ck_assert_str_eq(rp_addr_format(&p, buf), "203.0.113.5");
	ck_assert(rp_prefix_parse("2001:db8::/32", &q, 0));
	ck_assert(!rp_prefix_to_v4(&q, &a));
}
END_TEST

START_TEST(ipv6_constructor)
{
	uint8_t bytes[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff };
	struct rp_prefix p = rp_prefix_v6(bytes, 36);
	char buf[RP_PREFIX_STRLEN];

	ck_assert_str_eq(rp_prefix_format(&p, buf), "2001:db8:f000::/36");
	p = rp_prefix_v6(bytes, 200);
	ck_assert_uint_eq(p.len, 128);
}
END_TEST

START_TEST(containment)
{
	struct rp_prefix net, in, out, v6;

	ck_assert(rp_prefix_parse("198.18.0.0/15", &net, 0));
	ck_assert(rp_prefix_parse("198.19.255.255", &in, RP_PARSE_NO_LENGTH));
	ck_assert(rp_prefix_parse("198.20.0.0", &out, RP_PARSE_NO_LENGTH));
	ck_assert(rp_prefix_contains(&net, &in));
	ck_assert(!rp_prefix_contains(&net, &out));
	ck_assert(rp_prefix_contains(&net, &net));
	ck_assert(!rp_prefix_contains(&in, &net)); /* longer never contains shorter */
	ck_assert(rp_prefix_parse("::ffff:198.19.0.1", &v6, RP_PARSE_NO_LENGTH));
	ck_assert(!rp_prefix_contains(&net, &v6)); /* families never mix */

	ck_assert(rp_prefix_parse("0.0.0.0/0", &net, 0));
	ck_assert(rp_prefix_contains(&net, &in));
	ck_assert(rp_prefix_parse("2001:db8:8000::/33", &net, 0));
	ck_assert(rp_prefix_parse("2001:db8:ffff::1", &in, RP_PARSE_NO_LENGTH));
	ck_assert(rp_prefix_parse("2001:db8:7fff::1", &out, RP_PARSE_NO_LENGTH));
	ck_assert(rp_prefix_contains(&net, &in));
	ck_assert(!rp_prefix_contains(&net, &out));
	/* a binding's address with its subnet length contains the subnet's hosts */
	ck_assert(rp_prefix_parse("2001:db8:ffff::9/64", &net, RP_PARSE_HOST_BITS));
	ck_assert(rp_prefix_contains(&net, &in));
}
END_TEST

static int cmp_qsort(const void *a, const void *b)
{
	return rp_prefix_cmp(a, b);
}

START_TEST(order)
{
	static const char *const sorted[] = {
		"0.0.0.0/0", "198.18.0.0/15", "198.18.0.0/16", "198.19.0.0/16", "203.0.113.0/24",
		"::/0", "2001:db8::/32", "2001:db8::/48", "2001:db8:1::/48", "fe80::/64",
	};
	enum { N = sizeof(sorted) / sizeof(sorted[0]) };
	struct rp_prefix p[N];
	char buf[RP_PREFIX_STRLEN];

	for (size_t i = 0; i < N; i++)
		ck_assert(rp_prefix_parse(sorted[N - 1 - i], &p[i], 0));
	qsort(p, N, sizeof(p[0]), cmp_qsort);
	for (size_t i = 0; i < N; i++)
		ck_assert_str_eq(rp_prefix_format(&p[i], buf), sorted[i]);
	ck_assert(rp_prefix_equal(&p[1], &p[1]));
	ck_assert(!rp_prefix_equal(&p[1], &p[2]));
}
END_TEST

START_TEST(classes)
{
	static const struct {
		const char *addr;
		bool link_local, unspecified, multicast;
	} cases[] = {
		{ "fe80::1", true, false, false },   { "febf::1", true, false, false },
		{ "fec0::1", false, false, false },  { "169.254.1.1", true, false, false },
		{ "0.0.0.0", false, true, false },   { "::", false, true, false },
		{ "224.0.0.9", false, false, true }, { "ff02::9", false, false, true },
		{ "198.18.0.1", false, false, false }, { "2001:db8::1", false, false, false },
	};
	struct rp_prefix p;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert(rp_prefix_parse(cases[i].addr, &p, RP_PARSE_NO_LENGTH));
		ck_assert_msg(rp_addr_is_link_local(&p) == cases[i].link_local, "%s", cases[i].addr);
		ck_assert_msg(rp_addr_is_unspecified(&p) == cases[i].unspecified, "%s",
			      cases[i].addr);
		ck_assert_msg(rp_addr_is_multicast(&p) == cases[i].multicast, "%s", cases[i].addr);
	}
	ck_assert_uint_eq(rp_family_bits(AF_INET), 32);
	ck_assert_uint_eq(rp_family_bits(AF_INET6), 128);
	ck_assert_uint_eq(rp_family_bits(AF_UNIX), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("addr");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, parse_and_format_both_families);
	tcase_add_test(tc, parse_refuses);
	tcase_add_test(tc, host_bits);
	tcase_add_test(tc, ipv4_conversions);
	tcase_add_test(tc, ipv6_constructor);
	tcase_add_test(tc, containment);
	tcase_add_test(tc, order);
	tcase_add_test(tc, classes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
