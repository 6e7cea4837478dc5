/*
 * ctl_commands.c — dispatch of control-socket commands to the router manager. Arguments arrive
 * as the request's "args" array (strings as typed on the routprotctl command line; numbers are
 * accepted too) and are validated here: a bad argument is an error reply, never a crash.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/rm.h"
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
		ctl_reply_error(req, "show events: N must be a positive integer");
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

	if (!no_args(req, "reload", args))
		return;
	if (c->reload(c->reload_arg, &errors)) {
		ctl_reply_ok(req, json_pack("{s:b}", "reloaded", 1));
		return;
	}
	ctl_reply_error_data(req, json_pack("{s:o}", "errors", errors ? errors : json_array()),
			     "configuration not reloaded (%zu problem%s); the running "
			     "configuration is unchanged", json_array_size(errors),
			     json_array_size(errors) == 1 ? "" : "s");
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

static void reply_protocol_table(struct ctl_commands *c, struct ctl_request *req,
				 const json_t *args, const char *command, enum rp_mib_table table)
{
	json_t *rows;

	if (!no_args(req, command, args))
		return;
	rows = rm_json_protocol_table(c->rm, "rip", table);
	if (!rows) {
		ctl_reply_error(req, "RIP is not running (no rip section in the configuration)");
		return;
	}
	ctl_reply_ok(req, rows);
}

static void cmd_show_routes(struct ctl_commands *c, struct ctl_request *req, const json_t *args)
{
	reply_protocol_table(c, req, args, "show routes", RP_MIB_ROUTE);
}

static void cmd_show_neighbors(struct ctl_commands *c, struct ctl_request *req,
			       const json_t *args)
{
	reply_protocol_table(c, req, args, "show neighbors", RP_MIB_NEIGHBOR);
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
