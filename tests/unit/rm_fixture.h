/* SPDX-License-Identifier: ISC */
/*
 * rm_fixture.h — the router manager under test: an RM on its own event base, attached to the
 * mock kernel (mock_kernel.h), running one test protocol. The test protocol is the trace
 * protocol (its configuration section, its record of callbacks) with the kernel protocol number
 * of RIP and autostatic updates, whose support functions the test calls through fx_* helpers:
 * it announces routes, subscribes to redistribution, reports autostatic routes and posts
 * UPDATE_COMPLETE when the test says so. No netlink, no sockets.
 */
#ifndef ROUTPROTD_TESTS_RM_FIXTURE_H
#define ROUTPROTD_TESTS_RM_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/rm.h"
#include "mock_kernel.h"

struct event;
struct event_base;

#define A(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((c) << 8) | (d))
#define FX_PROTO 189 /* the test protocol's kernel route protocol */

struct fx {
	struct event_base *base;
	struct rm *rm;
	struct mock_kernel *mk;
	char dir[64];          /* temporary directory of the test */
	char state_dir[96];    /* dir/state: the autostatic state file's directory */
	unsigned updates;      /* do_update_routes calls */
	uint32_t update_ifindex; /* of the last one */
};
extern struct fx fx;

/* Checked fixture: a new RM and mock kernel (not attached yet: put routes first if needed). */
void fx_setup(void);
void fx_teardown(void);
/* rm_attach_fib to the mock kernel, then rm_autostatic_load from state_dir. */
void fx_attach(void);
/* Load this configuration text and apply it (start or reload). */
void fx_config(const char *text);

/* A link with one address (0 = none). */
void fx_link(uint32_t ifindex, const char *name, bool up, bool carrier, uint32_t addr,
	     uint8_t len);
/* Run what the event loop has ready (event queue drains), without waiting. */
void fx_run(void);
/* Run a pending timer's callback now (audit, stale timer...); fails when not pending. */
void fx_fire(struct event *ev);
/* Run every pending timer but the RM's audit and stale timers (an update's guard...); returns
 * how many ran. */
unsigned fx_fire_other_timers(void);

/* The test protocol's support calls. */
enum rp_result fx_route(uint32_t prefix, uint8_t len, uint32_t metric, uint32_t gw,
			uint32_t ifindex);
enum rp_result fx_route_ecmp(uint32_t prefix, uint8_t len, uint32_t metric, unsigned n,
			     const struct rp_nexthop *nh);
void fx_unroute(uint32_t prefix, uint8_t len);
void fx_subscribe(unsigned mask);
enum rp_result fx_update_route(uint32_t ifindex, uint32_t prefix, uint8_t len, uint32_t gw,
			       uint32_t metric);
/* Post UPDATE_COMPLETE for ifindex with `status` and let the RM drain it. */
void fx_complete(uint32_t ifindex, enum rp_result status);

/* The kernel writes since the last call must be exactly `want`. */
void fx_expect_kernel(const char *want);
/* The redistribution callbacks since the last call ("+ 198.18.1.0/24 connected if 3\n"...). */
void fx_expect_redist(const char *want);

#endif
