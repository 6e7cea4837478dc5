/* SPDX-License-Identifier: ISC */
/*
 * rip_fixture.c — the RIP engine's unit-test fixture (see rip_fixture.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "routprotd/clock.h"
#include "routprotd/log.h"
#include "rip_fixture.h"

int64_t now_ms;
struct event_base *base;
struct rip *rip;
struct rip_iface *eth0, *eth1;

struct rm_view rmv;

struct sent sent[MAX_SENT];
unsigned nsent;

/* The fixture's own checks abort: a Check test reports that as a failure, a fuzzer as a crash. */
#define REQUIRE(cond)                                                                   \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "%s:%d: fixture check failed: %s\n", __FILE__,   \
				__LINE__, #cond);                                       \
			abort();                                                        \
		}                                                                       \
	} while (0)

static int capture(struct rip *r, uint32_t ifindex, uint32_t src, uint32_t dst, uint16_t port,
		   const uint8_t *buf, size_t len)
{
	if (nsent < MAX_SENT) {
		sent[nsent] = (struct sent){ .ifindex = ifindex, .src = src, .dst = dst,
					     .port = port };
		REQUIRE(rip_decode(buf, len, &sent[nsent].msg) == RIP_DECODE_OK);
		nsent++;
	}
	return 0;
}

static int64_t fake_clock(void)
{
	return now_ms;
}

static void quiet(enum rp_log_level l, const char *line, void *arg)
{
}

static enum rp_result rec_add(struct rp_host *host, const struct rp_route *r)
{
	rmv.adds++;
	rmv.last = *r;
	return NO_ERROR;
}

static enum rp_result rec_delete(struct rp_host *host, uint32_t prefix, uint8_t len)
{
	rmv.deletes++;
	rmv.last_deleted = prefix;
	return NO_ERROR;
}

static enum rp_result rec_update(struct rp_host *host, uint32_t ifindex,
				 const struct rp_route *r)
{
	if (rmv.refuse_updates_after > 0 && rmv.updates >= rmv.refuse_updates_after)
		return ERROR_CAN_NOT_COMPLETE;
	rmv.updates++;
	rmv.last_update = *r;
	return NO_ERROR;
}

static void rec_signal(struct rp_host *host)
{
	rmv.signals++;
}

enum rp_result next_event(enum rp_event_type *type, union rp_message *msg)
{
	return rp_event_queue_pop(&rip->events, type, msg);
}

struct rip_iface *add_iface_mode(const char *name, uint32_t ifindex, uint32_t addr,
					uint8_t len, int split, int mode)
{
	struct rip_if_settings set;
	struct rp_local_binding b = { .address = addr, .prefixlen = len };
	struct rp_binding bind = { .address_count = 1, .addresses = &b };
	struct rip_iface *ifc;

	rip_if_settings_default(&set, &rip->set);
	set.split_horizon = split;
	set.mode = mode;
	ifc = rip_iface_new(rip, name, ifindex, &set);
	REQUIRE(ifc != NULL);
	ifc->next = rip->ifaces;
	rip->ifaces = ifc;
	rip_iface_set_binding(ifc, &bind);
	rip_iface_set_active(ifc, true);
	return ifc;
}

struct rip_iface *add_iface(const char *name, uint32_t ifindex, uint32_t addr,
				   uint8_t len, int split)
{
	return add_iface_mode(name, ifindex, addr, len, split, RIP_MODE_PERIODIC);
}

void setup_instance(void)
{
	rp_log_set_sink(quiet, NULL);
	now_ms = 1000000;
	rp_clock_set_source(fake_clock);
	memset(&rmv, 0, sizeof(rmv));
	base = event_base_new();
	rip = calloc(1, sizeof(*rip));
	rip->sock = -1;
	rip->send = capture;
	nsent = 0;
	rip->sup = (struct rp_support){ .base = base, .route_add = rec_add,
					.route_delete = rec_delete,
					.update_route = rec_update, .signal_event = rec_signal };
	rip_settings_default(&rip->set);
	rip->rng = 12345;
	rip->rl_drop = (struct rp_log_ratelimit)RP_LOG_RATELIMIT_INIT(1, 1000);
	rip->rl_entry = rip->rl_drop;
	rip->rl_send = rip->rl_drop;
	rp_event_queue_init(&rip->events);
	rip_table_init(rip);
	rip_neighbor_init(rip);
	rip_auth_peers_init(rip);
	REQUIRE(rip_trigger_init(rip) == 0);
}

void setup(void)
{
	setup_instance();
	eth0 = add_iface("eth0", 2, A(198, 18, 0, 1), 24, RIP_SH_POISONED);
	eth1 = add_iface("eth1", 3, A(198, 18, 1, 1), 24, RIP_SH_POISONED);
	memset(&rmv, 0, sizeof(rmv));
}

void teardown(void)
{
	while (rip->ifaces) {
		struct rip_iface *n = rip->ifaces->next;

		rip_iface_free(rip->ifaces);
		rip->ifaces = n;
	}
	rip_table_free(rip);
	rip_neighbor_free_all(rip);
	rip_auth_peers_free(rip);
	rp_event_queue_clear(&rip->events);
	event_free(rip->trigger_ev);
	free(rip);
	event_base_free(base);
	rp_clock_set_source(NULL);
	rp_log_set_sink(NULL, NULL);
}

void learn(struct rip_iface *ifc, uint32_t from, uint32_t prefix, uint8_t len,
		  uint8_t metric)
{
	rip_table_update(rip, ifc, from, prefix, len, from, metric, 0);
}

const struct rip_route *route(uint32_t prefix, uint8_t len)
{
	return rip_route_find(rip, prefix, len);
}

unsigned build(struct rip_iface *ifc, struct rip_job *job, struct rip_msg *out)
{
	uint8_t buf[RIP_MAX_PACKET];
	size_t len = rip_output_build(rip, ifc, job, buf, sizeof(buf));

	if (len == 0)
		return 0;
	REQUIRE(rip_decode(buf, len, out) == RIP_DECODE_OK);
	return out->nrtes;
}

const struct rip_rte *entry_for(const struct rip_msg *m, uint32_t addr)
{
	for (unsigned i = 0; i < m->nrtes; i++)
		if (m->rtes[i].addr == addr)
			return &m->rtes[i];
	return NULL;
}

struct rip_job job_for(struct rip_iface *ifc, uint8_t version)
{
	return (struct rip_job){ .kind = RIP_JOB_FULL, .src = ifc->addrs[0].address,
				 .src_len = ifc->addrs[0].prefixlen, .dst = RIP_MCAST_GROUP,
				 .port = RIP_PORT, .version = version };
}

/* Feed raw bytes to the receive path as if they came from `src`:`sport` on eth0. */
void feed(uint32_t src, uint16_t sport, const uint8_t *buf, size_t len)
{
	rip_input_packet(rip, 2, src, sport, RIP_MCAST_GROUP, buf, len);
}

size_t response(uint8_t version, const struct rip_rte *e, unsigned n, uint8_t *buf)
{
	struct rip_msg m = { .command = RIP_CMD_RESPONSE, .version = version, .nrtes = n };

	memcpy(m.rtes, e, n * sizeof(*e));
	return rip_encode(&m, buf, RIP_MAX_PACKET, NULL);
}

void set_auth(struct rip_iface *ifc, int type, const char *secret, int id)
{
	struct rip_auth_key k = { .id = id, .secret_len = strlen(secret) };

	memcpy(k.secret, secret, k.secret_len);
	rip_auth_settings_free(ifc->set);
	ifc->set->auth_type = type;
	ifc->set->keys = malloc(sizeof(k));
	REQUIRE(ifc->set->keys != NULL);
	ifc->set->keys[0] = k;
	ifc->set->nkeys = 1;
}
