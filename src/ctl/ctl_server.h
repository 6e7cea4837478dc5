/* SPDX-License-Identifier: ISC */
/*
 * ctl_server.h — the control socket: a Unix stream socket speaking JSON lines (one request object
 * per line in, one reply object per line out, see routprotctl(8)). The server owns connections,
 * framing, size limits and malformed-input handling; it hands each well-formed request to one
 * dispatch function and writes the reply it is given, now or later (deferred replies for
 * long-running commands such as update-routes).
 */
#ifndef ROUTPROTD_CTL_SERVER_H
#define ROUTPROTD_CTL_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

struct event_base;
struct ctl_server;
struct ctl_request; /* one request in flight; gets exactly one reply */

#define CTL_MAX_REQUEST 65536 /* bytes per request line, newline included */
#define CTL_MAX_CLIENTS 128   /* connections at once; then a new client takes the place of an
				 idle one (ctl_admit.h), or is answered with an error */
#define CTL_IDLE_TIMEOUT_S 10   /* default: no request for this long closes a connection */
#define CTL_REQUEST_TIMEOUT_S 5 /* default: a request line not complete this long after its
				   first byte closes the connection */

/* Called once per well-formed request: `command` is the request's "command" string, `args` its
 * "args" array (an empty array when absent). The dispatcher must eventually call exactly one of
 * the ctl_reply_* functions on `req`, before returning or later. */
typedef void (*ctl_dispatch_fn)(void *arg, struct ctl_request *req, const char *command,
				const json_t *args);

struct ctl_server_stats {
	uint64_t connections;   /* accepted since start */
	uint64_t requests;      /* well-formed requests dispatched */
	uint64_t bad_requests;  /* malformed, oversized or invalid requests answered with an error */
	uint64_t rejected;      /* connections refused: CTL_MAX_CLIENTS open, none could go */
	uint64_t evicted;       /* connections closed to make room for a new client */
	uint64_t idle_timeouts; /* connections closed for sending no request within the idle
				   timeout */
	uint64_t request_timeouts; /* connections closed with a request line left incomplete */
	unsigned clients;       /* open now */
};

/* Create the socket at `path` (a stale socket file is replaced; a live one is an error), mode 0660,
 * group `gid` unless gid == (gid_t)-1. On failure returns NULL and writes a reason into err. */
struct ctl_server *ctl_server_new(struct event_base *base, const char *path, gid_t gid,
				  ctl_dispatch_fn dispatch, void *arg, char *err, size_t errlen);
/* Close every connection (pending requests are cancelled) and remove the socket file. */
void ctl_server_free(struct ctl_server *srv);
void ctl_server_get_stats(const struct ctl_server *srv, struct ctl_server_stats *out);
/* Seconds (at least 1) a connection may wait without a request (while no request of it is in
 * progress and no reply is being written), and a request line may take from its first byte to
 * its newline. Applies to the deadlines armed from now on. */
void ctl_server_set_timeouts(struct ctl_server *srv, unsigned idle_s, unsigned request_s);
const char *ctl_server_path(const struct ctl_server *srv);

/* Replies. `data` is stolen (NULL means JSON null). Each frees `req`. */
void ctl_reply_ok(struct ctl_request *req, json_t *data);
void ctl_reply_error(struct ctl_request *req, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* {"ok": false, "error": message, "data": data} — for errors that carry details (config errors of
 * a failed reload, the status of a failed update-routes). */
void ctl_reply_error_data(struct ctl_request *req, json_t *data, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Streamed replies, for tables of any size: {"ok": true, "data": [row, row, ...]} written a
 * slice of rows at a time, between other work of the event loop and only as fast as the client
 * reads. `next(arg)` gives the next row (a new reference) or NULL at the end; `done(arg)` is
 * called once, at the end or when the client goes away first. Frees `req` at the end. */
void ctl_reply_stream(struct ctl_request *req, json_t *(*next)(void *arg),
		      void (*done)(void *arg), void *arg);

/* Deferred replies: if the client disconnects before the reply, `cancel(arg)` is called and `req`
 * is freed right after it returns (the dispatcher must drop its pointer). */
void ctl_request_on_cancel(struct ctl_request *req, void (*cancel)(void *arg), void *arg);

/* The whole request object as received, with "args" filled in when it was absent: the place to
 * read keys beyond command/args (e.g. "timeout" of update-routes). Borrowed; valid until the
 * request is answered or cancelled. */
const json_t *ctl_request_body(const struct ctl_request *req);

/* Rules for the dispatcher and the cancel hook: never call ctl_server_free from inside either
 * (defer it to the event loop), and never reply from inside the cancel hook. */

#endif
