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
#include "core/routprot.h"

struct event;
struct conf_protocol;
struct conf_interface;

/* One registered protocol module and, while configured, its running instance. */
struct rm_proto {
	struct rm *rm;
	unsigned slot;
	const struct rp_protocol *def;
	void *inst;              /* NULL when not running */
	bool stop_pending;       /* stop_protocol answered ERROR_PROTOCOL_STOP_PENDING */
	struct rp_support support;
	struct event *drain_ev;  /* activated by signal_event; drains get_event_message */
	uint64_t events_drained;
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
	uint32_t added_mask;            /* protocol slots that have this interface added */
};

struct rm_counters {
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

/* rm_config.c */
const struct conf_interface *rm_configured_interface(const struct rm *rm,
						     const struct rm_proto *p, const char *name);

/* rm.c: history helpers */
void rm_record(struct rm *rm, const char *type, const struct rm_iface *ifc,
	       const struct rm_proto *p, enum rp_result result);

#endif
