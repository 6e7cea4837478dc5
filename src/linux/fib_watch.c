/* SPDX-License-Identifier: ISC */
/*
 * fib_watch.c — route notifications (RTNLGRP_IPV4_ROUTE) in the libevent loop.
 *
 * A classic BPF socket filter drops RTM_NEWROUTE notifications of our own protocols inside the
 * kernel, before they are charged to the receive buffer, so that installing 100,000 routes does
 * not flood this socket. Notifications come one message per skb with the nlmsghdr at offset 0 and
 * the rtmsg right after it, which is all the filter looks at. What passes, in our table only:
 *  - RTM_NEWROUTE / RTM_DELROUTE of other protocols (unicast, blackhole, unreachable or
 *    prohibit; not cloned) -> ops->kernel_route;
 *  - of those, the ones at our priority that replace a route or go away (any route type)
 *    -> ops->foreign_at_priority: our route may have been replaced, or may fit in again;
 *  - RTM_DELROUTE of our protocols at our priority -> ops->own_route_deleted, unless it is the
 *    echo of a delete we sent: fib.c counts our deletes in flight per (prefix, len, protocol)
 *    and the matching notification consumes one count (a failed delete gives its count back).
 * The kernel queues a route's notification inside the sendmsg that changed it, so once this
 * socket has been read empty, every delete we sent has had its echo read or lost: the counts
 * left then are stale and are dropped. ENOBUFS means notifications were lost; the router manager
 * is told to re-dump (ops->watch_overrun). The socket is read in large gulps (more datagrams per
 * callback than the writer sends messages per loop iteration), so that the echoes of a burst of
 * deletes never pile up.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <event2/event.h>
#include <linux/filter.h>
#include <linux/rtnetlink.h>

#include "routprotd/prefix.h"
#include "linux/fib_internal.h"
#include "linux/fib_msg.h"

#define WATCH_RCVBUF (16u << 20) /* a burst of deletes is one notification each */
#define WATCH_BUFSZ (64u << 10)
#define WATCH_BUDGET 16384 /* datagrams per callback; the rest on the next loop iteration */

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* The filter: accept everything but RTM_NEWROUTE whose rtm_protocol is one of ours. */
static int attach_filter(struct fib *f)
{
	struct sock_filter code[FIB_MAX_OWN + 5];
	struct sock_fprog prog = { .filter = code };
	unsigned n = 0, own = (unsigned)f->n_own;

	code[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_H | BPF_ABS,
						 offsetof(struct nlmsghdr, nlmsg_type));
	/* BPF loads are big-endian; nlmsg_type is in host order. */
	code[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohs(RTM_NEWROUTE),
						 0, (uint8_t)(own + 1));
	code[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_B | BPF_ABS,
						 NLMSG_HDRLEN + offsetof(struct rtmsg,
									 rtm_protocol));
	for (unsigned i = 0; i < own; i++)
		code[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, f->own[i],
							 (uint8_t)(own - i), 0);
	code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0xffffffffu); /* accept */
	code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);           /* drop */
	prog.len = (unsigned short)n;
	return setsockopt(f->nfd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

void fib_watch_own_changed(struct fib *f)
{
	if (f->nfd < 0)
		return;
	f->filter_attached = attach_filter(f) == 0; /* replaces the previous filter */
	if (!f->filter_attached)
		rp_log_warning(FIB_COMP, "route watch socket filter: %s; our own additions will be "
			    "read and ignored", strerror(errno));
}

void fib_watch_expect_delete(struct fib *f, uint32_t prefix, uint8_t len, uint8_t protocol)
{
	uint64_t key = fib_key(prefix, len, protocol);
	uint32_t *count = fib_keymap_get(&f->deletes, key);

	if (count)
		(*count)++;
	else if (fib_keymap_put(&f->deletes, key, 1) < 0)
		rp_log_rl(&f->rl_watch, RP_LOG_WARNING, FIB_COMP,
		       "out of memory tracking deletes; one may be reported as foreign");
}

/* Consume one in-flight count; false when there was none. */
static bool take_delete(struct fib *f, uint32_t prefix, uint8_t len, uint8_t protocol)
{
	uint64_t key = fib_key(prefix, len, protocol);
	uint32_t *count = fib_keymap_get(&f->deletes, key);

	if (!count)
		return false;
	if (--*count == 0)
		fib_keymap_del(&f->deletes, key);
	return true;
}

void fib_watch_delete_failed(struct fib *f, uint32_t prefix, uint8_t len, uint8_t protocol)
{
	take_delete(f, prefix, len, protocol);
}

static void own_route_message(struct fib *f, const struct fib_msg_route *m)
{
	char buf[RP_PREFIX4_STRLEN];

	if (m->msg_type != RTM_DELROUTE || m->priority != f->priority || m->tos != 0)
		return;
	if (take_delete(f, m->prefix, m->len, m->protocol)) {
		f->st.own_deletes_seen++;
		return;
	}
	f->st.own_deleted_seen++;
	rp_log_rl(&f->rl_watch, RP_LOG_INFO, FIB_COMP, "route %s proto %u deleted by someone else",
	       rp_prefix4_format(m->prefix, m->len, buf), m->protocol);
	if (f->ops->own_route_deleted)
		f->ops->own_route_deleted(f->arg, m->prefix, m->len, m->protocol);
}

static void route_message(struct fib *f, const struct nlmsghdr *h)
{
	struct fib_kernel_route kr;
	struct fib_msg_route m;

	if (fib_msg_parse(h, &m) < 0 || m.table != f->table || m.cloned)
		return;
	f->st.watch_messages++;
	if (fib_is_own(f, m.protocol)) {
		own_route_message(f, &m);
		return;
	}
	if (m.priority == f->priority && m.tos == 0 && f->ops->foreign_at_priority &&
	    (m.msg_type == RTM_DELROUTE || m.replace))
		f->ops->foreign_at_priority(f->arg, m.prefix, m.len, m.protocol,
					    m.msg_type == RTM_NEWROUTE);
	if (!fib_foreign_type(m.rtm_type))
		return;
	f->st.kernel_routes_seen++;
	fib_msg_to_kernel_route(&m, &kr);
	if (f->ops->kernel_route)
		f->ops->kernel_route(f->arg, &kr, m.msg_type == RTM_DELROUTE);
}

static void overrun(struct fib *f)
{
	f->st.watch_overruns++;
	rp_log_rl(&f->rl_watch, RP_LOG_WARNING, FIB_COMP,
	       "route notifications lost (receive buffer %u bytes full); asking for a re-dump",
	       f->watch_rcvbuf);
	if (f->ops->watch_overrun)
		f->ops->watch_overrun(f->arg);
}

static void datagram(struct fib *f, size_t n)
{
	const struct nlmsghdr *h;
	size_t off = 0;

	while ((h = fib_msg_next(f->watchbuf, n, &off)) != NULL) {
		if (h->nlmsg_type == RTM_NEWROUTE || h->nlmsg_type == RTM_DELROUTE)
			route_message(f, h);
	}
}

/* Read one datagram: 1 read (or lost to an overrun), 0 nothing left, -1 error. */
static int read_one(struct fib *f)
{
	ssize_t n = recv(f->nfd, f->watchbuf, WATCH_BUFSZ, MSG_DONTWAIT | MSG_TRUNC);

	if (n < 0) {
		if (errno == EINTR)
			return 1;
		if (errno == ENOBUFS) {
			overrun(f);
			return 1;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		rp_log_rl(&f->rl_watch, RP_LOG_ERROR, FIB_COMP, "reading route notifications: %s",
		       strerror(errno));
		return -1;
	}
	if ((size_t)n > WATCH_BUFSZ) {
		rp_log_rl(&f->rl_watch, RP_LOG_WARNING, FIB_COMP,
		       "route notification of %zd bytes truncated; ignored", n);
		return 1;
	}
	datagram(f, (size_t)n);
	return 1;
}

static void on_watch(evutil_socket_t fd, short what, void *arg)
{
	struct fib *f = arg;

	for (int i = 0; i < WATCH_BUDGET; i++) {
		int r = read_one(f);

		if (r == 0)
			fib_keymap_clear(&f->deletes); /* read empty: what is left was lost */
		if (r <= 0)
			return;
	}
	/* Still readable: the persistent event fires again on the next loop iteration. */
}

static int subscribe(struct fib *f)
{
	int group = RTNLGRP_IPV4_ROUTE;

	return setsockopt(f->nfd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group));
}

int fib_watch_open(struct fib *f, char *err, size_t errlen)
{
	f->nfd = fib_socket(true, WATCH_RCVBUF, err, errlen);
	if (f->nfd < 0)
		return -1;
	f->watch_rcvbuf = fib_socket_rcvbuf(f->nfd);
	f->watchbuf = malloc(WATCH_BUFSZ);
	if (!f->watchbuf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	fib_watch_own_changed(f);
	if (subscribe(f) < 0) {
		snprintf(err, errlen, "subscribing to IPv4 route notifications: %s",
			 strerror(errno));
		return -1;
	}
	f->watch_ev = event_new(f->base, f->nfd, EV_READ | EV_PERSIST, on_watch, f);
	if (!f->watch_ev || event_add(f->watch_ev, NULL) < 0) {
		snprintf(err, errlen, "cannot add the route watch to the event loop");
		return -1;
	}
	return 0;
}

void fib_watch_close(struct fib *f)
{
	if (f->watch_ev)
		event_free(f->watch_ev);
	f->watch_ev = NULL;
	if (f->nfd >= 0)
		close(f->nfd);
	f->nfd = -1;
	free(f->watchbuf);
	f->watchbuf = NULL;
	fib_keymap_free(&f->deletes);
}
