/* SPDX-License-Identifier: ISC */
/*
 * rip_fixture.h — the RIP engine's unit-test fixture, shared by the test files of src/rip: an
 * instance with an injected clock (now_ms), a support table that records what the router
 * manager is told (rmv), a send hook that captures and decodes every packet (sent[], nsent),
 * two periodic interfaces eth0 (ifindex 2, 198.18.0.1/24) and eth1 (ifindex 3, 198.18.1.1/24),
 * and helpers to learn routes, build output packets and feed raw packets to the receive path.
 */
#ifndef ROUTPROTD_TESTS_RIP_FIXTURE_H
#define ROUTPROTD_TESTS_RIP_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "rip/rip.h"

#define A(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((c) << 8) | (d))

/* What the router manager was told. */
struct rm_view {
	int adds, deletes;
	struct rp_route last;
	uint32_t last_deleted;
	int updates;                   /* routes handed over by autostatic updates */
	int refuse_updates_after;      /* > 0: update_route fails once this many were taken */
	struct rp_route last_update;
	int signals;                   /* signal_event calls (an event was queued) */
};

/* Packets the engine sent (the socket is replaced by a capture). */
#define MAX_SENT 64
struct sent {
	uint32_t ifindex, src, dst;
	uint16_t port;
	struct rip_msg msg;
};

extern int64_t now_ms;
extern struct event_base *base;
extern struct rip *rip;
extern struct rip_iface *eth0, *eth1;
extern struct rm_view rmv;
extern struct sent sent[MAX_SENT];
extern unsigned nsent;

struct rip_iface *add_iface_mode(const char *name, uint32_t ifindex, uint32_t addr, uint8_t len,
				 int split, int mode);
struct rip_iface *add_iface(const char *name, uint32_t ifindex, uint32_t addr, uint8_t len,
			    int split);
void setup_instance(void); /* the instance without interfaces */
void setup(void);          /* the instance with eth0 and eth1 */
void teardown(void);

/* Route `prefix/len` from neighbor `from` (its own gateway) with `metric` (cost included). */
void learn(struct rip_iface *ifc, uint32_t from, uint32_t prefix, uint8_t len, uint8_t metric);
const struct rip_route *route(uint32_t prefix, uint8_t len);

/* The next packet of `job` on `ifc`, decoded into out; its entry count (0 = job done). */
unsigned build(struct rip_iface *ifc, struct rip_job *job, struct rip_msg *out);
const struct rip_rte *entry_for(const struct rip_msg *m, uint32_t addr);
struct rip_job job_for(struct rip_iface *ifc, uint8_t version); /* a full update */

/* The next event of the instance's queue (ERROR_NO_MORE_ITEMS when empty). */
enum rp_result next_event(enum rp_event_type *type, union rp_message *msg);

/* Raw bytes into the receive path as if they came from `src`:`sport` on eth0. */
void feed(uint32_t src, uint16_t sport, const uint8_t *buf, size_t len);
size_t response(uint8_t version, const struct rip_rte *e, unsigned n, uint8_t *buf);
/* The interface authenticates with one key (`type`: enum rip_auth_type). */
void set_auth(struct rip_iface *ifc, int type, const char *secret, int id);

#endif
