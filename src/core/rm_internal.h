/* SPDX-License-Identifier: ISC */
/*
 * rm_internal.h — the router manager's own structures, shared by rm*.c only: protocol slots,
 * the interface table, counters. Nothing outside src/core includes this.
 */
#ifndef ROUTPROTD_CORE_RM_INTERNAL_H
#define ROUTPROTD_CORE_RM_INTERNAL_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/rm.h"
#include "core/rm_history.h"
#include "routprotd/routprot.h"
#include "routprotd/avl.h"
#include "routprotd/log.h"

struct event;
struct conf_protocol;
struct conf_interface;

struct rm_proto;

/* The handle a protocol passes back to every support function (opaque outside src/core). */
struct rp_host {
	struct rm_proto *p;
};

/* One registered protocol module and, while configured, its running instance. */
struct rm_proto {
	struct rm *rm;
	unsigned slot;
	const struct rp_protocol *def;
	char name[RP_PROTOCOL_NAME_MAX]; /* a copy: logs, history and iterators outlive modules */
	void *inst;              /* NULL when not running */
	bool stop_pending;       /* stop_protocol answered ERROR_PROTOCOL_STOP_PENDING */
	struct rp_host host;
	struct rp_support support;
	uint16_t preference;     /* of its routes: the section's `preference`, else the default */
	struct event *drain_ev;  /* activated by signal_event; drains get_event_message */
	uint64_t events_drained;
};

/* One source's candidate for a prefix in the RM's route table. */
struct rm_cand {
	struct rm_cand *next;
	uint8_t source;     /* protocol slot, or RM_SRC_AUTOSTATIC */
	uint8_t kproto;     /* kernel route protocol it is installed with */
	uint16_t preference; /* lower wins (autostatic before protocols) */
	uint32_t metric;
	uint32_t tag;
	unsigned nnexthops;
	struct rp_nexthop nexthops[]; /* nnexthops entries */
};

#define RM_SRC_AUTOSTATIC RM_MAX_PROTOCOLS
#define RM_PREF_AUTOSTATIC 0 /* before every protocol (1..RP_PREFERENCE_MAX) */

enum rm_fib_state {
	RM_FIB_NONE = 0,  /* nothing of ours in the kernel */
	RM_FIB_INSTALLED, /* written (failures come back asynchronously) */
	RM_FIB_FAILED,    /* the kernel refused it; retried when links change */
	RM_FIB_STALE,     /* found at start-up; removed unless relearned in time */
};

/* One prefix of the RM's route table (RTM). */
struct rm_route {
	struct rp_avl_node node;
	uint32_t prefix;
	uint8_t len;
	uint8_t fib_state;  /* enum rm_fib_state */
	uint8_t fib_proto;  /* protocol of what we wrote (or found) in the kernel */
	bool audit_seen;    /* found in the kernel by the audit in progress */
	bool ours;          /* a route of ours holds this identity in the kernel (believed) */
	bool last_replace;  /* the last install was a replace (a refusal leaves ours in place) */
	int fib_error;      /* errno of the last refused write */
	struct rm_cand *cands;
};

/* A route of another protocol in our kernel table, kept for redistribution. */
struct rm_kroute {
	struct rp_avl_node node;
	struct rm_kernel_route r; /* known by prefix and priority, as the kernel knows it */
	unsigned kind; /* RP_REDIST_STATIC or RP_REDIST_KERNEL, 0 when not offered */
	bool offered;  /* the one of its kind for the prefix that is offered (lowest priority) */
};

struct rm_subscriber {
	unsigned mask;
	void (*changed)(void *ctx, const struct rp_redist_route *r, bool withdrawn);
	void *ctx;
};

struct rm_conn {
	uint32_t prefix;
	uint8_t len;
};

/* One kernel link as the RM knows it. */
struct rm_iface {
	uint32_t ifindex;
	char name[IF_NAMESIZE];
	unsigned flags;
	unsigned mtu;
	bool enabled;
	bool media_present;
	bool has_carrier_changes;
	uint32_t carrier_changes;
	unsigned naddrs;
	struct rp_local_binding *addrs; /* sorted by address, then prefix length */
	unsigned nbound;
	struct rp_bound_address *bound; /* the whole binding: IPv4 sorted, then IPv6 sorted */
	unsigned changed_families;      /* RM_FAMILY_* whose part the last ADDRESS_CHANGE changed */
	uint32_t added_mask;            /* protocol slots that have this interface added */
	struct rm_conn *conn;           /* connected subnets announced for redistribution */
	unsigned nconn;
};

struct rm_counters {
	uint64_t fib_installs, fib_removals, fib_failures, fib_external_deletes, fib_taken_over;
	uint64_t fib_stale_found, fib_stale_removed, fib_audits, fib_reinstalled;
	uint64_t callbacks;     /* callbacks delivered to protocols */
	uint64_t events;        /* events drained from protocols */
	uint64_t link_updates;  /* link snapshots received */
	uint64_t resyncs;       /* full resyncs after lost notifications */
};

struct rm {
	struct event_base *base;
	size_t nprotos;
	struct rm_proto protos[RM_MAX_PROTOCOLS];
	struct conf *conf;
	bool started;

	struct rm_iface **ifaces; /* sorted by ifindex */
	size_t nifaces;
	size_t ifaces_cap;

	/* route table and kernel FIB */
	struct rp_avl_tree routes;
	const struct rm_fib_ops *fib;
	void *fib_arg;
	struct event *stale_timer;
	struct event *audit_timer;
	bool audit_full;         /* next audit re-reads the kernel (else: retry failures only) */
	uint32_t fib_table, fib_metric;

	/* autostatic routes (rm_autostatic.c) and their state file (rm_autostatic_save.c) */
	struct rm_as_set *autostatic;
	char *state_dir;
	struct rm_as_file {
		bool dirty;        /* the file may not hold the sets in memory: `retry` runs */
		uint64_t failures; /* writes that failed since start */
		int64_t saved_ms;  /* wall clock of the last successful write, 0 before any */
		char error[512];   /* why the last write failed; "" after a success */
		char refused[640]; /* the last change refused for it, as told to the caller */
		struct event *retry;
		struct rp_log_ratelimit rl;
	} as_file;

	/* redistribution */
	struct rm_subscriber subs[RM_MAX_PROTOCOLS];
	struct rp_avl_tree kroutes;

	struct rm_history *history;
	struct rm_counters counters;
	int64_t start_wall_ms;
	int64_t start_mono_ms;

	void (*status_hook)(json_t *status, void *arg);
	void *status_hook_arg;

	/* graceful stop */
	void (*stop_done)(void *arg);
	void *stop_done_arg;
	struct event *stop_timer;
};

static inline bool rm_proto_running(const struct rm_proto *p)
{
	return p->inst != NULL && !p->stop_pending;
}

/* rm_iface.c */
struct rm_iface *rm_iface_find(const struct rm *rm, uint32_t ifindex);
bool rm_iface_active(const struct rm_iface *ifc);
/* add_interface + current statuses for one protocol; detach = DISABLED (if enabled) + delete. */
void rm_iface_attach(struct rm *rm, struct rm_iface *ifc, struct rm_proto *p,
		     const struct conf_interface *ci);
void rm_iface_detach(struct rm *rm, struct rm_iface *ifc, struct rm_proto *p);
void rm_iface_free_all(struct rm *rm);

/* rm_binding.c */
/* The whole binding of a snapshot: its sorted IPv4 addresses `v4` and its IPv6 addresses, sorted
 * (IPv4 first) and de-duplicated; *out is NULL when there is none. False when memory runs out. */
bool rm_binding_build(const struct rm_link *l, const struct rp_local_binding *v4, unsigned n4,
		      struct rp_bound_address **out, unsigned *n);
bool rm_binding_equal(const struct rp_bound_address *a, unsigned na,
		      const struct rp_bound_address *b, unsigned nb);
/* The families (RM_FAMILY_IPV4, RM_FAMILY_IPV6) whose part differs between two bindings. */
unsigned rm_binding_changed_families(const struct rp_bound_address *a, unsigned na,
				     const struct rp_bound_address *b, unsigned nb);
/* ["ipv4", "ipv6"] of a mask of RM_FAMILY_* (new reference). */
json_t *rm_families_json(unsigned families);
/* ["198.18.0.1/24", "2001:db8::1/64", ...] and {"fe80::1/64": ["link-local"], ...} (only the
 * addresses that have flags). New references. */
json_t *rm_binding_addresses_json(const struct rp_bound_address *a, unsigned n);
json_t *rm_binding_flags_json(const struct rp_bound_address *a, unsigned n);

/* rm_config.c */
const struct conf_interface *rm_configured_interface(const struct rm *rm,
						     const struct rm_proto *p, const char *name);

/* rm_routes.c */
void rm_routes_init(struct rm *rm);
void rm_routes_free(struct rm *rm);
enum rp_result rm_route_set(struct rm *rm, uint8_t source, uint8_t kproto, uint16_t preference,
			    const struct rp_route *r);
void rm_route_unset(struct rm *rm, uint8_t source, uint32_t prefix, uint8_t len);
/* A link changed in a way that may have flushed kernel routes (down, address gone, deleted)
 * or may let refused routes in (up, address added): audit soon. */
void rm_routes_link_event(struct rm *rm, bool may_have_flushed);
void rm_routes_apply_fib_config(struct rm *rm);
bool rm_route_in_fib(const struct rm *rm, uint32_t prefix, uint8_t len);
bool rm_route_held(const struct rm *rm, uint32_t prefix, uint8_t len); /* in the RTM at all */
void rm_routes_drop_source(struct rm *rm, uint8_t source);
/* The preference of every candidate of `source` becomes `preference`; the kernel follows. */
void rm_routes_set_preference(struct rm *rm, uint8_t source, uint16_t preference);
void rm_routes_release(struct rm *rm, bool remove_from_kernel);

/* rm_redist.c */
void rm_redist_init(struct rm *rm);
void rm_redist_free(struct rm *rm);
enum rp_result rm_redist_subscribe(struct rm *rm, unsigned slot, unsigned mask,
				   void (*changed)(void *, const struct rp_redist_route *, bool),
				   void *ctx);
void rm_redist_notify(struct rm *rm, const struct rp_redist_route *r, bool withdrawn);
void rm_redist_iface_changed(struct rm *rm, struct rm_iface *ifc);
void rm_redist_kernel(struct rm *rm, const struct rm_kernel_route *r, bool removed);
void rm_redist_kernel_reload(struct rm *rm);
void rm_redist_link_flushed(struct rm *rm, uint32_t ifindex);
bool rm_kernel_has(const struct rm *rm, uint32_t prefix, uint8_t len);

/* rm_autostatic.c, rm_autostatic_load.c */
struct rm_as_set;
struct rm_state_iface;
void rm_autostatic_iface_changed(struct rm *rm, const char *name);
void rm_autostatic_iface_gone(struct rm *rm, const char *name);
void rm_autostatic_replay(struct rm *rm, const struct rm_subscriber *sub);
void rm_autostatic_complete(struct rm *rm, uint32_t ifindex, enum rp_result status);
enum rp_result rm_autostatic_update_route(struct rm *rm, unsigned slot, uint32_t ifindex,
					  const struct rp_route *r);
void rm_autostatic_free(struct rm *rm);
void rm_autostatic_fail_waiters(struct rm *rm);
struct rm_as_set *rm_autostatic_set(struct rm *rm, const char *name);
void rm_autostatic_set_routes(struct rm *rm, struct rm_as_set *s, struct rm_state_iface *st);
void rm_autostatic_persist(struct rm *rm);
/* rm_autostatic_save.c: write every set to the state file, `s`'s routes replaced by `cand` when
 * both are given. True when the file now holds exactly that; false when the write failed, the
 * reason in rm->as_file.error, the file then holding the previous sets (or, should even that
 * fail, marked dirty and retried until it holds the sets in memory). */
bool rm_autostatic_save(struct rm *rm, const struct rm_as_set *s,
			const struct rm_state_iface *cand);
void rm_autostatic_save_free(struct rm *rm);
json_t *rm_json_state_file(const struct rm *rm);
const struct rm_as_set *rm_autostatic_first(const struct rm *rm);
const struct rm_as_set *rm_autostatic_next(const struct rm_as_set *s);
const struct rm_state_iface *rm_autostatic_state(const struct rm_as_set *s);
const char *rm_autostatic_last_result(const struct rm_as_set *s);
const char *rm_autostatic_last_reason(const struct rm_as_set *s);

/* rm.c: history helpers */
void rm_record(struct rm *rm, const char *type, const struct rm_iface *ifc,
	       const struct rm_proto *p, enum rp_result result);

#endif
