/* SPDX-License-Identifier: ISC */
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

#include "routprotd/routprot.h"

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
	unsigned naddrs6;
	const struct rp_bound_address *addrs6; /* IPv6 addresses with their flags, any order */
};

/* A route as the kernel FIB holds it (the FIB writer's view). */
struct rm_fib_route {
	uint32_t prefix;
	uint8_t len;
	uint8_t protocol; /* kernel route protocol (rtm_protocol) */
	bool replace;     /* a route of ours is there already: replace it (else create only) */
	unsigned nnexthops;
	struct rp_nexthop nexthops[RP_MAX_NEXTHOPS];
};

/* A route of another protocol in our kernel table (for redistribution). */
struct rm_kernel_route {
	uint32_t prefix;
	uint8_t len;
	uint8_t protocol;
	uint8_t type; /* enum rp_route_type */
	uint32_t gateway;
	uint32_t ifindex;
	uint32_t priority; /* with the prefix, what identifies it in our table */
};

/* The kernel forwarding table as the RM uses it; provided by the daemon (src/linux/fib.c). */
struct rm_fib_ops {
	void (*install)(void *arg, const struct rm_fib_route *r);
	void (*remove)(void *arg, uint32_t prefix, uint8_t len, uint8_t protocol);
	void (*flush)(void *arg); /* send queued writes now */
	int (*dump_own)(void *arg, void (*cb)(void *cbarg, const struct rm_fib_route *r),
			void *cbarg);
	int (*dump_kernel)(void *arg, void (*cb)(void *cbarg, const struct rm_kernel_route *r),
			   void *cbarg);
	void (*set_target)(void *arg, uint32_t table, uint32_t priority);
};

#define RM_PROTO_AUTOSTATIC RTPROT_AUTOSTATIC /* kernel protocol number of autostatic routes */

/* True when this RM can serve the registration `p` (interface version, struct size, mandatory
 * entry points); otherwise false with the reason, naming `module` (a file name, or NULL for the
 * protocol's own name), its version and ours, in `why` (rm_register.c). */
bool rm_protocol_acceptable(const struct rp_protocol *p, const char *module, char *why,
			    size_t len);

/* `protocols` is the registry of every protocol module this daemon offers (the config decides
 * which run). NULL when one of them is not acceptable (logged) or memory runs out. */
struct rm *rm_new(struct event_base *base, const struct rp_protocol *const *protocols,
		  size_t nprotocols);
/* Register one more protocol (its module was just loaded); false with the reason when it
 * cannot be served or every slot is taken. */
bool rm_add_protocol(struct rm *rm, const struct rp_protocol *def, char *why, size_t len);
bool rm_has_protocol(struct rm *rm, const struct rp_protocol *def);
/* Forget a protocol that neither runs nor is configured, so that its module can be unloaded:
 * the RM keeps nothing of it but copies (its slot is reused). False when it is still in use
 * or not registered. */
bool rm_retire_protocol(struct rm *rm, const struct rp_protocol *def);
/* Stops every protocol synchronously (a pending stop is abandoned after its instance is freed)
 * and frees everything. */
void rm_free(struct rm *rm);

/* Apply a configuration (ownership of `conf` passes to the RM). The first call starts the
 * configured protocols, adds their present interfaces with their current statuses, then calls
 * start_complete; later calls apply the difference to the running configuration (reload): only
 * protocols and interfaces whose settings changed are touched. */
/* Returns false when a protocol the configuration asks for could not start (the daemon treats
 * that as fatal at start-up, and as an error to report at a reload). */
bool rm_apply_config(struct rm *rm, struct conf *conf);
const struct conf *rm_config(const struct rm *rm);

/* Attach the kernel FIB (before the first rm_apply_config): reads the routes of our protocols
 * already in the kernel (kept while protocols relearn them, removed when they do not within
 * fib.stale-time) and the routes of other protocols (redistribution). */
void rm_attach_fib(struct rm *rm, const struct rm_fib_ops *ops, void *arg);
/* Feedback from the FIB writer. */
void rm_fib_write_failed(struct rm *rm, uint32_t prefix, uint8_t len, uint8_t protocol,
			 bool install, int error);
void rm_fib_kernel_route(struct rm *rm, const struct rm_kernel_route *r, bool removed);
void rm_fib_own_route_deleted(struct rm *rm, uint32_t prefix, uint8_t len, uint8_t protocol);
/* Another protocol's route at our table and priority took the place of ours (`taken`), or left
 * it free again (then a route of ours the kernel refused for it is written again). */
void rm_fib_foreign_route(struct rm *rm, uint32_t prefix, uint8_t len, uint8_t protocol,
			  bool taken);
void rm_fib_lost_notifications(struct rm *rm);

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

/* ---- autostatic routes ---- */

/* Load the state file of `state_dir` (before the first rm_apply_config, after rm_attach_fib)
 * and install what it holds; an unusable file is set aside and the sets are recovered from the
 * kernel. */
void rm_autostatic_load(struct rm *rm, const char *state_dir);

/* `why`, when not NULL, says why the update failed beyond its status (the state file could
 * not be written, the protocol never finished, ...). */
typedef void (*rm_update_done_fn)(void *ctx, const char *ifname, enum rp_result status,
				  size_t routes, const char *why);
/* Start an autostatic update (DoUpdateRoutes) on an interface. NO_ERROR: started, `done` runs
 * at UPDATE_COMPLETE with its status and the interface's route count. Otherwise the immediate
 * outcome: ERROR_INTERFACE_NOT_CONNECTED, ERROR_UPDATE_IN_PROGRESS, or ERROR_INVALID_PARAMETER
 * with a reason in *why (unknown interface, no protocol or mode that supports updates). */
enum rp_result rm_update_routes(struct rm *rm, const char *ifname, unsigned timeout_s,
				rm_update_done_fn done, void *ctx, const char **why);
/* The waiter identified by ctx went away: the update goes on, nobody is told. */
void rm_update_forget(struct rm *rm, void *ctx);
/* Remove an interface's autostatic routes (kernel and state file). ERROR_INVALID_PARAMETER
 * when the name is neither a known interface nor has routes; ERROR_CAN_NOT_COMPLETE, with the
 * reason in *why and nothing removed, when the state file cannot be written. */
enum rp_result rm_clear_autostatic(struct rm *rm, const char *ifname, size_t *removed,
				   const char **why);
size_t rm_autostatic_count(const struct rm *rm, const char *ifname);
json_t *rm_json_autostatic(struct rm *rm);

/* Views for the control socket (new references). */
json_t *rm_json_status(struct rm *rm);
json_t *rm_json_interfaces(struct rm *rm);
json_t *rm_json_events(struct rm *rm, size_t last_n); /* 0 = all remembered */
/* A protocol's MIB table (RP_MIB_ROUTE, RP_MIB_NEIGHBOR...) a row at a time, for replies that
 * are written between other work: route rows get "in_fib" and "interface" filled in. Each row is
 * read afresh after the previous one's key, so the table may change in between; a protocol that
 * stops meanwhile ends the table. rm_table_iter_new returns NULL when the protocol does not run
 * (or out of memory); rm_table_iter_next a new reference, or NULL at the end. */
struct rm_table_iter;
/* The route rows of a protocol that cover `addr`/`len` (annotated as in tables): exactly that
 * prefix when `exact`, else the longest prefix containing it that the protocol calls
 * reachable (mib_route_reachable).
 * Returns false when the protocol does not run; *row is NULL when nothing matches. */
bool rm_protocol_route(struct rm *rm, const char *protocol, uint32_t addr, uint8_t len,
		       bool exact, json_t **row);
struct rm_table_iter *rm_table_iter_new(struct rm *rm, const char *protocol,
					enum rp_mib_table table);
json_t *rm_table_iter_next(struct rm_table_iter *it);
void rm_table_iter_free(struct rm_table_iter *it);

/* Extra sections for `show status` from outside the RM (netlink monitor, control socket): the
 * hook adds keys to the status object. */
void rm_set_status_hook(struct rm *rm, void (*hook)(json_t *status, void *arg), void *arg);

#endif
