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
 */
#ifndef ROUTPROTD_LINUX_FIB_H
#define ROUTPROTD_LINUX_FIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/routprot.h"

struct event_base;
struct fib;

#define RTPROT_RIP_NUM 189

struct fib_route {
	uint32_t prefix; /* host order */
	uint8_t len;
	uint8_t protocol; /* kernel route protocol (rtm_protocol) */
	unsigned nnexthops;
	struct rp_nexthop nexthops[RP_MAX_NEXTHOPS]; /* gateway 0 = on-link via ifindex */
};

/* A route of another protocol seen in our table (for redistribution). */
struct fib_kernel_route {
	uint32_t prefix;
	uint8_t len;
	uint8_t protocol;   /* RTPROT_KERNEL, RTPROT_BOOT, RTPROT_STATIC, ... */
	uint32_t gateway;   /* first next hop; 0 = on-link */
	uint32_t ifindex;
	uint32_t priority;
};

struct fib_ops {
	/* A queued write failed in the kernel (errno value, e.g. ENETUNREACH). Successful writes
	 * are not reported. */
	void (*write_failed)(void *arg, uint32_t prefix, uint8_t len, uint8_t protocol,
			     bool install, int error);
	/* A route of another protocol appeared/changed (removed = false) or went away. */
	void (*kernel_route)(void *arg, const struct fib_kernel_route *r, bool removed);
	/* A route of one of our protocols was deleted by someone else (we did not ask). */
	void (*own_route_deleted)(void *arg, uint32_t prefix, uint8_t len, uint8_t protocol);
	/* The watch socket overflowed: notifications were lost; the RM should re-dump. */
	void (*watch_overrun)(void *arg);
};

/* `own_protocols` (count n_own) are the rtm_protocol values this daemon owns. */
struct fib *fib_new(struct event_base *base, uint32_t table, uint32_t priority,
		    const uint8_t *own_protocols, size_t n_own, const struct fib_ops *ops,
		    void *arg, char *err, size_t errlen);
void fib_free(struct fib *f);

/* Queue a write; batches go out when the event loop is next idle (or when a batch is full).
 * A later write for the same prefix and protocol supersedes a queued one. */
void fib_install(struct fib *f, const struct fib_route *r);
void fib_remove(struct fib *f, uint32_t prefix, uint8_t len, uint8_t protocol);
/* Send everything queued now (start-up, shutdown). */
void fib_flush(struct fib *f);

/* Synchronous dumps of our table. Return 0 or -1 (error logged). */
int fib_dump_own(struct fib *f, void (*cb)(void *arg, const struct fib_route *r), void *arg);
int fib_dump_kernel(struct fib *f, void (*cb)(void *arg, const struct fib_kernel_route *r),
		    void *arg);

/* A new table/priority (reload): later writes use them; the RM moves its routes itself. */
void fib_set_target(struct fib *f, uint32_t table, uint32_t priority);

/* Adds a "fib" object (writes, batches, errors, queued, watch overruns...) to `status`. */
void fib_status_json(const struct fib *f, json_t *status);

#endif
