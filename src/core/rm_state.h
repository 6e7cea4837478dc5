/* SPDX-License-Identifier: ISC */
/*
 * rm_state.h — the autostatic state file: the routes every interface learned in its last
 * successful autostatic update, kept in the state directory as human-readable, versioned JSON
 * (autostatic.json) and written atomically on every change. A file that cannot be trusted
 * (corrupt, foreign, from a newer version) is never used and never overwritten in place: it is
 * set aside under a new name and reported. A write goes to a temporary file (RM_STATE_TEMP) that
 * is synced and renamed over the file; a temporary left by a crash is removed at start.
 */
#ifndef ROUTPROTD_CORE_RM_STATE_H
#define ROUTPROTD_CORE_RM_STATE_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#define RM_STATE_FILE "autostatic.json"
#define RM_STATE_FORMAT "routprotd-autostatic"
#define RM_STATE_VERSION 1
#define RM_STATE_TEMP "." RM_STATE_FILE ".tmp"

/* rm_state_write's results */
#define RM_STATE_WRITTEN 0    /* the new file is in place and on disk */
#define RM_STATE_UNCHANGED (-1) /* not written: the previous file (if any) is intact */
#define RM_STATE_REPLACED (-2)  /* renamed into place, but the directory could not be synced:
				   the file holds the new contents, which may not survive a crash */

struct rm_state_route {
	uint32_t prefix;
	uint8_t len;
	uint32_t gateway;
	uint32_t metric;
	uint32_t tag;
};

struct rm_state_iface {
	char name[IF_NAMESIZE];
	int64_t updated_ms; /* wall clock of the update that produced the routes */
	struct rm_state_route *routes;
	size_t nroutes;
};

/* Write all interfaces to DIR/autostatic.json atomically: RM_STATE_WRITTEN, or one of the
 * failures above with a reason (path and error) in err. */
int rm_state_write(const char *dir, const struct rm_state_iface *ifs, size_t n, char *err,
		   size_t errlen);
/* 1 = loaded, 0 = no file, -1 = present but unusable (reason in err). */
int rm_state_read(const char *dir, struct rm_state_iface **ifs, size_t *n, char *err,
		  size_t errlen);
/* Rename an unusable file to autostatic.json.bad-YYYYMMDDTHHMMSSZ; the new path in `aside`. */
int rm_state_set_aside(const char *dir, char *aside, size_t len);
/* Remove a temporary file a crash left behind: 1 removed, 0 there was none, -1 error (in err). */
int rm_state_remove_temp(const char *dir, char *err, size_t errlen);
void rm_state_free(struct rm_state_iface *ifs, size_t n);

#endif
