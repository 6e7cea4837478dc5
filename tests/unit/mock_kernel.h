/* SPDX-License-Identifier: ISC */
/*
 * mock_kernel.h — a kernel FIB behind the router manager's rm_fib_ops, for unit tests: one table
 * at one priority, holding routes of our protocols and of others. It records every write the RM
 * sends (readable as text), answers creates and replaces as the netlink FIB writer does (a
 * create that meets a route of ours replaces it, one that meets another protocol's route is
 * refused with EEXIST), and lets a test inject what the kernel does on its own: refusals,
 * silent flushes, deletions by someone else, other protocols' routes appearing and going.
 * Failures are reported back to the RM only at mk_settle(), as the real writer reports them
 * from the event loop after a batch went out.
 */
#ifndef ROUTPROTD_TESTS_MOCK_KERNEL_H
#define ROUTPROTD_TESTS_MOCK_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/rm.h"

#define MK_MAX_ROUTES 64

/* One kernel route; `at_priority`: in our table at our priority (else at `priority`). */
struct mk_route {
	uint32_t prefix;
	uint8_t len;
	uint8_t protocol;
	uint8_t type; /* enum rp_route_type */
	bool at_priority;
	uint32_t priority; /* when not at_priority */
	unsigned nnexthops;
	struct rp_nexthop nexthops[RP_MAX_NEXTHOPS];
};

struct mock_kernel;

extern const struct rm_fib_ops mk_fib_ops;

/* `own` lists the protocol numbers that are ours (rip 189, autostatic 210 ...). */
struct mock_kernel *mk_new(const uint8_t *own, size_t n_own);
void mk_free(struct mock_kernel *mk);
/* The RM the injected events go to (set after rm_new). */
void mk_set_rm(struct mock_kernel *mk, struct rm *rm);

/* The writes since the last call, one per line (malloc'd, caller frees), e.g.
 * "install 198.18.1.0/24 proto 189 create 198.18.0.2@3\nremove 198.18.1.0/24 proto 189\n"
 * "flush\n" "target 254 20\n". Multipath: next hops joined by ','. */
char *mk_take_log(struct mock_kernel *mk);
/* Our-priority route for the prefix (any protocol), or NULL. */
const struct mk_route *mk_find(const struct mock_kernel *mk, uint32_t prefix, uint8_t len);
size_t mk_count(const struct mock_kernel *mk);
/* Replaces that took another protocol's route (the RM must never cause one). */
unsigned mk_clobbered(const struct mock_kernel *mk);
uint32_t mk_table(const struct mock_kernel *mk);
uint32_t mk_priority(const struct mock_kernel *mk);

/* ---- what the kernel does on its own ---- */

/* The next install of this prefix is refused with `error` (ENETUNREACH, ENODEV...). */
void mk_refuse_next(struct mock_kernel *mk, uint32_t prefix, uint8_t len, int error);
/* Report the failures of the writes sent so far (rm_fib_write_failed). */
void mk_settle(struct mock_kernel *mk);
/* A route already there (before the RM attaches, or added behind its back without notice). */
void mk_put(struct mock_kernel *mk, const struct mk_route *r);
/* Link down / address removed: every route through `ifindex` goes, nobody is told. */
size_t mk_flush_link(struct mock_kernel *mk, uint32_t ifindex);
/* `ip route del` of a route of ours: removed and reported (own_route_deleted). */
void mk_delete_own(struct mock_kernel *mk, uint32_t prefix, uint8_t len);
/* Another protocol's route appears (`ip route add/replace`): at our priority it takes the place
 * of whatever was there (foreign_route taken); reported for redistribution (kernel_route). */
void mk_foreign_add(struct mock_kernel *mk, const struct mk_route *r);
/* That route goes (foreign_route free again at our priority, kernel_route removed); with
 * at_priority false, the route at `priority`. */
void mk_foreign_del(struct mock_kernel *mk, uint32_t prefix, uint8_t len, bool at_priority);
void mk_foreign_del_at(struct mock_kernel *mk, uint32_t prefix, uint8_t len, uint32_t priority);
/* Dumps fail (-1) while set. */
void mk_fail_dumps(struct mock_kernel *mk, bool fail);
/* Dumps fail after listing `n` routes (an interrupted dump). */
void mk_fail_dumps_after(struct mock_kernel *mk, unsigned n);

#endif
