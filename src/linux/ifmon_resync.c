/* SPDX-License-Identifier: ISC */
/*
 * ifmon_resync.c — the interface monitor's own dumps of links and addresses, and the re-read
 * after lost notifications.
 *
 * Consistent dumps. The kernel marks a dump during which links or addresses changed
 * (NLM_F_DUMP_INTR): it may have skipped or repeated objects. libnl's nl_cache_refill() then
 * asks again but without emptying the cache first: every address read before the restart stays
 * in the address cache twice (it has no hash table), and the link cache keeps the first read's
 * object, perhaps stale, instead of the new one. A later RTM_DELADDR removes one copy; the
 * snapshot still shows the address, and the deletion is never seen. So the monitor takes the
 * interruption itself (NL_CB_DUMP_INTR on its dump socket: libnl reads the dump to its end and
 * returns) and reads the cache again from empty, up to DUMP_TRIES times. A dump still
 * interrupted after that is not handed to the router manager; the re-read is tried again.
 * A dump that fails half-way leaves the rest of it, and a sequence number libnl no longer
 * expects, on the socket: the socket is replaced.
 *
 * Coalesced re-reads. Each request (an overrun, a part of a link gone) schedules one re-read on
 * a timer unless one is pending already; it runs at least RESYNC_HOLDOFF_MS after the previous
 * one ended, so an overrun storm costs a few dumps a second, not one per overrun. While one is
 * pending, arriving notifications are thrown away unread: the re-read supersedes them. Only one
 * copy of the caches exists at any time (a read empties the cache first), and a re-read that
 * handled many objects ends with malloc_trim(), so that the heap it used goes back to the system.
 */
#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <sys/time.h>

#include <event2/event.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "routprotd/clock.h"
#include "linux/ifmon_internal.h"

#define COMP "netlink"

#define DUMP_TRIES 4           /* reads of one cache before its dump counts as inconsistent */
#define RESYNC_HOLDOFF_MS 200  /* least time from the end of one re-read to the next */
#define TRIM_OBJECTS 2000      /* a re-read of this many cache objects trims the heap after */

static int on_dump_interrupted(struct nl_msg *msg, void *arg)
{
	struct ifmon *im = arg;

	im->dump_intr = true;
	return NL_OK; /* keep reading to the end of the dump, then read it again from empty */
}

static int open_dump_sock(struct ifmon *im)
{
	int err;

	im->dump_sock = nl_socket_alloc();
	if (!im->dump_sock)
		return -NLE_NOMEM;
	err = nl_socket_modify_cb(im->dump_sock, NL_CB_DUMP_INTR, NL_CB_CUSTOM,
				  on_dump_interrupted, im);
	if (err >= 0)
		err = nl_connect(im->dump_sock, NETLINK_ROUTE);
	if (err < 0) {
		nl_socket_free(im->dump_sock);
		im->dump_sock = NULL;
	}
	return err;
}

/* One cache from empty until a dump comes back whole: 1, 0 (interrupted every time), error. */
static int dump_cache(struct ifmon *im, struct nl_cache *cache)
{
	for (int i = 0; i < DUMP_TRIES; i++) {
		int err;

		im->dump_intr = false;
		err = nl_cache_refill(im->dump_sock, cache); /* empties the cache first */
		if (err < 0) {
			nl_socket_free(im->dump_sock);
			if (open_dump_sock(im) < 0)
				rp_log_error(COMP, "cannot open a netlink socket for the next dump");
			return err;
		}
		if (!im->dump_intr)
			return 1;
		im->interrupted_dumps++;
	}
	return 0;
}

int ifmon_dump_all(struct ifmon *im)
{
	int links, addrs;

	if (!im->dump_sock && open_dump_sock(im) < 0)
		return -NLE_NOMEM;
	links = dump_cache(im, im->links);
	if (links < 0)
		return links;
	addrs = dump_cache(im, im->addrs);
	if (addrs < 0)
		return addrs;
	return links && addrs;
}

static void trim_after(int objects)
{
	if (objects >= TRIM_OBJECTS)
		malloc_trim(0);
}

static void schedule(struct ifmon *im)
{
	int64_t wait = 0;
	struct timeval tv;

	if (im->last_resync_ms) {
		int64_t since = rp_clock_now_ms() - im->last_resync_ms;

		wait = since >= 0 && since < RESYNC_HOLDOFF_MS ? RESYNC_HOLDOFF_MS - since : 0;
	}
	tv.tv_sec = (time_t)(wait / 1000);
	tv.tv_usec = (suseconds_t)(wait % 1000) * 1000;
	if (event_add(im->resync_ev, &tv) != 0) {
		im->errors++;
		im->resync_pending = false; /* the next request tries again */
		rp_log_error(COMP, "cannot schedule the re-read of links and addresses");
	}
}

void ifmon_resync_request(struct ifmon *im)
{
	if (im->resync_pending)
		return;
	im->resync_pending = true;
	schedule(im);
}

int ifmon_resync(struct ifmon *im)
{
	int objects = nl_cache_nitems(im->links) + nl_cache_nitems(im->addrs);
	int r;

	im->resync_pending = false;
	im->resyncs++;
	im->overruns += ifmon_drain(nl_cache_mngr_get_fd(im->mngr)); /* the dump supersedes it */
	r = ifmon_dump_all(im);
	im->last_resync_ms = rp_clock_now_ms();
	objects += nl_cache_nitems(im->links) + nl_cache_nitems(im->addrs);
	if (r < 0) {
		im->errors++;
		rp_log_rl(&im->err_rl, RP_LOG_ERROR, COMP,
		       "re-dump after lost notifications failed: %s; trying again", nl_geterror(r));
	} else if (r == 0) {
		rp_log_rl(&im->err_rl, RP_LOG_WARNING, COMP, "links or addresses changed during "
		       "each of %d re-reads: not reported, trying again", DUMP_TRIES);
	} else {
		ifmon_report_all(im, true);
	}
	trim_after(objects);
	if (r <= 0)
		ifmon_resync_request(im);
	return r > 0 ? 0 : -1;
}

static void on_resync_timer(evutil_socket_t fd, short what, void *arg)
{
	ifmon_resync(arg);
}

int ifmon_resync_setup(struct ifmon *im, struct event_base *base, char *err, size_t errlen)
{
	int e = open_dump_sock(im);

	if (e < 0) {
		snprintf(err, errlen, "netlink socket: %s", nl_geterror(e));
		return -1;
	}
	im->resync_ev = evtimer_new(base, on_resync_timer, im);
	if (!im->resync_ev) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}
