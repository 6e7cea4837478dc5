/* SPDX-License-Identifier: ISC */
/*
 * ctl_socket.c — the control socket's file (see ctl_socket.h).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/ctl_socket.h"
#include "routprotd/log.h"

static int make_parent_dirs(const char *path, char *err, size_t errlen)
{
	char *dir = strdup(path);
	char *slash;
	int rc = 0;

	if (!dir) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		for (char *p = dir + 1; rc == 0; p++) {
			bool end = *p == '\0';

			if (*p != '/' && !end)
				continue;
			*p = '\0';
			if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
				snprintf(err, errlen, "cannot create directory %s: %s", dir,
					 strerror(errno));
				rc = -1;
			}
			if (end)
				break;
			*p = '/';
		}
	}
	free(dir);
	return rc;
}

static void fill_addr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, strlen(path) + 1);
}

/* An existing file at `path`: replace it when it is a dead socket, refuse otherwise. */
static int clear_stale_socket(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot check %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket", path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	fill_addr(&sun, path);
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	if (rc == 0 || errno == EAGAIN) {
		snprintf(err, errlen, "another routprotd is listening on %s", path);
		rc = -1;
	} else if (errno == ECONNREFUSED) {
		rc = 0;
		if (unlink(path) != 0 && errno != ENOENT) {
			snprintf(err, errlen, "cannot remove stale socket %s: %s", path,
				 strerror(errno));
			rc = -1;
		}
	} else {
		snprintf(err, errlen, "cannot probe existing socket %s: %s", path, strerror(errno));
		rc = -1;
	}
	close(fd);
	return rc;
}

/* Bind (created 0660 thanks to the umask), set owner group, listen. */
static int open_listener(const char *path, gid_t gid, int backlog, struct ctl_socket_id *id,
			 char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct stat st;
	mode_t old_mask;
	int fd, rc;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	fill_addr(&sun, path);
	old_mask = umask(0117);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old_mask);
	if (rc != 0) {
		snprintf(err, errlen, "cannot bind %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (chmod(path, 0660) != 0 ||
	    (gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) != 0) ||
	    lstat(path, &st) != 0 || listen(fd, backlog) != 0) {
		snprintf(err, errlen, "cannot set up %s: %s", path, strerror(errno));
		unlink(path);
		close(fd);
		return -1;
	}
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return fd;
}

int ctl_socket_open(const char *path, gid_t gid, int backlog, struct ctl_socket_id *id,
		    char *err, size_t errlen)
{
	if (strlen(path) >= sizeof(((struct sockaddr_un *)NULL)->sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -1;
	}
	if (make_parent_dirs(path, err, errlen) != 0 || clear_stale_socket(path, err, errlen) != 0)
		return -1;
	return open_listener(path, gid, backlog, id, err, errlen);
}

void ctl_socket_remove(const char *path, const struct ctl_socket_id *id)
{
	struct stat st;

	if (lstat(path, &st) != 0 || st.st_dev != id->dev || st.st_ino != id->ino)
		return;
	if (unlink(path) != 0)
		rp_log_warning("ctl", "cannot remove %s: %s", path, strerror(errno));
}
