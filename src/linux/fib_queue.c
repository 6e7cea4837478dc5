/* SPDX-License-Identifier: ISC */
/*
 * fib_queue.c — the FIB writer's key map and write queue (see fib_queue.h).
 *
 * The key map is linear probing with backward-shift deletion (no tombstones, so a map that sees
 * 100,000 inserts and deletes per burst never degrades) and at most 50 % load. The queue keeps
 * its entries in one growable pool linked by index: the FIFO gives the send order, the key map
 * finds the entry a later write supersedes.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "linux/fib_queue.h"

#define FIB_KEY_EMPTY UINT64_MAX /* no real key has all bits set (len <= 32) */
#define KEYMAP_MIN_CAP 64u
#define KEYMAP_KEEP_CAP 4096u /* larger maps are freed when cleared */
#define POOL_KEEP_CAP 4096u   /* larger queue pools are freed when the queue runs empty */

static uint32_t key_hash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	k ^= k >> 33;
	return (uint32_t)k;
}

static uint32_t keymap_slot(const struct fib_keymap *m, uint64_t key)
{
	uint32_t mask = m->cap - 1;
	uint32_t i = key_hash(key) & mask;

	while (m->keys[i] != FIB_KEY_EMPTY && m->keys[i] != key)
		i = (i + 1) & mask;
	return i;
}

uint32_t *fib_keymap_get(struct fib_keymap *m, uint64_t key)
{
	uint32_t i;

	if (m->count == 0)
		return NULL;
	i = keymap_slot(m, key);
	return m->keys[i] == key ? &m->vals[i] : NULL;
}

static int keymap_resize(struct fib_keymap *m, uint32_t cap)
{
	struct fib_keymap grown = { .cap = cap };

	grown.keys = malloc(cap * sizeof(*grown.keys));
	grown.vals = malloc(cap * sizeof(*grown.vals));
	if (!grown.keys || !grown.vals) {
		free(grown.keys);
		free(grown.vals);
		return -1;
	}
	memset(grown.keys, 0xff, cap * sizeof(*grown.keys));
	for (uint32_t i = 0; i < m->cap; i++) {
		uint32_t j;

		if (m->keys[i] == FIB_KEY_EMPTY)
			continue;
		j = keymap_slot(&grown, m->keys[i]);
		grown.keys[j] = m->keys[i];
		grown.vals[j] = m->vals[i];
	}
	grown.count = m->count;
	free(m->keys);
	free(m->vals);
	*m = grown;
	return 0;
}

int fib_keymap_put(struct fib_keymap *m, uint64_t key, uint32_t val)
{
	uint32_t i;

	if ((m->count + 1) * 2 > m->cap) {
		uint32_t cap = m->cap ? m->cap * 2 : KEYMAP_MIN_CAP;

		if (cap < m->cap || keymap_resize(m, cap) < 0) {
			errno = ENOMEM;
			return -1;
		}
	}
	i = keymap_slot(m, key);
	if (m->keys[i] == FIB_KEY_EMPTY) {
		m->keys[i] = key;
		m->count++;
	}
	m->vals[i] = val;
	return 0;
}

/* True when slot `i` lies cyclically in (empty, home]: its entry may not move to `empty`. */
static bool stays(uint32_t home, uint32_t empty, uint32_t i)
{
	if (empty <= i)
		return home > empty && home <= i;
	return home > empty || home <= i;
}

void fib_keymap_del(struct fib_keymap *m, uint64_t key)
{
	uint32_t mask, empty, i;

	if (m->count == 0)
		return;
	mask = m->cap - 1;
	empty = keymap_slot(m, key);
	if (m->keys[empty] != key)
		return;
	m->keys[empty] = FIB_KEY_EMPTY;
	m->count--;
	for (i = (empty + 1) & mask; m->keys[i] != FIB_KEY_EMPTY; i = (i + 1) & mask) {
		if (stays(key_hash(m->keys[i]) & mask, empty, i))
			continue;
		m->keys[empty] = m->keys[i];
		m->vals[empty] = m->vals[i];
		m->keys[i] = FIB_KEY_EMPTY;
		empty = i;
	}
}

void fib_keymap_clear(struct fib_keymap *m)
{
	if (m->count == 0)
		return;
	if (m->cap > KEYMAP_KEEP_CAP) {
		fib_keymap_free(m); /* a burst is over: give its memory back */
		return;
	}
	memset(m->keys, 0xff, m->cap * sizeof(*m->keys));
	m->count = 0;
}

void fib_keymap_free(struct fib_keymap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

void fib_queue_init(struct fib_queue *q)
{
	memset(q, 0, sizeof(*q));
}

void fib_queue_free(struct fib_queue *q)
{
	for (uint32_t h = q->head; h; h = q->pool[h - 1].next)
		free(q->pool[h - 1].more);
	free(q->pool);
	fib_keymap_free(&q->index);
	memset(q, 0, sizeof(*q));
}

/* A free pool slot (index + 1), growing the pool when none is left; 0 = out of memory. */
static uint32_t pool_take(struct fib_queue *q)
{
	uint32_t h;

	if (!q->free_head) {
		uint32_t cap = q->pool_cap ? q->pool_cap * 2 : 256;
		struct fib_pending *grown;

		if (cap < q->pool_cap)
			return 0;
		grown = realloc(q->pool, cap * sizeof(*grown));
		if (!grown)
			return 0;
		for (uint32_t i = cap; i > q->pool_cap; i--) {
			grown[i - 1].next = q->free_head;
			q->free_head = i;
		}
		q->pool = grown;
		q->pool_cap = cap;
	}
	h = q->free_head;
	q->free_head = q->pool[h - 1].next;
	return h;
}

/* Store the write described by (r, install) into `p`; -1 when the next hops need memory. */
static int pending_set(struct fib_pending *p, const struct fib_route *r, bool install)
{
	unsigned n = install ? r->nnexthops : 0;
	struct rp_nexthop *more = NULL;

	if (n > RP_MAX_NEXTHOPS)
		n = RP_MAX_NEXTHOPS;
	if (n > 1) {
		more = malloc(n * sizeof(*more));
		if (!more)
			return -1;
		memcpy(more, r->nexthops, n * sizeof(*more));
	}
	free(p->more);
	p->prefix = r->prefix;
	p->len = r->len;
	p->protocol = r->protocol;
	p->install = install;
	p->replace = r->replace;
	p->retried = false;
	p->nnexthops = (uint8_t)n;
	p->more = more;
	memset(&p->nh1, 0, sizeof(p->nh1));
	if (n == 1)
		p->nh1 = r->nexthops[0];
	return 0;
}

int fib_queue_put(struct fib_queue *q, const struct fib_route *r, bool install)
{
	uint64_t key = fib_key(r->prefix, r->len, r->protocol);
	uint32_t *found = fib_keymap_get(&q->index, key);
	struct fib_pending *p;
	uint32_t h;

	if (found)
		return pending_set(&q->pool[*found - 1], r, install) < 0 ? -1 : 1;
	h = pool_take(q);
	if (!h)
		return -1;
	p = &q->pool[h - 1];
	p->more = NULL;
	if (pending_set(p, r, install) < 0 || fib_keymap_put(&q->index, key, h) < 0) {
		free(p->more);
		p->next = q->free_head;
		q->free_head = h;
		return -1;
	}
	p->next = 0;
	if (q->tail)
		q->pool[q->tail - 1].next = h;
	else
		q->head = h;
	q->tail = h;
	q->count++;
	return 0;
}

struct fib_pending *fib_queue_find(struct fib_queue *q, uint32_t prefix, uint8_t len,
				   uint8_t protocol)
{
	uint32_t *found = fib_keymap_get(&q->index, fib_key(prefix, len, protocol));

	return found ? &q->pool[*found - 1] : NULL;
}

void fib_queue_trim(struct fib_queue *q)
{
	if (q->count == 0 && q->pool_cap > POOL_KEEP_CAP)
		fib_queue_free(q);
}

void fib_queue_pop(struct fib_queue *q)
{
	uint32_t h = q->head;
	struct fib_pending *p;

	if (!h)
		return;
	p = &q->pool[h - 1];
	fib_keymap_del(&q->index, fib_key(p->prefix, p->len, p->protocol));
	q->head = p->next;
	if (!q->head)
		q->tail = 0;
	free(p->more);
	p->more = NULL;
	p->next = q->free_head;
	q->free_head = h;
	q->count--;
}
