/* SPDX-License-Identifier: ISC */
/*
 * rip.h — the RIP engine's own structures, shared by the files of src/rip: the instance, interfaces,
 * routes (with their equal-cost paths), neighbors and output jobs, plus the functions each file
 * offers the others. The engine reaches the rest of the daemon only through the support table
 * it got in start_protocol (no netlink, no kernel routes here).
 *
 * Route life (RFC 2453 3.8-3.10):
 *   learned (metric < 16, paths with deadlines) ── all paths time out / withdrawn ──►
 *   garbage (metric 16, advertised as unreachable until gc_deadline) ──► deleted
 *   A usable route arriving during garbage collection revives it.
 */
#ifndef ROUTPROTD_RIP_RIP_H
#define ROUTPROTD_RIP_RIP_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "routprotd/event_queue.h"
#include "routprotd/routprot.h"
#include "routprotd/avl.h"
#include "routprotd/log.h"
#include "rip/rip_codec.h"
#include "rip/rip_config.h"

struct event;

#define COMP "rip"

enum rip_source {
	RIP_SRC_RIP = 0,       /* learned from a neighbor */
	RIP_SRC_CONNECTED = 1, /* subnet of one of our RIP interfaces */
	RIP_SRC_REDIST = 2,    /* redistributed from the router manager */
};

struct rip_path {
	uint32_t gateway;   /* where packets go: the sender, or the next hop it named */
	uint32_t from;      /* the neighbor that advertised it (0 for local routes) */
	uint32_t ifindex;
	int64_t expires_ms; /* 0 = never (local routes) */
};

struct rip_route {
	struct rp_avl_node node;
	uint32_t prefix;
	uint8_t len;
	uint8_t source;       /* enum rip_source */
	uint8_t redist_kind;  /* RP_REDIST_* when source is RIP_SRC_REDIST */
	uint8_t metric;       /* 1..16 */
	uint8_t npaths;
	bool in_rm;           /* announced to the router manager */
	bool autostatic;      /* learned on an autostatic interface: never ages (RRAS model) */
	uint16_t tag;
	int64_t gc_deadline;  /* when metric == 16: end of garbage collection */
	uint64_t changed_seq; /* change sequence of the last metric/reachability change */
	struct rip_path *paths; /* == &one while npaths <= 1 */
	struct rip_path one;
};

/* Output job: one stream of packets to one destination (paced). */
enum rip_job_kind {
	RIP_JOB_FULL,    /* the whole table (periodic update, answer to a whole-table request) */
	RIP_JOB_CHANGES, /* routes changed since `since_seq` (triggered update) */
};

struct rip_job {
	struct rip_job *next;
	enum rip_job_kind kind;
	uint32_t src;        /* our address (source of the packets) */
	uint8_t src_len;     /* its subnet length */
	uint32_t dst;
	uint16_t port;
	uint8_t version;     /* 1 or 2 */
	uint64_t since_seq;
	bool answer;         /* a whole-table answer to one requester (not a periodic update) */
	bool started;        /* cursor valid */
	uint32_t cursor_prefix;
	uint8_t cursor_len;
	/* RIPv1 output: classful aggregation of other networks' subnets */
	bool agg_valid;
	uint32_t agg_net;
	uint8_t agg_metric;
	uint16_t agg_tag;
};

struct rip_iface_stats {
	uint64_t rx_packets, rx_bad_packets, rx_bad_routes, rx_requests;
	uint64_t tx_packets, tx_updates, tx_triggered, tx_requests, tx_errors;
	uint64_t ignored_unsolicited; /* autostatic: unsolicited updates that changed nothing */
	uint64_t rx_filtered_routes;  /* valid entries the accept policy refused */
	uint64_t rx_ignored_peer; /* packets from neighbors accept-peers/ignore-peers refuse */
	uint64_t requests_unanswered; /* whole-table requests beyond the queue of answers */
	uint64_t requests_merged; /* whole-table requests folded into an answer to the same
				     address and port that had not started yet */
	uint64_t rx_over_limit_routes; /* entries refused: max-routes(-per-neighbor) reached */
	uint64_t rx_replays; /* RFC 4822 packets refused as replays (old or repeated) */
};

struct rip_iface {
	struct rip_iface *next;
	struct rip *rip;
	uint32_t ifindex;
	char name[IF_NAMESIZE];
	struct rip_if_settings *set;
	bool active;            /* router manager: enabled, media present, bound */
	unsigned naddrs;
	struct rp_local_binding *addrs;
	struct rip_iface_stats stats;
	uint64_t sent_seq;      /* changes up to here are covered by what was sent */
	struct event *update_timer;
	struct event *trigger_timer;
	bool trigger_pending;
	int64_t next_update_ms;
	/* output pacing */
	struct rip_job *jobs, *jobs_tail;
	unsigned njobs;
	struct event *pace_timer;
	double tokens;
	int64_t tokens_ms;
	/* autostatic update (DoUpdateRoutes) in progress */
	struct rip_update *update;
	/* RFC 2091 demand circuit state (mode demand) */
	struct rip_demand *demand;
	uint32_t auth_seq; /* last RFC 4822 sequence number sent */
	/* routes whose changed_seq lies in (farewell_after, farewell_until] were announced here
	 * before a reload refused them: a triggered update sends them once as unreachable */
	uint64_t farewell_after, farewell_until;
};

/* A router heard on an interface (RFC 1724 rip2PeerTable). Up while it is heard (a packet that
 * passed the checks) within the interface's timeout — on a demand circuit, while the circuit
 * has not given it up —, then down; forgotten after a further garbage time down. Its RFC 4822
 * sequence state is not here but in a rip_auth_peer, which outlives the row. */
struct rip_neighbor {
	struct rp_avl_node node;
	uint32_t address;
	uint32_t ifindex;
	uint8_t version;
	bool down;
	int64_t last_heard_ms; /* last packet that passed the checks (or the row's creation) */
	int64_t down_since_ms;
	uint64_t rx_packets, rx_routes, bad_packets, bad_routes;
	uint64_t over_limit_routes; /* entries refused: a route limit was reached */
	uint64_t replays; /* RFC 4822 packets refused as replays */
};

/* RFC 4822 replay state of one authenticated sender on one interface (by name, so that a
 * re-created tunnel keeps it). Kept for the instance's life: neither the neighbor row's
 * removal nor silence forgets it (only auth-sequence-reset lets a sender start lower). */
#define RIP_AUTH_FP_LEN 8 /* bytes of a digest remembered to recognise a repeat */
struct rip_auth_peer {
	struct rp_avl_node node;
	uint32_t address;
	char ifname[IF_NAMESIZE];
	uint32_t seq;          /* highest sequence number accepted */
	int64_t heard_ms;      /* last packet accepted */
	uint8_t (*fps)[RIP_AUTH_FP_LEN]; /* digests accepted at `seq` (a sender sends several
					    packets with one number; an identical one is a replay) */
	unsigned nfps, capfps;
};

struct rip_stats {
	uint64_t route_changes; /* rip2GlobalRouteChanges */
	uint64_t queries;       /* rip2GlobalQueries: requests answered */
	uint64_t rx_packets, rx_dropped, tx_packets, tx_errors;
	uint64_t drops[16];     /* by enum rip_drop */
};

enum rip_drop {
	RIP_DROP_NOT_RIP_IFACE, RIP_DROP_INACTIVE, RIP_DROP_BAD_PORT, RIP_DROP_NOT_CONNECTED,
	RIP_DROP_OWN, RIP_DROP_DECODE, RIP_DROP_VERSION, RIP_DROP_AUTH, RIP_DROP_COMMAND,
	RIP_DROP_PASSIVE, RIP_DROP_TRUNCATED, RIP_DROP_PEER, RIP_DROP_REPLAY, RIP_DROP_COUNT
};

struct rip {
	struct rp_support sup;
	struct rip_settings set;
	int sock;
	struct event *sock_ev;
	struct rp_avl_tree routes;
	struct rp_avl_tree path_counts; /* learned paths by interface and neighbor (rip_limit.c) */
	struct rp_avl_tree neighbors;
	struct event *nbr_timer; /* neighbors going down / forgotten */
	int64_t nbr_scan_at_ms;
	struct rp_avl_tree auth_peers; /* struct rip_auth_peer */
	struct rip_iface *ifaces;
	struct event *scan_timer;
	int64_t scan_at_ms;
	struct event *trigger_ev; /* coalesces the changes of one event-loop pass */
	uint64_t change_seq;
	struct rp_event_queue events;
	struct rip_stats stats;
	bool started;        /* start_complete seen */
	uint64_t rng;        /* xorshift state for jitter */
	struct rp_log_ratelimit rl_drop, rl_entry, rl_send, rl_limit;
	uint8_t *rxbuf;      /* batch receive buffers */
	/* how packets leave: rip_sock_send, or a test's capture */
	int (*send)(struct rip *rip, uint32_t ifindex, uint32_t src, uint32_t dst,
		    uint16_t port, const uint8_t *buf, size_t len);
};

/* ---- rip_proto.c ---- */
#include "rip/rip_protocol.h"
uint32_t rip_random(struct rip *rip, uint32_t below); /* uniform in [0, below) */

/* ---- rip_iface.c ---- */
struct rip_iface *rip_iface_find(const struct rip *rip, uint32_t ifindex);
/* Our local address whose subnet contains `addr` on this interface (or p2p peer), or NULL. */
const struct rp_local_binding *rip_iface_subnet_of(const struct rip_iface *ifc, uint32_t addr);
bool rip_is_own_address(const struct rip *rip, uint32_t addr);
void rip_iface_set_active(struct rip_iface *ifc, bool active);
void rip_iface_set_binding(struct rip_iface *ifc, const struct rp_binding *b);
void rip_iface_settings_changed(struct rip_iface *ifc);
/* The interface starts running: request + full update (periodic), the RFC 2091 exchange
 * (demand), an autostatic update when `connecting` and update-on-connect is set. */
void rip_iface_start(struct rip_iface *ifc, bool connecting);
struct rip_iface *rip_iface_new(struct rip *rip, const char *name, uint32_t ifindex,
				const struct rip_if_settings *set);
void rip_iface_free(struct rip_iface *ifc);
int rip_trigger_init(struct rip *rip);
void rip_iface_schedule_update(struct rip_iface *ifc);
bool rip_iface_sends(const struct rip_iface *ifc); /* active, not passive, not autostatic */
const char *rip_iface_mode_name(const struct rip_iface *ifc);

/* ---- rip_table.c ---- */
int rip_route_cmp(const struct rp_avl_node *a, const struct rp_avl_node *b);
struct rip_route *rip_route_find(const struct rip *rip, uint32_t prefix, uint8_t len);
void rip_table_init(struct rip *rip);
void rip_table_free(struct rip *rip);
/* A response entry from neighbor `from` on `ifc` (metric already includes the cost); false
 * when a route limit refused it (rip_limit.c). */
bool rip_table_update(struct rip *rip, struct rip_iface *ifc, uint32_t from, uint32_t prefix,
		      uint8_t len, uint32_t gateway, uint8_t metric, uint16_t tag);
/* A local route: a connected subnet or a redistributed route. */
struct rip_local {
	enum rip_source source; /* RIP_SRC_CONNECTED or RIP_SRC_REDIST */
	uint8_t redist_kind;    /* RP_REDIST_* when source is RIP_SRC_REDIST */
	uint32_t prefix;
	uint8_t len;
	uint32_t gateway;
	uint32_t ifindex;
	uint8_t metric;
	uint16_t tag;           /* RFC 2453 4.2 route tag announced with it */
};
/* Local routes: present with their metric and tag, or withdrawn (metric and tag unused). */
void rip_table_set_local(struct rip *rip, const struct rip_local *l, bool present);
/* Everything learned through an interface becomes unreachable (it went down). */
void rip_table_withdraw_iface(struct rip *rip, uint32_t ifindex);
/* Learned routes of an interface that never age (autostatic) or age again. */
void rip_table_set_iface_aging(struct rip *rip, uint32_t ifindex, bool ages);
void rip_table_schedule_scan(struct rip *rip, int64_t at_ms);
/* Expire paths and finish garbage collection as of now (the scan timer's work). */
void rip_table_scan_now(struct rip *rip);
/* RFC 2091 flush: mark the paths learned from `from` on `ifindex`; the next update from it
 * clears the mark of what it still announces; the sweep withdraws what stayed marked. */
void rip_table_mark_from(struct rip *rip, uint32_t ifindex, uint32_t from);
void rip_table_sweep_marked(struct rip *rip, uint32_t ifindex, uint32_t from);
bool rip_route_via_iface(const struct rip_route *r, uint32_t ifindex);
void rip_route_mark_changed(struct rip *rip, struct rip_route *r);
/* Send the route again in the next triggered update, although it did not change. */
void rip_route_touch(struct rip *rip, struct rip_route *r);
/* Paths through the interface that its accept policy now refuses (route or neighbor) go. */
void rip_table_withdraw_unwanted(struct rip *rip, struct rip_iface *ifc);

/* ---- rip_limit.c: routes per neighbor and per interface ---- */
void rip_limit_init(struct rip *rip);
void rip_limit_free(struct rip *rip);
/* A learned path was added to (added) or removed from the table. */
void rip_limit_count(struct rip *rip, const struct rip_path *p, bool added);
/* Learned paths in the table through `ifindex` from neighbor `from` (0: from all). */
uint64_t rip_limit_paths(const struct rip *rip, uint32_t ifindex, uint32_t from);
/* Whether `from` may add a path through `ifc`; a refusal is counted and logged. */
bool rip_limit_allows(struct rip *rip, struct rip_iface *ifc, uint32_t from);

/* ---- rip_policy.c ---- */
bool rip_filter_passes(const struct rip_filter *f, uint32_t prefix, uint8_t len);
bool rip_policy_accepts(const struct rip_if_settings *s, uint32_t prefix, uint8_t len);
bool rip_policy_announces(const struct rip_if_settings *s, uint32_t prefix, uint8_t len);
bool rip_policy_hears(const struct rip_if_settings *s, uint32_t src);
/* The interface's settings were replaced (old still readable): apply a policy difference. */
void rip_policy_changed(struct rip_iface *ifc, const struct rip_if_settings *old);

/* ---- rip_input.c ---- */
/* One validated response entry (metric already includes the interface cost). */
struct rip_entry {
	uint32_t prefix;
	uint8_t len;
	uint8_t metric;
	uint16_t tag;
	uint32_t gateway;
	uint32_t from;
};
typedef void (*rip_entry_sink)(struct rip *rip, struct rip_iface *ifc,
			       const struct rip_entry *e, void *arg);
/* Validate every entry of a response (bad ones counted and skipped), hand the good ones on. */
void rip_input_entries(struct rip *rip, struct rip_iface *ifc, struct rip_neighbor *nbr,
		       const struct rip_msg *msg, uint32_t src, rip_entry_sink sink, void *arg);
void rip_input_packet(struct rip *rip, uint32_t ifindex, uint32_t src, uint16_t sport,
		      uint32_t dst, const uint8_t *buf, size_t len);
/* Classful network length of an address (8, 16, 24; 0 for class D/E). */
uint8_t rip_classful_len(uint32_t addr);

/* ---- rip_output.c ---- */
/* Build the next packet of `job` for `ifc` into buf; returns its length, 0 when the job is
 * done (nothing more to send). */
size_t rip_output_build(struct rip *rip, struct rip_iface *ifc, struct rip_job *job,
			uint8_t *buf, size_t cap);
/* Fill m->rtes (up to max) with the next entries of `job`; returns how many (0 = done). */
unsigned rip_output_fill(struct rip *rip, struct rip_iface *ifc, struct rip_job *job,
			 struct rip_msg *m, unsigned max);
/* Answer a request for specific entries (no split horizon): response in buf, or 0. */
size_t rip_output_answer(struct rip *rip, struct rip_iface *ifc, const struct rip_msg *req,
			 uint8_t version, uint8_t *buf, size_t cap);
size_t rip_output_request(struct rip_iface *ifc, uint8_t version, uint8_t *buf, size_t cap);
/* Queue jobs: every target of the interface (its subnets + configured neighbors). */
void rip_output_full(struct rip_iface *ifc);
void rip_output_changes(struct rip_iface *ifc, uint64_t since_seq);
/* What became of a whole-table request. */
enum rip_reply {
	RIP_REPLY_QUEUED,  /* an answer is queued */
	RIP_REPLY_MERGED,  /* an answer to that address and port, not started yet, carries it */
	RIP_REPLY_REFUSED, /* too many answers queued (requests_unanswered) */
};
enum rip_reply rip_output_reply_full(struct rip_iface *ifc, uint32_t src, uint32_t dst,
				     uint16_t port, uint8_t version);
void rip_output_request_all(struct rip_iface *ifc);
void rip_output_drop_jobs(struct rip_iface *ifc);
void rip_output_kick(struct rip_iface *ifc);
/* A route changed: schedule triggered updates (RFC 2453 3.10.1). */
void rip_output_trigger(struct rip *rip);

/* ---- rip_auth.c ---- */
/* Encode m as the interface sends it: with its authentication, if configured. */
size_t rip_auth_encode(struct rip_iface *ifc, struct rip_msg *m, uint8_t *buf, size_t cap);
/* NULL when the packet's authentication is what the interface expects, else why not;
 * *replay (may be NULL) says whether it was refused as a replay (then counted as one). */
const char *rip_auth_check(struct rip_iface *ifc, struct rip_neighbor *nbr, const uint8_t *buf,
			   size_t len, const struct rip_msg *m, bool *replay);
/* Route entries that fit one datagram of RIP_MAX_DATAGRAM bytes with the authentication of
 * `auth_type` (its entry and trailer), after the RIP header and, when `triggered`, the
 * RFC 2091 header. */
unsigned rip_auth_rtes_budget(int auth_type, bool triggered);
unsigned rip_auth_max_rtes(const struct rip_iface *ifc, bool triggered);

/* ---- rip_auth_replay.c: RFC 4822 sequence numbers and repeats per sender ---- */
void rip_auth_peers_init(struct rip *rip);
void rip_auth_peers_free(struct rip *rip);
struct rip_auth_peer *rip_auth_peer_find(const struct rip *rip, uint32_t addr,
					 const char *ifname);
/* After the digest was verified: NULL when the sequence number and digest are new enough
 * (then remembered), else why the packet is refused; *replay says whether as a replay. */
const char *rip_auth_replay_check(struct rip_iface *ifc, uint32_t addr, uint32_t seq,
				  const uint8_t *digest, size_t digest_len, bool *replay);

/* ---- rip_sock.c ---- */
int rip_sock_open(struct rip *rip, char *err, size_t errlen);
void rip_sock_close(struct rip *rip);
void rip_sock_membership(struct rip *rip, uint32_t ifindex, bool join);
void rip_sock_set_rcvbuf(struct rip *rip);
int rip_sock_send(struct rip *rip, uint32_t ifindex, uint32_t src, uint32_t dst,
		  uint16_t port, const uint8_t *buf, size_t len);

/* ---- rip_neighbor.c ---- */
void rip_neighbor_init(struct rip *rip);
struct rip_neighbor *rip_neighbor_find(const struct rip *rip, uint32_t addr, uint32_t ifindex);
struct rip_neighbor *rip_neighbor_get(struct rip *rip, uint32_t addr, uint32_t ifindex);
void rip_neighbor_forget_iface(struct rip *rip, uint32_t ifindex);
void rip_neighbor_free_all(struct rip *rip);
/* A packet from the neighbor passed the checks: it is (again) up. */
void rip_neighbor_heard(struct rip *rip, struct rip_neighbor *nb);
/* Mark silent neighbors down, forget long-down ones (the neighbor timer's work). */
void rip_neighbor_scan_now(struct rip *rip);
const char *rip_neighbor_state_name(const struct rip_neighbor *nb);

/* ---- rip_redist.c ---- */
void rip_redist_changed(void *ctx, const struct rp_redist_route *r, bool withdrawn);
void rip_redist_apply(struct rip *rip);
void rip_redist_refresh(struct rip *rip); /* metric or tags changed */

/* ---- rip_mib.c ---- */
enum rp_result rip_mib_get(void *inst, enum rp_mib_table t, const json_t *key, json_t **row);
enum rp_result rip_mib_get_first(void *inst, enum rp_mib_table t, json_t **row);
enum rp_result rip_mib_get_next(void *inst, enum rp_mib_table t, const json_t *key,
				json_t **row);
/* A route row below metric infinity. */
bool rip_mib_route_reachable(void *inst, const json_t *row);

/* ---- rip_update.c: autostatic updates (DoUpdateRoutes) ---- */
struct rip_update;
struct rip_demand;
/* rip_demand.c: RFC 2091 triggered RIP */
void rip_demand_update_request(struct rip_iface *ifc);
bool rip_demand_create(struct rip_iface *ifc);
void rip_demand_free(struct rip_iface *ifc);
void rip_demand_up(struct rip_iface *ifc);
void rip_demand_down(struct rip_iface *ifc, bool goodbye);
void rip_demand_changes(struct rip_iface *ifc);
void rip_demand_input(struct rip_iface *ifc, struct rip_neighbor *nbr, const struct rip_msg *m,
		      uint32_t src);
json_t *rip_demand_json(const struct rip_iface *ifc);
bool rip_demand_peer_unreachable(const struct rip_iface *ifc);
void rip_demand_retransmit_now(struct rip_iface *ifc); /* the retransmission timer's work */
void rip_demand_sweep_now(struct rip_iface *ifc);      /* the flush sweep's work */
enum rp_result rip_update_start(struct rip_iface *ifc, unsigned timeout_s);
void rip_update_response(struct rip_iface *ifc, struct rip_neighbor *nbr,
			 const struct rip_msg *msg, uint32_t src, bool to_us);
/* Collect one route for the update running on ifc (also used by demand circuits). */
void rip_update_collect(struct rip_iface *ifc, const struct rip_entry *e);
void rip_update_touch(struct rip_iface *ifc); /* an answer arrived */
void rip_update_abort(struct rip_iface *ifc); /* interface gone: fail the update */
void rip_update_expire_now(struct rip_iface *ifc); /* the quiet period (or timeout) ran out */
void rip_update_free(struct rip_iface *ifc);

#endif
