/* SPDX-License-Identifier: ISC */
/*
 * ctl_socket.h — the control socket's file: parent directories, a stale socket left by a dead
 * daemon replaced (a live one refused), mode 0660 and group, and removal of our own file only.
 */
#ifndef ROUTPROTD_CTL_SOCKET_H
#define ROUTPROTD_CTL_SOCKET_H

#include <stddef.h>
#include <sys/types.h>

/* Which file we created, so that we never unlink another daemon's socket. */
struct ctl_socket_id {
	dev_t dev;
	ino_t ino;
};

/* A listening, non-blocking Unix stream socket at `path` (group `gid` unless (gid_t)-1).
 * Returns its fd, or -1 with a reason in err. */
int ctl_socket_open(const char *path, gid_t gid, int backlog, struct ctl_socket_id *id,
		    char *err, size_t errlen);
/* Remove the socket file if it is still the one ctl_socket_open created. */
void ctl_socket_remove(const char *path, const struct ctl_socket_id *id);

#endif
