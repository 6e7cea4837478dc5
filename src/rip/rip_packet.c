/* SPDX-License-Identifier: ISC */
/*
 * rip_packet.c — building RIP packets from the table (RFC 2453 3.10, 4.4, 5): the next packet of
 * an output job (whole table or changes), answers to specific requests, and whole-table requests.
 * Per route and destination: split horizon (simple / poisoned reverse / off), the next-hop
 * field when the gateway is on the destination subnet, route tags, and for RIPv1 the classful
 * rules: subnets of the destination's own network with its mask, host routes and the default,
 * other networks summarised to their classful network (lowest metric), the rest omitted.
 * No I/O here: callers send the bytes.
 */
#include "config.h"

#include "routprotd/prefix.h"
#include "rip/rip.h"

uint8_t rip_classful_len(uint32_t addr)
{
	if ((addr >> 31) == 0)
		return 8;
	if ((addr >> 30) == 2)
		return 16;
	if ((addr >> 29) == 6)
		return 24;
	return 0;
}

/* Gateway worth naming in the next-hop field: on the destination subnet, not ourselves. */
static uint32_t next_hop_for(const struct rip_route *r, const struct rip_job *job)
{
	for (unsigned i = 0; i < r->npaths; i++) {
		uint32_t g = r->paths[i].gateway;

		if (g && g != job->src && job->src_len < 32 &&
		    rp_prefix4_contains(job->src, job->src_len, g))
			return g;
	}
	return 0;
}

/* A route the announce policy refuses is not sent, except once as unreachable in a triggered
 * update right after a reload refused it (the interface's farewell window). */
static bool refused_here(const struct rip_iface *ifc, const struct rip_job *job,
			 const struct rip_route *r, struct rip_rte *e)
{
	if (rip_policy_announces(ifc->set, r->prefix, r->len))
		return false;
	if (job->kind != RIP_JOB_CHANGES || r->changed_seq <= ifc->farewell_after ||
	    r->changed_seq > ifc->farewell_until)
		return true;
	e->metric = RIP_METRIC_INFINITY;
	return false;
}

/* The entry for route `r` towards `job` on `ifc`; false when the route is not advertised. */
static bool entry_for(const struct rip_iface *ifc, const struct rip_job *job,
		      const struct rip_route *r, struct rip_rte *e)
{
	bool learned_here = r->source == RIP_SRC_RIP && rip_route_via_iface(r, ifc->ifindex);

	*e = (struct rip_rte){ .afi = RIP_AFI_INET, .tag = r->tag, .addr = r->prefix,
			       .mask = rp_prefix4_mask(r->len), .metric = r->metric };
	if (refused_here(ifc, job, r, e))
		return false;
	if (learned_here && r->metric < RIP_METRIC_INFINITY) {
		if (ifc->set->split_horizon == RIP_SH_SIMPLE)
			return false;
		if (ifc->set->split_horizon == RIP_SH_POISONED)
			e->metric = RIP_METRIC_INFINITY;
	}
	if (e->metric < RIP_METRIC_INFINITY)
		e->nexthop = next_hop_for(r, job);
	return true;
}

/* RIPv1: how a route can be expressed towards a subnet (job->src/src_len). Returns the length
 * to send it with (0 = omit); sets *aggregate when it must be summarised. */
static uint8_t v1_form(const struct rip_job *job, const struct rip_route *r, bool *aggregate)
{
	uint8_t own_class = rip_classful_len(job->src);
	uint8_t cls = rip_classful_len(r->prefix);

	*aggregate = false;
	if (r->len == 0)
		return r->prefix == 0 ? 32 : 0; /* default route (sent without a mask) */
	if (cls == 0)
		return 0;
	if (r->len == 32)
		return 32;
	if (rp_prefix4_contains(job->src, own_class, r->prefix) && own_class == cls)
		return r->len == job->src_len ? r->len : 0;
	if (r->len == cls)
		return cls;
	if (r->len > cls) {
		*aggregate = true;
		return cls;
	}
	return 0; /* supernet: not expressible */
}

static void v1_entry(struct rip_rte *e, uint32_t addr, uint8_t metric)
{
	*e = (struct rip_rte){ .afi = RIP_AFI_INET, .addr = addr, .metric = metric };
}

/* Flush the pending classful aggregate into the packet. */
static void v1_emit_aggregate(struct rip_job *job, struct rip_msg *m)
{
	if (!job->agg_valid)
		return;
	v1_entry(&m->rtes[m->nrtes++], job->agg_net, job->agg_metric);
	job->agg_valid = false;
}

/* Add route `r` to a RIPv1 packet (possibly folded into the pending aggregate). */
static void v1_add(struct rip_job *job, struct rip_msg *m, const struct rip_rte *e,
		   const struct rip_route *r)
{
	bool aggregate;
	uint8_t len = v1_form(job, r, &aggregate);
	uint32_t net;

	if (len == 0)
		return;
	if (!aggregate) {
		v1_emit_aggregate(job, m);
		v1_entry(&m->rtes[m->nrtes++], e->addr, (uint8_t)e->metric);
		return;
	}
	net = r->prefix & rp_prefix4_mask(len);
	if (job->agg_valid && job->agg_net == net) {
		if (e->metric < job->agg_metric)
			job->agg_metric = (uint8_t)e->metric;
		return;
	}
	v1_emit_aggregate(job, m);
	job->agg_valid = true;
	job->agg_net = net;
	job->agg_metric = (uint8_t)e->metric;
}

static bool wanted(const struct rip_job *job, const struct rip_route *r)
{
	return job->kind == RIP_JOB_FULL || r->changed_seq > job->since_seq;
}

unsigned rip_output_fill(struct rip *rip, struct rip_iface *ifc, struct rip_job *job,
			 struct rip_msg *m, unsigned max)
{
	struct rip_route key = { .prefix = job->cursor_prefix, .len = job->cursor_len };
	struct rp_avl_node *n = job->started ? rp_avl_find_after(&rip->routes, &key.node)
					  : rp_avl_first(&rip->routes);

	m->nrtes = 0;
	/* A v1 aggregate may need a slot: stop one short of a full packet. */
	for (; n && m->nrtes < max - (job->version == 1); n = rp_avl_next(n)) {
		struct rip_route *r = rp_avl_entry(n, struct rip_route, node);
		struct rip_rte e;

		job->started = true;
		job->cursor_prefix = r->prefix;
		job->cursor_len = r->len;
		if (!wanted(job, r) || !entry_for(ifc, job, r, &e))
			continue;
		if (job->version == 1)
			v1_add(job, m, &e, r);
		else
			m->rtes[m->nrtes++] = e;
	}
	if (!n && job->version == 1)
		v1_emit_aggregate(job, m);
	if (job->version == 1)
		for (unsigned i = 0; i < m->nrtes; i++)
			m->rtes[i].tag = 0, m->rtes[i].mask = 0, m->rtes[i].nexthop = 0;
	return m->nrtes;
}

size_t rip_output_build(struct rip *rip, struct rip_iface *ifc, struct rip_job *job,
			uint8_t *buf, size_t cap)
{
	struct rip_msg m = { .command = RIP_CMD_RESPONSE, .version = job->version };

	if (rip_output_fill(rip, ifc, job, &m, rip_auth_max_rtes(ifc, false)) == 0)
		return 0;
	return rip_auth_encode(ifc, &m, buf, cap);
}

/* The route a request entry asks about: with its mask, or (RIPv1, or no mask given) the host
 * route, else the classful network. */
static const struct rip_route *lookup_entry(const struct rip *rip, const struct rip_rte *e)
{
	const struct rip_route *r;
	uint8_t c;
	int len;

	if (e->mask != 0 || e->addr == 0) {
		len = rp_mask4_to_len(e->mask);
		return len < 0 ? NULL : rip_route_find(rip, e->addr, (uint8_t)len);
	}
	r = rip_route_find(rip, e->addr, 32);
	c = rip_classful_len(e->addr);
	if (!r && c)
		r = rip_route_find(rip, e->addr & rp_prefix4_mask(c), c);
	return r;
}

size_t rip_output_answer(struct rip *rip, struct rip_iface *ifc, const struct rip_msg *req,
			 uint8_t version, uint8_t *buf, size_t cap)
{
	struct rip_msg m = *req;

	m.command = RIP_CMD_RESPONSE;
	m.version = version;
	m.has_auth = false;
	for (unsigned i = 0; i < m.nrtes; i++) {
		struct rip_rte *e = &m.rtes[i];
		const struct rip_route *r = lookup_entry(rip, e);

		e->metric = r && rip_policy_announces(ifc->set, r->prefix, r->len)
				    ? r->metric
				    : RIP_METRIC_INFINITY;
	}
	rip->stats.queries++;
	if (m.nrtes > rip_auth_max_rtes(ifc, false))
		m.nrtes = rip_auth_max_rtes(ifc, false); /* room for our authentication */
	return rip_auth_encode(ifc, &m, buf, cap);
}

size_t rip_output_request(struct rip_iface *ifc, uint8_t version, uint8_t *buf, size_t cap)
{
	struct rip_msg m = { .command = RIP_CMD_REQUEST, .version = version, .nrtes = 1 };

	m.rtes[0] = (struct rip_rte){ .afi = 0, .metric = RIP_METRIC_INFINITY };
	return rip_auth_encode(ifc, &m, buf, cap);
}
