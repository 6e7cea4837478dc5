/* SPDX-License-Identifier: ISC */
/*
 * test_rip_auth.c — unit tests of RIP authentication beyond signing: the size of authenticated
 * packets (every datagram within 512 bytes of RIP payload, for every algorithm, in periodic
 * updates, RFC 2091 Update Responses and answers), RFC 4822 replay protection (identical
 * packets at one sequence number, old packets after silence, auth-sequence-reset), and the
 * neighbor table's up / down / forgotten life, on periodic interfaces and demand circuits.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "rip/rip.h"
#include "rip_fixture.h"

#define PEER0 A(198, 18, 0, 2) /* a router on eth0 */

/* ---- sizes ---- */

struct size_case {
	int type;
	int md5_len;
	unsigned entries;    /* per periodic packet */
	unsigned triggered;  /* after an RFC 2091 header (demand circuits send at most 24) */
};

static const struct size_case sizes[] = {
	{ RIP_AUTH_NONE, 16, 25, 25 },       { RIP_AUTH_TYPE_SIMPLE, 16, 24, 24 },
	{ RIP_AUTH_TYPE_MD5, 16, 23, 23 },   { RIP_AUTH_TYPE_MD5, 20, 23, 23 },
	{ RIP_AUTH_TYPE_SHA1, 16, 23, 23 },  { RIP_AUTH_TYPE_SHA256, 16, 22, 22 },
	{ RIP_AUTH_TYPE_SHA384, 16, 21, 21 }, { RIP_AUTH_TYPE_SHA512, 16, 21, 20 },
};

static void learn_many(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		learn(eth0, PEER0, A(198, 19, i, 0), 24, 2);
}

START_TEST(every_algorithm_fills_but_never_exceeds_512_bytes)
{
	const struct size_case *c = &sizes[_i];
	struct rip_job j = job_for(eth1, 2);
	uint8_t buf[RIP_MAX_PACKET];
	struct rip_msg m;
	size_t len;

	learn_many(60);
	if (c->type != RIP_AUTH_NONE)
		set_auth(eth1, c->type, "s3cret", 1);
	eth1->set->md5_auth_length = c->md5_len;
	ck_assert_uint_eq(rip_auth_rtes_budget(c->type, false), c->entries);
	len = rip_output_build(rip, eth1, &j, buf, sizeof(buf));
	ck_assert_int_eq(rip_decode(buf, len, &m), RIP_DECODE_OK);
	ck_assert_uint_eq(m.nrtes, c->entries);
	ck_assert_uint_le(len, RIP_MAX_DATAGRAM);
	if (c->entries + (c->type != RIP_AUTH_NONE) < RIP_MAX_RTES) /* not one entry more */
		ck_assert_uint_gt(len + RIP_RTE_LEN, RIP_MAX_DATAGRAM);
	ck_assert_uint_eq(rip_auth_rtes_budget(c->type, true), c->triggered);
}
END_TEST

START_TEST(answers_to_long_requests_fit_512_bytes)
{
	struct rip_msg req = { .command = RIP_CMD_REQUEST, .version = 2, .nrtes = RIP_MAX_RTES };
	uint8_t buf[RIP_MAX_PACKET];
	struct rip_msg m;
	size_t len;

	for (unsigned i = 0; i < RIP_MAX_RTES; i++)
		req.rtes[i] = (struct rip_rte){ .afi = 2, .addr = A(198, 19, i, 0),
						.mask = 0xffffff00u, .metric = 1 };
	set_auth(eth1, RIP_AUTH_TYPE_SHA512, "s3cret", 1);
	len = rip_output_answer(rip, eth1, &req, 2, buf, sizeof(buf));
	ck_assert_uint_le(len, RIP_MAX_DATAGRAM);
	ck_assert_int_eq(rip_decode(buf, len, &m), RIP_DECODE_OK);
	ck_assert_uint_eq(m.nrtes, 21);
}
END_TEST

/* ---- replays ---- */

/* A response eth1 signs (HMAC-SHA-256) announcing 198.19.<third>.0/24. */
static size_t signed_response(uint8_t third, uint8_t *buf)
{
	struct rip_msg m = { .command = RIP_CMD_RESPONSE, .version = 2, .nrtes = 1 };

	m.rtes[0] = (struct rip_rte){ .afi = 2, .addr = A(198, 19, third, 0),
				      .mask = 0xffffff00u, .metric = 1 };
	return rip_auth_encode(eth1, &m, buf, RIP_MAX_PACKET);
}

static void setup_auth(void)
{
	setup();
	set_auth(eth0, RIP_AUTH_TYPE_SHA256, "s3cret", 1);
	set_auth(eth1, RIP_AUTH_TYPE_SHA256, "s3cret", 1);
}

static bool usable(uint8_t third)
{
	const struct rip_route *r = route(A(198, 19, third, 0), 24);

	return r && r->metric < RIP_METRIC_INFINITY;
}

static const struct rip_path *path_of(uint8_t third)
{
	const struct rip_route *r = route(A(198, 19, third, 0), 24);

	ck_assert_ptr_nonnull(r);
	return r->npaths ? &r->paths[0] : NULL;
}

START_TEST(identical_packet_at_one_sequence_number_is_a_replay)
{
	uint8_t a[RIP_MAX_PACKET], b[RIP_MAX_PACKET];
	size_t alen = signed_response(7, a), blen = signed_response(8, b);
	int64_t expires;

	feed(PEER0, RIP_PORT, a, alen);
	feed(PEER0, RIP_PORT, b, blen); /* same sequence number, another packet: accepted */
	ck_assert_ptr_nonnull(path_of(8));
	expires = path_of(7)->expires_ms;
	now_ms += 100 * 1000;
	for (int i = 0; i < 3; i++)
		feed(PEER0, RIP_PORT, a, alen);
	ck_assert_int_eq(path_of(7)->expires_ms, expires); /* not refreshed */
	ck_assert_uint_eq(rip->stats.drops[RIP_DROP_REPLAY], 3);
	ck_assert_uint_eq(rip->stats.drops[RIP_DROP_AUTH], 0);
	ck_assert_uint_eq(eth0->stats.rx_replays, 3);
	ck_assert_uint_eq(rip_neighbor_find(rip, PEER0, 2)->replays, 3);
}
END_TEST

/* The neighbor sends a newer packet, then falls silent for `silent_s`; an old captured packet
 * is replayed. Returns whether the replay was accepted. */
static bool old_packet_accepted_after(int silent_s)
{
	uint8_t old[RIP_MAX_PACKET], buf[RIP_MAX_PACKET];
	size_t old_len = signed_response(7, old), len;
	struct rip_msg in;

	ck_assert_int_eq(rip_decode(old, old_len, &in), RIP_DECODE_OK);
	eth1->auth_seq = in.auth.sequence + 50;
	len = signed_response(9, buf);
	feed(PEER0, RIP_PORT, buf, len);
	ck_assert_ptr_nonnull(route(A(198, 19, 9, 0), 24));
	now_ms += (int64_t)silent_s * 1000;
	rip_table_scan_now(rip);
	rip_neighbor_scan_now(rip);
	feed(PEER0, RIP_PORT, old, old_len);
	return usable(7);
}

START_TEST(old_packet_refused_however_long_the_silence)
{
	ck_assert(!old_packet_accepted_after(3600)); /* routes and neighbor row long gone */
	ck_assert_uint_eq(rip->stats.drops[RIP_DROP_REPLAY], 1);
	ck_assert_ptr_nonnull(rip_auth_peer_find(rip, PEER0, "eth0"));
}
END_TEST

START_TEST(sequence_reset_after_the_timeout_when_configured)
{
	eth0->set->auth_seq_reset = RIP_SEQ_RESET_TIMEOUT;
	ck_assert(old_packet_accepted_after(181));
}
END_TEST

START_TEST(sequence_reset_after_configured_seconds)
{
	eth0->set->auth_seq_reset = 600;
	ck_assert(!old_packet_accepted_after(300));
}
END_TEST

START_TEST(sequence_reset_after_configured_seconds_elapsed)
{
	eth0->set->auth_seq_reset = 600;
	ck_assert(old_packet_accepted_after(601));
}
END_TEST

START_TEST(last_packet_replayed_after_silence_refused)
{
	uint8_t a[RIP_MAX_PACKET];
	size_t alen = signed_response(7, a);

	feed(PEER0, RIP_PORT, a, alen);
	now_ms += 400 * 1000; /* timeout and garbage collection: the route is gone */
	rip_table_scan_now(rip);
	rip_neighbor_scan_now(rip);
	ck_assert(!usable(7));
	feed(PEER0, RIP_PORT, a, alen);
	ck_assert(!usable(7));
	ck_assert_uint_eq(eth0->stats.rx_replays, 1);
}
END_TEST

/* ---- neighbor life ---- */

static json_t *neighbor_row(uint32_t addr, uint32_t ifindex)
{
	char key[64];
	json_t *k, *row = NULL;

	snprintf(key, sizeof(key), "{\"address\":\"%u.%u.%u.%u\",\"ifindex\":%u}", addr >> 24,
		 (addr >> 16) & 0xff, (addr >> 8) & 0xff, addr & 0xff, ifindex);
	k = json_loads(key, 0, NULL);
	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(rip_mib_get(rip, RP_MIB_NEIGHBOR, k, &row), NO_ERROR);
	json_decref(k);
	return row;
}

static const char *state_of(uint32_t addr, uint32_t ifindex)
{
	static char state[8];
	json_t *row = neighbor_row(addr, ifindex);

	snprintf(state, sizeof(state), "%s", json_string_value(json_object_get(row, "state")));
	json_decref(row);
	return state;
}

static void hear_peer0(void)
{
	struct rip_rte e = { .afi = 2, .addr = A(198, 19, 1, 0), .mask = 0xffffff00u,
			     .metric = 1 };
	uint8_t buf[RIP_MAX_PACKET];

	feed(PEER0, RIP_PORT, buf, response(2, &e, 1, buf));
}

START_TEST(silent_neighbor_goes_down_then_is_forgotten)
{
	hear_peer0();
	ck_assert_str_eq(state_of(PEER0, 2), "up");
	ck_assert(evtimer_pending(rip->nbr_timer, NULL)); /* armed for the timeout */
	now_ms += 179 * 1000;
	rip_neighbor_scan_now(rip);
	ck_assert_str_eq(state_of(PEER0, 2), "up");
	now_ms += 1000; /* the timeout (180 s) */
	rip_neighbor_scan_now(rip);
	ck_assert_str_eq(state_of(PEER0, 2), "down");
	hear_peer0(); /* back */
	ck_assert_str_eq(state_of(PEER0, 2), "up");
	now_ms += 180 * 1000;
	rip_neighbor_scan_now(rip);
	ck_assert_str_eq(state_of(PEER0, 2), "down");
	now_ms += 119 * 1000;
	rip_neighbor_scan_now(rip);
	ck_assert_ptr_nonnull(rip_neighbor_find(rip, PEER0, 2));
	now_ms += 1000; /* the garbage time (120 s) down */
	rip_neighbor_scan_now(rip);
	ck_assert_ptr_null(rip_neighbor_find(rip, PEER0, 2));
}
END_TEST

START_TEST(packets_that_fail_the_checks_do_not_keep_a_neighbor_up)
{
	uint8_t bad[RIP_MAX_PACKET] = { RIP_CMD_RESPONSE, 2, 0, 0 }; /* a partial entry */
	json_t *row;

	feed(A(198, 18, 0, 3), RIP_PORT, bad, 14); /* a sender never heard correctly */
	row = neighbor_row(A(198, 18, 0, 3), 2);
	ck_assert_str_eq(json_string_value(json_object_get(row, "state")), "down");
	ck_assert(json_is_null(json_object_get(row, "last_heard")));
	json_decref(row);
	now_ms += 120 * 1000; /* the garbage time */
	rip_neighbor_scan_now(rip);
	ck_assert_ptr_null(rip_neighbor_find(rip, A(198, 18, 0, 3), 2));

	hear_peer0();
	for (int i = 0; i < 20; i++) {
		now_ms += 10 * 1000;
		feed(PEER0, RIP_PORT, bad, 14);
	}
	rip_neighbor_scan_now(rip);
	ck_assert_str_eq(state_of(PEER0, 2), "down");
}
END_TEST

/* ---- demand circuits ---- */

static struct rip_iface *tun0;
#define TUN_PEER A(198, 18, 6, 2)

static void setup_demand(void)
{
	setup_instance();
	rip->started = true;
	tun0 = add_iface_mode("tun0", 4, A(198, 18, 6, 1), 30, RIP_SH_POISONED, RIP_MODE_DEMAND);
	eth0 = add_iface("eth0", 2, A(198, 18, 0, 1), 24, RIP_SH_POISONED);
}

START_TEST(demand_neighbor_down_only_when_the_circuit_gives_it_up)
{
	struct rip_msg m = { .command = RIP_CMD_UPDATE_RESPONSE, .version = 2,
			     .trig_version = RIP_TRIGGER_VERSION, .trig_flush = 1, .nrtes = 1 };
	uint8_t buf[RIP_MAX_PACKET];
	size_t len;

	m.rtes[0] = (struct rip_rte){ .afi = 2, .addr = A(198, 19, 90, 0), .mask = 0xffffff00u,
				      .metric = 1 };
	len = rip_encode(&m, buf, sizeof(buf), NULL);
	rip_input_packet(rip, 4, TUN_PEER, RIP_PORT, RIP_MCAST_GROUP, buf, len);
	now_ms += 3600 * 1000; /* silence is the steady state (RFC 2091) */
	rip_neighbor_scan_now(rip);
	ck_assert_str_eq(state_of(TUN_PEER, 4), "up");
	for (int i = 0; i < 40; i++) /* no acknowledgement: the circuit gives the neighbor up */
		rip_demand_retransmit_now(tun0);
	ck_assert(rip_demand_peer_unreachable(tun0));
	rip_neighbor_scan_now(rip);
	ck_assert_str_eq(state_of(TUN_PEER, 4), "down");
}
END_TEST

START_TEST(demand_updates_fit_512_bytes_with_sha512)
{
	set_auth(tun0, RIP_AUTH_TYPE_SHA512, "s3cret", 1);
	for (unsigned i = 0; i < 60; i++)
		learn(eth0, A(198, 18, 0, 2), A(198, 19, i, 0), 24, 2);
	nsent = 0;
	rip_demand_up(tun0); /* the whole table, stop-and-wait: the first packet goes now */
	for (unsigned i = 0; i < nsent; i++) {
		const struct rip_msg *m = &sent[i].msg;

		if (m->command != RIP_CMD_UPDATE_RESPONSE)
			continue;
		ck_assert_uint_eq(m->nrtes, 20); /* 4 + 4 + 20 + 20 * 20 + 4 + 64 = 496 bytes */
		return;
	}
	ck_abort_msg("no Update Response sent");
}
END_TEST

START_TEST(retransmission_is_signed_again)
{
	const struct rip_msg *first = NULL, *again;

	set_auth(tun0, RIP_AUTH_TYPE_SHA256, "s3cret", 1);
	nsent = 0;
	rip_demand_up(tun0);
	for (unsigned i = 0; i < nsent && !first; i++)
		if (sent[i].msg.command == RIP_CMD_UPDATE_RESPONSE)
			first = &sent[i].msg;
	ck_assert_ptr_nonnull(first);
	tun0->auth_seq = first->auth.sequence + 5; /* the retransmission timer ran 5 s */
	rip_demand_retransmit_now(tun0);
	again = &sent[nsent - 1].msg;
	ck_assert_int_eq(again->command, RIP_CMD_UPDATE_RESPONSE);
	ck_assert_uint_eq(again->trig_seq, first->trig_seq); /* the same RFC 2091 packet */
	ck_assert_uint_eq(again->auth.sequence, first->auth.sequence + 5); /* not a replay */
}
END_TEST

static Suite *auth_suite(void)
{
	Suite *s = suite_create("rip_auth");
	TCase *tc = tcase_create("sizes");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, every_algorithm_fills_but_never_exceeds_512_bytes, 0,
			    (int)(sizeof(sizes) / sizeof(sizes[0])));
	tcase_add_test(tc, answers_to_long_requests_fit_512_bytes);
	suite_add_tcase(s, tc);
	tc = tcase_create("replay");
	tcase_add_checked_fixture(tc, setup_auth, teardown);
	tcase_add_test(tc, identical_packet_at_one_sequence_number_is_a_replay);
	tcase_add_test(tc, old_packet_refused_however_long_the_silence);
	tcase_add_test(tc, sequence_reset_after_the_timeout_when_configured);
	tcase_add_test(tc, sequence_reset_after_configured_seconds);
	tcase_add_test(tc, sequence_reset_after_configured_seconds_elapsed);
	tcase_add_test(tc, last_packet_replayed_after_silence_refused);
	suite_add_tcase(s, tc);
	tc = tcase_create("neighbors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, silent_neighbor_goes_down_then_is_forgotten);
	tcase_add_test(tc, packets_that_fail_the_checks_do_not_keep_a_neighbor_up);
	suite_add_tcase(s, tc);
	tc = tcase_create("demand");
	tcase_add_checked_fixture(tc, setup_demand, teardown);
	tcase_add_test(tc, demand_neighbor_down_only_when_the_circuit_gives_it_up);
	tcase_add_test(tc, demand_updates_fit_512_bytes_with_sha512);
	tcase_add_test(tc, retransmission_is_signed_again);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(auth_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
