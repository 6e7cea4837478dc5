/* SPDX-License-Identifier: ISC */
/*
 * test_rm.c — unit tests of the router manager driven through the trace protocol: link
 * snapshots in, exactly one InterfaceStatus per transition out, AddInterface/DeleteInterface,
 * renames and ifindex reuse, resync diffs, reload as a diff, event draining and history, IPv6
 * addresses and their flags in the binding.
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
#include "core/rm_internal.h"
#include "routprotd/log.h"
#include "trace/trace.h"

static const struct rp_protocol *const registry[] = { &trace_protocol };

static struct event_base *base;
static struct rm *rm;
static char tmpdir[] = "/tmp/test_rm.XXXXXX";
static char conf_path[256];

static void quiet_sink(enum rp_log_level level, const char *line, void *arg)
{
}

static struct conf *load_text(const char *text)
{
	struct rp_conf_diag diag;
	struct conf *c;
	FILE *f = fopen(conf_path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	rp_conf_diag_init(&diag, conf_path);
	c = conf_load(conf_path, registry, 1, &diag);
	for (size_t i = 0; i < diag.count; i++)
		fprintf(stderr, "%s\n", diag.messages[i]);
	ck_assert_ptr_nonnull(c);
	rp_conf_diag_free(&diag);
	return c;
}

static void setup(void)
{
	rp_log_set_sink(quiet_sink, NULL);
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(conf_path, sizeof(conf_path), "%s/routprotd.conf", tmpdir);
	base = event_base_new();
	rm = rm_new(base, registry, 1);
	ck_assert_ptr_nonnull(rm);
}

static void teardown(void)
{
	rm_free(rm);
	event_base_free(base);
	unlink(conf_path);
	rmdir(tmpdir);
	strcpy(tmpdir, "/tmp/test_rm.XXXXXX");
	rp_log_set_sink(NULL, NULL);
}

/* The trace instance's record since the last call. */
static char *take(void)
{
	ck_assert_ptr_nonnull(rm->protos[0].inst);
	return trace_take_record(rm->protos[0].inst);
}

static void expect(const char *want)
{
	char *got = take();

	ck_assert_str_eq(got, want);
	free(got);
}

struct link_spec {
	uint32_t ifindex;
	const char *name;
	bool up, carrier;
	unsigned naddrs;
	struct rp_local_binding addrs[4];
};

static struct rm_link as_link(const struct link_spec *s)
{
	return (struct rm_link){ .ifindex = s->ifindex, .name = s->name, .enabled = s->up,
				 .media_present = s->carrier, .naddrs = s->naddrs,
				 .addrs = s->addrs, .mtu = 1500 };
}

static void update(const struct link_spec *s)
{
	struct rm_link l = as_link(s);

	rm_link_update(rm, &l);
}

#define A(a, b, c, d) (((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

static const char *const one_if = "trace = { interfaces = ( { name = \"veth0\"; } ); };\n";

START_TEST(initial_state_delivered_before_start_complete)
{
	struct link_spec s = { 3, "veth0", true, true, 1, { { A(198, 18, 0, 1), 24, 0 } } };

	update(&s);
	rm_apply_config(rm, load_text(one_if));
	expect("START_PROTOCOL\nADD_INTERFACE veth0 3\n"
	       "ADDRESS_CHANGE 3 active=1 198.18.0.1/24\nENABLED 3 active=1\n"
	       "MEDIA_PRESENT 3 active=1\nSTART_COMPLETE\n");
}
END_TEST

START_TEST(each_transition_is_one_callback)
{
	struct link_spec s = { 3, "veth0", true, true, 1, { { A(198, 18, 0, 1), 24, 0 } } };

	update(&s);
	rm_apply_config(rm, load_text(one_if));
	free(take());
	s.up = false;
	s.carrier = false;
	update(&s);
	expect("DISABLED 3 active=0\nMEDIA_ABSENT 3 active=0\n");
	update(&s); /* same state again: nothing */
	expect("");
	s.up = true;
	update(&s);
	expect("ENABLED 3 active=0\n");
	s.carrier = true;
	update(&s);
	expect("MEDIA_PRESENT 3 active=1\n");
	s.carrier = false;
	update(&s);
	expect("MEDIA_ABSENT 3 active=0\n");
}
END_TEST

START_TEST(address_change_carries_whole_binding)
{
	struct link_spec s = { 3, "veth0", true, true, 0, { { 0 } } };

	update(&s);
	rm_apply_config(rm, load_text(one_if));
	expect("START_PROTOCOL\nADD_INTERFACE veth0 3\nENABLED 3 active=0\n"
	       "MEDIA_PRESENT 3 active=0\nSTART_COMPLETE\n");
	s.naddrs = 2;
	s.addrs[0] = (struct rp_local_binding){ A(198, 19, 0, 1), 24, 0 };
	s.addrs[1] = (struct rp_local_binding){ A(198, 18, 5, 1), 30, 0 };
	update(&s);
	/* sorted, whole binding */
	expect("ADDRESS_CHANGE 3 active=1 198.18.5.1/30 198.19.0.1/24\n");
	s.naddrs = 1;
	s.addrs[0] = s.addrs[1];
	update(&s);
	expect("ADDRESS_CHANGE 3 active=1 198.18.5.1/30\n");
	s.naddrs = 0;
	update(&s);
	expect("ADDRESS_CHANGE 3 active=0\n");
}
END_TEST

START_TEST(unconfigured_links_get_no_callbacks)
{
	struct link_spec other = { 7, "veth9", true, true, 0, { { 0 } } };
	json_t *ifs, *row;

	rm_apply_config(rm, load_text(one_if));
	free(take());
	update(&other);
	other.up = false;
	update(&other);
	rm_link_delete(rm, 7);
	expect("");
	update(&other);
	ifs = rm_json_interfaces(rm);
	ck_assert_int_eq(json_array_size(ifs), 1);
	row = json_array_get(ifs, 0);
	ck_assert_str_eq(json_string_value(json_object_get(row, "name")), "veth9");
	ck_assert(json_is_null(json_object_get(row, "mode")));
	ck_assert(json_is_false(json_object_get(row, "active")));
	ck_assert(json_is_false(json_object_get(row, "enabled")));
	json_decref(ifs);
}
END_TEST

START_TEST(link_appearing_later_is_added)
{
	struct link_spec s = { 4, "veth0", false, false, 0, { { 0 } } };

	rm_apply_config(rm, load_text(one_if));
	free(take());
	update(&s);
	expect("ADD_INTERFACE veth0 4\n");
}
END_TEST

START_TEST(deleted_link_disabled_then_deleted)
{
	struct link_spec s = { 3, "veth0", true, false, 0, { { 0 } } };

	update(&s);
	rm_apply_config(rm, load_text(one_if));
	free(take());
	rm_link_delete(rm, 3);
	expect("DISABLED 3 active=0\nDELETE_INTERFACE 3\n");
	s.up = false;
	update(&s);
	expect("ADD_INTERFACE veth0 3\n");
	rm_link_delete(rm, 3); /* already disabled: no second DISABLED */
	expect("DELETE_INTERFACE 3\n");
}
END_TEST

START_TEST(rename_away_and_back)
{
	struct link_spec s = { 3, "veth0", false, false, 0, { { 0 } } };

	update(&s);
	rm_apply_config(rm, load_text(one_if));
	free(take());
	s.name = "wan0";
	update(&s);
	expect("DELETE_INTERFACE 3\n");
	s.name = "veth0";
	update(&s);
	expect("ADD_INTERFACE veth0 3\n");
}
END_TEST

START_TEST(resync_diffs_complete_set)
{
	struct link_spec a = { 3, "veth0", true, true, 0, { { 0 } } };
	struct link_spec b = { 5, "veth1", true, true, 0, { { 0 } } };
	struct rm_link now[2];

	update(&a);
	update(&b);
	rm_apply_config(rm, load_text("trace = { interfaces = ( { name = \"veth0\"; },"
				      " { name = \"veth1\"; } ); };\n"));
	free(take());
	/* veth0 went down, veth1 vanished and its index came back as a new veth1 link... */
	a.up = false;
	a.carrier = false;
	b.ifindex = 9;
	now[0] = as_link(&a);
	now[1] = as_link(&b);
	rm_link_resync(rm, now, 2);
	expect("DISABLED 5 active=0\nDELETE_INTERFACE 5\nDISABLED 3 active=0\n"
	       "MEDIA_ABSENT 3 active=0\nADD_INTERFACE veth1 9\nENABLED 9 active=0\n"
	       "MEDIA_PRESENT 9 active=0\n");
	/* ...and names moving between links: every old name is released before any link takes
	 * one, so veth1 leaves index 9 before index 3 gets it */
	a.name = "veth1";
	b.name = "tmp";
	now[0] = as_link(&a);
	now[1] = as_link(&b);
	rm_link_resync(rm, now, 2);
	expect("DELETE_INTERFACE 3\nDISABLED 9 active=0\nDELETE_INTERFACE 9\n"
	       "ADD_INTERFACE veth1 3\n");
}
END_TEST

START_TEST(reload_touches_only_what_changed)
{
	struct link_spec a = { 3, "veth0", true, true, 0, { { 0 } } };
	struct link_spec b = { 5, "veth1", true, true, 0, { { 0 } } };
	struct link_spec c = { 6, "veth2", false, false, 0, { { 0 } } };

	update(&a);
	update(&b);
	update(&c);
	rm_apply_config(rm, load_text("trace = { interfaces = ( { name = \"veth0\"; },"
				      " { name = \"veth1\"; } ); };\n"));
	free(take());
	/* the same file again: nothing at all */
	rm_apply_config(rm, load_text("trace = { interfaces = ( { name = \"veth0\"; },"
				      " { name = \"veth1\"; } ); };\n"));
	expect("");
	/* veth1 changes, veth2 is added, veth0 untouched */
	rm_apply_config(rm, load_text("trace = { interfaces = ( { name = \"veth0\"; },"
				      " { name = \"veth1\"; verbose = true; },"
				      " { name = \"veth2\"; } ); };\n"));
	expect("SET_INTERFACE_INFO 5 verbose=1\nADD_INTERFACE veth2 6\n");
	/* veth0 removed from the file; the global setting changed, and veth2, which inherits it,
	 * gets its new effective settings too */
	rm_apply_config(rm, load_text("trace = { verbose = true; interfaces = ("
				      " { name = \"veth1\"; verbose = true; },"
				      " { name = \"veth2\"; } ); };\n"));
	expect("SET_GLOBAL_INFO verbose=1\nDISABLED 3 active=0\nDELETE_INTERFACE 3\n"
	       "SET_INTERFACE_INFO 6 verbose=1\n");
}
END_TEST

START_TEST(reload_stops_and_starts_protocol)
{
	struct link_spec a = { 3, "veth0", true, false, 0, { { 0 } } };
	json_t *ev;

	update(&a);
	rm_apply_config(rm, load_text(one_if));
	rm_apply_config(rm, load_text("log = { level = \"info\"; };\n"));
	ck_assert_ptr_null(rm->protos[0].inst);
	rm_apply_config(rm, load_text(one_if));
	expect("START_PROTOCOL\nADD_INTERFACE veth0 3\nENABLED 3 active=0\nSTART_COMPLETE\n");
	ev = rm_json_events(rm, 0);
	/* START, ADD, ENABLED, START_COMPLETE, DISABLED, DELETE, STOP, START, ADD, ENABLED, SC */
	ck_assert_int_eq(json_array_size(ev), 11);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(ev, 4), "type")),
			 "DISABLED");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(ev, 6), "type")),
			 "STOP_PROTOCOL");
	json_decref(ev);
}
END_TEST

START_TEST(events_drained_into_history)
{
	struct link_spec a = { 3, "veth0", true, true, 0, { { 0 } } };
	json_t *ev, *last;

	update(&a);
	rm_apply_config(rm, load_text(one_if));
	trace_set_update_result(rm->protos[0].inst, ERROR_CAN_NOT_COMPLETE);
	ck_assert_int_eq(trace_protocol.do_update_routes(rm->protos[0].inst, 3, 0), NO_ERROR);
	event_base_loop(base, EVLOOP_NONBLOCK);
	ev = rm_json_events(rm, 1);
	ck_assert_int_eq(json_array_size(ev), 1);
	last = json_array_get(ev, 0);
	ck_assert_str_eq(json_string_value(json_object_get(last, "type")), "UPDATE_COMPLETE");
	ck_assert_str_eq(json_string_value(json_object_get(last, "interface")), "veth0");
	ck_assert_str_eq(json_string_value(json_object_get(last, "status")),
			 "ERROR_CAN_NOT_COMPLETE");
	ck_assert_int_eq(strlen(json_string_value(json_object_get(last, "time"))), 24);
	json_decref(ev);
}
END_TEST

START_TEST(history_keeps_binding_of_address_change)
{
	struct link_spec a = { 3, "veth0", true, true, 1, { { A(198, 18, 0, 1), 24, 0 } } };
	json_t *ev, *e;

	rm_apply_config(rm, load_text(one_if));
	update(&a);
	ev = rm_json_events(rm, 0);
	e = json_array_get(ev, 3); /* START, START_COMPLETE, ADD, then ADDRESS_CHANGE */
	ck_assert_str_eq(json_string_value(json_object_get(e, "type")), "ADDRESS_CHANGE");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(e, "addresses"), 0)),
			 "198.18.0.1/24");
	ck_assert(json_is_true(json_object_get(e, "active")));
	ck_assert_str_eq(json_string_value(json_object_get(e, "protocol")), "trace");
	json_decref(ev);
}
END_TEST

/* The link with IPv6 addresses too, as the netlink monitor reports them. */
static void update_dual(const struct link_spec *s, const struct rp_bound_address *a6, unsigned n6)
{
	struct rm_link l = as_link(s);

	l.addrs6 = a6;
	l.naddrs6 = n6;
	rm_link_update(rm, &l);
}

/* An IPv6 address as the netlink monitor reports it (the address with its subnet length). */
static struct rp_bound_address v6(const char *text, unsigned flags)
{
	struct rp_bound_address a = { .flags = flags };

	ck_assert(rp_prefix_parse(text, &a.address, RP_PARSE_HOST_BITS));
	return a;
}

/* The string array `key` of a JSON object, joined by spaces. */
static void expect_strings(json_t *o, const char *key, const char *want)
{
	char got[512] = "";
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(o, key), i, v)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "",
			 json_string_value(v));
	ck_assert_str_eq(got, want);
}

START_TEST(ipv6_addresses_and_their_flags_are_part_of_the_binding)
{
	struct link_spec s = { 3, "veth0", true, true, 1, { { A(198, 18, 0, 1), 24, 0 } } };
	struct rp_bound_address a6[2];
	unsigned n6 = 0;

	update_dual(&s, a6, n6);
	rm_apply_config(rm, load_text(one_if));
	free(take());
	n6 = 1; /* the kernel's link-local address, DAD running */
	a6[0] = v6("fe80::1/64", RP_ADDR_TENTATIVE);
	update_dual(&s, a6, n6);
	expect("ADDRESS_CHANGE 3 active=1 198.18.0.1/24 fe80::1/64[link-local,tentative]\n");
	update_dual(&s, a6, n6);
	expect("");
	a6[0].flags = RP_ADDR_LINK_LOCAL; /* DAD done: the address is valid now */
	update_dual(&s, a6, n6);
	expect("ADDRESS_CHANGE 3 active=1 198.18.0.1/24 fe80::1/64[link-local]\n");
	n6 = 2; /* IPv4 first, then IPv6 in order */
	a6[1] = v6("2001:db8::1/64", 0);
	update_dual(&s, a6, n6);
	expect("ADDRESS_CHANGE 3 active=1 198.18.0.1/24 2001:db8::1/64 fe80::1/64[link-local]\n");
	a6[1].flags = RP_ADDR_DEPRECATED;
	update_dual(&s, a6, n6);
	expect("ADDRESS_CHANGE 3 active=1 198.18.0.1/24 2001:db8::1/64[deprecated] "
	       "fe80::1/64[link-local]\n");
	s.naddrs = 0; /* IPv6 addresses alone do not make an interface active */
	update_dual(&s, a6, n6);
	expect("ADDRESS_CHANGE 3 active=0 2001:db8::1/64[deprecated] fe80::1/64[link-local]\n");
	n6 = 1;
	a6[0] = v6("2001:db8::1/64", RP_ADDR_DADFAILED);
	update_dual(&s, a6, n6);
	expect("ADDRESS_CHANGE 3 active=0 2001:db8::1/64[dadfailed]\n");
	n6 = 0;
	update_dual(&s, a6, n6);
	expect("ADDRESS_CHANGE 3 active=0\n");
}
END_TEST

START_TEST(ipv6_addresses_shown_after_ipv4_ones)
{
	struct link_spec s = { 3, "veth0", true, true, 1, { { A(198, 18, 0, 1), 24, 0 } } };
	struct rp_bound_address a6[2] = { v6("fe80::1/64", RP_ADDR_TENTATIVE),
					  v6("2001:db8::1/64", 0) };
	json_t *ev, *ifs, *e;

	rm_apply_config(rm, load_text(one_if));
	update_dual(&s, a6, 2);
	ev = rm_json_events(rm, 0);
	e = json_array_get(ev, 3); /* START, START_COMPLETE, ADD, then ADDRESS_CHANGE */
	ck_assert_str_eq(json_string_value(json_object_get(e, "type")), "ADDRESS_CHANGE");
	expect_strings(e, "addresses", "198.18.0.1/24 2001:db8::1/64 fe80::1/64");
	ck_assert_int_eq(json_integer_value(json_object_get(e, "address_count")), 3);
	expect_strings(json_object_get(e, "address_flags"), "fe80::1/64", "link-local tentative");
	ck_assert_int_eq(json_object_size(json_object_get(e, "address_flags")), 1);
	expect_strings(e, "families", "ipv4 ipv6");
	json_decref(ev);
	a6[0].flags = 0; /* DAD done: only the IPv6 part changed */
	update_dual(&s, a6, 2);
	ev = rm_json_events(rm, 1);
	e = json_array_get(ev, 0);
	expect_strings(e, "families", "ipv6");
	json_decref(ev);
	s.addrs[0].prefixlen = 25;
	update_dual(&s, a6, 2);
	ev = rm_json_events(rm, 1);
	expect_strings(json_array_get(ev, 0), "families", "ipv4");
	ifs = rm_json_interfaces(rm);
	e = json_array_get(ifs, 0);
	expect_strings(e, "addresses", "198.18.0.1/25 2001:db8::1/64 fe80::1/64");
	expect_strings(json_object_get(e, "address_flags"), "fe80::1/64", "link-local");
	json_decref(ifs);
	json_decref(ev);
}
END_TEST

/* A link bound to IPv6 addresses only is added with an ADDRESS_CHANGE that carries them. */
START_TEST(ipv6_only_link_added_with_its_binding)
{
	struct link_spec s = { 3, "veth0", true, false, 0, { { 0 } } };
	struct rp_bound_address a6 = v6("fe80::1/64", 0);

	update_dual(&s, &a6, 1);
	rm_apply_config(rm, load_text(one_if));
	expect("START_PROTOCOL\nADD_INTERFACE veth0 3\n"
	       "ADDRESS_CHANGE 3 active=0 fe80::1/64[link-local]\nENABLED 3 active=0\n"
	       "START_COMPLETE\n");
}
END_TEST

START_TEST(router_id_highest_address_or_configured)
{
	struct link_spec lo = { 1, "lo", true, true, 1, { { A(127, 0, 0, 1), 8, 0 } } };
	struct link_spec a = { 3, "veth0", true, true, 2,
			       { { A(198, 18, 0, 1), 24, 0 }, { A(198, 19, 9, 1), 24, 0 } } };

	update(&lo);
	update(&a);
	rm_apply_config(rm, load_text(one_if));
	ck_assert_uint_eq(rm_router_id(rm), A(198, 19, 9, 1));
	rm_apply_config(rm, load_text("router-id = \"192.0.2.1\";\n"));
	ck_assert_uint_eq(rm_router_id(rm), A(192, 0, 2, 1));
}
END_TEST

static int stopped;

static void on_done(void *arg)
{
	stopped++;
}

START_TEST(stop_calls_done_once)
{
	rm_apply_config(rm, load_text(one_if));
	rm_stop(rm, 1000, on_done, NULL);
	ck_assert_int_eq(stopped, 1);
	ck_assert_ptr_null(rm->protos[0].inst);
}
END_TEST

static Suite *rm_suite(void)
{
	Suite *s = suite_create("rm");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, initial_state_delivered_before_start_complete);
	tcase_add_test(tc, each_transition_is_one_callback);
	tcase_add_test(tc, address_change_carries_whole_binding);
	tcase_add_test(tc, unconfigured_links_get_no_callbacks);
	tcase_add_test(tc, link_appearing_later_is_added);
	tcase_add_test(tc, deleted_link_disabled_then_deleted);
	tcase_add_test(tc, rename_away_and_back);
	tcase_add_test(tc, resync_diffs_complete_set);
	tcase_add_test(tc, reload_touches_only_what_changed);
	tcase_add_test(tc, reload_stops_and_starts_protocol);
	tcase_add_test(tc, events_drained_into_history);
	tcase_add_test(tc, history_keeps_binding_of_address_change);
	tcase_add_test(tc, ipv6_addresses_and_their_flags_are_part_of_the_binding);
	tcase_add_test(tc, ipv6_addresses_shown_after_ipv4_ones);
	tcase_add_test(tc, ipv6_only_link_added_with_its_binding);
	tcase_add_test(tc, router_id_highest_address_or_configured);
	tcase_add_test(tc, stop_calls_done_once);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rm_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
