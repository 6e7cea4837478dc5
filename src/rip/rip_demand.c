/* SPDX-License-Identifier: ISC */
/*
 * rip_demand.c — triggered RIP on demand circuits (RFC 2091), interoperable with BIRD 2.x's
 * `demand circuit`. Only commands 9-11 are used on such an interface.
 *
 *  circuit up ─► Update Request (retried every RXMT until a flushing Update Response arrives,
 *                at most REQUEST_TRIES times) + our whole table as Update Responses, the first
 *                with flush = 1
 *  Update Responses go out stop-and-wait: one outstanding, retransmitted every RXMT until the
 *  Update Acknowledge echoing its sequence arrives; after RXMT_LIMIT tries the neighbor is
 *  unreachable: what we learned from it is held down (metric 16, garbage time), and we poll
 *  with Update Requests until it speaks again (then a fresh exchange).
 *  After the initial exchange only changes are sent; nothing is sent in steady state.
 *  Received Update Responses are acknowledged at once (same flush, same sequence); a repeated
 *  sequence is acknowledged but not processed again. Learned routes never age (presumption of
 *  reachability). flush = 1 marks everything learned from that neighbor; what the new transfer
 *  does not refresh within FLUSH_HOLD_MS of its last packet is withdrawn.
 *  Received Update Request ─► our whole table, unicast to the requester, flush = 1 (an empty
 *  table is sent as one empty Update Response, which the requester needs as its answer).
 *  Circuit down ─► routes through it withdrawn (held down by garbage collection); going down
 *  on purpose ─► one empty flushing Update Response, not retransmitted (a goodbye).
 */
#include "config.h"

#include <stdlib.h>

#include <event2/event.h>

#include "routprotd/clock.h"
#include "routprotd/prefix.h"
#include "rip/rip.h"

#define RXMT_MS 5000        /* RFC 2091 retransmission timer */
#define RXMT_LIMIT 36       /* 3 minutes of silence: the neighbor is unreachable */
#define REQUEST_TRIES 6     /* Update Request retries when no flushing answer comes */
#define FLUSH_HOLD_MS 10000 /* a flushing transfer's quiet time before stale routes go */
#define DEMAND_MAX_RTES 24  /* BIRD's default tx length (532) fits 24 entries */

struct rip_demand {
	struct rip_iface *ifc;
	uint16_t tx_seq;          /* sequence of the next new Update Response */
	bool outstanding;         /* a response waits for its acknowledgement */
	struct rip_msg out_msg;   /* the outstanding response: signed again at each transmission
				     (RFC 4822 receivers refuse a byte-identical copy as a replay) */
	uint16_t out_seq;
	uint32_t out_dst;
	unsigned tries;
	bool flush_next;          /* the next packet starts a whole-table transfer */
	struct rip_job job;       /* what is being sent (whole table or changes) */
	bool job_active;
	bool changes_waiting;     /* changes arrived during a transfer */
	bool table_lost;          /* a packet could not be built (no valid send key): the whole
				     table goes again at the next retransmission time */
	struct event *rxmt;
	unsigned request_tries;
	bool answered;            /* a flushing response arrived since the circuit came up */
	bool unreachable;
	struct event *flush_sweep;
	uint32_t flush_from;      /* neighbor whose flushed routes await the sweep */
	bool rx_seq_valid;
	uint16_t rx_seq;          /* last processed sequence (duplicate detection) */
	uint32_t rx_from;
	uint64_t tx_responses, tx_acks, rx_responses, rx_acks, rx_requests, retransmits;
	uint64_t duplicates, stray_acks;
};

static void arm(struct event *ev, int64_t ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	evtimer_add(ev, &tv);
}

/* Where this circuit's packets go: the configured neighbor, else the RIP group. */
static uint32_t circuit_dst(const struct rip_iface *ifc)
{
	return ifc->set->nneighbors ? ifc->set->neighbors[0] : RIP_MCAST_GROUP;
}

static const struct rp_local_binding *source_for(const struct rip_iface *ifc, uint32_t dst)
{
	const struct rp_local_binding *b = rip_iface_subnet_of(ifc, dst);

	return b ? b : (ifc->naddrs ? &ifc->addrs[0] : NULL);
}

/* Sign and send; false when no key may sign now. */
static bool send_msg(struct rip_iface *ifc, const struct rip_msg *m, uint32_t dst)
{
	const struct rp_local_binding *b = source_for(ifc, dst);
	uint8_t buf[RIP_MAX_PACKET];
	struct rip_msg copy = *m;
	size_t len = rip_auth_encode(ifc, &copy, buf, sizeof(buf));

	if (b && len)
		ifc->rip->send(ifc->rip, ifc->ifindex, b->address, dst, RIP_PORT, buf, len);
	return len != 0;
}

static void send_request(struct rip_iface *ifc)
{
	struct rip_msg m = { .command = RIP_CMD_UPDATE_REQUEST, .version = 2,
			     .trig_version = RIP_TRIGGER_VERSION, .nrtes = 1 };

	m.rtes[0].metric = RIP_METRIC_INFINITY;
	send_msg(ifc, &m, circuit_dst(ifc));
	ifc->stats.tx_requests++;
}

void rip_demand_update_request(struct rip_iface *ifc)
{
	if (ifc->demand)
		send_request(ifc);
}

static void transmit_outstanding(struct rip_iface *ifc)
{
	struct rip_demand *d = ifc->demand;

	send_msg(ifc, &d->out_msg, d->out_dst);
	arm(d->rxmt, RXMT_MS);
}

/* Build and send the next Update Response of the running job; false when the job has no
 * more (or it could not be signed). */
static bool next_packet(struct rip_iface *ifc)
{
	struct rip_demand *d = ifc->demand;
	struct rip_msg m = { .command = RIP_CMD_UPDATE_RESPONSE, .version = 2,
			     .trig_version = RIP_TRIGGER_VERSION };
	unsigned budget = rip_auth_max_rtes(ifc, true);
	unsigned max = budget < DEMAND_MAX_RTES ? budget : DEMAND_MAX_RTES;
	unsigned n = d->job_active ? rip_output_fill(ifc->rip, ifc, &d->job, &m, max) : 0;

	if (n == 0 && !d->flush_next) {
		d->job_active = false;
		return false;
	}
	m.trig_flush = d->flush_next; /* a whole empty table still needs its flushing packet */
	m.trig_seq = d->tx_seq++;
	d->flush_next = false;
	d->out_msg = m;
	d->out_dst = d->job.dst;
	if (!send_msg(ifc, &m, d->out_dst)) {
		rp_log_warning(COMP, "%s: cannot sign an Update Response (no key valid for sending):"
			    " the table goes again in %d s", ifc->name, RXMT_MS / 1000);
		d->job_active = false;
		d->changes_waiting = false;
		d->outstanding = false;
		d->table_lost = true;
		arm(d->rxmt, RXMT_MS);
		return false;
	}
	d->out_seq = m.trig_seq;
	d->outstanding = true;
	d->tries = 1;
	d->tx_responses++;
	ifc->stats.tx_packets++;
	arm(d->rxmt, RXMT_MS);
	return true;
}

static void start_job(struct rip_iface *ifc, enum rip_job_kind kind, uint32_t dst);

/* Send the next packet, or start the changes that waited for the transfer to end. */
static void pump(struct rip_iface *ifc)
{
	struct rip_demand *d = ifc->demand;

	if (d->outstanding || d->unreachable)
		return;
	if (next_packet(ifc))
		return;
	if (d->changes_waiting) {
		d->changes_waiting = false;
		start_job(ifc, RIP_JOB_CHANGES, circuit_dst(ifc));
	}
}

static void start_job(struct rip_iface *ifc, enum rip_job_kind kind, uint32_t dst)
{
	struct rip_demand *d = ifc->demand;
	const struct rp_local_binding *b = source_for(ifc, dst);

	if (!b)
		return;
	d->job = (struct rip_job){ .kind = kind, .src = b->address, .src_len = b->prefixlen,
				   .dst = dst, .port = RIP_PORT, .version = 2,
				   .since_seq = ifc->sent_seq };
	d->job_active = true;
	ifc->sent_seq = ifc->rip->change_seq;
	if (kind == RIP_JOB_FULL)
		d->flush_next = true;
	pump(ifc);
}

/* Our whole table, replacing whatever was being sent (a new transfer supersedes it). */
static void send_table(struct rip_iface *ifc, uint32_t dst)
{
	struct rip_demand *d = ifc->demand;

	d->outstanding = false;
	d->changes_waiting = false;
	d->table_lost = false;
	evtimer_del(d->rxmt);
	start_job(ifc, RIP_JOB_FULL, dst);
}

void rip_demand_changes(struct rip_iface *ifc)
{
	struct rip_demand *d = ifc->demand;

	if (!d || !ifc->active || d->unreachable || ifc->sent_seq >= ifc->rip->change_seq)
		return;
	if (d->job_active || d->outstanding) {
		d->changes_waiting = true;
		return;
	}
	start_job(ifc, RIP_JOB_CHANGES, circuit_dst(ifc));
}

/* The neighbor stopped acknowledging: hold its routes down and poll it. */
static void neighbor_unreachable(struct rip_iface *ifc)
{
	struct rip_demand *d = ifc->demand;

	rp_log_warning(COMP, "%s: demand circuit neighbor unreachable after %u tries: holding its "
		    "routes down", ifc->name, d->tries);
	d->unreachable = true;
	d->outstanding = false;
	d->job_active = false;
	rip_table_withdraw_iface(ifc->rip, ifc->ifindex);
	send_request(ifc);
	arm(d->rxmt, RXMT_MS);
}

static void on_rxmt(evutil_socket_t fd, short what, void *arg)
{
	struct rip_iface *ifc = arg;
	struct rip_demand *d = ifc->demand;

	if (d->unreachable) { /* poll until it answers */
		send_request(ifc);
		arm(d->rxmt, RXMT_MS);
		return;
	}
	if (d->table_lost && !d->outstanding) {
		send_table(ifc, circuit_dst(ifc));
		return;
	}
	if (!d->answered && d->request_tries < REQUEST_TRIES) {
		d->request_tries++;
		send_request(ifc);
	}
	if (!d->outstanding) {
		if (!d->answered && d->request_tries < REQUEST_TRIES)
			arm(d->rxmt, RXMT_MS);
		return;
	}
	if (d->tries >= RXMT_LIMIT) {
		neighbor_unreachable(ifc);
		return;
	}
	d->tries++;
	d->retransmits++;
	transmit_outstanding(ifc);
}

/* ---- receiving ---- */

static void send_ack(struct rip_iface *ifc, const struct rip_msg *resp, uint32_t to)
{
	struct rip_msg m = { .command = RIP_CMD_UPDATE_ACK, .version = 2,
			     .trig_version = RIP_TRIGGER_VERSION, .trig_flush = resp->trig_flush,
			     .trig_seq = resp->trig_seq };

	send_msg(ifc, &m, to);
	ifc->demand->tx_acks++;
}

static void on_flush_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct rip_iface *ifc = arg;

	rip_table_sweep_marked(ifc->rip, ifc->ifindex, ifc->demand->flush_from);
}

static void to_table(struct rip *rip, struct rip_iface *ifc, const struct rip_entry *e,
		     void *arg)
{
	if (rip_table_update(rip, ifc, e->from, e->prefix, e->len, e->gateway, e->metric,
			     e->tag) && ifc->update)
		rip_update_collect(ifc, e); /* not what a route limit refused */
}

/* The neighbor spoke again after we gave up on it: start over. */
/* The neighbor answers again: our whole table goes to it (its Update Request, if that is
 * what it sent, asks for exactly that, so `requested` says whether to send it there). */
static void neighbor_back(struct rip_iface *ifc, bool requested)
{
	struct rip_demand *d = ifc->demand;

	rp_log_notice(COMP, "%s: demand circuit neighbor answers again", ifc->name);
	d->unreachable = false;
	evtimer_del(d->rxmt);
	if (!requested)
		send_table(ifc, circuit_dst(ifc));
}

static void rx_response(struct rip_iface *ifc, struct rip_neighbor *nbr,
			const struct rip_msg *m, uint32_t src)
{
	struct rip_demand *d = ifc->demand;

	send_ack(ifc, m, src);
	if (d->rx_seq_valid && d->rx_from == src && d->rx_seq == m->trig_seq && !m->trig_flush) {
		d->duplicates++;
		return;
	}
	d->rx_seq_valid = true;
	d->rx_seq = m->trig_seq;
	d->rx_from = src;
	d->rx_responses++;
	if (m->trig_flush) {
		d->answered = true;
		d->flush_from = src;
		rip_table_mark_from(ifc->rip, ifc->ifindex, src);
	}
	if (evtimer_pending(d->flush_sweep, NULL) || m->trig_flush)
		arm(d->flush_sweep, FLUSH_HOLD_MS);
	rip_input_entries(ifc->rip, ifc, nbr, m, src, to_table, NULL);
	if (ifc->update)
		rip_update_touch(ifc);
}

static void rx_ack(struct rip_iface *ifc, const struct rip_msg *m)
{
	struct rip_demand *d = ifc->demand;

	d->rx_acks++;
	if (!d->outstanding || m->trig_seq != d->out_seq) {
		d->stray_acks++;
		return;
	}
	d->outstanding = false;
	evtimer_del(d->rxmt);
	if (!d->answered && d->request_tries < REQUEST_TRIES)
		arm(d->rxmt, RXMT_MS); /* keep asking for its table */
	pump(ifc);
}

void rip_demand_input(struct rip_iface *ifc, struct rip_neighbor *nbr, const struct rip_msg *m,
		      uint32_t src)
{
	struct rip_demand *d = ifc->demand;

	if (!d)
		return;
	if (d->unreachable)
		neighbor_back(ifc, m->command == RIP_CMD_UPDATE_REQUEST);
	switch (m->command) {
	case RIP_CMD_UPDATE_REQUEST:
		d->rx_requests++;
		ifc->stats.rx_requests++;
		send_table(ifc, src);
		break;
	case RIP_CMD_UPDATE_RESPONSE:
		rx_response(ifc, nbr, m, src);
		break;
	case RIP_CMD_UPDATE_ACK:
		rx_ack(ifc, m);
		break;
	}
}

/* ---- circuit up / down ---- */

void rip_demand_up(struct rip_iface *ifc)
{
	struct rip_demand *d = ifc->demand;

	if (!d)
		return;
	d->answered = false;
	d->request_tries = 0;
	d->unreachable = false;
	d->rx_seq_valid = false;
	send_request(ifc);
	send_table(ifc, circuit_dst(ifc));
	if (!evtimer_pending(d->rxmt, NULL))
		arm(d->rxmt, RXMT_MS);
}

void rip_demand_down(struct rip_iface *ifc, bool goodbye)
{
	struct rip_demand *d = ifc->demand;
	struct rip_msg m = { .command = RIP_CMD_UPDATE_RESPONSE, .version = 2,
			     .trig_version = RIP_TRIGGER_VERSION, .trig_flush = 1 };

	if (!d)
		return;
	if (goodbye && ifc->naddrs > 0) {
		m.trig_seq = d->tx_seq++;
		send_msg(ifc, &m, circuit_dst(ifc));
	}
	evtimer_del(d->rxmt);
	evtimer_del(d->flush_sweep);
	d->outstanding = false;
	d->job_active = false;
	d->changes_waiting = false;
}

bool rip_demand_create(struct rip_iface *ifc)
{
	struct rip_demand *d;

	if (ifc->set->mode != RIP_MODE_DEMAND || ifc->demand)
		return true;
	d = calloc(1, sizeof(*d));
	if (!d)
		return false;
	d->ifc = ifc;
	d->rxmt = evtimer_new(ifc->rip->sup.base, on_rxmt, ifc);
	d->flush_sweep = evtimer_new(ifc->rip->sup.base, on_flush_sweep, ifc);
	ifc->demand = d;
	if (!d->rxmt || !d->flush_sweep) {
		rip_demand_free(ifc);
		return false;
	}
	return true;
}

void rip_demand_free(struct rip_iface *ifc)
{
	struct rip_demand *d = ifc->demand;

	if (!d)
		return;
	if (d->rxmt)
		event_free(d->rxmt);
	if (d->flush_sweep)
		event_free(d->flush_sweep);
	free(d);
	ifc->demand = NULL;
}

/* The timers' work, now (tests drive the state machine without waiting 5 s). */
void rip_demand_retransmit_now(struct rip_iface *ifc)
{
	if (ifc->demand)
		on_rxmt(-1, 0, ifc);
}

void rip_demand_sweep_now(struct rip_iface *ifc)
{
	if (ifc->demand)
		on_flush_sweep(-1, 0, ifc);
}

bool rip_demand_peer_unreachable(const struct rip_iface *ifc)
{
	return ifc->demand && ifc->demand->unreachable;
}

json_t *rip_demand_json(const struct rip_iface *ifc)
{
	const struct rip_demand *d = ifc->demand;

	if (!d)
		return NULL;
	return json_pack("{s:b,s:b,s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
			 "answered", d->answered, "unreachable", d->unreachable,
			 "outstanding", d->outstanding,
			 "tx_responses", (json_int_t)d->tx_responses,
			 "tx_acks", (json_int_t)d->tx_acks,
			 "rx_responses", (json_int_t)d->rx_responses,
			 "rx_acks", (json_int_t)d->rx_acks,
			 "rx_requests", (json_int_t)d->rx_requests,
			 "retransmits", (json_int_t)d->retransmits,
			 "duplicates", (json_int_t)d->duplicates,
			 "stray_acks", (json_int_t)d->stray_acks);
}
