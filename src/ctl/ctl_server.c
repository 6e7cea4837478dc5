/* SPDX-License-Identifier: ISC */
/*
 * ctl_server.c — the control socket server (see ctl_server.h): accepting on the listening socket
 * (its file is ctl_socket.c's), one connection object per client with its own input/output
 * buffers, JSON-lines framing, request validation, in-order serving with deferred and streamed
 * replies, and the limits that keep a slow or hostile client from hurting the daemon (request
 * size, client count, output size, write stalls, idle and half-sent requests).
 *
 * A connection is idle while it waits for a request (nothing in progress, no reply queued).
 * Its `deadline` timer closes it when it stays idle for the idle timeout, or sooner when the
 * start of a request line has been waiting for its newline for the request timeout. When
 * CTL_MAX_CLIENTS are open, a new client takes the place of one chosen by ctl_admit.c.
 *
 * A connection serves one request at a time: while a request is pending, further lines stay in
 * the input buffer (reading continues up to CTL_MAX_REQUEST bytes so that a hang-up is noticed).
 * Connections are never freed from inside the dispatcher: replies only queue output and wake the
 * connection through its `resume` event. A streamed reply is pumped by the connection's `pump`
 * timer (zero delay, so that the loop polls its sockets between slices) while its output is
 * below CTL_STREAM_HIGH, and by the write callback once the client has read it down.
 */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "ctl/ctl_admit.h"
#include "ctl/ctl_server.h"
#include "ctl/ctl_socket.h"
#include "routprotd/clock.h"
#include "routprotd/log.h"

#define CTL_COMP "ctl"
#define CTL_MAX_OUTPUT (64u * 1024 * 1024) /* queued reply bytes before a client is dropped */
#define CTL_OUTPUT_SOFT (1u * 1024 * 1024) /* stop serving new requests above this */
#define CTL_WRITE_STALL_SEC 60             /* output pending but socket not writable: drop */
#define CTL_ACCEPT_BURST 32                /* accepts per wake-up */
#define CTL_ACCEPT_RETRY_SEC 1             /* pause after EMFILE and friends */
#define CTL_LISTEN_BACKLOG 128
#define CTL_IOV_MAX 16
#define CTL_STREAM_HIGH (256u * 1024) /* queued bytes above which a stream waits for the client */
#define CTL_STREAM_SLICE 1024         /* rows per slice, between other work of the loop */

struct ctl_conn;

struct ctl_request {
	struct ctl_conn *conn;      /* the client; always valid: the request dies with it */
	json_t *body;               /* the request object ("args" filled in when absent) */
	void (*cancel)(void *arg);  /* dispatcher's hook for a client that went away */
	void *cancel_arg;
	bool cancelling;            /* inside cancel(): replies are ignored */
	json_t *(*stream_next)(void *arg); /* set while a streamed reply is written */
	void (*stream_done)(void *arg);
	void *stream_arg;
	size_t stream_rows;
};

struct ctl_conn {
	TAILQ_ENTRY(ctl_conn) link;
	struct ctl_server *srv;
	int fd;
	unsigned id;                /* for log lines */
	struct event *rev;          /* readable */
	struct event *wev;          /* writable, with the stall timeout */
	struct event *resume;       /* activated after a reply: serve the next line */
	struct event *pump;         /* the next slice of a streamed reply */
	struct event *deadline;     /* idle or request timeout */
	uid_t uid;                  /* of the peer, (uid_t)-1 when unknown */
	int64_t opened;             /* monotonic ms */
	int64_t idle_since;         /* monotonic ms since when it waits for a request; 0: busy */
	int64_t partial_since;      /* since when part of a request line waits; 0: none */
	struct evbuffer *in;
	struct evbuffer *out;
	size_t scanned;             /* bytes of `in` already searched for a newline */
	struct ctl_request *pending;
	bool eof;                   /* the client shut down its sending side */
	bool closing;               /* close once `out` is flushed */
	bool dead;                  /* close now, drop queued output */
};

TAILQ_HEAD(ctl_conn_list, ctl_conn);

struct ctl_server {
	struct event_base *base;
	char *path;
	int fd;
	struct ctl_socket_id sock_id; /* our socket file, so that we only unlink our own */
	struct event *accept_ev;
	struct event *retry_ev;     /* re-enables accept_ev after a resource shortage */
	ctl_dispatch_fn dispatch;
	void *dispatch_arg;
	struct ctl_conn_list conns;
	struct ctl_server_stats stats;
	unsigned next_id;
	int64_t idle_ms, request_ms; /* the timeouts */
	uid_t daemon_uid;
	struct rp_log_ratelimit bad_rl;
	struct rp_log_ratelimit accept_rl;
};

#define CTL_TRIM_AFTER (1u << 20) /* reply bytes after which freed memory is returned */

static void conn_free(struct ctl_conn *conn);
static void conn_step(struct ctl_conn *conn);

/* ---- replies ---- */

/* Queue one reply object (stolen) as a compact line. */
static void conn_send(struct ctl_conn *conn, json_t *reply)
{
	static const char fallback[] =
		"{\"ok\":false,\"error\":\"internal error: reply not encodable\"}";
	char *text = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
	const char *line = text ? text : fallback;
	size_t len = strlen(line);

	json_decref(reply);
	if (evbuffer_add(conn->out, line, len) != 0 || evbuffer_add(conn->out, "\n", 1) != 0)
		conn->dead = true;
	free(text);
	/* A large view (a 100,000-route table is tens of MB of JSON objects) leaves freed heap
	 * behind: give it back to the system. */
	if (len > CTL_TRIM_AFTER)
		malloc_trim(0);
	if (evbuffer_get_length(conn->out) > CTL_MAX_OUTPUT) {
		rp_log_rl(&conn->srv->bad_rl, RP_LOG_WARNING, CTL_COMP,
		       "client %u: more than %u bytes of replies unread, closing", conn->id,
		       CTL_MAX_OUTPUT);
		conn->dead = true;
	}
}

/* {"ok": false, "error": msg [, "data": data]} — data stolen, may be NULL. */
static json_t *error_reply(const char *msg, json_t *data)
{
	json_t *reply = json_object();
	json_t *jmsg = json_string(msg);

	if (!jmsg)
		jmsg = json_string("error (message not valid UTF-8)");
	if (!reply || !jmsg || json_object_set_new(reply, "ok", json_false()) != 0 ||
	    json_object_set_new(reply, "error", jmsg) != 0) {
		json_decref(reply);
		json_decref(data);
		return NULL;
	}
	if (data && json_object_set_new(reply, "data", data) != 0) {
		json_decref(reply);
		return NULL;
	}
	return reply;
}

/* `req` is answered: free it and wake its connection for the next line. */
static void request_done(struct ctl_request *req)
{
	struct ctl_conn *conn = req->conn;

	conn->pending = NULL;
	json_decref(req->body);
	free(req);
	event_active(conn->resume, EV_TIMEOUT, 0);
}

/* Answer `req` with `reply` (stolen), free it and wake its connection for the next line. */
static void request_finish(struct ctl_request *req, json_t *reply)
{
	struct ctl_conn *conn = req->conn;

	if (req->cancelling) {
		json_decref(reply);
		return;
	}
	conn_send(conn, reply);
	request_done(req);
}

void ctl_reply_ok(struct ctl_request *req, json_t *data)
{
	json_t *reply = json_object();

	if (!data)
		data = json_null();
	if (!reply || json_object_set_new(reply, "ok", json_true()) != 0 ||
	    json_object_set_new(reply, "data", data) != 0) {
		json_decref(reply);
		reply = NULL;
	}
	request_finish(req, reply);
}

static void reply_error_va(struct ctl_request *req, json_t *data, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void reply_error_va(struct ctl_request *req, json_t *data, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	request_finish(req, error_reply(msg, data));
}

void ctl_reply_error(struct ctl_request *req, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply_error_va(req, NULL, fmt, ap);
	va_end(ap);
}

void ctl_reply_error_data(struct ctl_request *req, json_t *data, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply_error_va(req, data, fmt, ap);
	va_end(ap);
}

/* ---- streamed replies ---- */

static void stream_add(struct ctl_conn *conn, const char *text, size_t len)
{
	if (evbuffer_add(conn->out, text, len) != 0)
		conn->dead = true;
}

static void stream_end(struct ctl_request *req)
{
	stream_add(req->conn, "]}\n", 3);
	req->stream_done(req->stream_arg);
	request_done(req);
}

/* Write the next slice of the pending streamed reply, if the client keeps up. Rows are dumped
 * and freed one by one: a stream leaves no heap behind to trim. */
static void stream_pump(struct ctl_conn *conn)
{
	struct ctl_request *req = conn->pending;

	for (unsigned n = 0; n < CTL_STREAM_SLICE && !conn->dead; n++) {
		json_t *row;
		char *text;

		if (evbuffer_get_length(conn->out) >= CTL_STREAM_HIGH)
			return; /* the write callback pumps again */
		row = req->stream_next(req->stream_arg);
		if (!row) {
			stream_end(req);
			return;
		}
		text = json_dumps(row, JSON_COMPACT | JSON_ENCODE_ANY);
		json_decref(row);
		if (!text) {
			conn->dead = true;
			return;
		}
		if (req->stream_rows++ > 0)
			stream_add(conn, ",", 1);
		stream_add(conn, text, strlen(text));
		free(text);
	}
	if (!conn->dead) {
		static const struct timeval now = { 0, 0 };

		if (evtimer_add(conn->pump, &now) != 0)
			conn->dead = true;
	}
}

static void conn_pump_cb(evutil_socket_t fd, short what, void *arg)
{
	conn_step(arg);
}

void ctl_reply_stream(struct ctl_request *req, json_t *(*next)(void *arg),
		      void (*done)(void *arg), void *arg)
{
	if (req->cancelling) {
		done(arg);
		return;
	}
	req->stream_next = next;
	req->stream_done = done;
	req->stream_arg = arg;
	stream_add(req->conn, "{\"ok\":true,\"data\":[", 19);
	event_active(req->conn->resume, EV_TIMEOUT, 0);
}

void ctl_request_on_cancel(struct ctl_request *req, void (*cancel)(void *arg), void *arg)
{
	req->cancel = cancel;
	req->cancel_arg = arg;
}

const json_t *ctl_request_body(const struct ctl_request *req)
{
	return req->body;
}

/* The client is gone (or the server stops) while `req` waits for its reply. */
static void request_cancel(struct ctl_request *req)
{
	req->conn->pending = NULL;
	if (req->cancel) {
		req->cancelling = true;
		req->cancel(req->cancel_arg);
	}
	if (req->stream_done)
		req->stream_done(req->stream_arg);
	json_decref(req->body);
	free(req);
}

/* ---- requests ---- */

/* A malformed request: answer, count, and close after the answer is flushed. */
static void conn_bad_request(struct ctl_conn *conn, const char *msg)
{
	struct ctl_server *srv = conn->srv;

	srv->stats.bad_requests++;
	rp_log_rl(&srv->bad_rl, RP_LOG_WARNING, CTL_COMP, "client %u: bad request: %s", conn->id,
	       msg);
	conn_send(conn, error_reply(msg, NULL));
	conn->closing = true;
}

/* Parse and check a request line; returns the object or NULL with `msg` filled in. */
static json_t *parse_request(const char *line, size_t len, char *msg, size_t msglen)
{
	json_error_t jerr;
	json_t *body = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	json_t *cmd, *args;

	if (!body) {
		snprintf(msg, msglen, "invalid JSON: %s (column %d)", jerr.text, jerr.column);
		return NULL;
	}
	if (!json_is_object(body)) {
		snprintf(msg, msglen, "request must be a JSON object");
		goto bad;
	}
	cmd = json_object_get(body, "command");
	if (!json_is_string(cmd) || json_string_length(cmd) == 0) {
		snprintf(msg, msglen, "request needs a non-empty string \"command\"");
		goto bad;
	}
	args = json_object_get(body, "args");
	if (args && !json_is_array(args)) {
		snprintf(msg, msglen, "\"args\" must be an array");
		goto bad;
	}
	if (!args && json_object_set_new(body, "args", json_array()) != 0) {
		snprintf(msg, msglen, "out of memory");
		goto bad;
	}
	return body;
bad:
	json_decref(body);
	return NULL;
}

static bool line_is_blank(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			return false;
	return true;
}

/* One complete line from the client: validate it and hand it to the dispatcher. */
static void conn_handle_line(struct ctl_conn *conn, const char *line, size_t len)
{
	struct ctl_server *srv = conn->srv;
	struct ctl_request *req;
	char msg[256];
	json_t *body;

	if (line_is_blank(line, len))
		return;
	body = parse_request(line, len, msg, sizeof(msg));
	if (!body) {
		conn_bad_request(conn, msg);
		return;
	}
	req = calloc(1, sizeof(*req));
	if (!req) {
		json_decref(body);
		rp_log_error(CTL_COMP, "client %u: out of memory", conn->id);
		conn->dead = true;
		return;
	}
	req->conn = conn;
	req->body = body;
	conn->pending = req;
	srv->stats.requests++;
	rp_log_debug(CTL_COMP, "client %u: %s", conn->id,
		  json_string_value(json_object_get(body, "command")));
	srv->dispatch(srv->dispatch_arg, req, json_string_value(json_object_get(body, "command")),
		      json_object_get(body, "args"));
}

enum line_result { LINE_NONE, LINE_OK, LINE_TOO_LONG, LINE_NOMEM };

/* Take the next complete line out of the input buffer (without its newline). At EOF a final
 * line without a newline counts too. */
static enum line_result conn_next_line(struct ctl_conn *conn, char **line, size_t *len)
{
	size_t have = evbuffer_get_length(conn->in);
	struct evbuffer_ptr pos;
	size_t eol_len = 0, n, drop;

	if (evbuffer_ptr_set(conn->in, &pos, conn->scanned, EVBUFFER_PTR_SET) != 0)
		return LINE_NONE;
	pos = evbuffer_search_eol(conn->in, &pos, &eol_len, EVBUFFER_EOL_LF);
	if (pos.pos >= 0) {
		n = (size_t)pos.pos;
		drop = 1;
		if (n + 1 > CTL_MAX_REQUEST)
			return LINE_TOO_LONG;
	} else {
		conn->scanned = have;
		if (have >= CTL_MAX_REQUEST)
			return LINE_TOO_LONG;
		if (!conn->eof || have == 0)
			return LINE_NONE;
		n = have;
		drop = 0;
	}
	*line = malloc(n + 1);
	if (!*line)
		return LINE_NOMEM;
	if (evbuffer_remove(conn->in, *line, n) != (int)n || evbuffer_drain(conn->in, drop) != 0) {
		free(*line);
		return LINE_NOMEM;
	}
	(*line)[n] = '\0';
	*len = n;
	conn->scanned = 0;
	return LINE_OK;
}

/* Serve buffered lines in order until one is deferred, input runs out or output backs up. */
static void conn_process_input(struct ctl_conn *conn)
{
	while (!conn->pending && !conn->closing && !conn->dead) {
		enum line_result r;
		char *line = NULL;
		size_t len = 0;

		if (evbuffer_get_length(conn->out) > CTL_OUTPUT_SOFT)
			return;
		r = conn_next_line(conn, &line, &len);
		if (r == LINE_NONE) {
			if (conn->eof)
				conn->closing = true;
			return;
		}
		if (r == LINE_TOO_LONG) {
			char msg[64];

			snprintf(msg, sizeof(msg), "request longer than %d bytes", CTL_MAX_REQUEST);
			conn_bad_request(conn, msg);
			return;
		}
		if (r == LINE_NOMEM) {
			conn->dead = true;
			return;
		}
		conn_handle_line(conn, line, len);
		free(line);
		if (conn->eof && conn->pending && !conn->pending->stream_next) {
			request_cancel(conn->pending);
			conn->closing = true;
		}
	}
}

/* ---- connection I/O ---- */

/* Send as much queued output as the socket takes. Returns -1 on a write error. */
static int conn_flush(struct ctl_conn *conn)
{
	while (evbuffer_get_length(conn->out) > 0) {
		struct evbuffer_iovec vec[CTL_IOV_MAX];
		struct iovec iov[CTL_IOV_MAX];
		struct msghdr mh = { .msg_iov = iov };
		int n = evbuffer_peek(conn->out, -1, NULL, vec, CTL_IOV_MAX);
		ssize_t w;

		if (n > CTL_IOV_MAX)
			n = CTL_IOV_MAX;
		for (int i = 0; i < n; i++) {
			iov[i].iov_base = vec[i].iov_base;
			iov[i].iov_len = vec[i].iov_len;
		}
		mh.msg_iovlen = (size_t)n;
		w = sendmsg(conn->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		if (evbuffer_drain(conn->out, (size_t)w) != 0)
			return -1;
	}
	return 0;
}

/* Keep the read and write events in line with the connection's state. */
static void conn_update_io(struct ctl_conn *conn)
{
	bool want_read = !conn->eof && !conn->closing &&
			 evbuffer_get_length(conn->in) < CTL_MAX_REQUEST;
	bool reading = event_pending(conn->rev, EV_READ, NULL);
	bool want_write = evbuffer_get_length(conn->out) > 0;
	bool writing = event_pending(conn->wev, EV_WRITE, NULL);
	struct timeval stall = { .tv_sec = CTL_WRITE_STALL_SEC };

	if (want_read && !reading && event_add(conn->rev, NULL) != 0)
		conn->dead = true;
	else if (!want_read && reading)
		event_del(conn->rev);
	if (want_write && !writing && event_add(conn->wev, &stall) != 0)
		conn->dead = true;
	else if (!want_write && writing)
		event_del(conn->wev);
}

/* Arm the deadline of an idle connection (see the top of the file); a busy one has none. */
static void conn_update_deadline(struct ctl_conn *conn)
{
	const struct ctl_server *srv = conn->srv;
	int64_t now = rp_clock_now_ms(), due;
	struct timeval tv;

	if (conn->pending || conn->closing || evbuffer_get_length(conn->out) > 0) {
		conn->idle_since = conn->partial_since = 0;
		event_del(conn->deadline);
		return;
	}
	if (!conn->idle_since)
		conn->idle_since = now;
	if (evbuffer_get_length(conn->in) == 0)
		conn->partial_since = 0;
	else if (!conn->partial_since)
		conn->partial_since = now;
	due = conn->idle_since + srv->idle_ms;
	if (conn->partial_since && conn->partial_since + srv->request_ms < due)
		due = conn->partial_since + srv->request_ms;
	due = due > now ? due - now : 0;
	tv.tv_sec = (time_t)(due / 1000);
	tv.tv_usec = (suseconds_t)(due % 1000 * 1000);
	if (evtimer_add(conn->deadline, &tv) != 0)
		conn->dead = true;
}

/* Tell the client why (best effort, at once) and have the connection closed. */
static void conn_close_with(struct ctl_conn *conn, const char *why)
{
	conn_send(conn, error_reply(why, NULL));
	if (conn_flush(conn) != 0)
		rp_log_debug(CTL_COMP, "client %u: write: %s", conn->id, strerror(errno));
	conn->dead = true;
}

/* Run the connection's state machine; may free it, so it is the last thing a callback does. */
static void conn_step(struct ctl_conn *conn)
{
	if (!conn->dead && conn->pending && conn->pending->stream_next)
		stream_pump(conn);
	if (!conn->dead)
		conn_process_input(conn);
	if (!conn->dead)
		conn_update_io(conn);
	if (!conn->dead)
		conn_update_deadline(conn);
	if (conn->dead ||
	    (conn->closing && !conn->pending && evbuffer_get_length(conn->out) == 0))
		conn_free(conn);
}

static void conn_on_eof(struct ctl_conn *conn)
{
	conn->eof = true;
	rp_log_debug(CTL_COMP, "client %u: end of input", conn->id);
	if (conn->pending && !conn->pending->stream_next) { /* a stream goes on to the end */
		request_cancel(conn->pending);
		conn->closing = true;
	}
}

static void conn_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_conn *conn = arg;

	while (!conn->eof) {
		size_t have = evbuffer_get_length(conn->in);
		int n;

		if (have >= CTL_MAX_REQUEST)
			break;
		n = evbuffer_read(conn->in, fd, (int)(CTL_MAX_REQUEST - have));
		if (n > 0)
			continue;
		if (n == 0) {
			conn_on_eof(conn);
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		rp_log_debug(CTL_COMP, "client %u: read: %s", conn->id, strerror(errno));
		conn_free(conn);
		return;
	}
	conn_step(conn);
}

static void conn_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_conn *conn = arg;

	if (what & EV_TIMEOUT) {
		rp_log_rl(&conn->srv->bad_rl, RP_LOG_WARNING, CTL_COMP,
		       "client %u: not reading its replies for %d s, closing", conn->id,
		       CTL_WRITE_STALL_SEC);
		conn_free(conn);
		return;
	}
	if (conn_flush(conn) != 0) {
		rp_log_debug(CTL_COMP, "client %u: write: %s", conn->id, strerror(errno));
		conn_free(conn);
		return;
	}
	conn_step(conn);
}

static void conn_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	conn_step(arg);
}

static void conn_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_conn *conn = arg;
	struct ctl_server *srv = conn->srv;
	int64_t now = rp_clock_now_ms();
	char why[96];

	if (conn->partial_since && now >= conn->partial_since + srv->request_ms) {
		srv->stats.request_timeouts++;
		snprintf(why, sizeof(why), "request not completed within %lld s",
			 (long long)(srv->request_ms / 1000));
	} else if (conn->idle_since && now >= conn->idle_since + srv->idle_ms) {
		srv->stats.idle_timeouts++;
		snprintf(why, sizeof(why), "no request within %lld s",
			 (long long)(srv->idle_ms / 1000));
	} else {
		conn_step(conn); /* the timeouts changed: arm again */
		return;
	}
	rp_log_rl(&srv->bad_rl, RP_LOG_INFO, CTL_COMP, "client %u (uid %ld): %s, closing", conn->id,
	       (long)conn->uid, why);
	conn_close_with(conn, why);
	conn_step(conn);
}

static void conn_free_events(struct ctl_conn *conn)
{
	struct event *evs[] = { conn->rev, conn->wev, conn->resume, conn->pump, conn->deadline };

	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		if (evs[i])
			event_free(evs[i]);
}

static void conn_free(struct ctl_conn *conn)
{
	struct ctl_server *srv = conn->srv;

	if (conn->pending)
		request_cancel(conn->pending);
	TAILQ_REMOVE(&srv->conns, conn, link);
	srv->stats.clients--;
	conn_free_events(conn);
	evbuffer_free(conn->in);
	evbuffer_free(conn->out);
	if (close(conn->fd) != 0)
		rp_log_debug(CTL_COMP, "client %u: close: %s", conn->id, strerror(errno));
	rp_log_debug(CTL_COMP, "client %u: closed", conn->id);
	free(conn);
}

/* The peer's credentials; uid (uid_t)-1 and pid 0 when the kernel does not say. */
static struct ucred peer_cred(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return (struct ucred){ .pid = 0, .uid = (uid_t)-1, .gid = (gid_t)-1 };
	return cred;
}

static struct ctl_conn *conn_new(struct ctl_server *srv, int fd, const struct ucred *cred)
{
	struct ctl_conn *conn = calloc(1, sizeof(*conn));
	struct timeval idle = { .tv_sec = (time_t)(srv->idle_ms / 1000) };

	if (!conn)
		return NULL;
	conn->srv = srv;
	conn->fd = fd;
	conn->id = ++srv->next_id;
	conn->uid = cred->uid;
	conn->opened = conn->idle_since = rp_clock_now_ms();
	conn->rev = event_new(srv->base, fd, EV_READ | EV_PERSIST, conn_read_cb, conn);
	conn->wev = event_new(srv->base, fd, EV_WRITE | EV_PERSIST, conn_write_cb, conn);
	conn->resume = event_new(srv->base, -1, 0, conn_resume_cb, conn);
	conn->pump = evtimer_new(srv->base, conn_pump_cb, conn);
	conn->deadline = evtimer_new(srv->base, conn_deadline_cb, conn);
	conn->in = evbuffer_new();
	conn->out = evbuffer_new();
	if (!conn->rev || !conn->wev || !conn->resume || !conn->pump || !conn->deadline ||
	    !conn->in || !conn->out || event_add(conn->rev, NULL) != 0 ||
	    evtimer_add(conn->deadline, &idle) != 0) {
		conn_free_events(conn);
		if (conn->in)
			evbuffer_free(conn->in);
		if (conn->out)
			evbuffer_free(conn->out);
		free(conn);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&srv->conns, conn, link);
	srv->stats.clients++;
	srv->stats.connections++;
	rp_log_debug(CTL_COMP, "client %u: connected (pid %ld uid %ld)", conn->id, (long)cred->pid,
		  (long)cred->uid);
	return conn;
}

/* ---- listening socket ---- */

/* Over the limit: best-effort error line, then close. */
static void srv_reject(struct ctl_server *srv, int fd)
{
	static const char msg[] = "{\"ok\":false,\"error\":\"too many clients\"}\n";

	srv->stats.rejected++;
	rp_log_rl(&srv->accept_rl, RP_LOG_WARNING, CTL_COMP,
	       "%d control clients already connected, refusing another", CTL_MAX_CLIENTS);
	if (send(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		rp_log_debug(CTL_COMP, "rejected client: send: %s", strerror(errno));
	close(fd);
}

/* Full: close the connection ctl_admit.c picks for a client of `uid`; false when none. */
static bool srv_make_room(struct ctl_server *srv, uid_t uid)
{
	struct ctl_admit_conn snap[CTL_MAX_CLIENTS];
	struct ctl_conn *who[CTL_MAX_CLIENTS];
	struct ctl_conn *conn;
	size_t n = 0;
	int v;

	TAILQ_FOREACH(conn, &srv->conns, link) {
		if (n == CTL_MAX_CLIENTS)
			break;
		who[n] = conn;
		snap[n++] = (struct ctl_admit_conn){ .uid = conn->uid, .opened = conn->opened,
						     .idle_since = conn->idle_since };
	}
	v = ctl_admit_victim(snap, n, uid, srv->daemon_uid);
	if (v < 0)
		return false;
	conn = who[v];
	srv->stats.evicted++;
	rp_log_rl(&srv->accept_rl, RP_LOG_WARNING, CTL_COMP,
	       "%d control clients connected: closing client %u (uid %ld, %s) for one of uid %ld",
	       CTL_MAX_CLIENTS, conn->id, (long)conn->uid, conn->idle_since ? "idle" : "busy",
	       (long)uid);
	conn_close_with(conn, "closed to make room for another client");
	conn_free(conn);
	return true;
}

/* Out of descriptors or memory: stop accepting for a moment instead of spinning. */
static void srv_pause_accept(struct ctl_server *srv, int err)
{
	struct timeval tv = { .tv_sec = CTL_ACCEPT_RETRY_SEC };

	rp_log_rl(&srv->accept_rl, RP_LOG_WARNING, CTL_COMP, "accept on %s: %s, pausing", srv->path,
	       strerror(err));
	event_del(srv->accept_ev);
	if (event_add(srv->retry_ev, &tv) != 0)
		rp_log_error(CTL_COMP, "cannot arm the accept retry timer");
}

static void srv_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_server *srv = arg;

	if (event_add(srv->accept_ev, NULL) != 0)
		rp_log_error(CTL_COMP, "cannot re-enable accept on %s", srv->path);
}

static void srv_accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct ctl_server *srv = arg;

	for (int i = 0; i < CTL_ACCEPT_BURST; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ucred cred;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				srv_pause_accept(srv, errno);
				return;
			}
			rp_log_rl(&srv->accept_rl, RP_LOG_ERROR, CTL_COMP, "accept on %s: %s",
			       srv->path, strerror(errno));
			return;
		}
		cred = peer_cred(fd);
		if (srv->stats.clients >= CTL_MAX_CLIENTS && !srv_make_room(srv, cred.uid)) {
			srv_reject(srv, fd);
			continue;
		}
		if (!conn_new(srv, fd, &cred)) {
			rp_log_error(CTL_COMP, "out of memory for a control client");
			close(fd);
		}
	}
}

/* mkdir -p of the directory part of `path`, new directories mode 0755. */
static int srv_open(struct ctl_server *srv, gid_t gid, char *err, size_t errlen)
{
	srv->fd = ctl_socket_open(srv->path, gid, CTL_LISTEN_BACKLOG, &srv->sock_id, err, errlen);
	if (srv->fd < 0)
		return -1;
	srv->accept_ev = event_new(srv->base, srv->fd, EV_READ | EV_PERSIST, srv_accept_cb, srv);
	srv->retry_ev = evtimer_new(srv->base, srv_retry_cb, srv);
	if (!srv->accept_ev || !srv->retry_ev || event_add(srv->accept_ev, NULL) != 0) {
		snprintf(err, errlen, "cannot register %s with the event loop", srv->path);
		return -1;
	}
	return 0;
}

struct ctl_server *ctl_server_new(struct event_base *base, const char *path, gid_t gid,
				  ctl_dispatch_fn dispatch, void *arg, char *err, size_t errlen)
{
	struct ctl_server *srv = calloc(1, sizeof(*srv));

	if (!srv || !(srv->path = strdup(path))) {
		snprintf(err, errlen, "out of memory");
		free(srv);
		return NULL;
	}
	srv->base = base;
	srv->fd = -1;
	srv->dispatch = dispatch;
	srv->dispatch_arg = arg;
	srv->idle_ms = CTL_IDLE_TIMEOUT_S * 1000;
	srv->request_ms = CTL_REQUEST_TIMEOUT_S * 1000;
	srv->daemon_uid = geteuid();
	TAILQ_INIT(&srv->conns);
	srv->bad_rl = (struct rp_log_ratelimit)RP_LOG_RATELIMIT_INIT(10, 60000);
	srv->accept_rl = (struct rp_log_ratelimit)RP_LOG_RATELIMIT_INIT(5, 60000);
	if (srv_open(srv, gid, err, errlen) != 0) {
		ctl_server_free(srv);
		return NULL;
	}
	rp_log_debug(CTL_COMP, "listening on %s", path);
	return srv;
}

void ctl_server_free(struct ctl_server *srv)
{
	struct ctl_conn *conn;

	if (!srv)
		return;
	/* Replies given just before the stop (a waiting update-routes told the daemon is going
	 * away) get one last chance to leave. */
	TAILQ_FOREACH(conn, &srv->conns, link)
		if (!conn->dead && evbuffer_get_length(conn->out) > 0)
			evbuffer_write(conn->out, conn->fd);
	while ((conn = TAILQ_FIRST(&srv->conns)) != NULL)
		conn_free(conn);
	if (srv->accept_ev)
		event_free(srv->accept_ev);
	if (srv->retry_ev)
		event_free(srv->retry_ev);
	if (srv->fd >= 0) {
		ctl_socket_remove(srv->path, &srv->sock_id);
		close(srv->fd);
	}
	free(srv->path);
	free(srv);
}

void ctl_server_get_stats(const struct ctl_server *srv, struct ctl_server_stats *out)
{
	*out = srv->stats;
}

void ctl_server_set_timeouts(struct ctl_server *srv, unsigned idle_s, unsigned request_s)
{
	srv->idle_ms = (int64_t)(idle_s ? idle_s : 1) * 1000;
	srv->request_ms = (int64_t)(request_s ? request_s : 1) * 1000;
}

const char *ctl_server_path(const struct ctl_server *srv)
{
	return srv->path;
}
