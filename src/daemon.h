/* SPDX-License-Identifier: ISC */
/*
 * daemon.h — routprotd as a running service: wiring of the router manager, the protocol registry,
 * the netlink monitor and the control socket into one libevent loop; signals, reloads, sd_notify
 * and the clean stop.
 */
#ifndef ROUTPROTD_DAEMON_H
#define ROUTPROTD_DAEMON_H

#include <stdbool.h>

/* Exit codes of routprotd (routprotd(8)). */
enum {
	EXIT_CLEAN = 0,
	EXIT_CONFIG = 1,
	EXIT_USAGE = 2,
	EXIT_RUNTIME = 3,
};

struct daemon_opts {
	const char *config_file;
	const char *socket_path; /* NULL: from the file */
	const char *state_dir;   /* NULL: from the file */
	const char *module_dir;  /* NULL: the default (rm_modules_dir) */
	bool debug;
};

/* Run until SIGTERM/SIGINT; returns the exit code. */
int daemon_run(const struct daemon_opts *opts);
/* -t: validate the file, print every problem to stderr; returns EXIT_CLEAN or EXIT_CONFIG. */
int daemon_check_config(const struct daemon_opts *opts);

#endif
