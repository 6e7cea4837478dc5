/*
 * rm.h — the router manager (RM): owns the table of interfaces (fed by the netlink monitor), the
 * running configuration, the routing protocols (through their rp_protocol callback tables), the
 * history of delivered callbacks and drained events, and the JSON views the control socket shows.
 * It knows nothing about any particular protocol.
 */
#ifndef ROUTPROTD_CORE_RM_H
#define ROUTPROTD_CORE_RM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/routprot.h"

struct event_base;
struct conf;
struct rm;

#define RM_MAX_PROTOCOLS 8
#define RM_HISTORY_SIZE 4096 /* callbacks and events remembered for `show events` */

/* One link as the kernel reports it: the monitor's snapshot after each netlink message. */
struct rm_link {
	uint32_t ifindex;
	const char *name;
	unsigned flags; /* IFF_* */
	unsigned mtu;
	bool enabled;       /* IFF_UP */
	bool media_present; /* IFF_LOWER_UP */
	bool has_carrier_changes;
	uint32_t carrier_changes; /* kernel's count of carrier transitions (IFLA_CARRIER_CHANGES):
				     reveals flaps the kernel coalesced into one notification */
	unsigned naddrs;
	const struct rp_local_binding *addrs; /* IPv4 addresses, any order */
};

/* `protocols` is the registry of every protocol module this daemon offers (the config decides
 * which run). */
struct rm *rm_new(struct event_base *base, const struct rp_protocol *const *protocols,
		  size_t nprotocols);
/* Stops every protocol synchronously (a pending stop is abandoned after its instance is freed)
 * and frees everything. */
void rm_free(struct rm *rm);

/* Apply a configuration (ownership of `conf` passes to the RM). The first call starts the
 * configured protocols, adds their present interfaces with their current statuses, then calls
 * start_complete; later calls apply the difference to the running configuration (reload): only
 * protocols and interfaces whose settings changed are touched. */
void rm_apply_config(struct rm *rm, struct conf *conf);
const struct conf *rm_config(const struct rm *rm);

/* Link input from the netlink monitor. */
void rm_link_update(struct rm *rm, const struct rm_link *link);
void rm_link_delete(struct rm *rm, uint32_t ifindex);
/* After lost notifications: `links` is the complete current set; everything else is deleted. */
void rm_link_resync(struct rm *rm, const struct rm_link *links, size_t nlinks);

/* Graceful stop: stop_protocol on every protocol; `done` runs once all have stopped (at once when
 * none is pending, otherwise when their ROUTER_STOPPED arrives or after `timeout_ms`). */
void rm_stop(struct rm *rm, unsigned timeout_ms, void (*done)(void *arg), void *arg);

uint32_t rm_router_id(const struct rm *rm);
/* Name of the interface with this index, or NULL. */
const char *rm_ifname(const struct rm *rm, uint32_t ifindex);

/* Views for the control socket (new references). */
json_t *rm_json_status(struct rm *rm);
json_t *rm_json_interfaces(struct rm *rm);
json_t *rm_json_events(struct rm *rm, size_t last_n); /* 0 = all remembered */

/* Extra sections for `show status` from outside the RM (netlink monitor, control socket): the
 * hook adds keys to the status object. */
void rm_set_status_hook(struct rm *rm, void (*hook)(json_t *status, void *arg), void *arg);

#endif
