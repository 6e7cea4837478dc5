/* SPDX-License-Identifier: ISC */
/*
 * fib_internal.h — the FIB writer's instance, shared by its parts: fib.c (lifecycle, write
 * queue, batches, status), fib_dump.c (synchronous dumps), fib_watch.c (notifications),
 * fib_exists.c (installs the kernel refused as existing: whose route is there).
 * Nothing outside src/linux/fib*.c includes this.
 */
#ifndef ROUTPROTD_LINUX_FIB_INTERNAL_H
#define ROUTPROTD_LINUX_FIB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/rtnetlink.h>

#include "routprotd/log.h"
#include "linux/fib.h"
#include "linux/fib_queue.h"

#define FIB_COMP "fib"
#define FIB_MAX_OWN 8 /* own protocols at most (rip, autostatic, ...) */

/* Route types of other protocols reported to the RM (kernel_route, fib_dump_kernel): unicast,
 * and the discard types that originate summary and discard routes. */
static inline bool fib_foreign_type(uint8_t rtm_type)
{
	return rtm_type == RTN_UNICAST || rtm_type == RTN_BLACKHOLE ||
	       rtm_type == RTN_UNREACHABLE || rtm_type == RTN_PROHIBIT;
}

struct event;

struct fib_stats {
	uint64_t installs;           /* fib_install calls */
	uint64_t removals;           /* fib_remove calls */
	uint64_t superseded;         /* queued writes replaced by a later one */
	uint64_t rejected;           /* writes refused before queueing (bad route, no memory) */
	uint64_t batches;            /* successful sendmsg calls */
	uint64_t messages;           /* route messages the kernel accepted for processing */
	uint64_t max_batch_messages; /* most messages in one sendmsg */
	uint64_t write_errors;       /* failures passed on to the router manager */
	uint64_t removals_already_gone; /* ESRCH on a removal: the route was not there */
	uint64_t exists_ours;        /* EEXIST, and the route there was ours: replaced */
	uint64_t exists_foreign;     /* EEXIST, and the route there was another protocol's */
	uint64_t exists_gone;        /* EEXIST, and nothing there any more when re-read */
	uint64_t exists_rereads;     /* dumps done to find out whose route an EEXIST met */
	uint64_t errors_lost;        /* failure reports lost (write socket overrun) */
	uint64_t stray_errors;       /* failure reports of no batch we know */
	uint64_t send_retries;       /* sendmsg failures; the batch stayed queued */
	uint64_t watch_messages;     /* notifications read (after the socket filter) */
	uint64_t watch_overruns;
	uint64_t kernel_routes_seen; /* notifications of other protocols' routes in our table */
	uint64_t own_deleted_seen;   /* our routes deleted by someone else */
	uint64_t own_deletes_seen;   /* notifications of our own deletes */
	uint64_t dumps;
	uint64_t dump_restarts;      /* NLM_F_DUMP_INTR */
	uint64_t dump_errors;
	uint64_t other_priority;     /* own-protocol routes at another priority seen in dumps */
};

/* What went out in the current batch, by sequence number - batch_seq0. */
struct fib_batch_entry {
	uint32_t prefix;
	uint8_t len;
	uint8_t protocol;
	bool install;
	bool retried;  /* an install written again because the route it met had gone */
	uint32_t off;  /* where its message starts in sendbuf */
};

/* An install the kernel refused as existing, waiting for the kernel's route to be re-read. */
struct fib_exists_entry {
	struct fib_route route; /* as it was sent */
	bool retried;
};

struct fib {
	struct event_base *base;
	const struct fib_ops *ops;
	void *arg;
	uint32_t table;
	uint32_t priority;
	uint8_t own[FIB_MAX_OWN];
	size_t n_own;

	/* writes */
	int wfd;                   /* non-blocking; failure reports come back here */
	struct fib_queue queue;
	struct event *send_ev;     /* zero timeout per burst; backoff after a failed send */
	unsigned backoff_ms;
	bool in_send;              /* a batch is being processed (callbacks may re-enter) */
	uint8_t *sendbuf;
	size_t send_limit;         /* bytes per sendmsg */
	uint8_t *ackbuf;
	struct fib_batch_entry *batch;
	size_t batch_cap, batch_n;
	uint32_t batch_seq0, seq;
	struct fib_exists_entry *exists; /* EEXIST answers of this send, to be re-read */
	size_t exists_n, exists_cap;

	/* dumps */
	int dfd;                   /* blocking with a receive timeout */
	bool strict_dump;          /* NETLINK_GET_STRICT_CHK: the kernel filters by table */
	uint32_t dump_seq;
	uint8_t *dumpbuf;

	/* watch */
	int nfd;                   /* RTNLGRP_IPV4_ROUTE, socket filter attached */
	struct event *watch_ev;
	bool filter_attached;
	unsigned watch_rcvbuf;     /* effective receive buffer */
	uint8_t *watchbuf;
	struct fib_keymap deletes; /* key -> our deletes whose notification is still due */

	struct fib_stats st;
	struct rp_log_ratelimit rl_write, rl_send, rl_watch, rl_dump;
};

bool fib_is_own(const struct fib *f, uint8_t protocol);

/* Open a netlink route socket with a receive buffer of `rcvbuf` bytes (SO_RCVBUFFORCE, else
 * SO_RCVBUF); returns the fd or -1 with a message in err. */
int fib_socket(bool nonblock, unsigned rcvbuf, char *err, size_t errlen);
unsigned fib_socket_rcvbuf(int fd); /* effective size */

/* A failed write, told to the watcher and to the router manager (fib.c). */
void fib_report_failure(struct fib *f, const struct fib_batch_entry *e, int error);

/* fib_dump.c */
int fib_dump_open(struct fib *f, char *err, size_t errlen);
void fib_dump_close(struct fib *f);
struct fib_msg_route;
/* Dump our table and call visit for every route in it (any type, not cloned); 0 or -1. */
int fib_dump_walk(struct fib *f, void (*visit)(struct fib *f, const struct fib_msg_route *m,
					       void *ctx), void *ctx);

/* fib_exists.c */
/* The kernel refused install `e` of the batch in sendbuf with EEXIST: keep it for a re-read of
 * the kernel's route (0), or -1 when it cannot be kept (report it as a failure then). */
int fib_exists_note(struct fib *f, const struct fib_batch_entry *e);
/* Re-read the kernel's routes the noted installs met and act on each: one of ours is replaced
 * (queued again with NLM_F_REPLACE), another protocol's is left alone and the failure reported,
 * one that has gone is written again once. Returns how many writes were queued again. */
size_t fib_exists_resolve(struct fib *f);
void fib_exists_free(struct fib *f);

/* fib_watch.c */
int fib_watch_open(struct fib *f, char *err, size_t errlen);
void fib_watch_close(struct fib *f);
/* The own protocols changed: the watch's filter follows. */
void fib_watch_own_changed(struct fib *f);
/* A delete went out: its notification is ours, not someone else's. */
void fib_watch_expect_delete(struct fib *f, uint32_t prefix, uint8_t len, uint8_t protocol);
/* ...or it failed: no notification will come. */
void fib_watch_delete_failed(struct fib *f, uint32_t prefix, uint8_t len, uint8_t protocol);

#endif
