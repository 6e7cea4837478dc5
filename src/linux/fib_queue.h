/* SPDX-License-Identifier: ISC */
/*
 * fib_queue.h — the FIB writer's bookkeeping structures:
 *  - fib_keymap: a small open-addressing hash map from a route key (prefix, length, protocol)
 *    to a 32-bit value, used for the queue index and for deletes in flight;
 *  - fib_queue: the writes waiting to be sent, in arrival order, at most one per route key (a
 *    later write for the same key replaces the queued one in place and keeps its position).
 * Entries are pooled in one array and linked by index, so 100,000 queued routes cost a few MB
 * and no per-route allocation (next hops beyond the first are the exception).
 */
#ifndef ROUTPROTD_LINUX_FIB_QUEUE_H
#define ROUTPROTD_LINUX_FIB_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "linux/fib.h"

/* Key of a route as the writer coalesces it: prefix << 16 | len << 8 | protocol. */
static inline uint64_t fib_key(uint32_t prefix, uint8_t len, uint8_t protocol)
{
	return (uint64_t)prefix << 16 | (uint64_t)len << 8 | protocol;
}

struct fib_keymap {
	uint64_t *keys; /* FIB_KEY_EMPTY marks a free slot */
	uint32_t *vals;
	uint32_t cap;   /* power of two, or 0 before the first insert */
	uint32_t count;
};

uint32_t *fib_keymap_get(struct fib_keymap *m, uint64_t key);
int fib_keymap_put(struct fib_keymap *m, uint64_t key, uint32_t val); /* 0, or -1 (ENOMEM) */
void fib_keymap_del(struct fib_keymap *m, uint64_t key);
void fib_keymap_clear(struct fib_keymap *m); /* forget every key (a large map is freed) */
void fib_keymap_free(struct fib_keymap *m);

/* A queued write. Read it through fib_queue_at() and fib_pending_nexthops(). */
struct fib_pending {
	uint32_t prefix;
	uint8_t len;
	uint8_t protocol;
	bool install;             /* false = delete */
	bool replace;             /* install over our own route */
	bool retried;             /* written again after the route it met as existing went */
	uint8_t nnexthops;
	uint32_t next;            /* FIFO successor or free-list link (index + 1; 0 = none) */
	struct rp_nexthop nh1;    /* the next hop of a single-path route */
	struct rp_nexthop *more;  /* all next hops when there are several (malloc'd) */
};

static inline const struct rp_nexthop *fib_pending_nexthops(const struct fib_pending *p)
{
	return p->nnexthops > 1 ? p->more : &p->nh1;
}

struct fib_queue {
	struct fib_pending *pool;
	uint32_t pool_cap;
	uint32_t free_head; /* index + 1 */
	uint32_t head, tail; /* FIFO ends, index + 1 */
	uint32_t count;
	struct fib_keymap index; /* key -> pool index + 1 */
};

void fib_queue_init(struct fib_queue *q);
void fib_queue_free(struct fib_queue *q);

/* Queue an install of `r` or a delete of (prefix, len, protocol) (r->nexthops unused).
 * Returns 0 (queued), 1 (replaced a queued write for the same key), -1 (out of memory). */
int fib_queue_put(struct fib_queue *q, const struct fib_route *r, bool install);

/* The queued write of (prefix, len, protocol), or NULL. */
struct fib_pending *fib_queue_find(struct fib_queue *q, uint32_t prefix, uint8_t len,
				   uint8_t protocol);

/* Iteration from the oldest entry: handle 0 = end. */
static inline uint32_t fib_queue_first(const struct fib_queue *q)
{
	return q->head;
}

static inline uint32_t fib_queue_next(const struct fib_queue *q, uint32_t h)
{
	return q->pool[h - 1].next;
}

static inline const struct fib_pending *fib_queue_at(const struct fib_queue *q, uint32_t h)
{
	return &q->pool[h - 1];
}

/* Drop the oldest entry (after it was sent). */
void fib_queue_pop(struct fib_queue *q);
/* Give the memory of a large burst back once the queue is empty. */
void fib_queue_trim(struct fib_queue *q);

#endif
