/* SPDX-License-Identifier: ISC */
/*
 * rip_input.c — the receive path (RFC 2453 3.9). Envelope first, each failure dropping the
 * whole packet with a counter and a rate-limited log line: a RIP interface that is running,
 * source port 520 for responses, a source on a directly connected subnet of the receiving
 * interface, not one of our own addresses, a well-formed packet (rip_codec), an accepted
 * version, no authentication we were not configured for. Then entry by entry, a bad entry being
 * skipped and counted: AFI, address class, mask consistent with the address, metric 1..16, next
 * hop usable. RIPv1 entries get their mask from the classful rules (a RIPv1 packet with a
 * must-be-zero field set anywhere is refused whole by the codec, RFC 1058 3.4; versions above 2
 * arrive decoded as version 2, authentication included). Valid entries then meet the
 * interface's accept policy (rip_policy.c): refused ones are counted, not logged; announcements
 * of neighbors the policy does not listen to are dropped whole.
 */
#include "config.h"

#include "routprotd/prefix.h"
#include "rip/rip.h"

static const char *const drop_names[RIP_DROP_COUNT] = {
	[RIP_DROP_NOT_RIP_IFACE] = "not a RIP interface",
	[RIP_DROP_INACTIVE] = "interface not running",
	[RIP_DROP_BAD_PORT] = "response not from port 520",
	[RIP_DROP_NOT_CONNECTED] = "source not on a connected subnet",
	[RIP_DROP_OWN] = "our own packet",
	[RIP_DROP_DECODE] = "malformed",
	[RIP_DROP_VERSION] = "RIP version unknown or not accepted on this interface",
	[RIP_DROP_AUTH] = "authentication failed",
	[RIP_DROP_COMMAND] = "command unknown or not accepted on this interface",
	[RIP_DROP_PASSIVE] = "request on a passive interface or demand circuit",
	[RIP_DROP_TRUNCATED] = "truncated",
	[RIP_DROP_PEER] = "sender not an accepted peer (accept-peers / ignore-peers)",
	[RIP_DROP_REPLAY] = "replayed (RFC 4822 sequence number)",
};

/* Receive context of one packet. */
struct rx {
	struct rip *rip;
	struct rip_iface *ifc;
	struct rip_neighbor *nbr; /* NULL unless the sender is a router (port 520) */
	uint32_t src;
	uint16_t sport;
	const struct rip_msg *msg;
	const uint8_t *buf; /* the packet as received (authentication covers its bytes) */
	size_t len;
};

static void drop(struct rip *rip, struct rip_iface *ifc, struct rip_neighbor *nbr,
		 enum rip_drop why, uint32_t src, const char *detail)
{
	char a[RP_ADDR4_STRLEN];

	rip->stats.rx_dropped++;
	rip->stats.drops[why]++;
	if (why == RIP_DROP_PEER) {
		ifc->stats.rx_ignored_peer++; /* policy, not a fault of the packet */
		return;
	}
	if (ifc)
		ifc->stats.rx_bad_packets++;
	if (nbr)
		nbr->bad_packets++;
	if (why == RIP_DROP_OWN)
		return;
	rp_log_rl(&rip->rl_drop, RP_LOG_WARNING, COMP, "dropped packet from %s on %s: %s%s%s",
	       rp_addr4_format(src, a), ifc ? ifc->name : "?", drop_names[why],
	       detail ? ": " : "", detail ? detail : "");
}

static void bad_entry(struct rx *rx, unsigned i, const char *why)
{
	char a[RP_ADDR4_STRLEN];

	rx->ifc->stats.rx_bad_routes++;
	if (rx->nbr)
		rx->nbr->bad_routes++;
	rp_log_rl(&rx->rip->rl_entry, RP_LOG_WARNING, COMP, "%s: entry %u from %s ignored: %s",
	       rx->ifc->name, i + 1, rp_addr4_format(rx->src, a), why);
}

static bool version_accepted(const struct rip_iface *ifc, uint8_t version)
{
	return ifc->set->version == RIP_VERSION_2 ? version == 2 : true;
}

/* Destination address usable in a route (RFC 2453 3.9.2): not class D/E, not loopback, not
 * net 0 except the default route. */
static const char *address_problem(uint32_t addr, uint8_t len)
{
	if (addr >= 0xe0000000u)
		return "class D/E address";
	if ((addr >> 24) == 127)
		return "loopback address";
	if ((addr >> 24) == 0 && !(addr == 0 && len == 0))
		return "address in net 0";
	return NULL;
}

/* RIPv1 (or RIPv2 without a mask): the length the address stands for, from the receiving
 * subnet for our own network, else the classful length, or a host route when host bits are
 * set beyond it. */
static uint8_t implied_len(const struct rip_iface *ifc, uint32_t src, uint32_t addr)
{
	const struct rp_local_binding *b = rip_iface_subnet_of(ifc, src);
	uint8_t cls = rip_classful_len(addr);

	if (addr == 0)
		return 0;
	if (b && cls && rip_classful_len(b->address) == cls &&
	    rp_prefix4_contains(b->address, cls, addr))
		return (addr & ~rp_prefix4_mask(b->prefixlen)) ? 32 : b->prefixlen;
	return (addr & ~rp_prefix4_mask(cls)) ? 32 : cls;
}

/* Validate one entry; on success fills prefix/len/gateway/metric. Returns a reason or NULL. */
static const char *check_entry(struct rx *rx, const struct rip_rte *e, uint32_t *prefix,
			       uint8_t *len, uint32_t *gateway, uint8_t *metric)
{
	int mlen;

	if (e->afi != RIP_AFI_INET)
		return "address family not IP";
	if (e->metric < 1 || e->metric > RIP_METRIC_INFINITY)
		return "metric outside 1..16";
	if (e->mask == 0) {
		mlen = implied_len(rx->ifc, rx->src, e->addr);
	} else if ((mlen = rp_mask4_to_len(e->mask)) < 0) {
		return "non-contiguous subnet mask";
	}
	if (e->addr & ~rp_prefix4_mask((unsigned)mlen))
		return "address has bits outside its mask";
	if (address_problem(e->addr, (uint8_t)mlen))
		return address_problem(e->addr, (uint8_t)mlen);
	*prefix = e->addr;
	*len = (uint8_t)mlen;
	*metric = (uint8_t)(e->metric + (uint32_t)rx->ifc->set->cost > RIP_METRIC_INFINITY
				    ? RIP_METRIC_INFINITY
				    : e->metric + (uint32_t)rx->ifc->set->cost);
	/* A next hop off our subnet, or ourselves, means "via the sender" (RFC 2453 4.4). */
	*gateway = rx->src;
	if (e->nexthop && e->nexthop < 0xe0000000u && (e->nexthop >> 24) != 127 &&
	    !rip_is_own_address(rx->rip, e->nexthop) && rip_iface_subnet_of(rx->ifc, e->nexthop))
		*gateway = e->nexthop;
	return NULL;
}

void rip_input_entries(struct rip *rip, struct rip_iface *ifc, struct rip_neighbor *nbr,
		       const struct rip_msg *msg, uint32_t src, rip_entry_sink sink, void *arg)
{
	struct rx rx = { .rip = rip, .ifc = ifc, .nbr = nbr, .src = src, .msg = msg };

	if (nbr)
		nbr->rx_routes += msg->nrtes;
	for (unsigned i = 0; i < msg->nrtes; i++) {
		struct rip_entry e = { .from = src, .tag = msg->rtes[i].tag };
		const char *why = check_entry(&rx, &msg->rtes[i], &e.prefix, &e.len, &e.gateway,
					      &e.metric);

		if (why)
			bad_entry(&rx, i, why);
		else if (!rip_policy_accepts(ifc->set, e.prefix, e.len))
			ifc->stats.rx_filtered_routes++;
		else
			sink(rip, ifc, &e, arg);
	}
}

static void to_table(struct rip *rip, struct rip_iface *ifc, const struct rip_entry *e,
		     void *arg)
{
	rip_table_update(rip, ifc, e->from, e->prefix, e->len, e->gateway, e->metric, e->tag);
}

/* RFC 2453 3.9.1: one entry, AFI 0, metric 16 = the whole table; else answer entry by entry. */
static void process_request(struct rx *rx, uint32_t dst)
{
	const struct rip_msg *m = rx->msg;
	const struct rp_local_binding *b = rip_iface_subnet_of(rx->ifc, rx->src);
	uint8_t buf[RIP_MAX_PACKET];
	size_t len;

	rx->ifc->stats.rx_requests++;
	if (!b)
		return;
	if (m->nrtes == 1 && m->rtes[0].afi == 0 && m->rtes[0].metric == RIP_METRIC_INFINITY) {
		/* a request merged into a queued answer is answered by it */
		if (rip_output_reply_full(rx->ifc, b->address, rx->src, rx->sport, m->version) !=
		    RIP_REPLY_REFUSED)
			rx->rip->stats.queries++;
		return;
	}
	len = rip_output_answer(rx->rip, rx->ifc, m, m->version, buf, sizeof(buf));
	if (!len)
		return;
	if (rx->rip->send(rx->rip, rx->ifc->ifindex, b->address, rx->src, rx->sport, buf, len) == 0)
		rx->ifc->stats.tx_packets++;
	else
		rx->ifc->stats.tx_errors++;
}

/* Envelope checks that need no decoding. Returns the interface or NULL (dropped). */
static struct rip_iface *check_source(struct rip *rip, uint32_t ifindex, uint32_t src)
{
	struct rip_iface *ifc = rip_iface_find(rip, ifindex);

	if (!ifc) {
		drop(rip, NULL, NULL, RIP_DROP_NOT_RIP_IFACE, src, NULL);
		return NULL;
	}
	if (!ifc->active) {
		drop(rip, ifc, NULL, RIP_DROP_INACTIVE, src, NULL);
		return NULL;
	}
	if (rip_is_own_address(rip, src)) {
		drop(rip, ifc, NULL, RIP_DROP_OWN, src, NULL);
		return NULL;
	}
	if (!rip_iface_subnet_of(ifc, src)) {
		drop(rip, ifc, NULL, RIP_DROP_NOT_CONNECTED, src, NULL);
		return NULL;
	}
	return ifc;
}

/* Checks that need the decoded message; false = dropped. */
static bool check_message(struct rx *rx, enum rip_decode_status st)
{
	const char *why;
	bool replay;

	if (st != RIP_DECODE_OK) {
		enum rip_drop reason = st == RIP_DECODE_BAD_VERSION ? RIP_DROP_VERSION
				       : st == RIP_DECODE_BAD_COMMAND ? RIP_DROP_COMMAND
								      : RIP_DROP_DECODE;

		drop(rx->rip, rx->ifc, rx->nbr, reason, rx->src, rip_decode_status_name(st));
		return false;
	}
	if (rx->msg->command == RIP_CMD_RESPONSE && rx->sport != RIP_PORT) {
		drop(rx->rip, rx->ifc, rx->nbr, RIP_DROP_BAD_PORT, rx->src, NULL);
		return false;
	}
	if (!version_accepted(rx->ifc, rx->msg->version)) {
		drop(rx->rip, rx->ifc, rx->nbr, RIP_DROP_VERSION, rx->src, NULL);
		return false;
	}
	why = rip_auth_check(rx->ifc, rx->nbr, rx->buf, rx->len, rx->msg, &replay);
	if (why) {
		drop(rx->rip, rx->ifc, rx->nbr, replay ? RIP_DROP_REPLAY : RIP_DROP_AUTH, rx->src,
		     why);
		return false;
	}
	return true;
}

static void dispatch(struct rx *rx, uint32_t dst)
{
	if (rx->msg->command != RIP_CMD_REQUEST && !rip_policy_hears(rx->ifc->set, rx->src)) {
		drop(rx->rip, rx->ifc, rx->nbr, RIP_DROP_PEER, rx->src, NULL);
		return;
	}
	switch (rx->msg->command) {
	case RIP_CMD_REQUEST:
		if (rx->ifc->set->passive || rx->ifc->set->mode == RIP_MODE_DEMAND) {
			drop(rx->rip, rx->ifc, rx->nbr, RIP_DROP_PASSIVE, rx->src, NULL);
			return;
		}
		process_request(rx, dst);
		return;
	case RIP_CMD_RESPONSE:
		if (rx->ifc->set->mode == RIP_MODE_DEMAND) {
			drop(rx->rip, rx->ifc, rx->nbr, RIP_DROP_COMMAND, rx->src,
			     "plain response on a demand circuit");
			return;
		}
		if (rx->ifc->set->mode == RIP_MODE_PERIODIC)
			rip_input_entries(rx->rip, rx->ifc, rx->nbr, rx->msg, rx->src, to_table,
					  NULL);
		else if (rx->ifc->update)
			rip_update_response(rx->ifc, rx->nbr, rx->msg, rx->src,
					    dst != RIP_MCAST_GROUP && dst != 0xffffffffu &&
					    rip_is_own_address(rx->rip, dst));
		else
			rx->ifc->stats.ignored_unsolicited++;
		return;
	default:
		if (rx->ifc->set->mode == RIP_MODE_DEMAND) {
			rip_demand_input(rx->ifc, rx->nbr, rx->msg, rx->src);
			return;
		}
		drop(rx->rip, rx->ifc, rx->nbr, RIP_DROP_COMMAND, rx->src, NULL);
	}
}

void rip_input_packet(struct rip *rip, uint32_t ifindex, uint32_t src, uint16_t sport,
		      uint32_t dst, const uint8_t *buf, size_t len)
{
	struct rip_msg msg;
	enum rip_decode_status st;
	struct rx rx = { .rip = rip, .src = src, .sport = sport, .msg = &msg, .buf = buf,
			 .len = len };

	rx.ifc = check_source(rip, ifindex, src);
	if (!rx.ifc)
		return;
	rx.ifc->stats.rx_packets++;
	st = rip_decode(buf, len, &msg);
	if (st == RIP_DECODE_NO_ENTRIES && len >= RIP_HDR_LEN && buf[0] == RIP_CMD_REQUEST)
		return; /* an empty request is ignored (RFC 2453 3.9.1) */
	if (sport == RIP_PORT) {
		rx.nbr = rip_neighbor_get(rip, src, ifindex);
		if (rx.nbr) {
			rx.nbr->rx_packets++;
			if (st == RIP_DECODE_OK)
				rx.nbr->version = msg.version;
		}
	}
	if (!check_message(&rx, st))
		return;
	rip_neighbor_heard(rip, rx.nbr);
	dispatch(&rx, dst);
}
