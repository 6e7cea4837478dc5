/* SPDX-License-Identifier: ISC */
/*
 * daemon.c — the running service (see daemon.h). Start-up order: configuration, control socket
 * (so that a second instance fails before touching anything), netlink monitor with its initial
 * dump, protocols with their interfaces, then READY=1. SIGHUP and `routprotctl reload` re-read
 * the file and apply the difference; SIGTERM/SIGINT stop the protocols and leave the loop.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>

#include "conf/conf.h"
#include "core/rm.h"
#include "core/rm_module.h"
#include "ctl/ctl_commands.h"
#include "ctl/ctl_server.h"
#include "daemon.h"
#include "daemon_fib.h"
#include "routprotd/log.h"
#include "lib/notify.h"
#include "linux/fib.h"
#include "linux/ifmon.h"

#define COMP "routprotd"
#define STOP_TIMEOUT_MS 5000

/* The protocol modules the configuration names, loaded from the module directory. */
static struct rm_modules *modules;

/* Open the module directory; false (logged) when it cannot be read. */
static bool open_modules(const struct daemon_opts *opts)
{
	const char *dir = rm_modules_dir(opts->module_dir);
	char why[512];

	modules = rm_modules_new(dir, why, sizeof(why));
	if (!modules) {
		rp_log_error(COMP, "%s", why);
		return false;
	}
	rp_log_debug(COMP, "protocol modules from %s", dir);
	return true;
}

static void close_modules(void)
{
	rm_modules_free(modules);
	modules = NULL;
}

/* Load the modules of the protocols `file` has sections for; false with the reason in diag. */
static bool want_modules(const char *file, struct rp_conf_diag *diag)
{
	char names[2 * RM_MAX_PROTOCOLS][RP_PROTOCOL_NAME_MAX];
	size_t n = conf_section_names(file, names, 2 * RM_MAX_PROTOCOLS);
	char why[512];

	if (rm_modules_want(modules, names, n, why, sizeof(why)))
		return true;
	rp_conf_diag_line(diag, file, 0, "%s", why);
	return false;
}

/* Register the protocols of newly loaded modules with the router manager. */
static bool register_modules(struct rm *rm, struct rp_conf_diag *diag, const char *file)
{
	size_t n;
	const struct rp_protocol *const *protos = rm_modules_protocols(modules, &n);
	char why[256];

	for (size_t i = 0; i < n; i++) {
		if (rm_has_protocol(rm, protos[i]))
			continue;
		if (!rm_add_protocol(rm, protos[i], why, sizeof(why))) {
			rp_conf_diag_line(diag, file, 0, "%s", why);
			return false;
		}
	}
	return true;
}

/* Unload every module whose protocol neither runs nor is configured: the router manager
 * retires it first, keeping only copies of what it showed. */
static void unload_idle_modules(struct rm *rm)
{
	bool again = true;

	while (again) {
		size_t n;
		const struct rp_protocol *const *protos = rm_modules_protocols(modules, &n);
		char name[RP_PROTOCOL_NAME_MAX];

		again = false;
		for (size_t i = 0; i < n && !again; i++) {
			if (rm_has_protocol(rm, protos[i]) && !rm_retire_protocol(rm, protos[i]))
				continue;
			snprintf(name, sizeof(name), "%s", protos[i]->name);
			rm_modules_unload(modules, protos[i]);
			rp_log_info(COMP, "protocol module %s unloaded", name);
			again = true;
		}
	}
}

/* The kernel route protocol numbers of the loaded modules become the FIB's own: their routes
 * are written, dumped and watched as ours. A module without one (0) installs no routes. */
static bool own_module_protocols(struct fib *fib, char *err, size_t errlen)
{
	size_t n;
	const struct rp_protocol *const *protos = rm_modules_protocols(modules, &n);
	char why[200];

	for (size_t i = 0; i < n; i++) {
		uint32_t id = protos[i]->protocol_id;

		if (id == 0)
			continue;
		/* 1..255 (rm_protocol_acceptable refuses the others) */
		if (!fib_add_own(fib, (uint8_t)id, why, sizeof(why))) {
			snprintf(err, errlen, "protocol module %s refused: %s", protos[i]->name,
				 why);
			return false;
		}
	}
	return true;
}

struct daemon {
	struct daemon_opts opts;
	struct event_base *base;
	struct rm *rm;
	struct ifmon *ifmon;
	struct fib *fib;
	struct ctl_server *ctl;
	struct ctl_commands commands;
	struct event *signals[3];
	struct event *watchdog;
	bool stopping;
	int exit_code;
	int lock_fd; /* the namespace's instance lock */
};

/* Load the file and apply the command-line overrides. */
static struct conf *load_config(const struct daemon_opts *opts, struct rp_conf_diag *diag)
{
	struct conf *c;
	char *copy;

	const struct rp_protocol *const *protocols;
	size_t n;

	rp_conf_diag_init(diag, opts->config_file);
	if (!want_modules(opts->config_file, diag))
		return NULL;
	protocols = rm_modules_protocols(modules, &n);
	c = conf_load(opts->config_file, protocols, n, diag);
	if (!c)
		return NULL;
	if (opts->socket_path && (copy = strdup(opts->socket_path))) {
		free(c->control_socket);
		c->control_socket = copy;
	}
	if (opts->state_dir && (copy = strdup(opts->state_dir))) {
		free(c->state_dir);
		c->state_dir = copy;
	}
	if (opts->debug)
		c->log_level = RP_LOG_DEBUG;
	return c;
}

int daemon_check_config(const struct daemon_opts *opts)
{
	struct rp_conf_diag diag;
	struct conf *c;

	if (!open_modules(opts))
		return EXIT_CONFIG;
	c = load_config(opts, &diag);
	rp_conf_diag_print(&diag, stderr);
	if (c)
		printf("%s: configuration is valid\n", opts->config_file);
	conf_free(c);
	rp_conf_diag_free(&diag);
	close_modules();
	return c ? EXIT_CLEAN : EXIT_CONFIG;
}

/* A message as a JSON string: bytes that are not UTF-8 (a name in another encoding echoed
 * from the file) become '?' rather than losing the message. */
static json_t *message_json(const char *msg)
{
	json_t *j = json_string(msg);
	char *copy;

	if (j)
		return j;
	copy = strdup(msg);
	if (!copy)
		return NULL;
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80 || (unsigned char)*p < 0x20)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

/* Log every problem of a refused file and list them for the client. */
static json_t *report_problems(const struct rp_conf_diag *diag)
{
	json_t *list = json_array();
	char lost[160];

	for (size_t i = 0; i < diag->count; i++) {
		rp_log_error("conf", "%s", diag->messages[i]);
		json_array_append_new(list, message_json(diag->messages[i]));
	}
	if (diag->lost) {
		snprintf(lost, sizeof(lost), "%s: %zu more problem(s) not shown (out of memory)",
			 diag->file ? diag->file : "(config)", diag->lost);
		rp_log_error("conf", "%s", lost);
		json_array_append_new(list, json_string(lost));
	}
	return list;
}

static enum ctl_reload_result reload(void *arg, json_t **errors)
{
	struct daemon *d = arg;
	enum ctl_reload_result r = CTL_RELOADED;
	struct rp_conf_diag diag;
	struct conf *c;
	char why[256];

	if (d->stopping) {
		*errors = json_pack("[s]", "routprotd is stopping");
		rp_log_warning(COMP, "reload refused: stopping");
		return CTL_RELOAD_REJECTED;
	}
	notify_reloading();
	rp_log_notice(COMP, "reloading %s", d->opts.config_file);
	c = load_config(&d->opts, &diag);
	if (c && !register_modules(d->rm, &diag, d->opts.config_file)) {
		conf_free(c);
		c = NULL;
	}
	if (c && !own_module_protocols(d->fib, why, sizeof(why))) {
		rp_conf_diag_line(&diag, d->opts.config_file, 0, "%s", why);
		conf_free(c);
		c = NULL;
	}
	if (c) /* the socket itself stays; its timeouts follow the file */
		ctl_server_set_timeouts(d->ctl, (unsigned)c->control_idle_timeout,
					(unsigned)c->control_request_timeout);
	if (!c) {
		*errors = report_problems(&diag);
		rp_log_error(COMP, "configuration not reloaded: the running configuration stays");
		r = CTL_RELOAD_REJECTED;
	} else if (!rm_apply_config(d->rm, c)) {
		*errors = json_pack("[s]", "a configured protocol failed to start (see the log)");
		rp_log_error(COMP, "configuration applied, but a protocol failed to start");
		r = CTL_RELOAD_PARTIAL;
	} else {
		rp_log_notice(COMP, "configuration reloaded");
	}
	rp_conf_diag_free(&diag);
	unload_idle_modules(d->rm); /* removed sections, or loaded for a refused file */
	notify_ready(r == CTL_RELOADED ? "running" : "running (last reload failed)");
	return r;
}

static void on_stopped(void *arg)
{
	struct daemon *d = arg;

	event_base_loopexit(d->base, NULL);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	json_t *errors = NULL;

	if (sig == SIGHUP) {
		reload(d, &errors);
		json_decref(errors);
		return;
	}
	if (d->stopping) {
		rp_log_warning(COMP, "second stop signal: leaving at once");
		event_base_loopbreak(d->base);
		return;
	}
	d->stopping = true;
	rp_log_notice(COMP, "stopping (signal %d)", (int)sig);
	notify_stopping();
	rm_stop(d->rm, STOP_TIMEOUT_MS, on_stopped, d);
}

static void on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	notify_watchdog();
}

static void status_hook(json_t *status, void *arg)
{
	struct daemon *d = arg;
	struct ctl_server_stats st;

	ifmon_status_json(d->ifmon, status);
	fib_status_json(d->fib, status);
	ctl_server_get_stats(d->ctl, &st);
	json_object_set_new(status, "control",
			    json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
				      "socket", ctl_server_path(d->ctl),
				      "connections", (json_int_t)st.connections,
				      "requests", (json_int_t)st.requests,
				      "bad_requests", (json_int_t)st.bad_requests,
				      "rejected", (json_int_t)st.rejected,
				      "evicted", (json_int_t)st.evicted,
				      "idle_timeouts", (json_int_t)st.idle_timeouts,
				      "request_timeouts", (json_int_t)st.request_timeouts,
				      "clients", (json_int_t)st.clients));
}

static void ifmon_to_rm_update(void *arg, const struct rm_link *l)
{
	rm_link_update(arg, l);
}

static void ifmon_to_rm_delete(void *arg, uint32_t ifindex)
{
	rm_link_delete(arg, ifindex);
}

static void ifmon_to_rm_resync(void *arg, const struct rm_link *links, size_t n)
{
	rm_link_resync(arg, links, n);
}

static const struct ifmon_ops ifmon_ops = {
	.link_update = ifmon_to_rm_update,
	.link_delete = ifmon_to_rm_delete,
	.resync = ifmon_to_rm_resync,
};

static bool install_signals(struct daemon *d)
{
	static const int sigs[3] = { SIGHUP, SIGTERM, SIGINT };

	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return false;
	for (int i = 0; i < 3; i++) {
		d->signals[i] = evsignal_new(d->base, sigs[i], on_signal, d);
		if (!d->signals[i] || evsignal_add(d->signals[i], NULL) != 0)
			return false;
	}
	return true;
}

static void start_watchdog(struct daemon *d)
{
	uint64_t usec = notify_watchdog_usec();
	struct timeval tv = { .tv_sec = (time_t)(usec / 2 / 1000000),
			      .tv_usec = (suseconds_t)(usec / 2 % 1000000) };

	if (usec == 0)
		return;
	d->watchdog = event_new(d->base, -1, EV_PERSIST, on_watchdog, d);
	if (d->watchdog && event_add(d->watchdog, &tv) == 0)
		rp_log_info(COMP, "watchdog every %llu ms", (unsigned long long)(usec / 2000));
	else
		rp_log_error(COMP, "cannot arm the watchdog timer: systemd will restart the daemon "
			  "when WatchdogSec runs out");
}

/* The state directory holds persistent state (autostatic routes): created if missing, and it
 * must be a writable directory, or nothing could be kept across restarts. */
static bool ensure_state_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		rp_log_error(COMP, "cannot create state directory %s: %s", dir, strerror(errno));
		return false;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK | X_OK) != 0) {
		rp_log_error(COMP, "state directory %s is not a writable directory", dir);
		return false;
	}
	return true;
}

/* The kernel FIB: our routes already there are adopted (kept while relearned). */
static int start_fib(struct daemon *d, const struct conf *c)
{
	static const uint8_t own[] = { RTPROT_RIP_NUM, RTPROT_AUTOSTATIC };
	char err[256];

	d->fib = fib_new(d->base, c->fib_table, c->fib_metric, own, sizeof(own),
			 &daemon_fib_ops, d->rm, err, sizeof(err));
	if (!d->fib) {
		rp_log_error(COMP, "kernel routing table: %s", err);
		return -1;
	}
	if (!own_module_protocols(d->fib, err, sizeof(err))) {
		rp_log_error(COMP, "%s", err);
		return -1;
	}
	rm_attach_fib(d->rm, &daemon_rm_fib_ops, d->fib);
	rm_autostatic_load(d->rm, c->state_dir); /* before any protocol runs */
	return 0;
}

/* One routprotd per network namespace: two would fight over port 520 and the kernel's routes.
 * An abstract Unix socket name lives in the network namespace and vanishes with the process. */
static int lock_namespace(void)
{
	static const char name[] = "\0routprotd-instance";
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	memcpy(sun.sun_path, name, sizeof(name) - 1);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sun, offsetof(struct sockaddr_un, sun_path) +
					   sizeof(name) - 1) != 0) {
		close(fd);
		return -1;
	}
	return fd; /* held open until exit */
}

/* Bring everything up; on failure returns the exit code, else EXIT_CLEAN. */
static int start(struct daemon *d, struct conf *c)
{
	char err[256];
	gid_t gid = c->control_group ? c->control_gid : (gid_t)-1;
	size_t n;
	const struct rp_protocol *const *protocols = rm_modules_protocols(modules, &n);

	d->base = event_base_new();
	d->rm = d->base ? rm_new(d->base, protocols, n) : NULL;
	if (!d->rm || !install_signals(d)) {
		rp_log_error(COMP, "cannot initialise the event loop");
		conf_free(c);
		return EXIT_RUNTIME;
	}
	d->commands = (struct ctl_commands){ .rm = d->rm, .reload = reload, .reload_arg = d };
	d->ctl = ctl_server_new(d->base, c->control_socket, gid, ctl_commands_dispatch,
				&d->commands, err, sizeof(err));
	if (!d->ctl) {
		rp_log_error(COMP, "control socket: %s", err);
		conf_free(c);
		return EXIT_RUNTIME;
	}
	ctl_server_set_timeouts(d->ctl, (unsigned)c->control_idle_timeout,
				(unsigned)c->control_request_timeout);
	d->lock_fd = lock_namespace();
	if (d->lock_fd < 0) {
		rp_log_error(COMP, "another routprotd runs in this network namespace (%s)",
			  strerror(errno));
		conf_free(c);
		return EXIT_RUNTIME;
	}
	if (!ensure_state_dir(c->state_dir)) {
		conf_free(c);
		return EXIT_RUNTIME;
	}
	d->ifmon = ifmon_new(d->base, &ifmon_ops, d->rm, c->netlink_rcvbuf, err, sizeof(err));
	if (!d->ifmon) {
		rp_log_error(COMP, "%s", err);
		conf_free(c);
		return EXIT_RUNTIME;
	}
	if (start_fib(d, c) != 0) {
		conf_free(c);
		return EXIT_RUNTIME;
	}
	rm_set_status_hook(d->rm, status_hook, d);
	if (!rm_apply_config(d->rm, c)) {
		rp_log_error(COMP, "a configured protocol failed to start");
		return EXIT_RUNTIME;
	}
	start_watchdog(d);
	return EXIT_CLEAN;
}

static void teardown(struct daemon *d)
{
	ctl_server_free(d->ctl);
	rm_free(d->rm);
	if (d->fib)
		fib_flush(d->fib);
	fib_free(d->fib);
	ifmon_free(d->ifmon);
	for (int i = 0; i < 3; i++)
		if (d->signals[i])
			event_free(d->signals[i]);
	if (d->watchdog)
		event_free(d->watchdog);
	if (d->base)
		event_base_free(d->base);
	if (d->lock_fd >= 0)
		close(d->lock_fd);
}

int daemon_run(const struct daemon_opts *opts)
{
	struct daemon d = { .opts = *opts, .lock_fd = -1 };
	struct rp_conf_diag diag;
	struct conf *c;
	int code;

	if (!open_modules(opts))
		return EXIT_CONFIG;
	c = load_config(opts, &diag);
	json_decref(report_problems(&diag)); /* logged; nobody to send them to */
	rp_conf_diag_free(&diag);
	if (!c) {
		close_modules();
		return EXIT_CONFIG;
	}
	rp_log_set_level(c->log_level);
	code = start(&d, c);
	if (code == EXIT_CLEAN) {
		rp_log_notice(COMP, "routprotd %s running", PACKAGE_VERSION);
		notify_ready("running");
		if (event_base_dispatch(d.base) < 0) {
			rp_log_error(COMP, "event loop failed");
			code = EXIT_RUNTIME;
		}
	}
	teardown(&d);
	close_modules(); /* nothing refers to them any more */
	if (code == EXIT_CLEAN)
		rp_log_notice(COMP, "stopped");
	return code;
}
