/* SPDX-License-Identifier: ISC */
/*
 * ifmon.c — links and their IPv4 and IPv6 addresses from netlink (libnl-3 cache manager) to
 * rm_link snapshots. IPv6 addresses carry their state: link-local (scope link or fe80::/10),
 * tentative (DAD running), dadfailed, deprecated; a change of these flags is reported like a
 * change of the address.
 *
 * Link objects of family AF_UNSPEC describe links; libnl keeps a bridge master as an AF_BRIDGE
 * object instead (it merges the two), so those count too. A deleted link object whose ifindex
 * still exists (a port leaving its bridge drops the AF_BRIDGE part) is not a deleted link: the
 * caches are re-read instead, from the event loop rather than inside libnl's callback.
 * libnl calls back only when a link object's attributes it compares changed; a notification
 * whose only news is the kernel's carrier counter (a flap linkwatch folded into one message)
 * would go unseen. A hook on every incoming message notes the links it concerns, and those
 * are reported again after the batch, so the router manager sees the counter move.
 * enabled = IFF_UP; media present = IFF_LOWER_UP and IFF_RUNNING. The cache manager updates its
 * cache before calling us, so a snapshot built from the caches inside a callback is the state
 * right after that message. Overrun (ENOBUFS, reported by libnl as -NLE_NOMEM): the queued
 * notifications are stale; a re-read of both caches is scheduled (ifmon_resync.c), which hands
 * the full set to the router manager, which diffs it against what it knew.
 */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <event2/event.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>

#include "routprotd/log.h"
#include "linux/ifmon_internal.h"

#define COMP "netlink"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000 /* <linux/if.h>, which clashes with <net/if.h> */
#endif

/* Snapshot under construction: the rm_link plus storage for its addresses. */
struct snapshot {
	struct rm_link link;
	struct rp_local_binding *addrs;
	struct rp_bound_address *addrs6;
	unsigned cap, cap6;
};

static uint32_t nl_addr_ipv4(struct nl_addr *a)
{
	uint32_t v;

	if (!a || nl_addr_get_family(a) != AF_INET || nl_addr_get_len(a) != sizeof(v))
		return 0;
	memcpy(&v, nl_addr_get_binary_addr(a), sizeof(v));
	return ntohl(v);
}

/* An IPv6 nl_addr as a full-length rp_prefix; family 0 when it is none. */
static struct rp_prefix nl_addr_ipv6(struct nl_addr *a)
{
	struct rp_prefix p = { 0 };

	if (a && nl_addr_get_family(a) == AF_INET6 && nl_addr_get_len(a) == sizeof(p.bytes))
		p = rp_prefix_v6(nl_addr_get_binary_addr(a), 128);
	return p;
}

/* `arr` (n used of *cap elements of `size` bytes) with room for one more: arr itself or its
 * reallocation (*cap updated); NULL when memory runs out, arr still valid. */
static void *grow(void *arr, unsigned *cap, unsigned n, size_t size)
{
	unsigned c = *cap ? *cap * 2 : 8;
	void *grown;

	if (n < *cap)
		return arr;
	grown = realloc(arr, c * size);
	if (grown)
		*cap = c;
	return grown;
}

static void push_ipv4(struct snapshot *s, struct rtnl_addr *a)
{
	struct rp_local_binding b = { 0 }, *grown;
	uint32_t peer;

	b.address = nl_addr_ipv4(rtnl_addr_get_local(a));
	b.prefixlen = (uint8_t)rtnl_addr_get_prefixlen(a);
	peer = nl_addr_ipv4(rtnl_addr_get_peer(a));
	b.peer = peer != b.address ? peer : 0;
	if (b.prefixlen > 32)
		return;
	grown = grow(s->addrs, &s->cap, s->link.naddrs, sizeof(b));
	if (!grown)
		return;
	s->addrs = grown;
	s->addrs[s->link.naddrs++] = b;
}

static unsigned ipv6_flags(struct rtnl_addr *a, const struct rp_prefix *local)
{
	unsigned kf = rtnl_addr_get_flags(a), f = 0;

	if (rtnl_addr_get_scope(a) == RT_SCOPE_LINK || rp_addr_is_link_local(local))
		f |= RP_ADDR_LINK_LOCAL;
	if (kf & IFA_F_TENTATIVE)
		f |= RP_ADDR_TENTATIVE;
	if (kf & IFA_F_DADFAILED)
		f |= RP_ADDR_DADFAILED;
	if (kf & IFA_F_DEPRECATED)
		f |= RP_ADDR_DEPRECATED;
	return f;
}

static void push_ipv6(struct snapshot *s, struct rtnl_addr *a)
{
	struct rp_prefix local = nl_addr_ipv6(rtnl_addr_get_local(a));
	struct rp_bound_address b = { .address = local }, *grown;
	int len = rtnl_addr_get_prefixlen(a);

	if (local.family != AF_INET6 || len < 0 || len > 128)
		return;
	b.address.len = (uint8_t)len; /* the address keeps its host bits */
	b.peer = nl_addr_ipv6(rtnl_addr_get_peer(a));
	if (rp_prefix_equal(&b.peer, &local))
		b.peer = (struct rp_prefix){ 0 };
	b.flags = ipv6_flags(a, &b.address);
	grown = grow(s->addrs6, &s->cap6, s->link.naddrs6, sizeof(b));
	if (!grown)
		return;
	s->addrs6 = grown;
	s->addrs6[s->link.naddrs6++] = b;
}

static void collect_addresses(struct ifmon *im, int ifindex, struct snapshot *s)
{
	for (struct nl_object *o = nl_cache_get_first(im->addrs); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;

		if (rtnl_addr_get_ifindex(a) != ifindex)
			continue;
		if (rtnl_addr_get_family(a) == AF_INET)
			push_ipv4(s, a);
		else if (rtnl_addr_get_family(a) == AF_INET6)
			push_ipv6(s, a);
	}
	s->link.addrs = s->addrs;
	s->link.addrs6 = s->addrs6;
}

static bool link_usable(struct rtnl_link *l)
{
	int family = rtnl_link_get_family(l);

	return (family == AF_UNSPEC || family == AF_BRIDGE) && rtnl_link_get_ifindex(l) > 0 &&
	       rtnl_link_get_name(l) != NULL;
}

static void snapshot_of(struct ifmon *im, struct rtnl_link *l, struct snapshot *s)
{
	unsigned flags = rtnl_link_get_flags(l);

	memset(s, 0, sizeof(*s));
	s->link.ifindex = (uint32_t)rtnl_link_get_ifindex(l);
	s->link.name = rtnl_link_get_name(l);
	s->link.flags = flags;
	s->link.mtu = rtnl_link_get_mtu(l);
	s->link.enabled = flags & IFF_UP;
	s->link.media_present = (flags & IFF_LOWER_UP) && (flags & IFF_RUNNING);
	s->link.has_carrier_changes = rtnl_link_get_carrier_changes(l, &s->link.carrier_changes)
				      == 0;
	collect_addresses(im, rtnl_link_get_ifindex(l), s);
}

static void report_link(struct ifmon *im, struct rtnl_link *l)
{
	struct snapshot s;

	snapshot_of(im, l, &s);
	im->ops->link_update(im->arg, &s.link);
	free(s.addrs);
	free(s.addrs6);
}

static void on_link_change(struct nl_cache *cache, struct nl_object *obj, int action, void *arg)
{
	struct ifmon *im = arg;
	struct rtnl_link *l = (struct rtnl_link *)obj;
	char name[IF_NAMESIZE];

	im->messages++;
	rp_log_debug(COMP, "link message: ifindex %d family %d action %d",
		  rtnl_link_get_ifindex(l), rtnl_link_get_family(l), action);
	if (!im->ready || !link_usable(l))
		return;
	if (action != NL_ACT_DEL) {
		report_link(im, l);
	} else if (if_indextoname((unsigned)rtnl_link_get_ifindex(l), name)) {
		ifmon_resync_request(im); /* part of a link went away */
	} else {
		im->ops->link_delete(im->arg, (uint32_t)rtnl_link_get_ifindex(l));
	}
}

/* The AF_UNSPEC link object of an ifindex. rtnl_link_get() may return one of the per-family
 * objects (AF_INET6, AF_BRIDGE) that share the index, so look for the right one. */
static struct rtnl_link *find_link(struct ifmon *im, int ifindex)
{
	for (struct nl_object *o = nl_cache_get_first(im->links); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;

		if (rtnl_link_get_ifindex(l) == ifindex && link_usable(l))
			return l;
	}
	return NULL;
}

static void on_addr_change(struct nl_cache *cache, struct nl_object *obj, int action, void *arg)
{
	struct ifmon *im = arg;
	struct rtnl_addr *a = (struct rtnl_addr *)obj;
	struct rtnl_link *l;

	im->messages++;
	rp_log_debug(COMP, "address message: ifindex %d family %d action %d",
		  rtnl_addr_get_ifindex(a), rtnl_addr_get_family(a), action);
	if (!im->ready ||
	    (rtnl_addr_get_family(a) != AF_INET && rtnl_addr_get_family(a) != AF_INET6))
		return;
	l = find_link(im, rtnl_addr_get_ifindex(a));
	if (l) /* else the link's own message comes next and carries the addresses */
		report_link(im, l);
}

/* Snapshots of every link in the cache (the complete set for the RM). */
void ifmon_report_all(struct ifmon *im, bool as_resync)
{
	struct snapshot *snaps = NULL;
	struct rm_link *links = NULL;
	size_t n = 0, cap = 0;

	for (struct nl_object *o = nl_cache_get_first(im->links); o; o = nl_cache_get_next(o)) {
		if (!link_usable((struct rtnl_link *)o))
			continue;
		if (n == cap) {
			size_t c = cap ? cap * 2 : 32;
			struct snapshot *g = realloc(snaps, c * sizeof(*g));

			if (!g)
				goto out;
			snaps = g;
			cap = c;
		}
		snapshot_of(im, (struct rtnl_link *)o, &snaps[n++]);
	}
	links = calloc(n ? n : 1, sizeof(*links));
	if (!links)
		goto out;
	for (size_t i = 0; i < n; i++)
		links[i] = snaps[i].link;
	if (as_resync)
		im->ops->resync(im->arg, links, n);
	else
		for (size_t i = 0; i < n; i++)
			im->ops->link_update(im->arg, &links[i]);
out:
	if (!links)
		rp_log_error(COMP, "out of memory while reading links");
	for (size_t i = 0; i < n; i++) {
		free(snaps[i].addrs);
		free(snaps[i].addrs6);
	}
	free(snaps);
	free(links);
}

/* Throw away notifications queued before a re-read: a fresh dump supersedes them. Returns the
 * overruns met on the way. */
unsigned ifmon_drain(int fd)
{
	char buf[8192];
	unsigned overruns = 0;

	for (;;) {
		ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (r < 0 && errno == ENOBUFS)
			overruns++;
		if (r >= 0 || errno == EINTR || errno == ENOBUFS)
			continue;
		return overruns; /* EAGAIN or a real error: queue empty */
	}
}

/* NL_CB_MSG_IN: every message, before libnl decides whether anything changed. */
static int note_message(struct nl_msg *msg, void *arg)
{
	struct ifmon *im = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct ifinfomsg ifi;

	if (h->nlmsg_type != RTM_NEWLINK || nlmsg_datalen(h) < (int)sizeof(ifi))
		return NL_OK;
	memcpy(&ifi, nlmsg_data(h), sizeof(ifi));
	for (unsigned i = 0; i < im->ntouched; i++)
		if (im->touched[i] == (uint32_t)ifi.ifi_index)
			return NL_OK;
	if (im->ntouched < sizeof(im->touched) / sizeof(im->touched[0]))
		im->touched[im->ntouched++] = (uint32_t)ifi.ifi_index;
	else
		im->touched_overflow = true;
	return NL_OK;
}

/* Report the links the batch's messages named (no-ops unless libnl kept quiet about them). */
static void report_touched(struct ifmon *im)
{
	if (im->touched_overflow) {
		im->touched_overflow = false;
		im->ntouched = 0;
		ifmon_report_all(im, true);
		return;
	}
	for (unsigned i = 0; i < im->ntouched; i++) {
		struct rtnl_link *l = find_link(im, (int)im->touched[i]);

		if (l)
			report_link(im, l);
	}
	im->ntouched = 0;
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct ifmon *im = arg;
	int err;

	if (im->resync_pending) { /* the coming re-read supersedes these notifications */
		im->overruns += ifmon_drain(fd);
		return;
	}
	err = nl_cache_mngr_data_ready(im->mngr);
	if (err >= 0) {
		report_touched(im);
		return;
	}
	im->ntouched = 0;
	im->touched_overflow = false;
	if (err == -NLE_NOMEM) {
		im->overruns++;
		rp_log_rl(&im->err_rl, RP_LOG_WARNING, COMP, "notifications lost (receive buffer "
		       "overrun #%llu): re-reading links and addresses",
		       (unsigned long long)im->overruns);
		ifmon_resync_request(im);
		return;
	}
	im->errors++;
	rp_log_rl(&im->err_rl, RP_LOG_WARNING, COMP, "receive error: %s", nl_geterror(err));
}

static int set_rcvbuf(int fd, unsigned bytes)
{
	int v = (int)bytes;

	/* FORCE ignores rmem_max with CAP_NET_ADMIN; otherwise take what rmem_max allows. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) == 0)
		return 0;
	return setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
}

static int open_caches(struct ifmon *im, char *err, size_t errlen)
{
	int e;

	im->mngr_sock = nl_socket_alloc();
	if (!im->mngr_sock) {
		snprintf(err, errlen, "netlink socket: out of memory");
		return -1;
	}
	nl_socket_modify_cb(im->mngr_sock, NL_CB_MSG_IN, NL_CB_CUSTOM, note_message, im);
	e = nl_cache_mngr_alloc(im->mngr_sock, NETLINK_ROUTE, NL_AUTO_PROVIDE, &im->mngr);
	if (e >= 0)
		e = nl_cache_mngr_add(im->mngr, "route/link", on_link_change, im, &im->links);
	if (e >= 0)
		e = nl_cache_mngr_add(im->mngr, "route/addr", on_addr_change, im, &im->addrs);
	if (e < 0) {
		snprintf(err, errlen, "netlink cache manager: %s", nl_geterror(e));
		return -1;
	}
	if (set_rcvbuf(nl_cache_mngr_get_fd(im->mngr), im->rcvbuf) != 0)
		rp_log_warning(COMP, "cannot size the notification buffer to %u bytes: %s",
			    im->rcvbuf, strerror(errno));
	return 0;
}

/* The cache manager filled the caches with nl_cache_refill(), which keeps duplicates when the
 * kernel marks its dump interrupted: read them again, consistently (ifmon_resync.c). */
static bool initial_dump(struct ifmon *im, char *err, size_t errlen)
{
	int r = ifmon_dump_all(im);

	if (r < 0) {
		snprintf(err, errlen, "netlink dump: %s", nl_geterror(r));
		return false;
	}
	if (r == 0) /* report what was read; the re-read corrects it */
		ifmon_resync_request(im);
	return true;
}

struct ifmon *ifmon_new(struct event_base *base, const struct ifmon_ops *ops, void *arg,
			unsigned rcvbuf, char *err, size_t errlen)
{
	struct ifmon *im = calloc(1, sizeof(*im));

	if (!im) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	im->ops = ops;
	im->arg = arg;
	im->rcvbuf = rcvbuf ? rcvbuf : IFMON_DEFAULT_RCVBUF;
	im->err_rl = (struct rp_log_ratelimit)RP_LOG_RATELIMIT_INIT(5, 10000);
	if (open_caches(im, err, errlen) != 0 || ifmon_resync_setup(im, base, err, errlen) != 0)
		goto fail;
	im->ev = event_new(base, nl_cache_mngr_get_fd(im->mngr), EV_READ | EV_PERSIST,
			   on_readable, im);
	if (!im->ev || event_add(im->ev, NULL) != 0) {
		snprintf(err, errlen, "cannot watch the netlink socket");
		goto fail;
	}
	if (!initial_dump(im, err, errlen))
		goto fail;
	ifmon_report_all(im, false);
	im->ready = true;
	return im;
fail:
	ifmon_free(im);
	return NULL;
}

void ifmon_free(struct ifmon *im)
{
	if (!im)
		return;
	if (im->ev)
		event_free(im->ev);
	if (im->resync_ev)
		event_free(im->resync_ev);
	if (im->mngr)
		nl_cache_mngr_free(im->mngr); /* frees the managed caches too */
	if (im->mngr_sock)
		nl_socket_free(im->mngr_sock); /* a socket we gave the manager stays ours */
	if (im->dump_sock)
		nl_socket_free(im->dump_sock);
	free(im);
}

void ifmon_status_json(const struct ifmon *im, json_t *status)
{
	json_object_set_new(status, "netlink",
			    json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}",
				      "messages", (json_int_t)im->messages,
				      "overruns", (json_int_t)im->overruns,
				      "resyncs", (json_int_t)im->resyncs,
				      "interrupted_dumps", (json_int_t)im->interrupted_dumps,
				      "errors", (json_int_t)im->errors,
				      "receive_buffer", (json_int_t)im->rcvbuf));
}
