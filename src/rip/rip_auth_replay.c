/* SPDX-License-Identifier: ISC */
/*
 * rip_auth_replay.c — RFC 4822 replay protection: per authenticated sender (address and
 * interface name) the highest sequence number accepted and the digests accepted at that number.
 *
 *   seq > last          accepted: the new number, its digest the first remembered
 *   seq == last         accepted unless the same digest was accepted at this number already
 *                       (a sender sends several packets with one number — one update — but a
 *                       byte-identical packet is a copy)
 *   seq < last          a replay, unless the interface's auth-sequence-reset lets a sender
 *                       that was silent long enough start again (a restarted counter)
 *
 * The records outlive neighbor rows, timeouts and interface re-creation: silence alone never
 * reopens old packets. They are created only for packets whose digest was verified (only key
 * holders can make one), at most RIP_MAX_AUTH_PEERS of them, and live until the instance stops.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routprotd/clock.h"
#include "rip/rip.h"

#define RIP_MAX_AUTH_PEERS 4096
#define MAX_FPS_PER_SEQ 8192 /* packets one sender may send with one sequence number */

static int peer_cmp(const struct rp_avl_node *a, const struct rp_avl_node *b)
{
	const struct rip_auth_peer *x = rp_avl_entry(a, struct rip_auth_peer, node);
	const struct rip_auth_peer *y = rp_avl_entry(b, struct rip_auth_peer, node);

	if (x->address != y->address)
		return x->address < y->address ? -1 : 1;
	return strcmp(x->ifname, y->ifname);
}

void rip_auth_peers_init(struct rip *rip)
{
	rp_avl_init(&rip->auth_peers, peer_cmp);
}

void rip_auth_peers_free(struct rip *rip)
{
	struct rp_avl_node *n = rp_avl_first(&rip->auth_peers);

	while (n) {
		struct rip_auth_peer *p = rp_avl_entry(n, struct rip_auth_peer, node);

		n = rp_avl_next(n);
		rp_avl_remove(&rip->auth_peers, &p->node);
		free(p->fps);
		free(p);
	}
}

struct rip_auth_peer *rip_auth_peer_find(const struct rip *rip, uint32_t addr,
					 const char *ifname)
{
	struct rip_auth_peer key = { .address = addr };
	struct rp_avl_node *n;

	snprintf(key.ifname, sizeof(key.ifname), "%s", ifname);
	n = rp_avl_find(&rip->auth_peers, &key.node);
	return n ? rp_avl_entry(n, struct rip_auth_peer, node) : NULL;
}

static struct rip_auth_peer *peer_new(struct rip *rip, uint32_t addr, const char *ifname)
{
	struct rip_auth_peer *p;

	if (rip->auth_peers.count >= RIP_MAX_AUTH_PEERS)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->address = addr;
	snprintf(p->ifname, sizeof(p->ifname), "%s", ifname);
	rp_avl_insert(&rip->auth_peers, &p->node);
	return p;
}

/* Whether a sender silent since p->heard_ms may start again from a lower number. On a demand
 * circuit silence is the steady state (RFC 2091): only a neighbor the circuit gave up on may. */
static bool may_restart(const struct rip_iface *ifc, const struct rip_auth_peer *p)
{
	int reset = ifc->set->auth_seq_reset;
	int64_t silent = rp_clock_now_ms() - p->heard_ms;

	if (reset == RIP_SEQ_RESET_NEVER)
		return false;
	if (ifc->set->mode == RIP_MODE_DEMAND && !rip_demand_peer_unreachable(ifc))
		return false;
	if (reset == RIP_SEQ_RESET_TIMEOUT)
		return ifc->set->mode == RIP_MODE_DEMAND ||
		       silent > (int64_t)ifc->set->timers.timeout * 1000;
	return silent > (int64_t)reset * 1000;
}

static bool seen_at_seq(const struct rip_auth_peer *p, const uint8_t *fp)
{
	for (unsigned i = 0; i < p->nfps; i++)
		if (memcmp(p->fps[i], fp, RIP_AUTH_FP_LEN) == 0)
			return true;
	return false;
}

static bool remember(struct rip_auth_peer *p, const uint8_t *fp)
{
	if (p->nfps == p->capfps) {
		unsigned cap = p->capfps ? p->capfps * 2 : 4;
		void *grown;

		if (cap > MAX_FPS_PER_SEQ)
			return false;
		grown = realloc(p->fps, (size_t)cap * sizeof(*p->fps));
		if (!grown)
			return false;
		p->fps = grown;
		p->capfps = cap;
	}
	memcpy(p->fps[p->nfps++], fp, RIP_AUTH_FP_LEN);
	return true;
}

const char *rip_auth_replay_check(struct rip_iface *ifc, uint32_t addr, uint32_t seq,
				  const uint8_t *digest, size_t digest_len, bool *replay)
{
	struct rip_auth_peer *p = rip_auth_peer_find(ifc->rip, addr, ifc->name);
	uint8_t fp[RIP_AUTH_FP_LEN] = { 0 };
	bool fresh;

	memcpy(fp, digest, digest_len < sizeof(fp) ? digest_len : sizeof(fp));
	if (!p) {
		p = peer_new(ifc->rip, addr, ifc->name);
		if (!p)
			return "no room to record the sender's sequence number";
		fresh = true;
	} else if (seq < p->seq) {
		*replay = !may_restart(ifc, p);
		if (*replay)
			return "sequence number went down (replay?)";
		fresh = true;
	} else {
		fresh = seq > p->seq;
		*replay = !fresh && seen_at_seq(p, fp);
		if (*replay)
			return "identical packet at the same sequence number (replay)";
	}
	if (fresh)
		p->nfps = 0;
	if (!remember(p, fp))
		return "too many packets with one sequence number";
	p->seq = seq;
	p->heard_ms = rp_clock_now_ms();
	return NULL;
}
