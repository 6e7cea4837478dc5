/* SPDX-License-Identifier: ISC */
/*
 * fuzz_rip_engine.c — libFuzzer target for the RIP engine as a whole: the receive path
 * (envelope, authentication, policy, entries), the routing table and its timers, output,
 * RFC 2091 demand circuits and autostatic updates. An input is a little program of operations
 * run against a fresh instance (the unit tests' fixture) with four interfaces:
 *
 *   eth0  periodic, with an accept policy      eth1  periodic, Keyed-MD5 authentication
 *   tun0  demand circuit (RFC 2091)            dial0 autostatic
 *
 * Each operation is one byte, low nibble = what, high nibble = an argument:
 *   0-3  a packet on interface 0-3; then a 2-byte length and the bytes. The argument picks
 *        the source (neighbor, second neighbor, our own address, off the subnet), whether it
 *        was sent to our address or to the group, and the source port (or, on eth1, whether
 *        the packet is first signed with the interface's own key, to get past authentication)
 *   4    time passes (15 s steps) and the table is scanned      5  a full update is sent
 *   6    demand retransmission and flush sweep                  7  an interface goes up/down
 *   8    an autostatic update starts                            9  its time runs out
 *   10   every MIB table is walked                              11 an interface's addresses change
 *   12   triggered updates go out                               13 a route is redistributed
 *   14   a reload changes an interface's settings (next byte: mode, split horizon, passive,
 *        version; the argument: accept/announce/peer filters, host and default routes)
 *   else the event loop runs once
 * Everything the engine sends is decoded again by the fixture, which aborts on a packet it
 * cannot decode; sanitizers catch the rest.
 *
 * Built and run by tools/fuzz (seeds in tests/fuzz/seeds/rip_engine).
 */
#include "config.h"

#include <event2/event.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "rip/rip.h"
#include "rip/rip_protocol.h"
#include "rip_fixture.h"

#define NIFACES 4
#define MAX_PACKET_IN 1024
#define OFF_SUBNET A(198, 19, 255, 1)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rip_iface *ifaces[NIFACES];

struct reader {
	const uint8_t *p;
	size_t left;
};

static bool take(struct reader *r, size_t n, const uint8_t **out)
{
	if (r->left < n)
		return false;
	*out = r->p;
	r->p += n;
	r->left -= n;
	return true;
}

static void set_md5_key(struct rip_iface *ifc)
{
	static const char secret[] = "fuzz-secret";

	ifc->set->auth_type = RIP_AUTH_TYPE_MD5;
	ifc->set->keys = calloc(1, sizeof(*ifc->set->keys));
	if (!ifc->set->keys)
		fuzz_fail("out of memory");
	ifc->set->keys[0].id = 1;
	memcpy(ifc->set->keys[0].secret, secret, sizeof(secret) - 1);
	ifc->set->keys[0].secret_len = sizeof(secret) - 1;
	ifc->set->nkeys = 1;
}

static void set_accept_except(struct rip_iface *ifc)
{
	ifc->set->accept.except = calloc(1, sizeof(*ifc->set->accept.except));
	if (!ifc->set->accept.except)
		fuzz_fail("out of memory");
	ifc->set->accept.except[0] = (struct rp_prefix4){ A(198, 19, 128, 0), 17 };
	ifc->set->accept.nexcept = 1;
	ifc->set->accept_host_routes = false;
}

static void start(void)
{
	setup();
	rip->started = true;
	rip->set.redistribute = RP_REDIST_CONNECTED | RP_REDIST_STATIC | RP_REDIST_KERNEL |
				RP_REDIST_AUTOSTATIC;
	ifaces[0] = eth0;
	ifaces[1] = eth1;
	ifaces[2] = add_iface_mode("tun0", 4, A(198, 18, 6, 1), 30, RIP_SH_POISONED,
				   RIP_MODE_DEMAND);
	ifaces[3] = add_iface_mode("dial0", 5, A(198, 18, 7, 1), 24, RIP_SH_POISONED,
				   RIP_MODE_AUTOSTATIC);
	set_accept_except(eth0);
	set_md5_key(eth1);
}

static void run_loop(void)
{
	nsent = 0; /* the fixture decodes only what fits in sent[] */
	event_base_loop(base, EVLOOP_NONBLOCK);
	nsent = 0;
}

/* Sign an input that decodes with eth1's own key, as its neighbor would. */
static size_t sign(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	struct rip_msg m;

	if (rip_decode(in, len, &m) != RIP_DECODE_OK)
		return 0;
	return rip_auth_encode(eth1, &m, out, cap);
}

static void packet(unsigned which, unsigned arg, struct reader *r)
{
	struct rip_iface *ifc = ifaces[which];
	uint32_t own = ifc->naddrs ? ifc->addrs[0].address : A(198, 18, 9, 1);
	uint32_t sources[4] = { own + 1, own + 2, own, OFF_SUBNET };
	uint32_t dst = (arg & 4) ? own : RIP_MCAST_GROUP;
	uint16_t sport = RIP_PORT;
	const uint8_t *len_bytes, *bytes;
	uint8_t signed_buf[RIP_MAX_PACKET + 256];
	size_t len;

	if (!take(r, 2, &len_bytes))
		return;
	len = ((size_t)len_bytes[0] << 8 | len_bytes[1]) % (MAX_PACKET_IN + 1);
	if (!take(r, len, &bytes))
		return;
	if ((arg & 8) && ifc == eth1) {
		len = sign(bytes, len, signed_buf, sizeof(signed_buf));
		bytes = signed_buf;
	} else if (arg & 8) {
		sport = 1024;
	}
	rip_input_packet(rip, ifc->ifindex, sources[arg & 3], sport, dst, bytes, len);
	nsent = 0;
}

static void walk_mib(void)
{
	static const enum rp_mib_table tables[] = { RP_MIB_GLOBAL, RP_MIB_INTERFACE, RP_MIB_ROUTE,
						    RP_MIB_NEIGHBOR };

	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		json_t *row = NULL, *next;

		if (rip_mib_get_first(rip, tables[t], &row) != NO_ERROR)
			continue;
		for (unsigned guard = 0; row && guard < 100000; guard++) {
			next = NULL;
			if (rip_mib_get_next(rip, tables[t], row, &next) != NO_ERROR)
				next = NULL;
			json_decref(row);
			row = next;
		}
		json_decref(row);
	}
}

static void rebind(struct rip_iface *ifc, unsigned arg)
{
	uint32_t base_addr = A(198, 18, 10 + (arg & 3), 1);
	struct rp_local_binding b[2] = { { .address = base_addr, .prefixlen = 24 },
					 { .address = base_addr + 256, .prefixlen = 30 } };
	struct rp_binding bind = { .address_count = (arg >> 2) % 3, .addresses = b };

	rip_iface_set_binding(ifc, &bind);
}

static void redistribute(unsigned arg, struct reader *r)
{
	const uint8_t *p;
	struct rp_redist_route rr;

	if (!take(r, 5, &p))
		return;
	rr = (struct rp_redist_route){ .prefix = A(p[0], p[1], p[2], p[3]), .prefixlen = p[4] % 33,
				       .ifindex = 2 + (arg & 3),
				       .source = 1u << ((arg >> 2) & 3), .metric = 1 + arg,
				       .type = (enum rp_route_type)((arg >> 1) & 3) };
	rr.prefix &= rp_prefix4_mask(rr.prefixlen);
	rip_redist_changed(rip, &rr, arg & 1);
}

/* New settings for `ifc` as a reload would bring them (the protocol copies them deeply). */
static void reload(struct rip_iface *ifc, unsigned arg, struct reader *r)
{
	static struct rp_prefix4 inside[] = { { A(198, 19, 0, 0), 17 } };
	static struct rp_prefix4 outside[] = { { A(198, 19, 7, 0), 24 } };
	static struct rp_prefix4 peer[1];
	struct rip_if_settings s = *ifc->set; /* keys and lists stay the old ones' until copied */
	const uint8_t *b;

	if (!take(r, 1, &b))
		return;
	s.mode = *b % 3;
	s.split_horizon = (*b >> 2) % 3;
	s.passive = *b & 0x10;
	s.version = (*b >> 5) % 3;
	if (s.mode == RIP_MODE_DEMAND && s.version == RIP_VERSION_1)
		s.version = RIP_VERSION_2; /* the configuration refuses this pair */
	s.accept = (struct rip_filter){ .only = inside, .nonly = arg & 1 };
	s.announce = (struct rip_filter){ .except = outside, .nexcept = (arg >> 1) & 1 };
	peer[0] = (struct rp_prefix4){ ifc->naddrs ? ifc->addrs[0].address + 1 : 0, 32 };
	s.peers = (struct rip_filter){ .only = peer, .nonly = (arg >> 2) & 1 };
	s.accept_host_routes = s.announce_default_route = !(arg & 8);
	if (rip_protocol.set_interface_info(rip, ifc->ifindex, &s) != NO_ERROR)
		fuzz_fail("a reload of %s was refused", ifc->name);
}

static void step(uint8_t op, struct reader *r)
{
	unsigned what = op & 0x0f, arg = op >> 4;
	struct rip_iface *ifc = ifaces[arg & 3];

	switch (what) {
	case 0: case 1: case 2: case 3:
		packet(what, arg, r);
		return;
	case 4:
		now_ms += (int64_t)(arg + 1) * 15000;
		rip_table_scan_now(rip);
		break;
	case 5: rip_output_full(ifc); break;
	case 6:
		rip_demand_retransmit_now(ifaces[2]);
		rip_demand_sweep_now(ifaces[2]);
		break;
	case 7: rip_iface_set_active(ifc, arg & 4); break;
	case 8: (void)rip_update_start(ifaces[2 + (arg & 1)], 0); break;
	case 9: rip_update_expire_now(ifaces[2 + (arg & 1)]); break;
	case 10: walk_mib(); break;
	case 11: rebind(ifc, arg); break;
	case 12: rip_output_trigger(rip); break;
	case 13: redistribute(arg, r); break;
	case 14: reload(ifc, arg, r); break;
	default: break;
	}
	run_loop();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = { data, size };
	const uint8_t *op;

	start();
	while (take(&r, 1, &op))
		step(*op, &r);
	teardown();
	return 0;
}
