/* SPDX-License-Identifier: ISC */
/*
 * rm_autostatic_save.c — keeping the autostatic state file in line with the sets. A change of
 * a set is written first and applied (kernel, route table, redistribution) only once the file
 * holds it: a change that cannot be made durable is refused as a whole, so that kernel, memory
 * and file never disagree and a restart brings back exactly what was last acknowledged.
 *
 * The only way the file can lag behind the sets in memory is a write that failed where there
 * was nothing to refuse (the sets recovered from the kernel at start) or a rename that happened
 * while its directory could not be synced and the previous contents could not be restored.
 * Then the file is "dirty": `show status` says so and a timer retries until a write succeeds.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core/rm_internal.h"
#include "core/rm_state.h"
#include "routprotd/clock.h"
#include "routprotd/log.h"

#define COMP "autostatic"
#define RETRY_S 10 /* between attempts while the file lags behind the sets */

static void on_retry(evutil_socket_t fd, short what, void *arg);

/* Write the sets, `s`'s replaced by `cand` (when both are given). */
static int write_sets(struct rm *rm, const struct rm_as_set *s,
		      const struct rm_state_iface *cand)
{
	struct rm_as_file *f = &rm->as_file;
	struct rm_state_iface *all;
	const struct rm_as_set *x;
	size_t n = 0;
	int rc;

	for (x = rm_autostatic_first(rm); x; x = rm_autostatic_next(x))
		n++;
	all = calloc(n ? n : 1, sizeof(*all));
	if (!all) {
		snprintf(f->error, sizeof(f->error), "out of memory");
		return RM_STATE_UNCHANGED;
	}
	n = 0;
	for (x = rm_autostatic_first(rm); x; x = rm_autostatic_next(x)) {
		const struct rm_state_iface *st = x == s && cand ? cand : rm_autostatic_state(x);

		if (st->updated_ms || st->nroutes)
			all[n++] = *st; /* the routes stay the sets' */
	}
	rc = rm_state_write(rm->state_dir, all, n, f->error, sizeof(f->error));
	free(all);
	return rc;
}

static void arm_retry(struct rm *rm)
{
	struct rm_as_file *f = &rm->as_file;

	f->dirty = true;
	if (!f->retry)
		f->retry = evtimer_new(rm->base, on_retry, rm);
	if (!f->retry || evtimer_add(f->retry, &(struct timeval){ .tv_sec = RETRY_S }) != 0)
		rp_log_error(COMP, "cannot arm the state file retry timer: the file is written again "
			  "at the next change");
}

static void note_failure(struct rm *rm)
{
	struct rm_as_file *f = &rm->as_file;

	if (f->rl.burst == 0)
		f->rl = (struct rp_log_ratelimit)RP_LOG_RATELIMIT_INIT(5, 60000);
	f->failures++;
	rp_log_rl(&f->rl, RP_LOG_ERROR, COMP, "cannot write the state file: %s", f->error);
}

static void note_success(struct rm *rm)
{
	struct rm_as_file *f = &rm->as_file;

	if (f->dirty)
		rp_log_notice(COMP, "state file written again; it holds the routes in effect");
	f->dirty = false;
	f->error[0] = '\0';
	f->saved_ms = rp_clock_wall_ms();
	if (f->retry)
		evtimer_del(f->retry);
}

/* Make the file hold the sets in memory; dirty (with a retry) until that works. */
static bool save_current(struct rm *rm)
{
	if (write_sets(rm, NULL, NULL) == RM_STATE_WRITTEN) {
		note_success(rm);
		return true;
	}
	note_failure(rm);
	arm_retry(rm);
	return false;
}

bool rm_autostatic_save(struct rm *rm, const struct rm_as_set *s,
			const struct rm_state_iface *cand)
{
	char why[sizeof(rm->as_file.error)];
	int rc;

	if (!rm->state_dir)
		return true;
	if (!s || !cand)
		return save_current(rm);
	rc = write_sets(rm, s, cand);
	if (rc == RM_STATE_WRITTEN) {
		note_success(rm);
		return true;
	}
	note_failure(rm);
	if (rc == RM_STATE_REPLACED) {
		/* the file may hold the refused change: put the sets in effect back */
		memcpy(why, rm->as_file.error, sizeof(why));
		save_current(rm);
		memcpy(rm->as_file.error, why, sizeof(why));
	}
	return false;
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	save_current(arg);
}

void rm_autostatic_save_free(struct rm *rm)
{
	if (rm->as_file.retry)
		event_free(rm->as_file.retry);
	rm->as_file.retry = NULL;
}

json_t *rm_json_state_file(const struct rm *rm)
{
	const struct rm_as_file *f = &rm->as_file;
	char path[4200], when[RP_CLOCK_ISO8601_LEN];

	if (!rm->state_dir)
		return json_null();
	snprintf(path, sizeof(path), "%s/%s", rm->state_dir, RM_STATE_FILE);
	if (f->saved_ms)
		rp_clock_format_iso8601(f->saved_ms, when);
	return json_pack("{s:s,s:b,s:I,s:s?,s:s?,s:I}", "path", path, "saved", !f->dirty,
			 "write_failures", (json_int_t)f->failures, "last_error",
			 f->error[0] ? f->error : NULL, "last_saved", f->saved_ms ? when : NULL,
			 "retry_interval", (json_int_t)RETRY_S);
}
