/* SPDX-License-Identifier: ISC */
/*
 * ifmon_internal.h — what the interface monitor's two files share: its state, the reporting of
 * ifmon.c (links and addresses from the caches to rm_link snapshots) and the re-reading of
 * ifmon_resync.c (consistent dumps, coalesced re-reads after lost notifications).
 */
#ifndef ROUTPROTD_LINUX_IFMON_INTERNAL_H
#define ROUTPROTD_LINUX_IFMON_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "routprotd/log.h"
#include "linux/ifmon.h"

struct nl_cache;
struct nl_cache_mngr;
struct nl_sock;

struct ifmon {
	const struct ifmon_ops *ops;
	void *arg;
	struct nl_cache_mngr *mngr;
	struct nl_cache *links;
	struct nl_cache *addrs;
	struct nl_sock *dump_sock; /* for our own dumps (initial and re-reads) */
	struct event *ev;
	struct event *resync_ev;   /* timer of the pending re-read */
	struct nl_sock *mngr_sock; /* the cache manager's socket, with our message hook */
	uint32_t touched[64];      /* links named by the messages of the current batch */
	unsigned ntouched;
	bool touched_overflow;
	unsigned rcvbuf;
	bool ready;          /* initial dump delivered: callbacks may report */
	bool resync_pending; /* a re-read is scheduled: notifications are superseded */
	bool dump_intr;      /* the dump being read was marked interrupted by the kernel */
	int64_t last_resync_ms; /* monotonic end of the last re-read, 0 = none yet */
	uint64_t messages, overruns, resyncs, errors, interrupted_dumps;
	struct rp_log_ratelimit err_rl;
};

/* ifmon.c */
void ifmon_report_all(struct ifmon *im, bool as_resync); /* every link, from the caches */
unsigned ifmon_drain(int fd); /* throw away what the socket has queued; overruns met */

/* ifmon_resync.c */
/* Open the dump socket and create the re-read timer; -1 and a message in err when that fails. */
int ifmon_resync_setup(struct ifmon *im, struct event_base *base, char *err, size_t errlen);
/* Read both caches from empty through the dump socket: 1 consistent, 0 still interrupted after
 * every try (the caches hold the last read), negative libnl error. */
int ifmon_dump_all(struct ifmon *im);
/* Schedule a re-read (coalesced: a pending one covers every later request). */
void ifmon_resync_request(struct ifmon *im);

#endif
