/* SPDX-License-Identifier: ISC */
/*
 * ctl_commands.h — the commands of the control socket (routprotctl(8)): each request is mapped to
 * the router manager's views or actions. The only place that knows command names.
 */
#ifndef ROUTPROTD_CTL_COMMANDS_H
#define ROUTPROTD_CTL_COMMANDS_H

#include <stdbool.h>

#include <jansson.h>

#include "ctl/ctl_server.h"

struct rm;

struct ctl_commands {
	struct rm *rm;
	/* Reload the configuration file; unless RELOADED, *errors is a JSON array of messages
	 * ("FILE:LINE: ..." for a rejected file). */
	enum ctl_reload_result {
		CTL_RELOADED,        /* the new file is in effect */
		CTL_RELOAD_REJECTED, /* the file has errors: the running configuration stays */
		CTL_RELOAD_PARTIAL,  /* the new file is in effect, but part of it failed (a
					protocol it asks for could not start) */
	} (*reload)(void *arg, json_t **errors);
	void *reload_arg;
};

/* ctl_dispatch_fn for ctl_server_new, with a struct ctl_commands as arg. */
void ctl_commands_dispatch(void *arg, struct ctl_request *req, const char *command,
			   const json_t *args);

#endif
