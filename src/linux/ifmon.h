/* SPDX-License-Identifier: ISC */
/*
 * ifmon.h — the interface monitor: libnl-3's cache manager for links and their IPv4 and IPv6
 * addresses inside the libevent loop. After every netlink notification it hands the router manager a complete
 * snapshot of the link concerned; when notifications were lost (socket overrun) it re-dumps both
 * caches (consistently, and at most one re-read pending at a time) and hands over the complete
 * set of links so that the RM can diff. Nothing else in the daemon reads link state from the
 * kernel.
 */
#ifndef ROUTPROTD_LINUX_IFMON_H
#define ROUTPROTD_LINUX_IFMON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/rm.h"

struct event_base;
struct ifmon;

#define IFMON_DEFAULT_RCVBUF (4u << 20) /* bytes of notification buffer */

struct ifmon_ops {
	void (*link_update)(void *arg, const struct rm_link *link);
	void (*link_delete)(void *arg, uint32_t ifindex);
	void (*resync)(void *arg, const struct rm_link *links, size_t nlinks);
};

/* Subscribe, dump links and addresses, and report every current link through link_update
 * before returning. `rcvbuf` 0 = IFMON_DEFAULT_RCVBUF. NULL + message in err on failure. */
struct ifmon *ifmon_new(struct event_base *base, const struct ifmon_ops *ops, void *arg,
			unsigned rcvbuf, char *err, size_t errlen);
void ifmon_free(struct ifmon *im);

/* Re-dump and report the complete set now (done by itself, from a timer, after an overrun).
 * -1 when the dump failed or stayed inconsistent: then another re-read is scheduled. */
int ifmon_resync(struct ifmon *im);

/* Adds a "netlink" object (messages, overruns, resyncs, interrupted dumps, errors, receive
 * buffer) to `status`. */
void ifmon_status_json(const struct ifmon *im, json_t *status);

#endif
