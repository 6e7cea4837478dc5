/* SPDX-License-Identifier: ISC */
/*
 * routprotctl.c — the operator's client for the routprotd control socket: parses the command
 * line into one JSON request, sends it as one line, waits (bounded) for the one-line reply and
 * prints it as a table (ctl_format) or as JSON. Exit codes are part of the user contract:
 * 0 ok, 1 the daemon said no, 2 usage, 3 daemon unreachable, 4/5/6 update-routes statuses.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl/ctl_format.h"

#define PROG "routprotctl"
#define DEFAULT_SOCKET "/run/routprotd/routprotd.sock"
#define SOCKET_ENV "ROUTPROTCTL_SOCKET"
#define WAIT_SEC 30             /* reply wait for ordinary commands */
#define UPDATE_SLACK_SEC 15     /* added to the update timeout for the reply wait */
#define UPDATE_MAX_SEC 3600    /* also the wait without --timeout: the protocol's own timeout
				   applies, and no protocol allows more */
#define MAX_REPLY (256u * 1024 * 1024)

enum exit_code {
	EXIT_OK = 0,
	EXIT_DAEMON_ERROR = 1,
	EXIT_USAGE = 2,
	EXIT_UNREACHABLE = 3,
};

enum { OPT_TIMEOUT = 1000 };

struct options {
	const char *socket;
	bool json;
	long timeout;  /* --timeout, -1 when not given */
};

struct request {
	const char *command;  /* "show routes", "update-routes", ... */
	json_t *args;         /* borrowed from `msg` */
	json_t *msg;          /* the whole request object */
	int wait_sec;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " [-s SOCKET] [-j|--json] COMMAND [ARGS]\n"
		"\n"
		"Commands:\n"
		"  show status                  version, uptime, router id, protocols, counters\n"
		"  show interfaces              interfaces known to the router manager\n"
		"  show routes [PREFIX|ADDRESS] the RIP table, one route, or the route to an address\n"
		"  show neighbors               RIP neighbors heard\n"
		"  show autostatic              autostatic routes per interface\n"
		"  show events [N]              the last N router-manager events\n"
		"  update-routes IFNAME [--timeout SECONDS]\n"
		"                               autostatic update on IFNAME (SECONDS 1..%d)\n"
		"  clear autostatic IFNAME      delete the autostatic routes of IFNAME\n"
		"  reload                       reload the configuration and report the outcome\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH   control socket (default: $" SOCKET_ENV " or "
		DEFAULT_SOCKET ")\n"
		"  -j, --json          print the reply as one JSON document\n"
		"  -h, --help          this text\n"
		"  -V, --version       print the version\n"
		"\n"
		"Exit status: 0 ok, 1 daemon error, 2 usage, 3 daemon unreachable;\n"
		"update-routes: 4 ERROR_CAN_NOT_COMPLETE, 5 ERROR_INTERFACE_NOT_CONNECTED,\n"
		"6 ERROR_UPDATE_IN_PROGRESS.\n",
		UPDATE_MAX_SEC);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '" PROG " --help' for more information.\n");
	return EXIT_USAGE;
}

/* A decimal number in 1..max, digits only. */
static bool parse_count(const char *s, long max, long *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > max)
		return false;
	*out = v;
	return true;
}

/* ---- command line ---- */

/* Options anywhere on the line; returns -1 to go on, or an exit code. */
static int parse_options(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:jhV", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			opt->socket = optarg;
			break;
		case 'j':
			opt->json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf(PROG " %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		case OPT_TIMEOUT:
			if (!parse_count(optarg, UPDATE_MAX_SEC, &opt->timeout))
				return usage_error("--timeout needs 1..3600 seconds, not '%s'",
						   optarg);
			break;
		case ':':
			return usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	return -1;
}

static bool is_show_word(const char *w)
{
	static const char *const words[] = { "status", "interfaces", "routes", "neighbors",
					     "autostatic", "events" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(w, words[i]) == 0)
			return true;
	return false;
}

/* Check the words of the command and collect its arguments; returns -1 or an exit code. */
static int parse_command(int n, char **w, const struct options *opt, struct request *req,
			 char *cmd, size_t cmdlen)
{
	long count;

	if (n == 0)
		return usage_error("no command given");
	if (strcmp(w[0], "show") == 0 && n >= 2 && is_show_word(w[1])) {
		bool events = strcmp(w[1], "events") == 0;
		bool routes = strcmp(w[1], "routes") == 0;

		if (n > 3 || (n == 3 && !events && !routes))
			return usage_error("too many arguments for 'show %s'", w[1]);
		if (n == 3 && events && !parse_count(w[2], 1000000L, &count))
			return usage_error("show events: N must be an integer from 1 to 1000000, "
					   "not '%s'", w[2]);
		snprintf(cmd, cmdlen, "show %s", w[1]);
		if (n == 3 && json_array_append_new(req->args, events ? json_sprintf("%ld", count)
								      : json_string(w[2])) != 0)
			return usage_error("argument '%s' is not valid text", w[2]);
	} else if (strcmp(w[0], "update-routes") == 0 ||
		   (strcmp(w[0], "clear") == 0 && n >= 2 && strcmp(w[1], "autostatic") == 0)) {
		bool update = w[0][0] == 'u';
		int need = update ? 2 : 3;

		if (n != need || w[need - 1][0] == '\0')
			return usage_error("'%s' needs exactly one interface name",
					   update ? "update-routes" : "clear autostatic");
		snprintf(cmd, cmdlen, "%s", update ? "update-routes" : "clear autostatic");
		if (json_array_append_new(req->args, json_string(w[need - 1])) != 0)
			return usage_error("interface name '%s' is not valid text", w[need - 1]);
	} else if (strcmp(w[0], "reload") == 0 && n == 1) {
		snprintf(cmd, cmdlen, "reload");
	} else if (strcmp(w[0], "show") == 0) {
		return usage_error("'show' needs one of: status, interfaces, routes, neighbors, "
				   "autostatic, events");
	} else if (strcmp(w[0], "reload") == 0) {
		return usage_error("'reload' takes no arguments");
	} else {
		return usage_error("unknown command '%s'", w[0]);
	}
	if (opt->timeout > 0 && strcmp(cmd, "update-routes") != 0)
		return usage_error("--timeout only goes with update-routes");
	return -1;
}

/* Build the request object; returns -1 or an exit code. */
static int build_request(int n, char **w, const struct options *opt, struct request *req,
			 char *cmd, size_t cmdlen)
{
	int rc;

	req->msg = json_object();
	req->args = json_array();
	if (!req->msg || !req->args ||
	    json_object_set_new(req->msg, "command", json_string("")) != 0 ||
	    json_object_set(req->msg, "args", req->args) != 0) {
		json_decref(req->args);
		return usage_error("out of memory");
	}
	json_decref(req->args);
	rc = parse_command(n, w, opt, req, cmd, cmdlen);
	if (rc >= 0)
		return rc;
	req->command = cmd;
	req->wait_sec = WAIT_SEC;
	if (json_object_set_new(req->msg, "command", json_string(cmd)) != 0)
		return usage_error("out of memory");
	if (strcmp(cmd, "update-routes") == 0) {
		req->wait_sec = (int)(opt->timeout > 0 ? opt->timeout : UPDATE_MAX_SEC) +
				UPDATE_SLACK_SEC;
		if (opt->timeout > 0 &&
		    json_object_set_new(req->msg, "timeout", json_integer(opt->timeout)) != 0)
			return usage_error("out of memory");
	}
	return -1;
}

/* ---- talking to the daemon ---- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Connected socket or -1 (message printed). */
static int connect_daemon(const char *path, int wait_sec)
{
	struct timeval tv = { .tv_sec = wait_sec };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, PROG ": socket path too long: %s\n", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, PROG ": socket: %s\n", strerror(errno));
		return -1;
	}
	/* bounds a connect() to a daemon whose backlog is full, and the send */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0)
		fprintf(stderr, PROG ": warning: SO_SNDTIMEO: %s\n", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		int err = errno;

		fprintf(stderr, PROG ": cannot connect to %s: %s%s\n", path, strerror(err),
			err == ENOENT || err == ECONNREFUSED ? " (is routprotd running?)" : "");
		close(fd);
		return -1;
	}
	return fd;
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read up to the first newline within the deadline. Returns the line (malloc'ed, without the
 * newline) or NULL with a message printed. */
static char *read_reply(int fd, const char *path, int wait_sec, size_t *lenp)
{
	int64_t deadline = now_ms() + (int64_t)wait_sec * 1000;
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);

	while (buf) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		char *nl;
		ssize_t n;
		int rc;

		if (left <= 0) {
			fprintf(stderr, PROG ": no reply from %s within %d s\n", path, wait_sec);
			break;
		}
		rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			fprintf(stderr, PROG ": poll: %s\n", strerror(errno));
			break;
		}
		if (rc == 0)
			continue;
		if (len + 1 >= cap) {
			char *p = cap < MAX_REPLY ? realloc(buf, cap * 2) : NULL;

			if (!p) {
				fprintf(stderr, PROG ": reply from %s too large\n", path);
				break;
			}
			buf = p;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, PROG ": %s closed the connection without a %sreply%s%s\n",
				path, len ? "complete " : "", n < 0 ? ": " : "",
				n < 0 ? strerror(errno) : "");
			break;
		}
		nl = memchr(buf + len, '\n', (size_t)n);
		len += (size_t)n;
		if (nl) {
			*nl = '\0';
			*lenp = (size_t)(nl - buf);
			return buf;
		}
	}
	if (!buf)
		fprintf(stderr, PROG ": out of memory\n");
	free(buf);
	return NULL;
}

/* One request, one reply: the parsed reply object, or NULL with a message printed. */
static json_t *exchange(const char *path, const struct request *req)
{
	json_error_t jerr;
	json_t *reply = NULL;
	char *line, *text;
	size_t len = 0;
	int fd = connect_daemon(path, req->wait_sec);

	if (fd < 0)
		return NULL;
	text = json_dumps(req->msg, JSON_COMPACT);
	if (!text || send_all(fd, text, strlen(text)) != 0 || send_all(fd, "\n", 1) != 0) {
		fprintf(stderr, PROG ": cannot send to %s: %s\n", path,
			text ? strerror(errno) : "out of memory");
		free(text);
		close(fd);
		return NULL;
	}
	free(text);
	line = read_reply(fd, path, req->wait_sec, &len);
	close(fd);
	if (!line)
		return NULL;
	reply = json_loadb(line, len, 0, &jerr);
	free(line);
	if (!json_is_object(reply) || !json_is_boolean(json_object_get(reply, "ok"))) {
		fprintf(stderr, PROG ": invalid reply from %s%s%s\n", path, reply ? "" : ": ",
			reply ? "" : jerr.text);
		json_decref(reply);
		return NULL;
	}
	return reply;
}

/* ---- output ---- */

static void print_json(const json_t *v)
{
	char *text = ctl_format_json(v);

	if (text)
		fputs(text, stdout);
	else
		fprintf(stderr, PROG ": cannot encode the reply\n");
	free(text);
}

static int handle_error(const struct request *req, const struct options *opt, json_t *reply)
{
	const char *msg = json_string_value(json_object_get(reply, "error"));
	const json_t *data = json_object_get(reply, "data");
	const json_t *errors = json_object_get(data, "errors");
	size_t i;
	const json_t *el;

	if (opt->json)
		print_json(reply);
	fprintf(stderr, PROG ": %s\n", msg ? msg : "the daemon reported an error");
	json_array_foreach(errors, i, el)
		if (json_is_string(el))
			fprintf(stderr, "%s\n", json_string_value(el));
	if (strcmp(req->command, "update-routes") == 0) {
		const char *status = json_string_value(json_object_get(data, "status"));
		int code = ctl_format_update_exit(status);

		if (code > EXIT_DAEMON_ERROR)
			return code;
	}
	return EXIT_DAEMON_ERROR;
}

static int handle_ok(const struct request *req, const struct options *opt, json_t *reply)
{
	const json_t *data = json_object_get(reply, "data");
	char *text;

	if (!data)
		data = json_null();
	if (opt->json) {
		print_json(data);
	} else {
		text = ctl_format_reply(req->command, req->args, data);
		if (!text) {
			fprintf(stderr, PROG ": out of memory\n");
			return EXIT_DAEMON_ERROR;
		}
		fputs(text, stdout);
		free(text);
	}
	if (strcmp(req->command, "update-routes") == 0) {
		const char *why = json_string_value(json_object_get(data, "reason"));

		if (why)
			fprintf(stderr, PROG ": %s\n", why);
		return ctl_format_update_exit(json_string_value(json_object_get(data, "status")));
	}
	return EXIT_OK;
}

static int finish_output(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno != EPIPE)
			fprintf(stderr, PROG ": writing output: %s\n", strerror(errno));
		return code == EXIT_OK ? EXIT_DAEMON_ERROR : code;
	}
	return code;
}

int main(int argc, char **argv)
{
	struct options opt = { .timeout = -1 };
	struct request req = { 0 };
	char cmd[32];
	json_t *reply;
	int rc;

	opt.socket = getenv(SOCKET_ENV);
	if (!opt.socket || !*opt.socket)
		opt.socket = DEFAULT_SOCKET;
	rc = parse_options(argc, argv, &opt);
	if (rc >= 0)
		return finish_output(rc);
	rc = build_request(argc - optind, argv + optind, &opt, &req, cmd, sizeof(cmd));
	if (rc >= 0) {
		json_decref(req.msg);
		return rc;
	}
	reply = exchange(opt.socket, &req);
	if (!reply) {
		json_decref(req.msg);
		return EXIT_UNREACHABLE;
	}
	if (json_is_true(json_object_get(reply, "ok")))
		rc = handle_ok(&req, &opt, reply);
	else
		rc = handle_error(&req, &opt, reply);
	json_decref(reply);
	json_decref(req.msg);
	return finish_output(rc);
}
