/* SPDX-License-Identifier: ISC */
/*
 * fib.h — the kernel forwarding table as routprotd writes and reads it, through netlink:
 *  - writes: add/replace and delete IPv4 routes of our own protocols (rip 189, autostatic),
 *    queued and sent in batches (many messages per send, errors matched back by sequence);
 *  - dumps: the routes of our protocols in our table (start-up reconcile and audits after the
 *    kernel flushed routes of a link), and redistributable routes of other protocols;
 *  - watch: notifications of other protocols' routes (for redistribution) and deletions of ours
 *    done by someone else. Notifications of our own additions are filtered out in the kernel
 *    (socket filter), so a 100,000-route install does not flood the watcher.
 * The router manager is the only user; protocols never reach this layer.
 *
 * The kernel identifies a route by table + prefix + tos + priority, not by protocol: a replace
 * takes over whatever route has that identity, so our own table and fixed priority (the `fib`
 * configuration) are what keep these writes off other protocols' routes.
 * Callbacks run from the event loop (or from fib_flush / fib_set_target); they may queue writes,
 * flush and dump, but must not call fib_free.
 */
#ifndef ROUTPROTD_LINUX_FIB_H
#define ROUTPROTD_LINUX_FIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "routprotd/routprot.h"

struct event_base;
struct fib;

#define RTPROT_RIP_NUM 189

struct fib_route {
	uint32_t prefix; /* host order */
	uint8_t len;
	uint8_t protocol; /* kernel route protocol (rtm_protocol) */
	bool replace;     /* install over a route of ours already there (NLM_F_REPLACE); else
			     NLM_F_EXCL, so that another protocol's route with our table, prefix and
			     priority is refused (EEXIST) instead of being taken over. Which route
			     the kernel refused a create for is read back: one of ours is replaced
			     (fib_exists.c), only another protocol's is reported as EEXIST */
	unsigned nnexthops;
	struct rp_nexthop nexthops[RP_MAX_NEXTHOPS]; /* gateway 0 = on-link via ifindex */
};

/* A route of another protocol seen in our table (for redistribution). */
struct fib_kernel_route {
	uint32_t prefix;
	uint8_t len;
	uint8_t protocol;   /* RTPROT_KERNEL, RTPROT_BOOT, RTPROT_STATIC, ... */
	uint8_t rtm_type;   /* RTN_UNICAST, RTN_BLACKHOLE, RTN_UNREACHABLE or RTN_PROHIBIT */
	uint32_t gateway;   /* first next hop; 0 = on-link */
	uint32_t ifindex;
	uint32_t priority;
};

struct fib_ops {
	/* A queued write failed in the kernel (errno value). Successful writes are not reported.
	 * EEXIST on an install means another protocol's route holds our table, prefix and
	 * priority (the kernel's route was read back; a route of ours there is replaced and not
	 * reported). Typical values: ENETUNREACH (the gateway is on no connected subnet of the interface:
	 * its link is admin-down, lost its address, or is gone), ENETDOWN (on-link route through
	 * an admin-down link), ENODEV (on-link route through an interface that does not exist),
	 * ESRCH (remove of a route that is not there). A link without carrier accepts routes (the
	 * kernel marks them linkdown). */
	void (*write_failed)(void *arg, uint32_t prefix, uint8_t len, uint8_t protocol,
			     bool install, int error);
	/* A unicast route of another protocol in our table appeared/changed (removed = false) or
	 * went away. */
	void (*kernel_route)(void *arg, const struct fib_kernel_route *r, bool removed);
	/* A route of one of our protocols (in our table, at our priority) was deleted by someone
	 * else. The kernel's silent flushes (link down, address removed) are not reported. */
	void (*own_route_deleted)(void *arg, uint32_t prefix, uint8_t len, uint8_t protocol);
	/* A route of another protocol (any type) in our table at our priority: it took the place
	 * of whatever route was there (`taken`, an RTM_NEWROUTE with NLM_F_REPLACE, as after
	 * `ip route replace`), or it went away (`taken` false), leaving the place free. */
	void (*foreign_at_priority)(void *arg, uint32_t prefix, uint8_t len, uint8_t protocol,
				    bool taken);
	/* The watch socket overflowed: notifications were lost; the RM should re-dump. */
	void (*watch_overrun)(void *arg);
};

/* `own_protocols` (count n_own, 1..8) are the rtm_protocol values this daemon owns. `table`
 * must not be 0 or 255. NULL + message in err on failure. */
struct fib *fib_new(struct event_base *base, uint32_t table, uint32_t priority,
		    const uint8_t *own_protocols, size_t n_own, const struct fib_ops *ops,
		    void *arg, char *err, size_t errlen);
void fib_free(struct fib *f); /* drops what is still queued: fib_flush first */

/* One more rtm_protocol this daemon owns (a protocol module loaded after fib_new, or before it
 * when listed after the built-in ones): its routes are then ours in writes, dumps and the watch.
 * Already owned: true. Refused (false + message in err): the kernel's own numbers 0..4
 * (unspec, redirect, kernel, boot, static) and more than FIB_MAX_OWN protocols. */
bool fib_add_own(struct fib *f, uint8_t protocol, char *err, size_t errlen);

/* Queue a write; batches go out when the event loop is next idle (or when a batch is full).
 * A later write for the same prefix and protocol supersedes a queued one. */
void fib_install(struct fib *f, const struct fib_route *r);
void fib_remove(struct fib *f, uint32_t prefix, uint8_t len, uint8_t protocol);
/* Send everything queued now (start-up, shutdown); failures are reported before it returns.
 * A send the kernel refuses is retried a few times with short pauses (well under a second);
 * what still could not go out stays queued for the loop. */
void fib_flush(struct fib *f);

/* Synchronous dumps of our table. Return 0 or -1 (error logged). A dump the kernel marks
 * interrupted is started again, so the callback sees one consistent listing.
 * dump_own: routes of our protocols at our priority (others of our protocols, left over at
 * another priority, are counted in the status, not returned). dump_kernel: unicast routes of
 * other protocols, any priority. */
int fib_dump_own(struct fib *f, void (*cb)(void *arg, const struct fib_route *r), void *arg);
int fib_dump_kernel(struct fib *f, void (*cb)(void *arg, const struct fib_kernel_route *r),
		    void *arg);

/* A new table/priority (reload): what is queued is flushed to the old target first, later
 * writes use the new one; the RM moves its routes itself. */
void fib_set_target(struct fib *f, uint32_t table, uint32_t priority);

/* Adds a "fib" object (writes, batches, errors, queued, watch overruns, installs refused as
 * existing and whose route they met...) to `status`. */
void fib_status_json(const struct fib *f, json_t *status);

#endif
