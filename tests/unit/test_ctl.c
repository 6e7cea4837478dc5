/* SPDX-License-Identifier: ISC */
/*
 * test_ctl.c — unit tests of the control socket: a real ctl_server on a socket in a temporary
 * directory, driven by plain client sockets while the test steps the libevent loop (requests,
 * limits, idle and request timeouts, room made for new clients when full); the choice of the
 * connection that makes room (ctl_admit) on its own; and the table/summary rendering of
 * routprotctl (ctl_format) from fixed JSON.
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>
#include <jansson.h>

#include "ctl/ctl_admit.h"
#include "ctl/ctl_format.h"
#include "ctl/ctl_server.h"
#include "routprotd/log.h"

#define MAX_DEFERRED (CTL_MAX_CLIENTS + 1)
#define ECHO_REQ "{\"command\":\"echo\"}\n"
#define ECHO_REPLY "{\"ok\":true,\"data\":{\"command\":\"echo\",\"args\":[]}}"
#define WAIT_MS 30000 /* generous: only reached when a test fails, or under valgrind */

/* ---- fixture: one server with a scripted dispatcher ---- */

struct fixture {
	char dir[64];
	char path[100];
	struct event_base *base;
	struct ctl_server *srv;
	struct ctl_request *deferred[MAX_DEFERRED];
	int ndeferred;
	int cancels;
	char last_command[64];
	int stream_rows;     /* rows the "stream" command gives */
	int streams_done;    /* done() calls of streamed replies */
};

static struct fixture fx;

static void on_cancel(void *arg)
{
	const int *slot = arg;

	fx.cancels++;
	fx.deferred[*slot] = NULL;
}

static int slot_ids[MAX_DEFERRED];

static void reply_big(struct ctl_request *req, size_t size)
{
	char *s = malloc(size + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, 'x', size);
	s[size] = '\0';
	ctl_reply_ok(req, json_string(s));
	free(s);
}

struct stream_state {
	int next, total;
};

static json_t *stream_next(void *arg)
{
	struct stream_state *st = arg;

	if (st->next >= st->total)
		return NULL;
	st->next++;
	return json_pack("{s:i,s:s}", "i", st->next - 1, "pad", "0123456789abcdef0123456789");
}

static void stream_done(void *arg)
{
	fx.streams_done++;
	free(arg);
}

static void reply_stream(struct ctl_request *req)
{
	struct stream_state *st = calloc(1, sizeof(*st));

	ck_assert_ptr_nonnull(st);
	st->total = fx.stream_rows;
	ctl_reply_stream(req, stream_next, stream_done, st);
}

/* echo: data = {command, args}; fail / faildata: errors; defer: keep req; big / huge: long
 * replies; timeout: data = the request's "timeout" member. */
static void test_dispatch(void *arg, struct ctl_request *req, const char *command,
			  const json_t *args)
{
	ck_assert_ptr_eq(arg, &fx);
	snprintf(fx.last_command, sizeof(fx.last_command), "%s", command);
	if (strcmp(command, "echo") == 0) {
		ctl_reply_ok(req, json_pack("{s:s, s:O}", "command", command, "args", args));
	} else if (strcmp(command, "fail") == 0) {
		ctl_reply_error(req, "failed: %s", command);
	} else if (strcmp(command, "faildata") == 0) {
		ctl_reply_error_data(req, json_pack("{s:[s,s]}", "errors", "f:1: x", "f:2: y"),
				     "reload failed");
	} else if (strcmp(command, "defer") == 0) {
		ck_assert_int_lt(fx.ndeferred, MAX_DEFERRED);
		ctl_request_on_cancel(req, on_cancel, &slot_ids[fx.ndeferred]);
		fx.deferred[fx.ndeferred++] = req;
	} else if (strcmp(command, "big") == 0) {
		reply_big(req, 512 * 1024);
	} else if (strcmp(command, "stream") == 0) {
		reply_stream(req);
	} else if (strcmp(command, "huge") == 0) {
		reply_big(req, 65 * 1024 * 1024);
	} else if (strcmp(command, "timeout") == 0) {
		const json_t *body = ctl_request_body(req);

		ctl_reply_ok(req, json_deep_copy(json_object_get(body, "timeout")));
	} else {
		ctl_reply_error(req, "unknown command '%s'", command);
	}
}

static void quiet_sink(enum rp_log_level level, const char *line, void *arg)
{
}

static struct ctl_server *new_server(const char *path, char *err, size_t errlen)
{
	return ctl_server_new(fx.base, path, (gid_t)-1, test_dispatch, &fx, err, errlen);
}

static void setup(void)
{
	char err[256] = "";

	memset(&fx, 0, sizeof(fx));
	for (int i = 0; i < MAX_DEFERRED; i++)
		slot_ids[i] = i;
	rp_log_set_sink(quiet_sink, NULL);
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/test_ctl.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fx.dir));
	snprintf(fx.path, sizeof(fx.path), "%s/ctl.sock", fx.dir);
	fx.base = event_base_new();
	ck_assert_ptr_nonnull(fx.base);
	fx.srv = new_server(fx.path, err, sizeof(err));
	ck_assert_msg(fx.srv != NULL, "ctl_server_new: %s", err);
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static void teardown(void)
{
	ctl_server_free(fx.srv);
	fx.srv = NULL;
	event_base_free(fx.base);
	nftw(fx.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	rp_log_set_sink(NULL, NULL);
}

/* ---- client side ---- */

struct client {
	int fd;
	char *buf;
	size_t len, cap;
	bool eof;
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pump(int ms)
{
	int64_t end = mono_ms() + ms;

	do {
		event_base_loop(fx.base, EVLOOP_NONBLOCK);
		usleep(200);
	} while (mono_ms() < end);
}

static struct client *client_open_path(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct client *c = calloc(1, sizeof(*c));

	ck_assert_ptr_nonnull(c);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(c->fd, 0);
	ck_assert_msg(connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == 0, "connect: %s",
		      strerror(errno));
	return c;
}

static struct client *client_open(void)
{
	return client_open_path(fx.path);
}

static void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c);
}

/* Send everything, stepping the loop while the socket is full. */
static void client_send_n(struct client *c, const char *s, size_t n)
{
	int64_t end = mono_ms() + WAIT_MS;

	while (n > 0) {
		ssize_t w = send(c->fd, s, n, MSG_NOSIGNAL);

		if (w < 0) {
			ck_assert_msg(errno == EAGAIN, "send: %s", strerror(errno));
			ck_assert_msg(mono_ms() < end, "send timed out");
			pump(1);
			continue;
		}
		s += w;
		n -= (size_t)w;
	}
}

static void client_send(struct client *c, const char *s)
{
	client_send_n(c, s, strlen(s));
}

/* Take whatever the server sent; returns false when nothing was there. */
static bool client_recv(struct client *c)
{
	ssize_t n;

	if (c->cap - c->len < 65536) {
		c->cap = c->cap ? c->cap * 2 : 131072;
		c->buf = realloc(c->buf, c->cap);
		ck_assert_ptr_nonnull(c->buf);
	}
	n = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
	if (n > 0) {
		c->len += (size_t)n;
		c->buf[c->len] = '\0';
		return true;
	}
	if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
		c->eof = true;
	return false;
}

/* The next reply line (malloc'ed, without newline), or NULL on EOF / after `ms`. */
static char *client_line_within(struct client *c, int ms)
{
	int64_t end = mono_ms() + ms;

	for (;;) {
		char *nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;

		if (nl) {
			size_t n = (size_t)(nl - c->buf);
			char *line = strndup(c->buf, n);

			ck_assert_ptr_nonnull(line);
			memmove(c->buf, nl + 1, c->len - n - 1);
			c->len -= n + 1;
			return line;
		}
		if (c->eof || mono_ms() >= end)
			return NULL;
		if (!client_recv(c))
			pump(1);
	}
}

static char *client_line(struct client *c)
{
	char *line = client_line_within(c, WAIT_MS);

	ck_assert_msg(line != NULL, "no reply line");
	return line;
}

/* The server closed the connection and sent nothing more. */
static void assert_closed(struct client *c)
{
	int64_t end = mono_ms() + WAIT_MS;

	while (!c->eof) {
		ck_assert_msg(mono_ms() < end, "connection not closed");
		if (!client_recv(c))
			pump(1);
	}
	ck_assert_uint_eq(c->len, 0);
}

static void assert_reply(struct client *c, const char *expected)
{
	char *line = client_line(c);

	ck_assert_str_eq(line, expected);
	free(line);
}

/* A reply with ok:false whose error starts with `prefix`. */
static void assert_error_reply(struct client *c, const char *prefix)
{
	char *line = client_line(c);
	json_t *r = json_loads(line, 0, NULL);
	const char *msg;

	ck_assert_msg(r != NULL, "reply not JSON: %s", line);
	ck_assert(json_is_false(json_object_get(r, "ok")));
	msg = json_string_value(json_object_get(r, "error"));
	ck_assert_ptr_nonnull(msg);
	ck_assert_msg(strncmp(msg, prefix, strlen(prefix)) == 0, "error '%s'", msg);
	json_decref(r);
	free(line);
}

static struct ctl_server_stats stats(void)
{
	struct ctl_server_stats st;

	ctl_server_get_stats(fx.srv, &st);
	return st;
}

static void wait_clients(unsigned n)
{
	int64_t end = mono_ms() + WAIT_MS;

	while (stats().clients != n) {
		ck_assert_msg(mono_ms() < end, "clients %u, want %u", stats().clients, n);
		pump(1);
	}
}

/* ---- server tests ---- */

START_TEST(test_request_reply)
{
	struct client *c = client_open();

	client_send(c, "{\"command\": \"echo\", \"args\": [\"a\", 1]}\n");
	assert_reply(c, "{\"ok\":true,\"data\":{\"command\":\"echo\",\"args\":[\"a\",1]}}");
	client_send(c, "{\"command\":\"fail\"}\n");
	assert_reply(c, "{\"ok\":false,\"error\":\"failed: fail\"}");
	client_send(c, "{\"command\":\"faildata\"}\n");
	assert_reply(c, "{\"ok\":false,\"error\":\"reload failed\","
			"\"data\":{\"errors\":[\"f:1: x\",\"f:2: y\"]}}");
	client_send(c, "{\"command\":\"nosuch\"}\n");
	assert_reply(c, "{\"ok\":false,\"error\":\"unknown command 'nosuch'\"}");
	client_send(c, "{\"command\":\"timeout\",\"args\":[\"eth0\"],\"timeout\":42}\n");
	assert_reply(c, "{\"ok\":true,\"data\":42}");
	ck_assert_str_eq(ctl_server_path(fx.srv), fx.path);
	client_close(c);
}
END_TEST

START_TEST(test_args_default)
{
	struct client *c = client_open();

	client_send(c, ECHO_REQ);
	assert_reply(c, ECHO_REPLY);
	/* blank lines and CRLF are tolerated */
	client_send(c, "\n  \r\n{\"command\":\"echo\",\"args\":[]}\r\n");
	assert_reply(c, ECHO_REPLY);
	client_close(c);
}
END_TEST

START_TEST(test_pipelined)
{
	struct client *c = client_open();

	client_send(c, "{\"command\":\"echo\",\"args\":[\"1\"]}\n"
		       "{\"command\":\"echo\",\"args\":[\"2\"]}\n"
		       "{\"command\":\"echo\",\"args\":[\"3\"]}\n");
	assert_reply(c, "{\"ok\":true,\"data\":{\"command\":\"echo\",\"args\":[\"1\"]}}");
	assert_reply(c, "{\"ok\":true,\"data\":{\"command\":\"echo\",\"args\":[\"2\"]}}");
	assert_reply(c, "{\"ok\":true,\"data\":{\"command\":\"echo\",\"args\":[\"3\"]}}");
	ck_assert_uint_eq(stats().requests, 3);
	client_close(c);
}
END_TEST

/* The last line may lack its newline when the client then shuts down its side. */
START_TEST(test_final_line_at_eof)
{
	struct client *c = client_open();

	client_send(c, "{\"command\":\"echo\"}");
	ck_assert_int_eq(shutdown(c->fd, SHUT_WR), 0);
	assert_reply(c, ECHO_REPLY);
	assert_closed(c);
	client_close(c);
}
END_TEST

#define NCASES(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *line;
	const char *error;
} bad_cases[] = {
	{ "{nope\n", "invalid JSON" },
	{ "[1,2]\n", "request must be a JSON object" },
	{ "\"show routes\"\n", "invalid JSON" }, /* jansson: top level must be array/object */
	{ "{\"args\":[]}\n", "request needs a non-empty string \"command\"" },
	{ "{\"command\":\"\"}\n", "request needs a non-empty string \"command\"" },
	{ "{\"command\":5}\n", "request needs a non-empty string \"command\"" },
	{ "{\"command\":\"echo\",\"args\":\"x\"}\n", "\"args\" must be an array" },
	{ "{\"command\":\"echo\",\"args\":{}}\n", "\"args\" must be an array" },
	{ "{\"command\":\"echo\",\"command\":\"x\"}\n", "invalid JSON" },
};

START_TEST(test_malformed)
{
	struct client *c = client_open();

	/* later lines on the same connection are not served */
	client_send(c, bad_cases[_i].line);
	client_send(c, ECHO_REQ);
	assert_error_reply(c, bad_cases[_i].error);
	assert_closed(c);
	client_close(c);
	ck_assert_uint_eq(stats().bad_requests, 1);
	ck_assert_uint_eq(stats().requests, 0);
	wait_clients(0);
}
END_TEST

static char *request_of_size(size_t total)
{
	static const char head[] = "{\"command\":\"echo\"}";
	char *s = malloc(total + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, ' ', total);
	memcpy(s, head, sizeof(head) - 1);
	s[total - 1] = '\n';
	s[total] = '\0';
	return s;
}

START_TEST(test_oversized)
{
	struct client *ok = client_open(), *big = client_open(), *line = client_open();
	char *s = malloc(CTL_MAX_REQUEST + 5000);

	/* no newline at all */
	ck_assert_ptr_nonnull(s);
	memset(s, 'a', CTL_MAX_REQUEST + 5000);
	client_send_n(big, s, CTL_MAX_REQUEST + 5000);
	assert_error_reply(big, "request longer than 65536 bytes");
	assert_closed(big);
	free(s);
	/* one byte over the limit, newline included */
	s = request_of_size(CTL_MAX_REQUEST + 1);
	client_send(line, s);
	assert_error_reply(line, "request longer than");
	assert_closed(line);
	free(s);
	ck_assert_uint_eq(stats().bad_requests, 2);
	/* exactly the limit is fine, and the other client was never disturbed */
	s = request_of_size(CTL_MAX_REQUEST);
	client_send(ok, s);
	assert_reply(ok, ECHO_REPLY);
	free(s);
	client_close(big);
	client_close(line);
	client_close(ok);
}
END_TEST

START_TEST(test_serves_after_bad)
{
	struct client *keep = client_open(), *bad = client_open(), *c;

	client_send(bad, "garbage\n");
	assert_error_reply(bad, "invalid JSON");
	assert_closed(bad);
	client_send(keep, "{\"command\":\"echo\"}\n");
	assert_reply(keep, ECHO_REPLY);
	c = client_open();
	client_send(c, ECHO_REQ);
	assert_reply(c, ECHO_REPLY);
	client_close(bad);
	client_close(keep);
	client_close(c);
}
END_TEST

START_TEST(test_deferred)
{
	struct client *c = client_open(), *other = client_open();
	char *line;

	client_send(c, "{\"command\":\"defer\"}\n{\"command\":\"echo\",\"args\":[\"after\"]}\n");
	line = client_line_within(c, 100);
	ck_assert_ptr_null(line);
	ck_assert_int_eq(fx.ndeferred, 1);
	/* other clients are served meanwhile */
	client_send(other, "{\"command\":\"echo\"}\n");
	assert_reply(other, ECHO_REPLY);
	ck_assert_str_eq(fx.last_command, "echo");
	ctl_reply_ok(fx.deferred[0], json_string("late"));
	fx.deferred[0] = NULL;
	assert_reply(c, "{\"ok\":true,\"data\":\"late\"}");
	assert_reply(c, "{\"ok\":true,\"data\":{\"command\":\"echo\",\"args\":[\"after\"]}}");
	/* a deferred error reply works too */
	client_send(c, "{\"command\":\"defer\"}\n");
	pump(20);
	ck_assert_int_eq(fx.ndeferred, 2);
	ctl_reply_error(fx.deferred[1], "no luck %d", 7);
	fx.deferred[1] = NULL;
	assert_reply(c, "{\"ok\":false,\"error\":\"no luck 7\"}");
	ck_assert_int_eq(fx.cancels, 0);
	client_close(c);
	client_close(other);
}
END_TEST

START_TEST(test_cancel_on_disconnect)
{
	struct client *c = client_open();
	int64_t end = mono_ms() + WAIT_MS;

	client_send(c, "{\"command\":\"defer\"}\n");
	while (fx.ndeferred == 0 && mono_ms() < end)
		pump(1);
	ck_assert_int_eq(fx.ndeferred, 1);
	client_close(c);
	wait_clients(0);
	ck_assert_int_eq(fx.cancels, 1);
	ck_assert_ptr_null(fx.deferred[0]);
	pump(20);
	ctl_server_free(fx.srv);
	fx.srv = NULL;
	ck_assert_int_eq(fx.cancels, 1);
}
END_TEST

START_TEST(test_cancel_on_eof)
{
	struct client *c = client_open();

	client_send(c, "{\"command\":\"defer\"}\n");
	pump(20);
	ck_assert_int_eq(fx.ndeferred, 1);
	ck_assert_int_eq(shutdown(c->fd, SHUT_WR), 0);
	assert_closed(c);
	ck_assert_int_eq(fx.cancels, 1);
	client_close(c);
}
END_TEST

START_TEST(test_cancel_on_free)
{
	struct client *c = client_open();

	client_send(c, "{\"command\":\"defer\"}\n");
	pump(20);
	ck_assert_int_eq(fx.ndeferred, 1);
	ctl_server_free(fx.srv);
	fx.srv = NULL;
	ck_assert_int_eq(fx.cancels, 1);
	ck_assert_int_eq(access(fx.path, F_OK), -1);
	assert_closed(c);
	client_close(c);
}
END_TEST

START_TEST(test_stale_socket)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char err[256] = "";
	int fd;

	ctl_server_free(fx.srv);
	fx.srv = NULL;
	/* a socket file nobody listens on */
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", fx.path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	ck_assert_int_eq(access(fx.path, F_OK), 0);
	fx.srv = new_server(fx.path, err, sizeof(err));
	ck_assert_msg(fx.srv != NULL, "ctl_server_new: %s", err);
	{
		struct client *c = client_open();

		client_send(c, ECHO_REQ);
		assert_reply(c, ECHO_REPLY);
		client_close(c);
	}
}
END_TEST

START_TEST(test_live_socket)
{
	char err[256] = "";
	struct ctl_server *second = new_server(fx.path, err, sizeof(err));
	struct client *c;

	ck_assert_ptr_null(second);
	ck_assert_msg(strstr(err, "another routprotd is listening on") != NULL, "err: %s", err);
	ck_assert_msg(strstr(err, fx.path) != NULL, "err: %s", err);
	/* the first server is untouched */
	c = client_open();
	client_send(c, ECHO_REQ);
	assert_reply(c, ECHO_REPLY);
	client_close(c);
}
END_TEST

START_TEST(test_not_a_socket)
{
	char path[192], err[256] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/plain", fx.dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_ptr_null(new_server(path, err, sizeof(err)));
	ck_assert_msg(strstr(err, "not a socket") != NULL, "err: %s", err);
	ck_assert_int_eq(access(path, F_OK), 0);
}
END_TEST

static mode_t current_umask(void)
{
	mode_t m = umask(0);

	umask(m);
	return m;
}

START_TEST(test_dir_and_mode)
{
	char path[192], err[256] = "";
	struct ctl_server *srv;
	struct stat st;

	snprintf(path, sizeof(path), "%s/a/b/ctl.sock", fx.dir);
	srv = new_server(path, err, sizeof(err));
	ck_assert_msg(srv != NULL, "ctl_server_new: %s", err);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0660);
	snprintf(path, sizeof(path), "%s/a/b", fx.dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0755 & ~current_umask());
	ctl_server_free(srv);
	snprintf(path, sizeof(path), "%s/a/b/ctl.sock", fx.dir);
	ck_assert_int_eq(access(path, F_OK), -1);
	/* a path that does not fit in sun_path */
	memset(path, 'x', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	ck_assert_ptr_null(new_server(path, err, sizeof(err)));
	ck_assert_msg(strstr(err, "too long") != NULL, "err: %s", err);
}
END_TEST

static void open_clients(struct client **c, int n)
{
	for (int i = 0; i < n; i++) {
		c[i] = client_open();
		pump(0);
	}
	wait_clients((unsigned)n);
}

static void close_clients(struct client **c, int n)
{
	for (int i = 0; i < n; i++)
		if (c[i])
			client_close(c[i]);
}

/* A full table of idle connections: a new client takes the place of the one idle the longest
 * and is served; nobody is refused. */
START_TEST(test_full_of_idle_clients_makes_room)
{
	struct client *c[CTL_MAX_CLIENTS + 1];

	open_clients(c, CTL_MAX_CLIENTS);
	c[CTL_MAX_CLIENTS] = client_open();
	client_send(c[CTL_MAX_CLIENTS], ECHO_REQ);
	assert_reply(c[CTL_MAX_CLIENTS], ECHO_REPLY);
	assert_error_reply(c[0], "closed to make room for another client");
	assert_closed(c[0]);
	ck_assert_uint_eq(stats().evicted, 1);
	ck_assert_uint_eq(stats().rejected, 0);
	ck_assert_uint_eq(stats().clients, CTL_MAX_CLIENTS);
	/* the others are still served */
	client_send(c[1], ECHO_REQ);
	assert_reply(c[1], ECHO_REPLY);
	close_clients(c, CTL_MAX_CLIENTS + 1);
	wait_clients(0);
}
END_TEST

/* A full table of connections that all wait for a reply: nobody is pushed out for a client of
 * the same (privileged) uid, which is told "too many clients"; a freed slot admits again. */
START_TEST(test_full_of_busy_clients_refuses)
{
	struct client *c[CTL_MAX_CLIENTS + 1], *extra;

	open_clients(c, CTL_MAX_CLIENTS);
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		client_send(c[i], "{\"command\":\"defer\"}\n");
	while (fx.ndeferred < CTL_MAX_CLIENTS)
		pump(1);
	c[CTL_MAX_CLIENTS] = client_open();
	assert_reply(c[CTL_MAX_CLIENTS], "{\"ok\":false,\"error\":\"too many clients\"}");
	assert_closed(c[CTL_MAX_CLIENTS]);
	ck_assert_uint_eq(stats().rejected, 1);
	ck_assert_uint_eq(stats().evicted, 0);
	ck_assert_uint_eq(stats().connections, CTL_MAX_CLIENTS);
	ctl_reply_ok(fx.deferred[5], NULL);
	assert_reply(c[5], "{\"ok\":true,\"data\":null}");
	client_close(c[0]);
	wait_clients(CTL_MAX_CLIENTS - 1);
	extra = client_open();
	client_send(extra, ECHO_REQ);
	assert_reply(extra, ECHO_REPLY);
	client_close(extra);
	close_clients(c + 1, CTL_MAX_CLIENTS);
	wait_clients(0);
}
END_TEST

START_TEST(test_idle_timeout)
{
	struct client *c = client_open();

	ctl_server_set_timeouts(fx.srv, 1, 30);
	/* each reply starts the idle time again: three requests over more than a second */
	for (int i = 0; i < 3; i++) {
		client_send(c, ECHO_REQ);
		assert_reply(c, ECHO_REPLY);
		pump(600);
	}
	assert_error_reply(c, "no request within 1 s");
	assert_closed(c);
	ck_assert_uint_eq(stats().idle_timeouts, 1);
	ck_assert_uint_eq(stats().request_timeouts, 0);
	client_close(c);
	wait_clients(0);
}
END_TEST

/* Send `byte` every 200 ms until the server says something or closes; returns the client. */
static struct client *trickle(const char *byte)
{
	struct client *c = client_open();
	int64_t end = mono_ms() + WAIT_MS;

	while (!c->eof && c->len == 0) {
		ck_assert_msg(mono_ms() < end, "never closed");
		send(c->fd, byte, 1, MSG_NOSIGNAL);
		pump(200);
		client_recv(c);
	}
	return c;
}

/* A byte now and then keeps no connection open: blank lines are no requests (idle timeout),
 * and a request sent a byte at a time and never finished (slowloris) is cut off at the request
 * timeout although bytes keep coming. */
static const struct {
	unsigned idle_s, request_s;
	const char *byte, *error;
	uint64_t idle_timeouts, request_timeouts;
} trickles[] = {
	{ 1, 30, "\n", "no request within 1 s", 1, 0 },
	{ 30, 1, "{", "request not completed within 1 s", 0, 1 },
};

START_TEST(test_trickle_closed)
{
	struct client *c;

	ctl_server_set_timeouts(fx.srv, trickles[_i].idle_s, trickles[_i].request_s);
	c = trickle(trickles[_i].byte);
	assert_error_reply(c, trickles[_i].error);
	ck_assert_uint_eq(stats().idle_timeouts, trickles[_i].idle_timeouts);
	ck_assert_uint_eq(stats().request_timeouts, trickles[_i].request_timeouts);
	ck_assert_uint_eq(stats().requests, 0);
	client_close(c);
}
END_TEST

/* A client waiting for a deferred reply (update-routes) is not idle. */
START_TEST(test_waiting_client_is_not_idle)
{
	struct client *c = client_open();
	char *line;

	ctl_server_set_timeouts(fx.srv, 1, 1);
	client_send(c, "{\"command\":\"defer\"}\n");
	line = client_line_within(c, 2500);
	ck_assert_msg(line == NULL && !c->eof, "closed while waiting: %s", line ? line : "");
	ck_assert_int_eq(fx.ndeferred, 1);
	ctl_reply_ok(fx.deferred[0], NULL);
	assert_reply(c, "{\"ok\":true,\"data\":null}");
	ck_assert_uint_eq(stats().idle_timeouts, 0);
	client_close(c);
}
END_TEST

START_TEST(test_stats)
{
	struct client *a = client_open(), *b = client_open();
	struct ctl_server_stats st;

	client_send(a, "{\"command\":\"echo\"}\n{\"command\":\"fail\"}\n");
	assert_reply(a, ECHO_REPLY);
	assert_error_reply(a, "failed: fail");
	client_send(b, "{}\n");
	assert_error_reply(b, "request needs");
	assert_closed(b);
	wait_clients(1);
	st = stats();
	ck_assert_uint_eq(st.connections, 2);
	ck_assert_uint_eq(st.requests, 2);
	ck_assert_uint_eq(st.bad_requests, 1);
	ck_assert_uint_eq(st.rejected, 0);
	ck_assert_uint_eq(st.clients, 1);
	client_close(a);
	client_close(b);
	wait_clients(0);
}
END_TEST

/* A client that sends many requests without reading gets them served at its own pace. */
START_TEST(test_backpressure)
{
	struct client *c = client_open();
	const int n = 16;

	for (int i = 0; i < n; i++)
		client_send(c, "{\"command\":\"big\"}\n");
	pump(100);
	ck_assert_uint_lt(stats().requests, (uint64_t)n);
	for (int i = 0; i < n; i++) {
		char *line = client_line(c);

		ck_assert_uint_gt(strlen(line), 512 * 1024);
		free(line);
	}
	ck_assert_uint_eq(stats().requests, (uint64_t)n);
	client_close(c);
}
END_TEST

START_TEST(test_output_limit)
{
	struct client *c = client_open();

	client_send(c, "{\"command\":\"huge\"}\n");
	assert_closed(c);
	wait_clients(0);
	client_close(c);
}
END_TEST

/* A streamed reply of `rows` rows is one well-formed line, and the next request is served. */
static void assert_stream(struct client *c, int rows)
{
	char *line = client_line(c);
	json_t *r = json_loads(line, 0, NULL);
	json_t *data = json_object_get(r, "data");

	ck_assert_msg(r != NULL, "reply not JSON (%zu bytes)", strlen(line));
	ck_assert(json_is_true(json_object_get(r, "ok")));
	ck_assert_int_eq((int)json_array_size(data), rows);
	for (int i = 0; i < rows; i++)
		ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(data, (size_t)i),
								     "i")), i);
	json_decref(r);
	free(line);
}

START_TEST(test_stream)
{
	struct client *c = client_open();

	fx.stream_rows = 0;
	client_send(c, "{\"command\":\"stream\"}\n" ECHO_REQ);
	assert_reply(c, "{\"ok\":true,\"data\":[]}");
	assert_reply(c, ECHO_REPLY);
	fx.stream_rows = 100000; /* about 5 MB: many slices, and waits for the client */
	client_send(c, "{\"command\":\"stream\"}\n{\"command\":\"stream\"}\n" ECHO_REQ);
	assert_stream(c, 100000);
	assert_stream(c, 100000);
	assert_reply(c, ECHO_REPLY);
	ck_assert_int_eq(fx.streams_done, 3);
	client_close(c);
}
END_TEST

/* While a client reads a long stream slowly, other clients are served. */
START_TEST(test_stream_interleaves)
{
	struct client *slow = client_open(), *other = client_open();

	fx.stream_rows = 200000;
	client_send(slow, "{\"command\":\"stream\"}\n");
	pump(50);
	client_send(other, ECHO_REQ);
	assert_reply(other, ECHO_REPLY);
	ck_assert_int_eq(fx.streams_done, 0);
	assert_stream(slow, 200000);
	ck_assert_int_eq(fx.streams_done, 1);
	client_close(slow);
	client_close(other);
}
END_TEST

/* A client that half-closes after its request still gets the whole stream; one that goes
 * away in the middle ends it (done() once); so does the server's end. */
START_TEST(test_stream_eof_disconnect_free)
{
	struct client *c = client_open();

	fx.stream_rows = 50000;
	client_send(c, "{\"command\":\"stream\"}\n");
	ck_assert_int_eq(shutdown(c->fd, SHUT_WR), 0);
	assert_stream(c, 50000);
	assert_closed(c);
	client_close(c);
	ck_assert_int_eq(fx.streams_done, 1);

	c = client_open();
	client_send(c, "{\"command\":\"stream\"}\n");
	pump(20);
	client_close(c);
	wait_clients(0);
	ck_assert_int_eq(fx.streams_done, 2);

	c = client_open();
	client_send(c, "{\"command\":\"stream\"}\n");
	pump(20);
	ctl_server_free(fx.srv);
	fx.srv = NULL;
	ck_assert_int_eq(fx.streams_done, 3);
	client_close(c);
}
END_TEST

/* ---- formatting ---- */

static char *fmt(const char *command, const char *args, const char *data)
{
	json_t *a = args ? json_loads(args, 0, NULL) : NULL;
	json_t *d = json_loads(data, JSON_DECODE_ANY, NULL);
	char *out;

	ck_assert_ptr_nonnull(d);
	out = ctl_format_reply(command, a, d);
	ck_assert_ptr_nonnull(out);
	json_decref(a);
	json_decref(d);
	return out;
}

static void assert_fmt(const char *command, const char *args, const char *data,
		       const char *expected)
{
	char *out = fmt(command, args, data);

	ck_assert_str_eq(out, expected);
	free(out);
}

START_TEST(test_fmt_interfaces)
{
	assert_fmt("show interfaces", NULL,
		   "[{\"name\":\"eth0\",\"ifindex\":2,\"enabled\":true,\"media_present\":true,"
		   "\"addresses\":[\"10.0.0.1/24\",\"10.1.0.1/16\"],\"mode\":\"periodic\","
		   "\"active\":true},"
		   "{\"name\":\"ppp0\",\"ifindex\":112,\"enabled\":false,\"media_present\":false,"
		   "\"addresses\":[],\"mode\":null,\"active\":false}]",
		   "NAME  INDEX  ENABLED  MEDIA  ACTIVE  MODE      ADDRESSES\n"
		   "eth0  2      yes      yes    yes     periodic  10.0.0.1/24,10.1.0.1/16\n"
		   "ppp0  112    no       no     no      -         -\n");
	assert_fmt("show interfaces", NULL, "[]",
		   "NAME  INDEX  ENABLED  MEDIA  ACTIVE  MODE  ADDRESSES\n");
}
END_TEST

START_TEST(test_fmt_routes)
{
	assert_fmt("show routes", NULL,
		   "[{\"prefix\":\"10.0.0.0/24\",\"nexthop\":null,\"interface\":\"eth0\","
		   "\"metric\":1,\"tag\":0,\"source\":\"connected\",\"in_fib\":false},"
		   "{\"prefix\":\"192.168.100.0/24\",\"nexthop\":\"10.0.0.2\","
		   "\"interface\":\"eth0\","
		   "\"metric\":16,\"tag\":65535,\"source\":\"rip\",\"in_fib\":true}]",
		   "PREFIX            NEXTHOP   INTERFACE  METRIC  TAG    SOURCE     FIB\n"
		   "10.0.0.0/24       direct    eth0       1       0      connected  no\n"
		   "192.168.100.0/24  10.0.0.2  eth0       16      65535  rip        yes\n");
	/* a missing key shows "-" */
	assert_fmt("show routes", NULL, "[{\"prefix\":\"10.0.0.0/8\"}]",
		   "PREFIX      NEXTHOP  INTERFACE  METRIC  TAG  SOURCE  FIB\n"
		   "10.0.0.0/8  -        -          -       -    -       -\n");
}
END_TEST

START_TEST(test_fmt_events)
{
	assert_fmt("show events", NULL,
		   "[{\"time\":\"2026-01-02T03:04:05.006Z\",\"type\":\"ADD_INTERFACE\","
		   "\"interface\":\"eth0\",\"protocol\":\"rip\",\"active\":false},"
		   "{\"time\":\"2026-01-02T03:04:06.000Z\",\"type\":\"ADDRESS_CHANGE\","
		   "\"interface\":\"eth0\",\"addresses\":[\"10.0.0.1/24\",\"10.9.0.1/16\"]},"
		   "{\"time\":\"2026-01-02T03:04:07.000Z\",\"type\":\"UPDATE_COMPLETE\","
		   "\"interface\":\"ppp0\",\"status\":\"NO_ERROR\"},"
		   "{\"time\":\"2026-01-02T03:04:08.000Z\",\"type\":\"DELETE_INTERFACE\","
		   "\"interface\":null}]",
		   "TIME                      TYPE              INTERFACE  DETAIL\n"
		   "2026-01-02T03:04:05.006Z  ADD_INTERFACE     eth0       protocol=rip active=no\n"
		   "2026-01-02T03:04:06.000Z  ADDRESS_CHANGE    eth0       "
		   "10.0.0.1/24,10.9.0.1/16\n"
		   "2026-01-02T03:04:07.000Z  UPDATE_COMPLETE   ppp0       status=NO_ERROR\n"
		   "2026-01-02T03:04:08.000Z  DELETE_INTERFACE  -          -\n");
}
END_TEST

START_TEST(test_fmt_neighbors_autostatic)
{
	assert_fmt("show neighbors", NULL,
		   "[{\"address\":\"10.0.0.2\",\"interface\":\"eth0\",\"version\":2,"
		   "\"last_heard\":12,\"bad_packets\":0,\"bad_routes\":3,\"state\":\"up\"},"
		   "{\"address\":\"10.0.0.3\",\"interface\":\"eth0\",\"version\":2,"
		   "\"last_heard\":200,\"bad_packets\":0,\"bad_routes\":0,\"state\":\"down\"}]",
		   "ADDRESS   INTERFACE  STATE  VERSION  LAST-HEARD  BAD-PACKETS  BAD-ROUTES\n"
		   "10.0.0.2  eth0       up     2        12s         0            3\n"
		   "10.0.0.3  eth0       down   2        200s        0            0\n");
	assert_fmt("show autostatic", NULL,
		   "[{\"interface\":\"ppp0\",\"prefix\":\"172.16.0.0/12\",\"nexthop\":\"10.8.0.1\","
		   "\"metric\":2,\"updated\":\"2026-01-02T03:04:05Z\"}]",
		   "INTERFACE  PREFIX         NEXTHOP   METRIC  UPDATED\n"
		   "ppp0       172.16.0.0/12  10.8.0.1  2       2026-01-02T03:04:05Z\n");
}
END_TEST

START_TEST(test_fmt_status)
{
	assert_fmt("show status", NULL,
		   "{\"version\":\"0.1.0\",\"uptime\":42,\"router_id\":\"10.0.0.1\","
		   "\"protocols\":[\"rip\"],\"ctl\":{\"clients\":1,\"ok\":true},"
		   "\"rip\":[{\"name\":\"a\"}],\"empty\":{},\"none\":null}",
		   "version: 0.1.0\n"
		   "uptime: 42\n"
		   "router_id: 10.0.0.1\n"
		   "protocols: rip\n"
		   "ctl.clients: 1\n"
		   "ctl.ok: yes\n"
		   "rip[0].name: a\n"
		   "empty: -\n"
		   "none: -\n");
}
END_TEST

START_TEST(test_fmt_summaries)
{
	assert_fmt("update-routes", "[\"ppp0\"]",
		   "{\"interface\":\"ppp0\",\"status\":\"NO_ERROR\",\"routes\":3}",
		   "ppp0: NO_ERROR, 3 autostatic routes\n");
	assert_fmt("update-routes", "[\"ppp0\"]",
		   "{\"interface\":\"ppp0\",\"status\":\"NO_ERROR\",\"routes\":1}",
		   "ppp0: NO_ERROR, 1 autostatic route\n");
	assert_fmt("clear autostatic", "[\"ppp0\"]", "{\"removed\":5}",
		   "ppp0: 5 autostatic routes removed\n");
	assert_fmt("clear autostatic", "[\"ppp0\"]", "{\"removed\":1}",
		   "ppp0: 1 autostatic route removed\n");
	assert_fmt("reload", NULL, "null", "configuration reloaded\n");
	assert_fmt("reload", NULL, "{\"changes\":[\"eth1: added\",\"eth2: removed\"]}",
		   "configuration reloaded\n  eth1: added\n  eth2: removed\n");
}
END_TEST

START_TEST(test_fmt_fallback_json)
{
	assert_fmt("show routes", NULL, "{\"weird\":1}", "{\n  \"weird\": 1\n}\n");
	assert_fmt("show routes", NULL, "[1]", "[\n  1\n]\n");
	assert_fmt("frobnicate", NULL, "\"x\"", "\"x\"\n");
	/* control characters never reach the terminal */
	assert_fmt("show interfaces", NULL, "[{\"name\":\"e\\u001bx\"}]",
		   "NAME  INDEX  ENABLED  MEDIA  ACTIVE  MODE  ADDRESSES\n"
		   "e?x   -      -        -      -       -     -\n");
}
END_TEST

START_TEST(test_update_exit)
{
	ck_assert_int_eq(ctl_format_update_exit("NO_ERROR"), 0);
	ck_assert_int_eq(ctl_format_update_exit("ERROR_CAN_NOT_COMPLETE"), 4);
	ck_assert_int_eq(ctl_format_update_exit("ERROR_INTERFACE_NOT_CONNECTED"), 5);
	ck_assert_int_eq(ctl_format_update_exit("ERROR_UPDATE_IN_PROGRESS"), 6);
	ck_assert_int_eq(ctl_format_update_exit("ERROR_INVALID_PARAMETER"), 1);
	ck_assert_int_eq(ctl_format_update_exit(NULL), 1);
}
END_TEST

/* ---- ctl_admit: who makes room ---- */

#define DAEMON_UID 108
#define IDLE(uid_, since) { .uid = (uid_), .idle_since = (since), .opened = 1 }
#define BUSY(uid_, opened_) { .uid = (uid_), .idle_since = 0, .opened = (opened_) }

START_TEST(test_admit_idle_same_uid)
{
	const struct ctl_admit_conn c[] = { IDLE(0, 50), IDLE(0, 20), BUSY(0, 1), IDLE(0, 30) };

	ck_assert_int_eq(ctl_admit_victim(c, 4, 0, DAEMON_UID), 1);
}
END_TEST

START_TEST(test_admit_the_biggest_uid_pays)
{
	/* uid 1000 floods; root and uid 1001 get in at its expense, not each other's */
	const struct ctl_admit_conn c[] = { IDLE(0, 5), IDLE(1001, 6), IDLE(1000, 30),
					    IDLE(1000, 10), IDLE(1000, 20) };

	ck_assert_int_eq(ctl_admit_victim(c, 5, 0, DAEMON_UID), 3);
	ck_assert_int_eq(ctl_admit_victim(c, 5, 1001, DAEMON_UID), 3);
	ck_assert_int_eq(ctl_admit_victim(c, 5, 1000, DAEMON_UID), 3);
}
END_TEST

START_TEST(test_admit_tie_goes_to_own_uid)
{
	const struct ctl_admit_conn c[] = { IDLE(1000, 5), IDLE(1001, 9), IDLE(1000, 6),
					    IDLE(1001, 8) };

	ck_assert_int_eq(ctl_admit_victim(c, 4, 1001, DAEMON_UID), 3);
	ck_assert_int_eq(ctl_admit_victim(c, 4, 1000, DAEMON_UID), 0);
	ck_assert_int_eq(ctl_admit_victim(c, 4, 0, DAEMON_UID), 0); /* then the oldest idle */
}
END_TEST

START_TEST(test_admit_busy_only_for_privileged)
{
	const struct ctl_admit_conn c[] = { BUSY(1000, 7), BUSY(0, 1), BUSY(1000, 3),
					    BUSY(DAEMON_UID, 2), BUSY(1001, 2) };
	const struct ctl_admit_conn all_root[] = { BUSY(0, 7), BUSY(DAEMON_UID, 3) };

	ck_assert_int_eq(ctl_admit_victim(c, 5, 1000, DAEMON_UID), -1);
	ck_assert_int_eq(ctl_admit_victim(c, 5, 1002, DAEMON_UID), -1);
	ck_assert_int_eq(ctl_admit_victim(c, 5, 0, DAEMON_UID), 2);
	ck_assert_int_eq(ctl_admit_victim(c, 5, DAEMON_UID, DAEMON_UID), 2);
	ck_assert_int_eq(ctl_admit_victim(all_root, 2, 0, DAEMON_UID), -1);
	ck_assert_int_eq(ctl_admit_victim(NULL, 0, 0, DAEMON_UID), -1);
}
END_TEST

static Suite *ctl_suite(void)
{
	Suite *s = suite_create("ctl");
	TCase *srv = tcase_create("server");
	TCase *fmt_tc = tcase_create("format");
	TCase *admit_tc = tcase_create("admit");

	tcase_add_checked_fixture(srv, setup, teardown);
	tcase_set_timeout(srv, 120);
	tcase_add_test(srv, test_request_reply);
	tcase_add_test(srv, test_args_default);
	tcase_add_test(srv, test_pipelined);
	tcase_add_test(srv, test_final_line_at_eof);
	tcase_add_loop_test(srv, test_malformed, 0, (int)NCASES(bad_cases));
	tcase_add_test(srv, test_oversized);
	tcase_add_test(srv, test_serves_after_bad);
	tcase_add_test(srv, test_deferred);
	tcase_add_test(srv, test_cancel_on_disconnect);
	tcase_add_test(srv, test_cancel_on_eof);
	tcase_add_test(srv, test_cancel_on_free);
	tcase_add_test(srv, test_stale_socket);
	tcase_add_test(srv, test_live_socket);
	tcase_add_test(srv, test_not_a_socket);
	tcase_add_test(srv, test_dir_and_mode);
	tcase_add_test(srv, test_full_of_idle_clients_makes_room);
	tcase_add_test(srv, test_full_of_busy_clients_refuses);
	tcase_add_test(srv, test_idle_timeout);
	tcase_add_loop_test(srv, test_trickle_closed, 0, (int)NCASES(trickles));
	tcase_add_test(srv, test_waiting_client_is_not_idle);
	tcase_add_test(srv, test_stats);
	tcase_add_test(srv, test_backpressure);
	tcase_add_test(srv, test_output_limit);
	tcase_add_test(srv, test_stream);
	tcase_add_test(srv, test_stream_interleaves);
	tcase_add_test(srv, test_stream_eof_disconnect_free);
	suite_add_tcase(s, srv);

	tcase_add_test(fmt_tc, test_fmt_interfaces);
	tcase_add_test(fmt_tc, test_fmt_routes);
	tcase_add_test(fmt_tc, test_fmt_events);
	tcase_add_test(fmt_tc, test_fmt_neighbors_autostatic);
	tcase_add_test(fmt_tc, test_fmt_status);
	tcase_add_test(fmt_tc, test_fmt_summaries);
	tcase_add_test(fmt_tc, test_fmt_fallback_json);
	tcase_add_test(fmt_tc, test_update_exit);
	suite_add_tcase(s, fmt_tc);

	tcase_add_test(admit_tc, test_admit_idle_same_uid);
	tcase_add_test(admit_tc, test_admit_the_biggest_uid_pays);
	tcase_add_test(admit_tc, test_admit_tie_goes_to_own_uid);
	tcase_add_test(admit_tc, test_admit_busy_only_for_privileged);
	suite_add_tcase(s, admit_tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ctl_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
