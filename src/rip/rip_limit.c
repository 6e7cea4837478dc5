/* SPDX-License-Identifier: ISC */
/*
 * rip_limit.c — how many routes one neighbor, and one interface, may put into the RIP table
 * (`max-routes-per-neighbor`, `max-routes`; 0 = no limit), in the spirit of BIRD's import
 * limit and FRR's maximum-prefix. The table (rip_table.c) reports every learned path it adds
 * or removes; the counts live here, by (interface, neighbor) and by interface (neighbor 0).
 * A route of a neighbor that has no path of it yet is refused while either count is at its
 * limit: counted on the interface and the neighbor, logged once each time a limit is reached
 * (and at a limited rate). Routes already
 * in the table stay and are refreshed; when some go, room is made for new ones.
 */
#include "config.h"

#include <stdlib.h>

#include "routprotd/prefix.h"
#include "rip/rip.h"

struct path_count {
	struct rp_avl_node node;
	uint32_t ifindex;
	uint32_t from; /* 0: every neighbor of the interface */
	uint64_t paths;
	bool warned; /* the limit was logged as reached; cleared when the count goes down */
};

static int count_cmp(const struct rp_avl_node *a, const struct rp_avl_node *b)
{
	const struct path_count *x = rp_avl_entry(a, struct path_count, node);
	const struct path_count *y = rp_avl_entry(b, struct path_count, node);

	if (x->ifindex != y->ifindex)
		return x->ifindex < y->ifindex ? -1 : 1;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return 0;
}

void rip_limit_init(struct rip *rip)
{
	rp_avl_init(&rip->path_counts, count_cmp);
	rip->rl_limit = (struct rp_log_ratelimit)RP_LOG_RATELIMIT_INIT(10, 60000);
}

void rip_limit_free(struct rip *rip)
{
	struct rp_avl_node *n = rp_avl_first(&rip->path_counts);

	while (n) {
		struct path_count *c = rp_avl_entry(n, struct path_count, node);

		n = rp_avl_next(n);
		rp_avl_remove(&rip->path_counts, &c->node);
		free(c);
	}
}

static struct path_count *find(const struct rip *rip, uint32_t ifindex, uint32_t from)
{
	struct path_count key = { .ifindex = ifindex, .from = from };
	struct rp_avl_node *n = rp_avl_find(&rip->path_counts, &key.node);

	return n ? rp_avl_entry(n, struct path_count, node) : NULL;
}

uint64_t rip_limit_paths(const struct rip *rip, uint32_t ifindex, uint32_t from)
{
	const struct path_count *c = find(rip, ifindex, from);

	return c ? c->paths : 0;
}

/* One count up or down; a count that reaches 0 goes. Out of memory the count is missing
 * (reads 0): the limit then errs on the side of taking routes. */
static void adjust(struct rip *rip, uint32_t ifindex, uint32_t from, bool up)
{
	struct path_count *c = find(rip, ifindex, from);

	if (up) {
		if (!c && (c = calloc(1, sizeof(*c))) != NULL) {
			c->ifindex = ifindex;
			c->from = from;
			rp_avl_insert(&rip->path_counts, &c->node);
		}
		if (c)
			c->paths++;
		return;
	}
	if (!c)
		return;
	c->warned = false;
	if (--c->paths == 0) {
		rp_avl_remove(&rip->path_counts, &c->node);
		free(c);
	}
}

void rip_limit_count(struct rip *rip, const struct rip_path *p, bool added)
{
	adjust(rip, p->ifindex, p->from, added);
	adjust(rip, p->ifindex, 0, added);
}

/* A route refused at the count `c`: counted every time, logged once each time the limit is
 * reached (and at a limited rate even then). */
static void refuse(struct rip *rip, struct rip_iface *ifc, uint32_t from,
		   struct path_count *c, const char *what, int limit)
{
	struct rip_neighbor *nbr = rip_neighbor_find(rip, from, ifc->ifindex);
	char a[RP_ADDR4_STRLEN];

	ifc->stats.rx_over_limit_routes++;
	if (nbr)
		nbr->over_limit_routes++;
	if (c->warned)
		return;
	c->warned = true;
	rp_log_rl(&rip->rl_limit, RP_LOG_WARNING, COMP,
	       "%s: %s reached (%d routes): routes from %s not yet in the table are refused",
	       ifc->name, what, limit, rp_addr4_format(from, a));
}

/* The count of (ifindex, from) when it is at `limit` (> 0), else NULL. */
static struct path_count *at_limit(struct rip *rip, uint32_t ifindex, uint32_t from,
				   int limit)
{
	struct path_count *c = limit > 0 ? find(rip, ifindex, from) : NULL;

	return c && c->paths >= (uint64_t)limit ? c : NULL;
}

bool rip_limit_allows(struct rip *rip, struct rip_iface *ifc, uint32_t from)
{
	int per_nbr = ifc->set->max_routes_per_neighbor, per_if = ifc->set->max_routes;
	struct path_count *c;

	if ((c = at_limit(rip, ifc->ifindex, from, per_nbr)) != NULL) {
		refuse(rip, ifc, from, c, "max-routes-per-neighbor", per_nbr);
		return false;
	}
	if ((c = at_limit(rip, ifc->ifindex, 0, per_if)) != NULL) {
		refuse(rip, ifc, from, c, "max-routes", per_if);
		return false;
	}
	return true;
}
