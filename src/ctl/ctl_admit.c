/* SPDX-License-Identifier: ISC */
/*
 * ctl_admit.c — the choice of the connection that makes room for a new control client (see
 * ctl_admit.h). Runs only when the table is full (CTL_MAX_CLIENTS connections): quadratic in
 * that small number.
 */
#include "config.h"

#include <stdbool.h>

#include "ctl/ctl_admit.h"

static bool privileged(uid_t uid, uid_t daemon_uid)
{
	return uid == 0 || uid == daemon_uid;
}

static size_t count_uid(const struct ctl_admit_conn *conns, size_t n, uid_t uid)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += conns[i].uid == uid;
	return k;
}

/* Does candidate a make a better victim than b? More connections of its uid, then the
 * newcomer's own uid, then waiting (idle, else open) the longest. */
static bool better(const struct ctl_admit_conn *conns, size_t n, size_t a, long b, uid_t uid,
		   bool by_idle)
{
	size_t ca, cb;

	if (b < 0)
		return true;
	ca = count_uid(conns, n, conns[a].uid);
	cb = count_uid(conns, n, conns[b].uid);
	if (ca != cb)
		return ca > cb;
	if ((conns[a].uid == uid) != (conns[b].uid == uid))
		return conns[a].uid == uid;
	return by_idle ? conns[a].idle_since < conns[b].idle_since
		       : conns[a].opened < conns[b].opened;
}

int ctl_admit_victim(const struct ctl_admit_conn *conns, size_t n, uid_t uid, uid_t daemon_uid)
{
	long best = -1;

	for (size_t i = 0; i < n; i++)
		if (conns[i].idle_since != 0 && better(conns, n, i, best, uid, true))
			best = (long)i;
	if (best >= 0 || !privileged(uid, daemon_uid))
		return (int)best;
	for (size_t i = 0; i < n; i++)
		if (!privileged(conns[i].uid, daemon_uid) && better(conns, n, i, best, uid, false))
			best = (long)i;
	return (int)best;
}
