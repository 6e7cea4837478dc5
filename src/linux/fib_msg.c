/* SPDX-License-Identifier: ISC */
/*
 * fib_msg.c — building and parsing rtnetlink IPv4 route messages (see fib_msg.h).
 *
 * Netlink headers and attributes are in host byte order, addresses in network byte order. The
 * kernel's structs (nlmsghdr, rtmsg, rtattr, rtnexthop) define the layout; they are copied in
 * and out with memcpy and every length is checked against what is left before it is used.
 *
 * Writes: an install is RTM_NEWROUTE with NLM_F_CREATE and NLM_F_REPLACE over our own route
 * or NLM_F_EXCL for a new one (so another protocol's route is never taken over; fib_exists.c
 * reads back whose route an EEXIST met), type
 * unicast, scope universe (link when no next hop has a gateway), RTA_PRIORITY, and either
 * RTA_GATEWAY + RTA_OIF or RTA_MULTIPATH (weight 1 each). A delete is RTM_DELROUTE naming
 * table, prefix, priority and protocol, with scope "nowhere" so that any scope matches. Tables
 * above 255 travel in RTA_TABLE (rtm_table is only 8 bits). No NLM_F_ACK: the kernel answers
 * failures only.
 */
#include "config.h"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "linux/fib_msg.h"

struct builder {
	uint8_t *buf;
	size_t room;
	size_t off;
	bool err;
};

static void put(struct builder *b, const void *data, size_t n)
{
	size_t padded = NLMSG_ALIGN(n);

	if (b->err || padded > b->room - b->off) {
		b->err = true;
		return;
	}
	memcpy(b->buf + b->off, data, n);
	memset(b->buf + b->off + n, 0, padded - n);
	b->off += padded;
}

/* Start an attribute; returns its offset for attr_end(). */
static size_t attr_begin(struct builder *b, uint16_t type)
{
	struct rtattr a = { .rta_len = 0, .rta_type = type };
	size_t start = b->off;

	put(b, &a, sizeof(a));
	return start;
}

static void attr_end(struct builder *b, size_t start)
{
	uint16_t len = (uint16_t)(b->off - start);

	if (!b->err)
		memcpy(b->buf + start + offsetof(struct rtattr, rta_len), &len, sizeof(len));
}

static void put_attr(struct builder *b, uint16_t type, const void *data, size_t n)
{
	struct rtattr a = { .rta_len = (unsigned short)RTA_LENGTH(n), .rta_type = type };

	if (b->err || RTA_SPACE(n) > b->room - b->off) {
		b->err = true;
		return;
	}
	memcpy(b->buf + b->off, &a, sizeof(a));
	b->off += sizeof(a);
	put(b, data, n);
}

static void put_u32(struct builder *b, uint16_t type, uint32_t v)
{
	put_attr(b, type, &v, sizeof(v));
}

static void put_addr(struct builder *b, uint16_t type, uint32_t host_order)
{
	uint32_t be = htonl(host_order);

	put_attr(b, type, &be, sizeof(be));
}

static void put_multipath(struct builder *b, const struct fib_msg_write *w)
{
	size_t mp = attr_begin(b, RTA_MULTIPATH);

	for (unsigned i = 0; i < w->nnexthops; i++) {
		struct rtnexthop nh = { .rtnh_hops = 0, /* weight 1 */
					.rtnh_ifindex = (int)w->nexthops[i].ifindex };
		size_t start = b->off;
		unsigned short len;

		put(b, &nh, sizeof(nh));
		if (w->nexthops[i].gateway)
			put_addr(b, RTA_GATEWAY, w->nexthops[i].gateway);
		len = (unsigned short)(b->off - start);
		if (!b->err)
			memcpy(b->buf + start + offsetof(struct rtnexthop, rtnh_len), &len,
			       sizeof(len));
	}
	attr_end(b, mp);
}

static bool any_gateway(const struct fib_msg_write *w)
{
	for (unsigned i = 0; i < w->nnexthops; i++) {
		if (w->nexthops[i].gateway)
			return true;
	}
	return false;
}

static void put_rtmsg(struct builder *b, const struct fib_msg_write *w)
{
	struct rtmsg rtm = {
		.rtm_family = AF_INET,
		.rtm_dst_len = w->len,
		.rtm_table = w->table > 255 ? RT_TABLE_UNSPEC : (uint8_t)w->table,
		.rtm_protocol = w->protocol,
		.rtm_type = RTN_UNICAST,
	};

	if (!w->install)
		rtm.rtm_scope = RT_SCOPE_NOWHERE; /* delete: any scope */
	else
		rtm.rtm_scope = any_gateway(w) ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	put(b, &rtm, sizeof(rtm));
}

size_t fib_msg_build(void *buf, size_t room, const struct fib_msg_write *w, uint32_t seq)
{
	struct builder b = { .buf = buf, .room = room };
	struct nlmsghdr h = {
		.nlmsg_type = w->install ? RTM_NEWROUTE : RTM_DELROUTE,
		.nlmsg_flags = NLM_F_REQUEST,
		.nlmsg_seq = seq,
	};
	uint32_t len;

	if (w->install)
		h.nlmsg_flags |= NLM_F_CREATE | (w->replace ? NLM_F_REPLACE : NLM_F_EXCL);
	put(&b, &h, sizeof(h));
	put_rtmsg(&b, w);
	put_addr(&b, RTA_DST, w->prefix);
	if (w->table > 255)
		put_u32(&b, RTA_TABLE, w->table);
	put_u32(&b, RTA_PRIORITY, w->priority);
	if (w->install && w->nnexthops == 1) {
		if (w->nexthops[0].gateway)
			put_addr(&b, RTA_GATEWAY, w->nexthops[0].gateway);
		if (w->nexthops[0].ifindex) /* 0: the kernel picks the gateway's interface */
			put_u32(&b, RTA_OIF, w->nexthops[0].ifindex);
	} else if (w->install && w->nnexthops > 1) {
		put_multipath(&b, w);
	}
	if (b.err)
		return 0;
	len = (uint32_t)b.off;
	memcpy(b.buf + offsetof(struct nlmsghdr, nlmsg_len), &len, sizeof(len));
	return b.off;
}

size_t fib_msg_dump_request(void *buf, uint32_t table, uint32_t seq)
{
	struct builder b = { .buf = buf, .room = 64 };
	struct nlmsghdr h = {
		.nlmsg_type = RTM_GETROUTE,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.nlmsg_seq = seq,
	};
	struct rtmsg rtm = { .rtm_family = AF_INET };
	uint32_t len;

	put(&b, &h, sizeof(h));
	put(&b, &rtm, sizeof(rtm));
	put_u32(&b, RTA_TABLE, table);
	len = (uint32_t)b.off;
	memcpy(b.buf + offsetof(struct nlmsghdr, nlmsg_len), &len, sizeof(len));
	return b.off;
}

/* ---- parsing ---- */

const struct nlmsghdr *fib_msg_next(const uint8_t *buf, size_t len, size_t *off)
{
	const struct nlmsghdr *h;
	size_t step;

	if (*off > len || len - *off < NLMSG_HDRLEN)
		return NULL;
	h = (const struct nlmsghdr *)(buf + *off);
	if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > len - *off)
		return NULL;
	step = NLMSG_ALIGN(h->nlmsg_len);
	*off += step < len - *off ? step : len - *off;
	return h;
}

struct attr_iter {
	const uint8_t *p;
	size_t left;
};

/* The next attribute: type, payload and payload length; false at the end or when malformed. */
static bool attr_next(struct attr_iter *it, uint16_t *type, const uint8_t **data, size_t *len)
{
	struct rtattr a;
	size_t step;

	if (it->left < sizeof(a))
		return false;
	memcpy(&a, it->p, sizeof(a));
	if (a.rta_len < sizeof(a) || a.rta_len > it->left)
		return false;
	*type = a.rta_type & NLA_TYPE_MASK;
	*data = it->p + RTA_LENGTH(0);
	*len = a.rta_len - RTA_LENGTH(0);
	step = RTA_ALIGN(a.rta_len);
	it->p += step < it->left ? step : it->left;
	it->left -= step < it->left ? step : it->left;
	return true;
}

static bool get_u32(const uint8_t *data, size_t len, uint32_t *out)
{
	if (len < sizeof(*out))
		return false;
	memcpy(out, data, sizeof(*out));
	return true;
}

static bool get_addr(const uint8_t *data, size_t len, uint32_t *out)
{
	uint32_t be;

	if (!get_u32(data, len, &be))
		return false;
	*out = ntohl(be);
	return true;
}

/* One rtnexthop with its attributes; returns the bytes it spans, 0 when malformed. */
static size_t parse_one_nexthop(const uint8_t *p, size_t left, struct rp_nexthop *nh)
{
	struct rtnexthop rtnh;
	struct attr_iter it;
	const uint8_t *data;
	uint16_t type;
	size_t len, used;

	if (left < sizeof(rtnh))
		return 0;
	memcpy(&rtnh, p, sizeof(rtnh));
	if (rtnh.rtnh_len < sizeof(rtnh) || rtnh.rtnh_len > left)
		return 0;
	nh->ifindex = (uint32_t)rtnh.rtnh_ifindex;
	nh->gateway = 0;
	it.p = p + RTNH_LENGTH(0);
	it.left = rtnh.rtnh_len - RTNH_LENGTH(0);
	while (attr_next(&it, &type, &data, &len)) {
		if (type == RTA_GATEWAY)
			get_addr(data, len, &nh->gateway);
	}
	used = (size_t)RTNH_ALIGN(rtnh.rtnh_len);
	return used < left ? used : left;
}

static void parse_multipath(const uint8_t *p, size_t left, struct fib_msg_route *m)
{
	struct rp_nexthop nh;
	size_t used;

	m->nnexthops = 0;
	while ((used = parse_one_nexthop(p, left, &nh)) > 0) {
		if (m->nnexthops < RP_MAX_NEXTHOPS)
			m->nexthops[m->nnexthops++] = nh;
		else
			m->nexthops_truncated = true;
		p += used;
		left -= used;
	}
}

static void parse_attrs(struct attr_iter *it, struct fib_msg_route *m)
{
	bool multipath = false, have_oif = false, have_gw = false;
	uint32_t oif = 0, gw = 0;
	const uint8_t *data;
	uint16_t type;
	size_t len;

	while (attr_next(it, &type, &data, &len)) {
		switch (type) {
		case RTA_DST:
			get_addr(data, len, &m->prefix);
			break;
		case RTA_TABLE:
			get_u32(data, len, &m->table);
			break;
		case RTA_PRIORITY:
			get_u32(data, len, &m->priority);
			break;
		case RTA_OIF:
			have_oif = get_u32(data, len, &oif);
			break;
		case RTA_GATEWAY:
			have_gw = get_addr(data, len, &gw);
			break;
		case RTA_MULTIPATH:
			multipath = true;
			parse_multipath(data, len, m);
			break;
		default:
			break;
		}
	}
	if (!multipath && (have_oif || have_gw)) {
		m->nnexthops = 1;
		m->nexthops[0].gateway = gw;
		m->nexthops[0].ifindex = oif;
	}
}

int fib_msg_parse(const struct nlmsghdr *h, struct fib_msg_route *out)
{
	struct attr_iter it;
	struct rtmsg rtm;

	memset(out, 0, sizeof(*out));
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(rtm)))
		return -1;
	if (h->nlmsg_type != RTM_NEWROUTE && h->nlmsg_type != RTM_DELROUTE)
		return -1;
	memcpy(&rtm, NLMSG_DATA(h), sizeof(rtm));
	if (rtm.rtm_family != AF_INET || rtm.rtm_dst_len > 32)
		return -1;
	out->msg_type = h->nlmsg_type;
	out->rtm_type = rtm.rtm_type;
	out->protocol = rtm.rtm_protocol;
	out->len = rtm.rtm_dst_len;
	out->tos = rtm.rtm_tos;
	out->cloned = rtm.rtm_flags & RTM_F_CLONED;
	out->replace = h->nlmsg_flags & NLM_F_REPLACE;
	out->table = rtm.rtm_table;
	it.p = (const uint8_t *)NLMSG_DATA(h) + NLMSG_ALIGN(sizeof(rtm));
	it.left = h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(rtm)));
	parse_attrs(&it, out);
	return 0;
}

void fib_msg_to_route(const struct fib_msg_route *m, struct fib_route *r)
{
	memset(r, 0, sizeof(*r));
	r->prefix = m->prefix;
	r->len = m->len;
	r->protocol = m->protocol;
	r->nnexthops = m->nnexthops;
	memcpy(r->nexthops, m->nexthops, m->nnexthops * sizeof(r->nexthops[0]));
}

void fib_msg_to_kernel_route(const struct fib_msg_route *m, struct fib_kernel_route *r)
{
	memset(r, 0, sizeof(*r));
	r->prefix = m->prefix;
	r->len = m->len;
	r->protocol = m->protocol;
	r->rtm_type = m->rtm_type;
	r->priority = m->priority;
	if (m->nnexthops > 0) {
		r->gateway = m->nexthops[0].gateway;
		r->ifindex = m->nexthops[0].ifindex;
	}
}
