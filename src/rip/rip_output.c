/* SPDX-License-Identifier: ISC */
/*
 * rip_output.c — what RIP sends and when: output jobs per interface (periodic full updates,
 * triggered updates of changed routes, answers to whole-table requests) to every target of the
 * interface — each of its subnets (RIPv2 multicast 224.0.0.9, or broadcast for RIPv1 and
 * "1-compatible"; nothing when passive) and each configured unicast neighbor — and the pacing
 * that keeps peers from drowning: a token bucket per interface (send-rate packets per second,
 * send-burst back to back). Triggered jobs go ahead of full-table dumps, so a few changed routes
 * are never stuck behind a 100,000-route dump.
 */
#include "config.h"

#include <stdlib.h>

#include <event2/event.h>

#include "routprotd/clock.h"
#include "routprotd/prefix.h"
#include "rip/rip.h"

typedef void (*target_fn)(struct rip_iface *ifc, const struct rip_job *tmpl, void *arg);

static uint8_t wire_version(const struct rip_iface *ifc)
{
	return ifc->set->version == RIP_VERSION_1 ? 1 : 2;
}

static uint32_t group_address(const struct rip_iface *ifc, const struct rp_local_binding *b)
{
	if (ifc->set->version == RIP_VERSION_2)
		return RIP_MCAST_GROUP;
	if (b->prefixlen >= 31)
		return b->peer ? b->peer : 0xffffffffu;
	return b->address | ~rp_prefix4_mask(b->prefixlen);
}

/* Call fn for every target: each subnet (unless passive) and each configured neighbor. */
static void for_each_target(struct rip_iface *ifc, target_fn fn, void *arg)
{
	struct rip_job t = { .port = RIP_PORT, .version = wire_version(ifc) };

	for (unsigned i = 0; !ifc->set->passive && i < ifc->naddrs; i++) {
		const struct rp_local_binding *b = &ifc->addrs[i];

		if ((b->address >> 24) == 127)
			continue;
		t.src = b->address;
		t.src_len = b->prefixlen;
		t.dst = group_address(ifc, b);
		fn(ifc, &t, arg);
	}
	for (size_t i = 0; i < ifc->set->nneighbors && ifc->naddrs > 0; i++) {
		const struct rp_local_binding *b = rip_iface_subnet_of(ifc, ifc->set->neighbors[i]);

		if (!b)
			b = &ifc->addrs[0];
		t.src = b->address;
		t.src_len = b->prefixlen;
		t.dst = ifc->set->neighbors[i];
		fn(ifc, &t, arg);
	}
}

#define RIP_MAX_ANSWERS 16 /* whole-table answers to requesters queued per interface */

static bool full_job_waiting(const struct rip_iface *ifc, uint32_t dst, uint16_t port)
{
	for (const struct rip_job *j = ifc->jobs; j; j = j->next)
		if (j->kind == RIP_JOB_FULL && !j->started && j->dst == dst && j->port == port)
			return true;
	return false;
}

/* Where a job goes: changes before any full dump, our own full updates before the answers to
 * requesters that have not started (a flood of requests must not delay them past the
 * neighbors' timeout), answers at the end. */
static struct rip_job **job_slot(struct rip_iface *ifc, const struct rip_job *j)
{
	struct rip_job **pp = &ifc->jobs;

	if (j->kind == RIP_JOB_CHANGES)
		while (*pp && (*pp)->kind == RIP_JOB_CHANGES)
			pp = &(*pp)->next;
	else if (!j->answer)
		while (*pp && !((*pp)->answer && !(*pp)->started))
			pp = &(*pp)->next;
	else
		while (*pp)
			pp = &(*pp)->next;
	return pp;
}

static unsigned answers_waiting(const struct rip_iface *ifc)
{
	unsigned n = 0;

	for (const struct rip_job *j = ifc->jobs; j; j = j->next)
		n += j->answer;
	return n;
}

/* Queue a job (see job_slot for the order). */
static void push_job(struct rip_iface *ifc, const struct rip_job *tmpl)
{
	struct rip_job *j, **pp;

	if (full_job_waiting(ifc, tmpl->dst, tmpl->port))
		return; /* a dump that has not started yet will carry everything */
	j = malloc(sizeof(*j));
	if (!j) {
		rp_log_rl(&ifc->rip->rl_send, RP_LOG_ERROR, COMP, "%s: out of memory, update lost",
		       ifc->name);
		return;
	}
	*j = *tmpl;
	pp = job_slot(ifc, j);
	j->next = *pp;
	*pp = j;
	ifc->njobs++;
}

static void queue_full(struct rip_iface *ifc, const struct rip_job *t, void *arg)
{
	struct rip_job j = *t;

	j.kind = RIP_JOB_FULL;
	push_job(ifc, &j);
}

static void queue_changes(struct rip_iface *ifc, const struct rip_job *t, void *arg)
{
	struct rip_job j = *t;

	j.kind = RIP_JOB_CHANGES;
	j.since_seq = *(const uint64_t *)arg;
	push_job(ifc, &j);
}

void rip_output_full(struct rip_iface *ifc)
{
	ifc->sent_seq = ifc->rip->change_seq;
	ifc->stats.tx_updates++;
	for_each_target(ifc, queue_full, NULL);
	rip_output_kick(ifc);
}

void rip_output_changes(struct rip_iface *ifc, uint64_t since_seq)
{
	ifc->sent_seq = ifc->rip->change_seq;
	ifc->stats.tx_triggered++;
	for_each_target(ifc, queue_changes, &since_seq);
	rip_output_kick(ifc);
}

enum rip_reply rip_output_reply_full(struct rip_iface *ifc, uint32_t src, uint32_t dst,
				     uint16_t port, uint8_t version)
{
	const struct rp_local_binding *b = rip_iface_subnet_of(ifc, dst);
	struct rip_job j = { .kind = RIP_JOB_FULL, .src = src, .dst = dst, .port = port,
			     .version = version, .src_len = b ? b->prefixlen : 32,
			     .answer = true };
	char a[RP_ADDR4_STRLEN];

	if (full_job_waiting(ifc, dst, port)) {
		ifc->stats.requests_merged++;
		return RIP_REPLY_MERGED;
	}
	if (answers_waiting(ifc) >= RIP_MAX_ANSWERS) {
		ifc->stats.requests_unanswered++;
		rp_log_rl(&ifc->rip->rl_send, RP_LOG_WARNING, COMP,
		       "%s: %u whole-table answers already queued: request from %s not answered",
		       ifc->name, RIP_MAX_ANSWERS, rp_addr4_format(dst, a));
		return RIP_REPLY_REFUSED;
	}
	push_job(ifc, &j);
	rip_output_kick(ifc);
	return RIP_REPLY_QUEUED;
}

static void send_request(struct rip_iface *ifc, const struct rip_job *t, void *arg)
{
	uint8_t buf[RIP_MAX_PACKET];
	size_t len = rip_output_request(ifc, t->version, buf, sizeof(buf));

	if (len && ifc->rip->send(ifc->rip, ifc->ifindex, t->src, t->dst, t->port, buf, len) == 0)
		ifc->stats.tx_requests++;
}

void rip_output_request_all(struct rip_iface *ifc)
{
	for_each_target(ifc, send_request, NULL);
}

void rip_output_drop_jobs(struct rip_iface *ifc)
{
	while (ifc->jobs) {
		struct rip_job *j = ifc->jobs;

		ifc->jobs = j->next;
		free(j);
	}
	ifc->njobs = 0;
	if (ifc->pace_timer)
		evtimer_del(ifc->pace_timer);
}

static void refill(struct rip_iface *ifc, int64_t now)
{
	double burst = ifc->rip->set.send_burst;

	if (ifc->tokens_ms == 0) {
		ifc->tokens = burst;
	} else {
		ifc->tokens += (double)(now - ifc->tokens_ms) * ifc->rip->set.send_rate / 1000.0;
		if (ifc->tokens > burst)
			ifc->tokens = burst;
	}
	ifc->tokens_ms = now;
}

static void pump(evutil_socket_t fd, short what, void *arg);

static void schedule_pump(struct rip_iface *ifc)
{
	double missing = 1.0 - ifc->tokens;
	int64_t us = missing > 0 ? (int64_t)(missing * 1e6 / ifc->rip->set.send_rate) + 1 : 0;
	struct timeval tv = { .tv_sec = us / 1000000, .tv_usec = us % 1000000 };

	if (!ifc->pace_timer)
		ifc->pace_timer = evtimer_new(ifc->rip->sup.base, pump, ifc);
	if (ifc->pace_timer)
		evtimer_add(ifc->pace_timer, &tv);
}

/* Send as many packets as the bucket allows, then wait for tokens. */
static void pump(evutil_socket_t fd, short what, void *arg)
{
	struct rip_iface *ifc = arg;
	uint8_t buf[RIP_MAX_PACKET];

	refill(ifc, rp_clock_now_ms());
	while (ifc->jobs && ifc->tokens >= 1.0) {
		struct rip_job *j = ifc->jobs;
		size_t len = rip_output_build(ifc->rip, ifc, j, buf, sizeof(buf));

		if (len == 0) {
			ifc->jobs = j->next;
			ifc->njobs--;
			free(j);
			continue;
		}
		ifc->tokens -= 1.0;
		if (ifc->rip->send(ifc->rip, ifc->ifindex, j->src, j->dst, j->port, buf, len) == 0)
			ifc->stats.tx_packets++;
		else
			ifc->stats.tx_errors++;
	}
	if (ifc->jobs)
		schedule_pump(ifc);
}

void rip_output_kick(struct rip_iface *ifc)
{
	if (!ifc->jobs || (ifc->pace_timer && evtimer_pending(ifc->pace_timer, NULL)))
		return;
	pump(-1, 0, ifc);
}
