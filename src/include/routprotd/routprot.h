/* SPDX-License-Identifier: ISC */
/*
 * routprotd/routprot.h — the routing-protocol interface of the routprotd SDK: what a protocol
 * module and the router manager (RM) exchange, shaped after the Windows RRAS routprot.h: the
 * registration struct mirrors MPR_ROUTING_CHARACTERISTICS, the support table mirrors
 * SUPPORT_FUNCTIONS, result codes, interface status types and protocol events keep their Win32
 * values. Every name carries the rp_/RP_ prefix; the Win32 names (NO_ERROR, ERROR_*, RIS_*,
 * ROUTER_STOPPED, UPDATE_COMPLETE...) are aliases of the RP_ names, defined unless the module
 * defines RP_NO_WIN32_NAMES before including this header. routprotd-modules(7) documents the ABI.
 *
 * Deviations that C on Linux needs (each deliberate):
 *  - Instance pointer: start_protocol returns a protocol instance (void *) that is passed back to
 *    every entry point, instead of the DLL globals of routprot.h.
 *  - Event loop: the protocol adds its sockets and timers to the RM's libevent base (support->base)
 *    and signals new events with support->signal_event(), instead of a Win32 event handle.
 *  - Host handle: every support function takes the `struct rp_host *` handed over in the support
 *    table (support->host), opaque to the protocol, naming its slot in the RM.
 *  - Configuration: the global and per-interface "info blobs" are the protocol's own C structs,
 *    produced from the libconfig file by the protocol's config parser (struct rp_config_ops); the RM
 *    passes them through without looking inside, as RRAS does with its opaque blobs. As in RRAS,
 *    a blob is valid only during the call that passes it: the protocol copies what it keeps.
 *  - MIB: rows are JSON objects (jansson) instead of protocol-specific binary buffers, so the control
 *    socket can show any protocol's tables without knowing the protocol.
 *  - Addresses: IPv4 as uint32_t in host byte order in routes and in the IPv4 part of a binding;
 *    the whole binding (IPv4 and IPv6, link-local included) also as family-neutral rp_prefix
 *    entries with flags (struct rp_bound_address), so that a protocol may use either.
 *  - Everything runs in one thread: entry points are never called re-entrantly from support
 *    functions, and no locking is needed.
 *
 * Interface lifecycle as the RM drives it (per protocol, per interface):
 *
 *   (link appears, name configured)  add_interface ──► ADDED (protocol keeps it disabled)
 *   ADDED ── interface_status(ADDRESS_CHANGE | ENABLED | MEDIA_PRESENT ...) ──► ADDED
 *   ADDED ── (link deleted / renamed / unconfigured) DISABLED (if enabled), delete_interface ──► gone
 *
 * `active` passed with every interface_status is enabled && media present && an IPv4 address
 * bound (IPv6 addresses alone do not make an interface active; a protocol routing IPv6 would need
 * a per-family notion of `active`, which this interface does not have yet).
 */
#ifndef RP_SDK_ROUTPROT_H
#define RP_SDK_ROUTPROT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libconfig.h>

#include "routprotd/addr.h"

struct event_base;
struct rp_conf_diag;
struct rp_host; /* the RM's handle of one protocol instance: pass back to support functions */

/* MS_ROUTER_VERSION analogue. Bumped whenever a struct or signature of this header changes;
 * the RM serves exactly this version (see "Versioning" in routprotd-modules(7)). */
#define RP_INTERFACE_VERSION 3 /* 3: the binding's bound_addresses (IPv6) */

/* Preference of a protocol that declares none (RIP's administrative distance elsewhere). */
#define RP_PREFERENCE_DEFAULT 120
/* Longest protocol name, terminating NUL included. */
#define RP_PROTOCOL_NAME_MAX 32
#define RP_PREFERENCE_MAX 255

/* Result codes: Win32 values (winerror.h, mprerror.h with ROUTEBASE 900). */
enum rp_result {
	RP_NO_ERROR = 0,
	RP_ERROR_INVALID_PARAMETER = 87,
	RP_ERROR_INSUFFICIENT_BUFFER = 122,
	RP_ERROR_NO_MORE_ITEMS = 259,
	RP_ERROR_CAN_NOT_COMPLETE = 1003,
	RP_ERROR_INTERFACE_NOT_CONNECTED = 906,
	RP_ERROR_PROTOCOL_STOP_PENDING = 907,
	RP_ERROR_UPDATE_IN_PROGRESS = 911,
};
const char *rp_result_name(enum rp_result r);

/* Supported-functionality flags (routprot.h values). */
#define RP_RF_ROUTING 0x01u
#define RP_RF_DEMAND_UPDATE_ROUTES 0x04u
#define RP_RF_ADD_ALL_INTERFACES 0x10u

/* InterfaceStatus status types (RIS_INTERFACE_*). */
enum rp_status_type {
	RP_RIS_INTERFACE_ADDRESS_CHANGE = 0,
	RP_RIS_INTERFACE_ENABLED = 1,
	RP_RIS_INTERFACE_DISABLED = 2,
	RP_RIS_INTERFACE_MEDIA_PRESENT = 3,
	RP_RIS_INTERFACE_MEDIA_ABSENT = 4,
};
const char *rp_status_type_name(enum rp_status_type t); /* "ADDRESS_CHANGE", "ENABLED", ... */

/* Interface types given to add_interface (NET_INTERFACE_TYPE). */
enum rp_interface_type {
	RP_IF_PERMANENT = 0,   /* LAN-like link, always present while the link exists */
	RP_IF_DEMAND_DIAL = 1, /* point-to-point link that comes and goes */
};

/* Protocol events (ROUTING_PROTOCOL_EVENTS). */
enum rp_event_type {
	RP_ROUTER_STOPPED = 0,
	RP_SAVE_GLOBAL_CONFIG_INFO = 1,
	RP_SAVE_INTERFACE_CONFIG_INFO = 2,
	RP_UPDATE_COMPLETE = 3,
};
const char *rp_event_type_name(enum rp_event_type t);

#define RP_DEMAND_UPDATE_ROUTES 0x4u /* update type of UPDATE_COMPLETE */

#ifndef RP_NO_WIN32_NAMES
/* The Win32 names of routprot.h, as aliases of the RP_ names. */
#define NO_ERROR RP_NO_ERROR
#define ERROR_INVALID_PARAMETER RP_ERROR_INVALID_PARAMETER
#define ERROR_INSUFFICIENT_BUFFER RP_ERROR_INSUFFICIENT_BUFFER
#define ERROR_NO_MORE_ITEMS RP_ERROR_NO_MORE_ITEMS
#define ERROR_CAN_NOT_COMPLETE RP_ERROR_CAN_NOT_COMPLETE
#define ERROR_INTERFACE_NOT_CONNECTED RP_ERROR_INTERFACE_NOT_CONNECTED
#define ERROR_PROTOCOL_STOP_PENDING RP_ERROR_PROTOCOL_STOP_PENDING
#define ERROR_UPDATE_IN_PROGRESS RP_ERROR_UPDATE_IN_PROGRESS
#define RIS_INTERFACE_ADDRESS_CHANGE RP_RIS_INTERFACE_ADDRESS_CHANGE
#define RIS_INTERFACE_ENABLED RP_RIS_INTERFACE_ENABLED
#define RIS_INTERFACE_DISABLED RP_RIS_INTERFACE_DISABLED
#define RIS_INTERFACE_MEDIA_PRESENT RP_RIS_INTERFACE_MEDIA_PRESENT
#define RIS_INTERFACE_MEDIA_ABSENT RP_RIS_INTERFACE_MEDIA_ABSENT
#define ROUTER_STOPPED RP_ROUTER_STOPPED
#define SAVE_GLOBAL_CONFIG_INFO RP_SAVE_GLOBAL_CONFIG_INFO
#define SAVE_INTERFACE_CONFIG_INFO RP_SAVE_INTERFACE_CONFIG_INFO
#define UPDATE_COMPLETE RP_UPDATE_COMPLETE
#define DEMAND_UPDATE_ROUTES RP_DEMAND_UPDATE_ROUTES
#define RF_ROUTING RP_RF_ROUTING
#define RF_DEMAND_UPDATE_ROUTES RP_RF_DEMAND_UPDATE_ROUTES
#define RF_ADD_ALL_INTERFACES RP_RF_ADD_ALL_INTERFACES
/* The one symbol a module exports: routprotd loads NAME.so and calls it once to get the
 * registration of protocol NAME, which must stay valid until the module is unloaded. */
const struct rp_protocol *rp_module_register(void);

#define RP_PROTOCOL_HEADER .version = RP_INTERFACE_VERSION, .size = sizeof(struct rp_protocol)

#endif

/* UPDATE_COMPLETE_MESSAGE */
struct rp_update_complete {
	uint32_t interface_index;
	uint32_t update_type;         /* DEMAND_UPDATE_ROUTES */
	enum rp_result update_status; /* NO_ERROR or ERROR_CAN_NOT_COMPLETE */
};

/* MESSAGE */
union rp_message {
	struct rp_update_complete update_complete; /* UPDATE_COMPLETE */
	uint32_t interface_index;                  /* SAVE_INTERFACE_CONFIG_INFO */
};

/* One local address of an interface binding (IP_LOCAL_BINDING). */
struct rp_local_binding {
	uint32_t address;  /* host byte order */
	uint8_t prefixlen; /* 0..32 */
	uint32_t peer;     /* point-to-point remote address, 0 if none */
};

/* Flags of a bound address (rp_bound_address.flags), from the kernel's scope and IFA_F_* flags. */
#define RP_ADDR_LINK_LOCAL 0x1u /* fe80::/10, 169.254.0.0/16 or scope link: this link only */
#define RP_ADDR_TENTATIVE 0x2u  /* IPv6 duplicate address detection still running: not usable */
#define RP_ADDR_DADFAILED 0x4u  /* IPv6 duplicate address detection found a duplicate */
#define RP_ADDR_DEPRECATED 0x8u /* preferred lifetime over: valid, not for new communication */

#define RP_ADDR_FLAGS_ALL 0xfu
/* "link-local", "tentative", "dadfailed", "deprecated" for one RP_ADDR_* bit; NULL otherwise. */
const char *rp_addr_flag_name(unsigned flag);

/* One address of an interface binding, any family. */
struct rp_bound_address {
	struct rp_prefix address; /* the address (host bits kept) with its subnet length */
	struct rp_prefix peer;    /* point-to-point remote address (full length); family 0 = none */
	unsigned flags;           /* RP_ADDR_* */
};

/* IP_ADAPTER_BINDING_INFO: the whole binding of an interface. The IPv4 part as RRAS has it
 * (address_count 0 = no IPv4 address: not active), and every address of both families, IPv4
 * first, in `bound_addresses`. */
struct rp_binding {
	unsigned address_count;
	uint32_t remote_address; /* first point-to-point peer, 0 if none */
	unsigned mtu;
	const struct rp_local_binding *addresses; /* address_count entries, sorted */
	size_t bound_count;
	const struct rp_bound_address *bound_addresses; /* bound_count entries: IPv4 sorted, then
							   IPv6 sorted (rp_prefix_cmp) */
};

/* ---- Routes a protocol announces to the RM (RTM) ---- */

#define RP_MAX_NEXTHOPS 16

struct rp_nexthop {
	uint32_t gateway;  /* 0 = directly connected */
	uint32_t ifindex;
};

struct rp_route {
	uint32_t prefix;   /* host order, host bits zero */
	uint8_t prefixlen;
	uint32_t metric;   /* protocol metric (informational for the RM) */
	uint32_t tag;
	unsigned nexthop_count; /* 1..RP_MAX_NEXTHOPS; more than one = ECMP */
	struct rp_nexthop nexthops[RP_MAX_NEXTHOPS];
};

/* A route of another source that a protocol may redistribute (connected, kernel static...). */
enum rp_redist_source {
	RP_REDIST_CONNECTED = 1u << 0,
	RP_REDIST_STATIC = 1u << 1,     /* kernel routes of proto static */
	RP_REDIST_KERNEL = 1u << 2,     /* kernel routes of proto kernel/boot */
	RP_REDIST_AUTOSTATIC = 1u << 3, /* the RM's autostatic routes */
};

/* What a route does with packets. Kernel routes of other sources are offered for
 * redistribution with their type; each protocol decides how to announce the discard types
 * (the usual way to originate a summary or a discard route). */
enum rp_route_type {
	RP_ROUTE_UNICAST = 0,     /* forwarded to gateway / ifindex */
	RP_ROUTE_BLACKHOLE = 1,   /* discarded silently */
	RP_ROUTE_UNREACHABLE = 2, /* discarded, ICMP host unreachable */
	RP_ROUTE_PROHIBIT = 3,    /* discarded, ICMP communication administratively prohibited */
};

struct rp_redist_route {
	uint32_t prefix;
	uint8_t prefixlen;
	uint32_t gateway;  /* 0 = directly connected (or a discard type: no next hop) */
	uint32_t ifindex;  /* 0 for a discard type */
	enum rp_redist_source source;
	enum rp_route_type type; /* static and kernel sources; unicast for the others */
	uint32_t metric;   /* autostatic: metric learned; others: 0 (protocol applies its own) */
};

/* ---- Support functions the RM hands to the protocol (SUPPORT_FUNCTIONS) ---- */

struct rp_support {
	struct rp_host *host;    /* pass back as the first argument of every function below */
	struct event_base *base; /* the RM's event loop: add sockets and timers here */

	/* Queue-side wake-up: call after appending to the protocol's event queue. */
	void (*signal_event)(struct rp_host *host);

	/* Route table: add or replace (same prefix) / delete a route of this protocol. */
	enum rp_result (*route_add)(struct rp_host *host, const struct rp_route *route);
	enum rp_result (*route_delete)(struct rp_host *host, uint32_t prefix, uint8_t prefixlen);

	/* Redistribution: the RM calls `changed` for every add/change (withdrawn = false) or removal
	 * (withdrawn = true) of a route from the sources selected by `mask`; set_redistribution()
	 * replays the current routes of newly selected sources at once. mask 0 = unsubscribe. */
	enum rp_result (*set_redistribution)(struct rp_host *host, unsigned mask,
					     void (*changed)(void *ctx, const struct rp_redist_route *r,
							     bool withdrawn),
					     void *ctx);

	/* A route learned in the autostatic update running on `ifindex` (DoUpdateRoutes, or one
	 * the protocol started itself). The RM keeps it pending: at UPDATE_COMPLETE with NO_ERROR
	 * the interface's autostatic set becomes exactly the routes reported during the update;
	 * with an error they are discarded. (RRAS converts the protocol's routes to static ones on
	 * completion; here the protocol hands them over explicitly.) */
	enum rp_result (*update_route)(struct rp_host *host, uint32_t ifindex,
				       const struct rp_route *route);

	uint32_t (*get_router_id)(struct rp_host *host);

	/* Ask the RM to bring a demand-dial interface up (ConnectInterface). */
	enum rp_result (*demand_dial_request)(struct rp_host *host, uint32_t ifindex);
};

/* ---- Configuration parsing owned by the protocol ---- */

/* The protocol parses its own section of the file. `section` is the group named after the
 * protocol (e.g. `rip = { ... }`) without its `interfaces` list; `ifsection` is one element of
 * `interfaces` (its `name` key is validated by the RM's config loader). Errors are reported
 * through rp_conf_diag with FILE:LINE; returning NULL means "invalid". */
struct rp_config_ops {
	void *(*parse_global)(const config_setting_t *section, struct rp_conf_diag *diag);
	void *(*parse_interface)(const config_setting_t *ifsection, const void *global,
				 struct rp_conf_diag *diag);
	bool (*global_equal)(const void *a, const void *b);
	bool (*interface_equal)(const void *a, const void *b);
	void (*free_global)(void *global);
	void (*free_interface)(void *ifinfo);
};

/* ---- MIB tables a protocol may expose ---- */

enum rp_mib_table {
	RP_MIB_GLOBAL = 1,    /* one row: protocol-wide state and counters */
	RP_MIB_INTERFACE = 2, /* key {"ifindex"}: mode, active, counters */
	RP_MIB_ROUTE = 3,     /* key {"prefix"}: the protocol's routing table */
	RP_MIB_NEIGHBOR = 4,  /* key {"address"}: neighbors heard */
};

/* ---- The registration struct (MPR_ROUTING_CHARACTERISTICS) ---- */

/* The first three members are the stable header: they keep their place in every version, so
 * the RM can name a module it refuses. Entry points marked (optional) may be NULL; the RM then
 * does what the comment says. The others are mandatory: the RM refuses a registration without
 * them. Fill `version` with RP_INTERFACE_VERSION and `size` with sizeof(struct rp_protocol)
 * (RP_PROTOCOL_HEADER does both). */
struct rp_protocol {
	uint32_t version;     /* RP_INTERFACE_VERSION the module was built against */
	uint32_t size;        /* sizeof(struct rp_protocol) the module was built with */
	const char *name;     /* config section and display name, e.g. "rip" */
	uint32_t protocol_id; /* PROTO_IP_* analogue: kernel route protocol number of its routes,
				5..255 (owned by the daemon), or 0: installs none */
	uint32_t flags;       /* RP_RF_* */
	/* Default preference (administrative distance) of its routes, 1..255, lower wins; 0 means
	 * RP_PREFERENCE_DEFAULT. The operator may override it (`preference = N;` in the section).
	 * Among candidates for one prefix the RM installs the lowest preference, then the lowest
	 * metric; autostatic routes come before every protocol. */
	uint16_t preference;
	/* (optional) NULL: the section takes no keys but `interfaces`, blobs are NULL */
	const struct rp_config_ops *config;

	/* (mandatory) */
	enum rp_result (*start_protocol)(const struct rp_support *support, const void *global_info,
					 void **instance);
	/* (optional) NULL: nothing to do once the interfaces are added */
	enum rp_result (*start_complete)(void *inst);
	/* (mandatory) NO_ERROR: stopped, instance freed. ERROR_PROTOCOL_STOP_PENDING: post ROUTER_STOPPED later;
	 * the RM then calls stop_protocol once more to free the instance. */
	enum rp_result (*stop_protocol)(void *inst);

	/* (optional, reserved) not called by this RM: RRAS reads configuration back with it */
	enum rp_result (*get_global_info)(void *inst, const void **global_info);
	/* (optional) NULL: a changed global section is refused at reload (ERROR_CAN_NOT_COMPLETE) */
	enum rp_result (*set_global_info)(void *inst, const void *global_info);

	/* (mandatory) add_interface and delete_interface */
	enum rp_result (*add_interface)(void *inst, const char *name, uint32_t index,
					enum rp_interface_type type, const void *if_info);
	enum rp_result (*delete_interface)(void *inst, uint32_t index);
	/* (optional) NULL: status changes are not reported */
	enum rp_result (*interface_status)(void *inst, uint32_t index, bool active,
					   enum rp_status_type status_type,
					   const struct rp_binding *status_info);
	/* (optional, reserved) not called by this RM */
	enum rp_result (*get_interface_info)(void *inst, uint32_t index, const void **if_info);
	/* (optional) NULL: a changed interface section is refused at reload */
	enum rp_result (*set_interface_info)(void *inst, uint32_t index, const void *if_info);

	/* (optional) Drain one event; ERROR_NO_MORE_ITEMS when the queue is empty. NULL: the
	 * protocol posts no events (then stop_protocol must not answer STOP_PENDING). */
	enum rp_result (*get_event_message)(void *inst, enum rp_event_type *event,
					    union rp_message *message);

	/* (optional; needed with RP_RF_DEMAND_UPDATE_ROUTES) Start an autostatic update on an interface; returns at once, result via UPDATE_COMPLETE.
	 * timeout_s: give up after this many seconds (0 = protocol default). */
	enum rp_result (*do_update_routes)(void *inst, uint32_t index, unsigned timeout_s);

	/* (optional) MIB access: rows are new JSON objects owned by the caller. NULL: the
	 * protocol shows no tables (mib_get_first and mib_get_next go together). */
	enum rp_result (*mib_get)(void *inst, enum rp_mib_table table, const json_t *key, json_t **row);
	enum rp_result (*mib_get_first)(void *inst, enum rp_mib_table table, json_t **row);
	enum rp_result (*mib_get_next)(void *inst, enum rp_mib_table table, const json_t *key,
				       json_t **row);
	/* (optional) Whether a row of RP_MIB_ROUTE is a usable route (false: unreachable, e.g. at
	 * the protocol's metric infinity); `show routes ADDRESS` skips unusable ones. NULL: every
	 * row is usable. */
	bool (*mib_route_reachable)(void *inst, const json_t *row);
};

#endif
