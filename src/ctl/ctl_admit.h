/* SPDX-License-Identifier: ISC */
/*
 * ctl_admit.h — who makes room when the control socket is full. The operator must always get
 * in: a full table of connections that send nothing (or a byte now and then) must not lock
 * out `routprotctl` or `systemctl reload`. Pure logic over a snapshot of the connections, so
 * that the policy is tested on its own (the server in ctl_server.c applies it).
 */
#ifndef ROUTPROTD_CTL_ADMIT_H
#define ROUTPROTD_CTL_ADMIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One open connection as the policy sees it. */
struct ctl_admit_conn {
	uid_t uid;          /* of the peer (SO_PEERCRED), (uid_t)-1 when unknown */
	int64_t idle_since; /* monotonic ms since when it waits for a request; 0 = busy (a request
			       in progress or replies being written) */
	int64_t opened;     /* monotonic ms of the accept */
};

/* The connection to close so that a new client of `uid` gets in, or -1 to refuse it.
 *  1. An idle connection of the uid that holds the most connections (the newcomer's own uid
 *     first among equals), the one idle the longest: a flood of idle or slowly-sent
 *     connections only ever pushes out its own kind, and any other uid gets in.
 *  2. None idle: a privileged newcomer (uid 0 or `daemon_uid`) still gets in, in place of the
 *     oldest connection of the unprivileged uid that holds the most; busy privileged
 *     connections are never closed for anyone. */
int ctl_admit_victim(const struct ctl_admit_conn *conns, size_t n, uid_t uid, uid_t daemon_uid);

#endif
