/* SPDX-License-Identifier: ISC */
/*
 * ctl_commands.c — dispatch of control-socket commands to the router manager. Arguments arrive
 * as the request's "args" array (strings as typed on the routprotctl command line; numbers are
 * accepted too) and are validated here: a bad argument is an error reply, never a crash.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/rm.h"
#include "routprotd/prefix.h"
#include "ctl/ctl_commands.h"

/* A positive integer argument given as a JSON integer or a decimal string. */
static bool arg_positive(const json_t *v, long long max, long long *out)
{
	char *end;
	long long n;

	if (json_is_integer(v)) {
		n = json_integer_value(v);
	} else if (json_is_string(v) && json_string_value(v)[0] != '\0') {
		n = strtoll(json_string_value(v), &end, 10);
		if (*end != '\0')
			return false;
	} else {
		return false;
	}
	if (n < 1 || n > max)
		return false;
	*out = n;
	return true;
}

static void cmd_show_events(struct ctl_commands *c, struct ctl_request *req, const json_t *args)
{
	long long n = 0;

	if (json_array_size(args) > 1) {
		ctl_reply_error(req, "usage: show events [N]");
		return;
	}
	if (json_array_size(args) == 1 && !arg_positive(json_array_get(args, 0), 1000000, &n)) {
		ctl_reply_error(req, "show events: N must be an integer from 1 to 1000000");
		return;
	}
	ctl_reply_ok(req, rm_json_events(c->rm, (size_t)n));
}

static bool no_args(struct ctl_request *req, const char *command, const json_t *args)
{
	if (json_array_size(args) == 0)
		return true;
	ctl_reply_error(req, "%s takes no arguments", command);
	return false;
}

static void cmd_reload(struct ctl_commands *c, struct ctl_request *req, const json_t *args)
{
	json_t *errors = NULL;
	enum ctl_reload_result r;
	size_t n;

	if (!no_args(req, "reload", args))
		return;
	r = c->reload(c->reload_arg, &errors);
	if (r == CTL_RELOADED) {
		ctl_reply_ok(req, json_pack("{s:b}", "reloaded", 1));
		return;
	}
	n = json_array_size(errors);
	if (r == CTL_RELOAD_PARTIAL)
		ctl_reply_error_data(req, json_pack("{s:o}", "errors", errors ? errors : json_array()),
				     "configuration reloaded with %zu problem%s; the rest of the new "
				     "configuration is in effect", n, n == 1 ? "" : "s");
	else
		ctl_reply_error_data(req, json_pack("{s:o}", "errors", errors ? errors : json_array()),
				     "configuration not reloaded (%zu problem%s); the running "
				     "configuration is unchanged", n, n == 1 ? "" : "s");
}

static void cmd_show_status(struct ctl_commands *c, struct ctl_request *req, const json_t *args)
{
	if (no_args(req, "show status", args))
		ctl_reply_ok(req, rm_json_status(c->rm));
}

static void cmd_show_interfaces(struct ctl_commands *c, struct ctl_request *req,
				const json_t *args)
{
	if (no_args(req, "show interfaces", args))
		ctl_reply_ok(req, rm_json_interfaces(c->rm));
}

static json_t *table_next(void *it)
{
	return rm_table_iter_next(it);
}

static void table_done(void *it)
{
	rm_table_iter_free(it);
}

/* RIP's tables can hold 100,000 rows and more: streamed, a slice at a time. */
static void reply_protocol_table(struct ctl_commands *c, struct ctl_request *req,
				 const json_t *args, const char *command, enum rp_mib_table table)
{
	struct rm_table_iter *it;

	if (!no_args(req, command, args))
		return;
	it = rm_table_iter_new(c->rm, "rip", table);
	if (!it) {
		ctl_reply_error(req, "RIP is not running (no rip section in the configuration)");
		return;
	}
	ctl_reply_stream(req, table_next, table_done, it);
}

/* show routes PREFIX: that route; show routes ADDRESS: the longest reachable route to it. */
static void reply_one_route(struct ctl_commands *c, struct ctl_request *req, const char *what)
{
	struct rp_prefix4 p;
	json_t *row, *rows;
	bool exact = strchr(what, '/') != NULL;

	if (exact ? !rp_prefix4_parse(what, &p, false) : !rp_addr4_parse(what, &p.addr)) {
		ctl_reply_error(req, "show routes: '%s' is not an IPv4 prefix (a.b.c.d/len, host "
				     "bits zero) or address", what);
		return;
	}
	if (!exact)
		p.len = 32;
	if (!rm_protocol_route(c->rm, "rip", p.addr, p.len, exact, &row)) {
		ctl_reply_error(req, "RIP is not running (no rip section in the configuration)");
		return;
	}
	rows = json_array();
	if (row && json_array_append_new(rows, row) != 0) {
		json_decref(rows);
		rows = NULL;
	}
	ctl_reply_ok(req, rows);
}

static void cmd_show_routes(struct ctl_commands *c, struct ctl_request *req, const json_t *args)
{
	const json_t *what = json_array_get(args, 0);

	if (json_array_size(args) == 0) {
		reply_protocol_table(c, req, args, "show routes", RP_MIB_ROUTE);
		return;
	}
	if (json_array_size(args) > 1 || !json_is_string(what)) {
		ctl_reply_error(req, "show routes takes at most one argument: a prefix or an "
				     "address");
		return;
	}
	reply_one_route(c, req, json_string_value(what));
}

static void cmd_show_neighbors(struct ctl_commands *c, struct ctl_request *req,
			       const json_t *args)
{
	reply_protocol_table(c, req, args, "show neighbors", RP_MIB_NEIGHBOR);
}

/* An update-routes client waiting for UPDATE_COMPLETE. */
struct waiter {
	struct ctl_commands *c;
	struct ctl_request *req;
};

/* {interface, status, routes [, reason]}: `reason` says why a failed update failed when the
 * router manager knows more than the status (the state file could not be written...). */
static json_t *update_result(const char *ifname, enum rp_result status, size_t routes,
			     const char *why)
{
	return json_pack("{s:s,s:s,s:I,s:s*}", "interface", ifname, "status",
			 rp_result_name(status), "routes", (json_int_t)routes, "reason", why);
}

static void update_done(void *ctx, const char *ifname, enum rp_result status, size_t routes,
			const char *why)
{
	struct waiter *w = ctx;

	ctl_reply_ok(w->req, update_result(ifname, status, routes, why));
	free(w);
}

static void update_cancelled(void *arg)
{
	struct waiter *w = arg;

	rm_update_forget(w->c->rm, w);
	free(w);
}

/* The optional "timeout" of the request body: 1..3600 s, 0 when absent. */
static bool update_timeout(struct ctl_request *req, unsigned *timeout)
{
	const json_t *t = json_object_get(ctl_request_body(req), "timeout");
	long long v = 0;

	*timeout = 0;
	if (!t)
		return true;
	if (!arg_positive(t, 3600, &v))
		return false;
	*timeout = (unsigned)v;
	return true;
}

static void cmd_update_routes(struct ctl_commands *c, struct ctl_request *req,
			      const json_t *args)
{
	const char *ifname = json_string_value(json_array_get(args, 0));
	struct waiter *w;
	const char *why;
	unsigned timeout;
	enum rp_result r;

	if (json_array_size(args) != 1 || !ifname || !update_timeout(req, &timeout)) {
		ctl_reply_error(req, "usage: update-routes IFNAME [--timeout 1..3600]");
		return;
	}
	w = malloc(sizeof(*w));
	if (!w) {
		ctl_reply_error(req, "out of memory");
		return;
	}
	*w = (struct waiter){ .c = c, .req = req };
	r = rm_update_routes(c->rm, ifname, timeout, update_done, w, &why);
	if (r == NO_ERROR) {
		ctl_request_on_cancel(req, update_cancelled, w);
		return;
	}
	free(w);
	if (r == ERROR_INVALID_PARAMETER)
		ctl_reply_error(req, "%s: %s", ifname, why ? why : "cannot update");
	else
		ctl_reply_ok(req, update_result(ifname, r, rm_autostatic_count(c->rm, ifname),
						NULL));
}

static void cmd_show_autostatic(struct ctl_commands *c, struct ctl_request *req,
				const json_t *args)
{
	if (no_args(req, "show autostatic", args))
		ctl_reply_ok(req, rm_json_autostatic(c->rm));
}

static void cmd_clear_autostatic(struct ctl_commands *c, struct ctl_request *req,
				 const json_t *args)
{
	const char *ifname = json_string_value(json_array_get(args, 0));
	const char *why;
	size_t removed;
	enum rp_result r;

	if (json_array_size(args) != 1 || !ifname) {
		ctl_reply_error(req, "usage: clear autostatic IFNAME");
		return;
	}
	r = rm_clear_autostatic(c->rm, ifname, &removed, &why);
	if (r != NO_ERROR) {
		ctl_reply_error(req, "%s: %s", ifname, why ? why : "unknown interface");
		return;
	}
	ctl_reply_ok(req, json_pack("{s:s,s:I}", "interface", ifname, "removed",
				    (json_int_t)removed));
}

static const struct {
	const char *name;
	void (*run)(struct ctl_commands *c, struct ctl_request *req, const json_t *args);
} commands[] = {
	{ "show status", cmd_show_status },
	{ "show interfaces", cmd_show_interfaces },
	{ "show events", cmd_show_events },
	{ "show routes", cmd_show_routes },
	{ "show neighbors", cmd_show_neighbors },
	{ "show autostatic", cmd_show_autostatic },
	{ "update-routes", cmd_update_routes },
	{ "clear autostatic", cmd_clear_autostatic },
	{ "reload", cmd_reload },
};

void ctl_commands_dispatch(void *arg, struct ctl_request *req, const char *command,
			   const json_t *args)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(command, commands[i].name) == 0) {
			commands[i].run(arg, req, args);
			return;
		}
	}
	ctl_reply_error(req, "unknown command '%s'", command);
}
