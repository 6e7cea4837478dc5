/* SPDX-License-Identifier: ISC */
/*
 * fib_dump.c — synchronous dumps of our routing table on a socket of their own (so that a dump
 * never interleaves with batch failure reports or notifications).
 *
 * The whole multi-part answer is collected before anything is handed to the caller: when the
 * kernel marks a part NLM_F_DUMP_INTR (the table changed while it was being dumped) the dump is
 * started again, and the caller never sees a half or doubled listing. Where the kernel supports
 * strict checking the request asks for our table only (it then answers ENOENT for a table that
 * does not exist yet, which means empty); every route is filtered here too.
 *
 * fib_dump_walk hands every route of our table (any type, not cloned) to its caller, which
 * picks. Ours: our table, one of our protocols, our priority, tos 0, unicast. A route of our
 * protocol at another priority (left over from an older configuration) is not ours to touch: it
 * is counted (other_priority) and logged. Others: our table, any other protocol, not cloned,
 * unicast or a discard type (blackhole, unreachable, prohibit: see fib_foreign_type).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/rtnetlink.h>

#include "linux/fib_internal.h"
#include "linux/fib_msg.h"

#define DUMP_RCVBUF (1u << 20)
#define DUMP_BUFSZ (64u << 10) /* the kernel sends at most 32 KiB per dump datagram */
#define DUMP_TIMEOUT_S 5
#define DUMP_ATTEMPTS 5

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* The route messages of one complete dump, copied back to back. */
struct dump_data {
	uint8_t *buf;
	size_t len, cap;
};

static int dump_append(struct dump_data *d, const struct nlmsghdr *h)
{
	size_t n = NLMSG_ALIGN(h->nlmsg_len);

	if (d->len + n > d->cap) {
		size_t cap = d->cap ? d->cap * 2 : DUMP_BUFSZ;
		uint8_t *grown;

		while (cap < d->len + n)
			cap *= 2;
		grown = realloc(d->buf, cap);
		if (!grown)
			return -1;
		d->buf = grown;
		d->cap = cap;
	}
	memcpy(d->buf + d->len, h, h->nlmsg_len);
	memset(d->buf + d->len + h->nlmsg_len, 0, n - h->nlmsg_len);
	d->len += n;
	return 0;
}

static int send_request(struct fib *f)
{
	uint8_t req[64] __attribute__((aligned(4)));
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	size_t len;

	f->dump_seq++;
	len = fib_msg_dump_request(req, f->table, f->dump_seq);
	if (sendto(f->dfd, req, len, 0, (struct sockaddr *)&sa, sizeof(sa)) != (ssize_t)len) {
		rp_log_rl(&f->rl_dump, RP_LOG_ERROR, FIB_COMP, "sending route dump request: %s",
		       strerror(errno));
		return -1;
	}
	return 0;
}

/* Outcome of one message of the answer. */
enum part { PART_MORE, PART_DONE, PART_FAILED };

static enum part dump_message(struct fib *f, const struct nlmsghdr *h, struct dump_data *d,
			      bool *intr)
{
	struct nlmsgerr e;

	if (h->nlmsg_seq != f->dump_seq)
		return PART_MORE; /* late answer to an abandoned dump */
	if (h->nlmsg_flags & NLM_F_DUMP_INTR)
		*intr = true;
	if (h->nlmsg_type == NLMSG_DONE)
		return PART_DONE;
	if (h->nlmsg_type == NLMSG_ERROR) {
		if (h->nlmsg_len < NLMSG_LENGTH(sizeof(e.error)))
			return PART_FAILED;
		memcpy(&e.error, NLMSG_DATA(h), sizeof(e.error));
		if (e.error == -ENOENT && f->strict_dump)
			return PART_DONE; /* our table does not exist (yet) */
		errno = -e.error;
		rp_log_rl(&f->rl_dump, RP_LOG_ERROR, FIB_COMP, "route dump: %s", strerror(errno));
		return PART_FAILED;
	}
	if (h->nlmsg_type == RTM_NEWROUTE && dump_append(d, h) < 0) {
		rp_log_rl(&f->rl_dump, RP_LOG_ERROR, FIB_COMP, "route dump: out of memory");
		return PART_FAILED;
	}
	return PART_MORE;
}

static ssize_t dump_recv(struct fib *f)
{
	ssize_t n;

	do {
		n = recv(f->dfd, f->dumpbuf, DUMP_BUFSZ, MSG_TRUNC);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		rp_log_rl(&f->rl_dump, RP_LOG_ERROR, FIB_COMP, "reading route dump: %s",
		       errno == EAGAIN ? "timed out" : strerror(errno));
		return -1;
	}
	if ((size_t)n > DUMP_BUFSZ) {
		rp_log_rl(&f->rl_dump, RP_LOG_ERROR, FIB_COMP, "route dump datagram truncated");
		return -1;
	}
	return n;
}

/* One dump attempt into d: 0 complete, 1 interrupted (start again), -1 failed. */
static int dump_once(struct fib *f, struct dump_data *d)
{
	bool intr = false;

	d->len = 0;
	if (send_request(f) < 0)
		return -1;
	for (;;) {
		ssize_t n = dump_recv(f);
		const struct nlmsghdr *h;
		size_t off = 0;

		if (n < 0)
			return -1;
		while ((h = fib_msg_next(f->dumpbuf, (size_t)n, &off)) != NULL) {
			enum part p = dump_message(f, h, d, &intr);

			if (p == PART_FAILED)
				return -1;
			if (p == PART_DONE)
				return intr ? 1 : 0;
		}
	}
}

static int open_dump_socket(struct fib *f, char *err, size_t errlen)
{
	struct timeval tv = { .tv_sec = DUMP_TIMEOUT_S };
	int one = 1;
	int fd = fib_socket(false, DUMP_RCVBUF, err, errlen);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		snprintf(err, errlen, "route dump socket timeout: %s", strerror(errno));
		close(fd);
		return -1;
	}
	f->strict_dump = setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one,
				    sizeof(one)) == 0;
	return fd;
}

/* After a failed dump the kernel may still be in the middle of it on this socket (and would
 * refuse the next one with EBUSY): start over with a fresh socket. */
static void dump_reset(struct fib *f)
{
	char err[128];

	if (f->dfd >= 0)
		close(f->dfd);
	f->dfd = open_dump_socket(f, err, sizeof(err));
	if (f->dfd < 0)
		rp_log_rl(&f->rl_dump, RP_LOG_ERROR, FIB_COMP, "%s", err);
}

static int dump_collect(struct fib *f, struct dump_data *d)
{
	f->st.dumps++;
	if (f->dfd < 0)
		dump_reset(f);
	if (f->dfd < 0) {
		f->st.dump_errors++;
		return -1;
	}
	for (int i = 0; i < DUMP_ATTEMPTS; i++) {
		int r = dump_once(f, d);

		if (r < 0) {
			f->st.dump_errors++;
			dump_reset(f);
			return -1;
		}
		if (r == 0)
			return 0;
		f->st.dump_restarts++;
		rp_log_debug(FIB_COMP, "route dump interrupted by a change; starting again");
	}
	f->st.dump_errors++;
	rp_log_rl(&f->rl_dump, RP_LOG_WARNING, FIB_COMP,
	       "route dump interrupted %d times in a row; giving up", DUMP_ATTEMPTS);
	return -1;
}

/* Walk the collected routes of our table (parse failures skipped). */
typedef void (*dump_visit)(struct fib *f, const struct fib_msg_route *m, void *ctx);

int fib_dump_walk(struct fib *f, dump_visit visit, void *ctx)
{
	struct dump_data d = { 0 };
	struct fib_msg_route *m = malloc(sizeof(*m));
	const struct nlmsghdr *h;
	size_t off = 0;

	if (!m || dump_collect(f, &d) < 0) {
		free(m);
		free(d.buf);
		return -1;
	}
	while ((h = fib_msg_next(d.buf, d.len, &off)) != NULL) {
		if (fib_msg_parse(h, m) == 0 && m->table == f->table && !m->cloned)
			visit(f, m, ctx);
	}
	free(m);
	free(d.buf);
	return 0;
}

struct own_ctx {
	void (*cb)(void *arg, const struct fib_route *r);
	void *arg;
	uint64_t other_priority;
};

static void visit_own(struct fib *f, const struct fib_msg_route *m, void *ctx)
{
	struct own_ctx *c = ctx;
	struct fib_route r;

	if (!fib_is_own(f, m->protocol) || m->tos != 0 || m->rtm_type != RTN_UNICAST)
		return;
	if (m->priority != f->priority) {
		c->other_priority++;
		return;
	}
	if (m->nexthops_truncated)
		rp_log_rl(&f->rl_dump, RP_LOG_WARNING, FIB_COMP,
		       "a route of ours has more than %d next hops; the rest are ignored",
		       RP_MAX_NEXTHOPS);
	fib_msg_to_route(m, &r);
	c->cb(c->arg, &r);
}

int fib_dump_own(struct fib *f, void (*cb)(void *arg, const struct fib_route *r), void *arg)
{
	struct own_ctx c = { .cb = cb, .arg = arg };

	if (fib_dump_walk(f, visit_own, &c) < 0)
		return -1;
	if (c.other_priority) {
		f->st.other_priority += c.other_priority;
		rp_log_warning(FIB_COMP, "%" PRIu64 " routes of our protocols in table %u have a "
			    "priority other than %u; they are left alone", c.other_priority,
			    f->table, f->priority);
	}
	return 0;
}

struct kernel_ctx {
	void (*cb)(void *arg, const struct fib_kernel_route *r);
	void *arg;
};

static void visit_kernel(struct fib *f, const struct fib_msg_route *m, void *ctx)
{
	struct kernel_ctx *c = ctx;
	struct fib_kernel_route r;

	if (fib_is_own(f, m->protocol) || !fib_foreign_type(m->rtm_type))
		return;
	fib_msg_to_kernel_route(m, &r);
	c->cb(c->arg, &r);
}

int fib_dump_kernel(struct fib *f, void (*cb)(void *arg, const struct fib_kernel_route *r),
		    void *arg)
{
	struct kernel_ctx c = { .cb = cb, .arg = arg };

	return fib_dump_walk(f, visit_kernel, &c);
}

int fib_dump_open(struct fib *f, char *err, size_t errlen)
{
	f->dfd = open_dump_socket(f, err, errlen);
	if (f->dfd < 0)
		return -1;
	f->dumpbuf = malloc(DUMP_BUFSZ);
	if (!f->dumpbuf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void fib_dump_close(struct fib *f)
{
	if (f->dfd >= 0)
		close(f->dfd);
	f->dfd = -1;
	free(f->dumpbuf);
	f->dumpbuf = NULL;
}
