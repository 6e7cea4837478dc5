/* SPDX-License-Identifier: ISC */
/*
 * rip_neighbor.c — the routers RIP has heard (RFC 1724 rip2PeerTable): one record per source
 * address and interface, with the version last seen, when, and what was wrong with its packets.
 */
#include "config.h"

#include <stdlib.h>

#include "lib/clock.h"
#include "rip/rip.h"

#define RIP_MAX_NEIGHBORS 4096 /* records kept; beyond that new senders are not tracked */

static int neighbor_cmp(const struct avl_node *a, const struct avl_node *b)
{
	const struct rip_neighbor *x = avl_entry(a, struct rip_neighbor, node);
	const struct rip_neighbor *y = avl_entry(b, struct rip_neighbor, node);

	if (x->address != y->address)
		return x->address < y->address ? -1 : 1;
	if (x->ifindex != y->ifindex)
		return x->ifindex < y->ifindex ? -1 : 1;
	return 0;
}

void rip_neighbor_init(struct rip *rip)
{
	avl_init(&rip->neighbors, neighbor_cmp);
}

struct rip_neighbor *rip_neighbor_find(const struct rip *rip, uint32_t addr, uint32_t ifindex)
{
	struct rip_neighbor key = { .address = addr, .ifindex = ifindex };
	struct avl_node *n = avl_find(&rip->neighbors, &key.node);

	return n ? avl_entry(n, struct rip_neighbor, node) : NULL;
}

struct rip_neighbor *rip_neighbor_get(struct rip *rip, uint32_t addr, uint32_t ifindex)
{
	struct rip_neighbor *nb = rip_neighbor_find(rip, addr, ifindex);

	if (!nb) {
		if (rip->neighbors.count >= RIP_MAX_NEIGHBORS)
			return NULL;
		nb = calloc(1, sizeof(*nb));
		if (!nb)
			return NULL;
		nb->address = addr;
		nb->ifindex = ifindex;
		avl_insert(&rip->neighbors, &nb->node);
	}
	nb->last_heard_ms = clock_now_ms();
	return nb;
}

void rip_neighbor_free_all(struct rip *rip)
{
	struct avl_node *n = avl_first(&rip->neighbors);

	while (n) {
		struct rip_neighbor *nb = avl_entry(n, struct rip_neighbor, node);

		n = avl_next(n);
		avl_remove(&rip->neighbors, &nb->node);
		free(nb);
	}
}

/* Forget the neighbors of an interface that goes away. */
void rip_neighbor_forget_iface(struct rip *rip, uint32_t ifindex)
{
	struct avl_node *n = avl_first(&rip->neighbors);

	while (n) {
		struct rip_neighbor *nb = avl_entry(n, struct rip_neighbor, node);

		n = avl_next(n);
		if (nb->ifindex != ifindex)
			continue;
		avl_remove(&rip->neighbors, &nb->node);
		free(nb);
	}
}
