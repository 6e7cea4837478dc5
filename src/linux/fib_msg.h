/* SPDX-License-Identifier: ISC */
/*
 * fib_msg.h — rtnetlink route messages as the FIB writer builds and reads them: RTM_NEWROUTE /
 * RTM_DELROUTE requests written straight into a send buffer, the RTM_GETROUTE dump request, and
 * one parser turning a route message (dump part or notification) into plain fields.
 */
#ifndef ROUTPROTD_LINUX_FIB_MSG_H
#define ROUTPROTD_LINUX_FIB_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "linux/fib.h"

/* One write as it goes on the wire. */
struct fib_msg_write {
	bool install; /* RTM_NEWROUTE; false = RTM_DELROUTE */
	bool replace; /* install: replace (ours is there) or exclusive create */
	uint32_t table;
	uint32_t priority;
	uint32_t prefix; /* host order */
	uint8_t len;
	uint8_t protocol;
	unsigned nnexthops; /* install only */
	const struct rp_nexthop *nexthops;
};

/* Append the request for `w` with sequence `seq` at buf (room bytes, 4-byte aligned).
 * Returns the bytes used, or 0 when it does not fit. */
size_t fib_msg_build(void *buf, size_t room, const struct fib_msg_write *w, uint32_t seq);

/* An RTM_GETROUTE dump request for IPv4, filtered to `table` where the kernel supports
 * strict checking. Returns the length written (buf must hold 64 bytes). */
size_t fib_msg_dump_request(void *buf, uint32_t table, uint32_t seq);

/* The next whole netlink message of a received datagram (buf 4-byte aligned), advancing *off;
 * NULL at the end or at a malformed length. */
const struct nlmsghdr *fib_msg_next(const uint8_t *buf, size_t len, size_t *off);

/* A route message (RTM_NEWROUTE / RTM_DELROUTE) taken apart. */
struct fib_msg_route {
	uint16_t msg_type;
	uint8_t rtm_type;  /* RTN_UNICAST, RTN_LOCAL, ... */
	uint8_t protocol;
	uint8_t len;
	uint8_t tos;
	bool cloned;       /* RTM_F_CLONED */
	bool replace;      /* NLM_F_REPLACE: a notification of a route that took another's place */
	uint32_t table;
	uint32_t priority;
	uint32_t prefix;   /* host order */
	unsigned nnexthops;
	bool nexthops_truncated; /* more than RP_MAX_NEXTHOPS */
	struct rp_nexthop nexthops[RP_MAX_NEXTHOPS];
};

/* Parse an IPv4 route message; -1 when it is not one or is malformed. */
int fib_msg_parse(const struct nlmsghdr *h, struct fib_msg_route *out);

void fib_msg_to_route(const struct fib_msg_route *m, struct fib_route *r);
void fib_msg_to_kernel_route(const struct fib_msg_route *m, struct fib_kernel_route *r);

#endif
