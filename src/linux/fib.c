/* SPDX-License-Identifier: ISC */
/*
 * fib.c — the FIB writer: the only code that writes kernel routes (see fib.h). This file owns
 * the instance, the write queue and its batches, and the status; fib_msg.c builds and parses
 * the messages, fib_dump.c dumps, fib_watch.c reads notifications.
 *
 * Route identity. The kernel identifies an IPv4 route by table + prefix + tos + priority, not by
 * protocol: NLM_F_REPLACE replaces whatever route has that identity, whichever protocol owns it,
 * and a delete that names a protocol still only finds routes at the priority it names. What keeps
 * us off other protocols' routes is therefore our own table and fixed priority (the `fib` section
 * of the configuration), never the protocol number alone.
 *
 * Writes. fib_install / fib_remove only queue: one entry per (prefix, len, protocol), a later
 * write replacing the queued one in place. The first write of a burst arms a zero-timeout event,
 * so the queue goes out on the next loop iteration, after the caller has finished its work. Each
 * sendmsg carries as many messages as fit in FIB_SEND_BUF, each with its own sequence number and
 * without NLM_F_ACK, so the kernel answers failures only. rtnetlink handles a sendmsg
 * synchronously: when it returns, every message in it has been processed and the failures are
 * waiting on the socket, where they are read at once and mapped back by sequence number to
 * ops->write_failed. A sendmsg that fails (ENOBUFS, EAGAIN...) leaves its routes queued; the send
 * is retried after a short backoff and counted. At most FIB_SEND_BUDGET messages go out per loop
 * iteration so that the loop (and the notification socket) keep up during a huge burst.
 *
 * Ownership. A new route goes out with NLM_F_EXCL; the EEXIST it may get says that some route
 * holds the place, not whose. Those answers are not reported as they come: fib_exists.c reads
 * the table back once the send is over and decides from the kernel's route (protocol at our
 * table and priority) whether to replace it (ours) or leave it alone and report (another's).
 * A removal answered ESRCH (the kernel had flushed the route already) is counted apart
 * (removals_already_gone), not as a write error.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <linux/rtnetlink.h>

#include "routprotd/prefix.h"
#include "linux/fib_internal.h"
#include "linux/fib_msg.h"

#define FIB_SEND_BUF (200u << 10)   /* bytes per sendmsg */
#define FIB_SEND_MIN (16u << 10)    /* never shrink below this on EMSGSIZE */
#define FIB_SEND_BUDGET 8192u       /* messages per loop iteration */
#define FIB_WRITE_SNDBUF (1u << 20) /* must exceed FIB_SEND_BUF */
#define FIB_WRITE_RCVBUF (8u << 20) /* failure reports of a whole batch */
#define FIB_ACK_BUFSZ (64u << 10)
#define FIB_BACKOFF_MIN_MS 10u
#define FIB_BACKOFF_MAX_MS 1000u
#define FIB_FLUSH_ATTEMPTS 10

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

bool fib_is_own(const struct fib *f, uint8_t protocol)
{
	for (size_t i = 0; i < f->n_own; i++) {
		if (f->own[i] == protocol)
			return true;
	}
	return false;
}

/* ---- sockets ---- */

static void set_buffer(int fd, int force_opt, int opt, unsigned bytes)
{
	int v = (int)bytes;

	if (setsockopt(fd, SOL_SOCKET, force_opt, &v, sizeof(v)) == 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, opt, &v, sizeof(v)) < 0)
		rp_log_warning(FIB_COMP, "setting a netlink socket buffer to %u bytes: %s", bytes,
			    strerror(errno));
}

unsigned fib_socket_rcvbuf(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len) < 0)
		return 0;
	return (unsigned)v;
}

int fib_socket(bool nonblock, unsigned rcvbuf, char *err, size_t errlen)
{
	int type = SOCK_RAW | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, type, NETLINK_ROUTE);

	if (fd < 0) {
		snprintf(err, errlen, "netlink socket: %s", strerror(errno));
		return -1;
	}
	set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, rcvbuf);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(err, errlen, "netlink bind: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The write socket: failure reports carry only the header of the failed message. */
static int open_writer(struct fib *f, char *err, size_t errlen)
{
	int one = 1, sndbuf = 0;
	socklen_t len = sizeof(sndbuf);

	f->wfd = fib_socket(true, FIB_WRITE_RCVBUF, err, errlen);
	if (f->wfd < 0)
		return -1;
	set_buffer(f->wfd, SO_SNDBUFFORCE, SO_SNDBUF, FIB_WRITE_SNDBUF);
	if (setsockopt(f->wfd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) < 0)
		rp_log_debug(FIB_COMP, "NETLINK_CAP_ACK: %s", strerror(errno));
	f->send_limit = FIB_SEND_BUF;
	if (getsockopt(f->wfd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) == 0 &&
	    (size_t)sndbuf < f->send_limit + 1024 && sndbuf > (int)FIB_SEND_MIN + 1024)
		f->send_limit = (size_t)sndbuf - 1024; /* netlink refuses len > sndbuf - 32 */
	f->sendbuf = malloc(FIB_SEND_BUF);
	f->ackbuf = malloc(FIB_ACK_BUFSZ);
	f->batch_cap = FIB_SEND_BUF / NLMSG_LENGTH(sizeof(struct rtmsg)) + 1;
	f->batch = calloc(f->batch_cap, sizeof(*f->batch));
	if (!f->sendbuf || !f->ackbuf || !f->batch) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* ---- scheduling ---- */

static void schedule_in(struct fib *f, unsigned ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	if (evtimer_add(f->send_ev, &tv) < 0)
		rp_log_rl(&f->rl_send, RP_LOG_ERROR, FIB_COMP, "cannot schedule route writes");
}

/* Send on the next loop iteration unless a send (or a backoff) is already scheduled. */
static void schedule(struct fib *f)
{
	if (f->queue.count && !evtimer_pending(f->send_ev, NULL))
		schedule_in(f, 0);
}

/* ---- one batch ---- */

/* Fill sendbuf from the head of the queue; returns the bytes used. */
static size_t build_batch(struct fib *f)
{
	size_t off = 0;

	f->batch_n = 0;
	f->batch_seq0 = f->seq;
	for (uint32_t h = fib_queue_first(&f->queue); h && f->batch_n < f->batch_cap;
	     h = fib_queue_next(&f->queue, h)) {
		const struct fib_pending *p = fib_queue_at(&f->queue, h);
		struct fib_msg_write w = {
			.install = p->install, .replace = p->replace, .table = f->table,
			.priority = f->priority,
			.prefix = p->prefix, .len = p->len, .protocol = p->protocol,
			.nnexthops = p->nnexthops, .nexthops = fib_pending_nexthops(p),
		};
		size_t used = fib_msg_build(f->sendbuf + off, f->send_limit - off, &w,
					    f->batch_seq0 + (uint32_t)f->batch_n);

		if (!used)
			break;
		f->batch[f->batch_n++] = (struct fib_batch_entry){
			.prefix = p->prefix, .len = p->len, .protocol = p->protocol,
			.install = p->install, .retried = p->retried, .off = (uint32_t)off,
		};
		off += used;
	}
	return off;
}

/* sendmsg the batch: 0 sent, -1 failed (the routes stay queued). */
static int send_batch(struct fib *f, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct iovec iov = { .iov_base = f->sendbuf, .iov_len = len };
	struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov,
			     .msg_iovlen = 1 };
	ssize_t n;

	do {
		n = sendmsg(f->wfd, &mh, 0);
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)len)
		return 0;
	if (n >= 0)
		errno = EIO; /* netlink sends all or nothing */
	return -1;
}

static void send_failed(struct fib *f)
{
	int e = errno;

	f->st.send_retries++;
	if (e == EMSGSIZE && f->send_limit / 2 >= FIB_SEND_MIN) {
		f->send_limit /= 2;
		rp_log_warning(FIB_COMP, "route batch too large for the socket; now %zu bytes",
			    f->send_limit);
		return;
	}
	f->backoff_ms = f->backoff_ms ? f->backoff_ms * 2 : FIB_BACKOFF_MIN_MS;
	if (f->backoff_ms > FIB_BACKOFF_MAX_MS)
		f->backoff_ms = FIB_BACKOFF_MAX_MS;
	rp_log_rl(&f->rl_send, RP_LOG_WARNING, FIB_COMP,
	       "sending %zu route messages: %s; %u queued, retrying in %u ms", f->batch_n,
	       strerror(e), f->queue.count, f->backoff_ms);
	schedule_in(f, f->backoff_ms);
}

/* The batch went out: drop its entries from the queue, note our deletes in flight. */
static void commit_batch(struct fib *f)
{
	for (size_t i = 0; i < f->batch_n; i++) {
		const struct fib_batch_entry *e = &f->batch[i];

		if (!e->install)
			fib_watch_expect_delete(f, e->prefix, e->len, e->protocol);
		fib_queue_pop(&f->queue);
	}
	f->seq += (uint32_t)f->batch_n;
	f->st.batches++;
	f->st.messages += f->batch_n;
	if (f->batch_n > f->st.max_batch_messages)
		f->st.max_batch_messages = f->batch_n;
	f->backoff_ms = 0;
}

void fib_report_failure(struct fib *f, const struct fib_batch_entry *e, int error)
{
	bool gone = !e->install && error == ESRCH;
	char buf[RP_PREFIX4_STRLEN];

	/* Removing what the kernel already flushed is routine, and counted apart; the router
	 * manager reports the failures that matter. */
	if (gone)
		f->st.removals_already_gone++;
	else
		f->st.write_errors++;
	rp_log_rl(&f->rl_write, gone ? RP_LOG_DEBUG : RP_LOG_WARNING, FIB_COMP,
	       "%s %s proto %u table %u: %s", e->install ? "install" : "remove",
	       rp_prefix4_format(e->prefix, e->len, buf), e->protocol, f->table, strerror(error));
	if (!e->install)
		fib_watch_delete_failed(f, e->prefix, e->len, e->protocol);
	if (f->ops->write_failed)
		f->ops->write_failed(f->arg, e->prefix, e->len, e->protocol, e->install, error);
}

static void failure_answer(struct fib *f, uint32_t seq, int error)
{
	uint32_t i = seq - f->batch_seq0;
	const struct fib_batch_entry *e;

	if (i >= f->batch_n) {
		f->st.stray_errors++;
		rp_log_debug(FIB_COMP, "failure report for unknown sequence %u: %s", seq,
			  strerror(error));
		return;
	}
	e = &f->batch[i];
	/* EEXIST says only that some route has our table, prefix and priority: whose it is, the
	 * kernel's route tells (fib_exists.c), once the whole send has been answered. */
	if (e->install && error == EEXIST && fib_exists_note(f, e) == 0)
		return;
	fib_report_failure(f, e, error);
}

static void ack_datagram(struct fib *f, size_t n)
{
	const struct nlmsghdr *h;
	struct nlmsgerr e;
	size_t off = 0;

	while ((h = fib_msg_next(f->ackbuf, n, &off)) != NULL) {
		if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_len < NLMSG_LENGTH(sizeof(e.error)))
			continue;
		memcpy(&e.error, NLMSG_DATA(h), sizeof(e.error));
		if (e.error < 0)
			failure_answer(f, h->nlmsg_seq, -e.error);
	}
}

/* Read every failure report the last batch produced (they are all queued already). */
static void read_failures(struct fib *f)
{
	for (;;) {
		ssize_t n = recv(f->wfd, f->ackbuf, FIB_ACK_BUFSZ, MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			f->st.errors_lost++;
			rp_log_rl(&f->rl_write, RP_LOG_ERROR, FIB_COMP,
			       "route write failure reports lost (receive buffer full)");
			continue;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				rp_log_rl(&f->rl_write, RP_LOG_ERROR, FIB_COMP,
				       "reading route write results: %s", strerror(errno));
			return;
		}
		ack_datagram(f, (size_t)n);
	}
}

/* One batch from the head of the queue: messages sent, or -1 when the send failed. */
static long send_one(struct fib *f)
{
	size_t len = build_batch(f);

	if (f->batch_n == 0)
		return 0;
	if (send_batch(f, len) < 0) {
		send_failed(f);
		return -1;
	}
	commit_batch(f);
	read_failures(f);
	return (long)f->batch_n;
}

/* Send up to `budget` messages; false when a send failed. Installs refused as existing are
 * settled after the batches (one re-read of the table for all of them); the routes of ours among
 * them, queued again as replaces, go out in the same call while the budget lasts. */
static bool send_some(struct fib *f, size_t budget)
{
	size_t sent = 0, requeued;
	bool ok = true;

	f->in_send = true;
	do {
		while (ok && f->queue.count && sent < budget) {
			long n = send_one(f);

			if (n <= 0) {
				ok = n == 0;
				break;
			}
			sent += (size_t)n;
		}
		requeued = fib_exists_resolve(f);
	} while (ok && requeued && sent < budget);
	f->in_send = false;
	fib_queue_trim(&f->queue);
	schedule(f);
	return ok;
}

static void on_send(evutil_socket_t fd, short what, void *arg)
{
	send_some(arg, FIB_SEND_BUDGET);
}

/* ---- the API ---- */

static bool valid_route(const struct fib_route *r)
{
	return r->len <= 32 && r->nnexthops >= 1 && r->nnexthops <= RP_MAX_NEXTHOPS;
}

static void enqueue(struct fib *f, const struct fib_route *r, bool install)
{
	char buf[RP_PREFIX4_STRLEN];
	int res = fib_queue_put(&f->queue, r, install);

	if (res < 0) {
		f->st.rejected++;
		rp_log_rl(&f->rl_send, RP_LOG_ERROR, FIB_COMP, "out of memory queueing %s %s",
		       install ? "install" : "remove", rp_prefix4_format(r->prefix, r->len, buf));
		return;
	}
	if (res == 1)
		f->st.superseded++;
	schedule(f);
}

void fib_install(struct fib *f, const struct fib_route *r)
{
	char buf[RP_PREFIX4_STRLEN];

	f->st.installs++;
	if (!valid_route(r)) {
		f->st.rejected++;
		rp_log_error(FIB_COMP, "refusing to install %s with %u next hops",
			  rp_prefix4_format(r->prefix, r->len > 32 ? 32 : r->len, buf), r->nnexthops);
		return;
	}
	enqueue(f, r, true);
}

void fib_remove(struct fib *f, uint32_t prefix, uint8_t len, uint8_t protocol)
{
	struct fib_route r = { .prefix = prefix, .len = len, .protocol = protocol };

	f->st.removals++;
	if (len > 32) {
		f->st.rejected++;
		rp_log_error(FIB_COMP, "refusing to remove a prefix of length %u", len);
		return;
	}
	enqueue(f, &r, false);
}

static void pause_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void fib_flush(struct fib *f)
{
	size_t budget;

	if (f->in_send) {
		schedule(f); /* called from a write_failed callback: finish on the next iteration */
		return;
	}
	/* The budget stops a write_failed callback that queues the failing write again. */
	budget = (size_t)f->queue.count + FIB_SEND_BUDGET;

	for (int i = 0; f->queue.count && i < FIB_FLUSH_ATTEMPTS; i++) {
		if (send_some(f, budget))
			break;
		pause_ms(FIB_BACKOFF_MIN_MS << (i < 5 ? i : 5));
	}
	if (f->queue.count)
		rp_log_warning(FIB_COMP, "flush: %u route writes still queued", f->queue.count);
}

void fib_set_target(struct fib *f, uint32_t table, uint32_t priority)
{
	if (table == f->table && priority == f->priority)
		return;
	fib_flush(f); /* what was queued before goes where it was meant to go */
	rp_log_info(FIB_COMP, "routes now go to table %u with priority %u (were %u, %u)", table,
		 priority, f->table, f->priority);
	f->table = table;
	f->priority = priority;
}

bool fib_add_own(struct fib *f, uint8_t protocol, char *err, size_t errlen)
{
	if (fib_is_own(f, protocol))
		return true;
	if (protocol <= RTPROT_STATIC) {
		snprintf(err, errlen, "kernel route protocol %u is the kernel's or the "
			 "administrator's, not a routing daemon's", protocol);
		return false;
	}
	if (f->n_own >= FIB_MAX_OWN) {
		snprintf(err, errlen, "kernel route protocol %u: already %d protocols own routes",
			 protocol, FIB_MAX_OWN);
		return false;
	}
	f->own[f->n_own++] = protocol;
	fib_watch_own_changed(f);
	rp_log_info(FIB_COMP, "routes of protocol %u are ours", protocol);
	return true;
}

/* ---- lifecycle ---- */

static int check_args(uint32_t table, const uint8_t *own, size_t n_own,
		      const struct fib_ops *ops, char *err, size_t errlen)
{
	if (table == RT_TABLE_UNSPEC || table == RT_TABLE_LOCAL) {
		snprintf(err, errlen, "table %u cannot hold our routes", table);
		return -1;
	}
	if (!ops || n_own == 0 || n_own > FIB_MAX_OWN || !own) {
		snprintf(err, errlen, "between 1 and %d own protocols needed", FIB_MAX_OWN);
		return -1;
	}
	for (size_t i = 0; i < n_own; i++) {
		if (own[i] == RTPROT_UNSPEC || own[i] == RTPROT_KERNEL) {
			snprintf(err, errlen, "protocol %u cannot be ours", own[i]);
			return -1;
		}
	}
	return 0;
}

static struct fib *fib_alloc(struct event_base *base, uint32_t table, uint32_t priority,
			     const uint8_t *own, size_t n_own)
{
	struct fib *f = calloc(1, sizeof(*f));
	struct rp_log_ratelimit rl = RP_LOG_RATELIMIT_INIT(10, 10000);

	if (!f)
		return NULL;
	f->base = base;
	f->table = table;
	f->priority = priority;
	memcpy(f->own, own, n_own);
	f->n_own = n_own;
	f->wfd = f->dfd = f->nfd = -1;
	f->seq = (uint32_t)time(NULL);
	f->dump_seq = f->seq;
	f->rl_write = f->rl_send = f->rl_watch = f->rl_dump = rl;
	fib_queue_init(&f->queue);
	return f;
}

struct fib *fib_new(struct event_base *base, uint32_t table, uint32_t priority,
		    const uint8_t *own_protocols, size_t n_own, const struct fib_ops *ops,
		    void *arg, char *err, size_t errlen)
{
	struct fib *f;

	if (check_args(table, own_protocols, n_own, ops, err, errlen) < 0)
		return NULL;
	f = fib_alloc(base, table, priority, own_protocols, n_own);
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->ops = ops;
	f->arg = arg;
	f->send_ev = evtimer_new(base, on_send, f);
	if (!f->send_ev) {
		snprintf(err, errlen, "cannot create the route write event");
		goto fail;
	}
	if (open_writer(f, err, errlen) < 0 || fib_dump_open(f, err, errlen) < 0 ||
	    fib_watch_open(f, err, errlen) < 0)
		goto fail;
	rp_log_info(FIB_COMP, "table %u priority %u, %zu own protocols, %zu bytes per batch",
		 table, priority, n_own, f->send_limit);
	return f;
fail:
	fib_free(f);
	return NULL;
}

void fib_free(struct fib *f)
{
	if (!f)
		return;
	if (f->queue.count)
		rp_log_notice(FIB_COMP, "%u queued route writes dropped", f->queue.count);
	fib_watch_close(f);
	fib_dump_close(f);
	if (f->send_ev)
		event_free(f->send_ev);
	if (f->wfd >= 0)
		close(f->wfd);
	fib_queue_free(&f->queue);
	fib_exists_free(f);
	free(f->sendbuf);
	free(f->ackbuf);
	free(f->batch);
	free(f);
}

/* ---- status ---- */

static void set_u64(json_t *o, const char *key, uint64_t v)
{
	json_object_set_new(o, key, json_integer((json_int_t)v));
}

void fib_status_json(const struct fib *f, json_t *status)
{
	const struct fib_stats *s = &f->st;
	json_t *o = json_object();

	if (!o)
		return;
	set_u64(o, "table", f->table);
	set_u64(o, "priority", f->priority);
	set_u64(o, "installs", s->installs);
	set_u64(o, "removals", s->removals);
	set_u64(o, "superseded", s->superseded);
	set_u64(o, "rejected", s->rejected);
	set_u64(o, "batches", s->batches);
	set_u64(o, "messages", s->messages);
	set_u64(o, "max_batch_messages", s->max_batch_messages);
	set_u64(o, "batch_bytes", f->send_limit);
	set_u64(o, "write_errors", s->write_errors);
	set_u64(o, "removals_already_gone", s->removals_already_gone);
	set_u64(o, "existing_ours_replaced", s->exists_ours);
	set_u64(o, "existing_foreign_left", s->exists_foreign);
	set_u64(o, "existing_gone_retried", s->exists_gone);
	set_u64(o, "existing_rereads", s->exists_rereads);
	set_u64(o, "write_errors_lost", s->errors_lost);
	set_u64(o, "stray_write_errors", s->stray_errors);
	set_u64(o, "send_retries", s->send_retries);
	set_u64(o, "queued", f->queue.count);
	set_u64(o, "watch_messages", s->watch_messages);
	set_u64(o, "watch_overruns", s->watch_overruns);
	set_u64(o, "watch_receive_buffer", f->watch_rcvbuf);
	json_object_set_new(o, "watch_filter", json_boolean(f->filter_attached));
	set_u64(o, "kernel_routes_seen", s->kernel_routes_seen);
	set_u64(o, "own_routes_deleted_by_others", s->own_deleted_seen);
	set_u64(o, "own_deletes_confirmed", s->own_deletes_seen);
	set_u64(o, "deletes_in_flight", f->deletes.count);
	set_u64(o, "dumps", s->dumps);
	set_u64(o, "dump_restarts", s->dump_restarts);
	set_u64(o, "dump_errors", s->dump_errors);
	set_u64(o, "other_priority_routes", s->other_priority);
	json_object_set_new(status, "fib", o);
}
